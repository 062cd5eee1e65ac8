/* hw-demo-feed.h: built-in moving test patterns, the default feed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hw-feed.h"

G_BEGIN_DECLS

#define HW_TYPE_DEMO_FEED (hw_demo_feed_get_type ())

G_DECLARE_FINAL_TYPE (HwDemoFeed, hw_demo_feed, HW, DEMO_FEED, GObject)

/* Every item is an mpv "av://lavfi:" source: nothing on disk, no server. */
HwDemoFeed *hw_demo_feed_new          (void);

/* How long each pattern plays, in seconds (the items' duration). */
#define HW_DEMO_FEED_ITEM_SECONDS 60

G_END_DECLS
