/* hw-reliability.c: every decision that keeps an unattended wall alive.
 *
 * Pure functions over GLib's basic types. Nothing here reads a clock or a
 * random source: callers pass both in, so the tests can walk every boundary.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hw-reliability.h"

/* ------------------------------------------------------------------ */
/* Stall detection                                                     */

void
hw_stall_tracker_start_load (HwStallTracker *tracker,
                             gint64          now_us)
{
  g_return_if_fail (tracker != NULL);

  memset (tracker, 0, sizeof *tracker);
  tracker->loading = TRUE;
  tracker->load_started_us = now_us;
  tracker->last_progress_us = now_us;
  tracker->last_bytes_growth_us = now_us;
}

void
hw_stall_tracker_first_frame (HwStallTracker *tracker,
                              gint64          now_us)
{
  g_return_if_fail (tracker != NULL);

  /* The stall clock starts with the picture, not with the load: the load
   * had its own deadline. */
  tracker->loading = FALSE;
  tracker->last_progress_us = now_us;
}

void
hw_stall_tracker_position (HwStallTracker *tracker,
                           double          position,
                           gint64          now_us)
{
  g_return_if_fail (tracker != NULL);

  if (isnan (position))
    return;

  if (tracker->has_position && position > tracker->last_position)
    tracker->last_progress_us = now_us;

  /* A lower position (a seek back, a restart) is not progress, but it is
   * the new reference: otherwise playback after a backward seek would look
   * stalled until it passed the old position. */
  tracker->has_position = TRUE;
  tracker->last_position = position;
}

void
hw_stall_tracker_cache_bytes (HwStallTracker *tracker,
                              gint64          total_bytes,
                              gint64          now_us)
{
  g_return_if_fail (tracker != NULL);

  /* Negative means mpv has no cache state (yet): no sample, rather than a
   * sample that never grows and would fake a network stall. */
  if (total_bytes < 0)
    return;

  if (!tracker->has_bytes || total_bytes > tracker->last_total_bytes)
    tracker->last_bytes_growth_us = now_us;

  tracker->has_bytes = TRUE;
  tracker->last_total_bytes = total_bytes;
}

static gboolean
stall_is_exempt (const HwPlaybackFlags *flags)
{
  /* paused_for_cache is deliberately absent: a dead network stream shows
   * exactly that, and must still be caught. */
  return flags->operator_paused || flags->seeking;
}

/* The early sign of a network stall: the demuxer stopped receiving bytes
 * for a stream that is not fully read yet. Local files and fully cached
 * streams have nothing left to grow, so they never take this path. */
static gboolean
network_bytes_stopped (const HwStallTracker  *tracker,
                       const HwStallParams   *params,
                       const HwPlaybackFlags *flags,
                       gint64                 now_us)
{
  return params->network_stall_us > 0
         && flags->network
         && !flags->cache_eof
         && tracker->has_bytes
         && now_us - tracker->last_bytes_growth_us > params->network_stall_us;
}

HwStallVerdict
hw_stall_tracker_check (HwStallTracker        *tracker,
                        const HwStallParams   *params,
                        const HwPlaybackFlags *flags,
                        gint64                 now_us)
{
  gboolean bytes_stopped;

  g_return_val_if_fail (tracker != NULL, HW_STALL_VERDICT_OK);
  g_return_val_if_fail (params != NULL, HW_STALL_VERDICT_OK);
  g_return_val_if_fail (flags != NULL, HW_STALL_VERDICT_OK);

  if (stall_is_exempt (flags))
    {
      /* Hold every clock at now, so the exempt time never counts later. */
      tracker->load_started_us = now_us;
      tracker->last_progress_us = now_us;
      tracker->last_bytes_growth_us = now_us;
      return HW_STALL_VERDICT_OK;
    }

  bytes_stopped = network_bytes_stopped (tracker, params, flags, now_us);

  if (tracker->loading)
    {
      if (now_us - tracker->load_started_us > params->load_timeout_us)
        return HW_STALL_VERDICT_LOAD_TIMEOUT;
      /* Before the first frame, paused_for_cache means little: show the
       * buffering card and leave the verdict to the load deadline. */
      return bytes_stopped ? HW_STALL_VERDICT_BUFFERING : HW_STALL_VERDICT_OK;
    }

  if (now_us - tracker->last_progress_us > params->stall_timeout_us)
    return HW_STALL_VERDICT_STALLED;

  if (bytes_stopped)
    {
      /* mpv has already drained its buffer and waits for data that stopped
       * coming: waiting out the full stall timeout would only show a frozen
       * picture longer. */
      if (flags->paused_for_cache)
        return HW_STALL_VERDICT_STALLED;
      return HW_STALL_VERDICT_BUFFERING;
    }

  return HW_STALL_VERDICT_OK;
}

