/* test-cell-machine.c: the crash-loop window and the cell state machine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-cell-machine.h"
#include "hw-units.h"

#define SEC(s) ((gint64) ((s) * HW_USEC_PER_SEC))

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
  g_assert_cmpuint (hw_crash_window_count (&window, SEC (10), SEC (3 * HW_CRASH_WINDOW_MAX - 1)),
                    ==, 10);
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

/* A failure that counts, then whatever brings the cell back to loading:
 * the retry it scheduled, or the next item after a skip. */
static void
fail_item (MachineFixture *fx)
{
  send (fx, HW_CELL_EVENT_FAILURE);
  if (fx->last.action == HW_CELL_ACTION_SCHEDULE)
    send (fx, HW_CELL_EVENT_TIMER);
  else if (fx->last.action == HW_CELL_ACTION_REQUEST_ITEM)
    send (fx, HW_CELL_EVENT_ITEM_READY);
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

/* Fails the current item once, 1 s after the last failure, and moves on
 * to the next load; TRUE when that failure parked the cell. */
static gboolean
fail_once (MachineFixture *fx)
{
  fx->now += SEC (1);
  send (fx, HW_CELL_EVENT_FAILURE);
  if (fx->last.action == HW_CELL_ACTION_PARK)
    return TRUE;
  if (fx->last.action == HW_CELL_ACTION_SCHEDULE)
    send (fx, HW_CELL_EVENT_TIMER);
  else
    send (fx, HW_CELL_EVENT_ITEM_READY);
  return FALSE;
}

/* Every threshold the settings allow can be reached: the window once held
 * 64 entries, and a threshold above that never parked. */
static void
test_machine_park_high_threshold (gconstpointer data)
{
  MachineFixture fixture = { 0 };
  MachineFixture *fx = &fixture;
  HwCellPolicy policy;
  guint threshold = GPOINTER_TO_UINT (data);
  guint failures = 0;

  hw_cell_policy_init_defaults (&policy);
  policy.crash_loop_threshold = threshold;
  policy.crash_loop_window_us = SEC (100000);
  hw_cell_machine_init (&fx->machine, &policy);
  hw_cell_machine_set_fallback (&fx->machine, TRUE);
  fx->now = SEC (1000);
  bring_to_playing (fx);

  while (failures < 2 * HW_CRASH_WINDOW_MAX && !fail_once (fx))
    failures++;
  g_assert_cmpuint (failures + 1, ==, MIN (threshold, HW_CRASH_WINDOW_MAX));
  g_assert_cmpint (fx->machine.state, ==, HW_CELL_STATE_PARKED);
}

static void
test_machine_window_ageing (MachineFixture *fx,
                            gconstpointer   data)
{
  bring_to_playing (fx);

  /* Every 15 s: the failure from 60 s ago has just aged out, never 5. */
  for (int i = 0; i < 20; i++)
    {
      fail_item (fx);
      g_assert_cmpint (fx->machine.state, ==, HW_CELL_STATE_LOADING);
      fx->now += SEC (15);
    }

  /* Every 14 s the fifth lands inside the window. */
  fx->now += SEC (60);
  for (int i = 0; i < 4; i++)
    {
      fail_item (fx);
      g_assert_cmpint (fx->machine.state, ==, HW_CELL_STATE_LOADING);
      fx->now += SEC (14);
    }
  send (fx, HW_CELL_EVENT_FAILURE);
  g_assert_cmpint (fx->last.action, ==, HW_CELL_ACTION_PARK);
}

static void
park (MachineFixture *fx)
{
  bring_to_playing (fx);
  for (guint i = 0; i + 1 < fx->machine.policy.crash_loop_threshold; i++)
    fail_item (fx);
  send (fx, HW_CELL_EVENT_FAILURE);
  g_assert_cmpint (fx->machine.state, ==, HW_CELL_STATE_PARKED);
}

static void
test_machine_parked_ignores (MachineFixture *fx,
                             gconstpointer   data)
{
  static const HwCellEvent ignored[] = {
    HW_CELL_EVENT_START, HW_CELL_EVENT_ITEM_READY, HW_CELL_EVENT_ITEM_UNAVAILABLE,
    HW_CELL_EVENT_FIRST_FRAME, HW_CELL_EVENT_PROGRESS, HW_CELL_EVENT_END,
    HW_CELL_EVENT_FAILURE, HW_CELL_EVENT_UNPLAYABLE, HW_CELL_EVENT_GATE_CLOSED,
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
test_machine_gate_keeps_playing (MachineFixture *fx,
                                 gconstpointer   data)
{
  bring_to_playing (fx);

  /* A stream that plays needs no server: the cell keeps it. */
  assert_decision (send (fx, HW_CELL_EVENT_GATE_CLOSED),
                   HW_CELL_STATE_PLAYING, HW_CELL_STATE_PLAYING, HW_CELL_ACTION_NONE);
  g_assert_true (fx->machine.gate_closed);
  fx->now += SEC (30);
  send (fx, HW_CELL_EVENT_PROGRESS);
  g_assert_cmpint (fx->machine.state, ==, HW_CELL_STATE_PLAYING);

  /* The gate opening changes nothing for it but the flag. */
  assert_decision (send (fx, HW_CELL_EVENT_GATE_OPENED),
                   HW_CELL_STATE_PLAYING, HW_CELL_STATE_PLAYING, HW_CELL_ACTION_NONE);
  g_assert_false (fx->machine.gate_closed);
  assert_decision (send (fx, HW_CELL_EVENT_END),
                   HW_CELL_STATE_PLAYING, HW_CELL_STATE_ENDED, HW_CELL_ACTION_REQUEST_ITEM);
}

static void
test_machine_gate (MachineFixture *fx,
                   gconstpointer   data)
{
  bring_to_playing (fx);
  send (fx, HW_CELL_EVENT_GATE_CLOSED);

  /* Its own watchdog still judges it; the failure stops it, uncounted. */
  assert_decision (send (fx, HW_CELL_EVENT_FAILURE),
                   HW_CELL_STATE_PLAYING, HW_CELL_STATE_WAITING, HW_CELL_ACTION_STOP);
  g_assert_cmpuint (hw_cell_machine_failures (&fx->machine, fx->now), ==, 0);
  g_assert_cmpuint (fx->machine.item_failures, ==, 0);

  for (int i = 0; i < 10; i++)
    {
      assert_decision (send (fx, HW_CELL_EVENT_FAILURE),
                       HW_CELL_STATE_WAITING, HW_CELL_STATE_WAITING, HW_CELL_ACTION_NONE);
      assert_decision (send (fx, HW_CELL_EVENT_UNPLAYABLE),
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

/* Whatever needs the server next, with the gate closed, waits instead. */
static void
test_machine_gate_needs_server (MachineFixture *fx,
                                gconstpointer   data)
{
  static const HwCellEvent needs[] = {
    HW_CELL_EVENT_END, HW_CELL_EVENT_UNPLAYABLE, HW_CELL_EVENT_OPERATOR_NEXT,
  };

  for (guint i = 0; i < G_N_ELEMENTS (needs); i++)
    {
      machine_setup (fx, NULL);
      bring_to_playing (fx);
      send (fx, HW_CELL_EVENT_GATE_CLOSED);
      g_test_message ("playing cell, gate closed, gets %s", hw_cell_event_to_string (needs[i]));
      assert_decision (send (fx, needs[i]),
                       HW_CELL_STATE_PLAYING, HW_CELL_STATE_WAITING, HW_CELL_ACTION_STOP);
      g_assert_cmpuint (hw_cell_machine_failures (&fx->machine, fx->now), ==, 0);
    }

  /* Loading, retrying or asking for an item: waits at once. */
  machine_setup (fx, NULL);
  send (fx, HW_CELL_EVENT_START);
  assert_decision (send (fx, HW_CELL_EVENT_GATE_CLOSED),
                   HW_CELL_STATE_LOADING, HW_CELL_STATE_WAITING, HW_CELL_ACTION_STOP);

  machine_setup (fx, NULL);
  bring_to_playing (fx);
  send (fx, HW_CELL_EVENT_FAILURE);
  assert_decision (send (fx, HW_CELL_EVENT_GATE_CLOSED),
                   HW_CELL_STATE_RETRYING, HW_CELL_STATE_WAITING, HW_CELL_ACTION_STOP);
  g_assert_cmpuint (hw_cell_machine_failures (&fx->machine, fx->now), ==, 1);
}

/* With copies on disk a closed gate holds nothing back: the cell asks for
 * items (the feed hands copies), drops a stream from the server for one,
 * and a failing copy walks the chain like any file. */
static void
test_machine_gate_offline_items (MachineFixture *fx,
                                 gconstpointer   data)
{
  /* Playing a stream: the end asks for the next item, not the server. */
  hw_cell_machine_set_remote (&fx->machine, TRUE);
  bring_to_playing (fx);
  hw_cell_machine_set_offline_items (&fx->machine, TRUE);
  assert_decision (send (fx, HW_CELL_EVENT_GATE_CLOSED),
                   HW_CELL_STATE_PLAYING, HW_CELL_STATE_PLAYING, HW_CELL_ACTION_NONE);
  assert_decision (send (fx, HW_CELL_EVENT_END),
                   HW_CELL_STATE_PLAYING, HW_CELL_STATE_ENDED, HW_CELL_ACTION_REQUEST_ITEM);

  /* The stream fails with the gate closed: a copy at once, uncounted. */
  machine_setup (fx, NULL);
  hw_cell_machine_set_remote (&fx->machine, TRUE);
  bring_to_playing (fx);
  hw_cell_machine_set_offline_items (&fx->machine, TRUE);
  send (fx, HW_CELL_EVENT_GATE_CLOSED);
  assert_decision (send (fx, HW_CELL_EVENT_FAILURE),
                   HW_CELL_STATE_PLAYING, HW_CELL_STATE_LOADING, HW_CELL_ACTION_REQUEST_ITEM);
  g_assert_cmpuint (hw_cell_machine_failures (&fx->machine, fx->now), ==, 0);

  /* Retrying a stream when the gate closes: a copy instead. */
  machine_setup (fx, NULL);
  hw_cell_machine_set_remote (&fx->machine, TRUE);
  bring_to_playing (fx);
  send (fx, HW_CELL_EVENT_FAILURE);
  hw_cell_machine_set_offline_items (&fx->machine, TRUE);
  assert_decision (send (fx, HW_CELL_EVENT_GATE_CLOSED),
                   HW_CELL_STATE_RETRYING, HW_CELL_STATE_LOADING, HW_CELL_ACTION_REQUEST_ITEM);

  /* A copy that fails is retried like a file, and counted. */
  hw_cell_machine_set_remote (&fx->machine, FALSE);
  send (fx, HW_CELL_EVENT_ITEM_READY);
  send (fx, HW_CELL_EVENT_FIRST_FRAME);
  assert_decision (send (fx, HW_CELL_EVENT_FAILURE),
                   HW_CELL_STATE_PLAYING, HW_CELL_STATE_RETRYING, HW_CELL_ACTION_SCHEDULE);

  /* Starting behind the closed gate (the wall sends GATE_CLOSED instead
   * of START): it asks, it does not wait. */
  machine_setup (fx, NULL);
  hw_cell_machine_set_offline_items (&fx->machine, TRUE);
  assert_decision (send (fx, HW_CELL_EVENT_GATE_CLOSED),
                   HW_CELL_STATE_IDLE, HW_CELL_STATE_LOADING, HW_CELL_ACTION_REQUEST_ITEM);
  /* No copy free (more cells than copies): it backs off and asks again. */
  assert_decision (send (fx, HW_CELL_EVENT_ITEM_UNAVAILABLE),
                   HW_CELL_STATE_LOADING, HW_CELL_STATE_RETRYING, HW_CELL_ACTION_SCHEDULE);
  assert_decision (send (fx, HW_CELL_EVENT_TIMER),
                   HW_CELL_STATE_RETRYING, HW_CELL_STATE_LOADING, HW_CELL_ACTION_REQUEST_ITEM);
}

/* A parked cell minds the gate too: its cooldown ending with the gate
 * closed makes it wait, not ask the server for an item. */
static void
test_machine_gate_parked (MachineFixture *fx,
                          gconstpointer   data)
{
  park (fx);

  assert_decision (send (fx, HW_CELL_EVENT_GATE_CLOSED),
                   HW_CELL_STATE_PARKED, HW_CELL_STATE_PARKED, HW_CELL_ACTION_NONE);
  fx->now += SEC (120);
  assert_decision (send (fx, HW_CELL_EVENT_TIMER),
                   HW_CELL_STATE_PARKED, HW_CELL_STATE_WAITING, HW_CELL_ACTION_STOP);
  g_assert_cmpuint (hw_cell_machine_failures (&fx->machine, fx->now), ==, 0);
  assert_decision (send (fx, HW_CELL_EVENT_GATE_OPENED),
                   HW_CELL_STATE_WAITING, HW_CELL_STATE_LOADING, HW_CELL_ACTION_REQUEST_ITEM);

  /* Closed and opened again while parked: the cooldown ends as usual. */
  machine_setup (fx, NULL);
  park (fx);
  send (fx, HW_CELL_EVENT_GATE_CLOSED);
  send (fx, HW_CELL_EVENT_GATE_OPENED);
  assert_decision (send (fx, HW_CELL_EVENT_OPERATOR_NEXT),
                   HW_CELL_STATE_PARKED, HW_CELL_STATE_LOADING, HW_CELL_ACTION_REQUEST_ITEM);
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

/* A pause asked for between items (the wall paused while this cell
 * loaded its next one) takes at the first frame instead of being lost. */
static void
test_machine_pause_between_items (MachineFixture *fx,
                                  gconstpointer   data)
{
  bring_to_playing (fx);
  send (fx, HW_CELL_EVENT_END);
  g_assert_false (hw_cell_machine_wants_pause (&fx->machine));

  assert_decision (send (fx, HW_CELL_EVENT_OPERATOR_PAUSE),
                   HW_CELL_STATE_ENDED, HW_CELL_STATE_ENDED, HW_CELL_ACTION_NONE);
  g_assert_true (hw_cell_machine_wants_pause (&fx->machine));
  send (fx, HW_CELL_EVENT_ITEM_READY);
  assert_decision (send (fx, HW_CELL_EVENT_FIRST_FRAME),
                   HW_CELL_STATE_LOADING, HW_CELL_STATE_PAUSED, HW_CELL_ACTION_PAUSE);
  g_assert_true (hw_cell_machine_wants_pause (&fx->machine));

  /* Resumed, it plays, and the next item does not pause again. */
  assert_decision (send (fx, HW_CELL_EVENT_OPERATOR_RESUME),
                   HW_CELL_STATE_PAUSED, HW_CELL_STATE_PLAYING, HW_CELL_ACTION_RESUME);
  send (fx, HW_CELL_EVENT_END);
  send (fx, HW_CELL_EVENT_ITEM_READY);
  assert_decision (send (fx, HW_CELL_EVENT_FIRST_FRAME),
                   HW_CELL_STATE_LOADING, HW_CELL_STATE_PLAYING, HW_CELL_ACTION_NONE);
}

/* A resume, or the operator moving the cell on, withdraws a pause that
 * has not taken yet. */
static void
test_machine_pending_pause_withdrawn (MachineFixture *fx,
                                      gconstpointer   data)
{
  bring_to_playing (fx);
  send (fx, HW_CELL_EVENT_END);
  send (fx, HW_CELL_EVENT_OPERATOR_PAUSE);
  send (fx, HW_CELL_EVENT_OPERATOR_RESUME);
  g_assert_false (hw_cell_machine_wants_pause (&fx->machine));
  send (fx, HW_CELL_EVENT_ITEM_READY);
  assert_decision (send (fx, HW_CELL_EVENT_FIRST_FRAME),
                   HW_CELL_STATE_LOADING, HW_CELL_STATE_PLAYING, HW_CELL_ACTION_NONE);

  send (fx, HW_CELL_EVENT_END);
  send (fx, HW_CELL_EVENT_OPERATOR_PAUSE);
  send (fx, HW_CELL_EVENT_OPERATOR_NEXT);
  g_assert_false (hw_cell_machine_wants_pause (&fx->machine));
}

/* Unplayable items are the items' fault: a cell that meets many of them
 * skips each at once and never parks for them. */
static void
test_machine_unplayable_not_counted (MachineFixture *fx,
                                     gconstpointer   data)
{
  bring_to_playing (fx);

  for (guint i = 0; i < 4 * fx->machine.policy.crash_loop_threshold; i++)
    {
      assert_decision (send (fx, HW_CELL_EVENT_UNPLAYABLE),
                       i == 0 ? HW_CELL_STATE_PLAYING : HW_CELL_STATE_LOADING,
                       HW_CELL_STATE_LOADING, HW_CELL_ACTION_REQUEST_ITEM);
      send (fx, HW_CELL_EVENT_ITEM_READY);
      fx->now += SEC (1);
    }
  g_assert_cmpuint (hw_cell_machine_failures (&fx->machine, fx->now), ==, 0);

  /* Real failures still count, and still park. */
  for (guint i = 0; i + 1 < fx->machine.policy.crash_loop_threshold; i++)
    fail_item (fx);
  send (fx, HW_CELL_EVENT_FAILURE);
  g_assert_cmpint (fx->machine.state, ==, HW_CELL_STATE_PARKED);
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
    case HW_CELL_STATE_PARKED:
    case HW_CELL_STATE_SIGN_IN_REQUIRED:
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
#define ADD_MACHINE(path, func) \
  g_test_add ("/hyperwall/pure/cell-machine/" path, MachineFixture, NULL, \
              machine_setup, func, NULL)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hyperwall/pure/cell-machine/crash-window/ageing", test_crash_window_ageing);
  g_test_add_func ("/hyperwall/pure/cell-machine/crash-window/overflow",
                   test_crash_window_overflow);

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
  ADD_MACHINE ("pause-between-items", test_machine_pause_between_items);
  ADD_MACHINE ("pending-pause-withdrawn", test_machine_pending_pause_withdrawn);
  ADD_MACHINE ("gate/keeps-playing", test_machine_gate_keeps_playing);
  ADD_MACHINE ("gate/failure-waits", test_machine_gate);
  ADD_MACHINE ("gate/needs-server-waits", test_machine_gate_needs_server);
  ADD_MACHINE ("gate/parked", test_machine_gate_parked);
  ADD_MACHINE ("gate/offline-items", test_machine_gate_offline_items);
  ADD_MACHINE ("gate/keeps-window", test_machine_gate_keeps_window);
  ADD_MACHINE ("sign-in-required", test_machine_sign_in);
  ADD_MACHINE ("pause-resume", test_machine_pause_resume);
  ADD_MACHINE ("unplayable-not-counted", test_machine_unplayable_not_counted);
  g_test_add_func ("/hyperwall/pure/cell-machine/names", test_machine_names);
  g_test_add_data_func ("/hyperwall/pure/cell-machine/park/threshold-65",
                        GUINT_TO_POINTER (65), test_machine_park_high_threshold);
  g_test_add_data_func ("/hyperwall/pure/cell-machine/park/threshold-100",
                        GUINT_TO_POINTER (100), test_machine_park_high_threshold);
  g_test_add_data_func ("/hyperwall/pure/cell-machine/park/threshold-beyond-window",
                        GUINT_TO_POINTER (1000), test_machine_park_high_threshold);

  for (guint i = 0; i < G_N_ELEMENTS (stale_cases); i++)
    {
      const StaleCase *c = &stale_cases[i];
      g_autofree char *path = g_strdup_printf ("/hyperwall/pure/cell-machine/stale/%s/%s",
                                               hw_cell_state_to_string (c->state),
                                               hw_cell_event_to_string (c->event));
      g_test_add_data_func (path, c, test_machine_stale);
    }

  return g_test_run ();
}
