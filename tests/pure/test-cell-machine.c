/* test-reliability.c: the reliability rules, walked at their boundaries.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <math.h>
#include <string.h>

#include "hw-reliability.h"

#define SEC(s) ((gint64) ((s) * HW_USEC_PER_SEC))

/* ------------------------------------------------------------------ */
/* Stall detection                                                     */

typedef struct {
  HwStallTracker  tracker;
  HwStallParams   params;
  HwPlaybackFlags flags;
  gint64          t0;       /* first frame */
} StallFixture;

static void
stall_setup (StallFixture  *fx,
             gconstpointer  data)
{
  fx->params.stall_timeout_us = SEC (20);
  fx->params.load_timeout_us = SEC (30);
  fx->params.network_stall_us = SEC (5);
  memset (&fx->flags, 0, sizeof fx->flags);

  fx->t0 = SEC (100);
  hw_stall_tracker_start_load (&fx->tracker, fx->t0 - SEC (1));
  hw_stall_tracker_first_frame (&fx->tracker, fx->t0);
  hw_stall_tracker_position (&fx->tracker, 0.0, fx->t0);
}

static HwStallVerdict
stall_check (StallFixture *fx,
             gint64        now_us)
{
  return hw_stall_tracker_check (&fx->tracker, &fx->params, &fx->flags, now_us);
}

static void
test_stall_strict_boundary (StallFixture  *fx,
                            gconstpointer  data)
{
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (20)), ==, HW_STALL_VERDICT_OK);
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (20) + 1), ==, HW_STALL_VERDICT_STALLED);
}

static void
test_stall_progress_restarts_clock (StallFixture  *fx,
                                    gconstpointer  data)
{
  hw_stall_tracker_position (&fx->tracker, 10.0, fx->t0 + SEC (10));

  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (30)), ==, HW_STALL_VERDICT_OK);
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (30) + 1), ==, HW_STALL_VERDICT_STALLED);
}

static void
test_stall_equal_position (StallFixture  *fx,
                           gconstpointer  data)
{
  hw_stall_tracker_position (&fx->tracker, 5.0, fx->t0 + SEC (1));
  hw_stall_tracker_position (&fx->tracker, 5.0, fx->t0 + SEC (15));

  /* The last real progress was at t0 + 1 s; an equal position is not one. */
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (21)), ==, HW_STALL_VERDICT_OK);
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (21) + 1), ==, HW_STALL_VERDICT_STALLED);
}

static void
test_stall_lower_position (StallFixture  *fx,
                           gconstpointer  data)
{
  hw_stall_tracker_position (&fx->tracker, 50.0, fx->t0 + SEC (1));
  hw_stall_tracker_position (&fx->tracker, 10.0, fx->t0 + SEC (2));
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (21) + 1), ==, HW_STALL_VERDICT_STALLED);

  /* From the lower position, advancing is progress again. */
  hw_stall_tracker_position (&fx->tracker, 11.0, fx->t0 + SEC (22));
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (42)), ==, HW_STALL_VERDICT_OK);
}

static void
test_stall_pause_exempt (StallFixture  *fx,
                         gconstpointer  data)
{
  fx->flags.operator_paused = TRUE;
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (5)), ==, HW_STALL_VERDICT_OK);
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (300)), ==, HW_STALL_VERDICT_OK);

  /* Five minutes paused must not count: the clock restarts at resume. */
  fx->flags.operator_paused = FALSE;
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (300) + 1), ==, HW_STALL_VERDICT_OK);
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (320)), ==, HW_STALL_VERDICT_OK);
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (320) + 1), ==, HW_STALL_VERDICT_STALLED);
}

static void
test_stall_seek_exempt (StallFixture  *fx,
                        gconstpointer  data)
{
  fx->flags.seeking = TRUE;
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (60)), ==, HW_STALL_VERDICT_OK);

  fx->flags.seeking = FALSE;
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (80)), ==, HW_STALL_VERDICT_OK);
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (80) + 1), ==, HW_STALL_VERDICT_STALLED);
}

static void
test_stall_paused_for_cache_not_exempt (StallFixture  *fx,
                                        gconstpointer  data)
{
  fx->flags.paused_for_cache = TRUE;

  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (20)), ==, HW_STALL_VERDICT_OK);
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (20) + 1), ==, HW_STALL_VERDICT_STALLED);
}

static void
test_stall_load_timeout (StallFixture  *fx,
                         gconstpointer  data)
{
  gint64 start = SEC (500);

  hw_stall_tracker_start_load (&fx->tracker, start);

  g_assert_cmpint (stall_check (fx, start + SEC (30)), ==, HW_STALL_VERDICT_OK);
  g_assert_cmpint (stall_check (fx, start + SEC (30) + 1), ==, HW_STALL_VERDICT_LOAD_TIMEOUT);

  /* A first frame in time ends the load deadline. */
  hw_stall_tracker_start_load (&fx->tracker, start);
  hw_stall_tracker_first_frame (&fx->tracker, start + SEC (29));
  g_assert_cmpint (stall_check (fx, start + SEC (31)), ==, HW_STALL_VERDICT_OK);
}

/* A network stream whose bytes stopped growing at t0 + 1 s while the
 * position kept advancing until t0 + 4 s (mpv playing out its buffer). */
static void
network_stall_setup (StallFixture  *fx,
                     gconstpointer  data)
{
  stall_setup (fx, data);
  fx->flags.network = TRUE;
  hw_stall_tracker_cache_bytes (&fx->tracker, 1000, fx->t0);
  hw_stall_tracker_cache_bytes (&fx->tracker, 2000, fx->t0 + SEC (1));
  hw_stall_tracker_cache_bytes (&fx->tracker, 2000, fx->t0 + SEC (2));
  hw_stall_tracker_position (&fx->tracker, 4.0, fx->t0 + SEC (4));
}

static void
test_stall_network_early (StallFixture  *fx,
                          gconstpointer  data)
{
  gint64 stopped = fx->t0 + SEC (1);

  g_assert_cmpint (stall_check (fx, stopped + SEC (5)), ==, HW_STALL_VERDICT_OK);
  g_assert_cmpint (stall_check (fx, stopped + SEC (5) + 1), ==, HW_STALL_VERDICT_BUFFERING);

  /* Once mpv is starved too, the cell is stalled long before the 20 s. */
  fx->flags.paused_for_cache = TRUE;
  g_assert_cmpint (stall_check (fx, stopped + SEC (5) + 1), ==, HW_STALL_VERDICT_STALLED);

  /* Bytes flowing again clear the early sign. */
  hw_stall_tracker_cache_bytes (&fx->tracker, 3000, stopped + SEC (6));
  g_assert_cmpint (stall_check (fx, stopped + SEC (7)), ==, HW_STALL_VERDICT_OK);
}

