/* test-cell-supervisor-gate.c: a cell's supervisor and the server gate,
 * items set aside and requests given up, with the fixture of
 * cell-fixture.h (no display; a clock the test moves).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "cell-fixture.h"
#include "hw-cell-reason.h"

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

/* A load that plays but has no video track (an audio file) has nothing to
 * show, ever: once the player's report has settled, it is unplayable. */
static void
test_set_aside_no_video_track (Fixture *fx, gconstpointer data)
{
  play (fx);
  PLAYER (fx)->video_missing = TRUE;     /* also the case while it opens */
  PLAYER (fx)->position = 1;
  advance (fx, 1 * S);
  PLAYER (fx)->position = 2;
  advance (fx, 1 * S);
  assert_state (fx, HW_CELL_STATE_PLAYING);
  PLAYER (fx)->position = 3;
  advance (fx, 1 * S);
  WAIT_FOR (LOADS (fx) == 2);
  g_assert_cmpuint (fx->feed->set_aside->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fx->feed->set_aside, 0), ==, "item-1:gone");
  g_assert_cmpstr (hw_cell_supervisor_get_reason (fx->supervisor), ==,
                   "Not a playable video: no video stream");
  g_assert_cmpuint (fx->failures, ==, 0);
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

#define ADD(path, func) \
  g_test_add ("/hyperwall/cell-supervisor/" path, Fixture, NULL, \
              fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD ("gate/closed-and-reopened", test_gate_closed_and_reopened);
  ADD ("gate/end-waits", test_gate_end_waits);
  ADD ("gate/stops-retry", test_gate_stops_retry);
  ADD ("gate/start-while-closed", test_gate_start_while_closed);
  ADD ("gate/sign-in-required", test_gate_sign_in_required);
  ADD ("set-aside/not-found", test_set_aside_not_found);
  ADD ("set-aside/not-video", test_set_aside_not_video);
  ADD ("set-aside/not-video-network", test_not_video_network);
  ADD ("set-aside/no-video-track", test_set_aside_no_video_track);
  ADD ("feed/cancelled-request-releases", test_cancelled_request_releases);
  ADD ("set-aside/check-inconclusive", test_set_aside_check_inconclusive);

  return g_test_run ();
}
