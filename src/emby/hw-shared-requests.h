/* hw-shared-requests.h: identical concurrent requests run once.
 *
 * A request is named by a key (for HTTP, "METHOD path"). The first caller
 * starts it; callers arriving while it runs join it. Every caller gets the
 * reply through its own GTask; a caller that cancels is answered with
 * G_IO_ERROR_CANCELLED and drops only its own interest, and the request
 * itself is cancelled when the last caller is gone. Nothing here knows
 * what the request is: the caller starts it. Internal to the Emby client.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HW_TYPE_SHARED_REQUESTS (hw_shared_requests_get_type ())

G_DECLARE_FINAL_TYPE (HwSharedRequests, hw_shared_requests, HW, SHARED_REQUESTS, GObject)

/* Starts the one real request with @cancellable (cancelled when the last
 * caller is gone) and @callback/@user_data. The result @callback receives
 * must be a GTask returning a GBytes (g_task_return_pointer ()). */
typedef void (*HwSharedRequestStartFunc) (gpointer             start_data,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);

HwSharedRequests *hw_shared_requests_new (void);
/* Joins the running request named @key, or starts it now with @start
 * (called before this returns; @start_data is not kept). @callback gets a
 * GTask with @source_object and @source_tag; its result is a GBytes
 * (g_task_propagate_pointer ()). */
void              hw_shared_requests_run (HwSharedRequests         *self,
                                          const char               *key,
                                          gpointer                  source_object,
                                          gpointer                  source_tag,
                                          HwSharedRequestStartFunc  start,
                                          gpointer                  start_data,
                                          GCancellable             *cancellable,
                                          GAsyncReadyCallback       callback,
                                          gpointer                  user_data);

G_END_DECLS
