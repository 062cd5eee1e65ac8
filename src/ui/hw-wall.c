/* hw-wall.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-click-count.h"
#include "hw-wall.h"

/* How long the focus ring stays after the last key: long enough to read
 * from across the room what a key did, short enough not to sit over the
 * video all day. */
#define RING_IDLE_S 6

struct _HwWall
{
  GtkWidget parent_instance;

  guint        ring_timeout_id;
  HwClickCount clicks;
};

G_DEFINE_FINAL_TYPE (HwWall, hw_wall, GTK_TYPE_WIDGET)

enum {
  CELL_PRESSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
hw_wall_dispose (GObject *object)
{
  HwWall *self = HW_WALL (object);
  GtkWidget *child;

  g_clear_handle_id (&self->ring_timeout_id, g_source_remove);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (hw_wall_parent_class)->dispose (object);
}

static void
hw_wall_class_init (HwWallClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = hw_wall_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_GRID_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "hw-wall");
  /* Its cells are grid cells (hw-cell.c), the focused one selected. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GRID);

  signals[CELL_PRESSED] = g_signal_new ("cell-pressed", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 2, HW_TYPE_CELL, G_TYPE_INT);
}

static void
on_pressed (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            HwWall          *self)
{
  GtkWidget *widget = gtk_widget_pick (GTK_WIDGET (self), x, y, GTK_PICK_DEFAULT);
  guint32 time_ms = gtk_event_controller_get_current_event_time (GTK_EVENT_CONTROLLER (gesture));
  int double_click_ms = 400;

  /* The video surface (or a card) is picked: its cell is an ancestor. */
  while (widget != NULL && !HW_IS_CELL (widget))
    widget = gtk_widget_get_parent (widget);
  if (widget == NULL)
    return;

  /* GTK's own count (n_press) runs on a main-loop timer; the events'
   * timestamps are what the person did (hw-click-count.h). */
  g_object_get (gtk_widget_get_settings (GTK_WIDGET (self)),
                "gtk-double-click-time", &double_click_ms, NULL);
  n_press = (int) hw_click_count_press (&self->clicks, widget, time_ms,
                                        (guint) MAX (double_click_ms, 0));
  g_debug ("press %d on cell %u", n_press,
           hw_cell_supervisor_get_index (hw_cell_get_supervisor (HW_CELL (widget))));

  hw_wall_reveal_focus (self);
  g_signal_emit (self, signals[CELL_PRESSED], 0, widget, n_press);
}

static void
hw_wall_init (HwWall *self)
{
  GtkGridLayout *layout = GTK_GRID_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self)));
  GtkGesture *click = gtk_gesture_click_new ();

  /* Every cell gets the same share, whatever its card says. */
  gtk_grid_layout_set_row_homogeneous (layout, TRUE);
  gtk_grid_layout_set_column_homogeneous (layout, TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);

  /* Capture: the surfaces below must not swallow the click. */
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  /* Hidden until somebody uses a key or the mouse. */
  gtk_widget_add_css_class (GTK_WIDGET (self), "ring-idle");
}

GtkWidget *
hw_wall_new (void)
{
  return g_object_new (HW_TYPE_WALL, NULL);
}

void
hw_wall_place_spanning (HwWall *self,
                        HwCell *cell,
                        guint   row,
                        guint   column,
                        guint   row_span,
                        guint   column_span)
{
  GtkLayoutManager *layout;
  GtkGridLayoutChild *child;

  g_return_if_fail (HW_IS_WALL (self));
  g_return_if_fail (HW_IS_CELL (cell));

  if (gtk_widget_get_parent (GTK_WIDGET (cell)) != GTK_WIDGET (self))
    {
      gtk_widget_set_parent (GTK_WIDGET (cell), GTK_WIDGET (self));
      hw_cell_set_ring_idle (cell, gtk_widget_has_css_class (GTK_WIDGET (self), "ring-idle"));
    }

  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  child = GTK_GRID_LAYOUT_CHILD (gtk_layout_manager_get_layout_child (layout, GTK_WIDGET (cell)));
  gtk_grid_layout_child_set_row (child, row);
  gtk_grid_layout_child_set_column (child, column);
  gtk_grid_layout_child_set_row_span (child, MAX (1, row_span));
  gtk_grid_layout_child_set_column_span (child, MAX (1, column_span));
  gtk_widget_set_hexpand (GTK_WIDGET (cell), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (cell), TRUE);
}

void
hw_wall_place (HwWall *self,
               HwCell *cell,
               guint   row,
               guint   column)
{
  hw_wall_place_spanning (self, cell, row, column, 1, 1);
}

void
hw_wall_remove (HwWall *self,
                HwCell *cell)
{
  g_return_if_fail (HW_IS_WALL (self));

  if (gtk_widget_get_parent (GTK_WIDGET (cell)) == GTK_WIDGET (self))
    gtk_widget_unparent (GTK_WIDGET (cell));
}

/* The class fades the ring (style.css); the cells are told too, for video
 * outputs that must cut the ring out of their windows (hw-video-cover.h). */
static void
set_ring_idle (HwWall   *self,
               gboolean  idle)
{
  if (idle)
    gtk_widget_add_css_class (GTK_WIDGET (self), "ring-idle");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "ring-idle");
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (HW_IS_CELL (child))
      hw_cell_set_ring_idle (HW_CELL (child), idle);
}

static gboolean
ring_idle_cb (gpointer user_data)
{
  HwWall *self = user_data;

  self->ring_timeout_id = 0;
  set_ring_idle (self, TRUE);
  return G_SOURCE_REMOVE;
}

void
hw_wall_reveal_focus (HwWall *self)
{
  g_return_if_fail (HW_IS_WALL (self));

  set_ring_idle (self, FALSE);
  g_clear_handle_id (&self->ring_timeout_id, g_source_remove);
  self->ring_timeout_id = g_timeout_add_seconds (RING_IDLE_S, ring_idle_cb, self);
}