static void
test_stall_network_early_not_local (StallFixture  *fx,
                                    gconstpointer  data)
{
  fx->flags.network = FALSE;
  fx->flags.paused_for_cache = TRUE;

  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (10)), ==, HW_STALL_VERDICT_OK);
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (24)), ==, HW_STALL_VERDICT_OK);
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (24) + 1), ==, HW_STALL_VERDICT_STALLED);
}

static void
test_stall_network_early_not_cache_eof (StallFixture  *fx,
                                        gconstpointer  data)
{
  fx->flags.cache_eof = TRUE;
  fx->flags.paused_for_cache = TRUE;

  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (10)), ==, HW_STALL_VERDICT_OK);
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (24) + 1), ==, HW_STALL_VERDICT_STALLED);
}

static void
test_stall_network_unknown_bytes (StallFixture  *fx,
                                  gconstpointer  data)
{
  /* No cache state at all (-1) is no evidence of a network stall. */
  fx->flags.network = TRUE;
  fx->flags.paused_for_cache = TRUE;
  hw_stall_tracker_cache_bytes (&fx->tracker, -1, fx->t0);
  hw_stall_tracker_cache_bytes (&fx->tracker, -1, fx->t0 + SEC (1));

  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (10)), ==, HW_STALL_VERDICT_OK);
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (20) + 1), ==, HW_STALL_VERDICT_STALLED);
}

static void
test_stall_network_early_disabled (StallFixture  *fx,
                                   gconstpointer  data)
{
  fx->params.network_stall_us = 0;
  fx->flags.paused_for_cache = TRUE;

  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (10)), ==, HW_STALL_VERDICT_OK);
}

/* ------------------------------------------------------------------ */
/* Backoff and escalation                                              */

static void
assert_jitter_in_bounds (gint64 base_us,
                         double unit)
{
  gint64 d = hw_backoff_jitter (base_us, unit);

  g_assert_cmpint (d, >=, base_us * 3 / 4);
  g_assert_cmpint (d, <=, base_us * 5 / 4);
}

static void
test_backoff_jitter_bounds (void)
{
  gint64 base = SEC (8);

  g_assert_cmpint (hw_backoff_jitter (base, -1.0), ==, SEC (6));
  g_assert_cmpint (hw_backoff_jitter (base, 0.0), ==, base);
  g_assert_cmpint (hw_backoff_jitter (base, 1.0), ==, SEC (10));
  g_assert_cmpint (hw_backoff_jitter (base, 0.5), ==, SEC (9));

  for (int i = -100; i <= 100; i++)
    assert_jitter_in_bounds (base, i / 100.0);

  for (int i = 0; i < 1000; i++)
    assert_jitter_in_bounds (base, g_test_rand_double_range (-1.0, 1.0));

  /* Out of range and NaN units are clamped, never trusted. */
  g_assert_cmpint (hw_backoff_jitter (base, 7.0), ==, SEC (10));
  g_assert_cmpint (hw_backoff_jitter (base, -7.0), ==, SEC (6));
  g_assert_cmpint (hw_backoff_jitter (base, NAN), ==, base);
}

static void
test_backoff_exponential (void)
{
  static const int expected_s[] = { 2, 4, 8, 16, 30, 30, 30 };

  for (guint i = 0; i < G_N_ELEMENTS (expected_s); i++)
    g_assert_cmpint (hw_backoff_delay (i, SEC (2), SEC (30), 0.0), ==, SEC (expected_s[i]));

  g_assert_cmpint (hw_backoff_delay (1000, SEC (2), SEC (30), 0.0), ==, SEC (30));
  g_assert_cmpint (hw_backoff_delay (G_MAXUINT, SEC (2), G_MAXINT64, 0.0), ==, G_MAXINT64);
  g_assert_cmpint (hw_backoff_delay (G_MAXUINT, 0, SEC (30), 0.0), ==, 0);

  /* The cap is applied before the jitter. */
  g_assert_cmpint (hw_backoff_delay (10, SEC (2), SEC (30), 1.0), ==, SEC (37.5));
}

typedef struct {
  guint        failures;
  gboolean     has_fallback;
  gboolean     skip;
  HwStreamKind stream;
  int          delay_s;
} EscalationCase;

static const EscalationCase escalation_cases[] = {
  { 1, TRUE,  FALSE, HW_STREAM_DIRECT,   2 },
  { 2, TRUE,  FALSE, HW_STREAM_FALLBACK, 4 },
  { 3, TRUE,  FALSE, HW_STREAM_FALLBACK, 8 },
  { 4, TRUE,  TRUE,  HW_STREAM_DIRECT,   0 },
  { 5, TRUE,  TRUE,  HW_STREAM_DIRECT,   0 },
  { 1, FALSE, FALSE, HW_STREAM_DIRECT,   2 },
  { 2, FALSE, FALSE, HW_STREAM_DIRECT,   4 },
  { 3, FALSE, FALSE, HW_STREAM_DIRECT,   8 },
  { 4, FALSE, TRUE,  HW_STREAM_DIRECT,   0 },
};

static void
test_escalation_step (gconstpointer data)
{
  const EscalationCase *c = data;
  HwEscalationStep step;

  step = hw_escalation_step (c->failures, c->has_fallback, SEC (2), SEC (30), 0.0);

  g_assert_cmpint (step.skip, ==, c->skip);
  if (c->skip)
    return;
  g_assert_cmpint (step.stream, ==, c->stream);
  g_assert_cmpint (step.delay_us, ==, SEC (c->delay_s));
}

static void
test_escalation_cap_and_jitter (void)
{
  HwEscalationStep step;

  step = hw_escalation_step (3, TRUE, SEC (10), SEC (15), 0.0);
  g_assert_cmpint (step.delay_us, ==, SEC (15));

  step = hw_escalation_step (2, TRUE, SEC (2), SEC (30), -1.0);
  g_assert_cmpint (step.delay_us, ==, SEC (3));
  step = hw_escalation_step (2, TRUE, SEC (2), SEC (30), 1.0);
  g_assert_cmpint (step.delay_us, ==, SEC (5));
}

/* ------------------------------------------------------------------ */
/* Crash-loop window                                                   */

static void
test_crash_window_ageing (void)
{
  HwCrashWindow window;

  hw_crash_window_clear (&window);
  hw_crash_window_record (&window, SEC (10));
  hw_crash_window_record (&window, SEC (20));

  g_assert_cmpuint (hw_crash_window_count (&window, SEC (60), SEC (70) - 1), ==, 2);
  /* Exactly a window old is out. */
  g_assert_cmpuint (hw_crash_window_count (&window, SEC (60), SEC (70)), ==, 1);
  g_assert_cmpuint (hw_crash_window_count (&window, SEC (60), SEC (80)), ==, 0);
}

