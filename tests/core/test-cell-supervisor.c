/* test-cell-supervisor.c: the healing half of a cell, without a display.
 *
 * A fake player (driven by the test: first frame, end, position, cache
 * flags), a fake view that makes those players, and a fake feed that
 * records what the supervisor asks of it. Decisions read a clock that only
 * moves when a test moves it; the watchdog and the retry and park timers
 * still run on the main context, with delays of milliseconds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include "cell-fakes.h"
#include "hw-cell-reason.h"
#include "hw-cell-supervisor.h"
#include "hw-redact.h"

#define MS (G_GINT64_CONSTANT (1000))
#define S  HW_USEC_PER_SEC

/* ------------------------------------------------------------------ */
/* Fixture                                                             */

typedef struct {
  gint64            now;        /* the supervisor's clock: moves when a test moves it */
  double            jitter;
  TestFeed         *feed;
  TestView         *view;
  HwCellSupervisor *supervisor;
  HwCellSupervisorSettings settings;
  guint             failures;   /* "failure" signals */
} Fixture;

static gint64
fixture_now (gpointer user_data)
{
  return ((Fixture *) user_data)->now;
}

static double
fixture_jitter (gpointer user_data)
{
  return ((Fixture *) user_data)->jitter;
}

static void
on_failure (HwCellSupervisor *supervisor, const char *why, Fixture *fx)
{
  g_assert_nonnull (why);
  fx->failures++;
}

static void
fixture_set_up (Fixture *fx, gconstpointer data)
{
  HwCacheSplit cache = hw_cache_split (512 * HW_MIB, 512 * HW_MIB, 1);

  fx->now = 1000 * S;
  fx->feed = g_object_new (TEST_TYPE_FEED, NULL);
  fx->view = g_object_new (TEST_TYPE_VIEW, NULL);

  hw_cell_policy_init_defaults (&fx->settings.policy);
  /* The timers run for real: milliseconds. Everything judged by the clock
   * keeps its real default. */
  fx->settings.policy.backoff_initial_us = 20 * MS;
  fx->settings.policy.backoff_max_us = 200 * MS;
  fx->settings.policy.crash_loop_cooldown_us = 150 * MS;
  /* The fake view shows no frames unless a test says so: the frozen
   * picture rule is off but where a test turns it on. */
  fx->settings.stall = (HwStallParams) { 20 * S, 30 * S, 0, -1 };
  fx->settings.watchdog_interval_ms = 50;
  fx->settings.network_timeout_s = 20;
  fx->settings.hwdec = "no";

  fx->supervisor = hw_cell_supervisor_new (0, HW_FEED (fx->feed), HW_CELL_VIEW (fx->view),
                                           &fx->settings, &cache);
  hw_cell_supervisor_set_clock (fx->supervisor, fixture_now, fixture_jitter, fx);
  g_signal_connect (fx->supervisor, "failure", G_CALLBACK (on_failure), fx);
}

