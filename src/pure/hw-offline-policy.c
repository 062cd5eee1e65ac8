/* hw-offline-policy.c: the offline media cache's decisions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <stdlib.h>

#include "hw-offline-policy.h"

gint64
hw_offline_allowed_bytes (gint64 budget_bytes,
                          gint64 cache_bytes,
                          gint64 fs_free_bytes,
                          gint64 fs_total_bytes)
{
  gint64 reserve;
  gint64 room;

  if (budget_bytes <= 0)
    return 0;
  if (fs_total_bytes <= 0)
    return budget_bytes;

  reserve = fs_total_bytes / 100 * HW_OFFLINE_MIN_FREE_PERCENT;
  room = MAX (fs_free_bytes, 0) + MAX (cache_bytes, 0) - reserve;
  return CLAMP (room, 0, budget_bytes);
}

static int
compare_by_play (gconstpointer a,
                 gconstpointer b)
{
  const HwOfflineEntry *x = a;
  const HwOfflineEntry *y = b;

  if (x->last_played_us != y->last_played_us)
    return x->last_played_us < y->last_played_us ? -1 : 1;
  if (x->size != y->size)
    return x->size > y->size ? -1 : 1;
  return g_strcmp0 (x->id, y->id);
}

void
hw_offline_sort_by_play (HwOfflineEntry *entries,
                         guint           n_entries)
{
  g_return_if_fail (entries != NULL || n_entries == 0);

  if (n_entries > 1)
    qsort (entries, n_entries, sizeof *entries, compare_by_play);
}

guint
hw_offline_evictions_needed (const HwOfflineEntry *entries,
                             guint                 n_entries,
                             gint64                cache_bytes,
                             gint64                incoming_bytes,
                             gint64                allowed_bytes)
{
  gint64 held = cache_bytes + MAX (incoming_bytes, 0);
  guint n = 0;

  g_return_val_if_fail (entries != NULL || n_entries == 0, 0);

  for (; held > allowed_bytes && n < n_entries; n++)
    held -= MAX (entries[n].size, 0);
  return n;
}

int
hw_offline_pick_fetch (const HwOfflineCandidate *candidates,
                       guint                     n_candidates,
                       gint64                    allowed_bytes,
                       gint64                    now_us)
{
  g_return_val_if_fail (candidates != NULL || n_candidates == 0, -1);

  for (guint i = 0; i < n_candidates; i++)
    {
      const HwOfflineCandidate *c = &candidates[i];

      if (c->cached || c->size <= 0 || c->size > allowed_bytes)
        continue;
      if (c->failed_at_us != 0 && now_us - c->failed_at_us < HW_OFFLINE_FAILED_REST_US)
        continue;
      return (int) i;
    }
  return -1;
}

gint64
hw_offline_shrunk_budget (gint64 cache_bytes)
{
  return MAX (cache_bytes, 0) / 4 * 3;
}
