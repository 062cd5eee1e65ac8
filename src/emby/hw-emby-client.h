/* hw-emby-client.h: the only code that speaks HTTP (docs/emby-api.md).
 *
 * One SoupSession, async only. Every request has a hard deadline
 * (request-timeout) that also fires on a server that accepts and then
 * says nothing, and its body is read with a cap. Outcomes are classified
 * with hw_classify_response (); a 401 triggers one new sign-in and one
 * replay, after which the client stops in HW_SERVER_STATE_SIGN_IN_REQUIRED:
 * until the configuration changes for a typed password, or until a slow
 * retry (ten backoff-max) for unattended credentials. A Retry-After holds
 * back that kind of request only, for at most backoff-max.
 *
 * The server gate: a request that gets no answer raises a suspicion and
 * one probe of /System/Info/Public; when that probe fails too, the state
 * becomes OFFLINE, one probe runs at a time with backoff (backoff-initial
 * → backoff-max), and every other request fails at once with
 * HW_EMBY_ERROR_OFFLINE without touching the network, including one that
 * libsoup was to put on the wire only later (it waited for a connection,
 * or sends an idempotent request again after a kept-alive connection
 * died): it asks the gate again then. The network coming back
 * (GNetworkMonitor) probes at once.
 *
 * TLS: verified against the system's authorities, or, with the setting
 * accept-certificate, only the certificate with that SHA-256 fingerprint
 * (hw-emby-tls.h).
 *
 * Shared GETs (HW_EMBY_REQUEST_SHARED) with the same path run once; every
 * caller gets the reply, a caller that cancels drops only its own interest,
 * and the request is cancelled when the last caller is gone.
 *
 * Credentials: HYPERWALL_API_KEY (then user-id must be configured),
 * HYPERWALL_PASSWORD, or a password file. The access token goes to the
 * Secret Service when one runs (never the password), else stays in memory.
 * API keys are registered with hw_redact_add_secret (), tokens with
 * hw_redact_rotate_secret () (the ones they replaced stay masked a few
 * generations); a password never is: it only ever goes into the sign-in
 * body. The gate is HwServerGate and the sign-in HwEmbySignIn.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "hw-config.h"
#include "hw-emby-protocol.h"
#include "hw-reliability.h"
#include "hw-server-gate.h"
#include "hw-types.h"

G_BEGIN_DECLS

#define HW_TYPE_EMBY_CLIENT (hw_emby_client_get_type ())

G_DECLARE_FINAL_TYPE (HwEmbyClient, hw_emby_client, HW, EMBY_CLIENT, GObject)

typedef enum {
  HW_EMBY_REQUEST_NONE    = 0,
  HW_EMBY_REQUEST_NO_AUTH = 1 << 0,   /* no token, no sign-in first (probe, sign-in) */
  HW_EMBY_REQUEST_SHARED  = 1 << 1,   /* coalesce with identical concurrent requests */
  HW_EMBY_REQUEST_BEST_EFFORT = 1 << 2, /* a report: its timeout says nothing of the server */
} HwEmbyRequestFlags;

/* Reads server-url, username, user-id, accept-certificate, request-timeout,
 * backoff-initial and backoff-max from @config and follows their changes.
 * Nothing is sent before hw_emby_client_start (). */
HwEmbyClient  *hw_emby_client_new                (HwConfig            *config);
/* A file whose first line is the password; read at each sign-in, never
 * kept. Counts as a configuration change. */
void           hw_emby_client_set_password_file  (HwEmbyClient        *self,
                                                  const char          *path);
/* A person typed @password into the sign-in dialog: sign in with it once
 * (it is never stored; only the token is). Counts as a configuration
 * change. */
void           hw_emby_client_sign_in_with_password (HwEmbyClient     *self,
                                                     const char       *password);
/* TRUE when an API key, a password or a password file was given: then
 * nobody needs to be asked. */
gboolean       hw_emby_client_has_credentials    (HwEmbyClient        *self);
/* Probes the server and signs in. */
void           hw_emby_client_start              (HwEmbyClient        *self);
/* Many cells failed together: close the gate and probe now. */
void           hw_emby_client_suspect_server     (HwEmbyClient        *self);

/* The "state" property (an int holding an HwServerState). */
HwServerState  hw_emby_client_get_state          (HwEmbyClient        *self);
/* Why the state is what it is, for a card or the log (redacted), or NULL. */
const char    *hw_emby_client_get_state_reason   (HwEmbyClient        *self);
/* The normalised API base ("http://host:8096/emby"), NULL when the
 * configured URL is unusable. */
const char    *hw_emby_client_get_base_url       (HwEmbyClient        *self);
const char    *hw_emby_client_get_user_id        (HwEmbyClient        *self);
const char    *hw_emby_client_get_device_id      (HwEmbyClient        *self);
/* The "server-product" property: Jellyfin or Emby, as the latest probe of
 * /System/Info/Public found it (Emby until then, and again after a
 * change of server-url). Endpoints, the session socket and the UI ask. */