static void
test_crash_window_overflow (void)
{
  HwCrashWindow window;

  hw_crash_window_clear (&window);
  for (int i = 0; i < 3 * HW_CRASH_WINDOW_MAX; i++)
    hw_crash_window_record (&window, SEC (i));

  /* The newest are kept. */
  g_assert_cmpuint (window.n, ==, HW_CRASH_WINDOW_MAX);
  g_assert_cmpint (window.times_us[HW_CRASH_WINDOW_MAX - 1], ==, SEC (3 * HW_CRASH_WINDOW_MAX - 1));
  g_assert_cmpuint (hw_crash_window_count (&window, SEC (10), SEC (3 * HW_CRASH_WINDOW_MAX - 1)), ==, 10);
}

/* ------------------------------------------------------------------ */
/* The cell state machine                                              */

typedef struct {
  HwCellMachine  machine;
  HwCellDecision last;
  gint64         now;
} MachineFixture;

static void
machine_setup (MachineFixture *fx,
               gconstpointer   data)
{
  hw_cell_machine_init (&fx->machine, NULL);
  hw_cell_machine_set_fallback (&fx->machine, TRUE);
  fx->now = SEC (1000);
}

static HwCellDecision
send (MachineFixture *fx,
      HwCellEvent     event)
{
  fx->last = hw_cell_machine_handle (&fx->machine, event, 0.0, fx->now);
  g_assert_nonnull (fx->last.reason);
  g_assert_cmpint (fx->last.state, ==, fx->machine.state);
  return fx->last;
}

static void
assert_decision (HwCellDecision decision,
                 HwCellState    old_state,
                 HwCellState    state,
                 HwCellAction   action)
{
  g_assert_cmpstr (hw_cell_state_to_string (decision.old_state), ==,
                   hw_cell_state_to_string (old_state));
  g_assert_cmpstr (hw_cell_state_to_string (decision.state), ==,
                   hw_cell_state_to_string (state));
  g_assert_cmpint (decision.action, ==, action);
}

static void
bring_to_playing (MachineFixture *fx)
{
  send (fx, HW_CELL_EVENT_START);
  send (fx, HW_CELL_EVENT_ITEM_READY);
  send (fx, HW_CELL_EVENT_FIRST_FRAME);
  g_assert_cmpint (fx->machine.state, ==, HW_CELL_STATE_PLAYING);
}

/* A failure, then the retry it scheduled, loading again. */
static void
fail_and_retry (MachineFixture *fx)
{
  send (fx, HW_CELL_EVENT_FAILURE);
  g_assert_cmpint (fx->last.action, ==, HW_CELL_ACTION_SCHEDULE);
  send (fx, HW_CELL_EVENT_TIMER);
  g_assert_cmpint (fx->last.action, ==, HW_CELL_ACTION_LOAD);
}

static void
test_machine_lifecycle (MachineFixture *fx,
                        gconstpointer   data)
{
  assert_decision (send (fx, HW_CELL_EVENT_START),
                   HW_CELL_STATE_IDLE, HW_CELL_STATE_LOADING, HW_CELL_ACTION_REQUEST_ITEM);
  assert_decision (send (fx, HW_CELL_EVENT_ITEM_READY),
                   HW_CELL_STATE_LOADING, HW_CELL_STATE_LOADING, HW_CELL_ACTION_LOAD);
  g_assert_cmpint (fx->last.stream, ==, HW_STREAM_DIRECT);
  assert_decision (send (fx, HW_CELL_EVENT_FIRST_FRAME),
                   HW_CELL_STATE_LOADING, HW_CELL_STATE_PLAYING, HW_CELL_ACTION_NONE);
  assert_decision (send (fx, HW_CELL_EVENT_END),
                   HW_CELL_STATE_PLAYING, HW_CELL_STATE_ENDED, HW_CELL_ACTION_REQUEST_ITEM);
  assert_decision (send (fx, HW_CELL_EVENT_ITEM_READY),
                   HW_CELL_STATE_ENDED, HW_CELL_STATE_LOADING, HW_CELL_ACTION_LOAD);
}

static void
test_machine_escalation (MachineFixture *fx,
                         gconstpointer   data)
{
  static const struct {
    int          delay_s;
    HwStreamKind stream;
  } steps[] = {
    { 2, HW_STREAM_DIRECT },
    { 4, HW_STREAM_FALLBACK },
    { 8, HW_STREAM_FALLBACK },
  };

  bring_to_playing (fx);

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      assert_decision (send (fx, HW_CELL_EVENT_FAILURE),
                       i == 0 ? HW_CELL_STATE_PLAYING : HW_CELL_STATE_LOADING,
                       HW_CELL_STATE_RETRYING, HW_CELL_ACTION_SCHEDULE);
      g_assert_cmpint (fx->last.delay_us, ==, SEC (steps[i].delay_s));
      g_assert_cmpint (fx->last.stream, ==, steps[i].stream);

      fx->now += fx->last.delay_us;
      assert_decision (send (fx, HW_CELL_EVENT_TIMER),
                       HW_CELL_STATE_RETRYING, HW_CELL_STATE_LOADING, HW_CELL_ACTION_LOAD);
      g_assert_cmpint (fx->last.stream, ==, steps[i].stream);
    }

  /* The fourth failure gives the item up. */
  assert_decision (send (fx, HW_CELL_EVENT_FAILURE),
                   HW_CELL_STATE_LOADING, HW_CELL_STATE_LOADING, HW_CELL_ACTION_REQUEST_ITEM);
  g_assert_cmpuint (fx->machine.item_failures, ==, 0);
}

static void
test_machine_escalation_no_fallback (MachineFixture *fx,
                                     gconstpointer   data)
{
  bring_to_playing (fx);
  hw_cell_machine_set_fallback (&fx->machine, FALSE);

  for (int i = 0; i < 3; i++)
    {
      fail_and_retry (fx);
      g_assert_cmpint (fx->last.stream, ==, HW_STREAM_DIRECT);
    }
}

static void
test_machine_item_unavailable (MachineFixture *fx,
                               gconstpointer   data)
{
  send (fx, HW_CELL_EVENT_START);

  assert_decision (send (fx, HW_CELL_EVENT_ITEM_UNAVAILABLE),
                   HW_CELL_STATE_LOADING, HW_CELL_STATE_RETRYING, HW_CELL_ACTION_SCHEDULE);
  g_assert_cmpint (fx->last.delay_us, ==, SEC (2));

  assert_decision (send (fx, HW_CELL_EVENT_TIMER),
                   HW_CELL_STATE_RETRYING, HW_CELL_STATE_LOADING, HW_CELL_ACTION_REQUEST_ITEM);
  send (fx, HW_CELL_EVENT_ITEM_UNAVAILABLE);
  g_assert_cmpint (fx->last.delay_us, ==, SEC (4));

  /* The feed having nothing is not the media failing. */
  g_assert_cmpuint (hw_cell_machine_failures (&fx->machine, fx->now), ==, 0);
}

