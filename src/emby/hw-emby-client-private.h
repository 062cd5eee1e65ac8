/* hw-emby-client-private.h: HwEmbyClient across its files.
 *
 *   hw-emby-client.c            the object, configuration, state, public API
 *   hw-emby-client-calls.c      a call: gate, Retry-After per kind of
 *                               request, sign-in, exchange, 401 replay,
 *                               shared GETs
 *   hw-emby-client-gate.c       the server gate: suspicion, probes, backoff,
 *                               network
 *   hw-emby-client-sign-in.c    getting a token: API key, Secret Service,
 *                               password; refused credentials
 *   hw-emby-client-endpoints.c  typed requests, on the public request API
 *   hw-emby-session-socket.c    the session websocket, on the client's
 *                               session, identity, backoff and gate
 *
 * One HTTP exchange (deadline, body cap, classification, Retry-After) is
 * hw-emby-request.c, which knows nothing of the client; which certificate
 * it accepts is hw-emby-tls.c.
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
  char          *accept_certificate;  /* a normalised SHA-256 fingerprint, or NULL */
  /* Typed by a person into the sign-in dialog; used for one attempt. */
  char          *typed_password;
  guint          sends_in_flight;  /* reports not yet answered */
  GHashTable    *latest_reports;   /* supersede key → GCancellable of the one in flight */
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
  gint64         probe_held_until_us;  /* a Retry-After on the probe (monotonic) */

  /* Retry-After, scoped to what sent it: request kind ("GET
   * /Users/{UserId}/Items") → gint64 * monotonic time until which calls of
   * that kind are held back. */
  GHashTable    *held_back;

  /* Sign-in. */
  gboolean       signing_in;
  GPtrArray     *sign_in_waiters;  /* GTask (calls) */
  gboolean       keyring_checked;  /* the token store was asked for this identity */
  gboolean       typed_attempt;    /* the last password came from the dialog */
  guint          sign_in_retry;    /* unattended credentials refused: try again later */
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
/* A new token (and its user): the generation goes up and
 * "token-generation" is notified. */
void _hw_emby_client_set_token              (HwEmbyClient        *self,
                                             const char          *token,
                                             const char          *user_id);
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
/* A request got no answer: a suspicion, not a verdict. One probe decides;
 * only its failure closes the gate. */
void _hw_emby_client_gate_suspect           (HwEmbyClient        *self,
                                             const char          *reason);
/* The server said it is going away (its session socket): close the gate
 * now, with no failure counted, and probe after the first backoff, since
 * it still answers for a moment after saying so. */
void _hw_emby_client_gate_close             (HwEmbyClient        *self,
                                             const char          *reason);

/* hw-emby-client-sign-in.c */
/* Gets a token for the waiters in sign_in_waiters: one attempt at a time. */
void _hw_emby_client_sign_in                (HwEmbyClient        *self);
/* The server refused our credentials (@reason, for the log). Without a
 * person to ask (API key, HYPERWALL_PASSWORD, a password file) the client
 * tries again slowly and says when; otherwise it stops in
 * SIGN_IN_REQUIRED until the configuration changes. */
void _hw_emby_client_refused                (HwEmbyClient        *self,
                                             const char          *reason);
/* The server refused the token: drop the copy in the Secret Service. */
void _hw_emby_client_clear_stored_token     (HwEmbyClient        *self);

G_END_DECLS
