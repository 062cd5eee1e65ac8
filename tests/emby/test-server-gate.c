/* test-server-gate.c: the server gate without a server.
 *
 * The probe is the test's: a handler of "probe" records each request and
 * the test answers it with hw_server_gate_probe_done (). Backoff is a few
 * milliseconds, so what took a live server and seconds of waiting (the
 * gate cases that were in test-emby-network.c) runs in a blink. The
 * network is a GNetworkMonitor the test drives.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-emby-protocol.h"
#include "hw-server-gate.h"
#include "test-monitor.h"

#define MS (G_USEC_PER_SEC / 1000)

/* ------------------------------------------------------------------ */
/* Fixture: the gate and its fake probe                                */

typedef struct {
  HwServerGate *gate;
  TestMonitor  *monitor;
  GPtrArray    *probes;       /* GCancellable of every probe asked for */
  GArray       *probe_times;  /* gint64, monotonic µs of each */
  gboolean      refuse;       /* the handler cannot probe (no address) */
  guint         notified;     /* notify::state emissions */
  GPtrArray    *states;       /* HwServerGateState seen at each notify */
} Fixture;

static gboolean
on_probe (HwServerGate *gate,
          GCancellable *probe,
          gpointer      user_data)
{
  Fixture *f = user_data;
  gint64 now = g_get_monotonic_time ();

  if (f->refuse)
    return FALSE;
  g_ptr_array_add (f->probes, g_object_ref (probe));
  g_array_append_val (f->probe_times, now);
  return TRUE;
}

static void
on_state (HwServerGate *gate,
          GParamSpec   *pspec,
          gpointer      user_data)
{
  Fixture *f = user_data;

  f->notified++;
  g_ptr_array_add (f->states, GINT_TO_POINTER (hw_server_gate_get_state (gate)));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->monitor = g_object_new (TEST_TYPE_MONITOR, NULL);
  f->gate = hw_server_gate_new (G_NETWORK_MONITOR (f->monitor));
  /* 20 ms, doubling, at most 80 ms; ±25 % jitter. */
  hw_server_gate_set_backoff (f->gate, 20 * MS, 80 * MS);
  f->probes = g_ptr_array_new_with_free_func (g_object_unref);
  f->probe_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  f->states = g_ptr_array_new ();
  g_signal_connect (f->gate, "probe", G_CALLBACK (on_probe), f);
  g_signal_connect (f->gate, "notify::state", G_CALLBACK (on_state), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->gate);
  g_clear_object (&f->monitor);
  g_ptr_array_unref (f->probes);
  g_array_unref (f->probe_times);
  g_ptr_array_unref (f->states);
}

/* The newest probe asked for. */
static GCancellable *
last_probe (Fixture *f)
{
  g_assert_cmpuint (f->probes->len, >, 0);
  return g_ptr_array_index (f->probes, f->probes->len - 1);
}

static void
answer (Fixture  *f,
        gboolean  answered)
{
  hw_server_gate_probe_done (f->gate, last_probe (f), answered,
                             answered ? NULL : "Could not connect: Connection refused");
}

/* Spins the main context until @n probes were asked for, or @timeout_ms. */
static gboolean
wait_probes (Fixture *f,
             guint    n,
             guint    timeout_ms)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * MS;

  while (f->probes->len < n && g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      if (f->probes->len < n)
        g_usleep (MS / 2);
    }
  return f->probes->len >= n;
}

static void
spin_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * MS;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (MS / 2);
    }
}

/* Opened by the first probe, then failed: the gate is closed, a probe is
 * due after the backoff. */
static gint64
start_closed (Fixture *f)
{
  hw_server_gate_start (f->gate);
  g_assert_cmpuint (f->probes->len, ==, 1);
  answer (f, FALSE);
  g_assert_cmpint (hw_server_gate_get_state (f->gate), ==, HW_SERVER_GATE_CLOSED);
  return g_get_monotonic_time ();
}

typedef struct {
  guint   calls;
  GError *error;
} WaitResult;

