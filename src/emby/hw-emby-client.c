/* hw-emby-client.c: the only code that speaks HTTP.
 *
 * The object, its configuration and state, and the public API. The state
 * follows the server gate (hw-server-gate.c) and the sign-in
 * (hw-emby-sign-in.c), for which the client sends the probe and the
 * sign-in body. How a call goes through is hw-emby-client-calls.c; the
 * typed requests, on the public API, hw-emby-client-endpoints.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "hw-emby-client-private.h"
#include "hw-emby-device-id.h"
#include "hw-emby-enums.h"
#include "hw-emby-tls.h"
#include "hw-redact.h"
#include "hw-token-store.h"

#define PROBE_PATH "/System/Info/Public"

enum {
  PROP_0,
  PROP_STATE,
  PROP_TOKEN_GENERATION,
  PROP_SERVER_PRODUCT,
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
    g_message ("%s server %s is %s", hw_emby_server_product_name (self->product),
               self->base_url ? self->base_url : "(none)", hw_server_state_to_string (state));
  else
    g_warning ("%s server %s is %s: %s", hw_emby_server_product_name (self->product),
               self->base_url ? self->base_url : "(none)",
               hw_server_state_to_string (state), self->state_reason ? self->state_reason : "");

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

guint
hw_emby_client_get_token_generation (HwEmbyClient *self)
{
  g_return_val_if_fail (HW_IS_EMBY_CLIENT (self), 0);
  return hw_emby_sign_in_get_token_generation (self->sign_in);
}

/* The gate found the server answering: online with a token, else sign in. */
static void
follow_open_gate (HwEmbyClient *self)
{
  if (self->state == HW_SERVER_STATE_SIGN_IN_REQUIRED)
    return;

  if (hw_emby_sign_in_get_token (self->sign_in) != NULL)
    set_state (self, HW_SERVER_STATE_ONLINE, NULL);
  else
    {
      /* Reachable; online once signed in. */
      set_state (self, HW_SERVER_STATE_CONNECTING, NULL);
      hw_emby_sign_in_begin (self->sign_in);
    }
}

static void
on_gate_state (HwServerGate *gate,
               GParamSpec   *pspec,
               gpointer      user_data)
{
  HwEmbyClient *self = user_data;

  switch (hw_server_gate_get_state (gate))
    {
    case HW_SERVER_GATE_CLOSED:
      if (self->state != HW_SERVER_STATE_SIGN_IN_REQUIRED)
        set_state (self, HW_SERVER_STATE_OFFLINE, hw_server_gate_get_reason (gate));
      break;
    case HW_SERVER_GATE_OPEN:
      follow_open_gate (self);
      break;
    case HW_SERVER_GATE_UNKNOWN:
    default:
      /* A new identity or a new attempt: the client said so itself. */
      break;
    }
}

static void
set_product (HwEmbyClient    *self,
             HwServerProduct  product)
{
  if (self->product == product)
    return;
  self->product = product;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_PRODUCT]);
}

/* Something at the address answered, but not as Emby would: a 404, an HTML
 * page, JSON of another shape. Most likely server-url points at the wrong
 * place, so the wall says that rather than a bare HTTP error. The gate keeps
 * probing: a proxy's maintenance page looks the same and goes away. */
static char *
describe_probe_failure (const GError *error)
{
  g_autofree char *detail = hw_redact (error->message);

  if (error->domain == HW_EMBY_ERROR &&
      (error->code == HW_EMBY_ERROR_NOT_FOUND || error->code == HW_EMBY_ERROR_HTML ||
       error->code == HW_EMBY_ERROR_MALFORMED || error->code == HW_EMBY_ERROR_MISSING_FIELD ||
       error->code == HW_EMBY_ERROR_WRONG_TYPE))
    return g_strdup_printf (_("This address does not answer like an Emby or Jellyfin server "
                              "(%s): check server-url"), detail);

  return g_steal_pointer (&detail);
}

