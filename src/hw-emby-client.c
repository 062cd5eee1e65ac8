/* hw-emby-client.c: the only code that speaks HTTP.
 *
 * A request ("call") goes: gate check → sign-in if needed → send with a
 * deadline → classify. A 401 drops the token (unless another call already
 * replaced it), signs in once more and replays once. Sign-ins are shared:
 * however many calls need one, one POST goes out.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>
#include <libsoup/soup.h>

#include "hw-emby-client.h"
#include "hw-redact.h"

#define PROBE_PATH "/System/Info/Public"
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
  GPtrArray     *gate_waiters;     /* GTask (calls) waiting for the first probe */
  gint64         retry_after_until_us;

  /* Sign-in. */
  gboolean       signing_in;
  GPtrArray     *sign_in_waiters;  /* GTask (calls) */
  gboolean       keyring_checked;
  gboolean       keyring_missing;

  GHashTable    *shared;           /* key → Shared (borrowed) */
};

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (HwEmbyClient, hw_emby_client, G_TYPE_OBJECT)

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    "org.example.Hyperwall.Token", SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "username", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

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

static void
set_state (HwEmbyClient  *self,
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
/* Device identity                                                     */

static char *
load_device_id (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "hyperwall", NULL);
  g_autofree char *path = g_build_filename (dir, "device-id", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  char *fresh;

  if (g_file_get_contents (path, &contents, NULL, NULL))
    {
      g_strstrip (contents);
      if (strlen (contents) >= 8 && strlen (contents) <= 64)
        return g_steal_pointer (&contents);
    }

  /* One per install: a new id per start would add a device on the server
   * every start. */
  fresh = g_uuid_string_random ();
  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      !g_file_set_contents (path, fresh, -1, &error))
    g_warning ("Cannot keep the device id in %s (%s); the server will see a new device next start",
               path, error ? error->message : g_strerror (errno));
  else
    g_message ("Created device id in %s", path);

  return fresh;
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

static void fail_waiters (GPtrArray    *waiters,
                          const GError *error);
static void probe_now    (HwEmbyClient *self);

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
  self->probing = FALSE;
  self->probe_attempt = 0;
  self->signing_in = FALSE;
  self->keyring_checked = FALSE;
  self->retry_after_until_us = 0;
  fail_waiters (self->sign_in_waiters, error);
  fail_waiters (self->gate_waiters, error);

  forget_token (self);
  g_clear_pointer (&self->user_id, g_free);
  load_config (self);

  set_state (self, HW_SERVER_STATE_CONNECTING, NULL);
  if (self->started)
    probe_now (self);
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
static void sign_in    (HwEmbyClient *self);

static void
fail_waiters (GPtrArray    *waiters,
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

static void
resume_waiters (GPtrArray *waiters)
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
      sign_in (self);
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

  call->deadline = g_timeout_add_seconds (self->request_timeout_s, on_deadline, task);
  soup_session_send_and_read_async (self->session, call->message, G_PRIORITY_DEFAULT,
                                    call->attempt, on_sent, g_object_ref (task));
}

/* The server could not be reached: close the gate (rule 5). */
static void
gate_close (HwEmbyClient *self,
            const char   *reason)
{
  if (self->state == HW_SERVER_STATE_SIGN_IN_REQUIRED)
    return;

  set_state (self, HW_SERVER_STATE_OFFLINE, reason);
  if (!self->probing && self->probe_source == 0)
    probe_now (self);
}

static gint64
retry_after_us (SoupMessage *message)
{
  const char *value = soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                    "Retry-After");
  gint64 seconds = hw_parse_retry_after (value, g_get_real_time () / HW_USEC_PER_SEC);

  return seconds < 0 ? 0 : seconds * HW_USEC_PER_SEC;
}

static void
enter_sign_in_required (HwEmbyClient *self,
                        const char   *reason)
{
  g_autoptr(GError) error = g_error_new_literal (HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED,
                                                 _("Sign-in required"));

  forget_token (self);
  set_state (self, HW_SERVER_STATE_SIGN_IN_REQUIRED, reason);
  fail_waiters (self->sign_in_waiters, error);
  fail_waiters (self->gate_waiters, error);
}

