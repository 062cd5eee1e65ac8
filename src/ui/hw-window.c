/* hw-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <glib/gi18n.h>

#include "hw-video-cover.h"
#include "hw-window.h"

struct _HwWindow
{
  GtkApplicationWindow parent_instance;

  HwWall              *wall;
  GtkWidget           *banner;
  GtkWidget           *banner_header;
  GtkWidget           *banner_text;
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
  GtkWidget *overlay = gtk_overlay_new ();

  gtk_widget_add_css_class (GTK_WIDGET (self), "hyperwall");
  gtk_window_set_title (GTK_WINDOW (self), _("Hyperwall"));
  gtk_window_set_default_size (GTK_WINDOW (self), 1280, 720);

  self->wall = HW_WALL (hw_wall_new ());
  gtk_overlay_set_child (GTK_OVERLAY (overlay), GTK_WIDGET (self->wall));
  gtk_window_set_child (GTK_WINDOW (self), overlay);

  /* The banner: a message sent to this wall (hw-remote-control.c). */
  /* An alert, so a screen reader reads the message when it shows. */
  self->banner = g_object_new (GTK_TYPE_BOX,
                               "orientation", GTK_ORIENTATION_VERTICAL,
                               "spacing", 12,
                               "accessible-role", GTK_ACCESSIBLE_ROLE_ALERT,
                               NULL);
  gtk_widget_add_css_class (self->banner, "banner");
  gtk_widget_set_halign (self->banner, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (self->banner, GTK_ALIGN_CENTER);
  gtk_widget_set_can_target (self->banner, FALSE);
  self->banner_header = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->banner_header, "headline");
  self->banner_text = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->banner_text, "text");
  for (GtkWidget *label = self->banner_header; label != NULL;
       label = label == self->banner_header ? self->banner_text : NULL)
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
      gtk_box_append (GTK_BOX (self->banner), label);
    }
  gtk_widget_set_visible (self->banner, FALSE);
  /* Its outer shadow included (style.css). */
  hw_video_cover_mark (self->banner, 0, 4);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), self->banner);

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

static void
set_label (GtkWidget  *label,
           const char *text)
{
  gtk_label_set_text (GTK_LABEL (label), text != NULL ? text : "");
  gtk_widget_set_visible (label, text != NULL && *text != '\0');
}

void
hw_window_show_banner (HwWindow   *self,
                       const char *header,
                       const char *text)
{
  g_return_if_fail (HW_IS_WINDOW (self));

  set_label (self->banner_header, header);
  set_label (self->banner_text, text);
  gtk_widget_set_visible (self->banner, TRUE);
}

void
hw_window_hide_banner (HwWindow *self)
{
  g_return_if_fail (HW_IS_WINDOW (self));
  gtk_widget_set_visible (self->banner, FALSE);
}