static void
test_machine_backoff_reset (MachineFixture *fx,
                            gconstpointer   data)
{
  gint64 first_frame;

  bring_to_playing (fx);
  fail_and_retry (fx);
  send (fx, HW_CELL_EVENT_FIRST_FRAME);
  first_frame = fx->now;

  fx->now = first_frame + SEC (10) - 1;
  send (fx, HW_CELL_EVENT_PROGRESS);
  g_assert_cmpuint (fx->machine.retries, ==, 1);
  g_assert_cmpuint (fx->machine.item_failures, ==, 1);

  fx->now = first_frame + SEC (10);
  assert_decision (send (fx, HW_CELL_EVENT_PROGRESS),
                   HW_CELL_STATE_PLAYING, HW_CELL_STATE_PLAYING, HW_CELL_ACTION_NONE);
  g_assert_cmpuint (fx->machine.retries, ==, 0);
  g_assert_cmpuint (fx->machine.item_failures, ==, 0);

  /* The next failure starts the chain again: direct after 2 s, not 4 s. */
  send (fx, HW_CELL_EVENT_FAILURE);
  g_assert_cmpint (fx->last.delay_us, ==, SEC (2));
  g_assert_cmpint (fx->last.stream, ==, HW_STREAM_DIRECT);
}

static void
test_machine_park_threshold (MachineFixture *fx,
                             gconstpointer   data)
{
  bring_to_playing (fx);

  for (int i = 0; i < 3; i++)
    fail_and_retry (fx);
  send (fx, HW_CELL_EVENT_FAILURE);          /* 4: skip */
  g_assert_cmpint (fx->last.action, ==, HW_CELL_ACTION_REQUEST_ITEM);
  g_assert_cmpuint (hw_cell_machine_failures (&fx->machine, fx->now), ==, 4);

  send (fx, HW_CELL_EVENT_ITEM_READY);
  assert_decision (send (fx, HW_CELL_EVENT_FAILURE),
                   HW_CELL_STATE_LOADING, HW_CELL_STATE_PARKED, HW_CELL_ACTION_PARK);
  g_assert_cmpint (fx->last.delay_us, ==, SEC (120));
  g_assert_cmpstr (fx->last.reason, ==, "crash loop");
}

static void
test_machine_window_ageing (MachineFixture *fx,
                            gconstpointer   data)
{
  bring_to_playing (fx);

  /* Every 15 s: the failure from 60 s ago has just aged out, never 5. */
  for (int i = 0; i < 20; i++)
    {
      send (fx, HW_CELL_EVENT_NOT_FOUND);
      g_assert_cmpint (fx->last.action, ==, HW_CELL_ACTION_REQUEST_ITEM);
      send (fx, HW_CELL_EVENT_ITEM_READY);
      fx->now += SEC (15);
    }

  /* Every 14 s the fifth lands inside the window. */
  fx->now += SEC (60);
  for (int i = 0; i < 4; i++)
    {
      send (fx, HW_CELL_EVENT_NOT_FOUND);
      g_assert_cmpint (fx->last.action, ==, HW_CELL_ACTION_REQUEST_ITEM);
      send (fx, HW_CELL_EVENT_ITEM_READY);
      fx->now += SEC (14);
    }
  send (fx, HW_CELL_EVENT_NOT_FOUND);
  g_assert_cmpint (fx->last.action, ==, HW_CELL_ACTION_PARK);
}

static void
park (MachineFixture *fx)
{
  bring_to_playing (fx);
  for (guint i = 0; i < fx->machine.policy.crash_loop_threshold; i++)
    {
      send (fx, HW_CELL_EVENT_NOT_FOUND);
      send (fx, HW_CELL_EVENT_ITEM_READY);
    }
  g_assert_cmpint (fx->machine.state, ==, HW_CELL_STATE_PARKED);
}

static void
test_machine_parked_ignores (MachineFixture *fx,
                             gconstpointer   data)
{
  static const HwCellEvent ignored[] = {
    HW_CELL_EVENT_START, HW_CELL_EVENT_ITEM_READY, HW_CELL_EVENT_ITEM_UNAVAILABLE,
    HW_CELL_EVENT_FIRST_FRAME, HW_CELL_EVENT_PROGRESS, HW_CELL_EVENT_END,
    HW_CELL_EVENT_FAILURE, HW_CELL_EVENT_NOT_FOUND, HW_CELL_EVENT_GATE_CLOSED,
    HW_CELL_EVENT_GATE_OPENED, HW_CELL_EVENT_SIGN_IN_REQUIRED,
    HW_CELL_EVENT_OPERATOR_PAUSE, HW_CELL_EVENT_OPERATOR_RESUME,
  };
  guint failures;

  park (fx);
  failures = hw_cell_machine_failures (&fx->machine, fx->now);

  for (guint i = 0; i < G_N_ELEMENTS (ignored); i++)
    {
      g_test_message ("parked cell gets %s", hw_cell_event_to_string (ignored[i]));
      assert_decision (send (fx, ignored[i]),
                       HW_CELL_STATE_PARKED, HW_CELL_STATE_PARKED, HW_CELL_ACTION_NONE);
    }

  g_assert_cmpuint (hw_cell_machine_failures (&fx->machine, fx->now), ==, failures);
}

static void
test_machine_cooldown_resumes (MachineFixture *fx,
                               gconstpointer   data)
{
  park (fx);

  fx->now += SEC (120);
  assert_decision (send (fx, HW_CELL_EVENT_TIMER),
                   HW_CELL_STATE_PARKED, HW_CELL_STATE_LOADING, HW_CELL_ACTION_REQUEST_ITEM);
  g_assert_cmpuint (hw_cell_machine_failures (&fx->machine, fx->now), ==, 0);

  /* A fresh start: one more failure does not park again. */
  send (fx, HW_CELL_EVENT_ITEM_READY);
  send (fx, HW_CELL_EVENT_FAILURE);
  g_assert_cmpint (fx->last.action, ==, HW_CELL_ACTION_SCHEDULE);
}

static void
test_machine_operator_next_unparks (MachineFixture *fx,
                                    gconstpointer   data)
{
  park (fx);

  assert_decision (send (fx, HW_CELL_EVENT_OPERATOR_NEXT),
                   HW_CELL_STATE_PARKED, HW_CELL_STATE_LOADING, HW_CELL_ACTION_REQUEST_ITEM);
  g_assert_cmpuint (hw_cell_machine_failures (&fx->machine, fx->now), ==, 0);
  g_assert_cmpuint (fx->machine.item_failures, ==, 0);
}

static void
test_machine_operator_next_clears_item (MachineFixture *fx,
                                        gconstpointer   data)
{
  bring_to_playing (fx);
  fail_and_retry (fx);
  fail_and_retry (fx);

  assert_decision (send (fx, HW_CELL_EVENT_OPERATOR_NEXT),
                   HW_CELL_STATE_LOADING, HW_CELL_STATE_LOADING, HW_CELL_ACTION_REQUEST_ITEM);
  g_assert_cmpuint (fx->machine.item_failures, ==, 0);
}

