/* hw-emby-client.c: the only code that speaks HTTP.
 *
 * A request ("call") goes: gate check → sign-in if needed → send with a
 * deadline → classify. A 401 drops the token (unless another call already
 * replaced it), signs in once more and replays once. Sign-ins are shared:
 * however many calls need one, one POST goes out.
 *
 * The object, its configuration and state, and calls live here; the gate,
 * the sign-in and the typed requests in hw-emby-client-*.c (see
 * hw-emby-client-private.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "hw-emby-client-private.h"
#include "hw-emby-device-id.h"
#include "hw-redact.h"

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (HwEmbyClient, hw_emby_client, G_TYPE_OBJECT)

/* ------------------------------------------------------------------ */
/* Errors                                                              */

HwErrorClass
hw_emby_error_get_class (const GError *error)
{
  if (error == NULL)
    return HW_ERROR_CLASS_OK;
  if (error->domain != HW_EMBY_ERROR)
    return HW_ERROR_CLASS_TRANSIENT;

  switch ((HwEmbyError) error->code)
    {
    case HW_EMBY_ERROR_SIGN_IN_REQUIRED:
      return HW_ERROR_CLASS_REAUTH;
    case HW_EMBY_ERROR_FORBIDDEN:
    case HW_EMBY_ERROR_INVALID_URL:
      return HW_ERROR_CLASS_FATAL;
    case HW_EMBY_ERROR_NOT_FOUND:
      return HW_ERROR_CLASS_SKIP;
    case HW_EMBY_ERROR_MALFORMED:
    case HW_EMBY_ERROR_HTML:
    case HW_EMBY_ERROR_MISSING_FIELD:
    case HW_EMBY_ERROR_WRONG_TYPE:
    case HW_EMBY_ERROR_TRANSIENT:
    case HW_EMBY_ERROR_OFFLINE:
    default:
      return HW_ERROR_CLASS_TRANSIENT;
    }
}

/* ------------------------------------------------------------------ */
/* State                                                               */

void
_hw_emby_client_set_state (HwEmbyClient  *self,
                           HwServerState  state,
                           const char    *reason)
{
  g_autofree char *redacted = hw_redact (reason);

  g_free (self->state_reason);
  self->state_reason = g_steal_pointer (&redacted);

  if (self->state == state)
    return;

  if (state == HW_SERVER_STATE_ONLINE || state == HW_SERVER_STATE_CONNECTING)
    g_message ("Emby server %s is %s", self->base_url ? self->base_url : "(none)",
               hw_server_state_to_string (state));
  else
    g_warning ("Emby server %s is %s: %s", self->base_url ? self->base_url : "(none)",
               hw_server_state_to_string (state), self->state_reason ? self->state_reason : "");

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
forget_token (HwEmbyClient *self)
{
  g_clear_pointer (&self->token, g_free);
  self->token_generation++;
}

/* ------------------------------------------------------------------ */
/* Configuration                                                       */

static void
load_config (HwEmbyClient *self)
{
  g_autofree char *url = hw_config_dup_string (self->config, "server-url");
  g_autoptr(GError) error = NULL;
  const char *api_key = g_getenv ("HYPERWALL_API_KEY");

  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->configured_user_id, g_free);
  g_clear_pointer (&self->api_key, g_free);

  if (url != NULL && *url != '\0')
    {
      self->base_url = hw_emby_normalize_base_url (url, &error);
      if (self->base_url == NULL)
        {
          g_autofree char *safe = hw_redact (error->message);

          g_warning ("Unusable server URL: %s", safe);
        }
    }

  self->username = hw_config_dup_string (self->config, "username");
  self->configured_user_id = hw_config_dup_string (self->config, "user-id");
  if (self->configured_user_id != NULL && *self->configured_user_id == '\0')
    g_clear_pointer (&self->configured_user_id, g_free);

  if (api_key != NULL && *api_key != '\0')
    {
      self->api_key = g_strdup (api_key);
      hw_redact_add_secret (self->api_key);
    }

  self->request_timeout_s = MAX (1, hw_config_get_int (self->config, "request-timeout"));
  self->backoff_initial_us = MAX (1, hw_config_get_int (self->config, "backoff-initial")) * HW_USEC_PER_SEC;
  self->backoff_max_us = MAX (1, hw_config_get_int (self->config, "backoff-max")) * HW_USEC_PER_SEC;
  self->backoff_max_us = MAX (self->backoff_max_us, self->backoff_initial_us);
}

