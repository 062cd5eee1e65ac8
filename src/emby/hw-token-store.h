/* hw-token-store.h: the access token in the Secret Service.
 *
 * Only the token is kept (never a password), under the server, the user
 * name and the user id it was issued for, so the next start skips the
 * sign-in. Without a Secret Service (no session bus, none running, or
 * HYPERWALL_NO_KEYRING set) nothing is kept: the log says so once and the
 * caller keeps the token in memory only. Internal to the Emby client.
 *
 * Nothing here ever makes the Secret Service prompt, kiosk or not: a wall
 * must not put a window on screen that it cannot take down. Only a default
 * collection that exists and is unlocked is used; one that is missing is
 * never created and one that is locked is never unlocked (the token stays
 * in memory, said once in the log). A token saved meanwhile is kept there
 * as soon as somebody unlocks (or creates) the default collection.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HW_TYPE_TOKEN_STORE (hw_token_store_get_type ())

G_DECLARE_FINAL_TYPE (HwTokenStore, hw_token_store, HW, TOKEN_STORE, GObject)

HwTokenStore *hw_token_store_new             (void);
/* FALSE when there is no Secret Service to ask; the first time, logs that
 * the token is kept in memory only. Check before a lookup. */
gboolean      hw_token_store_is_available    (HwTokenStore        *self);
/* The token kept for @server and @username, and the user id it belongs
 * to. Finishes with NULL and no error when none is kept or the Secret
 * Service fails (said once in the log); fails only with
 * G_IO_ERROR_CANCELLED, when @cancellable was cancelled by the time it
 * finishes. A locked or missing default collection finds nothing. */
void          hw_token_store_lookup_async    (HwTokenStore        *self,
                                              const char          *server,
                                              const char          *username,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
char         *hw_token_store_lookup_finish   (HwTokenStore        *self,
                                              GAsyncResult        *result,
                                              char               **user_id,
                                              GError             **error);
/* Keeps @token. A failure only means nothing is kept now (logged once):
 * with no Secret Service later lookups are not attempted; with a locked or
 * missing default collection the token waits in memory and is stored when
 * that collection becomes usable. */
void          hw_token_store_save_async      (HwTokenStore        *self,
                                              const char          *server,
                                              const char          *username,
                                              const char          *user_id,
                                              const char          *token,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean      hw_token_store_save_finish     (HwTokenStore        *self,
                                              GAsyncResult        *result,
                                              GError             **error);
/* Removes what is kept for @server and @username (the server refused it).
 * Fire and forget; nothing when there is no Secret Service. */
void          hw_token_store_forget          (HwTokenStore        *self,
                                              const char          *server,
                                              const char          *username);

G_END_DECLS
