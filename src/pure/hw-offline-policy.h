/* hw-offline-policy.h: what the offline media cache keeps, drops and
 * fetches, as pure decisions.
 *
 * The cache holds copies of videos so that a wall plays on while its
 * server is away. It never takes more than its budget (offline-cache-mb)
 * nor leaves its file system with less than HW_OFFLINE_MIN_FREE_PERCENT
 * free; it gives back the copies played longest ago first; it fetches the
 * most wanted item that it lacks, one at a time; and after a full disk it
 * shrinks and rests. Time comes in as an argument.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The share of the file system the cache always leaves free, for the
 * system and everything else on the disk. */
#define HW_OFFLINE_MIN_FREE_PERCENT 10
/* How long fetching rests after the disk was full (ENOSPC). */
#define HW_OFFLINE_FULL_REST_US (G_GINT64_CONSTANT (600) * G_USEC_PER_SEC)
/* How long an item whose fetch failed is not tried again. */
#define HW_OFFLINE_FAILED_REST_US (G_GINT64_CONSTANT (300) * G_USEC_PER_SEC)

typedef struct {
  const char *id;
  gint64      size;            /* bytes on disk */
  gint64      last_played_us;  /* wall-clock time it was last handed out; 0: never */
} HwOfflineEntry;

/* The bytes the cache may hold: @budget_bytes, less what would leave the
 * file system (@fs_free_bytes free of @fs_total_bytes) under the minimum
 * free share. @cache_bytes, what the cache holds now, counts as free: it
 * can be given back. Never negative; @fs_total_bytes <= 0 (unknown) leaves
 * the budget alone. */
gint64   hw_offline_allowed_bytes     (gint64                budget_bytes,
                                       gint64                cache_bytes,
                                       gint64                fs_free_bytes,
                                       gint64                fs_total_bytes);

/* Sorts @entries so that the first one is the first to go: played longest
 * ago (never played before any played), then the bigger, then by id. Also
 * the order a cell plays copies in while the server is away, so that the
 * wall shows what it has shown least lately. */
void     hw_offline_sort_by_play      (HwOfflineEntry       *entries,
                                       guint                 n_entries);

/* How many entries from the front of @entries (in the order above) must
 * go so that @cache_bytes plus @incoming_bytes fit in @allowed_bytes. All
 * of them when even that is not enough. */
guint    hw_offline_evictions_needed  (const HwOfflineEntry *entries,
                                       guint                 n_entries,
                                       gint64                cache_bytes,
                                       gint64                incoming_bytes,
                                       gint64                allowed_bytes);

typedef struct {
  const char *id;
  gint64      size;            /* the server's MediaSource.Size; 0 when unknown */
  gboolean    cached;          /* a current copy (same date and size) is on disk */
  gint64      failed_at_us;    /* when its last fetch failed; 0: never */
} HwOfflineCandidate;

/* Which of @candidates (most wanted first) to fetch next at @now_us: the
 * first without a current copy, whose size is known and fits in
 * @allowed_bytes, and whose last failure is HW_OFFLINE_FAILED_REST_US
 * old. -1 for none. */
int      hw_offline_pick_fetch        (const HwOfflineCandidate *candidates,
                                       guint                     n_candidates,
                                       gint64                    allowed_bytes,
                                       gint64                    now_us);

/* After a full disk: the bytes the cache may hold from now on (three
 * quarters of @cache_bytes), so that it gives space back at once. */
gint64   hw_offline_shrunk_budget     (gint64                cache_bytes);

G_END_DECLS