/* ------------------------------------------------------------------ */
/* Backoff and escalation                                              */

gint64
hw_backoff_jitter (gint64 base_us,
                   double unit)
{
  double scaled;

  if (isnan (unit))
    unit = 0.0;
  unit = CLAMP (unit, -1.0, 1.0);

  scaled = (double) base_us * (1.0 + 0.25 * unit);
  if (scaled >= (double) G_MAXINT64)
    return G_MAXINT64;

  return (gint64) llround (scaled);
}

gint64
hw_backoff_delay (guint  attempt,
                  gint64 initial_us,
                  gint64 max_us,
                  double unit)
{
  gint64 delay_us = MAX (initial_us, 0);

  /* Doubling stops at the cap, so a large attempt never overflows. */
  for (guint i = 0; i < attempt && delay_us > 0 && delay_us < max_us; i++)
    delay_us = delay_us > max_us / 2 ? max_us : delay_us * 2;

  delay_us = MIN (delay_us, max_us);

  return hw_backoff_jitter (delay_us, unit);
}

/* The number of failures after which an item is given up. */
#define HW_ESCALATION_SKIP_AT 4

HwEscalationStep
hw_escalation_step (guint    failures,
                    gboolean has_fallback,
                    gint64   initial_us,
                    gint64   max_us,
                    double   unit)
{
  HwEscalationStep step = { FALSE, HW_STREAM_DIRECT, 0 };

  failures = MAX (failures, 1);

  if (failures >= HW_ESCALATION_SKIP_AT)
    {
      step.skip = TRUE;
      return step;
    }

  /* Failure 1 retries the direct stream once: most failures are a blip.
   * Later retries take the transcode, which survives bad containers and
   * proxies that break range requests. */
  if (failures >= 2 && has_fallback)
    step.stream = HW_STREAM_FALLBACK;

  step.delay_us = hw_backoff_delay (failures - 1, initial_us, max_us, unit);

  return step;
}

/* ------------------------------------------------------------------ */
/* Crash-loop window                                                   */

void
hw_crash_window_clear (HwCrashWindow *window)
{
  g_return_if_fail (window != NULL);

  window->n = 0;
}

void
hw_crash_window_record (HwCrashWindow *window,
                        gint64         now_us)
{
  g_return_if_fail (window != NULL);

  /* Full: forget the oldest. Any threshold worth having is far below the
   * capacity, so nothing that matters is lost. */
  if (window->n == HW_CRASH_WINDOW_MAX)
    {
      memmove (&window->times_us[0], &window->times_us[1],
               (HW_CRASH_WINDOW_MAX - 1) * sizeof window->times_us[0]);
      window->n--;
    }

  window->times_us[window->n++] = now_us;
}

guint
hw_crash_window_count (HwCrashWindow *window,
                       gint64         window_us,
                       gint64         now_us)
{
  guint kept = 0;

  g_return_val_if_fail (window != NULL, 0);

  for (guint i = 0; i < window->n; i++)
    {
      if (now_us - window->times_us[i] < window_us)
        window->times_us[kept++] = window->times_us[i];
    }
  window->n = kept;

  return kept;
}

