/* test-item-pool.c: the shuffle shared by the feeds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <glib.h>

#include "hw-item-pool.h"

static guint n_destroyed;

static void
count_destroy (gpointer data)
{
  n_destroyed++;
  g_free (data);
}

static HwItemPool *
pool_with (guint n_items,
           guint32 seed)
{
  HwItemPool *pool = hw_item_pool_new (seed);

  for (guint i = 0; i < n_items; i++)
    {
      g_autofree char *id = g_strdup_printf ("item-%u", i);

      g_assert_true (hw_item_pool_add (pool, id, g_strdup (id), count_destroy));
    }

  return pool;
}

static void
test_pool_empty (void)
{
  g_autoptr(HwItemPool) pool = hw_item_pool_new (1);
  const char *id = "unset";

  g_assert_null (hw_item_pool_take (pool, &id));
  g_assert_null (id);
  g_assert_cmpuint (hw_item_pool_size (pool), ==, 0);
  g_assert_cmpuint (hw_item_pool_unplayed (pool), ==, 0);
}

static void
test_pool_dedup (void)
{
  g_autoptr(HwItemPool) pool = hw_item_pool_new (1);

  n_destroyed = 0;
  g_assert_true (hw_item_pool_add (pool, "a", g_strdup ("a"), count_destroy));
  g_assert_false (hw_item_pool_add (pool, "a", g_strdup ("a2"), count_destroy));
  /* The duplicate's data is freed at once, the first one is kept. */
  g_assert_cmpuint (n_destroyed, ==, 1);
  g_assert_cmpuint (hw_item_pool_size (pool), ==, 1);
  g_assert_cmpstr (hw_item_pool_take (pool, NULL), ==, "a");

  g_clear_pointer (&pool, hw_item_pool_free);
  g_assert_cmpuint (n_destroyed, ==, 2);
}

/* Every take hands a distinct id while all are held; the data matches the id. */
static void
test_pool_no_two_takers (void)
{
  g_autoptr(HwItemPool) pool = pool_with (5, 42);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < 5; i++)
    {
      const char *id = NULL;
      const char *data = hw_item_pool_take (pool, &id);

      g_assert_nonnull (data);
      g_assert_cmpstr (data, ==, id);
      g_assert_false (g_hash_table_contains (seen, id));
      g_hash_table_add (seen, (gpointer) id);
      g_assert_cmpuint (hw_item_pool_in_use (pool), ==, i + 1);
    }

  /* All in use: nothing to hand, even though a new round would be due. */
  g_assert_null (hw_item_pool_take (pool, NULL));
  g_assert_cmpuint (hw_item_pool_in_use (pool), ==, 5);
}

/* A cell releasing and taking at once never gets back what it just played
 * until every other id has had its turn. */
static void
test_pool_no_repeat_within_round (void)
{
  for (guint32 seed = 1; seed <= 20; seed++)
    {
      g_autoptr(HwItemPool) pool = pool_with (6, seed);
      g_autoptr(GHashTable) round = g_hash_table_new (g_str_hash, g_str_equal);
      const char *id = NULL;

      for (guint i = 0; i < 6; i++)
        {
          g_assert_cmpuint (hw_item_pool_unplayed (pool), ==, 6 - i);
          g_assert_nonnull (hw_item_pool_take (pool, &id));
          g_assert_false (g_hash_table_contains (round, id));
          g_hash_table_add (round, (gpointer) id);
          hw_item_pool_release (pool, id);
        }
      g_assert_cmpuint (hw_item_pool_in_use (pool), ==, 0);
      g_assert_cmpuint (hw_item_pool_unplayed (pool), ==, 0);
    }
}

static void
test_pool_new_round (void)
{
  g_autoptr(HwItemPool) pool = pool_with (3, 7);
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  const char *id = NULL;

  /* Three full rounds with a single taker: each id exactly three times. */
  for (guint i = 0; i < 9; i++)
    {
      g_assert_nonnull (hw_item_pool_take (pool, &id));
      g_hash_table_insert (counts, (gpointer) id,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, id)) + 1));
      hw_item_pool_release (pool, id);
      if (i % 3 == 2)
        g_assert_cmpuint (hw_item_pool_unplayed (pool), ==, 0);
    }

  g_assert_cmpuint (g_hash_table_size (counts), ==, 3);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, "item-0")), ==, 3);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, "item-1")), ==, 3);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, "item-2")), ==, 3);
}