static void
test_machine_gate (MachineFixture *fx,
                   gconstpointer   data)
{
  bring_to_playing (fx);

  assert_decision (send (fx, HW_CELL_EVENT_GATE_CLOSED),
                   HW_CELL_STATE_PLAYING, HW_CELL_STATE_WAITING, HW_CELL_ACTION_STOP);
  g_assert_cmpstr (fx->last.reason, ==, "server gate closed");

  for (int i = 0; i < 10; i++)
    {
      assert_decision (send (fx, HW_CELL_EVENT_FAILURE),
                       HW_CELL_STATE_WAITING, HW_CELL_STATE_WAITING, HW_CELL_ACTION_NONE);
      assert_decision (send (fx, HW_CELL_EVENT_NOT_FOUND),
                       HW_CELL_STATE_WAITING, HW_CELL_STATE_WAITING, HW_CELL_ACTION_NONE);
    }
  g_assert_cmpuint (hw_cell_machine_failures (&fx->machine, fx->now), ==, 0);

  assert_decision (send (fx, HW_CELL_EVENT_END),
                   HW_CELL_STATE_WAITING, HW_CELL_STATE_WAITING, HW_CELL_ACTION_NONE);
  assert_decision (send (fx, HW_CELL_EVENT_OPERATOR_NEXT),
                   HW_CELL_STATE_WAITING, HW_CELL_STATE_WAITING, HW_CELL_ACTION_NONE);
  assert_decision (send (fx, HW_CELL_EVENT_GATE_OPENED),
                   HW_CELL_STATE_WAITING, HW_CELL_STATE_LOADING, HW_CELL_ACTION_REQUEST_ITEM);
}

static void
test_machine_gate_keeps_window (MachineFixture *fx,
                                gconstpointer   data)
{
  bring_to_playing (fx);
  fail_and_retry (fx);

  /* Failures before the outage still count after it: rule 5 wants a small
   * wall whose media keeps failing to park even when the gate flaps. */
  send (fx, HW_CELL_EVENT_GATE_CLOSED);
  send (fx, HW_CELL_EVENT_GATE_OPENED);
  g_assert_cmpuint (hw_cell_machine_failures (&fx->machine, fx->now), ==, 1);
}

static void
test_machine_sign_in (MachineFixture *fx,
                      gconstpointer   data)
{
  bring_to_playing (fx);

  assert_decision (send (fx, HW_CELL_EVENT_SIGN_IN_REQUIRED),
                   HW_CELL_STATE_PLAYING, HW_CELL_STATE_SIGN_IN_REQUIRED, HW_CELL_ACTION_STOP);
  assert_decision (send (fx, HW_CELL_EVENT_FAILURE), HW_CELL_STATE_SIGN_IN_REQUIRED,
                   HW_CELL_STATE_SIGN_IN_REQUIRED, HW_CELL_ACTION_NONE);
  assert_decision (send (fx, HW_CELL_EVENT_START), HW_CELL_STATE_SIGN_IN_REQUIRED,
                   HW_CELL_STATE_SIGN_IN_REQUIRED, HW_CELL_ACTION_NONE);
  assert_decision (send (fx, HW_CELL_EVENT_GATE_OPENED), HW_CELL_STATE_SIGN_IN_REQUIRED,
                   HW_CELL_STATE_LOADING, HW_CELL_ACTION_REQUEST_ITEM);

  /* From waiting, a sign-in demand moves on to sign-in-required. */
  send (fx, HW_CELL_EVENT_GATE_CLOSED);
  assert_decision (send (fx, HW_CELL_EVENT_SIGN_IN_REQUIRED), HW_CELL_STATE_WAITING,
                   HW_CELL_STATE_SIGN_IN_REQUIRED, HW_CELL_ACTION_STOP);
}

static void
test_machine_pause_resume (MachineFixture *fx,
                           gconstpointer   data)
{
  bring_to_playing (fx);

  assert_decision (send (fx, HW_CELL_EVENT_OPERATOR_PAUSE),
                   HW_CELL_STATE_PLAYING, HW_CELL_STATE_PAUSED, HW_CELL_ACTION_PAUSE);
  assert_decision (send (fx, HW_CELL_EVENT_OPERATOR_PAUSE),
                   HW_CELL_STATE_PAUSED, HW_CELL_STATE_PAUSED, HW_CELL_ACTION_NONE);
  assert_decision (send (fx, HW_CELL_EVENT_OPERATOR_RESUME),
                   HW_CELL_STATE_PAUSED, HW_CELL_STATE_PLAYING, HW_CELL_ACTION_RESUME);
  assert_decision (send (fx, HW_CELL_EVENT_OPERATOR_RESUME),
                   HW_CELL_STATE_PLAYING, HW_CELL_STATE_PLAYING, HW_CELL_ACTION_NONE);
}

static void
test_machine_not_found_counts (MachineFixture *fx,
                               gconstpointer   data)
{
  bring_to_playing (fx);

  assert_decision (send (fx, HW_CELL_EVENT_NOT_FOUND),
                   HW_CELL_STATE_PLAYING, HW_CELL_STATE_LOADING, HW_CELL_ACTION_REQUEST_ITEM);
  g_assert_cmpuint (hw_cell_machine_failures (&fx->machine, fx->now), ==, 1);
}

/* Events that make no sense in a state change nothing. */
typedef struct {
  HwCellState state;
  HwCellEvent event;
} StaleCase;

