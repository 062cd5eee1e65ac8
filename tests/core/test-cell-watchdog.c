/* test-cell-watchdog.c: the cell watchdog on its own, over a fake player
 * and a clock that moves only when a test moves it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "cell-fakes.h"
#include "cell-fixture.h"
#include "hw-cell-reason.h"
#include "hw-cell-watchdog.h"
#include "hw-core-enums.h"

typedef struct {
  gint64          now;
  TestPlayer     *player;
  HwCellWatchdog *watchdog;
  GArray         *stalls;        /* HwCellReason, in order */
  guint           progress;
  guint           ticks;
  guint           buffering_notifies;
  HwCellState     state_on_tick; /* a tick handler moves the cell here, unless IDLE */
} WatchFixture;

static gint64
watch_now (gpointer user_data)
{
  return ((WatchFixture *) user_data)->now;
}

static void
on_stalled (HwCellWatchdog *watchdog,
            HwCellReason    reason,
            WatchFixture   *wf)
{
  g_array_append_val (wf->stalls, reason);
}

static void
on_progress (HwCellWatchdog *watchdog,
             WatchFixture   *wf)
{
  wf->progress++;
}

static void
on_tick (HwCellWatchdog *watchdog,
         gint64          now,
         WatchFixture   *wf)
{
  g_assert_cmpint (now, ==, wf->now);
  wf->ticks++;
  if (wf->state_on_tick != HW_CELL_STATE_IDLE)
    hw_cell_watchdog_set_state (watchdog, wf->state_on_tick);
}

static void
on_buffering (HwCellWatchdog *watchdog,
              GParamSpec     *pspec,
              WatchFixture   *wf)
{
  wf->buffering_notifies++;
}

static void
watch_set_up (WatchFixture *wf, gconstpointer data)
{
  HwStallParams params = { 20 * S, 30 * S, 5 * S, -1 };

  wf->now = 1000 * S;
  wf->stalls = g_array_new (FALSE, FALSE, sizeof (HwCellReason));
  wf->player = g_object_new (TEST_TYPE_PLAYER, NULL);
  wf->player->loaded = TRUE;
  wf->watchdog = hw_cell_watchdog_new ();
  hw_cell_watchdog_set_params (wf->watchdog, &params);
  hw_cell_watchdog_set_clock (wf->watchdog, watch_now, wf);
  g_signal_connect (wf->watchdog, "stalled", G_CALLBACK (on_stalled), wf);
  g_signal_connect (wf->watchdog, "progress", G_CALLBACK (on_progress), wf);
  g_signal_connect (wf->watchdog, "tick", G_CALLBACK (on_tick), wf);
  g_signal_connect (wf->watchdog, "notify::buffering", G_CALLBACK (on_buffering), wf);
  hw_cell_watchdog_set_player (wf->watchdog, HW_CELL_PLAYER (wf->player));
  hw_cell_watchdog_start (wf->watchdog, 20);
}

static void
watch_tear_down (WatchFixture *wf, gconstpointer data)
{
  g_assert_finalize_object (wf->watchdog);
  g_assert_finalize_object (wf->player);
  g_array_unref (wf->stalls);
}

/* Moves the clock, then lets the watchdog tick once at the new time. */
static void
tick_after (WatchFixture *wf, gint64 us)
{
  wf->now += us;
  WAIT_FOR (hw_cell_watchdog_get_last_tick (wf->watchdog) == wf->now);
}

/* A load that showed its first frame and plays. */
static void
start_playing (WatchFixture *wf)
{
  hw_cell_watchdog_start_load (wf->watchdog, wf->now);
  hw_cell_watchdog_set_state (wf->watchdog, HW_CELL_STATE_LOADING);
  hw_cell_watchdog_first_frame (wf->watchdog, wf->now);
  hw_cell_watchdog_set_state (wf->watchdog, HW_CELL_STATE_PLAYING);
  wf->player->position = 0.5;
}

