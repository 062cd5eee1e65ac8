/* hw-reliability.h: every decision that keeps an unattended wall alive.
 *
 * Pure C on GLib's basic types only: no GTK, no mpv, no libsoup, and no clock.
 * Time always comes in as an argument (microseconds, monotonic), and so does
 * randomness (a jitter unit in [-1, 1]), so tests drive it deterministically.
 * The rules and their defaults are in docs/reliability.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HW_USEC_PER_SEC G_GINT64_CONSTANT (1000000)
#define HW_MIB          (G_GUINT64_CONSTANT (1) << 20)

/* ------------------------------------------------------------------ */
/* Stall detection (rule 1)                                            */

typedef struct {
  gint64 stall_timeout_us;     /* no strict time-pos progress for more than this: stalled */
  gint64 load_timeout_us;      /* no first frame this long after a load: stalled */
  /* A network stream whose demuxer cache total-bytes has not grown for more
   * than this while mpv waits for cache (paused-for-cache) is stalled early.
   * 0 disables the early path. */
  gint64 network_stall_us;
} HwStallParams;

typedef struct {
  gboolean operator_paused;    /* exempt */
  gboolean seeking;            /* exempt */
  gboolean paused_for_cache;   /* NOT exempt: a network stall looks exactly like it */
  gboolean network;            /* the stream is read over the network */
  gboolean cache_eof;          /* the demuxer has read the whole stream (nothing left to grow) */
} HwPlaybackFlags;

typedef enum {
  HW_STALL_VERDICT_OK,
  HW_STALL_VERDICT_BUFFERING,     /* bytes stopped growing: show "buffering", not yet a failure */
  HW_STALL_VERDICT_STALLED,       /* playing, no progress for too long */
  HW_STALL_VERDICT_LOAD_TIMEOUT,  /* loading, no first frame in time */
} HwStallVerdict;

typedef struct {
  gboolean loading;            /* between load and first frame */
  gint64   load_started_us;
  gboolean has_position;
  double   last_position;
  gint64   last_progress_us;   /* when time-pos last strictly increased (or an exemption ended) */
  gboolean has_bytes;
  gint64   last_total_bytes;
  gint64   last_bytes_growth_us;
} HwStallTracker;

void           hw_stall_tracker_start_load  (HwStallTracker        *tracker,
                                             gint64                 now_us);
void           hw_stall_tracker_first_frame (HwStallTracker        *tracker,
                                             gint64                 now_us);
/* Progress means the position strictly increased; equal or lower is not. */
void           hw_stall_tracker_position    (HwStallTracker        *tracker,
                                             double                 position,
                                             gint64                 now_us);
void           hw_stall_tracker_cache_bytes (HwStallTracker        *tracker,
                                             gint64                 total_bytes,
                                             gint64                 now_us);
/* Not const: while exempt the progress clock is held at @now_us, so time
 * spent paused or seeking never counts towards a stall afterwards.
 * At exactly the timeout a cell is not stalled (the check is strict). */
HwStallVerdict hw_stall_tracker_check       (HwStallTracker        *tracker,
                                             const HwStallParams   *params,
                                             const HwPlaybackFlags *flags,
                                             gint64                 now_us);

/* ------------------------------------------------------------------ */
/* Backoff and escalation (rules 2, 3, 5)                              */

/* @base_us scaled by (1 + 0.25 * @unit), @unit clamped to [-1, 1]. */
gint64 hw_backoff_jitter (gint64 base_us,
                          double unit);

/* Exponential: initial * 2^attempt, capped at @max_us, then jittered.
 * attempt 0 gives about @initial_us. Used by the server gate (2 s → 30 s). */
gint64 hw_backoff_delay  (guint  attempt,
                          gint64 initial_us,
                          gint64 max_us,
                          double unit);

typedef enum {
  HW_STREAM_DIRECT,
  HW_STREAM_FALLBACK,          /* the transcode */
} HwStreamKind;

typedef struct {
  gboolean     skip;           /* the chain is exhausted: move on to the next item */
  HwStreamKind stream;         /* what to load when the delay has passed */
  gint64       delay_us;       /* jittered */
} HwEscalationStep;

/* After the @failures-th failure of one item (1-based): failure 1 → direct
 * after initial (2 s); 2 → fallback after 2×initial (4 s); 3 → fallback after
 * 4×initial (8 s); 4 → skip. Delays capped at @max_us. Without a fallback
 * every retry is direct. */
HwEscalationStep hw_escalation_step (guint    failures,
                                     gboolean has_fallback,
                                     gint64   initial_us,
                                     gint64   max_us,
                                     double   unit);

/* ------------------------------------------------------------------ */
/* Crash-loop window (rule 4)                                          */

#define HW_CRASH_WINDOW_MAX 64

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

/* ------------------------------------------------------------------ */
/* The cell state machine                                              */

typedef enum {
  HW_CELL_STATE_IDLE,
  HW_CELL_STATE_LOADING,
  HW_CELL_STATE_PLAYING,
  HW_CELL_STATE_ENDED,
  HW_CELL_STATE_RETRYING,
  HW_CELL_STATE_PARKED,
  HW_CELL_STATE_WAITING,            /* the server gate is closed */
  HW_CELL_STATE_SIGN_IN_REQUIRED,
  HW_CELL_STATE_PAUSED,             /* by the operator */
} HwCellState;

/* The names the status file uses: "idle", "loading", "playing", "ended",
 * "retrying", "parked", "waiting", "sign-in-required", "paused". */
const char *hw_cell_state_to_string (HwCellState state);

