/* hw-item-pool.h: the shuffle every feed shares.
 *
 * Holds items by id (duplicates are dropped), hands them out at random,
 * never hands out an id that is in use by a cell, and repeats nothing until
 * every item has been handed out once in the current round. GLib only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _HwItemPool HwItemPool;

/* Why a cell gave up on an item. The cell says what happened and the pool
 * alone decides what that costs the item, so every feed sets items aside
 * alike. */
typedef enum {
  HW_ITEM_VERDICT_FAILED,     /* walked the whole escalation chain */
  HW_ITEM_VERDICT_UNPLAYABLE, /* certain to fail again as it is: the server has no such
                               * stream (404/410) or refuses it (an ErrorCode) */
} HwItemVerdict;

/* Pool rounds an item sits out for each verdict: a failure may pass (a busy
 * transcoder, a flaky disk), a missing stream will not. Either comes back
 * when nothing else is left to play. */
#define HW_SET_ASIDE_ROUNDS_FAILED 2
#define HW_SET_ASIDE_ROUNDS_UNPLAYABLE   G_MAXUINT

/* @seed: for the shuffle; tests pass a fixed one, feeds pass g_random_int (). */
HwItemPool *hw_item_pool_new          (guint32         seed);
void        hw_item_pool_free         (HwItemPool     *pool);

/* Takes ownership of @data (freed with @destroy). FALSE (and @data freed)
 * when @id is already in the pool. */
gboolean    hw_item_pool_add          (HwItemPool     *pool,
                                       const char     *id,
                                       gpointer        data,
                                       GDestroyNotify  destroy);
/* Drops @id for good (a 404, a file that vanished). */
void        hw_item_pool_remove       (HwItemPool     *pool,
                                       const char     *id);

/* Picks an id that is neither in use nor handed out this round, marks it in
 * use and returns its data (owned by the pool). When every free id has been
 * handed out this round, a new round starts. NULL when every id is in use
 * or the pool is empty. */
gpointer    hw_item_pool_take         (HwItemPool     *pool,
                                       const char    **out_id);
/* The cell is done with @id: it is free again (but not again this round). */
void        hw_item_pool_release      (HwItemPool     *pool,
                                       const char     *id);
/* A cell gave up on @id for @verdict: it sits out the rest of this round
 * and as many more as the verdict costs. Does not release it; the holder
 * still does that. */
void        hw_item_pool_set_aside    (HwItemPool     *pool,
                                       const char     *id,
                                       HwItemVerdict   verdict);

/* In order (a playlist): take () hands the ids in the order they were
 * added, starting after the one handed out last and wrapping round, and
 * still skips ids in use or set aside. Off by default: shuffled. */
void        hw_item_pool_set_in_order (HwItemPool     *pool,
                                       gboolean        in_order);

guint       hw_item_pool_size         (HwItemPool     *pool);
guint       hw_item_pool_in_use       (HwItemPool     *pool);
/* Ids that take() could hand out this round without starting a new one. */
guint       hw_item_pool_unplayed     (HwItemPool     *pool);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HwItemPool, hw_item_pool_free)

G_END_DECLS
