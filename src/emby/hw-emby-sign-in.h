/* hw-emby-sign-in.h: how the Emby client gets an access token.
 *
 * In order: HYPERWALL_API_KEY (with the configured user-id), a token kept
 * in the Secret Service for this server and user name, then a password
 * (typed into the sign-in dialog, HYPERWALL_PASSWORD, or the password
 * file) sent once to /Users/AuthenticateByName. Whichever way, callers
 * wait and one attempt runs at a time. The sign-in speaks no HTTP: the
 * owner gives it an exchange that sends the sign-in body.
 *
 * Credentials nobody types (an API key, HYPERWALL_PASSWORD, a password
 * file) that the server refuses are tried again slowly ("retry"); refused
 * typed ones stop until a person answers. Either way "required" says so.
 *
 * Tokens go to the redaction registry before anything can log them, in
 * the "access-token" slot, so the ones they replaced stay masked a while
 * and then go (hw_redact_rotate_secret ()).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hw-token-store.h"

G_BEGIN_DECLS

#define HW_TYPE_EMBY_SIGN_IN (hw_emby_sign_in_get_type ())

G_DECLARE_FINAL_TYPE (HwEmbySignIn, hw_emby_sign_in, HW, EMBY_SIGN_IN, GObject)

/* Sends @body (the sign-in JSON, which holds the password: copy it, never
 * log it) and calls @callback with a GTask whose g_task_propagate_pointer ()
 * gives the answer's GBytes. */
typedef void (*HwEmbySignInExchange) (const char          *body,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data,
                                      gpointer             exchange_data);

/* Called once per waiter: @error NULL when a token is there. */
typedef void (*HwEmbySignInWaitFunc) (const GError *error,
                                      gpointer      data);

/* @exchange_data must outlive the sign-in. */
HwEmbySignIn *hw_emby_sign_in_new                (HwTokenStore          *tokens,
                                                  HwEmbySignInExchange   exchange,
                                                  gpointer               exchange_data);

/* Who signs in where (for the token store and the log); @api_key from
 * HYPERWALL_API_KEY or NULL. Takes effect at the next attempt: call
 * hw_emby_sign_in_reset () with it. */
void          hw_emby_sign_in_configure          (HwEmbySignIn          *self,
                                                  const char            *server,
                                                  const char            *username,
                                                  const char            *user_id,
                                                  const char            *api_key);
/* The slow retry of refused unattended credentials is ten times this. */
void          hw_emby_sign_in_set_backoff_max    (HwEmbySignIn          *self,
                                                  gint64                 backoff_max_us);
/* FALSE when it is the same file. */
gboolean      hw_emby_sign_in_set_password_file  (HwEmbySignIn          *self,
                                                  const char            *path);
/* For the next attempt only; never stored. */
void          hw_emby_sign_in_set_typed_password (HwEmbySignIn          *self,
                                                  const char            *password);
gboolean      hw_emby_sign_in_has_credentials    (HwEmbySignIn          *self);
gboolean      hw_emby_sign_in_uses_api_key       (HwEmbySignIn          *self);

/* A new identity: the attempt in flight and the slow retry are dropped,
 * waiters fail with @error, the token and user go. */
void          hw_emby_sign_in_reset              (HwEmbySignIn          *self,
                                                  const GError          *error);
/* Gets a token if there is none (one attempt at a time); with one,
 * resumes whoever waits. */
void          hw_emby_sign_in_begin              (HwEmbySignIn          *self);
/* Waits for a token: hw_emby_sign_in_begin () with @func among the
 * waiters. */
void          hw_emby_sign_in_request            (HwEmbySignIn          *self,
                                                  HwEmbySignInWaitFunc   func,
                                                  gpointer               data);
/* Fails every waiter with @error (the owner going). */
void          hw_emby_sign_in_fail_waiters       (HwEmbySignIn          *self,
                                                  const GError          *error);

/* The server refused our credentials (@reason, for the log). */
void          hw_emby_sign_in_refused            (HwEmbySignIn          *self,
                                                  const char            *reason);
/* The server refused the current token: it goes, from the Secret Service
 * too; the next call signs in again. */
void          hw_emby_sign_in_token_refused      (HwEmbySignIn          *self);

/* The "token-generation" property goes up with every new token (and, not
 * notified, when one is dropped). Never log the token. */
const char   *hw_emby_sign_in_get_token          (HwEmbySignIn          *self);
const char   *hw_emby_sign_in_get_user_id        (HwEmbySignIn          *self);
guint         hw_emby_sign_in_get_token_generation (HwEmbySignIn        *self);

G_END_DECLS