typedef enum {
  HW_CELL_EVENT_START,              /* the cell should show something: first start, or after a stop */
  HW_CELL_EVENT_ITEM_READY,         /* the feed handed an item; load it direct */
  HW_CELL_EVENT_ITEM_UNAVAILABLE,   /* the feed could not hand one (transient) */
  HW_CELL_EVENT_FIRST_FRAME,
  HW_CELL_EVENT_PROGRESS,           /* time-pos strictly advanced */
  HW_CELL_EVENT_END,                /* a normal end, or the cycle interval elapsed */
  HW_CELL_EVENT_FAILURE,            /* error, premature end, stall, load timeout */
  HW_CELL_EVENT_NOT_FOUND,          /* 404 or an ErrorCode: skip the item, no retry */
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
  HW_CELL_ACTION_STOP,              /* stop playback, make no requests (gate / sign-in) */
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
  HwStreamKind  stream;             /* what is loaded now */
  gboolean      has_fallback;       /* the current item has a fallback stream */
  guint         item_failures;      /* failures of the current item (escalation) */
  guint         retries;            /* the retry count the backoff reset clears */
  gint64        playing_since_us;   /* first frame of the current run, 0 if none */
  gint64        parked_until_us;
  HwCrashWindow window;
} HwCellMachine;

void           hw_cell_machine_init         (HwCellMachine      *machine,
                                             const HwCellPolicy *policy);
void           hw_cell_machine_set_policy   (HwCellMachine      *machine,
                                             const HwCellPolicy *policy);
/* The item about to be loaded has (or lacks) a fallback stream. */
void           hw_cell_machine_set_fallback (HwCellMachine      *machine,
                                             gboolean            has_fallback);
/* @unit: a jitter unit in [-1, 1] the caller drew. */
HwCellDecision hw_cell_machine_handle       (HwCellMachine      *machine,
                                             HwCellEvent         event,
                                             double              unit,
                                             gint64              now_us);
/* Failures inside the crash-loop window at @now_us. */
guint          hw_cell_machine_failures     (HwCellMachine      *machine,
                                             gint64              now_us);

/* ------------------------------------------------------------------ */
/* Systemic failure (rule 5): most of the wall failing together is the */
/* server, not the media.                                              */

#define HW_SYSTEMIC_MAX_CELLS 64

typedef struct {
  gint64 last_failure_us[HW_SYSTEMIC_MAX_CELLS];
} HwSystemicDetector;

void     hw_systemic_detector_init   (HwSystemicDetector *detector);
/* Records a failure of @cell; TRUE when at least three cells, and more than
 * half of the @n_cells, failed within @window_us of @now_us. */
gboolean hw_systemic_detector_record (HwSystemicDetector *detector,
                                      guint               cell,
                                      guint               n_cells,
                                      gint64              window_us,
                                      gint64              now_us);
void     hw_systemic_detector_clear  (HwSystemicDetector *detector);

/* ------------------------------------------------------------------ */
/* Heartbeats (rule 9)                                                 */

/* TRUE when a watchdog whose period is @interval_us last ticked so long ago
 * that it must be wedged (more than 5 periods, at least 5 s). */
gboolean hw_heartbeat_is_stale (gint64 last_tick_us,
                                gint64 interval_us,
                                gint64 now_us);

/* ------------------------------------------------------------------ */
/* Cache budget (rule 8)                                               */

/* Pool rounds an item sits out after a cell gave up on it: a failure may
 * pass (a busy transcoder, a flaky disk), a missing stream will not. Either
 * comes back when nothing else is left to play. */
#define HW_SET_ASIDE_ROUNDS_FAILED 2
#define HW_SET_ASIDE_ROUNDS_GONE   G_MAXUINT

#define HW_CACHE_FLOOR_BYTES (32 * HW_MIB)

typedef struct {
  guint64 per_cell_bytes;       /* the cell's whole share */
  guint64 forward_bytes;        /* demuxer-max-bytes: 3/4 of the share */
  guint64 back_bytes;           /* demuxer-max-back-bytes: the rest */
} HwCacheSplit;

/* share = min(cap, budget / cells), at least 32 MiB unless 32 MiB × cells
 * would exceed the budget, then budget / cells. cells == 0 gives zeros. */
HwCacheSplit hw_cache_split (guint64 budget_bytes,
                             guint64 per_cell_cap_bytes,
                             guint   n_cells);

/* ------------------------------------------------------------------ */
/* Error classification (docs/emby-api.md, "Errors")               */

typedef enum {
  HW_ERROR_CLASS_OK,
  HW_ERROR_CLASS_TRANSIENT,     /* back off and retry */
  HW_ERROR_CLASS_REAUTH,        /* 401: sign in again once */
  HW_ERROR_CLASS_FATAL,         /* 403 and the like: not for this request */
  HW_ERROR_CLASS_SKIP,          /* 404 on an item or stream, ErrorCode: skip the item */
} HwErrorClass;

const char  *hw_error_class_to_string (HwErrorClass klass);

/* @status: the HTTP status, or 0 for a transport error or timeout.
 * @error_code: PlaybackInfo's ErrorCode or NULL. @body_ok: FALSE when a 2xx
 * body was malformed (transient). */
HwErrorClass hw_classify_response     (guint       status,
                                       const char *error_code,
                                       gboolean    body_ok);

/* Parses Retry-After (delta seconds or an HTTP date, relative to @now_unix);
 * returns seconds clamped to [0, 3600], or -1 when absent or unparsable. */
gint64       hw_parse_retry_after     (const char *value,
                                       gint64      now_unix);

G_END_DECLS
