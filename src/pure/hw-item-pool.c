/* hw-item-pool.c: the shuffle every feed shares.
 *
 * Entries live in an array in insertion order (so a fixed seed gives a
 * fixed sequence) and in a hash table by id (so dedup and release are
 * cheap). Each entry carries two flags: in_use (a cell holds it) and
 * played (handed out in the current round).
 *
 * When a new round starts, only the entries that are free lose their
 * played mark: the ones on screen right now count as already played in the
 * new round, so a video that just started is not the first to come back.
 * Nor does the round open with the id that closed the last one (when there
 * is any other choice): a single cell would otherwise show it twice in a row.
 *
 * An entry a cell could not play is set aside for a number of rounds that
 * the cell's verdict decides: it sits out the rest of the current round and
 * that many more. The pool, not each feed, maps verdicts to rounds, so a
 * failing item costs the same whatever feed it came from. While
 * any entry is not set aside, a take finds nothing rather than a set-aside
 * one (the cell waits, as it would with more cells than videos); only a
 * pool of nothing but set-aside entries hands them out again, so a library
 * of failing items keeps being tried, paced by the cells' crash-loop guard.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-item-pool.h"

typedef struct {
  char           *id;
  gpointer        data;
  GDestroyNotify  destroy;
  gboolean        in_use;
  gboolean        played;
  guint           aside;       /* rounds still to sit out */
} HwPoolEntry;

struct _HwItemPool
{
  GRand      *rand;
  GPtrArray  *entries;   /* HwPoolEntry*, insertion order, owns the entries */
  GHashTable *by_id;     /* id (owned by the entry) → HwPoolEntry* */
  HwPoolEntry *last;     /* the entry handed out last, or NULL */
  guint       in_use;
  gboolean    in_order;
};

static void
hw_pool_entry_free (gpointer user_data)
{
  HwPoolEntry *entry = user_data;

  if (entry->destroy != NULL && entry->data != NULL)
    entry->destroy (entry->data);
  g_free (entry->id);
  g_free (entry);
}

HwItemPool *
hw_item_pool_new (guint32 seed)
{
  HwItemPool *pool = g_new0 (HwItemPool, 1);

  pool->rand = g_rand_new_with_seed (seed);
  pool->entries = g_ptr_array_new_with_free_func (hw_pool_entry_free);
  pool->by_id = g_hash_table_new (g_str_hash, g_str_equal);

  return pool;
}

void
hw_item_pool_free (HwItemPool *pool)
{
  if (pool == NULL)
    return;

  /* The table borrows the ids from the entries: drop it first. */
  g_hash_table_unref (pool->by_id);
  g_ptr_array_unref (pool->entries);
  g_rand_free (pool->rand);
  g_free (pool);
}

