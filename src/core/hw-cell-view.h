/* hw-cell-view.h: what a cell's supervisor needs from whatever shows it.
 *
 * The view makes the players (so it can draw them) and says how many
 * frames it has shown. Drawing stays the view's business: when its video
 * output fails it falls back on its own, with the same player. HwCell is
 * the real view; tests use a fake that makes fake players.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "hw-cell-player.h"

G_BEGIN_DECLS

#define HW_TYPE_CELL_VIEW (hw_cell_view_get_type ())

G_DECLARE_INTERFACE (HwCellView, hw_cell_view, HW, CELL_VIEW, GObject)

struct _HwCellViewInterface
{
  GTypeInterface parent_iface;

  HwCellPlayer *(*create_player)  (HwCellView            *self,
                                   const HwPlayerOptions *options,
                                   GError               **error);
  void          (*release_player) (HwCellView            *self,
                                   HwCellPlayer          *player);
  guint64       (*get_frames)     (HwCellView            *self);
  const char   *(*get_renderer)   (HwCellView            *self);
};

/* A new player, already shown by the view (full reference); NULL with
 * @error set when none can be made. */
HwCellPlayer *hw_cell_view_create_player  (HwCellView            *self,
                                           const HwPlayerOptions *options,
                                           GError               **error);
/* The view stops showing @player and frees what draws it. Called before
 * the supervisor drops the player: whatever draws a player must be gone
 * before the player itself (mpv aborts otherwise). */
void          hw_cell_view_release_player (HwCellView            *self,
                                           HwCellPlayer          *player);
/* Frames shown by the current player's output, 0 without one. */
guint64       hw_cell_view_get_frames     (HwCellView            *self);
/* What draws the current player: "gl", "software", or NULL (none). */
const char   *hw_cell_view_get_renderer   (HwCellView            *self);

G_END_DECLS