static void
test_heartbeat (WatchFixture *wf, gconstpointer data)
{
  g_assert_cmpint (hw_cell_watchdog_get_last_tick (wf->watchdog), ==, wf->now);
  tick_after (wf, 1 * S);
  g_assert_cmpuint (wf->ticks, >=, 1);

  /* Stopped, it stamps nothing: the heartbeat goes stale. */
  hw_cell_watchdog_stop (wf->watchdog);
  wf->now += 1 * S;
  for (int i = 0; i < 5; i++)
    {
      g_usleep (10000);
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_cmpint (hw_cell_watchdog_get_last_tick (wf->watchdog), ==, wf->now - 1 * S);
}

static void
test_progress_then_stall (WatchFixture *wf, gconstpointer data)
{
  start_playing (wf);
  tick_after (wf, 1 * S);
  g_assert_cmpuint (wf->progress, ==, 1);

  wf->player->position = 1.5;
  tick_after (wf, 1 * S);
  g_assert_cmpuint (wf->progress, ==, 2);

  /* The position stands still: no progress, and a stall only after the
   * stall timeout (20 s). */
  tick_after (wf, 10 * S);
  g_assert_cmpuint (wf->progress, ==, 2);
  g_assert_cmpuint (wf->stalls->len, ==, 0);
  tick_after (wf, 11 * S);
  g_assert_cmpuint (wf->stalls->len, ==, 1);
  g_assert_cmpint (g_array_index (wf->stalls, HwCellReason, 0), ==, HW_CELL_REASON_STALLED);
}

static void
test_load_timeout (WatchFixture *wf, gconstpointer data)
{
  hw_cell_watchdog_start_load (wf->watchdog, wf->now);
  hw_cell_watchdog_set_state (wf->watchdog, HW_CELL_STATE_LOADING);
  tick_after (wf, 29 * S);
  g_assert_cmpuint (wf->stalls->len, ==, 0);
  tick_after (wf, 2 * S);
  g_assert_cmpuint (wf->stalls->len, ==, 1);
  g_assert_cmpint (g_array_index (wf->stalls, HwCellReason, 0), ==, HW_CELL_REASON_LOAD_TIMEOUT);
  /* Loading is not playing: nothing sampled, no progress. */
  g_assert_cmpuint (wf->progress, ==, 0);
}

/* A transition the tick itself caused (a cycle's end) is judged no more. */
static void
test_no_stall_after_transition (WatchFixture *wf, gconstpointer data)
{
  start_playing (wf);
  tick_after (wf, 1 * S);
  wf->state_on_tick = HW_CELL_STATE_RETRYING;
  tick_after (wf, 25 * S);
  g_assert_cmpuint (wf->stalls->len, ==, 0);
}

static void
test_operator_pause_is_exempt (WatchFixture *wf, gconstpointer data)
{
  start_playing (wf);
  tick_after (wf, 1 * S);
  hw_cell_watchdog_set_state (wf->watchdog, HW_CELL_STATE_PAUSED);
  tick_after (wf, 25 * S);
  tick_after (wf, 25 * S);
  g_assert_cmpuint (wf->stalls->len, ==, 0);
}

static void
test_buffering (WatchFixture *wf, gconstpointer data)
{
  start_playing (wf);
  tick_after (wf, 1 * S);
  g_assert_false (hw_cell_watchdog_get_buffering (wf->watchdog));

  wf->player->paused_for_cache = TRUE;
  tick_after (wf, 1 * S);
  g_assert_true (hw_cell_watchdog_get_buffering (wf->watchdog));
  g_assert_cmpuint (wf->buffering_notifies, ==, 1);
  tick_after (wf, 1 * S);
  g_assert_cmpuint (wf->buffering_notifies, ==, 1);

  /* A new load starts without it. */
  hw_cell_watchdog_start_load (wf->watchdog, wf->now);
  g_assert_false (hw_cell_watchdog_get_buffering (wf->watchdog));
  g_assert_cmpuint (wf->buffering_notifies, ==, 2);
}

/* A network stream whose bytes stop growing while mpv waits for its cache
 * stalls early (5 s here); a local one does not. */
static void
test_network_stall (WatchFixture *wf, gconstpointer data)
{
  gboolean network = GPOINTER_TO_INT (data);

  hw_cell_watchdog_set_network (wf->watchdog, network);
  start_playing (wf);
  wf->player->cache_bytes = 1000;
  tick_after (wf, 1 * S);
  wf->player->paused_for_cache = TRUE;
  tick_after (wf, 3 * S);
  g_assert_cmpuint (wf->stalls->len, ==, 0);
  tick_after (wf, 3 * S);
  g_assert_cmpuint (wf->stalls->len, ==, network ? 1 : 0);
}

static void
test_no_video_track (WatchFixture *wf, gconstpointer data)
{
  start_playing (wf);
  wf->player->video_missing = TRUE;
  /* The tracks are settled only a while after the first frame. */
  tick_after (wf, 1 * S);
  g_assert_cmpuint (wf->stalls->len, ==, 0);
  g_assert_cmpuint (wf->progress, ==, 1);
  wf->player->position = 2.5;
  tick_after (wf, 2 * S);
  g_assert_cmpuint (wf->stalls->len, ==, 1);
  g_assert_cmpint (g_array_index (wf->stalls, HwCellReason, 0), ==,
                   HW_CELL_REASON_NO_VIDEO_TRACK);
  /* Given up before its progress counts. */
  g_assert_cmpuint (wf->progress, ==, 1);
}

/* No player, or one without a load: nothing is judged, the heartbeat goes on. */
static void
test_unloaded_player (WatchFixture *wf, gconstpointer data)
{
  start_playing (wf);
  wf->player->loaded = FALSE;
  tick_after (wf, 25 * S);
  hw_cell_watchdog_set_player (wf->watchdog, NULL);
  wf->player->loaded = TRUE;
  tick_after (wf, 25 * S);
  g_assert_cmpuint (wf->stalls->len, ==, 0);
  g_assert_cmpuint (wf->progress, ==, 0);
  g_assert_cmpuint (wf->ticks, >=, 2);
}

/* ------------------------------------------------------------------ */
/* The enum GTypes                                                     */

static void
test_enum_types (void)
{
  g_autoptr(GEnumClass) states = g_type_class_ref (HW_TYPE_CELL_STATE);
  g_autoptr(GEnumClass) servers = g_type_class_ref (HW_TYPE_SERVER_STATE);

  /* The nicks are the status file's names. */
  for (HwCellState s = HW_CELL_STATE_IDLE; s <= HW_CELL_STATE_PAUSED; s++)
    g_assert_cmpstr (g_enum_get_value (states, s)->value_nick, ==, hw_cell_state_to_string (s));
  for (HwServerState s = HW_SERVER_STATE_NONE; s <= HW_SERVER_STATE_SIGN_IN_REQUIRED; s++)
    g_assert_cmpstr (g_enum_get_value (servers, s)->value_nick, ==, hw_server_state_to_string (s));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, data, fn) \
  g_test_add ("/hyperwall/cell-watchdog/" path, WatchFixture, data, watch_set_up, fn, \
              watch_tear_down)

  ADD ("heartbeat", NULL, test_heartbeat);
  ADD ("progress-then-stall", NULL, test_progress_then_stall);
  ADD ("load-timeout", NULL, test_load_timeout);
  ADD ("no-stall-after-transition", NULL, test_no_stall_after_transition);
  ADD ("operator-pause-is-exempt", NULL, test_operator_pause_is_exempt);
  ADD ("buffering", NULL, test_buffering);
  ADD ("network-stall/network", GINT_TO_POINTER (TRUE), test_network_stall);
  ADD ("network-stall/local", GINT_TO_POINTER (FALSE), test_network_stall);
  ADD ("no-video-track", NULL, test_no_video_track);
  ADD ("unloaded-player", NULL, test_unloaded_player);
  g_test_add_func ("/hyperwall/cell-watchdog/enum-types", test_enum_types);

  return g_test_run ();
}