/* A new identity: forget everything that belonged to the old one. */
static void
reset (HwEmbyClient *self)
{
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 "The server configuration changed");

  g_cancellable_cancel (self->life);
  g_clear_object (&self->life);
  self->life = g_cancellable_new ();

  g_clear_handle_id (&self->probe_source, g_source_remove);
  _hw_emby_client_cancel_probe (self);
  self->probe_attempt = 0;
  self->signing_in = FALSE;
  self->keyring_checked = FALSE;
  self->retry_after_until_us = 0;
  _hw_emby_client_fail_waiters (self->sign_in_waiters, error);
  _hw_emby_client_fail_waiters (self->gate_waiters, error);

  forget_token (self);
  g_clear_pointer (&self->user_id, g_free);
  load_config (self);

  _hw_emby_client_set_state (self, HW_SERVER_STATE_CONNECTING, NULL);
  if (self->started)
    _hw_emby_client_probe_now (self);
}

static void
on_config_changed (HwConfig   *config,
                   const char *key,
                   gpointer    user_data)
{
  HwEmbyClient *self = user_data;

  if (g_str_equal (key, "server-url") || g_str_equal (key, "username") ||
      g_str_equal (key, "user-id"))
    {
      g_message ("Server settings changed (%s): connecting again", key);
      reset (self);
    }
  else if (g_str_equal (key, "request-timeout") || g_str_equal (key, "backoff-initial") ||
           g_str_equal (key, "backoff-max"))
    {
      self->request_timeout_s = MAX (1, hw_config_get_int (self->config, "request-timeout"));
      self->backoff_initial_us = MAX (1, hw_config_get_int (self->config, "backoff-initial")) * HW_USEC_PER_SEC;
      self->backoff_max_us = MAX (self->backoff_initial_us,
                                  hw_config_get_int (self->config, "backoff-max") * HW_USEC_PER_SEC);
    }
}

/* ------------------------------------------------------------------ */
/* Calls                                                               */

typedef struct {
  char               *method;
  char               *path;
  char               *body;
  HwEmbyRequestFlags  flags;
  gboolean            is_probe;
  gboolean            is_sign_in;
  gboolean            replayed;
  guint               token_generation;
  GCancellable       *attempt;
  gulong              cancel_id;
  guint               deadline;
  gboolean            timed_out;
  gint64              started_us;
  SoupMessage        *message;
} Call;

static void
call_free (Call *call)
{
  g_assert (call->deadline == 0);
  g_free (call->method);
  g_free (call->path);
  if (call->body != NULL)
    {
      /* The sign-in body holds the password. */
      memset (call->body, 0, strlen (call->body));
      g_free (call->body);
    }
  g_clear_object (&call->attempt);
  g_clear_object (&call->message);
  g_free (call);
}

static void call_begin (GTask *task);
static void call_send  (GTask *task);

void
_hw_emby_client_fail_waiters (GPtrArray    *waiters,
                              const GError *error)
{
  g_autoptr(GPtrArray) tasks = NULL;

  if (waiters->len == 0)
    return;

  tasks = g_ptr_array_copy (waiters, NULL, NULL);
  g_ptr_array_set_size (waiters, 0);
  for (guint i = 0; i < tasks->len; i++)
    {
      g_autoptr(GTask) task = g_ptr_array_index (tasks, i);

      g_task_return_error (task, g_error_copy (error));
    }
}

void
_hw_emby_client_resume_waiters (GPtrArray *waiters)
{
  g_autoptr(GPtrArray) tasks = NULL;

  if (waiters->len == 0)
    return;

  tasks = g_ptr_array_copy (waiters, NULL, NULL);
  g_ptr_array_set_size (waiters, 0);
  for (guint i = 0; i < tasks->len; i++)
    {
      g_autoptr(GTask) task = g_ptr_array_index (tasks, i);

      call_begin (task);
    }
}

