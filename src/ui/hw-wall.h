/* hw-wall.h: the grid the cells live in. Layout only; HwWallController
 * decides which cells exist.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hw-cell.h"

G_BEGIN_DECLS

#define HW_TYPE_WALL (hw_wall_get_type ())

G_DECLARE_FINAL_TYPE (HwWall, hw_wall, HW, WALL, GtkWidget)

/* Signals: "cell-pressed" (HwCell *cell, int n_press): a click on a cell. */

GtkWidget *hw_wall_new    (void);
/* Adds @cell if it is not a child yet, and puts it at @row, @column. */
void       hw_wall_place  (HwWall *self,
                           HwCell *cell,
                           guint   row,
                           guint   column);
void       hw_wall_remove (HwWall *self,
                           HwCell *cell);
/* As hw_wall_place, over @row_span × @column_span grid lines (zoom). */
void       hw_wall_place_spanning (HwWall *self,
                                   HwCell *cell,
                                   guint   row,
                                   guint   column,
                                   guint   row_span,
                                   guint   column_span);
/* Shows the focus ring again; it fades after a few idle seconds. */
void       hw_wall_reveal_focus   (HwWall *self);

G_END_DECLS
