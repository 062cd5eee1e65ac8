/* hw-emby-client-private.h: the fields of HwEmbyClient, and how a call goes
 * through it (hw-emby-client-calls.c), for hw-emby-client.c.
 *
 * Internal: not installed. The calls read these fields but call back into
 * nothing of hw-emby-client.c: the gate and the sign-in are objects of
 * their own, reached through their public API.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "hw-emby-client.h"
#include "hw-emby-sign-in.h"
#include "hw-server-gate.h"
#include "hw-shared-requests.h"

G_BEGIN_DECLS

struct _HwEmbyClient
{
  GObject        parent_instance;

  HwConfig      *config;
  SoupSession   *session;
  HwServerGate  *gate;
  HwEmbySignIn  *sign_in;

  /* From the configuration; reloaded on change. */
  char          *base_url;
  char          *accept_certificate;  /* a normalised SHA-256 fingerprint, or NULL */
  guint          request_timeout_s;
  gint64         backoff_initial_us;
  gint64         backoff_max_us;
  char          *device_id;
  char          *device_name;

  guint          sends_in_flight;  /* reports not yet answered */
  GHashTable    *latest_reports;   /* supersede key → GCancellable of the one in flight */

  HwServerState  state;
  char          *state_reason;
  /* What /System/Info/Public said; Emby until a probe has answered. */
  HwServerProduct product;
  gboolean       started;

  /* Cancelled when the configuration changes or the client goes away:
   * everything in flight belongs to the old identity. */
  GCancellable  *life;

  /* Retry-After, scoped to what sent it: request kind ("GET
   * /Users/{UserId}/Items") → gint64 * monotonic time until which calls of
   * that kind are held back. */
  GHashTable    *held_back;

  HwSharedRequests *shared;        /* identical concurrent GETs */
};

/* Calls that pass the gate whatever its state, need no token, and belong
 * to the current identity (self->life). */
typedef enum {
  HW_EMBY_CALL_PROBE,     /* the gate's own probe: failing it does not close the gate */
  HW_EMBY_CALL_SIGN_IN,
} HwEmbyCallKind;

/* hw_emby_client_request_async () once its arguments are checked. */
void _hw_emby_client_call       (HwEmbyClient        *self,
                                 const char          *method,
                                 const char          *path,
                                 const char          *json_body,
                                 HwEmbyRequestFlags   flags,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
/* A call of @kind. @callback gets a GTask: g_task_propagate_pointer ()
 * gives the GBytes. */
void _hw_emby_client_start_call (HwEmbyClient        *self,
                                 HwEmbyCallKind       kind,
                                 const char          *method,
                                 const char          *path,
                                 const char          *json_body,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);

G_END_DECLS