static char *
describe (Call *call)
{
  g_autofree char *path = g_strdup (call->path);
  char *query = strchr (path, '?');

  /* The endpoint, not its query: short, and nothing secret. */
  if (query != NULL)
    *query = '\0';
  return g_strdup_printf ("%s %s", call->method, path);
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
      if (self->probing && self->state == HW_SERVER_STATE_CONNECTING)
        {
          /* The first probe is under way: wait for its verdict. */
          g_ptr_array_add (self->gate_waiters, g_object_ref (task));
          return;
        }
      if (self->retry_after_until_us > g_get_monotonic_time ())
        {
          g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT,
                                   "The server asked to wait %" G_GINT64_FORMAT " s",
                                   (self->retry_after_until_us - g_get_monotonic_time ()) /
                                   HW_USEC_PER_SEC + 1);
          return;
        }
    }

  if (!(call->flags & HW_EMBY_REQUEST_NO_AUTH) && self->token == NULL)
    {
      g_ptr_array_add (self->sign_in_waiters, g_object_ref (task));
      _hw_emby_client_sign_in (self);
      return;
    }

  call_send (task);
}

static char *
call_url (HwEmbyClient *self,
          Call         *call)
{
  g_autofree char *escaped_user = g_uri_escape_string (self->user_id ? self->user_id : "", NULL, FALSE);
  g_autoptr(GString) path = g_string_new (call->path);

  g_string_replace (path, USER_ID_PLACEHOLDER, escaped_user, 0);
  return g_strconcat (self->base_url, path->str, NULL);
}

static gboolean
on_deadline (gpointer user_data)
{
  GTask *task = user_data;
  Call *call = g_task_get_task_data (task);

  /* Idle and read timeouts never fire on a half-open connection: this does. */
  call->deadline = 0;
  call->timed_out = TRUE;
  g_cancellable_cancel (call->attempt);
  return G_SOURCE_REMOVE;
}

static void
on_caller_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void on_sent (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data);

static void
call_send (GTask *task)
{
  HwEmbyClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autofree char *url = call_url (self, call);
  g_autofree char *auth = NULL;
  gboolean with_token = !(call->flags & HW_EMBY_REQUEST_NO_AUTH) && self->token != NULL;
  SoupMessageHeaders *headers;

  g_clear_object (&call->message);
  call->message = soup_message_new (call->method, url);
  if (call->message == NULL)
    {
      g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_INVALID_URL,
                               "Cannot build a request for %s", call->path);
      return;
    }

  auth = hw_emby_authorization_header (self->device_name, self->device_id, PACKAGE_VERSION,
                                       with_token ? self->token : NULL);
  headers = soup_message_get_request_headers (call->message);
  soup_message_headers_replace (headers, "X-Emby-Authorization", auth);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (with_token)
    soup_message_headers_replace (headers, "X-Emby-Token", self->token);
  if (call->body != NULL)
    {
      g_autoptr(GBytes) body = g_bytes_new (call->body, strlen (call->body));

      soup_message_set_request_body_from_bytes (call->message, "application/json", body);
    }

  call->token_generation = self->token_generation;
  call->timed_out = FALSE;
  call->started_us = g_get_monotonic_time ();

  if (call->cancel_id != 0)
    g_cancellable_disconnect (g_task_get_cancellable (task), call->cancel_id);
  call->cancel_id = 0;
  g_clear_object (&call->attempt);
  call->attempt = g_cancellable_new ();
  if (g_task_get_cancellable (task) != NULL)
    call->cancel_id = g_cancellable_connect (g_task_get_cancellable (task),
                                             G_CALLBACK (on_caller_cancelled),
                                             g_object_ref (call->attempt), g_object_unref);

  /* Not g_timeout_add_seconds (): it rounds to whole seconds and may fire
   * up to a quarter second early (the unit test of the deadline caught it). */
  call->deadline = g_timeout_add (self->request_timeout_s * 1000, on_deadline, task);
  soup_session_send_and_read_async (self->session, call->message, G_PRIORITY_DEFAULT,
                                    call->attempt, on_sent, g_object_ref (task));
}

static gint64
retry_after_us (SoupMessage *message)
{
  const char *value = soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                    "Retry-After");
  gint64 seconds = hw_parse_retry_after (value, g_get_real_time () / HW_USEC_PER_SEC);

  return seconds < 0 ? 0 : seconds * HW_USEC_PER_SEC;
}

