/* hw-cell-supervisor-private.h: shared by the supervisor's files.
 *
 * hw-cell-supervisor.c: the object, what it shows, the status file;
 * hw-cell-supervisor-healing.c: player, items, timers, the machine's decisions;
 * hw-cell-supervisor-watchdog.c: the watchdog and the player's events.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hw-cell-supervisor.h"

G_BEGIN_DECLS

#define HW_CELL_HISTORY_LENGTH 8

struct _HwCellSupervisor
{
  GObject                   parent_instance;

  guint                     index;
  HwFeed                   *feed;
  HwCellView               *view;            /* not owned; NULL once detached */
  HwCellSupervisorSettings  settings;
  HwCacheSplit              cache;
  gboolean                  audible;
  gboolean                  repeat; /* an item that ends plays again */

  HwClockFunc               now;
  HwJitterFunc              jitter;
  gpointer                  clock_data;

  HwCellPlayer             *player;
  HwCellMachine             machine;
  HwStallTracker            tracker;
  HwMediaItem              *item;
  GCancellable             *request;

  GSource                  *watchdog;
  gint64                    last_tick_us;
  guint                     timer_id;
  gint64                    timer_due_us;
  gint64                    last_report_us;
  gint64                    run_started_us;
  gint64                    first_frame_real_us; /* wall-clock time of it, for the status file */
  gboolean                  buffering;
  gboolean                  shut_down;

  char                     *reason;          /* why the cell is not playing, redacted */
  char                     *loaded_url;      /* what the player was last asked to open */
  gboolean                  loaded_fallback; /* it is the item's fallback URL */
  char                     *pending_failure; /* held while the feed checks a failed stream */
  HwServerState             server_state;

  /* Operator "previous": items played before, newest last (at most
   * HW_CELL_HISTORY_LENGTH), and the one the next request takes from
   * there instead of asking the feed. */
  GPtrArray                *history;
  HwMediaItem              *queued;
  gboolean                  going_back;

  char                     *headline;        /* the card, NULL: no card */
  char                     *detail;
};

gint64  _hw_cell_supervisor_now            (HwCellSupervisor *self);
/* Stores the redacted @text (NULL clears it). */
void    _hw_cell_supervisor_set_reason     (HwCellSupervisor *self,
                                            const char       *text);
/* TRUE when it changed. */
/* TRUE when it changed. */
gboolean _hw_cell_supervisor_set_buffering (HwCellSupervisor *self,
                                            gboolean          buffering);
/* The card follows the state; called after every transition and tick. */
void    _hw_cell_supervisor_update_card    (HwCellSupervisor *self);
void    _hw_cell_supervisor_update_title   (HwCellSupervisor *self);
void    _hw_cell_supervisor_notify_state   (HwCellSupervisor *self);
void    _hw_cell_supervisor_emit_changed   (HwCellSupervisor *self);
void    _hw_cell_supervisor_emit_failure   (HwCellSupervisor *self,
                                            const char       *why);

/* hw-cell-supervisor-healing.c */
void    _hw_cell_supervisor_handle_event   (HwCellSupervisor *self,
                                            HwCellEvent       event,
                                            const char       *detail);
/* Counts a failure; @why is the reason's text. */
void    _hw_cell_supervisor_fail           (HwCellSupervisor *self,
                                            const char       *why);
void    _hw_cell_supervisor_cancel_request (HwCellSupervisor *self);
void    _hw_cell_supervisor_release_item   (HwCellSupervisor *self);
void    _hw_cell_supervisor_destroy_player (HwCellSupervisor *self);
/* Tells the feed about @item (the cell's, or one it just let go of) as
 * it plays now; a progress report only once it started, and none while
 * the server gate is closed. */
void _hw_cell_supervisor_report (HwCellSupervisor *self, HwMediaItem *item, HwFeedReport report);

/* hw-cell-supervisor-watchdog.c */
void    _hw_cell_supervisor_start_watchdog (HwCellSupervisor *self);
void    _hw_cell_supervisor_stop_watchdog  (HwCellSupervisor *self);
void    _hw_cell_supervisor_connect_player (HwCellSupervisor *self);

G_END_DECLS