static void
fixture_tear_down (Fixture *fx, gconstpointer data)
{
  hw_cell_supervisor_shutdown (fx->supervisor);
  hw_cell_supervisor_detach (fx->supervisor);
  g_assert_null (fx->view->player);
  /* Cancelled requests still complete, and hold the supervisor until then. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (fx->supervisor);
  g_assert_finalize_object (fx->view);
  g_assert_finalize_object (fx->feed);
}

#define STATE(fx) hw_cell_supervisor_get_state ((fx)->supervisor)
#define PLAYER(fx) ((fx)->view->player)
#define LOADS(fx) (PLAYER (fx) ? PLAYER (fx)->loads->len : 0)
#define LAST_LOAD(fx) \
  ((const char *) g_ptr_array_index (PLAYER (fx)->loads, PLAYER (fx)->loads->len - 1))

/* Runs the main context until @cond holds; fails after two seconds. */
#define WAIT_FOR(cond)                                                  \
  G_STMT_START {                                                        \
    gint64 _deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;    \
    while (!(cond) && g_get_monotonic_time () < _deadline)              \
      g_main_context_iteration (NULL, TRUE);                            \
    if (!(cond))                                                        \
      g_error ("timed out waiting for %s", #cond);                      \
  } G_STMT_END

static void
assert_state (Fixture *fx, HwCellState state)
{
  g_assert_cmpstr (hw_cell_state_to_string (STATE (fx)), ==, hw_cell_state_to_string (state));
}

/* Moves the clock, then lets the watchdog tick once at the new time. */
static void
advance (Fixture *fx, gint64 us)
{
  fx->now += MAX (us, 1);
  WAIT_FOR (hw_cell_supervisor_get_last_tick (fx->supervisor) == fx->now);
}

/* Waits for the @n-th load of the current player. */
static void
wait_for_load (Fixture *fx, guint n)
{
  WAIT_FOR (PLAYER (fx) != NULL && PLAYER (fx)->loads->len >= n);
  g_assert_cmpuint (PLAYER (fx)->loads->len, ==, n);
  assert_state (fx, HW_CELL_STATE_LOADING);
}

static void
first_frame (Fixture *fx)
{
  hw_cell_player_emit_started (HW_CELL_PLAYER (PLAYER (fx)));
  assert_state (fx, HW_CELL_STATE_PLAYING);
  PLAYER (fx)->position = 0.5;
  PLAYER (fx)->duration = 60;
}

/* Started, the first item loaded direct and showing its first frame. */
static void
play (Fixture *fx)
{
  hw_cell_supervisor_start (fx->supervisor);
  wait_for_load (fx, 1);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-1");
  first_frame (fx);
}

static void
end_with_error (Fixture *fx)
{
  hw_cell_player_emit_ended (HW_CELL_PLAYER (PLAYER (fx)), HW_PLAYER_END_ERROR,
                             "Failed to open http://host/x?api_key=s3cr3tkey");
}

static void
end_before_first_frame (Fixture *fx)
{
  hw_cell_player_emit_ended (HW_CELL_PLAYER (PLAYER (fx)), HW_PLAYER_END_EOF, NULL);
}

/* ------------------------------------------------------------------ */
/* Start, play, status                                                 */

static void
test_start_plays (Fixture *fx, gconstpointer data)
{
  assert_state (fx, HW_CELL_STATE_IDLE);
  g_assert_cmpstr (hw_cell_supervisor_get_headline (fx->supervisor), ==, "Loading…");

  play (fx);

  g_assert_cmpuint (fx->view->created, ==, 1);
  g_assert_cmpstr (fx->view->log_prefix, ==, "cell 0");
  g_assert_false (fx->view->audible);
  g_assert_cmpuint (fx->feed->requests, ==, 1);
  g_assert_cmpuint (fx->feed->reports[HW_FEED_REPORT_STARTED], ==, 1);
  g_assert_cmpstr (hw_cell_supervisor_get_title (fx->supervisor), ==, "Item 1");
  g_assert_null (hw_cell_supervisor_get_headline (fx->supervisor));
  g_assert_null (hw_cell_supervisor_get_reason (fx->supervisor));
  g_assert_cmpuint (fx->failures, ==, 0);
}

static void
test_status_object (Fixture *fx, gconstpointer data)
{
  static const char * const keys[] = {
    "index", "state", "item_id", "title", "position", "failures", "retries", "frames",
    "demuxer_max_bytes", "demuxer_max_back_bytes", "reason",
  };
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *object;
  guint i = 0;

  play (fx);
  PLAYER (fx)->position = 12.44;
  fx->view->frames = 42;
  hw_cell_supervisor_set_cache (fx->supervisor, &(HwCacheSplit) { 64 * HW_MIB, 48 * HW_MIB,
                                                                  16 * HW_MIB });

  hw_cell_supervisor_add_status (fx->supervisor, builder);
  node = json_builder_get_root (builder);
  object = json_node_get_object (node);

  members = json_object_get_members (object);
  g_assert_cmpuint (g_list_length (members), ==, G_N_ELEMENTS (keys));
  for (GList *l = members; l != NULL; l = l->next, i++)
    g_assert_cmpstr (l->data, ==, keys[i]);

  g_assert_cmpint (json_object_get_int_member (object, "index"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "playing");
  g_assert_cmpstr (json_object_get_string_member (object, "item_id"), ==, "item-1");
  g_assert_cmpstr (json_object_get_string_member (object, "title"), ==, "Item 1");
  g_assert_cmpfloat (json_object_get_double_member (object, "position"), ==, 12.4);
  g_assert_cmpint (json_object_get_int_member (object, "failures"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (object, "frames"), ==, 42);
  g_assert_cmpint (json_object_get_int_member (object, "demuxer_max_bytes"), ==, 48 * HW_MIB);
  g_assert_cmpint (json_object_get_int_member (object, "demuxer_max_back_bytes"), ==,
                   16 * HW_MIB);
  g_assert_true (json_object_get_null_member (object, "reason"));
}

/* ------------------------------------------------------------------ */
/* Stall detection                                                     */

static void
test_stall_while_playing (Fixture *fx, gconstpointer data)
{
  play (fx);
  advance (fx, 1);

  /* Moving keeps it alive. */
  for (int i = 0; i < 3; i++)
    {
      PLAYER (fx)->position += 10;
      advance (fx, 10 * S);
      assert_state (fx, HW_CELL_STATE_PLAYING);
    }

  /* Exactly the timeout is not a stall yet; the position stays put. */
  advance (fx, 20 * S);
  assert_state (fx, HW_CELL_STATE_PLAYING);
  g_assert_cmpuint (fx->failures, ==, 0);

  advance (fx, 1 * MS);
  assert_state (fx, HW_CELL_STATE_RETRYING);
  g_assert_cmpuint (fx->failures, ==, 1);
  g_assert_cmpstr (hw_cell_supervisor_get_reason (fx->supervisor), ==, "The stream stalled");
  g_assert_cmpstr (hw_cell_supervisor_get_headline (fx->supervisor), ==, "Trouble playing");
  g_assert_nonnull (strstr (hw_cell_supervisor_get_detail (fx->supervisor),
                            "The stream stalled — retrying in 0:01"));
  g_assert_cmpuint (PLAYER (fx)->stops, ==, 1);

  /* The retry loads the same stream again. */
  wait_for_load (fx, 2);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-1");
}

static void
test_stall_paused_for_cache (Fixture *fx, gconstpointer data)
{
  play (fx);
  advance (fx, 1);

  PLAYER (fx)->paused_for_cache = TRUE;
  advance (fx, 1 * S);
  g_assert_true (hw_cell_supervisor_get_buffering (fx->supervisor));
  g_assert_cmpstr (hw_cell_supervisor_get_headline (fx->supervisor), ==, "Buffering…");

  /* Waiting for the cache is what a network stall looks like: no exemption. */
  advance (fx, 20 * S);
  assert_state (fx, HW_CELL_STATE_RETRYING);
  g_assert_cmpuint (fx->failures, ==, 1);
}

static void
test_stall_operator_pause (Fixture *fx, gconstpointer data)
{
  play (fx);
  advance (fx, 1);

  hw_cell_supervisor_set_paused (fx->supervisor, TRUE);
  assert_state (fx, HW_CELL_STATE_PAUSED);
  g_assert_true (PLAYER (fx)->paused);
  g_assert_cmpstr (hw_cell_supervisor_get_headline (fx->supervisor), ==, "Paused");

  for (int i = 0; i < 3; i++)
    advance (fx, 30 * S);
  assert_state (fx, HW_CELL_STATE_PAUSED);
  g_assert_cmpuint (fx->failures, ==, 0);

  /* The paused time never counts towards a stall afterwards. */
  hw_cell_supervisor_set_paused (fx->supervisor, FALSE);
  assert_state (fx, HW_CELL_STATE_PLAYING);
  g_assert_false (PLAYER (fx)->paused);
  advance (fx, 19 * S);
  assert_state (fx, HW_CELL_STATE_PLAYING);

  advance (fx, 2 * S);
  assert_state (fx, HW_CELL_STATE_RETRYING);
}

static void
test_stall_load_timeout (Fixture *fx, gconstpointer data)
{
  hw_cell_supervisor_start (fx->supervisor);
  wait_for_load (fx, 1);

  advance (fx, 30 * S);
  assert_state (fx, HW_CELL_STATE_LOADING);

  advance (fx, 1 * MS);
  assert_state (fx, HW_CELL_STATE_RETRYING);
  g_assert_cmpstr (hw_cell_supervisor_get_reason (fx->supervisor), ==,
                   "The stream did not start in time");
}

/* ------------------------------------------------------------------ */
/* Escalation                                                          */

/* Fails the current load and checks the retry it schedules. */
static void
fail_and_expect_retry (Fixture *fx, gint64 delay_us)
{
  end_before_first_frame (fx);
  assert_state (fx, HW_CELL_STATE_RETRYING);
  /* The clock stands still: the whole delay is left. */
  g_assert_cmpint (hw_cell_supervisor_get_timer_remaining (fx->supervisor), ==, delay_us);
}

static void
test_escalation_order (Fixture *fx, gconstpointer data)
{
  gboolean has_fallback = GPOINTER_TO_INT (data);
  const char *retry_url = has_fallback ? "fallback://item-1" : "direct://item-1";
  gint64 initial = fx->settings.policy.backoff_initial_us;

  fx->feed->has_fallback = has_fallback;
  hw_cell_supervisor_start (fx->supervisor);
  wait_for_load (fx, 1);

  fail_and_expect_retry (fx, initial);
  g_assert_cmpuint (PLAYER (fx)->stops, ==, 1);
  wait_for_load (fx, 2);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-1");

  fail_and_expect_retry (fx, 2 * initial);
  wait_for_load (fx, 3);
  g_assert_cmpstr (LAST_LOAD (fx), ==, retry_url);

  fail_and_expect_retry (fx, 4 * initial);
  wait_for_load (fx, 4);
  g_assert_cmpstr (LAST_LOAD (fx), ==, retry_url);

  /* The chain is exhausted: skip, set the item aside, no further retry. */
  g_assert_cmpuint (fx->feed->set_aside->len, ==, 0);
  end_before_first_frame (fx);
  g_assert_cmpuint (fx->feed->set_aside->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fx->feed->set_aside, 0), ==, "item-1:failed");
  g_assert_cmpint (hw_cell_supervisor_get_timer_remaining (fx->supervisor), ==, -1);
  wait_for_load (fx, 5);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-2");
  g_assert_cmpuint (fx->feed->requests, ==, 2);
  g_assert_cmpuint (fx->feed->released, ==, 1);
  g_assert_cmpuint (fx->failures, ==, 4);
  /* One player all along: a next item replaces the old one in place. */
  g_assert_cmpuint (fx->view->created, ==, 1);
}

static void
test_escalation_jitter (Fixture *fx, gconstpointer data)
{
  gint64 initial = 2 * MS;

  fx->settings.policy.backoff_initial_us = initial;
  hw_cell_supervisor_set_settings (fx->supervisor, &fx->settings);
  hw_cell_supervisor_start (fx->supervisor);
  wait_for_load (fx, 1);

  /* The jitter's extremes are ±25 % of the delay. */
  fx->jitter = 1.0;
  fail_and_expect_retry (fx, initial * 5 / 4);
  wait_for_load (fx, 2);

  fx->jitter = -1.0;
  fail_and_expect_retry (fx, initial * 2 * 3 / 4);
  wait_for_load (fx, 3);

  /* The real jitter stays inside those bounds. */
  hw_cell_supervisor_set_clock (fx->supervisor, fixture_now, NULL, fx);
  for (guint i = 0; i < 20; i++)
    {
      gint64 remaining;

      end_before_first_frame (fx);
      assert_state (fx, HW_CELL_STATE_RETRYING);
      remaining = hw_cell_supervisor_get_timer_remaining (fx->supervisor);
      g_assert_cmpint (remaining, >=, initial * 4 * 3 / 4);
      g_assert_cmpint (remaining, <=, initial * 4 * 5 / 4);
      fx->now += 120 * S;  /* out of the crash-loop window */
      /* Back to the third step of a fresh item, with no failures counted. */
      hw_cell_supervisor_next (fx->supervisor);
      wait_for_load (fx, 4 + 3 * i);
      end_before_first_frame (fx);
      wait_for_load (fx, 5 + 3 * i);
      end_before_first_frame (fx);
      wait_for_load (fx, 6 + 3 * i);
    }
}

/* ------------------------------------------------------------------ */
/* Parking                                                             */

static void
fail_until_parked (Fixture *fx)
{
  HwCellSupervisorSettings settings = fx->settings;

  settings.policy.crash_loop_threshold = 3;
  hw_cell_supervisor_set_settings (fx->supervisor, &settings);

  play (fx);
  end_with_error (fx);
  wait_for_load (fx, 2);
  end_with_error (fx);
  wait_for_load (fx, 3);
  /* Not yet played: the feed checks the stream first. */
  end_with_error (fx);
  WAIT_FOR (STATE (fx) == HW_CELL_STATE_PARKED);
}

static void
test_park_and_resume (Fixture *fx, gconstpointer data)
{
  guint requests;

  fail_until_parked (fx);
  g_assert_cmpuint (fx->failures, ==, 3);
  g_assert_cmpstr (hw_cell_supervisor_get_headline (fx->supervisor), ==, "Media unavailable");
  /* The reason comes from outside: its secret never shows. */
  g_assert_cmpstr (hw_cell_supervisor_get_detail (fx->supervisor), ==,
                   "Playback failed: Failed to open http://host/x?api_key=***\n"
                   "Trying again in 0:01");
  g_assert_cmpuint (fx->feed->released, ==, 1);
  g_assert_null (hw_cell_supervisor_get_title (fx->supervisor));
  g_assert_cmpuint (fx->feed->set_aside->len, ==, 0);
  g_assert_cmpint (hw_cell_supervisor_get_timer_remaining (fx->supervisor), ==,
                   fx->settings.policy.crash_loop_cooldown_us);

  /* Parked: no requests, no loads, until the cooldown is over. */
  requests = fx->feed->requests;
  while (STATE (fx) == HW_CELL_STATE_PARKED)
    {
      g_assert_cmpuint (fx->feed->requests, ==, requests);
      g_assert_cmpuint (LOADS (fx), ==, 3);
      g_main_context_iteration (NULL, TRUE);
    }

  g_assert_cmpuint (fx->feed->requests, ==, requests + 1);
  wait_for_load (fx, 4);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-2");
}

static void
test_park_operator_next (Fixture *fx, gconstpointer data)
{
  /* A cooldown that never ends within the test. */
  fx->settings.policy.crash_loop_cooldown_us = 60 * S;
  fail_until_parked (fx);

  hw_cell_supervisor_next (fx->supervisor);
  wait_for_load (fx, 4);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-2");
  first_frame (fx);
  g_assert_null (hw_cell_supervisor_get_reason (fx->supervisor));

  /* The crash-loop window starts empty again. */
  end_with_error (fx);
  assert_state (fx, HW_CELL_STATE_RETRYING);
}

/* ------------------------------------------------------------------ */
/* The server gate                                                     */

/* A closed gate leaves a playing stream alone: its own watchdog still
 * judges it, and only when it fails does it wait, showing the server's
 * trouble, without counting the failure. */
static void
test_gate_closed_and_reopened (Fixture *fx, gconstpointer data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  guint progress_reports;

  play (fx);
  PLAYER (fx)->position = 7;

  hw_cell_supervisor_server_state_changed (fx->supervisor, HW_SERVER_STATE_OFFLINE,
                                           "Connection refused, token=abcdefgh");
  assert_state (fx, HW_CELL_STATE_PLAYING);
  g_assert_null (hw_cell_supervisor_get_headline (fx->supervisor));
  g_assert_cmpuint (PLAYER (fx)->stops, ==, 0);
  g_assert_cmpuint (fx->feed->released, ==, 0);

  /* It keeps playing, and reports nothing to a server that is away. */
  progress_reports = fx->feed->reports[HW_FEED_REPORT_PROGRESS];
  for (int i = 0; i < 4; i++)
    {
      PLAYER (fx)->position += 5;
      advance (fx, 5 * S);
      assert_state (fx, HW_CELL_STATE_PLAYING);
    }
  g_assert_cmpuint (fx->feed->reports[HW_FEED_REPORT_PROGRESS], ==, progress_reports);

  /* Then it stalls: the watchdog fails it, and it waits, uncounted. */
  advance (fx, 21 * S);
  assert_state (fx, HW_CELL_STATE_WAITING);
  g_assert_cmpstr (hw_cell_supervisor_get_headline (fx->supervisor), ==, "Waiting for server");
  g_assert_cmpuint (PLAYER (fx)->stops, ==, 1);
  g_assert_cmpuint (fx->feed->reports[HW_FEED_REPORT_STOPPED], ==, 1);
  g_assert_cmpfloat (fx->feed->stopped_position, ==, 27);
  g_assert_cmpuint (fx->feed->released, ==, 1);
  g_assert_cmpuint (fx->feed->checks, ==, 0);

  /* Closed: no requests, and what fails is not counted. */
  end_with_error (fx);
  for (int i = 0; i < 3; i++)
    advance (fx, 60 * S);
  assert_state (fx, HW_CELL_STATE_WAITING);
  g_assert_cmpuint (fx->feed->requests, ==, 1);
  g_assert_cmpuint (LOADS (fx), ==, 1);

  hw_cell_supervisor_add_status (fx->supervisor, builder);
  node = json_builder_get_root (builder);
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "waiting");
  g_assert_cmpint (json_object_get_int_member (object, "failures"), ==, 0);

  /* Connecting is not open yet; online is. */
  hw_cell_supervisor_server_state_changed (fx->supervisor, HW_SERVER_STATE_CONNECTING, NULL);
  assert_state (fx, HW_CELL_STATE_WAITING);
  hw_cell_supervisor_server_state_changed (fx->supervisor, HW_SERVER_STATE_ONLINE, NULL);
  wait_for_load (fx, 2);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-2");
  first_frame (fx);
}

/* A cell that needs the server while its gate is closed waits: an item
 * that ends asks for no next one, and shows the server's trouble. */
static void
test_gate_end_waits (Fixture *fx, gconstpointer data)
{
  play (fx);
  hw_cell_supervisor_server_state_changed (fx->supervisor, HW_SERVER_STATE_OFFLINE,
                                           "Connection refused, token=abcdefgh");
  PLAYER (fx)->position = 60;
  end_before_first_frame (fx);
  assert_state (fx, HW_CELL_STATE_WAITING);
  g_assert_cmpstr (hw_cell_supervisor_get_headline (fx->supervisor), ==, "Waiting for server");
  g_assert_cmpuint (fx->feed->requests, ==, 1);
  g_assert_cmpuint (fx->feed->released, ==, 1);
  g_assert_cmpuint (fx->failures, ==, 0);

  /* Back online: a fresh item. */
  hw_cell_supervisor_server_state_changed (fx->supervisor, HW_SERVER_STATE_ONLINE, NULL);
  wait_for_load (fx, 2);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-2");
}

/* A pending retry needs the server: the gate closing stops it, and the
 * retry timer that was due never fires a request. */
static void
test_gate_stops_retry (Fixture *fx, gconstpointer data)
{
  play (fx);
  end_with_error (fx);
  assert_state (fx, HW_CELL_STATE_RETRYING);
  hw_cell_supervisor_server_state_changed (fx->supervisor, HW_SERVER_STATE_OFFLINE, NULL);
  assert_state (fx, HW_CELL_STATE_WAITING);
  g_assert_cmpstr (hw_cell_supervisor_get_reason (fx->supervisor), ==, "server gate closed");
  advance (fx, 1 * S);
  advance (fx, 1 * S);
  g_assert_cmpuint (LOADS (fx), ==, 1);
  g_assert_cmpuint (fx->feed->requests, ==, 1);
}

static void
test_gate_start_while_closed (Fixture *fx, gconstpointer data)
{
  hw_cell_supervisor_server_state_changed (fx->supervisor, HW_SERVER_STATE_OFFLINE, NULL);
  hw_cell_supervisor_start (fx->supervisor);
  assert_state (fx, HW_CELL_STATE_WAITING);
  g_assert_cmpstr (hw_cell_supervisor_get_reason (fx->supervisor), ==, "server gate closed");
  advance (fx, 1 * S);
  g_assert_cmpuint (fx->feed->requests, ==, 0);
  g_assert_cmpuint (fx->view->created, ==, 0);

  hw_cell_supervisor_server_state_changed (fx->supervisor, HW_SERVER_STATE_ONLINE, NULL);
  wait_for_load (fx, 1);
}

static void
test_gate_sign_in_required (Fixture *fx, gconstpointer data)
{
  fx->feed->error = g_error_new_literal (HW_FEED_ERROR, HW_FEED_ERROR_SIGN_IN_REQUIRED,
                                         "The server refused the token");
  hw_cell_supervisor_start (fx->supervisor);
  WAIT_FOR (STATE (fx) == HW_CELL_STATE_SIGN_IN_REQUIRED);
  g_assert_cmpstr (hw_cell_supervisor_get_headline (fx->supervisor), ==, "Sign-in required");
  g_assert_cmpstr (hw_cell_supervisor_get_detail (fx->supervisor), ==,
                   "The server refused the token");

  g_clear_error (&fx->feed->error);
  hw_cell_supervisor_server_state_changed (fx->supervisor, HW_SERVER_STATE_SIGN_IN_REQUIRED,
                                           NULL);
  hw_cell_supervisor_server_state_changed (fx->supervisor, HW_SERVER_STATE_ONLINE, NULL);
  wait_for_load (fx, 1);
}

/* ------------------------------------------------------------------ */
/* Items set aside                                                     */

static void
test_set_aside_not_found (Fixture *fx, gconstpointer data)
{
  fx->feed->stream_gone = TRUE;
  hw_cell_supervisor_start (fx->supervisor);
  wait_for_load (fx, 1);

  end_with_error (fx);
  /* Skipped at once: no retry, straight to the next item. */
  wait_for_load (fx, 2);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-2");
  g_assert_cmpuint (fx->feed->checks, ==, 1);
  g_assert_cmpstr (fx->feed->checked_url, ==, "direct://item-1");
  g_assert_cmpuint (fx->feed->set_aside->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fx->feed->set_aside, 0), ==, "item-1:gone");
  g_assert_cmpstr (hw_cell_supervisor_get_reason (fx->supervisor), ==,
                   "The server has no such stream (404)");
  g_assert_cmpuint (fx->failures, ==, 0);
  g_assert_cmpuint (PLAYER (fx)->stops, ==, 0);
}

/* A file the player cannot read is skipped at once and set aside as
 * unplayable, without a retry, a stream check or a count towards a park:
 * a cell that meets many of them in a row never parks for them. */
static void
test_set_aside_not_video (Fixture *fx, gconstpointer data)
{
  guint threshold = fx->settings.policy.crash_loop_threshold;

  fx->feed->local = TRUE;
  hw_cell_supervisor_start (fx->supervisor);
  for (guint i = 1; i <= 2 * threshold; i++)
    {
      wait_for_load (fx, i);
      hw_cell_player_emit_ended (HW_CELL_PLAYER (PLAYER (fx)), HW_PLAYER_END_UNPLAYABLE,
                                 "unrecognized file format");
    }
  wait_for_load (fx, 2 * threshold + 1);

  g_assert_cmpuint (fx->feed->checks, ==, 0);
  g_assert_cmpuint (fx->failures, ==, 0);
  g_assert_cmpuint (fx->feed->set_aside->len, ==, 2 * threshold);
  g_assert_cmpstr (g_ptr_array_index (fx->feed->set_aside, 0), ==, "item-1:gone");
  g_assert_cmpstr (hw_cell_supervisor_get_reason (fx->supervisor), ==,
                   "Not a playable video: unrecognized file format");
  assert_state (fx, HW_CELL_STATE_LOADING);
}

/* Over the network the same end may be an answer cut off before its first
 * bytes: an ordinary error, checked and retried, not set aside. */
static void
test_not_video_network (Fixture *fx, gconstpointer data)
{
  hw_cell_supervisor_start (fx->supervisor);
  wait_for_load (fx, 1);
  hw_cell_player_emit_ended (HW_CELL_PLAYER (PLAYER (fx)), HW_PLAYER_END_UNPLAYABLE,
                             "unrecognized file format");
  WAIT_FOR (STATE (fx) == HW_CELL_STATE_RETRYING);
  g_assert_cmpuint (fx->feed->checks, ==, 1);
  g_assert_cmpuint (fx->feed->set_aside->len, ==, 0);
  g_assert_cmpuint (fx->failures, ==, 1);
}

static void
test_set_aside_check_inconclusive (Fixture *fx, gconstpointer data)
{
  hw_cell_supervisor_start (fx->supervisor);
  wait_for_load (fx, 1);

  end_with_error (fx);
  WAIT_FOR (STATE (fx) == HW_CELL_STATE_RETRYING);
  g_assert_cmpuint (fx->feed->checks, ==, 1);
  g_assert_cmpuint (fx->feed->set_aside->len, ==, 0);
  g_assert_cmpuint (fx->failures, ==, 1);
  g_assert_cmpstr (hw_cell_supervisor_get_reason (fx->supervisor), ==,
                   "Playback failed: Failed to open http://host/x?api_key=***");

  /* Once it played, an error is the stream's, not a missing one: no check. */
  wait_for_load (fx, 2);
  first_frame (fx);
  end_with_error (fx);
  assert_state (fx, HW_CELL_STATE_RETRYING);
  g_assert_cmpuint (fx->feed->checks, ==, 1);
}

/* ------------------------------------------------------------------ */
/* Ends, reports, the operator                                         */

static void
test_end_normal_and_premature (Fixture *fx, gconstpointer data)
{
  play (fx);

  /* 30 s into a 60 s item is a dead stream, not an end. */
  PLAYER (fx)->position = 30;
  hw_cell_player_emit_ended (HW_CELL_PLAYER (PLAYER (fx)), HW_PLAYER_END_EOF, NULL);
  assert_state (fx, HW_CELL_STATE_RETRYING);
  g_assert_cmpstr (hw_cell_supervisor_get_reason (fx->supervisor), ==,
                   "The stream stopped at 30 s of 60 s");

  wait_for_load (fx, 2);
  first_frame (fx);
  PLAYER (fx)->position = 59;
  hw_cell_player_emit_ended (HW_CELL_PLAYER (PLAYER (fx)), HW_PLAYER_END_EOF, NULL);
  wait_for_load (fx, 3);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-2");
  g_assert_cmpuint (fx->failures, ==, 1);
  g_assert_cmpuint (fx->feed->set_aside->len, ==, 0);
}

static void
test_reports_progress_throttled (Fixture *fx, gconstpointer data)
{
  play (fx);
  advance (fx, 1);

  for (int i = 0; i < 5; i++)
    {
      PLAYER (fx)->position += 5;
      advance (fx, 5 * S);
    }
  /* At 10 s and 20 s, not on every tick. */
  g_assert_cmpuint (fx->feed->reports[HW_FEED_REPORT_PROGRESS], ==, 2);

  hw_cell_supervisor_next (fx->supervisor);
  g_assert_cmpuint (fx->feed->reports[HW_FEED_REPORT_STOPPED], ==, 1);
  g_assert_cmpfloat (fx->feed->stopped_position, ==, 25.5);
}

static void
test_operator_next_forgets (Fixture *fx, gconstpointer data)
{
  play (fx);

  hw_cell_supervisor_next (fx->supervisor);
  wait_for_load (fx, 2);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-2");
  /* The new load replaces the old one; an asynchronous stop sent before it
   * could overtake it and stop the new item. */
  g_assert_cmpuint (PLAYER (fx)->stops, ==, 0);
  g_assert_cmpuint (PLAYER (fx)->forgets, ==, 1);
  g_assert_cmpuint (fx->feed->released, ==, 1);
}

static void
test_cache_and_audible (Fixture *fx, gconstpointer data)
{
  HwCacheSplit split = hw_cache_split (256 * HW_MIB, 512 * HW_MIB, 4);

  hw_cell_supervisor_set_audible (fx->supervisor, TRUE);
  play (fx);
  g_assert_true (fx->view->audible);
  g_assert_cmpuint (fx->view->forward_bytes, ==, hw_cache_split (512 * HW_MIB, 512 * HW_MIB,
                                                                 1).forward_bytes);

  hw_cell_supervisor_set_cache (fx->supervisor, &split);
  g_assert_cmpuint (PLAYER (fx)->forward_bytes, ==, split.forward_bytes);
  g_assert_cmpuint (PLAYER (fx)->back_bytes, ==, split.back_bytes);

  hw_cell_supervisor_set_audible (fx->supervisor, FALSE);
  g_assert_false (PLAYER (fx)->audible);
}

/* A cell whose position runs while its view shows no new frame (black,
 * or a still) fails like a stalled one, after its grace. */
static void
test_stall_frozen_picture (Fixture *fx, gconstpointer data)
{
  fx->settings.stall.frozen_picture_us = 5 * S;
  hw_cell_supervisor_set_settings (fx->supervisor, &fx->settings);
  play (fx);

  for (int i = 1; i <= 5; i++)
    {
      PLAYER (fx)->position += 1;
      fx->view->frames += 30;
      advance (fx, 1 * S);
    }
  /* Frames stop; the position goes on. */
  for (int i = 1; i <= 5; i++)
    {
      PLAYER (fx)->position += 1;
      advance (fx, 1 * S);
      assert_state (fx, HW_CELL_STATE_PLAYING);
    }
  PLAYER (fx)->position += 1;
  advance (fx, 1 * S);
  assert_state (fx, HW_CELL_STATE_RETRYING);
  g_assert_cmpstr (hw_cell_supervisor_get_reason (fx->supervisor), ==,
                   "The picture stopped while the stream played on");
  g_assert_cmpuint (fx->failures, ==, 1);
}

static void
test_feed_unavailable (Fixture *fx, gconstpointer data)
{
  fx->feed->error = g_error_new_literal (HW_FEED_ERROR, HW_FEED_ERROR_EMPTY,
                                         "The folder has no videos");
  hw_cell_supervisor_start (fx->supervisor);
  WAIT_FOR (STATE (fx) == HW_CELL_STATE_RETRYING);
  g_assert_cmpstr (hw_cell_supervisor_get_reason (fx->supervisor), ==, "The folder has no videos");
  g_assert_cmpuint (fx->failures, ==, 0);
  /* No stream is in trouble: the card says what is missing. */
  g_assert_cmpstr (hw_cell_supervisor_get_headline (fx->supervisor), ==, "Nothing to play");
  g_assert_true (g_str_has_prefix (hw_cell_supervisor_get_detail (fx->supervisor),
                                   "The folder has no videos — asking again in"));

  /* Asks again after the backoff. */
  g_clear_error (&fx->feed->error);
  wait_for_load (fx, 1);
  g_assert_cmpuint (fx->feed->requests, ==, 2);
}

/* ------------------------------------------------------------------ */
/* Heartbeats                                                          */

static void
test_heartbeat_reset (Fixture *fx, gconstpointer data)
{
  play (fx);
  advance (fx, 1 * S);

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "cell 0: its watchdog stopped*");
  hw_cell_supervisor_reset (fx->supervisor);
  g_test_assert_expected_messages ();
  /* The old player went through the view; a fresh one plays a fresh item. */
  g_assert_cmpuint (fx->view->released, ==, 1);
  g_assert_cmpuint (fx->feed->reports[HW_FEED_REPORT_STOPPED], ==, 0);
  g_assert_cmpuint (fx->feed->released, ==, 1);
  wait_for_load (fx, 1);
  g_assert_cmpuint (fx->view->created, ==, 2);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-2");

  /* The watchdog ticks again, and watches the new player. */
  advance (fx, 1 * S);
  advance (fx, 30 * S);
  assert_state (fx, HW_CELL_STATE_RETRYING);
  g_assert_cmpstr (hw_cell_supervisor_get_reason (fx->supervisor), ==,
                   "The stream did not start in time");
}

