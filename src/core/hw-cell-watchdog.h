/* hw-cell-watchdog.h: what a cell's player never says as an event.
 *
 * mpv reports no stall, no load that never starts and no picture that
 * stopped while the position moves on: the watchdog looks every interval.
 * It samples the player and the frames the view has shown into the pure
 * HwStallTracker, tells when the cell is buffering, and gives its verdict
 * as "stalled". Its last tick is the heartbeat the wall controller checks.
 *
 * The supervisor keeps it informed (the player, the view, the state, a
 * load, a first frame); it decides nothing about the cell itself. Each
 * tick, in this order:
 *   "stalled" (HwCellReason): while playing, a load with no video track to
 *     show (HW_CELL_REASON_NO_VIDEO_TRACK, certain to stay so);
 *   "progress": while playing, the position moved on since the last tick;
 *   "tick" (gint64 now): every tick, for the cell's own periodic duties;
 *   notify::buffering, then "stalled" (HW_CELL_REASON_STALLED, _LOAD_TIMEOUT
 *     or _FROZEN): the stall verdict, unless the state changed meanwhile.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "hw-cell-machine.h"
#include "hw-cell-view.h"
#include "hw-stall.h"

G_BEGIN_DECLS

/* Monotonic microseconds. */
typedef gint64 (*HwClockFunc) (gpointer user_data);

#define HW_TYPE_CELL_WATCHDOG (hw_cell_watchdog_get_type ())

G_DECLARE_FINAL_TYPE (HwCellWatchdog, hw_cell_watchdog, HW, CELL_WATCHDOG, GObject)

HwCellWatchdog *hw_cell_watchdog_new              (void);
/* NULL: g_get_monotonic_time. Stamps the heartbeat on the new clock. */
void            hw_cell_watchdog_set_clock        (HwCellWatchdog      *self,
                                                   HwClockFunc          now,
                                                   gpointer             user_data);
void            hw_cell_watchdog_set_params       (HwCellWatchdog      *self,
                                                   const HwStallParams *params);

/* (Re)starts ticking every @interval_ms and stamps the heartbeat. */
void            hw_cell_watchdog_start            (HwCellWatchdog      *self,
                                                   guint                interval_ms);
void            hw_cell_watchdog_stop             (HwCellWatchdog      *self);

/* What it watches. The player is referenced until replaced; the view is
 * not (NULL once it is gone). A player is watched only while it has a
 * load and the cell is loading, playing or paused. */
void            hw_cell_watchdog_set_player       (HwCellWatchdog      *self,
                                                   HwCellPlayer        *player);
void            hw_cell_watchdog_set_view         (HwCellWatchdog      *self,
                                                   HwCellView          *view);
/* The cell's state after every transition: a tick that causes one (through
 * its signals) judges no stall afterwards. */
void            hw_cell_watchdog_set_state        (HwCellWatchdog      *self,
                                                   HwCellState          state);
/* Whether the cell's item is read over the network (the early stall). */
void            hw_cell_watchdog_set_network      (HwCellWatchdog      *self,
                                                   gboolean             network);
/* A new load starts (not buffering, no first frame yet), and its first frame. */
void            hw_cell_watchdog_start_load       (HwCellWatchdog      *self,
                                                   gint64               now_us);
void            hw_cell_watchdog_first_frame      (HwCellWatchdog      *self,
                                                   gint64               now_us);

/* When it last ticked (its clock). */
gint64          hw_cell_watchdog_get_last_tick    (HwCellWatchdog      *self);
gboolean        hw_cell_watchdog_get_buffering    (HwCellWatchdog      *self);

G_END_DECLS