gboolean
hw_item_pool_add (HwItemPool     *pool,
                  const char     *id,
                  gpointer        data,
                  GDestroyNotify  destroy)
{
  HwPoolEntry *entry;

  g_return_val_if_fail (pool != NULL, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (g_hash_table_contains (pool->by_id, id))
    {
      if (destroy != NULL && data != NULL)
        destroy (data);
      return FALSE;
    }

  entry = g_new0 (HwPoolEntry, 1);
  entry->id = g_strdup (id);
  entry->data = data;
  entry->destroy = destroy;

  g_ptr_array_add (pool->entries, entry);
  g_hash_table_insert (pool->by_id, entry->id, entry);

  return TRUE;
}

void
hw_item_pool_remove (HwItemPool *pool,
                     const char *id)
{
  HwPoolEntry *entry;

  g_return_if_fail (pool != NULL);
  g_return_if_fail (id != NULL);

  entry = g_hash_table_lookup (pool->by_id, id);
  if (entry == NULL)
    return;

  if (entry->in_use)
    pool->in_use--;
  if (pool->last == entry)
    pool->last = NULL;

  g_hash_table_remove (pool->by_id, id);
  /* Frees the entry and its data; a later release of @id is a no-op. */
  g_ptr_array_remove (pool->entries, entry);
}

static guint
hw_item_pool_count_candidates (HwItemPool *pool)
{
  guint n = 0;

  for (guint i = 0; i < pool->entries->len; i++)
    {
      HwPoolEntry *entry = g_ptr_array_index (pool->entries, i);

      if (!entry->in_use && !entry->played)
        n++;
    }

  return n;
}

/* Set-aside entries count as played in a round they sit out. */
static void
hw_item_pool_start_round (HwItemPool *pool)
{
  for (guint i = 0; i < pool->entries->len; i++)
    {
      HwPoolEntry *entry = g_ptr_array_index (pool->entries, i);

      if (entry->in_use)
        continue;
      if (entry->aside > 0)
        {
          entry->aside--;
          entry->played = TRUE;
        }
      else
        {
          entry->played = FALSE;
        }
    }
}

/* TRUE (and every set-aside entry back in play) when the pool holds
 * nothing else. */
static gboolean
hw_item_pool_recall_set_aside (HwItemPool *pool)
{
  for (guint i = 0; i < pool->entries->len; i++)
    {
      HwPoolEntry *entry = g_ptr_array_index (pool->entries, i);

      if (entry->aside == 0)
        return FALSE;
    }

  for (guint i = 0; i < pool->entries->len; i++)
    {
      HwPoolEntry *entry = g_ptr_array_index (pool->entries, i);

      entry->aside = 0;
      if (!entry->in_use)
        entry->played = FALSE;
    }

  return TRUE;
}

static HwPoolEntry *
hw_item_pool_nth_candidate (HwItemPool *pool,
                            guint       nth)
{
  for (guint i = 0; i < pool->entries->len; i++)
    {
      HwPoolEntry *entry = g_ptr_array_index (pool->entries, i);

      if (entry->in_use || entry->played)
        continue;
      if (nth == 0)
        return entry;
      nth--;
    }

  g_assert_not_reached ();
  return NULL;
}

/* In order: the first candidate after the entry handed out last, wrapping
 * round, so a playlist loops and cells sharing it take turns along it. */
static HwPoolEntry *
hw_item_pool_next_in_order (HwItemPool *pool)
{
  guint len = pool->entries->len;
  guint start = 0;

  if (pool->last != NULL && g_ptr_array_find (pool->entries, pool->last, &start))
    start++;
  for (guint k = 0; k < len; k++)
    {
      HwPoolEntry *entry = g_ptr_array_index (pool->entries, (start + k) % len);

      if (!entry->in_use && !entry->played)
        return entry;
    }

  g_assert_not_reached ();
  return NULL;
}

static HwPoolEntry *
hw_item_pool_pick (HwItemPool *pool,
                   guint       n)
{
  if (pool->in_order)
    return hw_item_pool_next_in_order (pool);
  return hw_item_pool_nth_candidate (pool, g_rand_int_range (pool->rand, 0, (gint32) n));
}

/* The first pick of a round, never the entry that closed the last round
 * when another one is free. */
static HwPoolEntry *
hw_item_pool_pick_opening (HwItemPool *pool,
                           guint       n)
{
  HwPoolEntry *last = pool->last;
  HwPoolEntry *entry;

  if (pool->in_order || n < 2 || last == NULL || last->in_use || last->played)
    return hw_item_pool_pick (pool, n);

  last->played = TRUE;
  entry = hw_item_pool_pick (pool, n - 1);
  last->played = FALSE;

  return entry;
}

gpointer
hw_item_pool_take (HwItemPool  *pool,
                   const char **out_id)
{
  HwPoolEntry *entry;
  guint n;

  g_return_val_if_fail (pool != NULL, NULL);

  if (out_id != NULL)
    *out_id = NULL;

  if (pool->in_use >= pool->entries->len)
    return NULL;

  n = hw_item_pool_count_candidates (pool);
  if (n > 0)
    {
      entry = hw_item_pool_pick (pool, n);
    }
  else
    {
      hw_item_pool_start_round (pool);
      n = hw_item_pool_count_candidates (pool);
      if (n == 0 && hw_item_pool_recall_set_aside (pool))
        n = hw_item_pool_count_candidates (pool);
      if (n == 0)
        return NULL;
      entry = hw_item_pool_pick_opening (pool, n);
    }

  pool->last = entry;
  entry->in_use = TRUE;
  entry->played = TRUE;
  pool->in_use++;

  if (out_id != NULL)
    *out_id = entry->id;

  return entry->data;
}

void
hw_item_pool_release (HwItemPool *pool,
                      const char *id)
{
  HwPoolEntry *entry;

  g_return_if_fail (pool != NULL);
  g_return_if_fail (id != NULL);

  entry = g_hash_table_lookup (pool->by_id, id);
  if (entry == NULL || !entry->in_use)
    return;

  entry->in_use = FALSE;
  pool->in_use--;
}

static guint
hw_item_verdict_rounds (HwItemVerdict verdict)
{
  switch (verdict)
    {
    case HW_ITEM_VERDICT_UNPLAYABLE:
      return HW_SET_ASIDE_ROUNDS_UNPLAYABLE;
    case HW_ITEM_VERDICT_FAILED:
    default:
      /* An unknown verdict costs the least: an item wrongly kept out for
       * good would never be seen again while anything else plays. */
      return HW_SET_ASIDE_ROUNDS_FAILED;
    }
}

void
hw_item_pool_set_aside (HwItemPool    *pool,
                        const char    *id,
                        HwItemVerdict  verdict)
{
  HwPoolEntry *entry;
  guint rounds;

  g_return_if_fail (pool != NULL);
  g_return_if_fail (id != NULL);

  entry = g_hash_table_lookup (pool->by_id, id);
  if (entry == NULL)
    return;

  /* A milder verdict later never shortens a harsher one already given. */
  rounds = hw_item_verdict_rounds (verdict);
  entry->played = TRUE;
  entry->aside = MAX (entry->aside, rounds);
}

void
hw_item_pool_set_in_order (HwItemPool *pool,
                           gboolean    in_order)
{
  g_return_if_fail (pool != NULL);

  pool->in_order = !!in_order;
}

guint
hw_item_pool_size (HwItemPool *pool)
{
  g_return_val_if_fail (pool != NULL, 0);

  return pool->entries->len;
}

guint
hw_item_pool_in_use (HwItemPool *pool)
{
  g_return_val_if_fail (pool != NULL, 0);

  return pool->in_use;
}

guint
hw_item_pool_unplayed (HwItemPool *pool)
{
  g_return_val_if_fail (pool != NULL, 0);

  return hw_item_pool_count_candidates (pool);
}
