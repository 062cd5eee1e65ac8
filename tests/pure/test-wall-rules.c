/* test-wall-rules.c: the rules that judge the whole wall: systemic failure,
 * heartbeats and the cache budget split.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-units.h"
#include "hw-wall-rules.h"

#define SEC(s) ((gint64) ((s) * HW_USEC_PER_SEC))

static gboolean
fail_cells (HwSystemicDetector *detector,
            guint               n_failing,
            guint               n_cells,
            gint64              now_us)
{
  gboolean systemic = FALSE;

  for (guint cell = 0; cell < n_failing; cell++)
    systemic = hw_systemic_detector_record (detector, cell, n_cells, SEC (5), now_us);

  return systemic;
}

static void
test_systemic_counts (void)
{
  HwSystemicDetector detector;
  gint64 now = SEC (100);

  hw_systemic_detector_init (&detector);
  g_assert_false (fail_cells (&detector, 2, 2, now));

  hw_systemic_detector_clear (&detector);
  g_assert_false (fail_cells (&detector, 2, 4, now));
  g_assert_true (fail_cells (&detector, 3, 4, now));

  hw_systemic_detector_clear (&detector);
  g_assert_false (fail_cells (&detector, 3, 9, now));
  hw_systemic_detector_clear (&detector);
  g_assert_false (fail_cells (&detector, 4, 9, now));
  hw_systemic_detector_clear (&detector);
  g_assert_true (fail_cells (&detector, 5, 9, now));

  /* Exactly half is not "more than half". */
  hw_systemic_detector_clear (&detector);
  g_assert_false (fail_cells (&detector, 3, 6, now));
  hw_systemic_detector_clear (&detector);
  g_assert_false (fail_cells (&detector, 4, 8, now));
  hw_systemic_detector_clear (&detector);
  g_assert_true (fail_cells (&detector, 5, 8, now));
}

static void
test_systemic_distinct (void)
{
  HwSystemicDetector detector;

  hw_systemic_detector_init (&detector);
  for (int i = 0; i < 10; i++)
    g_assert_false (hw_systemic_detector_record (&detector, 0, 4, SEC (5), SEC (100) + i));
}

static void
test_systemic_window (void)
{
  HwSystemicDetector detector;

  hw_systemic_detector_init (&detector);
  fail_cells (&detector, 2, 4, SEC (100));
  g_assert_false (hw_systemic_detector_record (&detector, 2, 4, SEC (5), SEC (105)));

  hw_systemic_detector_clear (&detector);
  fail_cells (&detector, 2, 4, SEC (100));
  g_assert_true (hw_systemic_detector_record (&detector, 2, 4, SEC (5), SEC (105) - 1));
}

static void
test_systemic_out_of_range (void)
{
  HwSystemicDetector detector;

  hw_systemic_detector_init (&detector);
  g_assert_false (hw_systemic_detector_record (&detector, HW_SYSTEMIC_MAX_CELLS, 100, SEC (5), 0));
  g_assert_false (hw_systemic_detector_record (&detector, G_MAXUINT, 4, SEC (5), 0));
  g_assert_false (hw_systemic_detector_record (&detector, 5, 4, SEC (5), 0));

  /* A grid larger than the detector still counts the cells it can hold. */
  hw_systemic_detector_clear (&detector);
  g_assert_true (fail_cells (&detector, HW_SYSTEMIC_MAX_CELLS, HW_SYSTEMIC_MAX_CELLS + 10, 0));
}

/* ------------------------------------------------------------------ */
/* Heartbeats                                                          */

static void
test_heartbeat (void)
{
  HwHeartbeat hb;

  hw_heartbeat_init (&hb);
  /* 1 s period: the 5 s floor applies. */
  g_assert_false (hw_heartbeat_is_stale (&hb, 0, SEC (1), SEC (5)));
  g_assert_true (hw_heartbeat_is_stale (&hb, 0, SEC (1), SEC (5) + 1));
  /* 100 ms period: still 5 s, not 500 ms. */
  g_assert_false (hw_heartbeat_is_stale (&hb, 0, SEC (0.1), SEC (4)));
  /* 2 s period: five periods. */
  g_assert_false (hw_heartbeat_is_stale (&hb, 0, SEC (2), SEC (10)));
  g_assert_true (hw_heartbeat_is_stale (&hb, 0, SEC (2), SEC (10) + 1));
}

