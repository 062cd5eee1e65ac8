/* hw-offline-fetcher.h: fills the offline cache from an Emby server.
 *
 * The feed says which items the wall is about to play and has played
 * (hw_offline_fetcher_want ()); the fetcher copies the most wanted one it
 * lacks into the HwOfflineIndex, one at a time and only while the server
 * gate is open. It asks /Items/{Id}/Download where the user may download,
 * else the original through the static stream; reads the body in chunks
 * at most offline-cache-rate KiB/s, with a stall timeout per chunk
 * instead of a deadline for the whole file; writes ".<id>.partial" and
 * keeps it only when it holds MediaSource.Size bytes. It holds back while
 * a cell buffers (hw_offline_fetcher_set_held_back ()): playback comes
 * first. The cache never takes more than offline-cache-mb (0: off) nor
 * leaves its disk under 10 % free (asked off the main thread before each
 * copy); a full disk (ENOSPC) makes it give back a quarter and rest.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "hw-config.h"
#include "hw-emby-client.h"
#include "hw-offline-index.h"

G_BEGIN_DECLS

typedef struct {
  const char *id;
  const char *title;
  double      duration;        /* seconds */
  const char *source_id;       /* the MediaSource to copy */
  gint64      size;            /* its Size; 0: unknown, never fetched */
  const char *date_modified;   /* NULL when the server did not say */
  gboolean    can_download;
} HwOfflineWanted;

#define HW_TYPE_OFFLINE_FETCHER (hw_offline_fetcher_get_type ())

G_DECLARE_FINAL_TYPE (HwOfflineFetcher, hw_offline_fetcher, HW, OFFLINE_FETCHER, GObject)

/* Reads offline-cache-mb and offline-cache-rate and follows them. */
HwOfflineFetcher *hw_offline_fetcher_new            (HwEmbyClient          *client,
                                                     HwOfflineIndex        *index,
                                                     HwConfig              *config);
/* @wanted goes first in line (a newer wish moves an older one ahead). */
void              hw_offline_fetcher_want           (HwOfflineFetcher      *self,
                                                     const HwOfflineWanted *wanted);
/* TRUE while a cell buffers: the download reads nothing until FALSE. */
void              hw_offline_fetcher_set_held_back  (HwOfflineFetcher      *self,
                                                     gboolean               held_back);
/* The id being copied now, or NULL. */
const char       *hw_offline_fetcher_get_downloading (HwOfflineFetcher     *self);
/* The bytes the cache may hold now: offline-cache-mb, less what free
 * space and a recent full disk allow. */
gint64            hw_offline_fetcher_get_budget     (HwOfflineFetcher      *self);
/* "offline_cache": { "bytes", "items", "budget_bytes", "downloading" }. */
void              hw_offline_fetcher_add_status     (HwOfflineFetcher      *self,
                                                     JsonBuilder           *builder);

G_END_DECLS
