/* hw-emby-client.c: the only code that speaks HTTP.
 *
 * The object, its configuration and state, and the public API live here;
 * how a call goes through (gate, sign-in, exchange, 401 replay), the gate,
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
#include "hw-emby-tls.h"
#include "hw-redact.h"

enum {
  PROP_0,
  PROP_STATE,
  PROP_TOKEN_GENERATION,
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
      return HW_ERROR_CLASS_UNPLAYABLE;
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

void
_hw_emby_client_forget_token (HwEmbyClient *self)
{
  g_clear_pointer (&self->token, g_free);
  self->token_generation++;
}

void
_hw_emby_client_set_token (HwEmbyClient *self,
                           const char   *token,
                           const char   *user_id)
{
  /* Registered before it can reach anything that logs; the tokens it
   * replaced stay masked for a few generations, then go. */
  hw_redact_rotate_secret ("access-token", token);
  g_free (self->token);
  self->token = g_strdup (token);
  self->token_generation++;
  g_free (self->user_id);
  self->user_id = g_strdup (user_id);
  /* Whoever minted URLs with the old token mints them again. */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN_GENERATION]);
}

guint
hw_emby_client_get_token_generation (HwEmbyClient *self)
{
  g_return_val_if_fail (HW_IS_EMBY_CLIENT (self), 0);
  return self->token_generation;
}

void
_hw_emby_client_enter_sign_in_required (HwEmbyClient *self,
                                        const char   *reason)
{
  g_autoptr(GError) error = g_error_new_literal (HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED,
                                                 _("Sign-in required"));

  _hw_emby_client_forget_token (self);
  _hw_emby_client_set_state (self, HW_SERVER_STATE_SIGN_IN_REQUIRED, reason);
  _hw_emby_client_fail_waiters (self->sign_in_waiters, error);
  _hw_emby_client_fail_waiters (self->gate_waiters, error);
}

/* ------------------------------------------------------------------ */
/* Configuration                                                       */

/* The device-name key (a fleet's walls): the name the server shows and a
 * DeviceId derived from it; else the host name and the kept id. */
static void
load_device (HwEmbyClient *self)
{
  g_autofree char *name = hw_config_dup_string (self->config, "device-name");

  g_clear_pointer (&self->device_name, g_free);
  g_clear_pointer (&self->device_id, g_free);
  if (name != NULL && *name != '\0')
    {
      self->device_id = hw_emby_device_id_for_name (name);
      self->device_name = g_steal_pointer (&name);
    }
  else
    {
      g_autofree char *device_id_path = hw_emby_device_id_default_path ();

      self->device_id = hw_emby_device_id_load (device_id_path);
      self->device_name = g_strdup (g_get_host_name ());
    }
}

static void
load_accept_certificate (HwEmbyClient *self)
{
  g_autofree char *pin = hw_config_dup_string (self->config, "accept-certificate");
  GTlsDatabase *database = NULL;

  g_clear_pointer (&self->accept_certificate, g_free);
  if (pin != NULL && *pin != '\0')
    {
      self->accept_certificate = hw_emby_tls_normalize_pin (pin);
      if (self->accept_certificate == NULL)
        g_warning ("accept-certificate is not a SHA-256 fingerprint (AA:BB:…, 32 pairs): "
                   "ignored");
    }

  /* Pinned: no TLS database, so that every certificate, whoever signed it,
   * reaches hw-emby-tls.c and only the pinned one passes. Else the
   * system's authorities, as libsoup does by default. */
  if (self->accept_certificate == NULL)
    database = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  soup_session_set_tls_database (self->session, database);
  g_clear_object (&database);
}

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

  load_accept_certificate (self);
  load_device (self);

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
  g_clear_handle_id (&self->sign_in_retry, g_source_remove);
  _hw_emby_client_cancel_probe (self);
  self->probe_attempt = 0;
  self->signing_in = FALSE;
  self->keyring_checked = FALSE;
  self->probe_held_until_us = 0;
  g_hash_table_remove_all (self->held_back);
  _hw_emby_client_fail_waiters (self->sign_in_waiters, error);
  _hw_emby_client_fail_waiters (self->gate_waiters, error);

  _hw_emby_client_forget_token (self);
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
      g_str_equal (key, "user-id") || g_str_equal (key, "accept-certificate") ||
      g_str_equal (key, "device-name"))
    {
      g_message ("Server settings changed (%s): connecting again", key);
      /* Pooled connections were accepted under the old rule. */
      if (g_str_equal (key, "accept-certificate"))
        soup_session_abort (self->session);
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
  g_return_if_fail (HW_IS_EMBY_CLIENT (self));
  g_return_if_fail (method != NULL && path != NULL && path[0] == '/');

  _hw_emby_client_call (self, method, path, json_body, flags, cancellable, callback, user_data);
}