/* The main loop stood still for 30 s: every watchdog stood still with it,
 * and none of them is wedged for that. A cell that then keeps missing
 * ticks while the loop runs is. */
static void
test_heartbeat_loop_gap (void)
{
  HwHeartbeat hb;
  gint64 t;

  hw_heartbeat_init (&hb);
  for (t = SEC (100); t <= SEC (110); t += SEC (1))
    hw_heartbeat_check_loop (&hb, SEC (1), t);
  g_assert_false (hw_heartbeat_is_stale (&hb, SEC (110), SEC (1), SEC (110)));

  /* The gap: the next check comes 30 s late, before any watchdog ticked. */
  t = SEC (140);
  hw_heartbeat_check_loop (&hb, SEC (1), t);
  g_assert_false (hw_heartbeat_is_stale (&hb, SEC (110), SEC (1), t));

  /* A healthy cell ticks again; a wedged one does not, and is found out
   * five seconds of running loop later, not before. */
  for (t = SEC (141); t <= SEC (145); t += SEC (1))
    {
      hw_heartbeat_check_loop (&hb, SEC (1), t);
      g_assert_false (hw_heartbeat_is_stale (&hb, t, SEC (1), t));
      g_assert_false (hw_heartbeat_is_stale (&hb, SEC (110), SEC (1), t));
    }
  hw_heartbeat_check_loop (&hb, SEC (1), SEC (146));
  g_assert_true (hw_heartbeat_is_stale (&hb, SEC (110), SEC (1), SEC (146)));

  /* A check a little late (under two periods) is no gap. */
  hw_heartbeat_check_loop (&hb, SEC (1), SEC (147.9));
  g_assert_true (hw_heartbeat_is_stale (&hb, SEC (141), SEC (1), SEC (147.9)));
}

/* ------------------------------------------------------------------ */
/* Cache budget                                                        */

typedef struct {
  guint64 budget_mib;
  guint64 cap_mib;
  guint   cells;
  guint64 share_bytes;
} CacheCase;

static const CacheCase cache_cases[] = {
  { 3072, 512,   0, 0 },
  { 3072, 512,   1, 512 * HW_MIB },
  { 3072, 512,   4, 512 * HW_MIB },
  { 3072, 512,  36, 3072 * HW_MIB / 36 },     /* 85.3 MiB */
  { 3072, 512,  64, 48 * HW_MIB },
  { 3072, 512, 128, 24 * HW_MIB },            /* under the floor: budget wins */
  {  100, 512,   4, 25 * HW_MIB },
  { 3072,  16,   4, 32 * HW_MIB },            /* cap under the floor: floor wins */
  {    0, 512,   4, 0 },
};

static void
test_cache_split (gconstpointer data)
{
  const CacheCase *c = data;
  guint64 budget = c->budget_mib * HW_MIB;
  HwCacheSplit split;

  split = hw_cache_split (budget, c->cap_mib * HW_MIB, c->cells);

  g_assert_cmpuint (split.per_cell_bytes, ==, c->share_bytes);
  g_assert_cmpuint (split.forward_bytes + split.back_bytes, <=, split.per_cell_bytes);
  g_assert_cmpuint (split.back_bytes, ==, split.per_cell_bytes / 4);
  g_assert_cmpuint (split.forward_bytes, >=, split.back_bytes);
  g_assert_cmpuint (split.per_cell_bytes * c->cells, <=, budget);
}