/* In a new round, the ids still on screen do not come back first. */
static void
test_pool_new_round_skips_held (void)
{
  g_autoptr(HwItemPool) pool = pool_with (3, 3);
  const char *held = NULL;
  const char *other = NULL;

  g_assert_nonnull (hw_item_pool_take (pool, &held));
  for (guint i = 0; i < 2; i++)
    {
      g_assert_nonnull (hw_item_pool_take (pool, &other));
      hw_item_pool_release (pool, other);
    }
  /* The round is used up; the two free ids start the next one. */
  g_assert_cmpuint (hw_item_pool_unplayed (pool), ==, 0);
  g_assert_nonnull (hw_item_pool_take (pool, &other));
  g_assert_cmpstr (other, !=, held);
  g_assert_cmpuint (hw_item_pool_unplayed (pool), ==, 1);
}

static void
test_pool_remove (void)
{
  g_autoptr(HwItemPool) pool = pool_with (3, 11);
  const char *id = NULL;

  n_destroyed = 0;
  hw_item_pool_remove (pool, "item-1");
  g_assert_cmpuint (n_destroyed, ==, 1);
  g_assert_cmpuint (hw_item_pool_size (pool), ==, 2);
  hw_item_pool_remove (pool, "no-such-id");
  g_assert_cmpuint (hw_item_pool_size (pool), ==, 2);

  for (guint i = 0; i < 10; i++)
    {
      g_assert_nonnull (hw_item_pool_take (pool, &id));
      g_assert_cmpstr (id, !=, "item-1");
      hw_item_pool_release (pool, id);
    }

  /* Removing an id in use frees its slot too. */
  g_assert_nonnull (hw_item_pool_take (pool, &id));
  hw_item_pool_remove (pool, id);
  g_assert_cmpuint (hw_item_pool_in_use (pool), ==, 0);
  g_assert_cmpuint (hw_item_pool_size (pool), ==, 1);

  /* A removed id may come back later (the folder got the file again). */
  g_assert_true (hw_item_pool_add (pool, "item-1", g_strdup ("item-1"), count_destroy));
  g_assert_cmpuint (hw_item_pool_size (pool), ==, 2);
}

static void
test_pool_release_unknown (void)
{
  g_autoptr(HwItemPool) pool = pool_with (2, 5);
  const char *id = NULL;

  hw_item_pool_release (pool, "nope");
  g_assert_nonnull (hw_item_pool_take (pool, &id));
  hw_item_pool_release (pool, id);
  /* A second release of the same id must not underflow the count. */
  hw_item_pool_release (pool, id);
  g_assert_cmpuint (hw_item_pool_in_use (pool), ==, 0);
}

/* One cell, two items: they alternate, the new round never opens with the
 * item that closed the last one. */
static void
test_pool_no_back_to_back (void)
{
  for (guint32 seed = 1; seed <= 20; seed++)
    {
      g_autoptr(HwItemPool) pool = pool_with (2, seed);
      g_autofree char *previous = NULL;

      for (guint i = 0; i < 10; i++)
        {
          const char *id = NULL;

          g_assert_nonnull (hw_item_pool_take (pool, &id));
          g_assert_cmpstr (id, !=, previous);
          g_free (previous);
          previous = g_strdup (id);
          hw_item_pool_release (pool, id);
        }
    }
}

/* A single item still comes back, round after round. */
static void
test_pool_single_item (void)
{
  g_autoptr(HwItemPool) pool = pool_with (1, 1);
  const char *id = NULL;

  for (guint i = 0; i < 3; i++)
    {
      g_assert_nonnull (hw_item_pool_take (pool, &id));
      g_assert_cmpstr (id, ==, "item-0");
      hw_item_pool_release (pool, id);
    }
}

/* The same seed gives the same order: tests of the feeds rely on it. */
static void
test_pool_seed_deterministic (void)
{
  g_autoptr(HwItemPool) a = pool_with (8, 99);
  g_autoptr(HwItemPool) b = pool_with (8, 99);

  for (guint i = 0; i < 16; i++)
    {
      const char *ida = NULL;
      const char *idb = NULL;

      hw_item_pool_take (a, &ida);
      hw_item_pool_take (b, &idb);
      g_assert_cmpstr (ida, ==, idb);
      hw_item_pool_release (a, ida);
      hw_item_pool_release (b, idb);
    }
}