/* ------------------------------------------------------------------ */
/* Names                                                               */

const char *
hw_cell_state_to_string (HwCellState state)
{
  switch (state)
    {
    case HW_CELL_STATE_IDLE: return "idle";
    case HW_CELL_STATE_LOADING: return "loading";
    case HW_CELL_STATE_PLAYING: return "playing";
    case HW_CELL_STATE_ENDED: return "ended";
    case HW_CELL_STATE_RETRYING: return "retrying";
    case HW_CELL_STATE_PARKED: return "parked";
    case HW_CELL_STATE_WAITING: return "waiting";
    case HW_CELL_STATE_SIGN_IN_REQUIRED: return "sign-in-required";
    case HW_CELL_STATE_PAUSED: return "paused";
    default: return "unknown";
    }
}

const char *
hw_cell_event_to_string (HwCellEvent event)
{
  switch (event)
    {
    case HW_CELL_EVENT_START: return "start";
    case HW_CELL_EVENT_ITEM_READY: return "item-ready";
    case HW_CELL_EVENT_ITEM_UNAVAILABLE: return "item-unavailable";
    case HW_CELL_EVENT_FIRST_FRAME: return "first-frame";
    case HW_CELL_EVENT_PROGRESS: return "progress";
    case HW_CELL_EVENT_END: return "end";
    case HW_CELL_EVENT_FAILURE: return "failure";
    case HW_CELL_EVENT_NOT_FOUND: return "not-found";
    case HW_CELL_EVENT_TIMER: return "timer";
    case HW_CELL_EVENT_GATE_CLOSED: return "gate-closed";
    case HW_CELL_EVENT_GATE_OPENED: return "gate-opened";
    case HW_CELL_EVENT_SIGN_IN_REQUIRED: return "sign-in-required";
    case HW_CELL_EVENT_OPERATOR_NEXT: return "operator-next";
    case HW_CELL_EVENT_OPERATOR_PAUSE: return "operator-pause";
    case HW_CELL_EVENT_OPERATOR_RESUME: return "operator-resume";
    default: return "unknown";
    }
}

const char *
hw_error_class_to_string (HwErrorClass klass)
{
  switch (klass)
    {
    case HW_ERROR_CLASS_OK: return "ok";
    case HW_ERROR_CLASS_TRANSIENT: return "transient";
    case HW_ERROR_CLASS_REAUTH: return "reauth";
    case HW_ERROR_CLASS_FATAL: return "fatal";
    case HW_ERROR_CLASS_SKIP: return "skip";
    default: return "unknown";
    }
}

/* ------------------------------------------------------------------ */
/* The cell state machine
 *
 * Choices the rules leave open, made here:
 * - END moves PLAYING to ENDED while the next item is fetched; ITEM_READY
 *   then moves ENDED (or LOADING) to LOADING. So "ended" is visible in the
 *   status file for as long as the feed takes.
 * - NOT_FOUND counts in the crash window, so a library of only broken items
 *   parks instead of spinning through the feed.
 * - ITEM_UNAVAILABLE (the feed had nothing) is not the media's fault: it
 *   backs off on the retry count but does not count in the crash window.
 * - GATE_OPENED asks for a fresh item rather than reloading the held one:
 *   after an outage its play session and URLs may be stale.
 * - While WAITING or SIGN_IN_REQUIRED, OPERATOR_NEXT is ignored too: a
 *   closed gate means no requests, whoever asks.
 * - GATE_CLOSED does not clear the crash window: if the probe answers and
 *   the media keeps failing, a small wall must still park (rule 5).
 * - RETRYING remembers what its TIMER does through item_failures: non-zero
 *   means an item failed and is retried (LOAD), zero means the feed had
 *   nothing and is asked again (REQUEST_ITEM).
 */