static void
test_cache_split_sweep (void)
{
  for (guint cells = 0; cells <= 64; cells++)
    for (guint64 budget_mib = 0; budget_mib <= 4096; budget_mib += 97)
      {
        HwCacheSplit split = hw_cache_split (budget_mib * HW_MIB, 512 * HW_MIB, cells);

        g_assert_cmpuint (split.per_cell_bytes * cells, <=, budget_mib * HW_MIB);
        g_assert_cmpuint (split.per_cell_bytes, <=, 512 * HW_MIB);
        g_assert_cmpuint (split.forward_bytes + split.back_bytes, <=, split.per_cell_bytes);
      }
}

/* All weights 1 is the uniform split, byte for byte. */
static void
test_cache_weighted_uniform (void)
{
  static const guint64 caps_mib[] = { 16, 32, 512, 8192 };
  guint ones[64];
  HwCacheSplit splits[64];

  for (guint i = 0; i < G_N_ELEMENTS (ones); i++)
    ones[i] = 1;

  for (guint c = 0; c < G_N_ELEMENTS (caps_mib); c++)
    for (guint cells = 1; cells <= 64; cells++)
      for (guint64 budget_mib = 0; budget_mib <= 4096; budget_mib += 61)
        {
          guint64 cap = caps_mib[c] * HW_MIB;
          HwCacheSplit uniform = hw_cache_split (budget_mib * HW_MIB, cap, cells);

          hw_cache_split_weighted (budget_mib * HW_MIB, cap, ones, cells, splits);
          for (guint i = 0; i < cells; i++)
            {
              g_assert_cmpuint (splits[i].per_cell_bytes, ==, uniform.per_cell_bytes);
              g_assert_cmpuint (splits[i].forward_bytes, ==, uniform.forward_bytes);
              g_assert_cmpuint (splits[i].back_bytes, ==, uniform.back_bytes);
            }
        }

  for (guint i = 0; i < G_N_ELEMENTS (cache_cases); i++)
    {
      const CacheCase *k = &cache_cases[i];

      if (k->cells == 0 || k->cells > 64)
        continue;
      hw_cache_split_weighted (k->budget_mib * HW_MIB, k->cap_mib * HW_MIB, ones, k->cells,
                               splits);
      g_assert_cmpuint (splits[0].per_cell_bytes, ==, k->share_bytes);
    }
}

static guint64
total_of (const HwCacheSplit *splits,
          guint               n)
{
  guint64 total = 0;

  for (guint i = 0; i < n; i++)
    total += splits[i].per_cell_bytes;
  return total;
}

static void
test_cache_weighted_area (void)
{
  /* 3x3 0,0,2,2: the large cell covers four squares. */
  static const guint spotlight[] = { 4, 1, 1, 1, 1, 1 };
  HwCacheSplit splits[6];

  /* Room for everybody: four shares for the large cell. */
  hw_cache_split_weighted (900 * HW_MIB, 8192 * HW_MIB, spotlight, 6, splits);
  g_assert_cmpuint (splits[0].per_cell_bytes, ==, 400 * HW_MIB);
  for (guint i = 1; i < 6; i++)
    g_assert_cmpuint (splits[i].per_cell_bytes, ==, 100 * HW_MIB);
  g_assert_cmpuint (splits[0].back_bytes, ==, 100 * HW_MIB);

  /* The cap holds the large cell; what it cannot take goes to the rest. */
  hw_cache_split_weighted (1200 * HW_MIB, 300 * HW_MIB, spotlight, 6, splits);
  g_assert_cmpuint (splits[0].per_cell_bytes, ==, 300 * HW_MIB);
  for (guint i = 1; i < 6; i++)
    g_assert_cmpuint (splits[i].per_cell_bytes, ==, 180 * HW_MIB);
  g_assert_cmpuint (total_of (splits, 6), <=, 1200 * HW_MIB);

  /* The default budget is plenty: every cell at the cap. */
  hw_cache_split_weighted (3072 * HW_MIB, 512 * HW_MIB, spotlight, 6, splits);
  for (guint i = 0; i < 6; i++)
    g_assert_cmpuint (splits[i].per_cell_bytes, ==, 512 * HW_MIB);

  /* Small cells held up at the floor take their 32 MiB from the large
   * one, and the total still fits. */
  hw_cache_split_weighted (200 * HW_MIB, 512 * HW_MIB, spotlight, 6, splits);
  for (guint i = 1; i < 6; i++)
    g_assert_cmpuint (splits[i].per_cell_bytes, ==, HW_CACHE_FLOOR_BYTES);
  g_assert_cmpuint (splits[0].per_cell_bytes, ==, 40 * HW_MIB);
  g_assert_cmpuint (total_of (splits, 6), <=, 200 * HW_MIB);

  /* No room for the floor: strictly by area. */
  hw_cache_split_weighted (90 * HW_MIB, 512 * HW_MIB, spotlight, 6, splits);
  g_assert_cmpuint (splits[0].per_cell_bytes, ==, 40 * HW_MIB);
  g_assert_cmpuint (splits[1].per_cell_bytes, ==, 10 * HW_MIB);
}

