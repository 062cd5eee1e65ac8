/* hw-feed-router.h: each cell to the feed of its source (the `sources` key).
 *
 * A feed to the cells like any other: a cell asks with its index and the
 * router asks the feed of that cell's source, or the wall's own feed for a
 * cell without one (an empty or missing entry, or one that is refused).
 * Cells with the same source (the same canonical text) share one feed, so
 * a source is fetched once and its pool keeps two cells from showing the
 * same item. Whatever a cell got goes back to the feed that handed it,
 * also after its source changed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hw-config.h"
#include "hw-feed.h"
#include "hw-source-spec.h"

G_BEGIN_DECLS

/* A new feed for @spec (never HW_SOURCE_DEFAULT), or NULL with @error when
 * this wall cannot play such a source at all (a playlist on a wall without
 * a server). A source it can play but cannot resolve yet (a playlist that
 * does not exist) still gets a feed: its cells show why and retry. */
typedef HwFeed *(*HwFeedRouterFactory) (const HwSourceSpec  *spec,
                                        gpointer             user_data,
                                        GError             **error);

#define HW_TYPE_FEED_ROUTER (hw_feed_router_get_type ())

G_DECLARE_FINAL_TYPE (HwFeedRouter, hw_feed_router, HW, FEED_ROUTER, GObject)

/* Follows @config's `sources` key. The signal "source-changed" (guint cell
 * index) says a cell's source changed: its next item comes from the new
 * one, and the wall moves it on at once. */
HwFeedRouter *hw_feed_router_new           (HwConfig            *config,
                                            HwFeed              *fallback,
                                            HwFeedRouterFactory  factory,
                                            gpointer             user_data);
/* The canonical text of @cell_index's source in force, NULL for the wall's
 * own feed. */
char         *hw_feed_router_dup_source    (HwFeedRouter        *self,
                                            guint                cell_index);
HwFeed       *hw_feed_router_get_fallback  (HwFeedRouter        *self);

G_END_DECLS