void
hw_cell_policy_init_defaults (HwCellPolicy *policy)
{
  g_return_if_fail (policy != NULL);

  policy->crash_loop_threshold = 5;
  policy->crash_loop_window_us = 60 * HW_USEC_PER_SEC;
  policy->crash_loop_cooldown_us = 120 * HW_USEC_PER_SEC;
  policy->backoff_initial_us = 2 * HW_USEC_PER_SEC;
  policy->backoff_max_us = 30 * HW_USEC_PER_SEC;
  policy->backoff_reset_us = 10 * HW_USEC_PER_SEC;
}

void
hw_cell_machine_init (HwCellMachine      *machine,
                      const HwCellPolicy *policy)
{
  g_return_if_fail (machine != NULL);

  memset (machine, 0, sizeof *machine);
  machine->state = HW_CELL_STATE_IDLE;
  machine->state_before_pause = HW_CELL_STATE_IDLE;
  machine->stream = HW_STREAM_DIRECT;

  if (policy != NULL)
    machine->policy = *policy;
  else
    hw_cell_policy_init_defaults (&machine->policy);
}

void
hw_cell_machine_set_policy (HwCellMachine      *machine,
                            const HwCellPolicy *policy)
{
  g_return_if_fail (machine != NULL);
  g_return_if_fail (policy != NULL);

  machine->policy = *policy;
}

void
hw_cell_machine_set_fallback (HwCellMachine *machine,
                              gboolean       has_fallback)
{
  g_return_if_fail (machine != NULL);

  machine->has_fallback = !!has_fallback;
}

guint
hw_cell_machine_failures (HwCellMachine *machine,
                          gint64         now_us)
{
  g_return_val_if_fail (machine != NULL, 0);

  return hw_crash_window_count (&machine->window,
                                machine->policy.crash_loop_window_us, now_us);
}

/* Every decision goes through here, so old_state is always filled in. */
static HwCellDecision
decide (HwCellMachine *machine,
        HwCellState    state,
        HwCellAction   action,
        const char    *reason)
{
  HwCellDecision decision = { 0, };

  decision.old_state = machine->state;
  decision.state = state;
  decision.action = action;
  decision.stream = machine->stream;
  decision.reason = reason;

  machine->state = state;

  return decision;
}

static HwCellDecision
ignore (HwCellMachine *machine)
{
  return decide (machine, machine->state, HW_CELL_ACTION_NONE, "ignored");
}

/* Drops the current item and everything known about it. */
static void
forget_item (HwCellMachine *machine)
{
  machine->item_failures = 0;
  machine->playing_since_us = 0;
  machine->stream = HW_STREAM_DIRECT;
}

static HwCellDecision
request_item (HwCellMachine *machine,
              HwCellState    state,
              const char    *reason)
{
  forget_item (machine);
  return decide (machine, state, HW_CELL_ACTION_REQUEST_ITEM, reason);
}

static HwCellDecision
park (HwCellMachine *machine,
      gint64         now_us)
{
  HwCellDecision decision;

  forget_item (machine);
  machine->parked_until_us = now_us + machine->policy.crash_loop_cooldown_us;
  decision = decide (machine, HW_CELL_STATE_PARKED, HW_CELL_ACTION_PARK, "crash loop");
  decision.delay_us = machine->policy.crash_loop_cooldown_us;

  return decision;
}

static HwCellDecision
unpark (HwCellMachine *machine,
        const char    *reason)
{
  hw_crash_window_clear (&machine->window);
  machine->parked_until_us = 0;
  machine->retries = 0;

  return request_item (machine, HW_CELL_STATE_LOADING, reason);
}

/* Records a failure; TRUE when it completes a crash loop. */
static gboolean
record_failure (HwCellMachine *machine,
                gint64         now_us)
{
  hw_crash_window_record (&machine->window, now_us);
  return hw_cell_machine_failures (machine, now_us) >= machine->policy.crash_loop_threshold;
}

static HwEscalationStep
current_step (HwCellMachine *machine,
              double         unit)
{
  return hw_escalation_step (machine->item_failures, machine->has_fallback,
                             machine->policy.backoff_initial_us,
                             machine->policy.backoff_max_us, unit);
}

