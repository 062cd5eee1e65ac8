/* hw-cell-machine.c: what one cell does next, and when it gives up.
 *
 * Nothing here reads a clock or a random source: the cell passes both in,
 * so the tests can walk every transition at its exact boundary.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include "hw-cell-machine.h"
#include "hw-units.h"

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
    case HW_CELL_EVENT_UNPLAYABLE: return "unplayable";
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

/* ------------------------------------------------------------------ */
/* The cell state machine
 *
 * Choices the rules leave open, made here:
 * - END moves PLAYING to ENDED while the next item is fetched; ITEM_READY
 *   then moves ENDED (or LOADING) to LOADING. So "ended" is visible in the
 *   status file for as long as the feed takes.
 * - UNPLAYABLE does not count in the crash window: the park judges the
 *   cell, and an item certain to fail is the item's fault, set aside by the
 *   feed. A library of only broken items empties the feed instead, and the
 *   cell backs off on ITEM_UNAVAILABLE, saying why on its card.
 * - ITEM_UNAVAILABLE (the feed had nothing) is not the media's fault: it
 *   backs off on the retry count but does not count in the crash window.
 * - A closed gate holds back only what needs the server: a PLAYING (or
 *   PAUSED) cell keeps its stream, still judged by its watchdog, and moves
 *   to WAITING once it needs the server (an end, a failure, the operator's
 *   next); such a failure is not counted, as the server may be its cause.
 *   Cells loading, retrying or asking for an item wait at once. A PARKED
 *   cell stays parked and, when its cooldown ends, waits instead of asking.
 * - GATE_OPENED asks for a fresh item rather than reloading the held one:
 *   after an outage its PlaySessionId and URLs may be stale. Cells that
 *   kept playing only learn that the gate is open.
 * - While WAITING or SIGN_IN_REQUIRED, OPERATOR_NEXT is ignored too: a
 *   closed gate means no requests, whoever asks.
 * - GATE_CLOSED does not clear the crash window: if the probe answers and
 *   the media keeps failing, a small wall must still park (rule 5).
 * - With offline items (copies on disk) a closed gate holds nothing back:
 *   the feed hands copies. A cell still loading or retrying a stream from
 *   the server drops it for a copy at once, and a stream that fails while
 *   the gate is closed is dropped the same way, uncounted; a copy that
 *   fails walks the escalation chain like any file.
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

void
hw_cell_machine_set_offline_items (HwCellMachine *machine,
                                   gboolean       offline_items)
{
  g_return_if_fail (machine != NULL);

  machine->offline_items = !!offline_items;
}

void
hw_cell_machine_set_remote (HwCellMachine *machine,
                            gboolean       remote)
{
  g_return_if_fail (machine != NULL);

  machine->remote = !!remote;
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
  guint threshold = MIN (machine->policy.crash_loop_threshold, HW_CRASH_WINDOW_MAX);

  hw_crash_window_record (&machine->window, now_us);
  return hw_cell_machine_failures (machine, now_us) >= threshold;
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

/* Not recorded in the crash window: see the choices above. */
static HwCellDecision
on_unplayable (HwCellMachine *machine)
{
  return request_item (machine, HW_CELL_STATE_LOADING, "item unplayable, skipping");
}

