/* hw-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <glib/gi18n.h>

#include "hw-window.h"

struct _HwWindow
{
  GtkApplicationWindow parent_instance;

  HwWall              *wall;
};

G_DEFINE_FINAL_TYPE (HwWindow, hw_window, GTK_TYPE_APPLICATION_WINDOW)

/* Any key shows the focus ring again (it fades when left alone); the
 * keys themselves are app.* actions (hw-shortcuts.c). */
static gboolean
on_key_pressed (HwWindow *self)
{
  hw_wall_reveal_focus (self->wall);
  return GDK_EVENT_PROPAGATE;
}

static void
hw_window_class_init (HwWindowClass *klass)
{
}

static void
hw_window_init (HwWindow *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_widget_add_css_class (GTK_WIDGET (self), "hyperwall");
  gtk_window_set_title (GTK_WINDOW (self), _("Hyperwall"));
  gtk_window_set_default_size (GTK_WINDOW (self), 1280, 720);

  self->wall = HW_WALL (hw_wall_new ());
  gtk_window_set_child (GTK_WINDOW (self), GTK_WIDGET (self->wall));

  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}

HwWindow *
hw_window_new (GtkApplication *application)
{
  return g_object_new (HW_TYPE_WINDOW, "application", application, NULL);
}

HwWall *
hw_window_get_wall (HwWindow *self)
{
  g_return_val_if_fail (HW_IS_WINDOW (self), NULL);
  return self->wall;
}