static HwCellDecision
on_failure (HwCellMachine *machine,
            double         unit,
            gint64         now_us)
{
  HwEscalationStep step;
  HwCellDecision decision;

  machine->item_failures++;
  machine->retries++;
  machine->playing_since_us = 0;

  if (record_failure (machine, now_us))
    return park (machine, now_us);

  step = current_step (machine, unit);
  if (step.skip)
    return request_item (machine, HW_CELL_STATE_LOADING, "escalation exhausted, skipping item");

  /* Which stream comes next is in the decision; the reason stays short
   * because the cell's log line already says "retrying …". */
  decision = decide (machine, HW_CELL_STATE_RETRYING, HW_CELL_ACTION_SCHEDULE, "stream failed");
  decision.stream = step.stream;
  decision.delay_us = step.delay_us;

  return decision;
}

static HwCellDecision
on_not_found (HwCellMachine *machine,
              gint64         now_us)
{
  machine->retries++;

  if (record_failure (machine, now_us))
    return park (machine, now_us);

  return request_item (machine, HW_CELL_STATE_LOADING, "item not found, skipping");
}

static HwCellDecision
on_item_unavailable (HwCellMachine *machine,
                     double         unit)
{
  HwCellDecision decision;
  gint64 delay_us;

  delay_us = hw_backoff_delay (machine->retries, machine->policy.backoff_initial_us,
                               machine->policy.backoff_max_us, unit);
  machine->retries++;
  forget_item (machine);

  decision = decide (machine, HW_CELL_STATE_RETRYING, HW_CELL_ACTION_SCHEDULE,
                     "no item available");
  decision.delay_us = delay_us;

  return decision;
}

static HwCellDecision
on_retry_timer (HwCellMachine *machine)
{
  if (machine->item_failures == 0)
    return request_item (machine, HW_CELL_STATE_LOADING, "retrying the feed");

  /* The stream is the same step the SCHEDULE announced; only the delay
   * depended on the jitter. */
  machine->stream = current_step (machine, 0.0).stream;

  return decide (machine, HW_CELL_STATE_LOADING, HW_CELL_ACTION_LOAD,
                 machine->stream == HW_STREAM_FALLBACK ? "loading the fallback stream"
                                                       : "loading the direct stream");
}

static HwCellDecision
on_progress (HwCellMachine *machine,
             gint64         now_us)
{
  if (machine->playing_since_us == 0
      || (machine->retries == 0 && machine->item_failures == 0)
      || now_us - machine->playing_since_us < machine->policy.backoff_reset_us)
    return ignore (machine);

  machine->retries = 0;
  machine->item_failures = 0;

  return decide (machine, machine->state, HW_CELL_ACTION_NONE, "run survived, backoff reset");
}

/* The parked card stays until the cooldown or the operator. */
static HwCellDecision
handle_parked (HwCellMachine *machine,
               HwCellEvent    event)
{
  switch (event)
    {
    case HW_CELL_EVENT_TIMER:
      return unpark (machine, "cooldown over");
    case HW_CELL_EVENT_OPERATOR_NEXT:
      return unpark (machine, "operator next");
    default:
      return ignore (machine);
    }
}

/* Gate closed or sign-in required: no requests until the gate opens. */
static HwCellDecision
handle_stopped (HwCellMachine *machine,
                HwCellEvent    event)
{
  switch (event)
    {
    case HW_CELL_EVENT_GATE_OPENED:
      return request_item (machine, HW_CELL_STATE_LOADING, "server gate opened");
    case HW_CELL_EVENT_SIGN_IN_REQUIRED:
      if (machine->state == HW_CELL_STATE_SIGN_IN_REQUIRED)
        return ignore (machine);
      return decide (machine, HW_CELL_STATE_SIGN_IN_REQUIRED, HW_CELL_ACTION_STOP,
                     "sign-in required");
    default:
      return ignore (machine);
    }
}

