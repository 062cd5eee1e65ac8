/* hw-emby-client-gate.c: the server gate of HwEmbyClient.
 *
 * A request that gets no answer only raises a suspicion: one probe of
 * /System/Info/Public decides. When the probe fails the state becomes
 * OFFLINE and calls fail at once (call_begin () in
 * hw-emby-client-calls.c) while one probe at a time runs with backoff. A
 * probe that answers opens the gate; the network coming back probes at
 * once. A best-effort report that times out does not count.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include <glib/gi18n.h>

#include "hw-emby-client-private.h"
#include "hw-redact.h"

#define PROBE_PATH "/System/Info/Public"

/* Rule 5: a request that timed out or failed in transport may have met a
 * slow endpoint or a dropped connection, not a dead server. It raises a
 * suspicion: one probe, whose failure (on_probe_done) closes the gate. */
void
_hw_emby_client_gate_suspect (HwEmbyClient *self,
                              const char   *reason)
{
  if (self->state != HW_SERVER_STATE_ONLINE && self->state != HW_SERVER_STATE_CONNECTING)
    return;   /* offline: the gate probes already; sign-in required: nothing to do */
  if (self->probing || self->probe_source != 0)
    return;

  g_message ("%s: checking the server", reason);
  _hw_emby_client_probe_now (self);
}

static void
on_probe_timer (gpointer user_data)
{
  HwEmbyClient *self = user_data;

  self->probe_source = 0;
  _hw_emby_client_probe_now (self);
}

static void
schedule_probe (HwEmbyClient *self)
{
  gint64 delay_us = hw_backoff_delay (self->probe_attempt++, self->backoff_initial_us,
                                      self->backoff_max_us, g_random_double_range (-1.0, 1.0));
  gint64 retry_us = self->probe_held_until_us - g_get_monotonic_time ();

  delay_us = MAX (delay_us, retry_us);
  g_debug ("Next probe of the server in %.1f s", delay_us / (double) HW_USEC_PER_SEC);
  g_clear_handle_id (&self->probe_source, g_source_remove);
  self->probe_source = g_timeout_add_once (MAX (1, delay_us / 1000), on_probe_timer, self);
}

void
_hw_emby_client_gate_close (HwEmbyClient *self,
                            const char   *reason)
{
  if (self->state == HW_SERVER_STATE_SIGN_IN_REQUIRED)
    return;

  _hw_emby_client_set_state (self, HW_SERVER_STATE_OFFLINE, reason);
  if (!self->probing && self->probe_source == 0)
    schedule_probe (self);
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
    return g_strdup_printf (_("This address does not answer like an Emby server (%s): "
                              "check server-url"), detail);

  return g_steal_pointer (&detail);
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
    return;   /* a reset or a fresh probe took over */

  self->probing = FALSE;
  if (body != NULL)
    info = hw_emby_parse_server_info (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);

  if (info == NULL)
    {
      g_autofree char *reason = describe_probe_failure (error);

      g_autoptr(GError) offline = g_error_new (HW_EMBY_ERROR, HW_EMBY_ERROR_OFFLINE,
                                               "Waiting for the server: %s", reason);

      if (self->state != HW_SERVER_STATE_SIGN_IN_REQUIRED)
        _hw_emby_client_set_state (self, HW_SERVER_STATE_OFFLINE, reason);
      _hw_emby_client_fail_waiters (self->gate_waiters, offline);
      schedule_probe (self);
      return;
    }

  g_debug ("Server “%s” (Emby %s) answers", info->server_name ? info->server_name : "?",
           info->version ? info->version : "?");
  self->probe_attempt = 0;

  if (self->state == HW_SERVER_STATE_SIGN_IN_REQUIRED)
    return;

  if (self->token != NULL)
    _hw_emby_client_set_state (self, HW_SERVER_STATE_ONLINE, NULL);
  else
    {
      /* Reachable; online once signed in. */
      _hw_emby_client_set_state (self, HW_SERVER_STATE_CONNECTING, NULL);
      _hw_emby_client_sign_in (self);
    }
  _hw_emby_client_resume_waiters (self->gate_waiters);
}

void
_hw_emby_client_probe_now (HwEmbyClient *self)
{
  if (self->probing || self->base_url == NULL)
    return;

  g_clear_handle_id (&self->probe_source, g_source_remove);
  self->probing = TRUE;
  g_clear_object (&self->probe_life);
  self->probe_life = g_cancellable_new ();
  _hw_emby_client_start_call (self, HW_EMBY_CALL_PROBE, "GET", PROBE_PATH, NULL,
                              self->probe_life, on_probe_done, g_object_ref (self->probe_life));
}

void
_hw_emby_client_cancel_probe (HwEmbyClient *self)
{
  if (self->probe_life != NULL)
    g_cancellable_cancel (self->probe_life);
  g_clear_object (&self->probe_life);
  self->probing = FALSE;
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
      /* A probe sent while the network was down may hang until its
       * deadline: a fresh one answers sooner. */
      _hw_emby_client_cancel_probe (self);
      _hw_emby_client_probe_now (self);
    }
}

void
_hw_emby_client_watch_network (HwEmbyClient *self)
{
  g_signal_connect_object (self->monitor, "network-changed", G_CALLBACK (on_network_changed),
                           self, 0);
}

void
hw_emby_client_suspect_server (HwEmbyClient *self)
{
  g_return_if_fail (HW_IS_EMBY_CLIENT (self));

  if (self->state != HW_SERVER_STATE_ONLINE)
    return;

  g_message ("Many cells failed together: checking the server");
  _hw_emby_client_set_state (self, HW_SERVER_STATE_OFFLINE,
                             "checking the server after many failures");
  self->probe_attempt = 0;
  _hw_emby_client_probe_now (self);
}