/* The cell needs the server while its gate is closed: stop, count nothing. */
static HwCellDecision
wait_for_server (HwCellMachine *machine,
                 const char    *reason)
{
  forget_item (machine);
  return decide (machine, HW_CELL_STATE_WAITING, HW_CELL_ACTION_STOP, reason);
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

/* The parked card stays until the cooldown or the operator; then a fresh
 * item, unless the gate is closed: then the cell waits for the server
 * (a parked cell makes no requests, and neither does a waiting one). */
static HwCellDecision
handle_parked (HwCellMachine *machine,
               HwCellEvent    event)
{
  const char *why;

  switch (event)
    {
    case HW_CELL_EVENT_TIMER:
    case HW_CELL_EVENT_OPERATOR_NEXT:
      why = event == HW_CELL_EVENT_TIMER ? "cooldown over" : "operator next";
      if (!machine->gate_closed || machine->offline_items)
        return unpark (machine, why);
      hw_crash_window_clear (&machine->window);
      machine->parked_until_us = 0;
      machine->retries = 0;
      return wait_for_server (machine, "server gate closed");
    case HW_CELL_EVENT_GATE_CLOSED:
      machine->gate_closed = TRUE;
      return ignore (machine);
    case HW_CELL_EVENT_GATE_OPENED:
      machine->gate_closed = FALSE;
      return ignore (machine);
    case HW_CELL_EVENT_START:
    case HW_CELL_EVENT_ITEM_READY:
    case HW_CELL_EVENT_ITEM_UNAVAILABLE:
    case HW_CELL_EVENT_FIRST_FRAME:
    case HW_CELL_EVENT_PROGRESS:
    case HW_CELL_EVENT_END:
    case HW_CELL_EVENT_FAILURE:
    case HW_CELL_EVENT_UNPLAYABLE:
    case HW_CELL_EVENT_SIGN_IN_REQUIRED:
    case HW_CELL_EVENT_OPERATOR_PAUSE:
    case HW_CELL_EVENT_OPERATOR_RESUME:
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
    case HW_CELL_EVENT_GATE_CLOSED:
      machine->gate_closed = TRUE;
      return ignore (machine);
    case HW_CELL_EVENT_GATE_OPENED:
      machine->gate_closed = FALSE;
      return request_item (machine, HW_CELL_STATE_LOADING, "server gate opened");
    case HW_CELL_EVENT_SIGN_IN_REQUIRED:
      if (machine->state == HW_CELL_STATE_SIGN_IN_REQUIRED)
        return ignore (machine);
      return decide (machine, HW_CELL_STATE_SIGN_IN_REQUIRED, HW_CELL_ACTION_STOP,
                     "sign-in required");
    case HW_CELL_EVENT_START:
    case HW_CELL_EVENT_ITEM_READY:
    case HW_CELL_EVENT_ITEM_UNAVAILABLE:
    case HW_CELL_EVENT_FIRST_FRAME:
    case HW_CELL_EVENT_PROGRESS:
    case HW_CELL_EVENT_END:
    case HW_CELL_EVENT_FAILURE:
    case HW_CELL_EVENT_UNPLAYABLE:
    case HW_CELL_EVENT_TIMER:
    case HW_CELL_EVENT_OPERATOR_NEXT:
    case HW_CELL_EVENT_OPERATOR_PAUSE:
    case HW_CELL_EVENT_OPERATOR_RESUME:
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

/* With the gate closed, what would ask the server waits instead. */
static gboolean
needs_server (HwCellMachine *machine,
              HwCellEvent    event)
{
  switch (event)
    {
    case HW_CELL_EVENT_START:
      return machine->state == HW_CELL_STATE_IDLE;
    case HW_CELL_EVENT_ITEM_UNAVAILABLE:
      return awaiting_item (machine);
    case HW_CELL_EVENT_END:
      return machine->state == HW_CELL_STATE_PLAYING;
    case HW_CELL_EVENT_FAILURE:
    case HW_CELL_EVENT_UNPLAYABLE:
      return has_player (machine);
    case HW_CELL_EVENT_TIMER:
      return machine->state == HW_CELL_STATE_RETRYING;
    case HW_CELL_EVENT_OPERATOR_NEXT:
      return TRUE;
    case HW_CELL_EVENT_ITEM_READY:
    case HW_CELL_EVENT_FIRST_FRAME:
    case HW_CELL_EVENT_PROGRESS:
    case HW_CELL_EVENT_GATE_CLOSED:
    case HW_CELL_EVENT_GATE_OPENED:
    case HW_CELL_EVENT_SIGN_IN_REQUIRED:
    case HW_CELL_EVENT_OPERATOR_PAUSE:
    case HW_CELL_EVENT_OPERATOR_RESUME:
    default:
      return FALSE;
    }
}

static HwCellDecision
on_gate_closed (HwCellMachine *machine)
{
  machine->gate_closed = TRUE;

  /* A stream that still plays needs nothing from the server (a buffered
   * clip, a file): it keeps playing until it ends or fails. */
  if (machine->state == HW_CELL_STATE_PLAYING || machine->state == HW_CELL_STATE_PAUSED)
    return decide (machine, machine->state, HW_CELL_ACTION_NONE,
                   "server gate closed, still playing");

  if (machine->offline_items)
    {
      /* A stream from the server will not come: a copy instead, as for
       * a cell that starts behind the closed gate (the wall sends no
       * START then). Asking (ENDED, or RETRYING for want of an item) or
       * loading a file: the copy comes anyway. */
      if (machine->state == HW_CELL_STATE_IDLE ||
          (machine->remote && (machine->state == HW_CELL_STATE_LOADING ||
                               (machine->state == HW_CELL_STATE_RETRYING &&
                                machine->item_failures > 0))))
        return request_item (machine, HW_CELL_STATE_LOADING,
                             "server gate closed, playing a copy");
      return decide (machine, machine->state, HW_CELL_ACTION_NONE,
                     "server gate closed, copies on disk");
    }

  machine->playing_since_us = 0;
  return wait_for_server (machine, "server gate closed");
}

static HwCellDecision
handle_active (HwCellMachine *machine,
               HwCellEvent    event,
               double         unit,
               gint64         now_us)
{
  HwCellState state = machine->state;

  if (machine->gate_closed && needs_server (machine, event) && !machine->offline_items)
    return wait_for_server (machine, event == HW_CELL_EVENT_FAILURE
                                       ? "failed while the server gate is closed"
                                       : "needs the server, its gate is closed");
  if (machine->gate_closed && machine->remote && has_player (machine) &&
      (event == HW_CELL_EVENT_FAILURE || event == HW_CELL_EVENT_UNPLAYABLE))
    return request_item (machine, HW_CELL_STATE_LOADING,
                         "stream failed while the server gate is closed, playing a copy");

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
      if (machine->pause_pending)
        {
          /* Paused between items (the wall, a zoom): the new one must not
           * play on its own. */
          machine->pause_pending = FALSE;
          machine->state_before_pause = HW_CELL_STATE_PLAYING;
          return decide (machine, HW_CELL_STATE_PAUSED, HW_CELL_ACTION_PAUSE,
                         "first frame, operator pause");
        }
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

    case HW_CELL_EVENT_UNPLAYABLE:
      if (!has_player (machine))
        break;
      return on_unplayable (machine);

    case HW_CELL_EVENT_TIMER:
      if (state != HW_CELL_STATE_RETRYING)
        break;
      return on_retry_timer (machine);

    case HW_CELL_EVENT_GATE_CLOSED:
      return on_gate_closed (machine);

    case HW_CELL_EVENT_GATE_OPENED:
      machine->gate_closed = FALSE;
      break;

    case HW_CELL_EVENT_SIGN_IN_REQUIRED:
      machine->playing_since_us = 0;
      return decide (machine, HW_CELL_STATE_SIGN_IN_REQUIRED, HW_CELL_ACTION_STOP,
                     "sign-in required");

    case HW_CELL_EVENT_OPERATOR_NEXT:
      /* Moving a cell on asks it to play. */
      machine->pause_pending = FALSE;
      return request_item (machine, HW_CELL_STATE_LOADING, "operator next");

    case HW_CELL_EVENT_OPERATOR_PAUSE:
      if (state == HW_CELL_STATE_PAUSED)
        break;
      if (state != HW_CELL_STATE_PLAYING)
        {
          /* Between items: a pause dropped here let the cell play on once
           * its next item started, the only cell of a paused wall. */
          machine->pause_pending = TRUE;
          break;
        }
      machine->state_before_pause = state;
      return decide (machine, HW_CELL_STATE_PAUSED, HW_CELL_ACTION_PAUSE, "operator pause");

    case HW_CELL_EVENT_OPERATOR_RESUME:
      machine->pause_pending = FALSE;
      if (state != HW_CELL_STATE_PAUSED)
        break;
      return decide (machine, machine->state_before_pause, HW_CELL_ACTION_RESUME,
                     "operator resume");

    default:
      break;
    }

  return ignore (machine);
}

gboolean
hw_cell_machine_wants_pause (const HwCellMachine *machine)
{
  g_return_val_if_fail (machine != NULL, FALSE);
  return machine->state == HW_CELL_STATE_PAUSED || machine->pause_pending;
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
    case HW_CELL_STATE_IDLE:
    case HW_CELL_STATE_LOADING:
    case HW_CELL_STATE_PLAYING:
    case HW_CELL_STATE_ENDED:
    case HW_CELL_STATE_RETRYING:
    case HW_CELL_STATE_PAUSED:
    default:
      return handle_active (machine, event, unit, now_us);
    }
}