static void clear_stored_token (HwEmbyClient *self);

/* A 401 on a signed-in call: one new sign-in, one replay. */
static void
handle_unauthorized (GTask *task)
{
  HwEmbyClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autofree char *what = describe (call);

  if (self->api_key != NULL)
    {
      enter_sign_in_required (self, "the server refused the API key");
      g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED,
                               "%s", _("Sign-in required"));
      return;
    }

  if (call->replayed)
    {
      /* A brand-new token refused too: signing in again would loop. */
      enter_sign_in_required (self, "the server refused a fresh access token");
      g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED,
                               "%s", _("Sign-in required"));
      return;
    }

  call->replayed = TRUE;
  if (call->token_generation == self->token_generation && self->token != NULL)
    {
      g_message ("%s: the access token was refused; signing in again", what);
      clear_stored_token (self);
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
        gate_close (self, reason);
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

/* ------------------------------------------------------------------ */
/* The gate                                                            */

static void
on_probe_timer (gpointer user_data)
{
  HwEmbyClient *self = user_data;

  self->probe_source = 0;
  probe_now (self);
}

static void
schedule_probe (HwEmbyClient *self)
{
  gint64 delay_us = hw_backoff_delay (self->probe_attempt++, self->backoff_initial_us,
                                      self->backoff_max_us, g_random_double_range (-1.0, 1.0));
  gint64 retry_us = self->retry_after_until_us - g_get_monotonic_time ();

  delay_us = MAX (delay_us, retry_us);
  g_debug ("Next probe of the server in %.1f s", delay_us / (double) HW_USEC_PER_SEC);
  g_clear_handle_id (&self->probe_source, g_source_remove);
  self->probe_source = g_timeout_add_once (MAX (1, delay_us / 1000), on_probe_timer, self);
}

static void
on_probe_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  HwEmbyClient *self = HW_EMBY_CLIENT (source);
  g_autoptr(GCancellable) life = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(HwEmbyServerInfo) info = NULL;

  body = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_cancellable_is_cancelled (life))
    return;   /* a reset took over */

  self->probing = FALSE;
  if (body != NULL)
    info = hw_emby_parse_server_info (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);

  if (info == NULL)
    {
      g_autofree char *reason = hw_redact (error->message);

      g_autoptr(GError) offline = g_error_new (HW_EMBY_ERROR, HW_EMBY_ERROR_OFFLINE,
                                               "Waiting for the server: %s", reason);

      if (self->state != HW_SERVER_STATE_SIGN_IN_REQUIRED)
        set_state (self, HW_SERVER_STATE_OFFLINE, reason);
      fail_waiters (self->gate_waiters, offline);
      schedule_probe (self);
      return;
    }

  g_debug ("Server “%s” (Emby %s) answers", info->server_name ? info->server_name : "?",
           info->version ? info->version : "?");
  self->probe_attempt = 0;

  if (self->state == HW_SERVER_STATE_SIGN_IN_REQUIRED)
    return;

  if (self->token != NULL)
    set_state (self, HW_SERVER_STATE_ONLINE, NULL);
  else
    {
      /* Reachable; online once signed in. */
      set_state (self, HW_SERVER_STATE_CONNECTING, NULL);
      sign_in (self);
    }
  resume_waiters (self->gate_waiters);
}

static void
probe_now (HwEmbyClient *self)
{
  GTask *task;

  if (self->probing || self->base_url == NULL)
    return;

  g_clear_handle_id (&self->probe_source, g_source_remove);
  self->probing = TRUE;
  task = call_new (self, "GET", PROBE_PATH, NULL, HW_EMBY_REQUEST_NO_AUTH, self->life,
                   on_probe_done, g_object_ref (self->life));
  ((Call *) g_task_get_task_data (task))->is_probe = TRUE;
  call_begin (task);
  g_object_unref (task);
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  HwEmbyClient *self = user_data;

  if (available && self->state == HW_SERVER_STATE_OFFLINE && self->started)
    {
      g_message ("The network is back: probing the server now");
      self->probe_attempt = 0;
      probe_now (self);
    }
}

