/* hw-emby-client-calls.c: how a request goes through HwEmbyClient.
 *
 * A call goes: gate check → sign-in if needed → one exchange with a
 * deadline (hw-emby-request.c) → a 401 drops the token (unless another
 * call already replaced it), signs in once more and replays once.
 * Sign-ins are shared: however many calls need one, one POST goes out
 * (hw-emby-sign-in.c). Identical concurrent GETs share one call
 * (hw-shared-requests.c). The gate (hw-server-gate.c) is asked before a
 * call is sent and again when libsoup puts it on the wire.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "hw-emby-client-private.h"
#include "hw-emby-request.h"
#include "hw-emby-tls.h"

typedef struct {
  char               *method;
  char               *path;
  char               *body;
  HwEmbyRequestFlags  flags;
  gboolean            is_probe;
  gboolean            is_sign_in;
  gboolean            replayed;
  guint               stale_replays;      /* 401s on a token already replaced */
  guint               token_generation;   /* of the token the last attempt carried */
} Call;

static void
call_free (Call *call)
{
  g_free (call->method);
  g_free (call->path);
  if (call->body != NULL)
    {
      /* The sign-in body holds the password. */
      memset (call->body, 0, strlen (call->body));
      g_free (call->body);
    }
  g_free (call);
}

static void
wipe_and_free (gpointer data)
{
  memset (data, 0, strlen (data));
  g_free (data);
}

static void call_begin (GTask *task);
static void call_send  (GTask *task);

/* A call waiting for the gate's verdict or for a token: on it goes, from
 * the gate check again, or it fails. */
static void
on_waited (const GError *error,
           gpointer      data)
{
  g_autoptr(GTask) task = data;

  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    call_begin (task);
}

static char *
describe (Call *call)
{
  g_autofree char *path = g_strdup (call->path);
  char *query = strpbrk (path, "?" HW_EMBY_PATH_FOR_JELLYFIN);

  /* The endpoint, not its query (nor Jellyfin's form): short, and nothing
   * secret. */
  if (query != NULL)
    *query = '\0';
  return g_strdup_printf ("%s %s", call->method, path);
}

/* What a Retry-After holds back: the endpoint with its query dropped and
 * its ids ("/Items/61256/PlaybackInfo": any segment with a digit) masked,
 * so one item's answer holds back PlaybackInfo, not the whole client. */
static char *
request_kind (Call *call)
{
  g_autofree char *what = describe (call);
  g_auto(GStrv) segments = g_strsplit (what, "/", -1);

  for (guint i = 1; segments[i] != NULL; i++)
    {
      if (strpbrk (segments[i], "0123456789") != NULL)
        {
          g_free (segments[i]);
          segments[i] = g_strdup ("*");
        }
    }
  return g_strjoinv ("/", segments);
}

/* How much longer calls like @call are held back by a Retry-After; 0 when
 * they may go. */
static gint64
held_back_us (HwEmbyClient *self,
              Call         *call)
{
  g_autofree char *kind = NULL;
  const gint64 *until;
  gint64 now = g_get_monotonic_time ();

  if (g_hash_table_size (self->held_back) == 0)
    return 0;

  kind = request_kind (call);
  until = g_hash_table_lookup (self->held_back, kind);
  if (until == NULL)
    return 0;
  if (*until <= now)
    {
      g_hash_table_remove (self->held_back, kind);
      return 0;
    }
  return *until - now;
}

static void
hold_back (HwEmbyClient *self,
           Call         *call,
           gint64        retry_after_s)
{
  gint64 wait_s = hw_retry_after_wait (retry_after_s, self->backoff_max_us / HW_USEC_PER_SEC);
  gint64 until_us = g_get_monotonic_time () + wait_s * HW_USEC_PER_SEC;
  g_autofree char *kind = NULL;

  if (wait_s <= 0)
    return;

  /* The probe's own Retry-After holds the gate's next probe only. */
  if (call->is_probe)
    {
      hw_server_gate_retry_after (self->gate, wait_s * HW_USEC_PER_SEC);
      return;
    }

  kind = request_kind (call);
  g_debug ("%s: the server asked to wait; holding these back for %" G_GINT64_FORMAT " s",
           kind, wait_s);
  g_hash_table_replace (self->held_back, g_steal_pointer (&kind), g_memdup2 (&until_us,
                                                                            sizeof until_us));
}

