/* hw-emby-feed-private.h: HwEmbyFeed across its files.
 *
 *   hw-emby-feed.c          the object, the item pipeline, prefetch, and
 *                           stream URLs minted again for a new token
 *   hw-emby-feed-library.c  the views and pages of items the pool holds,
 *                           and client errors as feed errors
 *   hw-emby-feed-source.c   a source of the feed's own (`sources`): a
 *                           library, playlist, collection or items,
 *                           resolved and paged in place of the libraries
 *   hw-emby-feed-reports.c  playback reports (hw-emby-now-playing.c),
 *                           stopping a transcode, and the HEAD check of a
 *                           failed stream
 *   hw-emby-feed-offline.c  copies on disk: what to copy, and a copy for
 *                           a cell while the server is away
 *
 * Internal: not installed, and only these files include it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hw-config.h"
#include "hw-emby-client.h"
#include "hw-emby-feed.h"
#include "hw-emby-now-playing.h"
#include "hw-feed.h"
#include "hw-item-pool.h"
#include "hw-log-limit.h"
#include "hw-source-spec.h"
#include "hw-offline-fetcher.h"
#include "hw-offline-index.h"

G_BEGIN_DECLS

struct _HwEmbyFeed
{
  GObject        parent_instance;

  HwConfig      *config;
  HwEmbyClient  *client;
  HwItemPool    *pool;          /* data: HwEmbyItem */
  GPtrArray     *library_ids;   /* NULL until the views are resolved */
  gint64         last_page_us;
  GQueue         ready;         /* HwMediaItem, pool slots held */
  GPtrArray     *handed;        /* HwMediaItem held by cells, until released */
  gboolean       prefetching;
  GPtrArray     *waiting;       /* GTask: asked while a prefetch could satisfy them */
  GCancellable  *life;
  HwEmbyNowPlaying *now_playing; /* which cell the server's session shows */

  /* Asked for through the session socket (hw-emby-session-socket.c):
   * item ids served before the shuffle, and a page reload at the next
   * request after the server said its library changed. */
  GQueue         requested;     /* char *, at most REQUESTED_MAX, no id twice */
  GHashTable    *requested_shown;  /* id → cells showing it, asked for by id */
  GHashTable    *missing;       /* ids asked for that the server answered 404 for */
  HwLogLimit     missing_log;
  HwLogLimit     full_log;
  gboolean       refresh_pages;

  /* HW_SOURCE_DEFAULT: the `libraries`, shuffled. Otherwise a cell's
   * source (hw_emby_feed_new_for_source ()): library_ids then holds what
   * it resolved to, NULL until resolved (or again after it went away). */
  HwSourceSpec   source;
  GPtrArray     *children;      /* HwEmbyFeed, not owned: the sources' feeds */
  HwEmbyFeed    *parent;        /* a source's feed: the wall's feed, which holds the copies */
  /* Copies on disk for when the server is away (hw-emby-feed-offline.c). */
  HwOfflineIndex   *offline;
  HwOfflineFetcher *fetcher;
};

/* One run of the item pipeline (a cell's request or a prefetch). */
typedef struct {
  guint    cell_index;
  guint    skips;
  gboolean requested;           /* serving an id asked for by name */
  gboolean pages_loaded;        /* loaded once in this request: an empty pool is final */
  guint    pending_pages;
  GError  *page_error;
} HwEmbyFeedNext;

/* Runs the pipeline from the first step not yet done (hw-emby-feed.c). */
void     _hw_emby_feed_next_step           (GTask          *task);
/* Ends @task with the feed error a cell acts on for a client @error. */
void     _hw_emby_feed_return_client_error (GTask          *task,
                                            const GError   *error);
/* Asks for the user's views; the pipeline resumes with the libraries. */
void     _hw_emby_feed_load_views          (GTask          *task);
/* Whether this request should load pages before taking from the pool. */
gboolean _hw_emby_feed_pool_needs_page     (HwEmbyFeed     *self,
                                            HwEmbyFeedNext *next);
/* Asks for a page of every library; the pipeline resumes when all came. */
void     _hw_emby_feed_load_pages          (GTask          *task);

/* A source of the feed's own (hw-emby-feed-source.c): resolves it to
 * library_ids, or pages its items into the pool. */
void     _hw_emby_feed_resolve_source      (GTask          *task);
void     _hw_emby_feed_load_source_items   (GTask          *task);

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

/* Copies on disk (hw-emby-feed-offline.c). Makes the index and its
 * fetcher. */
void         _hw_emby_feed_offline_init  (HwEmbyFeed              *self);
/* @item is about to play or plays now: worth a copy. */
void         _hw_emby_feed_offline_want  (HwEmbyFeed              *self,
                                          const HwEmbyItem        *item,
                                          const HwEmbyMediaSource *source);
/* A copy no cell holds, played longest ago, counted as shown (as an
 * item asked for by id); NULL when there is none. */
HwMediaItem *_hw_emby_feed_offline_take  (HwEmbyFeed              *self);
/* A copy a cell could not play: it goes. */
void         _hw_emby_feed_offline_drop  (HwEmbyFeed              *self,
                                          HwMediaItem             *item);

G_END_DECLS
