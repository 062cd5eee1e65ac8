/* hw-application-kiosk.c: the window a kiosk can rely on.
 *
 * Fullscreen on the configured monitor (moving to another when it goes and
 * back when it returns), no decorations, the pointer hidden until it moves,
 * blanking and suspend inhibited, and nothing a passer-by can type or click
 * closes it: only the kiosk chord (hw-shortcuts.c) quits. The kiosk and
 * monitor keys apply live.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <glib/gi18n.h>

#include "hw-application-private.h"
#include "hw-shortcuts.h"

/* The pointer goes this long after it last moved. */
#define POINTER_HIDE_S 3

static void
update_state (HwApplication *self)
{
  HwWallWindowState state = { 0 };
  GtkWindow *window = GTK_WINDOW (self->window);

  if (self->controller == NULL || window == NULL)
    return;

  state.fullscreen_requested = self->kiosk || self->fullscreen;
  state.fullscreen = gtk_window_is_fullscreen (window);
  state.kiosk = self->kiosk;
  state.decorated = gtk_window_get_decorated (window);
  state.pointer_hidden = self->pointer_hidden;
  state.inhibit_requested = self->inhibit_requested;
  state.inhibited = self->inhibit_cookie != 0;
  state.monitor = state.fullscreen_requested ? hw_config_get_int (self->config, "monitor") : -1;
  hw_wall_controller_set_window_state (self->controller, &state);
}

/* The configured monitor if it is connected, else whichever the window
 * manager picks: a kiosk whose screen was unplugged must still show. */
static void
fullscreen_on_monitor (HwApplication *self)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self->window));
  GListModel *monitors = gdk_display_get_monitors (display);
  int monitor = hw_config_get_int (self->config, "monitor");
  g_autoptr(GdkMonitor) target = NULL;

  if (monitor >= 0)
    target = g_list_model_get_item (monitors, monitor);

  if (target != NULL)
    {
      g_message ("Fullscreen on monitor %d (%s)", monitor,
                 gdk_monitor_get_connector (target) ? gdk_monitor_get_connector (target) : "?");
      gtk_window_fullscreen_on_monitor (GTK_WINDOW (self->window), target);
    }
  else
    {
      if (monitor >= 0)
        g_warning ("There is no monitor %d (%u connected); using the current one",
                   monitor, g_list_model_get_n_items (monitors));
      gtk_window_fullscreen (GTK_WINDOW (self->window));
    }
}

/* ------------------------------------------------------------------ */
/* The pointer                                                         */

static void
show_pointer (HwApplication *self,
              gboolean       shown)
{
  if (self->pointer_hidden == !shown)
    return;
  self->pointer_hidden = !shown;
  if (shown)
    gtk_widget_set_cursor (GTK_WIDGET (self->window), NULL);
  else
    gtk_widget_set_cursor_from_name (GTK_WIDGET (self->window), "none");
  g_debug ("Pointer %s", shown ? "shown" : "hidden");
  update_state (self);
}

static gboolean
hide_pointer_cb (gpointer user_data)
{
  HwApplication *self = user_data;

  self->pointer_timeout_id = 0;
  show_pointer (self, FALSE);
  return G_SOURCE_REMOVE;
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           HwApplication            *self)
{
  /* Changing the cursor can report the pointer where it already was. */
  if (x == self->pointer_x && y == self->pointer_y)
    return;
  self->pointer_x = x;
  self->pointer_y = y;
  if (!self->kiosk)
    return;

  show_pointer (self, TRUE);
  g_clear_handle_id (&self->pointer_timeout_id, g_source_remove);
  self->pointer_timeout_id = g_timeout_add_seconds (POINTER_HIDE_S, hide_pointer_cb, self);
}

/* ------------------------------------------------------------------ */
/* Kiosk, fullscreen, monitors                                         */

static gboolean
on_close_request (HwApplication *self)
{
  if (!self->kiosk)
    return FALSE;
  g_message ("Kiosk: a request to close the window was ignored");
  return TRUE;
}