/* The gate and the sign-in decide whether a call may go out now. */
static void
call_begin (GTask *task)
{
  HwEmbyClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (self->base_url == NULL)
    {
      g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_INVALID_URL,
                               "%s", _("No usable server address is configured"));
      return;
    }

  if (!call->is_probe && !call->is_sign_in)
    {
      if (self->state == HW_SERVER_STATE_SIGN_IN_REQUIRED)
        {
          g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED,
                                   "%s", _("Sign-in required"));
          return;
        }
      if (self->state == HW_SERVER_STATE_OFFLINE)
        {
          g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_OFFLINE,
                                   "%s", _("Waiting for the server"));
          return;
        }
      if (hw_server_gate_is_probing (self->gate) && self->state == HW_SERVER_STATE_CONNECTING)
        {
          /* The first probe is under way: wait for its verdict. */
          hw_server_gate_wait (self->gate, on_waited, g_object_ref (task));
          return;
        }
      if (held_back_us (self, call) > 0)
        {
          g_autofree char *kind = request_kind (call);

          g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT,
                                   "%s: the server asked to wait %" G_GINT64_FORMAT " s", kind,
                                   held_back_us (self, call) / HW_USEC_PER_SEC + 1);
          return;
        }
    }

  if (!(call->flags & HW_EMBY_REQUEST_NO_AUTH) && hw_emby_sign_in_get_token (self->sign_in) == NULL)
    {
      hw_emby_sign_in_request (self->sign_in, on_waited, g_object_ref (task));
      return;
    }

  call_send (task);
}

/* The Emby or the Jellyfin form of @text (a path or a body), chosen now,
 * not when the call was made: a call made before the gate's first probe
 * answered learns the product only here. */
static char *
pick_form (HwEmbyClient *self,
           const char   *text)
{
  const char *jellyfin_form = strstr (text, HW_EMBY_PATH_FOR_JELLYFIN);

  if (jellyfin_form == NULL)
    return g_strdup (text);
  if (self->product == HW_SERVER_PRODUCT_JELLYFIN)
    return g_strdup (jellyfin_form + strlen (HW_EMBY_PATH_FOR_JELLYFIN));
  return g_strndup (text, jellyfin_form - text);
}

/* @body with its forms picked and the user id filled in (an id that JSON
 * would need escaped is left out: the server checks the token's user). */
static char *
call_body (HwEmbyClient *self,
           Call         *call)
{
  const char *user_id = hw_emby_sign_in_get_user_id (self->sign_in);
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *chosen = pick_form (self, call->body);

  g_string_assign (body, chosen);
  if (user_id == NULL || strpbrk (user_id, "\"\\") != NULL || !g_str_is_ascii (user_id))
    user_id = "";
  g_string_replace (body, HW_EMBY_USER_ID_PLACEHOLDER, user_id, 0);
  return g_string_free (g_steal_pointer (&body), FALSE);
}

static char *
call_url (HwEmbyClient *self,
          Call         *call)
{
  const char *user_id = hw_emby_sign_in_get_user_id (self->sign_in);
  g_autofree char *escaped_user = g_uri_escape_string (user_id ? user_id : "", NULL, FALSE);
  g_autofree char *chosen = pick_form (self, call->path);
  g_autofree char *bare = NULL;
  g_autoptr(GString) path = NULL;

  bare = hw_emby_url_without_api_key (chosen);
  path = g_string_new (bare);

  /* Calls carry the current token in their headers. A path may come from
   * a stream URL minted with an older token (a HEAD check of a stream that
   * failed): its api_key would make the server refuse the current token's
   * request, and the client would take that for the current token refused. */
  g_string_replace (path, HW_EMBY_USER_ID_PLACEHOLDER, escaped_user, 0);
  return g_strconcat (self->base_url, path->str, NULL);
}