void
hw_emby_client_suspect_server (HwEmbyClient *self)
{
  g_return_if_fail (HW_IS_EMBY_CLIENT (self));

  if (self->state != HW_SERVER_STATE_ONLINE)
    return;

  g_message ("Many cells failed together: checking the server");
  set_state (self, HW_SERVER_STATE_OFFLINE, "checking the server after many failures");
  self->probe_attempt = 0;
  probe_now (self);
}

/* ------------------------------------------------------------------ */
/* Secret Service                                                      */

static gboolean
keyring_usable (HwEmbyClient *self)
{
  g_autofree char *bus = NULL;

  if (self->keyring_missing || g_getenv ("HYPERWALL_NO_KEYRING") != NULL)
    return FALSE;
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") != NULL)
    return TRUE;

  /* Without a bus address GDBus would try to autolaunch one. */
  bus = g_build_filename (g_get_user_runtime_dir (), "bus", NULL);
  return g_file_test (bus, G_FILE_TEST_EXISTS);
}

static void
keyring_missing (HwEmbyClient *self,
                 const GError *error)
{
  if (!self->keyring_missing)
    g_message ("No Secret Service (%s): the access token is kept in memory only",
               error ? error->message : "no session bus");
  self->keyring_missing = TRUE;
}

static void
on_token_stored (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(HwEmbyClient) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    keyring_missing (self, error);
}

static void
store_token (HwEmbyClient *self)
{
  g_autofree char *label = NULL;

  if (!keyring_usable (self))
    {
      keyring_missing (self, NULL);
      return;
    }

  label = g_strdup_printf ("Hyperwall access token for %s on %s", self->username, self->base_url);
  secret_password_store (token_schema (), SECRET_COLLECTION_DEFAULT, label, self->token,
                         self->life, on_token_stored, g_object_ref (self),
                         "server", self->base_url, "username", self->username,
                         "user-id", self->user_id, NULL);
}

static void
clear_stored_token (HwEmbyClient *self)
{
  if (!keyring_usable (self) || self->username == NULL || self->api_key != NULL)
    return;

  secret_password_clear (token_schema (), NULL, NULL, NULL,
                         "server", self->base_url, "username", self->username, NULL);
}

typedef struct {
  HwEmbyClient *self;
  GCancellable *life;
  char         *user_id;
} KeyringLookup;

static void
keyring_lookup_free (KeyringLookup *lookup)
{
  g_object_unref (lookup->self);
  g_object_unref (lookup->life);
  g_free (lookup->user_id);
  g_free (lookup);
}

static void
keyring_lookup_finish (KeyringLookup *lookup,
                       const char    *token)
{
  HwEmbyClient *self = lookup->self;

  if (g_cancellable_is_cancelled (lookup->life))
    return;

  self->keyring_checked = TRUE;
  self->signing_in = FALSE;

  if (token != NULL && lookup->user_id != NULL)
    {
      hw_redact_add_secret (token);
      g_free (self->token);
      self->token = g_strdup (token);
      self->token_generation++;
      g_free (self->user_id);
      self->user_id = g_strdup (lookup->user_id);
      g_message ("Using the access token kept in the Secret Service for %s", self->username);
      if (self->state == HW_SERVER_STATE_CONNECTING && !self->probing)
        set_state (self, HW_SERVER_STATE_ONLINE, NULL);
      resume_waiters (self->sign_in_waiters);
      return;
    }

  sign_in (self);
}

static void
on_secret_retrieved (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  KeyringLookup *lookup = user_data;
  g_autoptr(SecretValue) value = secret_retrievable_retrieve_secret_finish (SECRET_RETRIEVABLE (source),
                                                                            result, NULL);

  keyring_lookup_finish (lookup, value ? secret_value_get_text (value) : NULL);
  keyring_lookup_free (lookup);
}

