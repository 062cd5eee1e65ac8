/* hw-wall-controller.h: decides which cells exist and what they share.
 *
 * Builds rows × columns cells into the wall (keeping the cells that stay when
 * the grid changes), splits the demuxer cache budget across them and applies
 * it live, starts them staggered, forwards the server gate, suspects the
 * server when most of the wall fails at once, resets a cell whose watchdog
 * stopped, and writes the status file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "hw-config.h"
#include "hw-feed.h"
#include "hw-wall.h"

G_BEGIN_DECLS

/* What the window is doing, for the status file ("window" object). */
typedef struct {
  gboolean fullscreen_requested;
  gboolean fullscreen;       /* what the windowing system says it is */
  gboolean kiosk;
  gboolean decorated;
  gboolean pointer_hidden;
  gboolean inhibit_requested;
  gboolean inhibited;        /* the session accepted (a cookie came back) */
  int      monitor;          /* the monitor it is fullscreen on, -1: none */
} HwWallWindowState;

#define HW_TYPE_WALL_CONTROLLER (hw_wall_controller_get_type ())

G_DECLARE_FINAL_TYPE (HwWallController, hw_wall_controller, HW, WALL_CONTROLLER, GObject)

HwWallController *hw_wall_controller_new             (HwConfig         *config,
                                                      HwFeed           *feed,
                                                      HwWall           *wall);
/* NULL: no status file. */
void              hw_wall_controller_set_status_file (HwWallController *self,
                                                      const char       *path);
void              hw_wall_controller_start           (HwWallController *self);
/* Stops every cell and reports playback stopped; the wall is left empty. */
void              hw_wall_controller_shutdown        (HwWallController *self);

guint             hw_wall_controller_get_n_cells     (HwWallController *self);
HwCell           *hw_wall_controller_get_cell        (HwWallController *self,
                                                      guint             index);
/* Operator commands; @index -1 means the focused cell. */
int               hw_wall_controller_get_focused     (HwWallController *self);
void              hw_wall_controller_set_focused     (HwWallController *self,
                                                      int               index);
/* "left", "right", "up", "down" (wrapping at the edges), "next", "previous". */
void              hw_wall_controller_move_focus      (HwWallController *self,
                                                      const char       *direction);
int               hw_wall_controller_get_zoomed      (HwWallController *self);
/* Zooms @index to the whole wall, or back when it is the zoomed one. */
void              hw_wall_controller_toggle_zoom     (HwWallController *self,
                                                      int               index);
/* Makes @index the one audible cell, or the wall silent when it was. */
void              hw_wall_controller_toggle_audio    (HwWallController *self,
                                                      int               index);
void              hw_wall_controller_toggle_pause    (HwWallController *self,
                                                      int               index);
/* Pauses every cell, or resumes them all when all are paused. */
void              hw_wall_controller_toggle_pause_wall (HwWallController *self);
/* A message shown over the wall, for the status file's "banner". */
void              hw_wall_controller_set_banner      (HwWallController *self,
                                                      gboolean          shown,
                                                      const char       *header,
                                                      const char       *text);
void              hw_wall_controller_set_window_state (HwWallController        *self,
                                                       const HwWallWindowState *state);

G_END_DECLS
