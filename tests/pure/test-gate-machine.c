/* test-gate-machine.c: the server gate's decisions, with made-up times.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <glib.h>

#include "hw-gate-machine.h"

#define S (G_USEC_PER_SEC)

static HwGateMachine
started_machine (void)
{
  HwGateMachine m;
  HwGateDecision d;

  hw_gate_machine_init (&m, 2 * S, 30 * S);
  d = hw_gate_machine_start (&m);
  g_assert_true (d.actions & HW_GATE_ACTION_PROBE);
  g_assert_true (m.probing);
  g_assert_cmpint (m.state, ==, HW_GATE_UNKNOWN);
  return m;
}

/* Nothing probes before the start; a suspicion or the network then does
 * not start the machine. */
static void
test_not_started (void)
{
  HwGateMachine m;

  hw_gate_machine_init (&m, 2 * S, 30 * S);
  g_assert_cmpint (hw_gate_machine_network_back (&m).actions, ==, HW_GATE_ACTION_NONE);
  g_assert_cmpint (hw_gate_machine_reset (&m).actions & HW_GATE_ACTION_PROBE, ==, 0);
}

static void
test_answer_opens (void)
{
  HwGateMachine m = started_machine ();
  HwGateDecision d = hw_gate_machine_probe_answered (&m);

  g_assert_cmpint (m.state, ==, HW_GATE_OPEN);
  g_assert_false (m.probing);
  g_assert_true (d.actions & HW_GATE_ACTION_RESUME_WAITERS);
  g_assert_false (d.actions & (HW_GATE_ACTION_SCHEDULE | HW_GATE_ACTION_PROBE));
}

/* Failures back off 2 s, 4 s, 8 s ... up to 30 s (no jitter); an answer
 * starts over. */
static void
test_failures_back_off (void)
{
  HwGateMachine m = started_machine ();
  const gint64 expected[] = { 2 * S, 4 * S, 8 * S, 16 * S, 30 * S, 30 * S };
  HwGateDecision d;

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      d = hw_gate_machine_probe_failed (&m, 0.0, 0);
      g_assert_cmpint (m.state, ==, HW_GATE_CLOSED);
      g_assert_true (d.actions & HW_GATE_ACTION_FAIL_WAITERS);
      g_assert_true (d.actions & HW_GATE_ACTION_SCHEDULE);
      g_assert_cmpint (d.delay_us, ==, expected[i]);
      g_assert_true (m.timer_armed);
      d = hw_gate_machine_timer (&m);
      g_assert_true (d.actions & HW_GATE_ACTION_PROBE);
    }
  hw_gate_machine_probe_answered (&m);
  d = hw_gate_machine_suspect (&m);
  d = hw_gate_machine_probe_failed (&m, 0.0, 0);
  g_assert_cmpint (d.delay_us, ==, 2 * S);
}

/* A Retry-After on the probe holds the next one back beyond the backoff. */
static void
test_retry_after (void)
{
  HwGateMachine m = started_machine ();
  HwGateDecision d;

  hw_gate_machine_retry_after (&m, 20 * S, 100 * S);
  d = hw_gate_machine_probe_failed (&m, 0.0, 105 * S);
  g_assert_cmpint (d.delay_us, ==, 15 * S);
  hw_gate_machine_timer (&m);
  d = hw_gate_machine_probe_failed (&m, 0.0, 125 * S);
  g_assert_cmpint (d.delay_us, ==, 4 * S);
}

/* A suspicion is one probe: none while one runs or is due, none while
 * closed (the gate probes anyway), and it does not close the gate. */
static void
test_suspect (void)
{
  HwGateMachine m = started_machine ();
  HwGateDecision d;

  g_assert_cmpint (hw_gate_machine_suspect (&m).actions, ==, HW_GATE_ACTION_NONE);
  hw_gate_machine_probe_answered (&m);
  d = hw_gate_machine_suspect (&m);
  g_assert_true (d.actions & HW_GATE_ACTION_PROBE);
  g_assert_cmpint (m.state, ==, HW_GATE_OPEN);
  g_assert_cmpint (hw_gate_machine_suspect (&m).actions, ==, HW_GATE_ACTION_NONE);
  hw_gate_machine_probe_failed (&m, 0.0, 0);
  g_assert_cmpint (hw_gate_machine_suspect (&m).actions, ==, HW_GATE_ACTION_NONE);
}

/* Told the server goes away: closed now, the probe after the first
 * backoff step however many failures came before. */
