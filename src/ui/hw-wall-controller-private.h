/* hw-wall-controller-private.h: shared by the controller's files.
 *
 * hw-wall-controller.c owns the object and calls into
 * hw-wall-controller-operate.c (what the operator does), which never calls
 * it back: a change there asks the status writer for a write itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hw-cell.h"
#include "hw-layout.h"
#include "hw-loop-monitor.h"
#include "hw-reliability.h"
#include "hw-status-writer.h"
#include "hw-wall-controller.h"

G_BEGIN_DECLS

/* Cells start this far apart so they never all open streams at once. */
#define STAGGER_MS 300
/* Without a server (local files, demo) there is no one to spare: cells
 * start only this far apart, so that each creates its player in a turn of
 * the main loop of its own. 300 ms put the ninth cell's first frame of a
 * 3×3 wall 2.4 s after the first. */
#define LOCAL_STAGGER_MS 50

struct _HwWallController
{
  GObject             parent_instance;

  HwConfig           *config;
  HwFeed             *feed;
  HwWall             *wall;
  GPtrArray          *cells;          /* HwCell, index order */
  HwLayout            layout;         /* in force: the grid, or the layout key's */
  char               *layout_refused; /* the layout key's value last refused */
  HwLayoutFocus       focus_track;    /* the square the ring last passed through */
  HwCacheSplit        cache;          /* a one-square cell's share */
  HwCacheSplit        cell_cache[HW_LAYOUT_MAX_CELLS];   /* by index: shares by area */
  HwCellSettings      settings;
  char               *hwdec;
  HwRenderer          renderer;
  HwServerState       server_state;
  gboolean            gate_closed;    /* cells were stopped by the gate */
  int                 focused;
  int                 zoomed;         /* -1: the whole grid shows */
  guint64             zoom_paused;    /* bit i: cell i paused by the zoom */
  guint               focus_cycle_id;
  guint               rebuild_id;     /* renderer change: one cell at a time */
  guint               rebuild_next;
  gboolean            show_titles;
  HwWallWindowState   window_state;   /* reported in the status file */
  char               *banner_header;  /* a message shown over the wall */
  char               *banner_text;
  gboolean            banner_shown;

  HwSystemicDetector  systemic;
  HwHeartbeat         heartbeat;
  gint64              last_suspect_us;

  HwStatusWriter     *status;
  HwLoopMonitor      *loop_monitor;   /* with a status file only */
  guint               tick_id;
  GList              *start_timers;   /* GSource ids of pending staggered starts */
  GList              *gate_timers;    /* GSource ids of pending staggered gate openings */
  gboolean            started;
};

/* Puts every cell in its place (or the zoomed one over the whole wall). */
void _hw_wall_controller_apply_layout    (HwWallController *self);
void _hw_wall_controller_connect_operate (HwWallController *self);
void _hw_wall_controller_stop_operate    (HwWallController *self);
void _hw_wall_controller_add_operate_status (HwWallController *self,
                                             JsonBuilder      *builder);

G_END_DECLS