static void
on_probe_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  HwEmbyClient *self = HW_EMBY_CLIENT (source);
  g_autoptr(GCancellable) probe = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(HwEmbyServerInfo) info = NULL;
  gboolean was_open;

  body = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_cancellable_is_cancelled (probe))
    return;   /* a reset or a fresh probe took over */

  if (body != NULL)
    info = hw_emby_parse_server_info (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                      &error);

  if (info == NULL)
    {
      g_autofree char *reason = describe_probe_failure (error);

      hw_server_gate_probe_done (self->gate, probe, FALSE, reason);
      /* Closed before: still closed, for a reason that may have changed. */
      if (self->state == HW_SERVER_STATE_OFFLINE)
        set_state (self, HW_SERVER_STATE_OFFLINE, hw_server_gate_get_reason (self->gate));
      return;
    }

  g_debug ("Server “%s” (%s %s) answers", info->server_name ? info->server_name : "?",
           hw_emby_server_product_name (info->product), info->version ? info->version : "?");
  /* Before the gate opens: nothing else is sent before the first verdict. */
  set_product (self, info->product);
  was_open = hw_server_gate_get_state (self->gate) == HW_SERVER_GATE_OPEN;
  hw_server_gate_probe_done (self->gate, probe, TRUE, NULL);
  /* Open before (a suspicion): no change to hear of, but the verdict
   * stands and says so again: a sign-in that failed meanwhile goes again. */
  if (was_open)
    follow_open_gate (self);
}

static gboolean
on_gate_probe (HwServerGate *gate,
               GCancellable *probe,
               gpointer      user_data)
{
  HwEmbyClient *self = user_data;

  if (self->base_url == NULL)
    return FALSE;

  _hw_emby_client_start_call (self, HW_EMBY_CALL_PROBE, "GET", PROBE_PATH, NULL, probe,
                              on_probe_done, g_object_ref (probe));
  return TRUE;
}

static void
on_signed_in (HwEmbySignIn *sign_in,
              gboolean      checked,
              gpointer      user_data)
{
  HwEmbyClient *self = user_data;

  /* A token nobody has checked yet waits for the first probe's verdict. */
  if (self->state == HW_SERVER_STATE_CONNECTING &&
      (checked || !hw_server_gate_is_probing (self->gate)))
    set_state (self, HW_SERVER_STATE_ONLINE, NULL);
}

static void
on_sign_in_required (HwEmbySignIn *sign_in,
                     const char   *reason,
                     gpointer      user_data)
{
  HwEmbyClient *self = user_data;
  g_autoptr(GError) error = g_error_new_literal (HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED,
                                                 _("Sign-in required"));

  set_state (self, HW_SERVER_STATE_SIGN_IN_REQUIRED, reason);
  hw_server_gate_fail_waiters (self->gate, error);
}

static void
on_sign_in_retry (HwEmbySignIn *sign_in,
                  gpointer      user_data)
{
  HwEmbyClient *self = user_data;

  if (self->state != HW_SERVER_STATE_SIGN_IN_REQUIRED)
    return;

  g_message ("Trying to sign in again");
  /* The probe first, as at start: online once signed in. */
  set_state (self, HW_SERVER_STATE_CONNECTING, NULL);
  hw_server_gate_recheck (self->gate);
}

static void
on_token_generation (HwEmbySignIn *sign_in,
                     GParamSpec   *pspec,
                     gpointer      user_data)
{
  /* Whoever minted URLs with the old token mints them again. */
  g_object_notify_by_pspec (G_OBJECT (user_data), properties[PROP_TOKEN_GENERATION]);
}