static void
on_keyring_searched (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  KeyringLookup *lookup = user_data;
  g_autoptr(GError) error = NULL;
  GList *found = secret_password_search_finish (result, &error);
  g_autoptr(GHashTable) attributes = NULL;
  SecretRetrievable *first;

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    keyring_missing (lookup->self, error);

  if (found == NULL)
    {
      keyring_lookup_finish (lookup, NULL);
      keyring_lookup_free (lookup);
      return;
    }

  first = found->data;
  attributes = secret_retrievable_get_attributes (first);
  lookup->user_id = g_strdup (g_hash_table_lookup (attributes, "user-id"));
  secret_retrievable_retrieve_secret (first, lookup->life, on_secret_retrieved, lookup);
  g_list_free_full (found, g_object_unref);
}

/* TRUE when a lookup started (it continues the sign-in). */
static gboolean
keyring_lookup (HwEmbyClient *self)
{
  KeyringLookup *lookup;

  if (self->keyring_checked || self->api_key != NULL || self->username == NULL)
    return FALSE;
  if (!keyring_usable (self))
    {
      self->keyring_checked = TRUE;
      keyring_missing (self, NULL);
      return FALSE;
    }

  lookup = g_new0 (KeyringLookup, 1);
  lookup->self = g_object_ref (self);
  lookup->life = g_object_ref (self->life);
  secret_password_search (token_schema (), SECRET_SEARCH_LOAD_SECRETS, self->life,
                          on_keyring_searched, lookup,
                          "server", self->base_url, "username", self->username, NULL);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Sign-in                                                             */

static char *
read_password (HwEmbyClient  *self,
               GError       **error)
{
  const char *env = g_getenv ("HYPERWALL_PASSWORD");
  g_autofree char *contents = NULL;
  char *newline;

  if (self->typed_password != NULL)
    return g_steal_pointer (&self->typed_password);

  if (env != NULL)
    return g_strdup (env);

  if (self->password_file == NULL)
    {
      g_set_error (error, HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED,
                   "no credentials: set HYPERWALL_PASSWORD, HYPERWALL_API_KEY or --password-file");
      return NULL;
    }

  if (!g_file_get_contents (self->password_file, &contents, NULL, error))
    return NULL;

  newline = strpbrk (contents, "\r\n");
  if (newline != NULL)
    *newline = '\0';
  return g_steal_pointer (&contents);
}

static char *
sign_in_body (const char *username,
              const char *password)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Username");
  json_builder_add_string_value (builder, username);
  json_builder_set_member_name (builder, "Pw");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static void
on_signed_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  HwEmbyClient *self = HW_EMBY_CLIENT (source);
  g_autoptr(GCancellable) life = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(HwEmbyAuth) auth = NULL;

  body = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_cancellable_is_cancelled (life))
    return;

  self->signing_in = FALSE;
  if (body != NULL)
    auth = hw_emby_parse_auth (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);

  if (auth == NULL)
    {
      g_autofree char *reason = hw_redact (error->message);

      if (g_error_matches (error, HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED) ||
          g_error_matches (error, HW_EMBY_ERROR, HW_EMBY_ERROR_FORBIDDEN))
        enter_sign_in_required (self, "the server refused the user name or password");
      else
        {
          g_warning ("Sign-in failed, will try again: %s", reason);
          fail_waiters (self->sign_in_waiters, error);
        }
      return;
    }

  hw_redact_add_secret (auth->access_token);
  g_free (self->token);
  self->token = g_steal_pointer (&auth->access_token);
  self->token_generation++;
  g_free (self->user_id);
  self->user_id = g_steal_pointer (&auth->user_id);
  g_message ("Signed in to %s as %s", self->base_url, self->username);

  store_token (self);
  if (self->state == HW_SERVER_STATE_CONNECTING)
    set_state (self, HW_SERVER_STATE_ONLINE, NULL);
  resume_waiters (self->sign_in_waiters);
}