static void
test_shutdown_quiet (Fixture *fx, gconstpointer data)
{
  play (fx);
  PLAYER (fx)->position = 3;

  hw_cell_supervisor_shutdown (fx->supervisor);
  g_assert_cmpuint (fx->feed->reports[HW_FEED_REPORT_STOPPED], ==, 1);
  g_assert_cmpuint (PLAYER (fx)->stops, ==, 1);

  /* Nothing more happens: the player's late events and commands are ignored. */
  hw_cell_player_emit_ended (HW_CELL_PLAYER (PLAYER (fx)), HW_PLAYER_END_ERROR, "late");
  hw_cell_supervisor_next (fx->supervisor);
  g_assert_cmpuint (fx->feed->requests, ==, 1);
  g_assert_cmpuint (fx->failures, ==, 0);
  assert_state (fx, HW_CELL_STATE_PLAYING);
}

/* A request cancelled after the feed took its item (the cell shut down or
 * was reset before the answer came) still gives the item back: otherwise
 * its slot in the feed's pool would stay taken for good. */
static void
test_cancelled_request_releases (Fixture *fx, gconstpointer data)
{
  hw_cell_supervisor_start (fx->supervisor);
  g_assert_cmpuint (fx->feed->handed, ==, 1);
  /* The answer is on its way (GTask delivers it from an idle). */
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*watchdog stopped ticking*");
  hw_cell_supervisor_reset (fx->supervisor);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (fx->feed->handed, ==, 2);
  wait_for_load (fx, 1);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-2");
  g_assert_cmpuint (fx->feed->released, ==, 1);

  /* Shut down with an answer on its way. */
  hw_cell_supervisor_next (fx->supervisor);
  g_assert_cmpuint (fx->feed->handed, ==, 3);
  hw_cell_supervisor_shutdown (fx->supervisor);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (fx->feed->released, ==, fx->feed->handed);
}