/* The sign-in's exchange: a call that passes the gate and needs no token. */
static void
send_sign_in (const char          *body,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data,
              gpointer             exchange_data)
{
  _hw_emby_client_start_call (HW_EMBY_CLIENT (exchange_data), HW_EMBY_CALL_SIGN_IN, "POST",
                              "/Users/AuthenticateByName", body, cancellable,
                              callback, user_data);
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

  g_autofree char *username = NULL;
  g_autofree char *user_id = NULL;

  g_clear_pointer (&self->base_url, g_free);

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

  username = hw_config_dup_string (self->config, "username");
  user_id = hw_config_dup_string (self->config, "user-id");
  hw_emby_sign_in_configure (self->sign_in, self->base_url, username, user_id, api_key);

  self->request_timeout_s = MAX (1, hw_config_get_int (self->config, "request-timeout"));
  self->backoff_initial_us = MAX (1, hw_config_get_int (self->config, "backoff-initial")) * HW_USEC_PER_SEC;
  self->backoff_max_us = MAX (1, hw_config_get_int (self->config, "backoff-max")) * HW_USEC_PER_SEC;
  self->backoff_max_us = MAX (self->backoff_max_us, self->backoff_initial_us);
  hw_server_gate_set_backoff (self->gate, self->backoff_initial_us, self->backoff_max_us);
  hw_emby_sign_in_set_backoff_max (self->sign_in, self->backoff_max_us);
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

  g_hash_table_remove_all (self->held_back);
  /* Another server may be another product: the next probe says. */
  set_product (self, HW_SERVER_PRODUCT_EMBY);
  hw_emby_sign_in_reset (self->sign_in, error);
  hw_server_gate_reset (self->gate, error);
  load_config (self);

  set_state (self, HW_SERVER_STATE_CONNECTING, NULL);
  if (self->started)
    hw_server_gate_start (self->gate);
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
      hw_server_gate_set_backoff (self->gate, self->backoff_initial_us, self->backoff_max_us);
      hw_emby_sign_in_set_backoff_max (self->sign_in, self->backoff_max_us);
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

  if (hw_emby_sign_in_set_password_file (self->sign_in, path))
    reset (self);
}

void
hw_emby_client_sign_in_with_password (HwEmbyClient *self,
                                      const char   *password)
{
  g_return_if_fail (HW_IS_EMBY_CLIENT (self));
  g_return_if_fail (password != NULL);

  hw_emby_sign_in_set_typed_password (self->sign_in, password);
  /* A person answered: that is a configuration change, try again. */
  reset (self);
}

gboolean
hw_emby_client_has_credentials (HwEmbyClient *self)
{
  g_return_val_if_fail (HW_IS_EMBY_CLIENT (self), FALSE);

  return hw_emby_sign_in_has_credentials (self->sign_in);
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
  hw_server_gate_start (self->gate);
}