static void
on_waited (const GError *error,
           gpointer      data)
{
  WaitResult *result = data;

  result->calls++;
  g_clear_error (&result->error);
  if (error != NULL)
    result->error = g_error_copy (error);
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */

/* Nothing before the start; then one probe, whose answer opens the gate
 * and lets the waiters go. One notify per change. */
static void
test_answer_opens (Fixture       *f,
                   gconstpointer  data)
{
  WaitResult waited = { 0, };

  spin_ms (5);
  g_assert_cmpuint (f->probes->len, ==, 0);
  g_assert_cmpint (hw_server_gate_get_state (f->gate), ==, HW_SERVER_GATE_UNKNOWN);

  hw_server_gate_start (f->gate);
  g_assert_cmpuint (f->probes->len, ==, 1);
  g_assert_true (hw_server_gate_is_probing (f->gate));
  hw_server_gate_start (f->gate);   /* one probe at a time */
  g_assert_cmpuint (f->probes->len, ==, 1);

  hw_server_gate_wait (f->gate, on_waited, &waited);
  answer (f, TRUE);
  g_assert_cmpint (hw_server_gate_get_state (f->gate), ==, HW_SERVER_GATE_OPEN);
  g_assert_false (hw_server_gate_is_probing (f->gate));
  g_assert_null (hw_server_gate_get_reason (f->gate));
  g_assert_cmpuint (waited.calls, ==, 1);
  g_assert_no_error (waited.error);
  g_assert_cmpuint (f->notified, ==, 1);

  /* Open, nothing pending: no probe comes by itself. */
  spin_ms (60);
  g_assert_cmpuint (f->probes->len, ==, 1);
}

/* A failed probe closes the gate, fails the waiters with OFFLINE and the
 * reason, and the next probe comes after the backoff (20 ms ± 25 %). */
static void
test_failure_closes_and_backs_off (Fixture       *f,
                                   gconstpointer  data)
{
  WaitResult waited = { 0, };
  gint64 closed_us;
  gint64 delay_us;

  hw_server_gate_start (f->gate);
  hw_server_gate_wait (f->gate, on_waited, &waited);
  answer (f, FALSE);
  closed_us = g_get_monotonic_time ();
  g_assert_cmpint (hw_server_gate_get_state (f->gate), ==, HW_SERVER_GATE_CLOSED);
  g_assert_cmpstr (hw_server_gate_get_reason (f->gate), ==,
                   "Could not connect: Connection refused");
  g_assert_cmpuint (waited.calls, ==, 1);
  g_assert_error (waited.error, HW_EMBY_ERROR, HW_EMBY_ERROR_OFFLINE);
  g_clear_error (&waited.error);

  g_assert_true (wait_probes (f, 2, 2000));
  delay_us = g_array_index (f->probe_times, gint64, 1) - closed_us;
  g_test_message ("second probe %.1f ms after the failure", delay_us / 1000.0);
  g_assert_cmpint (delay_us, >=, 14 * MS);

  /* Failing again doubles the wait (40 ms ± 25 %); still closed, no
   * second notify. */
  answer (f, FALSE);
  closed_us = g_get_monotonic_time ();
  g_assert_true (wait_probes (f, 3, 2000));
  delay_us = g_array_index (f->probe_times, gint64, 2) - closed_us;
  g_assert_cmpint (delay_us, >=, 29 * MS);
  g_assert_cmpuint (f->notified, ==, 1);

  answer (f, TRUE);
  g_assert_cmpint (hw_server_gate_get_state (f->gate), ==, HW_SERVER_GATE_OPEN);
  g_assert_cmpuint (f->notified, ==, 2);
}

/* The network comes back: the probe goes out at once, not after the
 * backoff (here a long one). */
static void
test_network_back_probes_at_once (Fixture       *f,
                                  gconstpointer  data)
{
  hw_server_gate_set_backoff (f->gate, 60 * G_USEC_PER_SEC, 60 * G_USEC_PER_SEC);
  start_closed (f);
  spin_ms (10);
  g_assert_cmpuint (f->probes->len, ==, 1);

  test_monitor_set_available (f->monitor, TRUE, TRUE);
  g_assert_cmpuint (f->probes->len, ==, 2);
  answer (f, TRUE);
  g_assert_cmpint (hw_server_gate_get_state (f->gate), ==, HW_SERVER_GATE_OPEN);
}

/* Control: the availability flips without "network-changed": the probe
 * waits the backoff out, then comes. */
static void
test_no_signal_waits_backoff (Fixture       *f,
                              gconstpointer  data)
{
  gint64 closed_us;

  hw_server_gate_set_backoff (f->gate, 40 * MS, 80 * MS);
  closed_us = start_closed (f);
  test_monitor_set_available (f->monitor, TRUE, FALSE);
  spin_ms (20);
  g_assert_cmpuint (f->probes->len, ==, 1);
  g_assert_true (wait_probes (f, 2, 2000));
  g_assert_cmpint (g_array_index (f->probe_times, gint64, 1) - closed_us, >=, 29 * MS);
}

/* The network comes back while a probe hangs in the dead network: a fresh
 * probe goes out at once, and the hung one's late answer is ignored. */
static void
test_network_back_supersedes_hung_probe (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(GCancellable) hung = NULL;

  start_closed (f);
  g_assert_true (wait_probes (f, 2, 2000));
  hung = g_object_ref (last_probe (f));

  test_monitor_set_available (f->monitor, TRUE, TRUE);
  g_assert_cmpuint (f->probes->len, ==, 3);
  g_assert_true (g_cancellable_is_cancelled (hung));

  /* The hung probe fails at last: no verdict from it. */
  hw_server_gate_probe_done (f->gate, hung, FALSE, "no answer within 20 s");
  g_assert_true (hw_server_gate_is_probing (f->gate));
  answer (f, TRUE);
  g_assert_cmpint (hw_server_gate_get_state (f->gate), ==, HW_SERVER_GATE_OPEN);
}

/* "network-changed" saying the network is (still) gone: no probe. */
static void
test_unavailable_no_probe (Fixture       *f,
                           gconstpointer  data)
{
  hw_server_gate_set_backoff (f->gate, 60 * G_USEC_PER_SEC, 60 * G_USEC_PER_SEC);
  start_closed (f);
  test_monitor_set_available (f->monitor, FALSE, TRUE);
  spin_ms (10);
  g_assert_cmpuint (f->probes->len, ==, 1);
  g_assert_cmpint (hw_server_gate_get_state (f->gate), ==, HW_SERVER_GATE_CLOSED);
}

/* Network managers emit "network-changed" often; open, it costs nothing. */
static void
test_open_no_probe (Fixture       *f,
                    gconstpointer  data)
{
  hw_server_gate_start (f->gate);
  answer (f, TRUE);
  for (guint i = 0; i < 3; i++)
    test_monitor_set_available (f->monitor, TRUE, TRUE);
  spin_ms (10);
  g_assert_cmpuint (f->probes->len, ==, 1);
  g_assert_cmpint (hw_server_gate_get_state (f->gate), ==, HW_SERVER_GATE_OPEN);
}

/* A suspicion is one probe and no verdict: the gate stays open until the
 * probe fails. */
static void
test_suspect (Fixture       *f,
              gconstpointer  data)
{
  hw_server_gate_start (f->gate);
  answer (f, TRUE);
  hw_server_gate_suspect (f->gate, "GET /Users/{UserId}/Items: no answer within 20 s");
  hw_server_gate_suspect (f->gate, "POST /Items/1/PlaybackInfo: no answer within 20 s");
  g_assert_cmpuint (f->probes->len, ==, 2);
  g_assert_cmpint (hw_server_gate_get_state (f->gate), ==, HW_SERVER_GATE_OPEN);
  answer (f, FALSE);
  g_assert_cmpint (hw_server_gate_get_state (f->gate), ==, HW_SERVER_GATE_CLOSED);
  /* Closed: the gate probes anyway. */
  hw_server_gate_suspect (f->gate, "another");
  g_assert_cmpuint (f->probes->len, ==, 2);
}

/* Told the server is going away: closed at once, the probe after the
 * first backoff; many failures together: closed and a probe now. */
static void
test_close (Fixture       *f,
            gconstpointer  data)
{
  gint64 closed_us;

  hw_server_gate_start (f->gate);
  answer (f, TRUE);
  hw_server_gate_close (f->gate, "the server is restarting");
  closed_us = g_get_monotonic_time ();
  g_assert_cmpint (hw_server_gate_get_state (f->gate), ==, HW_SERVER_GATE_CLOSED);
  g_assert_cmpstr (hw_server_gate_get_reason (f->gate), ==, "the server is restarting");
  g_assert_cmpuint (f->probes->len, ==, 1);
  g_assert_true (wait_probes (f, 2, 2000));
  g_assert_cmpint (g_array_index (f->probe_times, gint64, 1) - closed_us, >=, 14 * MS);
  answer (f, TRUE);

  hw_server_gate_close_and_probe (f->gate, "checking the server after many failures");
  g_assert_cmpint (hw_server_gate_get_state (f->gate), ==, HW_SERVER_GATE_CLOSED);
  g_assert_cmpuint (f->probes->len, ==, 3);
}

/* A Retry-After on the probe holds the next one beyond the backoff. */
static void
test_retry_after (Fixture       *f,
                  gconstpointer  data)
{
  gint64 failed_us;

  hw_server_gate_start (f->gate);
  hw_server_gate_retry_after (f->gate, 150 * MS);
  answer (f, FALSE);
  failed_us = g_get_monotonic_time ();
  spin_ms (60);
  g_assert_cmpuint (f->probes->len, ==, 1);
  g_assert_true (wait_probes (f, 2, 2000));
  g_assert_cmpint (g_array_index (f->probe_times, gint64, 1) - failed_us, >=, 140 * MS);
}

/* A new identity: the waiters fail with the reset's error, the probe in
 * flight is dropped, and nothing probes until started again. */
static void
test_reset (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "changed");
  g_autoptr(GCancellable) old = NULL;
  WaitResult waited = { 0, };

  hw_server_gate_start (f->gate);
  old = g_object_ref (last_probe (f));
  hw_server_gate_wait (f->gate, on_waited, &waited);
  hw_server_gate_reset (f->gate, error);
  g_assert_cmpuint (waited.calls, ==, 1);
  g_assert_error (waited.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&waited.error);
  g_assert_true (g_cancellable_is_cancelled (old));
  g_assert_false (hw_server_gate_is_probing (f->gate));
  g_assert_cmpuint (f->probes->len, ==, 1);

  hw_server_gate_start (f->gate);
  g_assert_cmpuint (f->probes->len, ==, 2);
  hw_server_gate_probe_done (f->gate, old, TRUE, NULL);
  g_assert_cmpint (hw_server_gate_get_state (f->gate), ==, HW_SERVER_GATE_UNKNOWN);
}

