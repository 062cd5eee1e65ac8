/* test-cell-supervisor.c: the healing half of a cell, without a display.
 *
 * A fake player (driven by the test: first frame, end, position, cache
 * flags), a fake view that makes those players, and a fake feed that
 * records what the supervisor asks of it (cell-fakes.h, cell-fixture.h).
 * Decisions read a clock that only moves when a test moves it; the
 * watchdog and the retry and park timers still run on the main context,
 * with delays of milliseconds. The server gate and items set aside are in
 * test-cell-supervisor-gate.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include "cell-fixture.h"
#include "hw-cell-reason.h"
#include "hw-core-enums.h"
#include "hw-redact.h"

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
count_call (gpointer user_data)
{
  (*(guint *) user_data)++;
}

/* notify::state is the state's one channel, enum-typed; "status-changed"
 * also says what changes the status object within a state (repeat). */
static void
test_state_channel (Fixture *fx, gconstpointer data)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (fx->supervisor), "state");
  guint notifies = 0;
  guint status_changes = 0;
  HwCellState state = HW_CELL_STATE_IDLE;

  g_assert_true (G_IS_PARAM_SPEC_ENUM (pspec));
  g_assert_true (G_PARAM_SPEC_VALUE_TYPE (pspec) == HW_TYPE_CELL_STATE);
  g_assert_true (pspec->flags & G_PARAM_EXPLICIT_NOTIFY);
  g_signal_connect_swapped (fx->supervisor, "notify::state", G_CALLBACK (count_call), &notifies);
  g_signal_connect_swapped (fx->supervisor, "status-changed", G_CALLBACK (count_call),
                            &status_changes);

  play (fx);
  /* idle → loading → playing */
  g_assert_cmpuint (notifies, ==, 2);
  g_object_get (fx->supervisor, "state", &state, NULL);
  g_assert_cmpint (state, ==, HW_CELL_STATE_PLAYING);
  g_assert_cmpuint (status_changes, >=, notifies);

  status_changes = 0;
  hw_cell_supervisor_set_repeat (fx->supervisor, TRUE);
  g_assert_cmpuint (notifies, ==, 2);
  g_assert_cmpuint (status_changes, ==, 1);
}