/* ------------------------------------------------------------------ */
/* Reasons                                                             */

typedef struct {
  HwPlayerEnd  end;
  gboolean     started;
  double       position;
  double       duration;
  HwCellReason reason;
} EndCase;

static const EndCase end_cases[] = {
  { HW_PLAYER_END_ERROR, TRUE, 10, 60, HW_CELL_REASON_PLAYER_ERROR },
  { HW_PLAYER_END_UNPLAYABLE, FALSE, -1, 60, HW_CELL_REASON_NOT_VIDEO },
  { HW_PLAYER_END_EOF, FALSE, -1, 60, HW_CELL_REASON_NO_FIRST_FRAME },
  { HW_PLAYER_END_EOF, TRUE, 59.5, 60, HW_CELL_REASON_NONE },
  { HW_PLAYER_END_EOF, TRUE, 54.9, 60, HW_CELL_REASON_PREMATURE_END },
  { HW_PLAYER_END_EOF, TRUE, 55.1, 60, HW_CELL_REASON_NONE },
  { HW_PLAYER_END_EOF, TRUE, 800, 1000, HW_CELL_REASON_PREMATURE_END },
  { HW_PLAYER_END_EOF, TRUE, 960, 1000, HW_CELL_REASON_NONE },
  { HW_PLAYER_END_EOF, TRUE, 3, 0, HW_CELL_REASON_NONE },
  { HW_PLAYER_END_EOF, TRUE, -1, 60, HW_CELL_REASON_NONE },
};