void
_hw_emby_client_enter_sign_in_required (HwEmbyClient *self,
                                        const char   *reason)
{
  g_autoptr(GError) error = g_error_new_literal (HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED,
                                                 _("Sign-in required"));

  forget_token (self);
  _hw_emby_client_set_state (self, HW_SERVER_STATE_SIGN_IN_REQUIRED, reason);
  _hw_emby_client_fail_waiters (self->sign_in_waiters, error);
  _hw_emby_client_fail_waiters (self->gate_waiters, error);
}

/* A 401 on a signed-in call: one new sign-in, one replay. */
static void
handle_unauthorized (GTask *task)
{
  HwEmbyClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autofree char *what = describe (call);

  if (self->api_key != NULL)
    {
      _hw_emby_client_enter_sign_in_required (self, "the server refused the API key");
      g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED,
                               "%s", _("Sign-in required"));
      return;
    }

  if (call->replayed)
    {
      /* A brand-new token refused too: signing in again would loop. */
      _hw_emby_client_enter_sign_in_required (self, "the server refused a fresh access token");
      g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED,
                               "%s", _("Sign-in required"));
      return;
    }

  call->replayed = TRUE;
  if (call->token_generation == self->token_generation && self->token != NULL)
    {
      g_message ("%s: the access token was refused; signing in again", what);
      _hw_emby_client_clear_stored_token (self);
      forget_token (self);
    }

  call_begin (task);
}

static void
return_http_error (GTask       *task,
                   guint        status,
                   HwErrorClass klass)
{
  HwEmbyClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autofree char *what = describe (call);
  gint64 wait_us;

  switch (klass)
    {
    case HW_ERROR_CLASS_TRANSIENT:
      wait_us = retry_after_us (call->message);
      if (wait_us > 0)
        self->retry_after_until_us = MAX (self->retry_after_until_us,
                                          g_get_monotonic_time () + wait_us);
      g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT,
                               "%s: HTTP %u (%s)", what, status,
                               soup_status_get_phrase (status) ? soup_status_get_phrase (status) : "");
      break;
    case HW_ERROR_CLASS_SKIP:
      g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_NOT_FOUND,
                               "%s: not found (HTTP %u)", what, status);
      break;
    case HW_ERROR_CLASS_REAUTH:
    case HW_ERROR_CLASS_FATAL:
    case HW_ERROR_CLASS_OK:
    default:
      g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_FORBIDDEN,
                               "%s: refused (HTTP %u)", what, status);
      break;
    }
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HwEmbyClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *what = describe (call);
  HwErrorClass klass;
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_clear_handle_id (&call->deadline, g_source_remove);
  if (call->cancel_id != 0)
    g_cancellable_disconnect (g_task_get_cancellable (task), call->cancel_id);
  call->cancel_id = 0;

  if (error != NULL)
    {
      g_autofree char *reason = NULL;

      if (!call->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      reason = call->timed_out
        ? g_strdup_printf ("%s: no answer within %u s", what, self->request_timeout_s)
        : hw_redact (error->message);
      g_debug ("%s failed: %s", what, reason);
      if (!call->is_probe)
        _hw_emby_client_gate_close (self, reason);
      g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT, "%s: %s", what,
                               call->timed_out ? _("the server did not answer in time") : reason);
      return;
    }

  status = soup_message_get_status (call->message);
  klass = hw_classify_response (status, NULL, TRUE);
  g_debug ("%s -> %u in %" G_GINT64_FORMAT " ms", what, status,
           (g_get_monotonic_time () - call->started_us) / 1000);

  if (klass == HW_ERROR_CLASS_OK)
    {
      g_task_return_pointer (task, g_steal_pointer (&body), (GDestroyNotify) g_bytes_unref);
      return;
    }

  if (klass == HW_ERROR_CLASS_REAUTH && !(call->flags & HW_EMBY_REQUEST_NO_AUTH))
    {
      handle_unauthorized (task);
      return;
    }

  if (klass == HW_ERROR_CLASS_REAUTH)
    {
      g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED,
                               "%s: HTTP %u", what, status);
      return;
    }

  return_http_error (task, status, klass);
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

/* ------------------------------------------------------------------ */
/* Public requests                                                     */