static gboolean
awaiting_item (HwCellMachine *machine)
{
  return machine->state == HW_CELL_STATE_LOADING || machine->state == HW_CELL_STATE_ENDED;
}

static gboolean
has_player (HwCellMachine *machine)
{
  return machine->state == HW_CELL_STATE_LOADING
         || machine->state == HW_CELL_STATE_PLAYING
         || machine->state == HW_CELL_STATE_PAUSED;
}

static HwCellDecision
handle_active (HwCellMachine *machine,
               HwCellEvent    event,
               double         unit,
               gint64         now_us)
{
  HwCellState state = machine->state;

  switch (event)
    {
    case HW_CELL_EVENT_START:
      if (state != HW_CELL_STATE_IDLE)
        break;
      return request_item (machine, HW_CELL_STATE_LOADING, "start");

    case HW_CELL_EVENT_ITEM_READY:
      if (!awaiting_item (machine))
        break;
      forget_item (machine);
      return decide (machine, HW_CELL_STATE_LOADING, HW_CELL_ACTION_LOAD, "item ready");

    case HW_CELL_EVENT_ITEM_UNAVAILABLE:
      if (!awaiting_item (machine))
        break;
      return on_item_unavailable (machine, unit);

    case HW_CELL_EVENT_FIRST_FRAME:
      if (state != HW_CELL_STATE_LOADING)
        break;
      machine->playing_since_us = now_us;
      return decide (machine, HW_CELL_STATE_PLAYING, HW_CELL_ACTION_NONE, "first frame");

    case HW_CELL_EVENT_PROGRESS:
      if (state != HW_CELL_STATE_PLAYING)
        break;
      return on_progress (machine, now_us);

    case HW_CELL_EVENT_END:
      if (state != HW_CELL_STATE_PLAYING)
        break;
      return request_item (machine, HW_CELL_STATE_ENDED, "end of item");

    case HW_CELL_EVENT_FAILURE:
      if (!has_player (machine))
        break;
      return on_failure (machine, unit, now_us);

    case HW_CELL_EVENT_NOT_FOUND:
      if (!has_player (machine))
        break;
      return on_not_found (machine, now_us);

    case HW_CELL_EVENT_TIMER:
      if (state != HW_CELL_STATE_RETRYING)
        break;
      return on_retry_timer (machine);

    case HW_CELL_EVENT_GATE_CLOSED:
      machine->playing_since_us = 0;
      return decide (machine, HW_CELL_STATE_WAITING, HW_CELL_ACTION_STOP, "server gate closed");

    case HW_CELL_EVENT_GATE_OPENED:
      break;

    case HW_CELL_EVENT_SIGN_IN_REQUIRED:
      machine->playing_since_us = 0;
      return decide (machine, HW_CELL_STATE_SIGN_IN_REQUIRED, HW_CELL_ACTION_STOP,
                     "sign-in required");

    case HW_CELL_EVENT_OPERATOR_NEXT:
      return request_item (machine, HW_CELL_STATE_LOADING, "operator next");

    case HW_CELL_EVENT_OPERATOR_PAUSE:
      if (state != HW_CELL_STATE_PLAYING)
        break;
      machine->state_before_pause = state;
      return decide (machine, HW_CELL_STATE_PAUSED, HW_CELL_ACTION_PAUSE, "operator pause");

    case HW_CELL_EVENT_OPERATOR_RESUME:
      if (state != HW_CELL_STATE_PAUSED)
        break;
      return decide (machine, machine->state_before_pause, HW_CELL_ACTION_RESUME,
                     "operator resume");

    default:
      break;
    }

  return ignore (machine);
}

HwCellDecision
hw_cell_machine_handle (HwCellMachine *machine,
                        HwCellEvent    event,
                        double         unit,
                        gint64         now_us)
{
  HwCellDecision none = { 0, };

  g_return_val_if_fail (machine != NULL, none);

  switch (machine->state)
    {
    case HW_CELL_STATE_PARKED:
      return handle_parked (machine, event);
    case HW_CELL_STATE_WAITING:
    case HW_CELL_STATE_SIGN_IN_REQUIRED:
      return handle_stopped (machine, event);
    default:
      return handle_active (machine, event, unit, now_us);
    }
}

