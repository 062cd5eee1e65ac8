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
  ADD_NETWORK ("early", test_stall_network_early);
  ADD_NETWORK ("not-local", test_stall_network_early_not_local);
  ADD_NETWORK ("not-cache-eof", test_stall_network_early_not_cache_eof);
  ADD_NETWORK ("disabled", test_stall_network_early_disabled);
  /* No bytes ever sampled: the plain fixture, not the network one. */
  ADD_STALL ("network/unknown-bytes", test_stall_network_unknown_bytes);

  return g_test_run ();
}
