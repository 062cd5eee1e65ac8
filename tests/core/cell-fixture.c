/* cell-fixture.c: see cell-fixture.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "cell-fixture.h"

gint64
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

void
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

void
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

void
assert_state (Fixture *fx, HwCellState state)
{
  g_assert_cmpstr (hw_cell_state_to_string (STATE (fx)), ==, hw_cell_state_to_string (state));
}

/* Moves the clock, then lets the watchdog tick once at the new time. */
void
advance (Fixture *fx, gint64 us)
{
  fx->now += MAX (us, 1);
  WAIT_FOR (hw_cell_supervisor_get_last_tick (fx->supervisor) == fx->now);
}

/* Waits for the @n-th load of the current player. */
void
wait_for_load (Fixture *fx, guint n)
{
  WAIT_FOR (PLAYER (fx) != NULL && PLAYER (fx)->loads->len >= n);
  g_assert_cmpuint (PLAYER (fx)->loads->len, ==, n);
  assert_state (fx, HW_CELL_STATE_LOADING);
}

void
first_frame (Fixture *fx)
{
  hw_cell_player_emit_started (HW_CELL_PLAYER (PLAYER (fx)));
  assert_state (fx, HW_CELL_STATE_PLAYING);
  PLAYER (fx)->position = 0.5;
  PLAYER (fx)->duration = 60;
}

/* Started, the first item loaded direct and showing its first frame. */
void
play (Fixture *fx)
{
  hw_cell_supervisor_start (fx->supervisor);
  wait_for_load (fx, 1);
  g_assert_cmpstr (LAST_LOAD (fx), ==, "direct://item-1");
  first_frame (fx);
}

void
end_with_error (Fixture *fx)
{
  hw_cell_player_emit_ended (HW_CELL_PLAYER (PLAYER (fx)), HW_PLAYER_END_ERROR,
                             "Failed to open http://host/x?api_key=s3cr3tkey");
}

void
end_before_first_frame (Fixture *fx)
{
  hw_cell_player_emit_ended (HW_CELL_PLAYER (PLAYER (fx)), HW_PLAYER_END_EOF, NULL);
}