/* No address: the probe cannot start, and the gate does not wait for one. */
static void
test_probe_refused (Fixture       *f,
                    gconstpointer  data)
{
  f->refuse = TRUE;
  hw_server_gate_start (f->gate);
  g_assert_false (hw_server_gate_is_probing (f->gate));
  f->refuse = FALSE;
  hw_server_gate_recheck (f->gate);
  g_assert_true (hw_server_gate_is_probing (f->gate));
  g_assert_cmpuint (f->probes->len, ==, 1);
  answer (f, TRUE);
}

/* The state is an enum property, and notify::state is its one channel. */
static void
test_state_property (Fixture       *f,
                     gconstpointer  data)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (f->gate), "state");
  HwServerGateState state = HW_SERVER_GATE_UNKNOWN;

  g_assert_nonnull (pspec);
  g_assert_true (G_IS_PARAM_SPEC_ENUM (pspec));
  start_closed (f);
  g_object_get (f->gate, "state", &state, NULL);
  g_assert_cmpint (state, ==, HW_SERVER_GATE_CLOSED);
  g_assert_cmpuint (f->notified, ==, 1);
  g_assert_cmpint (GPOINTER_TO_INT (g_ptr_array_index (f->states, 0)), ==, HW_SERVER_GATE_CLOSED);
  g_assert_cmpuint (g_signal_lookup ("state-changed", HW_TYPE_SERVER_GATE), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* The gate logs the server going away; here that is expected. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);

#define ADD(path, func) \
  g_test_add ("/hyperwall/emby/gate/" path, Fixture, NULL, fixture_setup, func, \
              fixture_teardown)

  ADD ("answer-opens", test_answer_opens);
  ADD ("failure-closes-and-backs-off", test_failure_closes_and_backs_off);
  ADD ("network-back-probes-at-once", test_network_back_probes_at_once);
  ADD ("network-back-supersedes-hung-probe", test_network_back_supersedes_hung_probe);
  ADD ("no-signal-waits-backoff", test_no_signal_waits_backoff);
  ADD ("unavailable-no-probe", test_unavailable_no_probe);
  ADD ("open-no-probe", test_open_no_probe);
  ADD ("suspect", test_suspect);
  ADD ("close", test_close);
  ADD ("retry-after", test_retry_after);
  ADD ("reset", test_reset);
  ADD ("probe-refused", test_probe_refused);
  ADD ("state-property", test_state_property);

#undef ADD

  return g_test_run ();
}