static void
test_close (void)
{
  HwGateMachine m = started_machine ();
  HwGateDecision d;

  hw_gate_machine_probe_answered (&m);
  m.attempt = 5;
  d = hw_gate_machine_close (&m, 0.0, 0);
  g_assert_cmpint (m.state, ==, HW_GATE_CLOSED);
  g_assert_true (d.actions & HW_GATE_ACTION_SCHEDULE);
  g_assert_false (d.actions & HW_GATE_ACTION_PROBE);
  g_assert_cmpint (d.delay_us, ==, 2 * S);
  /* Already due: no second timer. */
  g_assert_cmpint (hw_gate_machine_close (&m, 0.0, 0).actions, ==, HW_GATE_ACTION_NONE);

  d = hw_gate_machine_close_and_probe (&m);
  g_assert_true (d.actions & HW_GATE_ACTION_PROBE);
  g_assert_true (d.actions & HW_GATE_ACTION_CANCEL_TIMER);
}

/* The network back while closed: the hung probe is dropped and a fresh
 * one goes now; while open or unknown, nothing. */
static void
test_network_back (void)
{
  HwGateMachine m = started_machine ();
  HwGateDecision d;

  g_assert_cmpint (hw_gate_machine_network_back (&m).actions, ==, HW_GATE_ACTION_NONE);
  hw_gate_machine_probe_failed (&m, 0.0, 0);
  hw_gate_machine_probe_failed (&m, 0.0, 0);
  hw_gate_machine_timer (&m);
  g_assert_true (m.probing);
  d = hw_gate_machine_network_back (&m);
  g_assert_true (d.actions & HW_GATE_ACTION_CANCEL_PROBE);
  g_assert_true (d.actions & HW_GATE_ACTION_PROBE);
  g_assert_cmpuint (m.attempt, ==, 0);
  hw_gate_machine_probe_answered (&m);
  g_assert_cmpint (hw_gate_machine_network_back (&m).actions, ==, HW_GATE_ACTION_NONE);
}

static void
test_reset (void)
{
  HwGateMachine m = started_machine ();
  HwGateDecision d;

  hw_gate_machine_retry_after (&m, 20 * S, 0);
  hw_gate_machine_probe_failed (&m, 0.0, 0);
  d = hw_gate_machine_reset (&m);
  g_assert_cmpint (m.state, ==, HW_GATE_UNKNOWN);
  g_assert_true (d.actions & HW_GATE_ACTION_FAIL_WAITERS);
  g_assert_true (d.actions & HW_GATE_ACTION_CANCEL_TIMER);
  g_assert_false (d.actions & HW_GATE_ACTION_PROBE);
  g_assert_false (m.timer_armed);
  g_assert_false (m.probing);
  g_assert_cmpint (m.held_until_us, ==, 0);
  d = hw_gate_machine_start (&m);
  g_assert_true (d.actions & HW_GATE_ACTION_PROBE);
  d = hw_gate_machine_probe_failed (&m, 0.0, 0);
  g_assert_cmpint (d.delay_us, ==, 2 * S);
}

/* A probe that could not start leaves room for the next. */
static void
test_probe_refused (void)
{
  HwGateMachine m = started_machine ();

  hw_gate_machine_probe_refused (&m);
  g_assert_false (m.probing);
  g_assert_true (hw_gate_machine_recheck (&m).actions & HW_GATE_ACTION_PROBE);
}

/* Jitter stays within ±25 %. */
static void
test_jitter (void)
{
  HwGateMachine m = started_machine ();

  g_assert_cmpint (hw_gate_machine_probe_failed (&m, 1.0, 0).delay_us, ==, 2500 * 1000);
  hw_gate_machine_timer (&m);
  g_assert_cmpint (hw_gate_machine_probe_failed (&m, -1.0, 0).delay_us, ==, 3 * S);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hyperwall/gate-machine/not-started", test_not_started);
  g_test_add_func ("/hyperwall/gate-machine/answer-opens", test_answer_opens);
  g_test_add_func ("/hyperwall/gate-machine/failures-back-off", test_failures_back_off);
  g_test_add_func ("/hyperwall/gate-machine/retry-after", test_retry_after);
  g_test_add_func ("/hyperwall/gate-machine/suspect", test_suspect);
  g_test_add_func ("/hyperwall/gate-machine/close", test_close);
  g_test_add_func ("/hyperwall/gate-machine/network-back", test_network_back);
  g_test_add_func ("/hyperwall/gate-machine/reset", test_reset);
  g_test_add_func ("/hyperwall/gate-machine/probe-refused", test_probe_refused);
  g_test_add_func ("/hyperwall/gate-machine/jitter", test_jitter);

  return g_test_run ();
}