/* Gets a token for the waiters in sign_in_waiters: one attempt at a time. */
static void
sign_in (HwEmbyClient *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;
  g_autofree char *body = NULL;
  GTask *task;

  if (self->signing_in || self->token != NULL)
    {
      if (self->token != NULL)
        resume_waiters (self->sign_in_waiters);
      return;
    }

  if (self->api_key != NULL)
    {
      if (self->configured_user_id == NULL)
        {
          enter_sign_in_required (self, "HYPERWALL_API_KEY is set but no user-id is configured");
          return;
        }
      self->token = g_strdup (self->api_key);
      self->token_generation++;
      g_free (self->user_id);
      self->user_id = g_strdup (self->configured_user_id);
      if (self->state == HW_SERVER_STATE_CONNECTING && !self->probing)
        set_state (self, HW_SERVER_STATE_ONLINE, NULL);
      resume_waiters (self->sign_in_waiters);
      return;
    }

  if (self->username == NULL || *self->username == '\0')
    {
      enter_sign_in_required (self, "no user name is configured");
      return;
    }

  self->signing_in = TRUE;
  if (keyring_lookup (self))
    return;

  password = read_password (self, &error);
  if (password == NULL)
    {
      self->signing_in = FALSE;
      enter_sign_in_required (self, error->message);
      return;
    }
  hw_redact_add_secret (password);

  body = sign_in_body (self->username, password);
  memset (password, 0, strlen (password));

  g_debug ("Signing in to %s as %s", self->base_url, self->username);
  task = call_new (self, "POST", "/Users/AuthenticateByName", body, HW_EMBY_REQUEST_NO_AUTH,
                   self->life, on_signed_in, g_object_ref (self->life));
  ((Call *) g_task_get_task_data (task))->is_sign_in = TRUE;
  memset (body, 0, strlen (body));
  call_begin (task);
  g_object_unref (task);
}

/* ------------------------------------------------------------------ */
/* Shared requests                                                     */

typedef struct _Shared Shared;

typedef struct {
  GTask        *task;
  GCancellable *cancellable;
  gulong        cancel_id;
  Shared       *shared;
  gboolean      finished;
} Waiter;

struct _Shared {
  HwEmbyClient *self;
  char         *key;
  GCancellable *cancellable;
  GPtrArray    *waiters;   /* Waiter (rc-boxed) */
  gboolean      detached;  /* no longer in the table */
};

static void
waiter_clear (Waiter *waiter)
{
  g_clear_object (&waiter->task);
  g_clear_object (&waiter->cancellable);
}

static void
waiter_release (Waiter *waiter)
{
  g_rc_box_release_full (waiter, (GDestroyNotify) waiter_clear);
}

static void
waiter_finish (Waiter *waiter)
{
  waiter->finished = TRUE;
  if (waiter->cancel_id != 0)
    g_cancellable_disconnect (waiter->cancellable, waiter->cancel_id);
  waiter->cancel_id = 0;
}

static void
shared_detach (Shared *shared)
{
  if (!shared->detached)
    g_hash_table_remove (shared->self->shared, shared->key);
  shared->detached = TRUE;
}

static gboolean
waiter_cancel_idle (gpointer user_data)
{
  Waiter *waiter = user_data;
  Shared *shared = waiter->shared;

  if (!waiter->finished)
    {
      waiter_finish (waiter);
      g_task_return_new_error (waiter->task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "The request was cancelled");
      g_ptr_array_remove (shared->waiters, waiter);
      if (shared->waiters->len == 0)
        {
          /* The last interested caller is gone. */
          g_debug ("Shared request %s: last caller gone, cancelling", shared->key);
          shared_detach (shared);
          g_cancellable_cancel (shared->cancellable);
        }
    }

  return G_SOURCE_REMOVE;
}

static void
on_waiter_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  Waiter *waiter = user_data;

  /* May run inside g_cancellable_cancel (): disconnecting here would
   * deadlock, so finish from an idle. */
  g_idle_add_full (G_PRIORITY_DEFAULT, waiter_cancel_idle,
                   g_rc_box_acquire (waiter), (GDestroyNotify) waiter_release);
}

static void
shared_free (Shared *shared)
{
  g_object_unref (shared->self);
  g_free (shared->key);
  g_object_unref (shared->cancellable);
  g_ptr_array_unref (shared->waiters);
  g_free (shared);
}