/* Whatever the weights, the total never exceeds the budget, no cell
 * exceeds the cap, and a larger cell never gets less than a smaller one. */
static void
test_cache_weighted_sweep (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint round = 0; round < 2000; round++)
    {
      guint n = (guint) g_rand_int_range (rand, 1, 65);
      guint weights[64];
      HwCacheSplit splits[64];
      guint64 budget = (guint64) g_rand_int_range (rand, 0, 8192) * HW_MIB;
      guint64 cap = (guint64) g_rand_int_range (rand, 32, 2048) * HW_MIB;

      for (guint i = 0; i < n; i++)
        weights[i] = (guint) g_rand_int_range (rand, 1, 17);
      hw_cache_split_weighted (budget, cap, weights, n, splits);

      g_assert_cmpuint (total_of (splits, n), <=, budget);
      for (guint i = 0; i < n; i++)
        {
          g_assert_cmpuint (splits[i].per_cell_bytes, <=, cap);
          g_assert_cmpuint (splits[i].forward_bytes + splits[i].back_bytes, ==,
                            splits[i].per_cell_bytes);
          if (HW_CACHE_FLOOR_BYTES * n <= budget)
            g_assert_cmpuint (splits[i].per_cell_bytes, >=, HW_CACHE_FLOOR_BYTES);
          for (guint j = 0; j < n; j++)
            if (weights[i] > weights[j])
              g_assert_cmpuint (splits[i].per_cell_bytes, >=, splits[j].per_cell_bytes);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hyperwall/pure/wall-rules/systemic/counts", test_systemic_counts);
  g_test_add_func ("/hyperwall/pure/wall-rules/systemic/distinct-cells", test_systemic_distinct);
  g_test_add_func ("/hyperwall/pure/wall-rules/systemic/window", test_systemic_window);
  g_test_add_func ("/hyperwall/pure/wall-rules/systemic/out-of-range",
                   test_systemic_out_of_range);

  g_test_add_func ("/hyperwall/pure/wall-rules/heartbeat/stale", test_heartbeat);
  g_test_add_func ("/hyperwall/pure/wall-rules/heartbeat/loop-gap", test_heartbeat_loop_gap);

  g_test_add_func ("/hyperwall/pure/wall-rules/cache/sweep", test_cache_split_sweep);
  g_test_add_func ("/hyperwall/pure/wall-rules/cache/weighted/uniform",
                   test_cache_weighted_uniform);
  g_test_add_func ("/hyperwall/pure/wall-rules/cache/weighted/area", test_cache_weighted_area);
  g_test_add_func ("/hyperwall/pure/wall-rules/cache/weighted/sweep", test_cache_weighted_sweep);
  for (guint i = 0; i < G_N_ELEMENTS (cache_cases); i++)
    {
      const CacheCase *c = &cache_cases[i];
      g_autofree char *path = g_strdup_printf ("/hyperwall/pure/wall-rules/cache/%" G_GUINT64_FORMAT
                                               "mib-%" G_GUINT64_FORMAT "cap-%ucells",
                                               c->budget_mib, c->cap_mib, c->cells);
      g_test_add_data_func (path, c, test_cache_split);
    }

  return g_test_run ();
}
