/* hw-cell-machine.h: one cell's states, and the decision each event brings
 * (rules 2 to 5 in docs/reliability.md).
 *
 * The machine decides and the cell executes: it never touches a player, a
 * timer or a feed, so every transition can be tested without them. The
 * crash-loop window that parks a failing cell lives here too, as the
 * machine is its only user.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "hw-backoff.h"

G_BEGIN_DECLS

/* Crash-loop window (rule 4) */

/* The largest crash-loop threshold the window can count to. The settings
 * allow up to 100 (a test checks the schema against this); a larger
 * threshold given here is clamped to it, so a cell can always park. */
#define HW_CRASH_WINDOW_MAX 128

typedef struct {
  gint64 times_us[HW_CRASH_WINDOW_MAX];
  guint  n;
} HwCrashWindow;

void  hw_crash_window_clear  (HwCrashWindow *window);
void  hw_crash_window_record (HwCrashWindow *window,
                              gint64         now_us);
/* Failures strictly younger than @window_us; older ones are dropped. */
guint hw_crash_window_count  (HwCrashWindow *window,
                              gint64         window_us,
                              gint64         now_us);

/* The machine */

typedef enum {
  HW_CELL_STATE_IDLE,
  HW_CELL_STATE_LOADING,
  HW_CELL_STATE_PLAYING,
  HW_CELL_STATE_ENDED,
  HW_CELL_STATE_RETRYING,
  HW_CELL_STATE_PARKED,
  HW_CELL_STATE_WAITING,            /* needs the server while its gate is closed */
  HW_CELL_STATE_SIGN_IN_REQUIRED,
  HW_CELL_STATE_PAUSED,             /* by the operator */
} HwCellState;

/* The names the status file uses: "idle", "loading", "playing", "ended",
 * "retrying", "parked", "waiting", "sign-in-required", "paused". */
const char *hw_cell_state_to_string (HwCellState state);

typedef enum {
  HW_CELL_EVENT_START,              /* show something: the first start, or after a stop */
  HW_CELL_EVENT_ITEM_READY,         /* the feed handed an item; load it direct */
  HW_CELL_EVENT_ITEM_UNAVAILABLE,   /* the feed could not hand one (transient) */
  HW_CELL_EVENT_FIRST_FRAME,
  HW_CELL_EVENT_PROGRESS,           /* time-pos strictly advanced */
  HW_CELL_EVENT_END,                /* a normal end, or the cycle interval elapsed */
  HW_CELL_EVENT_FAILURE,            /* error, premature end, stall, load timeout */
  HW_CELL_EVENT_UNPLAYABLE,         /* the item is certain to fail again (a 404, an ErrorCode,
                                     * a file that is no video): skip it, no retry, no count */
  HW_CELL_EVENT_TIMER,              /* the delay of the last SCHEDULE/PARK passed */
  HW_CELL_EVENT_GATE_CLOSED,
  HW_CELL_EVENT_GATE_OPENED,
  HW_CELL_EVENT_SIGN_IN_REQUIRED,
  HW_CELL_EVENT_OPERATOR_NEXT,      /* also un-parks */
  HW_CELL_EVENT_OPERATOR_PAUSE,
  HW_CELL_EVENT_OPERATOR_RESUME,
} HwCellEvent;

const char *hw_cell_event_to_string (HwCellEvent event);

typedef enum {
  HW_CELL_ACTION_NONE,
  HW_CELL_ACTION_REQUEST_ITEM,      /* stop, release the current item, ask the feed for the next */
  HW_CELL_ACTION_LOAD,              /* load the current item's decision.stream */
  HW_CELL_ACTION_SCHEDULE,          /* stop, show the retry card, send TIMER after delay_us */
  HW_CELL_ACTION_PARK,              /* stop, release the item, show "Media unavailable",
                                     * send TIMER after delay_us (the cooldown) */
  HW_CELL_ACTION_STOP,              /* stop, release the item, make no requests (gate / sign-in) */
  HW_CELL_ACTION_PAUSE,
  HW_CELL_ACTION_RESUME,
} HwCellAction;

typedef struct {
  guint  crash_loop_threshold;      /* 5 */
  gint64 crash_loop_window_us;      /* 60 s */
  gint64 crash_loop_cooldown_us;    /* 120 s */
  gint64 backoff_initial_us;        /* 2 s */
  gint64 backoff_max_us;            /* 30 s */
  gint64 backoff_reset_us;          /* 10 s: a run this long clears the retry count */
} HwCellPolicy;

void hw_cell_policy_init_defaults (HwCellPolicy *policy);

typedef struct {
  HwCellState  old_state;
  HwCellState  state;
  HwCellAction action;
  HwStreamKind stream;              /* for LOAD */
  gint64       delay_us;            /* for SCHEDULE and PARK */
  const char  *reason;              /* static string, why (for the debug log) */
} HwCellDecision;

typedef struct {
  HwCellPolicy  policy;
  HwCellState   state;
  HwCellState   state_before_pause;
  /* The operator asked for a pause that has not taken yet: the cell was
   * loading, retrying or waiting. It pauses at its first frame. */
  gboolean      pause_pending;
  HwStreamKind  stream;             /* what is loaded now */
  gboolean      has_fallback;       /* the current item has a fallback stream */
  guint         item_failures;      /* failures of the current item (escalation) */
  guint         retries;            /* the retry count the backoff reset clears */
  gint64        playing_since_us;   /* first frame of the current run, 0 if none */
  gint64        parked_until_us;
  gboolean      gate_closed;        /* the server gate: nothing that needs the server */
  gboolean      offline_items;      /* ... but the feed has items that play without it */
  gboolean      remote;             /* the current item streams from the server */
  HwCrashWindow window;
} HwCellMachine;

void           hw_cell_machine_init         (HwCellMachine      *machine,
                                             const HwCellPolicy *policy);
void           hw_cell_machine_set_policy   (HwCellMachine      *machine,
                                             const HwCellPolicy *policy);
/* The item about to be loaded has (or lacks) a fallback stream. */
void           hw_cell_machine_set_fallback (HwCellMachine      *machine,
                                             gboolean            has_fallback);
/* The feed has items that play without the server (copies on disk):
 * with the gate closed the cell asks for those instead of waiting. Set
 * before GATE_CLOSED. */
void           hw_cell_machine_set_offline_items (HwCellMachine *machine,
                                                  gboolean       offline_items);
/* The item about to be loaded streams from the server (or is a file). */
void           hw_cell_machine_set_remote   (HwCellMachine      *machine,
                                             gboolean            remote);
/* @unit: a jitter unit in [-1, 1] the caller drew. */
HwCellDecision hw_cell_machine_handle       (HwCellMachine      *machine,
                                             HwCellEvent         event,
                                             double              unit,
                                             gint64              now_us);
/* Paused by the operator, or asked to be and pausing at its next first
 * frame. */
gboolean       hw_cell_machine_wants_pause  (const HwCellMachine *machine);
/* Failures inside the crash-loop window at @now_us. */
guint          hw_cell_machine_failures     (HwCellMachine      *machine,
                                             gint64              now_us);

G_END_DECLS