static void
test_reason_for_end (gconstpointer data)
{
  const EndCase *c = data;

  g_assert_cmpint (hw_cell_reason_for_end (c->end, c->started, c->position, c->duration), ==,
                   c->reason);
}

static void
test_reason_text (void)
{
  g_autofree char *error = hw_cell_reason_text (HW_CELL_REASON_PLAYER_ERROR, NULL, 0, 0);
  g_autofree char *premature = hw_cell_reason_text (HW_CELL_REASON_PREMATURE_END, NULL, 12.4, 60);
  g_autofree char *message = NULL;

  g_assert_cmpstr (error, ==, "Playback failed: unknown error");
  g_assert_cmpstr (premature, ==, "The stream stopped at 12 s of 60 s");
  g_assert_null (hw_cell_reason_text (HW_CELL_REASON_NONE, "x", 0, 0));
  g_assert_null (hw_cell_reason_text (HW_CELL_REASON_MESSAGE, NULL, 0, 0));

  hw_redact_add_secret ("f00dfeedcafe4242f00dfeedcafe4242");
  message = hw_cell_reason_text (HW_CELL_REASON_MESSAGE,
                                 "cannot open /Videos/1/stream/f00dfeedcafe4242f00dfeedcafe4242",
                                 0, 0);
  g_assert_null (strstr (message, "f00dfeedcafe4242f00dfeedcafe4242"));
  hw_redact_clear_secrets ();
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) \
  g_test_add ("/hyperwall/cell-supervisor/" path, Fixture, NULL, fixture_set_up, fn, \
              fixture_tear_down)
