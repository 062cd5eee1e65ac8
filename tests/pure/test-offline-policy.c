/* test-offline-policy.c: what the offline media cache keeps, drops and
 * fetches.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hw-offline-policy.h"

#define GIB (G_GINT64_CONSTANT (1) << 30)
#define MIB (G_GINT64_CONSTANT (1) << 20)

static void
test_allowed_budget_and_free_space (void)
{
  /* A roomy disk: the budget rules. */
  g_assert_cmpint (hw_offline_allowed_bytes (10 * GIB, 0, 500 * GIB, 1000 * GIB), ==, 10 * GIB);
  /* 100 GiB disk with 15 GiB free: 5 GiB may be used before 10 % is left. */
  g_assert_cmpint (hw_offline_allowed_bytes (10 * GIB, 0, 15 * GIB, 100 * GIB), ==, 5 * GIB);
  /* What the cache holds counts as free: it can give it back. */
  g_assert_cmpint (hw_offline_allowed_bytes (10 * GIB, 3 * GIB, 12 * GIB, 100 * GIB), ==,
                   5 * GIB);
  /* A disk already under 10 % free: nothing, never negative. */
  g_assert_cmpint (hw_offline_allowed_bytes (10 * GIB, 0, 5 * GIB, 100 * GIB), ==, 0);
  /* Off, and an unknown file system size. */
  g_assert_cmpint (hw_offline_allowed_bytes (0, 0, 500 * GIB, 1000 * GIB), ==, 0);
  g_assert_cmpint (hw_offline_allowed_bytes (2 * GIB, 0, 0, 0), ==, 2 * GIB);
}

static void
test_eviction_order (void)
{
  HwOfflineEntry entries[] = {
    { "a", 100, 3000 },
    { "b", 100, 1000 },
    { "c", 50, 0 },
    { "d", 200, 0 },
    { "e", 100, 2000 },
  };

  hw_offline_sort_by_play (entries, G_N_ELEMENTS (entries));
  /* Never played first (the bigger of those first), then played longest ago. */
  g_assert_cmpstr (entries[0].id, ==, "d");
  g_assert_cmpstr (entries[1].id, ==, "c");
  g_assert_cmpstr (entries[2].id, ==, "b");
  g_assert_cmpstr (entries[3].id, ==, "e");
  g_assert_cmpstr (entries[4].id, ==, "a");

  /* 550 held, 100 coming, 400 allowed: d (200) and c (50) make room;
   * one byte less allowed and b goes too. */
  g_assert_cmpuint (hw_offline_evictions_needed (entries, 5, 550, 100, 400), ==, 2);
  g_assert_cmpuint (hw_offline_evictions_needed (entries, 5, 550, 100, 399), ==, 3);
  /* It fits already. */
  g_assert_cmpuint (hw_offline_evictions_needed (entries, 5, 550, 0, 550), ==, 0);
  /* Never more than there is. */
  g_assert_cmpuint (hw_offline_evictions_needed (entries, 5, 550, 1000, 10), ==, 5);
}

static void
test_pick_fetch (void)
{
  gint64 now = 1000 * G_USEC_PER_SEC;
  HwOfflineCandidate candidates[] = {
    { "cached", 10 * MIB, TRUE, 0 },
    { "unknown-size", 0, FALSE, 0 },
    { "failed-lately", 10 * MIB, FALSE, now - 10 * G_USEC_PER_SEC },
    { "too-big", 900 * MIB, FALSE, 0 },
    { "wanted", 20 * MIB, FALSE, 0 },
    { "later", 20 * MIB, FALSE, 0 },
  };

  g_assert_cmpint (hw_offline_pick_fetch (candidates, G_N_ELEMENTS (candidates), 512 * MIB, now),
                   ==, 4);
  /* A failure long enough ago is tried again. */
  candidates[2].failed_at_us = now - HW_OFFLINE_FAILED_REST_US;
  g_assert_cmpint (hw_offline_pick_fetch (candidates, G_N_ELEMENTS (candidates), 512 * MIB, now),
                   ==, 2);
  /* No room at all: nothing. */
  g_assert_cmpint (hw_offline_pick_fetch (candidates, G_N_ELEMENTS (candidates), 0, now), ==, -1);
  g_assert_cmpint (hw_offline_pick_fetch (NULL, 0, 512 * MIB, now), ==, -1);
}

static void
test_shrink_after_full_disk (void)
{
  g_assert_cmpint (hw_offline_shrunk_budget (400 * MIB), ==, 300 * MIB);
  g_assert_cmpint (hw_offline_shrunk_budget (0), ==, 0);
  g_assert_cmpint (hw_offline_shrunk_budget (-5), ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/offline-policy/allowed", test_allowed_budget_and_free_space);
  g_test_add_func ("/offline-policy/eviction-order", test_eviction_order);
  g_test_add_func ("/offline-policy/pick-fetch", test_pick_fetch);
  g_test_add_func ("/offline-policy/shrink", test_shrink_after_full_disk);

  return g_test_run ();
}
