/* hw-local-feed.h: the video files in one folder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hw-feed.h"

G_BEGIN_DECLS

#define HW_TYPE_LOCAL_FEED (hw_local_feed_get_type ())

G_DECLARE_FINAL_TYPE (HwLocalFeed, hw_local_feed, HW, LOCAL_FEED, GObject)

/* @directory: a folder path; it is read (in a thread) on the first request,
 * and again whenever every file in it has been played once. */
HwLocalFeed *hw_local_feed_new           (const char  *directory);
const char  *hw_local_feed_get_directory (HwLocalFeed *self);
/* Plays the files by name, looping, instead of shuffled (a folder: source
 * with ?in-order). */
void         hw_local_feed_set_in_order  (HwLocalFeed *self,
                                          gboolean     in_order);

/* TRUE when @basename looks like a video file by its extension. */
gboolean     hw_local_feed_is_video_name (const char  *basename);

G_END_DECLS