static const StaleCase stale_cases[] = {
  { HW_CELL_STATE_IDLE,     HW_CELL_EVENT_TIMER },
  { HW_CELL_STATE_IDLE,     HW_CELL_EVENT_FAILURE },
  { HW_CELL_STATE_IDLE,     HW_CELL_EVENT_GATE_OPENED },
  { HW_CELL_STATE_LOADING,  HW_CELL_EVENT_START },
  { HW_CELL_STATE_LOADING,  HW_CELL_EVENT_PROGRESS },
  { HW_CELL_STATE_LOADING,  HW_CELL_EVENT_END },
  { HW_CELL_STATE_LOADING,  HW_CELL_EVENT_TIMER },
  { HW_CELL_STATE_PLAYING,  HW_CELL_EVENT_START },
  { HW_CELL_STATE_PLAYING,  HW_CELL_EVENT_ITEM_READY },
  { HW_CELL_STATE_PLAYING,  HW_CELL_EVENT_ITEM_UNAVAILABLE },
  { HW_CELL_STATE_PLAYING,  HW_CELL_EVENT_FIRST_FRAME },
  { HW_CELL_STATE_PLAYING,  HW_CELL_EVENT_TIMER },
  { HW_CELL_STATE_PLAYING,  HW_CELL_EVENT_GATE_OPENED },
  { HW_CELL_STATE_RETRYING, HW_CELL_EVENT_FAILURE },
  { HW_CELL_STATE_RETRYING, HW_CELL_EVENT_END },
  { HW_CELL_STATE_RETRYING, HW_CELL_EVENT_FIRST_FRAME },
  { HW_CELL_STATE_RETRYING, HW_CELL_EVENT_ITEM_READY },
  { HW_CELL_STATE_ENDED,    HW_CELL_EVENT_FAILURE },
  { HW_CELL_STATE_ENDED,    HW_CELL_EVENT_END },
  { HW_CELL_STATE_ENDED,    HW_CELL_EVENT_TIMER },
  { HW_CELL_STATE_WAITING,  HW_CELL_EVENT_TIMER },
  { HW_CELL_STATE_WAITING,  HW_CELL_EVENT_GATE_CLOSED },
  { HW_CELL_STATE_WAITING,  HW_CELL_EVENT_ITEM_READY },
  { HW_CELL_STATE_PAUSED,   HW_CELL_EVENT_END },
  { HW_CELL_STATE_PAUSED,   HW_CELL_EVENT_FIRST_FRAME },
};

static void
drive_to_state (MachineFixture *fx,
                HwCellState     state)
{
  switch (state)
    {
    case HW_CELL_STATE_IDLE:
      break;
    case HW_CELL_STATE_LOADING:
      send (fx, HW_CELL_EVENT_START);
      break;
    case HW_CELL_STATE_PLAYING:
      bring_to_playing (fx);
      break;
    case HW_CELL_STATE_RETRYING:
      bring_to_playing (fx);
      send (fx, HW_CELL_EVENT_FAILURE);
      break;
    case HW_CELL_STATE_ENDED:
      bring_to_playing (fx);
      send (fx, HW_CELL_EVENT_END);
      break;
    case HW_CELL_STATE_WAITING:
      send (fx, HW_CELL_EVENT_GATE_CLOSED);
      break;
    case HW_CELL_STATE_PAUSED:
      bring_to_playing (fx);
      send (fx, HW_CELL_EVENT_OPERATOR_PAUSE);
      break;
    default:
      g_assert_not_reached ();
    }

  g_assert_cmpint (fx->machine.state, ==, state);
}

static void
test_machine_stale (gconstpointer data)
{
  const StaleCase *c = data;
  MachineFixture fx;
  guint failures, retries;

  machine_setup (&fx, NULL);
  drive_to_state (&fx, c->state);
  failures = hw_cell_machine_failures (&fx.machine, fx.now);
  retries = fx.machine.retries;

  assert_decision (send (&fx, c->event), c->state, c->state, HW_CELL_ACTION_NONE);
  g_assert_cmpuint (hw_cell_machine_failures (&fx.machine, fx.now), ==, failures);
  g_assert_cmpuint (fx.machine.retries, ==, retries);
}

static void
test_machine_names (void)
{
  static const char *states[] = {
    "idle", "loading", "playing", "ended", "retrying", "parked", "waiting",
    "sign-in-required", "paused",
  };

  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    g_assert_cmpstr (hw_cell_state_to_string ((HwCellState) i), ==, states[i]);

  for (int e = HW_CELL_EVENT_START; e <= HW_CELL_EVENT_OPERATOR_RESUME; e++)
    g_assert_cmpstr (hw_cell_event_to_string ((HwCellEvent) e), !=, "unknown");
}

/* ------------------------------------------------------------------ */
/* Systemic failure                                                    */

static gboolean
fail_cells (HwSystemicDetector *detector,
            guint               n_failing,
            guint               n_cells,
            gint64              now_us)
{
  gboolean systemic = FALSE;

  for (guint cell = 0; cell < n_failing; cell++)
    systemic = hw_systemic_detector_record (detector, cell, n_cells, SEC (5), now_us);

  return systemic;
}

static void
test_systemic_counts (void)
{
  HwSystemicDetector detector;
  gint64 now = SEC (100);

  hw_systemic_detector_init (&detector);
  g_assert_false (fail_cells (&detector, 2, 2, now));

  hw_systemic_detector_clear (&detector);
  g_assert_false (fail_cells (&detector, 2, 4, now));
  g_assert_true (fail_cells (&detector, 3, 4, now));

  hw_systemic_detector_clear (&detector);
  g_assert_false (fail_cells (&detector, 3, 9, now));
  hw_systemic_detector_clear (&detector);
  g_assert_false (fail_cells (&detector, 4, 9, now));
  hw_systemic_detector_clear (&detector);
  g_assert_true (fail_cells (&detector, 5, 9, now));

  /* Exactly half is not "more than half". */
  hw_systemic_detector_clear (&detector);
  g_assert_false (fail_cells (&detector, 3, 6, now));
  hw_systemic_detector_clear (&detector);
  g_assert_false (fail_cells (&detector, 4, 8, now));
  hw_systemic_detector_clear (&detector);
  g_assert_true (fail_cells (&detector, 5, 8, now));
}

static void
test_systemic_distinct (void)
{
  HwSystemicDetector detector;

  hw_systemic_detector_init (&detector);
  for (int i = 0; i < 10; i++)
    g_assert_false (hw_systemic_detector_record (&detector, 0, 4, SEC (5), SEC (100) + i));
}

static void
test_systemic_window (void)
{
  HwSystemicDetector detector;

  hw_systemic_detector_init (&detector);
  fail_cells (&detector, 2, 4, SEC (100));
  g_assert_false (hw_systemic_detector_record (&detector, 2, 4, SEC (5), SEC (105)));

  hw_systemic_detector_clear (&detector);
  fail_cells (&detector, 2, 4, SEC (100));
  g_assert_true (hw_systemic_detector_record (&detector, 2, 4, SEC (5), SEC (105) - 1));
}

static void
test_systemic_out_of_range (void)
{
  HwSystemicDetector detector;

  hw_systemic_detector_init (&detector);
  g_assert_false (hw_systemic_detector_record (&detector, HW_SYSTEMIC_MAX_CELLS, 100, SEC (5), 0));
  g_assert_false (hw_systemic_detector_record (&detector, G_MAXUINT, 4, SEC (5), 0));
  g_assert_false (hw_systemic_detector_record (&detector, 5, 4, SEC (5), 0));

  /* A grid larger than the detector still counts the cells it can hold. */
  hw_systemic_detector_clear (&detector);
  g_assert_true (fail_cells (&detector, HW_SYSTEMIC_MAX_CELLS, HW_SYSTEMIC_MAX_CELLS + 10, 0));
}

/* ------------------------------------------------------------------ */
/* Heartbeats                                                          */

