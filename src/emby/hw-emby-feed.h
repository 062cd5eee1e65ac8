/* hw-emby-feed.h: an Emby server's video libraries as a feed.
 *
 * Lists the views, keeps the ones named or id'd in `libraries` (empty:
 * every video library), pages random items (Limit=100,
 * EnableTotalRecordCount=false) into an HwItemPool, and keeps a couple of
 * items with PlaybackInfo done so a cell that asks rarely waits on HTTP.
 * Properties "server-state" and "server-url" as hw-feed.h describes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hw-config.h"
#include "hw-emby-client.h"
#include "hw-feed.h"
#include "hw-source-spec.h"

G_BEGIN_DECLS

#define HW_TYPE_EMBY_FEED (hw_emby_feed_get_type ())

G_DECLARE_FINAL_TYPE (HwEmbyFeed, hw_emby_feed, HW, EMBY_FEED, GObject)

/* Creates its own HwEmbyClient and starts it. */
HwEmbyFeed   *hw_emby_feed_new             (HwConfig     *config);
/* Uses @client (started here if it was not). */
HwEmbyFeed   *hw_emby_feed_new_with_client (HwConfig     *config,
                                            HwEmbyClient *client);
HwEmbyClient *hw_emby_feed_get_client      (HwEmbyFeed   *self);
/* A feed of @spec alone (a cell's source: not HW_SOURCE_DEFAULT nor
 * HW_SOURCE_FOLDER) on @parent's client, reporting through @parent's session
 * and refreshed with it. */
HwEmbyFeed   *hw_emby_feed_new_for_source  (HwEmbyFeed         *parent,
                                            const HwSourceSpec *spec);

/* Items asked for through the session socket: the next cells to ask get
 * @item_ids before anything from the shuffle, in order; @first puts them
 * ahead of items asked for earlier (PlayNow, PlayNext), else behind them
 * (PlayLast). At most 100 wait, each id once; one the server answered 404
 * for is dropped (until the library changes), and the cell whose turn it
 * was gets the next item instead. */
void          hw_emby_feed_request_items   (HwEmbyFeed         *self,
                                            const char * const *item_ids,
                                            gboolean            first);
/* The server's library changed: the next request reloads the pages. */
void          hw_emby_feed_refresh         (HwEmbyFeed   *self);

G_END_DECLS