#define ADD_DATA(path, data, fn) \
  g_test_add ("/hyperwall/cell-supervisor/" path, Fixture, data, fixture_set_up, fn, \
              fixture_tear_down)

  ADD ("start/plays", test_start_plays);
  ADD ("status/object", test_status_object);
  ADD ("stall/while-playing", test_stall_while_playing);
  ADD ("stall/paused-for-cache", test_stall_paused_for_cache);
  ADD ("stall/operator-pause-exempt", test_stall_operator_pause);
  ADD ("stall/load-timeout", test_stall_load_timeout);
  ADD_DATA ("escalation/order/with-fallback", GINT_TO_POINTER (TRUE), test_escalation_order);
  ADD_DATA ("escalation/order/direct-only", GINT_TO_POINTER (FALSE), test_escalation_order);
  ADD ("escalation/jitter-bounds", test_escalation_jitter);
  ADD ("park/threshold-and-cooldown", test_park_and_resume);
  ADD ("park/operator-next", test_park_operator_next);
  ADD ("gate/closed-and-reopened", test_gate_closed_and_reopened);
  ADD ("gate/end-waits", test_gate_end_waits);
  ADD ("gate/stops-retry", test_gate_stops_retry);
  ADD ("gate/start-while-closed", test_gate_start_while_closed);
  ADD ("gate/sign-in-required", test_gate_sign_in_required);
  ADD ("set-aside/not-found", test_set_aside_not_found);
  ADD ("set-aside/not-video", test_set_aside_not_video);
  ADD ("set-aside/not-video-network", test_not_video_network);
  ADD ("feed/cancelled-request-releases", test_cancelled_request_releases);
  ADD ("set-aside/check-inconclusive", test_set_aside_check_inconclusive);
  ADD ("end/normal-and-premature", test_end_normal_and_premature);
  ADD ("reports/progress-throttled", test_reports_progress_throttled);
  ADD ("operator/next-forgets", test_operator_next_forgets);
  ADD ("settings/cache-and-audible", test_cache_and_audible);
  ADD ("stall/frozen-picture", test_stall_frozen_picture);
  ADD ("feed/unavailable", test_feed_unavailable);
  ADD ("heartbeat/reset", test_heartbeat_reset);
  ADD ("shutdown/quiet", test_shutdown_quiet);

  for (guint i = 0; i < G_N_ELEMENTS (end_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hyperwall/cell-supervisor/reason/for-end/%u", i);
      g_test_add_data_func (path, &end_cases[i], test_reason_for_end);
    }
  g_test_add_func ("/hyperwall/cell-supervisor/reason/text", test_reason_text);

  return g_test_run ();
}