void
_hw_application_apply_window (HwApplication *self)
{
  GtkWindow *window = GTK_WINDOW (self->window);
  gboolean was_kiosk = self->kiosk;

  if (window == NULL)
    return;

  self->kiosk = hw_config_get_boolean (self->config, "kiosk");
  if (self->kiosk != was_kiosk)
    g_message ("Kiosk mode %s", self->kiosk ? "on" : "off");

  hw_shortcuts_apply (GTK_APPLICATION (self), self->kiosk);
  gtk_window_set_decorated (window, !self->kiosk);
  if (self->kiosk || self->fullscreen)
    fullscreen_on_monitor (self);
  else if (was_kiosk)
    gtk_window_unfullscreen (window);

  if (self->kiosk)
    {
      g_clear_handle_id (&self->pointer_timeout_id, g_source_remove);
      show_pointer (self, FALSE);
    }
  else
    show_pointer (self, TRUE);
  update_state (self);
}

void
_hw_application_toggle_fullscreen (HwApplication *self)
{
  if (self->window == NULL)
    return;
  if (self->kiosk)
    {
      g_message ("Kiosk: fullscreen stays on");
      return;
    }
  self->fullscreen = !gtk_window_is_fullscreen (GTK_WINDOW (self->window));
  if (self->fullscreen)
    fullscreen_on_monitor (self);
  else
    gtk_window_unfullscreen (GTK_WINDOW (self->window));
  update_state (self);
}

/* A monitor came or went: back on the configured one when it is there,
 * else on whichever remains. */
static void
on_monitors_changed (HwApplication *self,
                     guint          position,
                     guint          removed,
                     guint          added)
{
  g_message ("Monitors changed (%u removed, %u added)", removed, added);
  if (self->kiosk || self->fullscreen)
    fullscreen_on_monitor (self);
  update_state (self);
}

static void
on_cell_pressed (HwApplication *self,
                 HwCell        *cell,
                 int            n_press)
{
  int index = hw_cell_supervisor_get_index (hw_cell_get_supervisor (cell));

  g_action_group_activate_action (G_ACTION_GROUP (self), "focus", g_variant_new_int32 (index));
  if (n_press == 2)
    g_action_group_activate_action (G_ACTION_GROUP (self), "zoom", g_variant_new_int32 (index));
}

void
_hw_application_setup_window (HwApplication *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self->window));
  GListModel *monitors = gdk_display_get_monitors (display);

  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  gtk_widget_add_controller (GTK_WIDGET (self->window), motion);

  g_signal_connect_object (self->window, "close-request",
                           G_CALLBACK (on_close_request), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->window, "notify::fullscreened",
                           G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (hw_window_get_wall (self->window), "cell-pressed",
                           G_CALLBACK (on_cell_pressed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (monitors, "items-changed",
                           G_CALLBACK (on_monitors_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->config, "changed::kiosk",
                           G_CALLBACK (_hw_application_apply_window), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->config, "changed::monitor",
                           G_CALLBACK (_hw_application_apply_window), self, G_CONNECT_SWAPPED);

  _hw_application_apply_window (self);
}

/* A wall must never blank or sleep, kiosk or not. */
void
_hw_application_inhibit (HwApplication *self)
{
  self->inhibit_requested = TRUE;
  self->inhibit_cookie = gtk_application_inhibit (GTK_APPLICATION (self),
                                                  GTK_WINDOW (self->window),
                                                  GTK_APPLICATION_INHIBIT_IDLE |
                                                  GTK_APPLICATION_INHIBIT_SUSPEND,
                                                  _("Showing a video wall"));
  if (self->inhibit_cookie != 0)
    g_message ("Inhibited screen blanking and suspend");
  else
    g_message ("Asked to inhibit screen blanking and suspend; the session did not accept");
  update_state (self);
}

void
_hw_application_teardown_window (HwApplication *self)
{
  g_clear_handle_id (&self->pointer_timeout_id, g_source_remove);
  if (self->inhibit_cookie != 0)
    gtk_application_uninhibit (GTK_APPLICATION (self), self->inhibit_cookie);
  self->inhibit_cookie = 0;
}
