/* test-stall.c: the stall watchdog, walked at its boundaries.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include "hw-stall.h"
#include "hw-units.h"

#define SEC(s) ((gint64) ((s) * HW_USEC_PER_SEC))

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
  fx->params.frozen_picture_us = 0;
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
/* Plays from t0 to @until: the position advances every second, the
 * frame count only up to @frames_until (then stands). */
static HwStallVerdict
play_frames (StallFixture *fx,
             gint64        frames_until,
             gint64        until)
{
  HwStallVerdict verdict = HW_STALL_VERDICT_OK;
  guint64 frames = 0;

  for (gint64 t = fx->t0; t <= until && verdict == HW_STALL_VERDICT_OK; t += SEC (1))
    {
      if (t <= frames_until)
        frames += 30;
      hw_stall_tracker_position (&fx->tracker, (t - fx->t0) / 1e6, t);
      hw_stall_tracker_frames (&fx->tracker, frames, t);
      verdict = stall_check (fx, t);
    }
  return verdict;
}

/* Black from the start: no frame ever shown while the position runs. The
 * default limit is the stall timeout, counted from the first frame. */
static void
test_frozen_from_start (StallFixture  *fx,
                        gconstpointer  data)
{
  g_assert_cmpint (play_frames (fx, 0, fx->t0 + SEC (20)), ==, HW_STALL_VERDICT_OK);
  hw_stall_tracker_position (&fx->tracker, 21.0, fx->t0 + SEC (20) + 1);
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (20) + 1), ==, HW_STALL_VERDICT_FROZEN);
}

/* Frames stop later: the limit runs from the last new frame. */
static void
test_frozen_later (StallFixture  *fx,
                   gconstpointer  data)
{
  fx->params.frozen_picture_us = SEC (5);
  g_assert_cmpint (play_frames (fx, fx->t0 + SEC (30), fx->t0 + SEC (35)), ==,
                   HW_STALL_VERDICT_OK);
  hw_stall_tracker_position (&fx->tracker, 36.0, fx->t0 + SEC (36));
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (36)), ==, HW_STALL_VERDICT_FROZEN);
}

/* A picture that keeps coming is never frozen; nor is one that is not
 * judged at all, nor one whose position stands (that is a stall). */
static void
test_frozen_not (StallFixture  *fx,
                 gconstpointer  data)
{
  g_assert_cmpint (play_frames (fx, fx->t0 + SEC (120), fx->t0 + SEC (120)), ==,
                   HW_STALL_VERDICT_OK);

  stall_setup (fx, NULL);
  fx->params.frozen_picture_us = -1;
  g_assert_cmpint (play_frames (fx, 0, fx->t0 + SEC (120)), ==, HW_STALL_VERDICT_OK);

  stall_setup (fx, NULL);
  hw_stall_tracker_frames (&fx->tracker, 0, fx->t0);
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (20) + 1), ==, HW_STALL_VERDICT_STALLED);
}

/* The operator's pause holds the picture clock too. */
static void
test_frozen_pause_exempt (StallFixture  *fx,
                          gconstpointer  data)
{
  fx->params.frozen_picture_us = SEC (5);
  hw_stall_tracker_frames (&fx->tracker, 100, fx->t0);
  fx->flags.operator_paused = TRUE;
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (60)), ==, HW_STALL_VERDICT_OK);
  fx->flags.operator_paused = FALSE;
  hw_stall_tracker_position (&fx->tracker, 1.0, fx->t0 + SEC (61));
  hw_stall_tracker_frames (&fx->tracker, 100, fx->t0 + SEC (61));
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (61)), ==, HW_STALL_VERDICT_OK);
  hw_stall_tracker_position (&fx->tracker, 6.0, fx->t0 + SEC (66));
  g_assert_cmpint (stall_check (fx, fx->t0 + SEC (66)), ==, HW_STALL_VERDICT_FROZEN);
}

#define ADD_STALL(path, func) \
  g_test_add ("/hyperwall/pure/stall/" path, StallFixture, NULL, \
              stall_setup, func, NULL)
#define ADD_NETWORK(path, func) \
  g_test_add ("/hyperwall/pure/stall/network/" path, StallFixture, NULL, \
              network_stall_setup, func, NULL)

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
  ADD_STALL ("frozen/from-start", test_frozen_from_start);
  ADD_STALL ("frozen/later", test_frozen_later);
  ADD_STALL ("frozen/not", test_frozen_not);
  ADD_STALL ("frozen/pause-exempt", test_frozen_pause_exempt);
  ADD_NETWORK ("early", test_stall_network_early);
  ADD_NETWORK ("not-local", test_stall_network_early_not_local);
  ADD_NETWORK ("not-cache-eof", test_stall_network_early_not_cache_eof);
  ADD_NETWORK ("disabled", test_stall_network_early_disabled);
  /* No bytes ever sampled: the plain fixture, not the network one. */
  ADD_STALL ("network/unknown-bytes", test_stall_network_unknown_bytes);

  return g_test_run ();
}