static void on_sent (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data);

/* Asked again when libsoup puts a call on the wire later than call_send ()
 * handed it over (it waited for a connection, or sends it again after a
 * kept-alive connection died): a gate closed meanwhile holds it back. */
static gboolean
gate_lets_through (gpointer data)
{
  HwEmbyClient *self = data;

  return self->state != HW_SERVER_STATE_OFFLINE &&
         self->state != HW_SERVER_STATE_SIGN_IN_REQUIRED;
}

static void
call_send (GTask *task)
{
  HwEmbyClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autofree char *url = call_url (self, call);
  g_autofree char *auth = NULL;
  g_autofree char *what = NULL;
  g_autoptr(SoupMessage) message = NULL;
  const char *token = hw_emby_sign_in_get_token (self->sign_in);
  gboolean with_token = !(call->flags & HW_EMBY_REQUEST_NO_AUTH) && token != NULL;
  SoupMessageHeaders *headers;

  message = soup_message_new (call->method, url);
  if (message == NULL)
    {
      g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_INVALID_URL,
                               "Cannot build a request for %s", call->path);
      return;
    }

  auth = hw_emby_authorization_header (self->device_name, self->device_id, PACKAGE_VERSION,
                                       with_token ? token : NULL);
  headers = soup_message_get_request_headers (message);
  /* The one way both servers take: Jellyfin 12 refuses X-Emby-Token,
   * X-Emby-Authorization and api_key (a 401 that looks like a revoked
   * token), Emby reads Authorization as well. */
  soup_message_headers_replace (headers, "Authorization", auth);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (call->body != NULL)
    {
      char *text = call_body (self, call);
      /* The sign-in body holds the password: wiped when freed. */
      g_autoptr(GBytes) body = g_bytes_new_with_free_func (text, strlen (text),
                                                            wipe_and_free, text);

      soup_message_set_request_body_from_bytes (message, "application/json", body);
    }

  /* The probe decides whether the server is reachable: an idle pooled
   * connection can still answer after the server stopped accepting new
   * ones (a restart in progress, a proxy in front), so it asks on a new one. */
  if (call->is_probe)
    soup_message_add_flags (message, SOUP_MESSAGE_NEW_CONNECTION);
  hw_emby_tls_watch (message, self->accept_certificate);
  call->token_generation = hw_emby_sign_in_get_token_generation (self->sign_in);
  what = describe (call);
  /* The task holds the client for as long as the exchange asks it. */
  hw_emby_request_send_gated_async (self->session, message, what, self->request_timeout_s,
                                    call->is_probe || call->is_sign_in ? NULL : gate_lets_through,
                                    self, g_task_get_cancellable (task), on_sent,
                                    g_object_ref (task));
}

