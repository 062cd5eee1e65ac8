/* hw-wall.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-wall.h"

struct _HwWall
{
  GtkWidget parent_instance;
};

G_DEFINE_FINAL_TYPE (HwWall, hw_wall, GTK_TYPE_WIDGET)

static void
hw_wall_dispose (GObject *object)
{
  GtkWidget *child;

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
}

static void
hw_wall_init (HwWall *self)
{
  GtkGridLayout *layout = GTK_GRID_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self)));

  /* Every cell gets the same share, whatever its card says. */
  gtk_grid_layout_set_row_homogeneous (layout, TRUE);
  gtk_grid_layout_set_column_homogeneous (layout, TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
}

GtkWidget *
hw_wall_new (void)
{
  return g_object_new (HW_TYPE_WALL, NULL);
}

void
hw_wall_place (HwWall *self,
               HwCell *cell,
               guint   row,
               guint   column)
{
  GtkLayoutManager *layout;
  GtkGridLayoutChild *child;

  g_return_if_fail (HW_IS_WALL (self));
  g_return_if_fail (HW_IS_CELL (cell));

  if (gtk_widget_get_parent (GTK_WIDGET (cell)) != GTK_WIDGET (self))
    gtk_widget_set_parent (GTK_WIDGET (cell), GTK_WIDGET (self));

  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  child = GTK_GRID_LAYOUT_CHILD (gtk_layout_manager_get_layout_child (layout, GTK_WIDGET (cell)));
  gtk_grid_layout_child_set_row (child, row);
  gtk_grid_layout_child_set_column (child, column);
  gtk_widget_set_hexpand (GTK_WIDGET (cell), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (cell), TRUE);
}

void
hw_wall_remove (HwWall *self,
                HwCell *cell)
{
  g_return_if_fail (HW_IS_WALL (self));

  if (gtk_widget_get_parent (GTK_WIDGET (cell)) == GTK_WIDGET (self))
    gtk_widget_unparent (GTK_WIDGET (cell));
}
