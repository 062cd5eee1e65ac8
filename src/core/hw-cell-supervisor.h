/* hw-cell-supervisor.h: the healing half of a cell, without GTK or mpv.
 *
 * A supervisor asks its feed for items, has its view make a player for
 * them, has an HwCellWatchdog watch the player, and executes what the pure
 * HwCellMachine decides: load, stop, retry after a delay, park, skip and
 * set the item aside. It reports playback to the feed and writes the
 * cell's object in the status file. What the cell should show (state,
 * title, the card's headline and detail) are properties the view follows.
 *
 * Its state ("state", an HwCellState: HW_TYPE_CELL_STATE) changes only
 * with notify::state. "status-changed" says the cell's object in the status
 * file may have changed (a transition, what the machine did within a state,
 * the repeat mode); "failure" (const char *why): a failure is about to be
 * counted, for the wall's "is it the server?" detector.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "hw-cell-view.h"
#include "hw-cell-watchdog.h"
#include "hw-feed.h"
#include "hw-reliability.h"

G_BEGIN_DECLS

typedef struct {
  HwCellPolicy  policy;
  HwStallParams stall;
  guint         watchdog_interval_ms;
  gint64        cycle_interval_us;    /* 0: play every item to its end */
  int           network_timeout_s;
  const char   *hwdec;                /* used when a player is created */
} HwCellSupervisorSettings;

/* A jitter unit in [-1, 1] (the clock: HwClockFunc, hw-cell-watchdog.h). */
typedef double (*HwJitterFunc) (gpointer user_data);

#define HW_TYPE_CELL_SUPERVISOR (hw_cell_supervisor_get_type ())

G_DECLARE_FINAL_TYPE (HwCellSupervisor, hw_cell_supervisor, HW, CELL_SUPERVISOR, GObject)

/* @view is not referenced: it owns the supervisor, and detaches itself
 * (hw_cell_supervisor_detach) before it goes. */
HwCellSupervisor *hw_cell_supervisor_new (guint                           index,
                                          HwFeed                         *feed,
                                          HwCellView                     *view,
                                          const HwCellSupervisorSettings *settings,
                                          const HwCacheSplit             *cache);
/* Replaces the clock (g_get_monotonic_time) and the jitter (uniform in
 * [-1, 1]) the decisions use; NULL keeps the default. Timers still run on
 * the main context: tests give short delays and a clock of their own. */
void        hw_cell_supervisor_set_clock            (HwCellSupervisor               *self,
                                                     HwClockFunc                     now,
                                                     HwJitterFunc                    jitter,
                                                     gpointer                        user_data);

guint       hw_cell_supervisor_get_index            (HwCellSupervisor               *self);
void        hw_cell_supervisor_set_index            (HwCellSupervisor               *self,
                                                     guint                           index);
void        hw_cell_supervisor_set_settings         (HwCellSupervisor               *self,
                                                     const HwCellSupervisorSettings *settings);
void        hw_cell_supervisor_set_cache            (HwCellSupervisor               *self,
                                                     const HwCacheSplit             *cache);
void        hw_cell_supervisor_set_audible          (HwCellSupervisor               *self,
                                                     gboolean                        audible);

/* Starts asking the feed for content. */
void        hw_cell_supervisor_start                (HwCellSupervisor               *self);
/* Stops playback, reports it, releases the item, cancels requests; no
 * further requests are made. */
void        hw_cell_supervisor_shutdown             (HwCellSupervisor               *self);
/* Destroys the player through the view and forgets the view. */
void        hw_cell_supervisor_detach               (HwCellSupervisor               *self);
/* The watchdog stopped ticking: rebuild it, a fresh player, a fresh item. */
void        hw_cell_supervisor_reset                (HwCellSupervisor               *self);
/* @reason: why (redacted again here), for the card and the status file. */
void        hw_cell_supervisor_server_state_changed (HwCellSupervisor               *self,
                                                     HwServerState                   state,
                                                     const char                     *reason);

/* Operator commands. */
void        hw_cell_supervisor_next                 (HwCellSupervisor               *self);
/* Goes back to the item played before this one (a short history); FALSE
 * when there is none. */
gboolean    hw_cell_supervisor_previous             (HwCellSupervisor               *self);
void        hw_cell_supervisor_set_paused           (HwCellSupervisor               *self,
                                                     gboolean                        paused);
/* Repeat: an item that ends normally is played again instead of the next
 * (and cycle-interval does not apply). A failing item still walks the
 * escalation chain and is skipped like any other; the cell then repeats
 * what it plays next. */
void     hw_cell_supervisor_set_repeat (HwCellSupervisor *self, gboolean repeat);
gboolean hw_cell_supervisor_get_repeat (HwCellSupervisor *self);

HwCellState hw_cell_supervisor_get_state            (HwCellSupervisor               *self);
/* Paused by the operator, or pausing at its next first frame. */
gboolean    hw_cell_supervisor_get_wants_pause      (HwCellSupervisor               *self);
/* When the watchdog last ticked (the supervisor's clock). */
gint64      hw_cell_supervisor_get_last_tick        (HwCellSupervisor               *self);
/* Time left before the retry or park timer fires, -1 without one. */
gint64      hw_cell_supervisor_get_timer_remaining  (HwCellSupervisor               *self);
/* The title of the current item, NULL without one. */
const char *hw_cell_supervisor_get_title            (HwCellSupervisor               *self);
/* Why the cell is not playing (redacted), NULL when it has no reason. */
const char *hw_cell_supervisor_get_reason           (HwCellSupervisor               *self);
gboolean    hw_cell_supervisor_get_buffering        (HwCellSupervisor               *self);
/* The card: NULL headline for none, NULL detail for a headline alone. */
const char *hw_cell_supervisor_get_headline         (HwCellSupervisor               *self);
const char *hw_cell_supervisor_get_detail           (HwCellSupervisor               *self);

/* Adds this cell's object to the status file's "cells" array. */
void        hw_cell_supervisor_add_status           (HwCellSupervisor               *self,
                                                     JsonBuilder                    *builder);

G_END_DECLS