static void
on_shared_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Shared *shared = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(GPtrArray) waiters = g_ptr_array_ref (shared->waiters);

  shared_detach (shared);
  for (guint i = 0; i < waiters->len; i++)
    {
      Waiter *waiter = g_ptr_array_index (waiters, i);

      if (waiter->finished)
        continue;
      waiter_finish (waiter);
      if (body != NULL)
        g_task_return_pointer (waiter->task, g_bytes_ref (body), (GDestroyNotify) g_bytes_unref);
      else
        g_task_return_error (waiter->task, g_error_copy (error));
    }

  shared_free (shared);
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
  Shared *shared = g_hash_table_lookup (self->shared, key);
  Waiter *waiter;

  if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
    {
      g_task_report_new_error (self, callback, user_data, call_new, G_IO_ERROR,
                               G_IO_ERROR_CANCELLED, "The request was cancelled");
      return;
    }

  if (shared == NULL)
    {
      g_autoptr(GTask) task = NULL;

      shared = g_new0 (Shared, 1);
      shared->self = g_object_ref (self);
      shared->key = g_strdup (key);
      shared->cancellable = g_cancellable_new ();
      shared->waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) waiter_release);
      g_hash_table_insert (self->shared, shared->key, shared);

      task = call_new (self, method, path, NULL, HW_EMBY_REQUEST_NONE, shared->cancellable,
                       on_shared_done, shared);
      call_begin (task);
      /* call_begin may have finished the task already; the callback runs
       * from the main loop either way (GTask defers it), so the waiter
       * below is always registered in time. */
    }
  else
    g_debug ("Shared request %s: joining (%u waiting)", key, shared->waiters->len + 1);

  waiter = g_rc_box_new0 (Waiter);
  waiter->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (waiter->task, call_new);
  waiter->shared = shared;
  if (cancellable != NULL)
    {
      waiter->cancellable = g_object_ref (cancellable);
      waiter->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_waiter_cancelled),
                                                 waiter, NULL);
    }
  g_ptr_array_add (shared->waiters, waiter);
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

/* Typed requests: a request, then a parser on its body. */
typedef gpointer (*ParseFunc) (const char *data,
                               gssize      length,
                               GError    **error);

typedef struct {
  ParseFunc      parse;
  GDestroyNotify free_result;
} TypedRequest;

static void
on_typed_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  const TypedRequest *typed = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = hw_emby_client_request_finish (HW_EMBY_CLIENT (source), result, &error);
  gpointer parsed;

  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  parsed = typed->parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  if (parsed == NULL)
    {
      g_autofree char *safe = hw_redact (error->message);

      /* Malformed replies are transient for the request, never a crash. */
      g_warning ("%s", safe);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, parsed, typed->free_result);
}

static void
typed_request (HwEmbyClient        *self,
               const char          *method,
               const char          *path,
               const char          *json_body,
               HwEmbyRequestFlags   flags,
               const TypedRequest  *typed,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_task_data (task, (gpointer) typed, NULL);
  hw_emby_client_request_async (self, method, path, json_body, flags, cancellable,
                                on_typed_done, task);
}

static const TypedRequest views_request = {
  (ParseFunc) hw_emby_parse_views, (GDestroyNotify) g_ptr_array_unref,
};

void
hw_emby_client_get_views_async (HwEmbyClient        *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (HW_IS_EMBY_CLIENT (self));

  typed_request (self, "GET", "/Users/" USER_ID_PLACEHOLDER "/Views", NULL, HW_EMBY_REQUEST_SHARED,
                 &views_request, cancellable, callback, user_data);
}