/* ------------------------------------------------------------------ */
/* Systemic failure                                                    */

/* A cell that never failed. Compared before any subtraction, so it cannot
 * overflow. */
#define HW_NEVER G_MININT64

void
hw_systemic_detector_init (HwSystemicDetector *detector)
{
  hw_systemic_detector_clear (detector);
}

void
hw_systemic_detector_clear (HwSystemicDetector *detector)
{
  g_return_if_fail (detector != NULL);

  for (guint i = 0; i < HW_SYSTEMIC_MAX_CELLS; i++)
    detector->last_failure_us[i] = HW_NEVER;
}

gboolean
hw_systemic_detector_record (HwSystemicDetector *detector,
                             guint               cell,
                             guint               n_cells,
                             gint64              window_us,
                             gint64              now_us)
{
  guint failed = 0;

  g_return_val_if_fail (detector != NULL, FALSE);

  /* Out of range: no slot to remember it in, and no grid it belongs to. */
  if (cell >= HW_SYSTEMIC_MAX_CELLS || cell >= n_cells)
    return FALSE;

  detector->last_failure_us[cell] = now_us;

  for (guint i = 0; i < MIN (n_cells, HW_SYSTEMIC_MAX_CELLS); i++)
    {
      gint64 t = detector->last_failure_us[i];

      if (t != HW_NEVER && now_us - t < window_us)
        failed++;
    }

  /* Two cells failing together is still just two bad items. */
  return failed >= 3 && failed * 2 > n_cells;
}

/* ------------------------------------------------------------------ */
/* Heartbeats                                                          */

gboolean
hw_heartbeat_is_stale (gint64 last_tick_us,
                       gint64 interval_us,
                       gint64 now_us)
{
  gint64 limit_us = MAX (5 * interval_us, 5 * HW_USEC_PER_SEC);

  return now_us - last_tick_us > limit_us;
}

/* ------------------------------------------------------------------ */
/* Cache budget                                                        */

HwCacheSplit
hw_cache_split (guint64 budget_bytes,
                guint64 per_cell_cap_bytes,
                guint   n_cells)
{
  HwCacheSplit split = { 0, 0, 0 };
  guint64 share;

  if (n_cells == 0)
    return split;

  share = MIN (per_cell_cap_bytes, budget_bytes / n_cells);

  /* The floor keeps a cell able to play at all, but never at the price of
   * the budget: a big grid on a small budget gets budget / cells. */
  if (share < HW_CACHE_FLOOR_BYTES)
    {
      if (HW_CACHE_FLOOR_BYTES * n_cells > budget_bytes)
        share = budget_bytes / n_cells;
      else
        share = HW_CACHE_FLOOR_BYTES;
    }

  split.per_cell_bytes = share;
  split.back_bytes = share / 4;
  split.forward_bytes = share - split.back_bytes;

  return split;
}

/* ------------------------------------------------------------------ */
/* Error classification                                                */

static HwErrorClass
classify_error_code (const char *error_code)
{
  if (g_ascii_strcasecmp (error_code, "RateLimitExceeded") == 0)
    return HW_ERROR_CLASS_TRANSIENT;

  /* NotAllowed, NoCompatibleStream and whatever comes next: this item
   * will not play, another one may. */
  return HW_ERROR_CLASS_SKIP;
}

HwErrorClass
hw_classify_response (guint       status,
                      const char *error_code,
                      gboolean    body_ok)
{
  if (status >= 200 && status < 300)
    {
      if (error_code != NULL && *error_code != '\0')
        return classify_error_code (error_code);
      return body_ok ? HW_ERROR_CLASS_OK : HW_ERROR_CLASS_TRANSIENT;
    }

  if (status == 0 || status == 408 || status == 429 || (status >= 500 && status < 600))
    return HW_ERROR_CLASS_TRANSIENT;

  switch (status)
    {
    case 401:
      return HW_ERROR_CLASS_REAUTH;
    case 404:
      return HW_ERROR_CLASS_SKIP;
    default:
      /* 403, the other 4xx, and anything a server should not send (an
       * unfollowed 3xx, a nonsense code): retrying will not change it. */
      return HW_ERROR_CLASS_FATAL;
    }
}