static void
test_heartbeat (void)
{
  /* 1 s period: the 5 s floor applies. */
  g_assert_false (hw_heartbeat_is_stale (0, SEC (1), SEC (5)));
  g_assert_true (hw_heartbeat_is_stale (0, SEC (1), SEC (5) + 1));
  /* 100 ms period: still 5 s, not 500 ms. */
  g_assert_false (hw_heartbeat_is_stale (0, SEC (0.1), SEC (4)));
  /* 2 s period: five periods. */
  g_assert_false (hw_heartbeat_is_stale (0, SEC (2), SEC (10)));
  g_assert_true (hw_heartbeat_is_stale (0, SEC (2), SEC (10) + 1));
}

/* ------------------------------------------------------------------ */
/* Cache budget                                                        */

typedef struct {
  guint64 budget_mib;
  guint64 cap_mib;
  guint   cells;
  guint64 share_bytes;
} CacheCase;

static const CacheCase cache_cases[] = {
  { 3072, 512,   0, 0 },
  { 3072, 512,   1, 512 * HW_MIB },
  { 3072, 512,   4, 512 * HW_MIB },
  { 3072, 512,  36, 3072 * HW_MIB / 36 },     /* 85.3 MiB */
  { 3072, 512,  64, 48 * HW_MIB },
  { 3072, 512, 128, 24 * HW_MIB },            /* under the floor: budget wins */
  {  100, 512,   4, 25 * HW_MIB },
  { 3072,  16,   4, 32 * HW_MIB },            /* cap under the floor: floor wins */
  {    0, 512,   4, 0 },
};

static void
test_cache_split (gconstpointer data)
{
  const CacheCase *c = data;
  guint64 budget = c->budget_mib * HW_MIB;
  HwCacheSplit split;

  split = hw_cache_split (budget, c->cap_mib * HW_MIB, c->cells);

  g_assert_cmpuint (split.per_cell_bytes, ==, c->share_bytes);
  g_assert_cmpuint (split.forward_bytes + split.back_bytes, <=, split.per_cell_bytes);
  g_assert_cmpuint (split.back_bytes, ==, split.per_cell_bytes / 4);
  g_assert_cmpuint (split.forward_bytes, >=, split.back_bytes);
  g_assert_cmpuint (split.per_cell_bytes * c->cells, <=, budget);
}

static void
test_cache_split_sweep (void)
{
  for (guint cells = 0; cells <= 64; cells++)
    for (guint64 budget_mib = 0; budget_mib <= 4096; budget_mib += 97)
      {
        HwCacheSplit split = hw_cache_split (budget_mib * HW_MIB, 512 * HW_MIB, cells);

        g_assert_cmpuint (split.per_cell_bytes * cells, <=, budget_mib * HW_MIB);
        g_assert_cmpuint (split.per_cell_bytes, <=, 512 * HW_MIB);
        g_assert_cmpuint (split.forward_bytes + split.back_bytes, <=, split.per_cell_bytes);
      }
}

/* ------------------------------------------------------------------ */
/* Error classification                                                */

typedef struct {
  guint        status;
  const char  *error_code;
  gboolean     body_ok;
  HwErrorClass klass;
} ClassifyCase;

static const ClassifyCase classify_cases[] = {
  { 200, NULL,                 TRUE,  HW_ERROR_CLASS_OK },
  { 204, NULL,                 TRUE,  HW_ERROR_CLASS_OK },
  { 206, NULL,                 TRUE,  HW_ERROR_CLASS_OK },
  { 200, NULL,                 FALSE, HW_ERROR_CLASS_TRANSIENT },
  { 200, "",                   TRUE,  HW_ERROR_CLASS_OK },
  { 200, "RateLimitExceeded",  TRUE,  HW_ERROR_CLASS_TRANSIENT },
  { 200, "NotAllowed",         TRUE,  HW_ERROR_CLASS_SKIP },
  { 200, "NoCompatibleStream", TRUE,  HW_ERROR_CLASS_SKIP },
  { 200, "SomethingNew",       TRUE,  HW_ERROR_CLASS_SKIP },
  {   0, NULL,                 TRUE,  HW_ERROR_CLASS_TRANSIENT },
  { 408, NULL,                 TRUE,  HW_ERROR_CLASS_TRANSIENT },
  { 429, NULL,                 TRUE,  HW_ERROR_CLASS_TRANSIENT },
  { 500, NULL,                 TRUE,  HW_ERROR_CLASS_TRANSIENT },
  { 502, NULL,                 TRUE,  HW_ERROR_CLASS_TRANSIENT },
  { 503, NULL,                 TRUE,  HW_ERROR_CLASS_TRANSIENT },
  { 599, NULL,                 TRUE,  HW_ERROR_CLASS_TRANSIENT },
  { 401, NULL,                 TRUE,  HW_ERROR_CLASS_REAUTH },
  { 403, NULL,                 TRUE,  HW_ERROR_CLASS_FATAL },
  { 404, NULL,                 TRUE,  HW_ERROR_CLASS_SKIP },
  { 400, NULL,                 TRUE,  HW_ERROR_CLASS_FATAL },
  { 410, NULL,                 TRUE,  HW_ERROR_CLASS_FATAL },
  { 499, NULL,                 TRUE,  HW_ERROR_CLASS_FATAL },
  { 500, "RateLimitExceeded",  TRUE,  HW_ERROR_CLASS_TRANSIENT },
  { 404, "NotAllowed",         TRUE,  HW_ERROR_CLASS_SKIP },
};

static void
test_classify (gconstpointer data)
{
  const ClassifyCase *c = data;

  g_assert_cmpstr (hw_error_class_to_string (hw_classify_response (c->status, c->error_code,
                                                                   c->body_ok)),
                   ==, hw_error_class_to_string (c->klass));
}

/* ------------------------------------------------------------------ */
/* Retry-After                                                         */

/* Sun, 06 Nov 1994 08:49:37 GMT */
#define RFC_NOW 784111777

typedef struct {
  const char *value;
  gint64      seconds;
} RetryAfterCase;

static const RetryAfterCase retry_after_cases[] = {
  { NULL, -1 },
  { "", -1 },
  { "   ", -1 },
  { "120", 120 },
  { "0", 0 },
  { " 30 ", 30 },
  { "3600", 3600 },
  { "3601", 3600 },
  { "99999999999999999999999", 3600 },
  { "-5", -1 },
  { "+5", -1 },
  { "1.5", -1 },
  { "12abc", -1 },
  { "soon", -1 },
  { "Sun, 06 Nov 1994 08:51:07 GMT", 90 },
  { "Sun, 06 Nov 1994 08:49:37 GMT", 0 },
  { "Sun, 06 Nov 1994 08:00:00 GMT", 0 },
  { "Mon, 07 Nov 1994 08:49:37 GMT", 3600 },
  { "Sunday, 06-Nov-94 08:51:07 GMT", 90 },
  { "Sun Nov  6 08:51:07 1994", 90 },
  { "sun, 06 nov 1994 08:51:07 gmt", 90 },
  { "Sun, 31 Feb 1994 08:51:07 GMT", -1 },
  { "Sun, 06 Nov 1994 25:51:07 GMT", -1 },
  { "Sun, 06 Nov 1994 08:51:07 PST", -1 },
  { "Sun, 06 Foo 1994 08:51:07 GMT", -1 },
  { "Sun, 06 Nov 1994 08:51:07 GMT trailing", -1 },
};