void
hw_emby_client_request_async (HwEmbyClient        *self,
                              const char          *method,
                              const char          *path,
                              const char          *json_body,
                              HwEmbyRequestFlags   flags,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HW_IS_EMBY_CLIENT (self));
  g_return_if_fail (method != NULL && path != NULL && path[0] == '/');

  if ((flags & HW_EMBY_REQUEST_SHARED) && json_body == NULL && g_str_equal (method, "GET"))
    {
      request_shared (self, method, path, cancellable, callback, user_data);
      return;
    }

  task = call_new (self, method, path, json_body, flags & ~HW_EMBY_REQUEST_SHARED,
                   cancellable, callback, user_data);
  call_begin (task);
}

GBytes *
hw_emby_client_request_finish (HwEmbyClient  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_sent_quietly (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  HwEmbyClient *self = HW_EMBY_CLIENT (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = hw_emby_client_request_finish (self, result, &error);

  self->sends_in_flight--;
  if (body == NULL)
    {
      g_autofree char *safe = hw_redact (error->message);

      g_debug ("Report not delivered: %s", safe);
    }
}

void
hw_emby_client_send (HwEmbyClient *self,
                     const char   *method,
                     const char   *path,
                     const char   *json_body)
{
  g_return_if_fail (HW_IS_EMBY_CLIENT (self));

  self->sends_in_flight++;
  hw_emby_client_request_async (self, method, path, json_body, HW_EMBY_REQUEST_NONE,
                                self->life, on_sent_quietly, NULL);
}

gboolean
hw_emby_client_is_busy (HwEmbyClient *self)
{
  g_return_val_if_fail (HW_IS_EMBY_CLIENT (self), FALSE);
  return self->sends_in_flight > 0;
}

/* ------------------------------------------------------------------ */
/* Object                                                              */

HwEmbyClient *
hw_emby_client_new (HwConfig *config)
{
  g_return_val_if_fail (HW_IS_CONFIG (config), NULL);

  return g_object_new (HW_TYPE_EMBY_CLIENT, "config", config, NULL);
}

void
hw_emby_client_set_password_file (HwEmbyClient *self,
                                  const char   *path)
{
  g_return_if_fail (HW_IS_EMBY_CLIENT (self));

  if (g_strcmp0 (self->password_file, path) == 0)
    return;

  g_free (self->password_file);
  self->password_file = g_strdup (path);
  reset (self);
}

void
hw_emby_client_sign_in_with_password (HwEmbyClient *self,
                                      const char   *password)
{
  g_return_if_fail (HW_IS_EMBY_CLIENT (self));
  g_return_if_fail (password != NULL);

  hw_redact_add_secret (password);
  if (self->typed_password != NULL)
    memset (self->typed_password, 0, strlen (self->typed_password));
  g_free (self->typed_password);
  self->typed_password = g_strdup (password);
  /* A person answered: that is a configuration change, try again. */
  reset (self);
}

gboolean
hw_emby_client_has_credentials (HwEmbyClient *self)
{
  g_return_val_if_fail (HW_IS_EMBY_CLIENT (self), FALSE);

  return self->api_key != NULL || self->password_file != NULL ||
         self->typed_password != NULL || g_getenv ("HYPERWALL_PASSWORD") != NULL;
}

void
hw_emby_client_start (HwEmbyClient *self)
{
  g_return_if_fail (HW_IS_EMBY_CLIENT (self));

  if (self->started)
    return;

  self->started = TRUE;
  if (self->base_url == NULL)
    {
      _hw_emby_client_set_state (self, HW_SERVER_STATE_OFFLINE,
                                 "no usable server address is configured");
      return;
    }
  _hw_emby_client_probe_now (self);
}

HwServerState
hw_emby_client_get_state (HwEmbyClient *self)
{
  g_return_val_if_fail (HW_IS_EMBY_CLIENT (self), HW_SERVER_STATE_NONE);
  return self->state;
}

const char *
hw_emby_client_get_state_reason (HwEmbyClient *self)
{
  g_return_val_if_fail (HW_IS_EMBY_CLIENT (self), NULL);
  return self->state_reason;
}

const char *
hw_emby_client_get_base_url (HwEmbyClient *self)
{
  g_return_val_if_fail (HW_IS_EMBY_CLIENT (self), NULL);
  return self->base_url;
}

const char *
hw_emby_client_get_user_id (HwEmbyClient *self)
{
  g_return_val_if_fail (HW_IS_EMBY_CLIENT (self), NULL);
  return self->user_id;
}

const char *
hw_emby_client_get_device_id (HwEmbyClient *self)
{
  g_return_val_if_fail (HW_IS_EMBY_CLIENT (self), NULL);
  return self->device_id;
}

const char *
hw_emby_client_get_access_token (HwEmbyClient *self)
{
  g_return_val_if_fail (HW_IS_EMBY_CLIENT (self), NULL);
  return self->token;
}

enum {
  PROP_CONFIG = N_PROPS,
};

static void
hw_emby_client_constructed (GObject *object)
{
  HwEmbyClient *self = HW_EMBY_CLIENT (object);

  G_OBJECT_CLASS (hw_emby_client_parent_class)->constructed (object);

  load_config (self);
  g_signal_connect_object (self->config, "changed", G_CALLBACK (on_config_changed), self, 0);
  _hw_emby_client_watch_network (self);
}

static void
hw_emby_client_dispose (GObject *object)
{
  HwEmbyClient *self = HW_EMBY_CLIENT (object);
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 "The client went away");

  if (self->life != NULL)
    g_cancellable_cancel (self->life);
  g_clear_handle_id (&self->probe_source, g_source_remove);
  _hw_emby_client_cancel_probe (self);
  if (self->sign_in_waiters != NULL)
    _hw_emby_client_fail_waiters (self->sign_in_waiters, error);
  if (self->gate_waiters != NULL)
    _hw_emby_client_fail_waiters (self->gate_waiters, error);
  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->config);
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (hw_emby_client_parent_class)->dispose (object);
}