/* Takes one item and gives it back at once; returns its id (owned by the pool). */
static const char *
take_and_release (HwItemPool *pool)
{
  const char *id = NULL;

  g_assert_nonnull (hw_item_pool_take (pool, &id));
  hw_item_pool_release (pool, id);
  return id;
}

/* A failed item sits out the rest of its round and the next
 * HW_SET_ASIDE_ROUNDS_FAILED. */
static void
test_pool_set_aside (void)
{
  g_autoptr(HwItemPool) pool = pool_with (4, 7);
  g_autofree char *bad = NULL;
  guint seen = 0;

  bad = g_strdup (take_and_release (pool));
  hw_item_pool_set_aside (pool, bad, HW_ITEM_VERDICT_FAILED);

  /* The rest of round 1 (3 more), then 3 in each round it sits out. */
  for (guint i = 0; i < 3 + 3 * HW_SET_ASIDE_ROUNDS_FAILED; i++)
    g_assert_cmpstr (take_and_release (pool), !=, bad);

  /* The next round has it back, exactly once. */
  for (guint i = 0; i < 4; i++)
    if (g_strcmp0 (take_and_release (pool), bad) == 0)
      seen++;
  g_assert_cmpuint (seen, ==, 1);
}

/* Set aside while held: the holder's release still counts. */
static void
test_pool_set_aside_held (void)
{
  g_autoptr(HwItemPool) pool = pool_with (2, 3);
  const char *id = NULL;

  g_assert_nonnull (hw_item_pool_take (pool, &id));
  hw_item_pool_set_aside (pool, id, HW_ITEM_VERDICT_FAILED);
  g_assert_cmpuint (hw_item_pool_in_use (pool), ==, 1);
  hw_item_pool_release (pool, id);
  g_assert_cmpuint (hw_item_pool_in_use (pool), ==, 0);
  hw_item_pool_set_aside (pool, "unknown", HW_ITEM_VERDICT_UNPLAYABLE);  /* ignored */
  g_assert_cmpuint (hw_item_pool_size (pool), ==, 2);
}

/* Only set-aside items are free while a good one is held: nothing, as with
 * more cells than videos. A pool of nothing but set-aside items hands them. */
static void
test_pool_set_aside_last_resort (void)
{
  g_autoptr(HwItemPool) pool = pool_with (2, 11);
  const char *held = NULL;
  const char *bad;

  g_assert_nonnull (hw_item_pool_take (pool, &held));
  bad = take_and_release (pool);
  hw_item_pool_set_aside (pool, bad, HW_ITEM_VERDICT_UNPLAYABLE);
  g_assert_null (hw_item_pool_take (pool, NULL));
  g_assert_null (hw_item_pool_take (pool, NULL));

  hw_item_pool_set_aside (pool, held, HW_ITEM_VERDICT_FAILED);
  g_assert_cmpstr (take_and_release (pool), ==, bad);
  hw_item_pool_release (pool, held);
  g_assert_nonnull (hw_item_pool_take (pool, NULL));
  g_assert_cmpuint (hw_item_pool_in_use (pool), ==, 1);
}

/* A gone item stays out for as long as anything else can play. */
static void
test_pool_set_aside_gone (void)
{
  g_autoptr(HwItemPool) pool = pool_with (4, 5);
  g_autofree char *gone = NULL;

  gone = g_strdup (take_and_release (pool));
  hw_item_pool_set_aside (pool, gone, HW_ITEM_VERDICT_UNPLAYABLE);

  for (guint i = 0; i < 3 * 50; i++)
    g_assert_cmpstr (take_and_release (pool), !=, gone);
}

/* A milder verdict after a harsher one does not bring the item back
 * sooner: a stream that 404'd and then failed is still gone. */
static void
test_pool_set_aside_keeps_harsher (void)
{
  g_autoptr(HwItemPool) pool = pool_with (4, 9);
  g_autofree char *gone = NULL;

  gone = g_strdup (take_and_release (pool));
  hw_item_pool_set_aside (pool, gone, HW_ITEM_VERDICT_UNPLAYABLE);
  hw_item_pool_set_aside (pool, gone, HW_ITEM_VERDICT_FAILED);

  for (guint i = 0; i < 3 * (HW_SET_ASIDE_ROUNDS_FAILED + 5); i++)
    g_assert_cmpstr (take_and_release (pool), !=, gone);
}

