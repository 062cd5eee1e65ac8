/* hw-media-item.h: one playable thing handed by a feed to a cell.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "hw-types.h"

G_BEGIN_DECLS

#define HW_TYPE_MEDIA_ITEM (hw_media_item_get_type ())

G_DECLARE_FINAL_TYPE (HwMediaItem, hw_media_item, HW, MEDIA_ITEM, GObject)

/* @id is the feed's opaque id (Emby item id, file path, pattern name);
 * @duration is in seconds, 0 when unknown. */
HwMediaItem *hw_media_item_new               (const char  *id,
                                              const char  *title,
                                              double       duration);
const char  *hw_media_item_get_id            (HwMediaItem *self);
const char  *hw_media_item_get_title         (HwMediaItem *self);
double       hw_media_item_get_duration      (HwMediaItem *self);

/* The stream mpv plays first (Emby: the static direct stream). */
const char  *hw_media_item_get_direct_url    (HwMediaItem *self);
void         hw_media_item_set_direct_url    (HwMediaItem *self,
                                              const char  *url);
/* The stream the escalation chain falls back to (Emby: the transcode);
 * NULL when there is none, and then retries use the direct url again. */
const char  *hw_media_item_get_fallback_url  (HwMediaItem *self);
void         hw_media_item_set_fallback_url  (HwMediaItem *self,
                                              const char  *url);
/* TRUE for streams read over the network: they get network options,
 * are never looped, and their demuxer cache growth is watched. */
gboolean     hw_media_item_get_is_network    (HwMediaItem *self);
void         hw_media_item_set_is_network    (HwMediaItem *self,
                                              gboolean     is_network);
/* TRUE for a copy the wall keeps on disk, played while its server is
 * away (hw-offline-index.h). */
gboolean     hw_media_item_get_from_cache    (HwMediaItem *self);
void         hw_media_item_set_from_cache    (HwMediaItem *self,
                                              gboolean     from_cache);
/* Extra mpv per-file options ("key=value,key=value") or NULL. */
const char  *hw_media_item_get_mpv_options   (HwMediaItem *self);
void         hw_media_item_set_mpv_options   (HwMediaItem *self,
                                              const char  *options);
/* Feed-private data (Emby: PlaySessionId, MediaSourceId). */
const char  *hw_media_item_get_session_id    (HwMediaItem *self);
void         hw_media_item_set_session_id    (HwMediaItem *self,
                                              const char  *session_id);
const char  *hw_media_item_get_source_id     (HwMediaItem *self);
void         hw_media_item_set_source_id     (HwMediaItem *self,
                                              const char  *source_id);

G_END_DECLS