static void
test_retry_after (gconstpointer data)
{
  const RetryAfterCase *c = data;

  g_assert_cmpint (hw_parse_retry_after (c->value, RFC_NOW), ==, c->seconds);
}

/* ------------------------------------------------------------------ */

#define ADD_STALL(path, func) \
  g_test_add ("/hyperwall/reliability/stall/" path, StallFixture, NULL, \
              stall_setup, func, NULL)
#define ADD_NETWORK(path, func) \
  g_test_add ("/hyperwall/reliability/stall/network/" path, StallFixture, NULL, \
              network_stall_setup, func, NULL)
#define ADD_MACHINE(path, func) \
  g_test_add ("/hyperwall/reliability/machine/" path, MachineFixture, NULL, \
              machine_setup, func, NULL)

static void
add_table_tests (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (escalation_cases); i++)
    {
      const EscalationCase *c = &escalation_cases[i];
      g_autofree char *path = g_strdup_printf ("/hyperwall/reliability/escalation/%s/%u",
                                               c->has_fallback ? "fallback" : "direct-only",
                                               c->failures);
      g_test_add_data_func (path, c, test_escalation_step);
    }

  for (guint i = 0; i < G_N_ELEMENTS (stale_cases); i++)
    {
      const StaleCase *c = &stale_cases[i];
      g_autofree char *path = g_strdup_printf ("/hyperwall/reliability/machine/stale/%s/%s",
                                               hw_cell_state_to_string (c->state),
                                               hw_cell_event_to_string (c->event));
      g_test_add_data_func (path, c, test_machine_stale);
    }

  for (guint i = 0; i < G_N_ELEMENTS (cache_cases); i++)
    {
      const CacheCase *c = &cache_cases[i];
      g_autofree char *path = g_strdup_printf ("/hyperwall/reliability/cache/%" G_GUINT64_FORMAT
                                               "mib-%" G_GUINT64_FORMAT "cap-%ucells",
                                               c->budget_mib, c->cap_mib, c->cells);
      g_test_add_data_func (path, c, test_cache_split);
    }

  for (guint i = 0; i < G_N_ELEMENTS (classify_cases); i++)
    {
      const ClassifyCase *c = &classify_cases[i];
      g_autofree char *path = g_strdup_printf ("/hyperwall/reliability/classify/%u-%s%s",
                                               c->status,
                                               c->error_code ? c->error_code : "none",
                                               c->body_ok ? "" : "-malformed");
      g_test_add_data_func (path, c, test_classify);
    }

  for (guint i = 0; i < G_N_ELEMENTS (retry_after_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hyperwall/reliability/retry-after/%u", i);
      g_test_add_data_func (path, &retry_after_cases[i], test_retry_after);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD_STALL ("strict-boundary", test_stall_strict_boundary);
  ADD_STALL ("progress-restarts-clock", test_stall_progress_restarts_clock);
  ADD_STALL ("equal-position-not-progress", test_stall_equal_position);
  ADD_STALL ("lower-position-not-progress", test_stall_lower_position);
  ADD_STALL ("pause-exempt", test_stall_pause_exempt);
  ADD_STALL ("seek-exempt", test_stall_seek_exempt);
  ADD_STALL ("paused-for-cache-not-exempt", test_stall_paused_for_cache_not_exempt);
  ADD_STALL ("load-timeout", test_stall_load_timeout);
  ADD_NETWORK ("early", test_stall_network_early);
  ADD_NETWORK ("not-local", test_stall_network_early_not_local);
  ADD_NETWORK ("not-cache-eof", test_stall_network_early_not_cache_eof);
  ADD_NETWORK ("disabled", test_stall_network_early_disabled);
  ADD_STALL ("network/unknown-bytes", test_stall_network_unknown_bytes);

  g_test_add_func ("/hyperwall/reliability/backoff/jitter-bounds", test_backoff_jitter_bounds);
  g_test_add_func ("/hyperwall/reliability/backoff/exponential", test_backoff_exponential);
  g_test_add_func ("/hyperwall/reliability/escalation/cap-and-jitter",
                   test_escalation_cap_and_jitter);

  g_test_add_func ("/hyperwall/reliability/crash-window/ageing", test_crash_window_ageing);
  g_test_add_func ("/hyperwall/reliability/crash-window/overflow", test_crash_window_overflow);

  ADD_MACHINE ("lifecycle", test_machine_lifecycle);
  ADD_MACHINE ("escalation", test_machine_escalation);
  ADD_MACHINE ("escalation-no-fallback", test_machine_escalation_no_fallback);
  ADD_MACHINE ("item-unavailable", test_machine_item_unavailable);
  ADD_MACHINE ("backoff-reset", test_machine_backoff_reset);
  ADD_MACHINE ("park/threshold", test_machine_park_threshold);
  ADD_MACHINE ("park/window-ageing", test_machine_window_ageing);
  ADD_MACHINE ("park/ignores-events", test_machine_parked_ignores);
  ADD_MACHINE ("park/cooldown-resumes", test_machine_cooldown_resumes);
  ADD_MACHINE ("park/operator-next-unparks", test_machine_operator_next_unparks);
  ADD_MACHINE ("operator-next-clears-item", test_machine_operator_next_clears_item);
  ADD_MACHINE ("gate/closed-waits", test_machine_gate);
  ADD_MACHINE ("gate/keeps-window", test_machine_gate_keeps_window);
  ADD_MACHINE ("sign-in-required", test_machine_sign_in);
  ADD_MACHINE ("pause-resume", test_machine_pause_resume);
  ADD_MACHINE ("not-found-counts", test_machine_not_found_counts);
  g_test_add_func ("/hyperwall/reliability/machine/names", test_machine_names);

  g_test_add_func ("/hyperwall/reliability/systemic/counts", test_systemic_counts);
  g_test_add_func ("/hyperwall/reliability/systemic/distinct-cells", test_systemic_distinct);
  g_test_add_func ("/hyperwall/reliability/systemic/window", test_systemic_window);
  g_test_add_func ("/hyperwall/reliability/systemic/out-of-range", test_systemic_out_of_range);

  g_test_add_func ("/hyperwall/reliability/heartbeat/stale", test_heartbeat);
  g_test_add_func ("/hyperwall/reliability/cache/sweep", test_cache_split_sweep);

  add_table_tests ();

  return g_test_run ();
}