/* ------------------------------------------------------------------ */
/* Retry-After                                                         */

#define HW_RETRY_AFTER_MAX_S 3600

static int
parse_month (const char *name)
{
  static const char months[][4] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  };

  for (guint i = 0; i < G_N_ELEMENTS (months); i++)
    {
      if (g_ascii_strcasecmp (name, months[i]) == 0)
        return (int) i + 1;
    }

  return 0;
}

static gboolean
is_gmt (const char *zone)
{
  return g_ascii_strcasecmp (zone, "GMT") == 0 || g_ascii_strcasecmp (zone, "UTC") == 0;
}

/* The three forms RFC 9110 requires a recipient to accept. Returns the
 * time as Unix seconds, or FALSE. */
static gboolean
parse_http_date (const char *value,
                 gint64     *unix_out)
{
  g_autoptr(GDateTime) date = NULL;
  char wday[16], mon[4], zone[4];
  int day, year, hh, mm, ss;
  int used = 0;
  int month;

  /* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
  if (sscanf (value, "%15[A-Za-z], %d %3[A-Za-z] %d %d:%d:%d %3[A-Za-z]%n",
              wday, &day, mon, &year, &hh, &mm, &ss, zone, &used) == 8
      && value[used] == '\0' && is_gmt (zone))
    ;
  /* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT" */
  else if (sscanf (value, "%15[A-Za-z], %d-%3[A-Za-z]-%d %d:%d:%d %3[A-Za-z]%n",
                   wday, &day, mon, &year, &hh, &mm, &ss, zone, &used) == 8
           && value[used] == '\0' && is_gmt (zone))
    ;
  /* asctime: "Sun Nov  6 08:49:37 1994" */
  else if (sscanf (value, "%15[A-Za-z] %3[A-Za-z] %d %d:%d:%d %d%n",
                   wday, mon, &day, &hh, &mm, &ss, &year, &used) == 7
           && value[used] == '\0')
    ;
  else
    return FALSE;

  month = parse_month (mon);
  if (month == 0)
    return FALSE;

  /* Two-digit years (RFC 850) are read the way RFC 9110 suggests, close
   * enough for a header that only matters within the hour. */
  if (year >= 0 && year < 70)
    year += 2000;
  else if (year >= 70 && year < 100)
    year += 1900;

  /* GDateTime validates every field (31 February, hour 25) for us. */
  date = g_date_time_new_utc (year, month, day, hh, mm, ss);
  if (date == NULL)
    return FALSE;

  *unix_out = g_date_time_to_unix (date);
  return TRUE;
}

static gboolean
is_all_digits (const char *s)
{
  if (*s == '\0')
    return FALSE;

  for (; *s != '\0'; s++)
    {
      if (!g_ascii_isdigit (*s))
        return FALSE;
    }

  return TRUE;
}

gint64
hw_parse_retry_after (const char *value,
                      gint64      now_unix)
{
  g_autofree char *trimmed = NULL;
  gint64 when_unix;

  if (value == NULL)
    return -1;

  trimmed = g_strstrip (g_strdup (value));

  if (is_all_digits (trimmed))
    {
      /* Too many digits for a guint64 is still "a very long time". */
      if (strlen (trimmed) > 10)
        return HW_RETRY_AFTER_MAX_S;
      return MIN (g_ascii_strtoll (trimmed, NULL, 10), HW_RETRY_AFTER_MAX_S);
    }

  if (!parse_http_date (trimmed, &when_unix))
    return -1;

  return CLAMP (when_unix - now_unix, 0, HW_RETRY_AFTER_MAX_S);
}
