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

static void
toggle_fullscreen (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  GtkWindow *window = GTK_WINDOW (widget);

  if (gtk_window_is_fullscreen (window))
    gtk_window_unfullscreen (window);
  else
    gtk_window_fullscreen (window);
}

static void
hw_window_class_init (HwWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.toggle-fullscreen", NULL, toggle_fullscreen);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0, "win.toggle-fullscreen", NULL);
}

static void
hw_window_init (HwWindow *self)
{
  gtk_widget_add_css_class (GTK_WIDGET (self), "hyperwall");
  gtk_window_set_title (GTK_WINDOW (self), _("Hyperwall"));
  gtk_window_set_default_size (GTK_WINDOW (self), 1280, 720);

  self->wall = HW_WALL (hw_wall_new ());
  gtk_window_set_child (GTK_WINDOW (self), GTK_WIDGET (self->wall));
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
