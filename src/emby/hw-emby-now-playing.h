/* hw-emby-now-playing.h: which cell the wall's Emby session shows, and the
 * playback reports that make it so.
 *
 * Emby keeps one session per DeviceId; its NowPlayingItem and PlayState
 * come from the latest start or progress report of that session, and a
 * stopped report of that item clears them. A wall plays an item on every
 * cell under one DeviceId, so the session can show only one of them: the
 * representative cell, which is the focused cell if it plays, else the
 * audible cell if it plays, else the first cell that plays.
 *
 * Every cell's start and stopped reports go out (play counts, activity);
 * only the representative sends progress. Once another cell's start or
 * stopped report has been answered, the representative reports again, so
 * that the session ends on it; when the representative changes (the focus
 * moved, the audible cell changed, its item ended) the new one reports at
 * once; a pause or resume of it reports at once ("Pause", "Unpause"), and
 * so does a change of its repeat mode ("RepeatModeChange").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hw-emby-client.h"
#include "hw-emby-protocol.h"
#include "hw-feed.h"

G_BEGIN_DECLS

#define HW_TYPE_EMBY_NOW_PLAYING (hw_emby_now_playing_get_type ())

G_DECLARE_FINAL_TYPE (HwEmbyNowPlaying, hw_emby_now_playing, HW, EMBY_NOW_PLAYING, GObject)

HwEmbyNowPlaying *hw_emby_now_playing_new (HwEmbyClient *client);

/* A cell's report about @item, played by @method. Nothing is sent unless
 * the client is online; what the cells play is tracked all the same. */
void hw_emby_now_playing_report (HwEmbyNowPlaying *self, HwMediaItem *item, HwFeedReport report,
                                 const HwFeedPlayback *playback, HwEmbyPlayMethod method);
void hw_emby_now_playing_set_focused (HwEmbyNowPlaying *self, guint cell_index);
/* -1: every cell muted. */
void hw_emby_now_playing_set_audible (HwEmbyNowPlaying *self, int cell_index);
/* The representative cell, -1 when no cell plays. */
int hw_emby_now_playing_get_shown (HwEmbyNowPlaying *self);

G_END_DECLS