GBytes *
hw_emby_client_request_finish (HwEmbyClient  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  char          *key; /* or NULL */
  GCancellable  *cancel;
  GWeakRef       object; /* told when it is answered */
  HwEmbySentFunc sent;
} Report;

static void
report_free (Report *report)
{
  g_free (report->key);
  g_clear_object (&report->cancel);
  g_weak_ref_clear (&report->object);
  g_free (report);
}

static void
on_sent_quietly (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  HwEmbyClient *self = HW_EMBY_CLIENT (source);
  Report *report = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = hw_emby_client_request_finish (self, result, &error);

  self->sends_in_flight--;
  if (report->key != NULL &&
      g_hash_table_lookup (self->latest_reports, report->key) == report->cancel)
    g_hash_table_remove (self->latest_reports, report->key);

  if (body == NULL)
    {
      g_autofree char *safe = hw_redact (error->message);

      g_debug ("Report not delivered: %s", safe);
    }
  if (report->sent != NULL)
    {
      g_autoptr (GObject) object = g_weak_ref_get (&report->object);

      if (object != NULL)
        report->sent (object);
    }
  report_free (report);
}

static void
on_life_cancelled (GCancellable *life,
                   gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

void
hw_emby_client_send (HwEmbyClient *self,
                     const char   *method,
                     const char   *path,
                     const char   *json_body,
                     const char   *supersede_key)
{
  hw_emby_client_send_notify (self, method, path, json_body, supersede_key, NULL, NULL);
}

void
hw_emby_client_send_notify (HwEmbyClient *self, const char *method, const char *path,
                            const char *json_body, const char *supersede_key, GObject *object,
                            HwEmbySentFunc sent)
{
  Report *report;
  GCancellable *older;

  g_return_if_fail (HW_IS_EMBY_CLIENT (self));
  g_return_if_fail (object == NULL || G_IS_OBJECT (object));

  report = g_new0 (Report, 1);
  report->key = g_strdup (supersede_key);
  g_weak_ref_init (&report->object, object);
  report->sent = sent;
  report->cancel = g_cancellable_new ();
  /* Belongs to the current identity like every other call. */
  if (g_cancellable_is_cancelled (self->life))
    g_cancellable_cancel (report->cancel);
  else
    g_signal_connect_object (self->life, "cancelled", G_CALLBACK (on_life_cancelled),
                             report->cancel, 0);

  if (supersede_key != NULL)
    {
      /* The newer report says all the older one did: never two in flight. */
      older = g_hash_table_lookup (self->latest_reports, supersede_key);
      if (older != NULL)
        g_cancellable_cancel (older);
      g_hash_table_replace (self->latest_reports, g_strdup (supersede_key),
                            g_object_ref (report->cancel));
    }

  self->sends_in_flight++;
  hw_emby_client_request_async (self, method, path, json_body, HW_EMBY_REQUEST_BEST_EFFORT,
                                report->cancel, on_sent_quietly, report);
}

gboolean
hw_emby_client_is_busy (HwEmbyClient *self)
{
  g_return_val_if_fail (HW_IS_EMBY_CLIENT (self), FALSE);
  return self->sends_in_flight > 0;
}

guint
hw_emby_client_get_reports_in_flight (HwEmbyClient *self)
{
  g_return_val_if_fail (HW_IS_EMBY_CLIENT (self), 0);
  return self->sends_in_flight;
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
  g_clear_handle_id (&self->sign_in_retry, g_source_remove);
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
  g_free (self->accept_certificate);
  g_free (self->device_id);
  g_free (self->device_name);
  g_free (self->token);
  g_free (self->user_id);
  g_free (self->state_reason);
  g_clear_pointer (&self->gate_waiters, g_ptr_array_unref);
  g_clear_pointer (&self->sign_in_waiters, g_ptr_array_unref);
  g_clear_object (&self->shared);
  g_clear_object (&self->tokens);
  g_clear_pointer (&self->latest_reports, g_hash_table_unref);
  g_clear_pointer (&self->held_back, g_hash_table_unref);

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
    case PROP_TOKEN_GENERATION:
      g_value_set_uint (value, self->token_generation);
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
  properties[PROP_TOKEN_GENERATION] =
    g_param_spec_uint ("token-generation", NULL, NULL, 0, G_MAXUINT, 0,
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
  self->shared = hw_shared_requests_new ();
  self->latest_reports = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->held_back = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->tokens = hw_token_store_new ();
  self->monitor = g_object_ref (g_network_monitor_get_default ());

  /* The deadline is ours (request-timeout); libsoup's own idle timeout
   * would only cut in later and never on a silent half-open socket. */
  self->session = soup_session_new_with_options ("timeout", 0,
                                                 "user-agent", "Hyperwall/" PACKAGE_VERSION,
                                                 "max-conns-per-host", 6,
                                                 NULL);
}