static void
add_ids (HwItemPool *pool, const char * const *ids)
{
  for (guint i = 0; ids[i] != NULL; i++)
    g_assert_true (hw_item_pool_add (pool, ids[i], g_strdup (ids[i]), g_free));
}

/* A playlist: its order, looping, whatever the seed. */
static void
test_pool_in_order_loops (void)
{
  const char * const ids[] = { "c", "a", "b", NULL };
  g_autoptr(HwItemPool) pool = hw_item_pool_new (7);
  const char *expected[] = { "c", "a", "b", "c", "a", "b", "c" };

  add_ids (pool, ids);
  hw_item_pool_set_in_order (pool, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const char *id = NULL;

      g_assert_nonnull (hw_item_pool_take (pool, &id));
      g_assert_cmpstr (id, ==, expected[i]);
      hw_item_pool_release (pool, id);
    }
}

/* Two cells on one playlist take turns along it and never hold the same
 * item; one set aside is skipped. */
static void
test_pool_in_order_shared (void)
{
  const char * const ids[] = { "1", "2", "3", "4", NULL };
  g_autoptr(HwItemPool) pool = hw_item_pool_new (1);
  const char *a = NULL;
  const char *b = NULL;
  const char *next = NULL;

  add_ids (pool, ids);
  hw_item_pool_set_in_order (pool, TRUE);
  hw_item_pool_take (pool, &a);
  hw_item_pool_take (pool, &b);
  g_assert_cmpstr (a, ==, "1");
  g_assert_cmpstr (b, ==, "2");
  hw_item_pool_set_aside (pool, "3", HW_ITEM_VERDICT_FAILED);
  hw_item_pool_release (pool, a);
  hw_item_pool_take (pool, &next);
  g_assert_cmpstr (next, ==, "4");
  /* The round is over; "2" is still held, "3" sits out: back to "1". */
  hw_item_pool_release (pool, next);
  hw_item_pool_take (pool, &next);
  g_assert_cmpstr (next, ==, "1");
  g_assert_cmpuint (hw_item_pool_in_use (pool), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hyperwall/pure/item-pool/empty", test_pool_empty);
  g_test_add_func ("/hyperwall/pure/item-pool/dedup", test_pool_dedup);
  g_test_add_func ("/hyperwall/pure/item-pool/no-two-takers", test_pool_no_two_takers);
  g_test_add_func ("/hyperwall/pure/item-pool/no-repeat-within-round",
                   test_pool_no_repeat_within_round);
  g_test_add_func ("/hyperwall/pure/item-pool/new-round", test_pool_new_round);
  g_test_add_func ("/hyperwall/pure/item-pool/new-round-skips-held",
                   test_pool_new_round_skips_held);
  g_test_add_func ("/hyperwall/pure/item-pool/no-back-to-back", test_pool_no_back_to_back);
  g_test_add_func ("/hyperwall/pure/item-pool/single-item", test_pool_single_item);
  g_test_add_func ("/hyperwall/pure/item-pool/remove", test_pool_remove);
  g_test_add_func ("/hyperwall/pure/item-pool/release-unknown", test_pool_release_unknown);
  g_test_add_func ("/hyperwall/pure/item-pool/seed-deterministic", test_pool_seed_deterministic);
  g_test_add_func ("/hyperwall/pure/item-pool/set-aside", test_pool_set_aside);
  g_test_add_func ("/hyperwall/pure/item-pool/set-aside-held", test_pool_set_aside_held);
  g_test_add_func ("/hyperwall/pure/item-pool/set-aside-last-resort",
                   test_pool_set_aside_last_resort);
  g_test_add_func ("/hyperwall/pure/item-pool/set-aside-gone", test_pool_set_aside_gone);
  g_test_add_func ("/hyperwall/pure/item-pool/set-aside-keeps-harsher",
                   test_pool_set_aside_keeps_harsher);

  g_test_add_func ("/hyperwall/pure/item-pool/in-order-loops", test_pool_in_order_loops);
  g_test_add_func ("/hyperwall/pure/item-pool/in-order-shared", test_pool_in_order_shared);

  return g_test_run ();
}