HwServerProduct hw_emby_client_get_server_product (HwEmbyClient       *self);
/* "Jellyfin" or "Emby", for what a person reads. */
const char    *hw_emby_server_product_name       (HwServerProduct      product);
/* For stream URLs (api_key=/ApiKey=). Never log it. NULL until signed in. */
const char    *hw_emby_client_get_access_token   (HwEmbyClient        *self);
/* Goes up with every new token (the "token-generation" property, notified
 * then): URLs minted before carry an older token and must be minted
 * again; a 401 on them says nothing about the current token. */
guint          hw_emby_client_get_token_generation (HwEmbyClient      *self);

/* In request paths: filled in with the user id once signed in. */
#define HW_EMBY_USER_ID_PLACEHOLDER "{UserId}"

/* Between a path's Emby form and its Jellyfin form: the client picks one
 * when it sends the call, once the gate's probe has told the product. */
#define HW_EMBY_PATH_FOR_JELLYFIN "\n"

/* @path is relative to the API base, starts with "/" and may contain the
 * placeholder "{UserId}", filled in once signed in, and a Jellyfin form
 * after HW_EMBY_PATH_FOR_JELLYFIN; so may @json_body. @json_body: NULL for
 * none. Fails with a HW_EMBY_ERROR (see hw_emby_error_get_class ()) or
 * G_IO_ERROR_CANCELLED. */
void           hw_emby_client_request_async      (HwEmbyClient        *self,
                                                  const char          *method,
                                                  const char          *path,
                                                  const char          *json_body,
                                                  HwEmbyRequestFlags   flags,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
GBytes        *hw_emby_client_request_finish     (HwEmbyClient        *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* GPtrArray of HwEmbyView. Shared. */
void           hw_emby_client_get_views_async    (HwEmbyClient        *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
GPtrArray     *hw_emby_client_get_views_finish   (HwEmbyClient        *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
/* One random page (Limit=@limit, EnableTotalRecordCount=false) of videos
 * under @parent_id (NULL: everything). GPtrArray of HwEmbyItem. Shared. */
void           hw_emby_client_get_items_async    (HwEmbyClient        *self,
                                                  const char          *parent_id,
                                                  guint                limit,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
GPtrArray     *hw_emby_client_get_items_finish   (HwEmbyClient        *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
/* A reply with an ErrorCode fails: HW_EMBY_ERROR_NOT_FOUND (skip the
 * item), or HW_EMBY_ERROR_TRANSIENT for RateLimitExceeded. */
void           hw_emby_client_get_playback_info_async  (HwEmbyClient        *self,
                                                        const char          *item_id,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
HwEmbyPlaybackInfo *hw_emby_client_get_playback_info_finish (HwEmbyClient  *self,
                                                             GAsyncResult  *result,
                                                             GError       **error);

/* Fire and forget (playback reports, stopping a transcode), best effort:
 * failures are logged at debug level only and never close the server gate,
 * one that times out does not even make it probe (a slow endpoint), and
 * nothing waits for them. With a @supersede_key (an item's
 * PlaySessionId), a newer report cancels the one still in
 * flight under the same key, so reports to a slow server never pile up. */
void           hw_emby_client_send               (HwEmbyClient        *self,
                                                  const char          *method,
                                                  const char          *path,
                                                  const char          *json_body,
                                                  const char          *supersede_key);
/* Called once the report is answered, failed or cancelled, if @object
 * still exists then. */
typedef void (*HwEmbySentFunc) (GObject *object);

/* hw_emby_client_send (), then @sent on @object (held weakly). */
void hw_emby_client_send_notify (HwEmbyClient *self, const char *method, const char *path,
                                 const char *json_body, const char *supersede_key, GObject *object,
                                 HwEmbySentFunc sent);
/* TRUE while reports sent with hw_emby_client_send () are unanswered. */
gboolean       hw_emby_client_is_busy            (HwEmbyClient        *self);
/* How many of them are unanswered. */
guint          hw_emby_client_get_reports_in_flight (HwEmbyClient     *self);

/* For what else talks to the same server as the client (the session
 * socket): the same session, name, certificate rule, deadline, backoff
 * and gate. */
SoupSession   *hw_emby_client_get_session        (HwEmbyClient        *self);
const char    *hw_emby_client_get_device_name    (HwEmbyClient        *self);
/* The pinned certificate's normalised SHA-256 fingerprint, or NULL. */
const char    *hw_emby_client_get_accept_certificate (HwEmbyClient    *self);
guint          hw_emby_client_get_request_timeout (HwEmbyClient       *self);
void           hw_emby_client_get_backoff        (HwEmbyClient        *self,
                                                  gint64              *initial_us,
                                                  gint64              *max_us);
HwServerGate  *hw_emby_client_get_gate           (HwEmbyClient        *self);

/* How a caller should treat an error from this client. */
HwErrorClass   hw_emby_error_get_class           (const GError        *error);

G_END_DECLS
