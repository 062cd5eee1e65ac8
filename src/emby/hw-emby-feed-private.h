/* hw-emby-feed-private.h: HwEmbyFeed across its files.
 *
 *   hw-emby-feed.c          the object, the item pipeline, prefetch, and
 *                           stream URLs minted again for a new token
 *   hw-emby-feed-reports.c  playback reports (hw-emby-now-playing.c),
 *                           stopping a transcode, and the HEAD check of a
 *                           failed stream
 *
 * Internal: not installed, and only these files include it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hw-emby-client.h"
#include "hw-emby-now-playing.h"
#include "hw-feed.h"

G_BEGIN_DECLS

/* HwFeedInterface.report: through @now_playing, and a stopped item's
 * transcode stopped on @client. */
void _hw_emby_feed_report (HwEmbyClient *client, HwEmbyNowPlaying *now_playing, HwMediaItem *item,
                           HwFeedReport report, const HwFeedPlayback *playback,
                           HwEmbyPlayMethod method);
/* HwFeedInterface.check_stream_async: a HEAD on @url; the GTask's source
 * object is @feed and it returns a boolean (gone for good). */
void _hw_emby_feed_check_stream_async  (HwFeed              *feed,
                                        HwEmbyClient        *client,
                                        const char          *url,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);

G_END_DECLS