static void
test_status_object (Fixture *fx, gconstpointer data)
{
  static const char * const keys[] = {
    "index", "state", "paused", "repeat", "item_id", "from_cache", "title", "position",
    "failures", "retries", "frames", "dropped_frames", "hwdec", "first_frame_time",
    "demuxer_max_bytes", "demuxer_max_back_bytes", "renderer", "reason",
  };
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *object;
  guint i = 0;
  gint64 before_us, after_us;
  double first_frame;

  /* Before the first frame there is no time for it. */
  hw_cell_supervisor_add_status (fx->supervisor, builder);
  node = json_builder_get_root (builder);
  g_assert_true (json_object_get_null_member (json_node_get_object (node), "first_frame_time"));
  g_clear_pointer (&node, json_node_unref);
  json_builder_reset (builder);

  before_us = g_get_real_time ();
  play (fx);
  after_us = g_get_real_time ();
  PLAYER (fx)->position = 12.44;
  PLAYER (fx)->dropped_frames = 7;
  PLAYER (fx)->hwdec = "vaapi";
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
  g_assert_false (json_object_get_boolean_member (object, "from_cache"));
  g_assert_cmpstr (json_object_get_string_member (object, "item_id"), ==, "item-1");
  g_assert_cmpstr (json_object_get_string_member (object, "title"), ==, "Item 1");
  g_assert_cmpfloat (json_object_get_double_member (object, "position"), ==, 12.4);
  g_assert_cmpint (json_object_get_int_member (object, "failures"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (object, "frames"), ==, 42);
  g_assert_cmpint (json_object_get_int_member (object, "dropped_frames"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (object, "hwdec"), ==, "vaapi");
  /* Wall-clock seconds (as the file's "time"), to the millisecond. */
  first_frame = json_object_get_double_member (object, "first_frame_time");
  g_assert_cmpfloat (first_frame, >=, before_us / 1e6 - 0.001);
  g_assert_cmpfloat (first_frame, <=, after_us / 1e6 + 0.001);
  /* The fake view draws nothing: no renderer to report. */
  g_assert_true (json_object_get_null_member (object, "renderer"));
  g_assert_cmpint (json_object_get_int_member (object, "demuxer_max_bytes"), ==, 48 * HW_MIB);
  g_assert_cmpint (json_object_get_int_member (object, "demuxer_max_back_bytes"), ==,
                   16 * HW_MIB);
  g_assert_true (json_object_get_null_member (object, "reason"));
  g_assert_false (json_object_get_boolean_member (object, "repeat"));
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

/* A pause and a resume are reported at once, with the cell's state: the
 * server's session shows them. */
static void
test_reports_pause_at_once (Fixture *fx, gconstpointer data)
{
  play (fx);
  advance (fx, 1);
  PLAYER (fx)->position = 4;
  g_assert_cmpuint (fx->feed->reports[HW_FEED_REPORT_PROGRESS], ==, 0);

  hw_cell_supervisor_set_paused (fx->supervisor, TRUE);
  g_assert_cmpuint (fx->feed->reports[HW_FEED_REPORT_PROGRESS], ==, 1);
  g_assert_true (fx->feed->last_playback.paused);
  g_assert_cmpfloat (fx->feed->last_playback.position, ==, 4);
  g_assert_false (fx->feed->last_playback.fallback);

  hw_cell_supervisor_set_paused (fx->supervisor, FALSE);
  g_assert_cmpuint (fx->feed->reports[HW_FEED_REPORT_PROGRESS], ==, 2);
  g_assert_false (fx->feed->last_playback.paused);
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

/* P goes back to the item played before, without asking the feed, and
 * the history runs out rather than looping between two items. */
static void
test_operator_previous (Fixture *fx, gconstpointer data)
{
  g_assert_false (hw_cell_supervisor_previous (fx->supervisor));
  play (fx);
  g_assert_false (hw_cell_supervisor_previous (fx->supervisor));

  hw_cell_supervisor_next (fx->supervisor);
  wait_for_load (fx, 2);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-2");
  first_frame (fx);

  g_assert_true (hw_cell_supervisor_previous (fx->supervisor));
  wait_for_load (fx, 3);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-1");
  g_assert_cmpstr (hw_cell_supervisor_get_title (fx->supervisor), ==, "Item 1");
  g_assert_cmpuint (fx->feed->requests, ==, 2);
  first_frame (fx);

  g_assert_false (hw_cell_supervisor_previous (fx->supervisor));
  hw_cell_supervisor_next (fx->supervisor);
  wait_for_load (fx, 4);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-3");
}

/* ------------------------------------------------------------------ */
/* Repeat                                                              */

static void
end_normally (Fixture *fx)
{
  PLAYER (fx)->position = 59;
  hw_cell_player_emit_ended (HW_CELL_PLAYER (PLAYER (fx)), HW_PLAYER_END_EOF, NULL);
}

/* A repeating cell plays the item that ended again: handed once more by
 * the feed (a new PlaySessionId), reported like any item, kept by the cell
 * (not released, not asked for anew); off again, it moves on. */
static void
test_repeat_replays (Fixture *fx, gconstpointer data)
{
  play (fx);
  hw_cell_supervisor_set_repeat (fx->supervisor, TRUE);
  g_assert_true (hw_cell_supervisor_get_repeat (fx->supervisor));
  /* At once, for the server's session. */
  g_assert_cmpuint (fx->feed->reports[HW_FEED_REPORT_PROGRESS], ==, 1);
  g_assert_true (fx->feed->last_playback.repeat);

  for (guint i = 1; i <= 2; i++)
    {
      g_autofree char *session = g_strdup_printf ("replay-%u", i);

      end_normally (fx);
      wait_for_load (fx, 1 + i);
      g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-1");
      g_assert_cmpstr (hw_cell_supervisor_get_title (fx->supervisor), ==, "Item 1");
      g_assert_cmpuint (fx->feed->reports[HW_FEED_REPORT_STOPPED], ==, i);
      first_frame (fx);
      g_assert_cmpuint (fx->feed->reports[HW_FEED_REPORT_STARTED], ==, 1 + i);
      g_assert_cmpstr (fx->feed->last_play_session_id, ==, session);
      g_assert_true (fx->feed->last_playback.repeat);
    }
  g_assert_cmpuint (fx->feed->requests, ==, 1);
  g_assert_cmpuint (fx->feed->replays, ==, 2);
  g_assert_cmpuint (fx->feed->released, ==, 0);
  g_assert_cmpuint (fx->failures, ==, 0);

  hw_cell_supervisor_set_repeat (fx->supervisor, FALSE);
  g_assert_false (fx->feed->last_playback.repeat);
  end_normally (fx);
  wait_for_load (fx, 4);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-2");
  g_assert_cmpuint (fx->feed->replays, ==, 2);
  g_assert_cmpuint (fx->feed->released, ==, 1);
}

/* Repeat is no retry: a replayed item that fails walks the escalation
 * chain as any item and is skipped in the end, and the operator's next
 * moves on. */
static void
test_repeat_failing_skips (Fixture *fx, gconstpointer data)
{
  gint64 initial = fx->settings.policy.backoff_initial_us;

  play (fx);
  hw_cell_supervisor_set_repeat (fx->supervisor, TRUE);
  end_normally (fx);
  wait_for_load (fx, 2);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-1");

  fail_and_expect_retry (fx, initial);
  wait_for_load (fx, 3);
  fail_and_expect_retry (fx, 2 * initial);
  wait_for_load (fx, 4);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "fallback://item-1");
  fail_and_expect_retry (fx, 4 * initial);
  wait_for_load (fx, 5);
  end_before_first_frame (fx);
  g_assert_cmpuint (fx->feed->set_aside->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fx->feed->set_aside, 0), ==, "item-1:failed");
  wait_for_load (fx, 6);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-2");
  g_assert_cmpuint (fx->feed->replays, ==, 1);
  g_assert_cmpuint (fx->failures, ==, 4);

  /* Still repeating, now item 2; the operator's next takes item 3. */
  first_frame (fx);
  hw_cell_supervisor_next (fx->supervisor);
  wait_for_load (fx, 7);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-3");
  g_assert_cmpuint (fx->feed->replays, ==, 1);
  g_assert_true (hw_cell_supervisor_get_repeat (fx->supervisor));
}

/* A failing item under repeat still parks the cell in a crash loop: each
 * replay that fails counts. */
static void
test_repeat_crash_loop_parks (Fixture *fx, gconstpointer data)
{
  fx->settings.policy.crash_loop_threshold = 2;
  hw_cell_supervisor_set_settings (fx->supervisor, &fx->settings);
  play (fx);
  hw_cell_supervisor_set_repeat (fx->supervisor, TRUE);

  end_normally (fx);
  wait_for_load (fx, 2);
  end_before_first_frame (fx);
  wait_for_load (fx, 3);
  first_frame (fx);
  end_normally (fx);
  wait_for_load (fx, 4);
  end_before_first_frame (fx);
  assert_state (fx, HW_CELL_STATE_PARKED);
  g_assert_cmpuint (fx->feed->replays, ==, 2);
}

/* Repeating, a cell plays its item to the end: no cycle-interval. */
static void
test_repeat_ignores_cycle (Fixture *fx, gconstpointer data)
{
  fx->settings.cycle_interval_us = 5 * S;
  hw_cell_supervisor_set_settings (fx->supervisor, &fx->settings);
  play (fx);
  hw_cell_supervisor_set_repeat (fx->supervisor, TRUE);

  PLAYER (fx)->position = 10;
  advance (fx, 10 * S);
  assert_state (fx, HW_CELL_STATE_PLAYING);
  g_assert_cmpuint (LOADS (fx), ==, 1);

  hw_cell_supervisor_set_repeat (fx->supervisor, FALSE);
  PLAYER (fx)->position = 11;
  advance (fx, 1 * S);
  wait_for_load (fx, 2);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-2");
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
  ADD ("status/state-channel", test_state_channel);
  ADD ("stall/while-playing", test_stall_while_playing);
  ADD ("stall/paused-for-cache", test_stall_paused_for_cache);
  ADD ("stall/operator-pause-exempt", test_stall_operator_pause);
  ADD ("stall/load-timeout", test_stall_load_timeout);
  ADD_DATA ("escalation/order/with-fallback", GINT_TO_POINTER (TRUE), test_escalation_order);
  ADD_DATA ("escalation/order/direct-only", GINT_TO_POINTER (FALSE), test_escalation_order);
  ADD ("escalation/jitter-bounds", test_escalation_jitter);
  ADD ("park/threshold-and-cooldown", test_park_and_resume);
  ADD ("park/operator-next", test_park_operator_next);
  ADD ("end/normal-and-premature", test_end_normal_and_premature);
  ADD ("reports/progress-throttled", test_reports_progress_throttled);
  ADD ("reports/pause-at-once", test_reports_pause_at_once);
  ADD ("operator/next-forgets", test_operator_next_forgets);
  ADD ("operator/previous", test_operator_previous);
  ADD ("repeat/replays", test_repeat_replays);
  ADD ("repeat/failing-skips", test_repeat_failing_skips);
  ADD ("repeat/crash-loop-parks", test_repeat_crash_loop_parks);
  ADD ("repeat/ignores-cycle", test_repeat_ignores_cycle);
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
