/* hw-wall-rules.c: the rules that look at the whole wall, not one cell.
 *
 * Each needs every cell's state at once, which no cell has: the wall
 * controller feeds them, and acts for the cells on what they conclude.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-wall-rules.h"

/* ------------------------------------------------------------------ */
/* Systemic failure                                                    */

/* A cell that never failed. Compared before any subtraction, so it cannot
 * overflow. */
#define HW_NEVER G_MININT64

void
hw_systemic_detector_init (HwSystemicDetector *detector)
{
  hw_systemic_detector_clear (detector);
}

void
hw_systemic_detector_clear (HwSystemicDetector *detector)
{
  g_return_if_fail (detector != NULL);

  for (guint i = 0; i < HW_SYSTEMIC_MAX_CELLS; i++)
    detector->last_failure_us[i] = HW_NEVER;
}

gboolean
hw_systemic_detector_record (HwSystemicDetector *detector,
                             guint               cell,
                             guint               n_cells,
                             gint64              window_us,
                             gint64              now_us)
{
  guint failed = 0;

  g_return_val_if_fail (detector != NULL, FALSE);

  /* Out of range: no slot to remember it in, and no grid it belongs to. */
  if (cell >= HW_SYSTEMIC_MAX_CELLS || cell >= n_cells)
    return FALSE;

  detector->last_failure_us[cell] = now_us;

  for (guint i = 0; i < MIN (n_cells, HW_SYSTEMIC_MAX_CELLS); i++)
    {
      gint64 t = detector->last_failure_us[i];

      if (t != HW_NEVER && now_us - t < window_us)
        failed++;
    }

  /* Two cells failing together is still just two bad items. */
  return failed >= 3 && failed * 2 > n_cells;
}

/* ------------------------------------------------------------------ */
/* Heartbeats                                                          */

void
hw_heartbeat_init (HwHeartbeat *heartbeat)
{
  g_return_if_fail (heartbeat != NULL);

  heartbeat->last_check_us = 0;
  heartbeat->resumed_us = 0;
}

void
hw_heartbeat_check_loop (HwHeartbeat *heartbeat,
                         gint64       period_us,
                         gint64       now_us)
{
  g_return_if_fail (heartbeat != NULL);

  /* A check this late means the main loop itself stood still (a blocking
   * call, a suspended machine): no watchdog could tick meanwhile, so the
   * time counts for none of them. A check on time proves nothing. */
  if (heartbeat->last_check_us != 0 && now_us - heartbeat->last_check_us > 2 * period_us)
    heartbeat->resumed_us = now_us;
  heartbeat->last_check_us = now_us;
}

gboolean
hw_heartbeat_is_stale (const HwHeartbeat *heartbeat,
                       gint64             last_tick_us,
                       gint64             interval_us,
                       gint64             now_us)
{
  gint64 limit_us = MAX (5 * interval_us, 5 * HW_USEC_PER_SEC);
  gint64 since_us;

  g_return_val_if_fail (heartbeat != NULL, FALSE);

  /* Only the time the loop ran, since the cell last ticked. */
  since_us = MAX (last_tick_us, heartbeat->resumed_us);
  return now_us - since_us > limit_us;
}

/* ------------------------------------------------------------------ */
/* Cache budget                                                        */

HwCacheSplit
hw_cache_split (guint64 budget_bytes,
                guint64 per_cell_cap_bytes,
                guint   n_cells)
{
  HwCacheSplit split = { 0, 0, 0 };
  guint64 share;

  if (n_cells == 0)
    return split;

  share = MIN (per_cell_cap_bytes, budget_bytes / n_cells);

  /* The floor keeps a cell able to play at all, but never at the price of
   * the budget: a big grid on a small budget gets budget / cells. */
  if (share < HW_CACHE_FLOOR_BYTES)
    {
      if (HW_CACHE_FLOOR_BYTES * n_cells > budget_bytes)
        share = budget_bytes / n_cells;
      else
        share = HW_CACHE_FLOOR_BYTES;
    }

  split.per_cell_bytes = share;
  split.back_bytes = share / 4;
  split.forward_bytes = share - split.back_bytes;

  return split;
}

static HwCacheSplit
split_of_share (guint64 share)
{
  HwCacheSplit split;

  split.per_cell_bytes = share;
  split.back_bytes = share / 4;
  split.forward_bytes = share - split.back_bytes;
  return split;
}

static guint64
weighted_share (guint64 unit,
                guint   weight,
                guint64 floor,
                guint64 cap)
{
  /* unit <= cap and weight <= 64 cells of 64 squares: no overflow. */
  return CLAMP (unit * MAX (weight, 1), floor, cap);
}

static guint64
weighted_total (guint64      unit,
                const guint *weights,
                guint        n_cells,
                guint64      floor,
                guint64      cap)
{
  guint64 total = 0;

  for (guint i = 0; i < n_cells; i++)
    total += weighted_share (unit, weights[i], floor, cap);
  return total;
}

void
hw_cache_split_weighted (guint64       budget_bytes,
                         guint64       per_cell_cap_bytes,
                         const guint  *weights,
                         guint         n_cells,
                         HwCacheSplit *splits)
{
  guint64 floor = HW_CACHE_FLOOR_BYTES;
  /* As in hw_cache_split(): a cap under the floor gives way to it. */
  guint64 cap = MAX (per_cell_cap_bytes, floor);
  guint64 weight_sum = 0;
  guint64 lo, hi;

  g_return_if_fail (n_cells == 0 || (weights != NULL && splits != NULL));

  if (n_cells == 0)
    return;

  for (guint i = 0; i < n_cells; i++)
    weight_sum += MAX (weights[i], 1);

  /* No room for the floor: strictly by area, as the uniform split gives
   * budget / cells. */
  if (HW_CACHE_FLOOR_BYTES * n_cells > budget_bytes)
    {
      for (guint i = 0; i < n_cells; i++)
        splits[i] = split_of_share (MIN (cap, budget_bytes / weight_sum * MAX (weights[i], 1)));
      return;
    }

  /* The largest share per square whose clamped total fits: the total only
   * grows with it, so a bisection finds it exactly. With every weight 1 it
   * is budget / cells, or the cap, as in hw_cache_split(). */
  lo = 0;
  hi = cap;
  while (lo < hi)
    {
      guint64 mid = lo + (hi - lo + 1) / 2;

      if (weighted_total (mid, weights, n_cells, floor, cap) <= budget_bytes)
        lo = mid;
      else
        hi = mid - 1;
    }

  for (guint i = 0; i < n_cells; i++)
    splits[i] = split_of_share (weighted_share (lo, weights[i], floor, cap));
}
