/* hw-emby-client-private.h: HwEmbyClient across its files.
 *
 *   hw-emby-client.c            the object, configuration, state, public API
 *   hw-emby-client-calls.c      a call: gate, sign-in, exchange, 401 replay,
 *                               shared GETs
 *   hw-emby-client-gate.c       the server gate: probes, backoff, network
 *   hw-emby-client-sign-in.c    getting a token: API key, Secret Service,
 *                               password
 *   hw-emby-client-endpoints.c  typed requests, on the public request API
 *   hw-emby-session-socket.c    the session websocket, on the client's
 *                               session, identity, backoff and gate
 *
 * One HTTP exchange (deadline, classification, Retry-After) is
 * hw-emby-request.c, which knows nothing of the client.
 *
 * Internal: not installed, and only these files include it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "hw-emby-client.h"
#include "hw-shared-requests.h"
#include "hw-token-store.h"

G_BEGIN_DECLS

/* In request paths; filled in with the user id once signed in. */
#define USER_ID_PLACEHOLDER "{UserId}"

struct _HwEmbyClient
{
  GObject        parent_instance;

  HwConfig      *config;
  SoupSession   *session;
  GNetworkMonitor *monitor;

  /* From the configuration; reloaded on change. */
  char          *base_url;
  char          *username;
  char          *configured_user_id;
  char          *api_key;
  char          *password_file;
  /* Typed by a person into the sign-in dialog; used for one attempt. */
  char          *typed_password;
  guint          sends_in_flight;  /* reports not yet answered */
  guint          request_timeout_s;
  gint64         backoff_initial_us;
  gint64         backoff_max_us;

  char          *device_id;
  char          *device_name;

  /* Signed-in identity. */
  char          *token;
  char          *user_id;
  guint          token_generation;

  HwServerState  state;
  char          *state_reason;
  gboolean       started;

  /* Cancelled when the configuration changes or the client goes away:
   * everything in flight belongs to the old identity. */
  GCancellable  *life;

  /* The gate. */
  gboolean       probing;
  guint          probe_attempt;
  guint          probe_source;
  GCancellable  *probe_life;    /* the probe in flight; cancelled to supersede it */
  GPtrArray     *gate_waiters;     /* GTask (calls) waiting for the first probe */
  gint64         retry_after_until_us;

  /* Sign-in. */
  gboolean       signing_in;
  GPtrArray     *sign_in_waiters;  /* GTask (calls) */
  gboolean       keyring_checked;  /* the token store was asked for this identity */
  HwTokenStore  *tokens;

  HwSharedRequests *shared;        /* identical concurrent GETs */
};

/* Calls that pass the gate whatever its state, need no token, and belong
 * to the current identity (self->life). */
typedef enum {
  HW_EMBY_CALL_PROBE,     /* the gate's own probe: failing it does not close the gate */
  HW_EMBY_CALL_SIGN_IN,
} HwEmbyCallKind;

/* hw-emby-client.c */
void _hw_emby_client_set_state              (HwEmbyClient        *self,
                                             HwServerState        state,
                                             const char          *reason);
/* Drops the token; anything minted with it is now from an older one. */
void _hw_emby_client_forget_token           (HwEmbyClient        *self);
/* Drops the token, stops in SIGN_IN_REQUIRED and fails every waiter. */
void _hw_emby_client_enter_sign_in_required (HwEmbyClient        *self,
                                             const char          *reason);

/* hw-emby-client-calls.c */
/* Empty @waiters (GTask calls): fail each with @error, or begin each
 * again (gate check, sign-in, send). */
void _hw_emby_client_fail_waiters           (GPtrArray           *waiters,
                                             const GError        *error);
void _hw_emby_client_resume_waiters         (GPtrArray           *waiters);
/* hw_emby_client_request_async () once its arguments are checked. */
void _hw_emby_client_call                   (HwEmbyClient        *self,
                                             const char          *method,
                                             const char          *path,
                                             const char          *json_body,
                                             HwEmbyRequestFlags   flags,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* A call of @kind. @callback gets a GTask: g_task_propagate_pointer ()
 * gives the GBytes. */
void _hw_emby_client_start_call             (HwEmbyClient        *self,
                                             HwEmbyCallKind       kind,
                                             const char          *method,
                                             const char          *path,
                                             const char          *json_body,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);

/* hw-emby-client-gate.c */
void _hw_emby_client_watch_network          (HwEmbyClient        *self);
/* One probe at a time; nothing without a usable server address. */
void _hw_emby_client_probe_now              (HwEmbyClient        *self);
/* Drops the probe in flight, if any: its answer will be ignored. */
void _hw_emby_client_cancel_probe           (HwEmbyClient        *self);
/* The server could not be reached: OFFLINE, and probe with backoff. */
void _hw_emby_client_gate_close             (HwEmbyClient        *self,
                                             const char          *reason);

/* hw-emby-client-sign-in.c */
/* Gets a token for the waiters in sign_in_waiters: one attempt at a time. */
void _hw_emby_client_sign_in                (HwEmbyClient        *self);
/* The server refused the token: drop the copy in the Secret Service. */
void _hw_emby_client_clear_stored_token     (HwEmbyClient        *self);

G_END_DECLS