static void
hw_emby_client_finalize (GObject *object)
{
  HwEmbyClient *self = HW_EMBY_CLIENT (object);

  g_clear_object (&self->life);
  g_free (self->base_url);
  g_free (self->username);
  g_free (self->configured_user_id);
  g_free (self->api_key);
  g_free (self->typed_password);
  g_free (self->password_file);
  g_free (self->device_id);
  g_free (self->device_name);
  g_free (self->token);
  g_free (self->user_id);
  g_free (self->state_reason);
  g_clear_pointer (&self->gate_waiters, g_ptr_array_unref);
  g_clear_pointer (&self->sign_in_waiters, g_ptr_array_unref);
  g_clear_object (&self->shared);
  g_clear_object (&self->tokens);

  G_OBJECT_CLASS (hw_emby_client_parent_class)->finalize (object);
}

static void
hw_emby_client_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  HwEmbyClient *self = HW_EMBY_CLIENT (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hw_emby_client_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  HwEmbyClient *self = HW_EMBY_CLIENT (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      self->config = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hw_emby_client_class_init (HwEmbyClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = hw_emby_client_constructed;
  object_class->dispose = hw_emby_client_dispose;
  object_class->finalize = hw_emby_client_finalize;
  object_class->get_property = hw_emby_client_get_property;
  object_class->set_property = hw_emby_client_set_property;

  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL,
                      HW_SERVER_STATE_NONE, HW_SERVER_STATE_SIGN_IN_REQUIRED,
                      HW_SERVER_STATE_CONNECTING,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_object_class_install_property (object_class, PROP_CONFIG,
    g_param_spec_object ("config", NULL, NULL, HW_TYPE_CONFIG,
                         G_PARAM_WRITABLE | G_PARAM_READABLE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS));
}

static void
hw_emby_client_init (HwEmbyClient *self)
{
  g_autofree char *device_id_path = hw_emby_device_id_default_path ();

  self->state = HW_SERVER_STATE_CONNECTING;
  self->life = g_cancellable_new ();
  self->gate_waiters = g_ptr_array_new ();
  self->sign_in_waiters = g_ptr_array_new ();
  self->shared = hw_shared_requests_new ();
  self->tokens = hw_token_store_new ();
  self->device_id = hw_emby_device_id_load (device_id_path);
  self->device_name = g_strdup (g_get_host_name ());
  self->monitor = g_object_ref (g_network_monitor_get_default ());

  /* The deadline is ours (request-timeout); libsoup's own idle timeout
   * would only cut in later and never on a silent half-open socket. */
  self->session = soup_session_new_with_options ("timeout", 0,
                                                 "user-agent", "Hyperwall/" PACKAGE_VERSION,
                                                 "max-conns-per-host", 6,
                                                 NULL);
}