void
hw_emby_client_suspect_server (HwEmbyClient *self)
{
  const char *reason = "checking the server after many failures";

  g_return_if_fail (HW_IS_EMBY_CLIENT (self));

  if (self->state != HW_SERVER_STATE_ONLINE)
    return;

  g_message ("Many cells failed together: checking the server");
  set_state (self, HW_SERVER_STATE_OFFLINE, reason);
  hw_server_gate_close_and_probe (self->gate, reason);
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

HwServerProduct
hw_emby_client_get_server_product (HwEmbyClient *self)
{
  g_return_val_if_fail (HW_IS_EMBY_CLIENT (self), HW_SERVER_PRODUCT_EMBY);
  return self->product;
}

const char *
hw_emby_server_product_name (HwServerProduct product)
{
  switch (product)
    {
    case HW_SERVER_PRODUCT_JELLYFIN:
      return "Jellyfin";
    case HW_SERVER_PRODUCT_EMBY:
    default:
      return "Emby";
    }
}

const char *
hw_emby_client_get_user_id (HwEmbyClient *self)
{
  g_return_val_if_fail (HW_IS_EMBY_CLIENT (self), NULL);
  return hw_emby_sign_in_get_user_id (self->sign_in);
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
  return hw_emby_sign_in_get_token (self->sign_in);
}

SoupSession *
hw_emby_client_get_session (HwEmbyClient *self)
{
  g_return_val_if_fail (HW_IS_EMBY_CLIENT (self), NULL);
  return self->session;
}

const char *
hw_emby_client_get_device_name (HwEmbyClient *self)
{
  g_return_val_if_fail (HW_IS_EMBY_CLIENT (self), NULL);
  return self->device_name;
}

const char *
hw_emby_client_get_accept_certificate (HwEmbyClient *self)
{
  g_return_val_if_fail (HW_IS_EMBY_CLIENT (self), NULL);
  return self->accept_certificate;
}

guint
hw_emby_client_get_request_timeout (HwEmbyClient *self)
{
  g_return_val_if_fail (HW_IS_EMBY_CLIENT (self), 1);
  return self->request_timeout_s;
}

void
hw_emby_client_get_backoff (HwEmbyClient *self,
                            gint64       *initial_us,
                            gint64       *max_us)
{
  g_return_if_fail (HW_IS_EMBY_CLIENT (self));

  if (initial_us != NULL)
    *initial_us = self->backoff_initial_us;
  if (max_us != NULL)
    *max_us = self->backoff_max_us;
}

HwServerGate *
hw_emby_client_get_gate (HwEmbyClient *self)
{
  g_return_val_if_fail (HW_IS_EMBY_CLIENT (self), NULL);
  return self->gate;
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
}

static void
hw_emby_client_dispose (GObject *object)
{
  HwEmbyClient *self = HW_EMBY_CLIENT (object);
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 "The client went away");

  if (self->life != NULL)
    g_cancellable_cancel (self->life);
  if (self->sign_in != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->sign_in, self);
      hw_emby_sign_in_fail_waiters (self->sign_in, error);
    }
  if (self->gate != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->gate, self);
      hw_server_gate_fail_waiters (self->gate, error);
    }
  g_clear_object (&self->sign_in);
  g_clear_object (&self->gate);
  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (hw_emby_client_parent_class)->dispose (object);
}

static void
hw_emby_client_finalize (GObject *object)
{
  HwEmbyClient *self = HW_EMBY_CLIENT (object);

  g_clear_object (&self->life);
  g_free (self->base_url);
  g_free (self->accept_certificate);
  g_free (self->device_id);
  g_free (self->device_name);
  g_free (self->state_reason);
  g_clear_object (&self->shared);
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
      g_value_set_uint (value, hw_emby_sign_in_get_token_generation (self->sign_in));
      break;
    case PROP_SERVER_PRODUCT:
      g_value_set_enum (value, self->product);
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
  properties[PROP_SERVER_PRODUCT] =
    g_param_spec_enum ("server-product", NULL, NULL,
                       HW_TYPE_SERVER_PRODUCT, HW_SERVER_PRODUCT_EMBY,
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
  g_autoptr(HwTokenStore) tokens = hw_token_store_new ();

  self->state = HW_SERVER_STATE_CONNECTING;
  self->life = g_cancellable_new ();
  self->shared = hw_shared_requests_new ();
  self->latest_reports = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->held_back = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  self->gate = hw_server_gate_new (g_network_monitor_get_default ());
  g_signal_connect (self->gate, "notify::state", G_CALLBACK (on_gate_state), self);
  g_signal_connect (self->gate, "probe", G_CALLBACK (on_gate_probe), self);

  self->sign_in = hw_emby_sign_in_new (tokens, send_sign_in, self);
  g_signal_connect (self->sign_in, "signed-in", G_CALLBACK (on_signed_in), self);
  g_signal_connect (self->sign_in, "required", G_CALLBACK (on_sign_in_required), self);
  g_signal_connect (self->sign_in, "retry", G_CALLBACK (on_sign_in_retry), self);
  g_signal_connect (self->sign_in, "notify::token-generation", G_CALLBACK (on_token_generation),
                    self);

  /* The deadline is ours (request-timeout); libsoup's own idle timeout
   * would only cut in later and never on a silent half-open socket. */
  self->session = soup_session_new_with_options ("timeout", 0,
                                                 "user-agent", "Hyperwall/" PACKAGE_VERSION,
                                                 "max-conns-per-host", 6,
                                                 NULL);
}
