/* ui-test-util.c: waiting on the main loop in GTK tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ui-test-util.h"

void
ui_test_spin (gint64 duration_us)
{
  gint64 end = g_get_monotonic_time () + duration_us;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

GtkWidget *
ui_test_find_widget (GtkWidget *widget,
                     GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ui_test_find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

gboolean
ui_test_wait_for_frames (HwCell  *cell,
                         guint64  frames,
                         gint64   timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  while (hw_cell_get_frames (cell) < frames && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
  return hw_cell_get_frames (cell) >= frames;
}