GPtrArray *
hw_emby_client_get_views_finish (HwEmbyClient  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static const TypedRequest items_request = {
  (ParseFunc) hw_emby_parse_items, (GDestroyNotify) g_ptr_array_unref,
};

void
hw_emby_client_get_items_async (HwEmbyClient        *self,
                                const char          *parent_id,
                                guint                limit,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autofree char *limit_text = g_strdup_printf ("%u", limit);
  g_autofree char *path = NULL;

  g_return_if_fail (HW_IS_EMBY_CLIENT (self));

  path = hw_emby_build_url ("", "/Users/" USER_ID_PLACEHOLDER "/Items",
                            "ParentId", parent_id,
                            "Recursive", "true",
                            "IncludeItemTypes", "Movie,Episode,Video",
                            "SortBy", "Random",
                            "Limit", limit_text,
                            "Fields", "MediaSources,Path",
                            "EnableTotalRecordCount", "false",
                            "EnableImageTypes", "Primary",
                            "ImageTypeLimit", "1",
                            NULL);
  typed_request (self, "GET", path, NULL, HW_EMBY_REQUEST_SHARED, &items_request,
                 cancellable, callback, user_data);
}

GPtrArray *
hw_emby_client_get_items_finish (HwEmbyClient  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
parse_playback_info_checked (const char  *data,
                             gssize       length,
                             GError     **error)
{
  g_autoptr(HwEmbyPlaybackInfo) info = hw_emby_parse_playback_info (data, length, error);
  HwErrorClass klass;

  if (info == NULL || info->error_code == NULL)
    return g_steal_pointer (&info);

  klass = hw_classify_response (200, info->error_code, TRUE);
  g_set_error (error, HW_EMBY_ERROR,
               klass == HW_ERROR_CLASS_TRANSIENT ? HW_EMBY_ERROR_TRANSIENT : HW_EMBY_ERROR_NOT_FOUND,
               "PlaybackInfo: the server refused the item (%s)", info->error_code);
  return NULL;
}

static const TypedRequest playback_info_request = {
  parse_playback_info_checked, (GDestroyNotify) hw_emby_playback_info_free,
};

/* mpv plays nearly anything: direct play for every container, and an HLS
 * H.264 transcode for what the server will not send as it is. */
static const char device_profile[] =
  "{\"DeviceProfile\":{\"Name\":\"Hyperwall\",\"MaxStreamingBitrate\":140000000,"
  "\"DirectPlayProfiles\":[{\"Type\":\"Video\"}],"
  "\"TranscodingProfiles\":[{\"Type\":\"Video\",\"Container\":\"ts\",\"VideoCodec\":\"h264\","
  "\"AudioCodec\":\"aac\",\"Protocol\":\"hls\",\"Context\":\"Streaming\"}]}}";

void
hw_emby_client_get_playback_info_async (HwEmbyClient        *self,
                                        const char          *item_id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autofree char *escaped = g_uri_escape_string (item_id, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/Items/%s/PlaybackInfo?UserId=" USER_ID_PLACEHOLDER
                                           "&IsPlayback=true&MaxStreamingBitrate=140000000",
                                           escaped);

  g_return_if_fail (HW_IS_EMBY_CLIENT (self));

  typed_request (self, "POST", path, device_profile, HW_EMBY_REQUEST_NONE,
                 &playback_info_request, cancellable, callback, user_data);
}

HwEmbyPlaybackInfo *
hw_emby_client_get_playback_info_finish (HwEmbyClient  *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
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
      set_state (self, HW_SERVER_STATE_OFFLINE, "no usable server address is configured");
      return;
    }
  probe_now (self);
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
  g_signal_connect_object (self->monitor, "network-changed", G_CALLBACK (on_network_changed), self, 0);
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
  if (self->sign_in_waiters != NULL)
    fail_waiters (self->sign_in_waiters, error);
  if (self->gate_waiters != NULL)
    fail_waiters (self->gate_waiters, error);
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
  g_clear_pointer (&self->shared, g_hash_table_unref);

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
  self->state = HW_SERVER_STATE_CONNECTING;
  self->life = g_cancellable_new ();
  self->gate_waiters = g_ptr_array_new ();
  self->sign_in_waiters = g_ptr_array_new ();
  self->shared = g_hash_table_new (g_str_hash, g_str_equal);
  self->device_id = load_device_id ();
  self->device_name = g_strdup (g_get_host_name ());
  self->monitor = g_object_ref (g_network_monitor_get_default ());

  /* The deadline is ours (request-timeout); libsoup's own idle timeout
   * would only cut in later and never on a silent half-open socket. */
  self->session = soup_session_new_with_options ("timeout", 0,
                                                 "user-agent", "Hyperwall/" PACKAGE_VERSION,
                                                 "max-conns-per-host", 6,
                                                 NULL);
}