/* A 401 on a signed-in call: one new sign-in, one replay. */
static void
handle_unauthorized (GTask *task)
{
  HwEmbyClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autofree char *what = describe (call);
  guint generation = hw_emby_sign_in_get_token_generation (self->sign_in);

  /* Sent with a token that has since been replaced (another call met the
   * revocation first and signed in again): no evidence against the
   * current token. Bounded, in case tokens keep changing under it. */
  if (call->token_generation != generation && call->stale_replays < 2)
    {
      call->stale_replays++;
      call_begin (task);
      return;
    }

  if (hw_emby_sign_in_uses_api_key (self->sign_in))
    {
      hw_emby_sign_in_refused (self->sign_in, "the server refused the API key");
      g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED,
                               "%s", _("Sign-in required"));
      return;
    }

  if (call->replayed)
    {
      /* A brand-new token refused too: signing in again would loop. */
      hw_emby_sign_in_refused (self->sign_in, "the server refused a fresh access token");
      g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED,
                               "%s", _("Sign-in required"));
      return;
    }

  call->replayed = TRUE;
  if (call->token_generation == generation && hw_emby_sign_in_get_token (self->sign_in) != NULL)
    {
      g_message ("%s: the access token was refused; signing in again", what);
      hw_emby_sign_in_token_refused (self->sign_in);
    }

  call_begin (task);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HwEmbyClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_auto(HwEmbyOutcome) outcome = { 0, };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = hw_emby_request_send_finish (result, &outcome, &error);

  if (body != NULL)
    {
      g_task_return_pointer (task, g_steal_pointer (&body), (GDestroyNotify) g_bytes_unref);
      return;
    }

  /* No answer is a suspicion, and the probe decides (its own failure is
   * handled by the gate). A report that timed out says nothing: reports
   * go to slow endpoints, and the wall must not even probe for them; one
   * refused at the socket is as good a sign as any other request's. */
  if (outcome.unreachable != NULL && !call->is_probe &&
      !((call->flags & HW_EMBY_REQUEST_BEST_EFFORT) && outcome.timed_out) &&
      (self->state == HW_SERVER_STATE_ONLINE || self->state == HW_SERVER_STATE_CONNECTING))
    hw_server_gate_suspect (self->gate, outcome.unreachable);

  if (outcome.retry_after_s >= 0)
    hold_back (self, call, outcome.retry_after_s);

  if (outcome.status == SOUP_STATUS_UNAUTHORIZED && !(call->flags & HW_EMBY_REQUEST_NO_AUTH))
    {
      handle_unauthorized (task);
      return;
    }

  g_task_return_error (task, g_steal_pointer (&error));
}

static GTask *
call_new (HwEmbyClient        *self,
          const char          *method,
          const char          *path,
          const char          *json_body,
          HwEmbyRequestFlags   flags,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Call *call = g_new0 (Call, 1);

  call->method = g_strdup (method);
  call->path = g_strdup (path);
  call->body = g_strdup (json_body);
  call->flags = flags;
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  g_task_set_source_tag (task, call_new);
  return task;
}

void
_hw_emby_client_start_call (HwEmbyClient        *self,
                            HwEmbyCallKind       kind,
                            const char          *method,
                            const char          *path,
                            const char          *json_body,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task = call_new (self, method, path, json_body, HW_EMBY_REQUEST_NO_AUTH, cancellable,
                          callback, user_data);
  Call *call = g_task_get_task_data (task);

  call->is_probe = kind == HW_EMBY_CALL_PROBE;
  call->is_sign_in = kind == HW_EMBY_CALL_SIGN_IN;
  call_begin (task);
  g_object_unref (task);
}

/* ------------------------------------------------------------------ */
/* Shared requests (hw-shared-requests.c)                              */

typedef struct {
  HwEmbyClient *self;
  const char   *method;
  const char   *path;
} SharedStart;

static void
start_shared (gpointer             start_data,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  const SharedStart *start = start_data;
  g_autoptr(GTask) task = call_new (start->self, start->method, start->path, NULL,
                                    HW_EMBY_REQUEST_NONE, cancellable, callback, user_data);

  call_begin (task);
}

static void
request_shared (HwEmbyClient        *self,
                const char          *method,
                const char          *path,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autofree char *key = g_strdup_printf ("%s %s", method, path);
  SharedStart start = { self, method, path };

  /* Answered from @self like every other request, so that
   * hw_emby_client_request_finish () accepts the result. */
  hw_shared_requests_run (self->shared, key, self, call_new, start_shared, &start,
                          cancellable, callback, user_data);
}

void
_hw_emby_client_call (HwEmbyClient        *self,
                      const char          *method,
                      const char          *path,
                      const char          *json_body,
                      HwEmbyRequestFlags   flags,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  if ((flags & HW_EMBY_REQUEST_SHARED) && json_body == NULL && g_str_equal (method, "GET"))
    {
      request_shared (self, method, path, cancellable, callback, user_data);
      return;
    }

  task = call_new (self, method, path, json_body, flags & ~HW_EMBY_REQUEST_SHARED,
                   cancellable, callback, user_data);
  call_begin (task);
}
