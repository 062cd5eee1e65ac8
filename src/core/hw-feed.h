/* hw-feed.h: where cells get what to play.
 *
 * An implementation fills in next_item_async and whatever else it does;
 * every other method has a default. A feed that answers with a GTask gets
 * next_item_finish and check_stream_finish for free, and one without a
 * server needs no code for "server-state" and "server-url" beyond
 * hw_feed_install_properties () and hw_feed_get_property ().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "hw-item-pool.h"
#include "hw-media-item.h"
#include "hw-types.h"

G_BEGIN_DECLS

#define HW_FEED_ERROR (hw_feed_error_quark ())

typedef enum {
  HW_FEED_ERROR_EMPTY,             /* nothing to play (empty folder, empty library) */
  HW_FEED_ERROR_NOT_FOUND,         /* a missing folder, a library name that does not exist */
  HW_FEED_ERROR_UNAVAILABLE,       /* transient: the server gate is closed, try again later */
  HW_FEED_ERROR_SIGN_IN_REQUIRED,  /* fatal until the configuration changes */
  HW_FEED_ERROR_FAILED,            /* anything else, with a readable message */
} HwFeedError;

GQuark hw_feed_error_quark (void);

typedef enum {
  HW_FEED_REPORT_STARTED,
  HW_FEED_REPORT_PROGRESS,
  HW_FEED_REPORT_STOPPED,
} HwFeedReport;

/* What a cell says about its playback with a report. */
typedef struct
{
  guint    cell_index;
  double   position; /* seconds */
  gboolean paused;   /* by the operator, a remote command or a zoom */
  gboolean fallback; /* the item's fallback URL plays (Emby: the transcode) */
  gboolean repeat;   /* the cell plays its item again when it ends */
} HwFeedPlayback;

/* Why a cell gave up on an item (hw_feed_set_aside) is the item pool's
 * HwItemVerdict, which feeds pass on to their pool unchanged. */

#define HW_TYPE_FEED (hw_feed_get_type ())

G_DECLARE_INTERFACE (HwFeed, hw_feed, HW, FEED, GObject)

struct _HwFeedInterface
{
  GTypeInterface parent_iface;

  /* Hands the next item for @cell_index. A feed never hands an item that
   * another cell holds, and repeats nothing until its pool is used up.
   * The default next_item_finish takes the item from a GTask whose source
   * object is the feed (g_task_return_pointer ()), even when the request
   * was cancelled after the item was taken: a caller that cancelled still
   * releases what it gets. */
  void          (*next_item_async)  (HwFeed               *self,
                                     guint                 cell_index,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
  HwMediaItem  *(*next_item_finish) (HwFeed               *self,
                                     GAsyncResult         *result,
                                     GError              **error);
  /* Hands @item, which @cell_index holds, once more for the cell to play
   * again from the start (repeat): a fresh item of the same media (a new
   * PlaySessionId, new stream URLs) or @item itself. The cell's hold passes
   * to what comes back, which it releases as usual; when nothing comes (an
   * error, a cancellation) the feed has released @item. The default hands
   * @item itself; replay_item_finish takes the item from a GTask as
   * next_item_finish does. */
  void (*replay_item_async) (HwFeed *self, guint cell_index, HwMediaItem *item,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data);
  HwMediaItem *(*replay_item_finish) (HwFeed *self, GAsyncResult *result, GError **error);
  /* The cell is done with @item (ended, skipped, or the cell went away). */
  void          (*release_item)     (HwFeed               *self,
                                     guint                 cell_index,
                                     HwMediaItem          *item);
  /* Playback reporting; optional. */
  void (*report) (HwFeed *self, HwMediaItem *item, HwFeedReport report,
                  const HwFeedPlayback *playback);
  /* The operator's focus moved to @cell_index; optional (a feed that
   * reports to a server may show the focused cell there). */
  void (*set_focused_cell) (HwFeed *self, guint cell_index);
  /* Many cells failed together: check the server before blaming media.
   * Optional; feeds without a server ignore it. */
  void          (*suspect_server)   (HwFeed               *self);
  /* TRUE while reports are still in flight; the application waits a
   * moment at shutdown so "playback stopped" reaches the server.
   * Optional. */
  gboolean      (*is_busy)          (HwFeed               *self);
  /* After @url of @item failed to open: is it gone for good (a 404), so
   * that retrying cannot help? mpv does not say which HTTP status it got.
   * Optional; without it every failure walks the escalation chain. The
   * default check_stream_finish takes a boolean from a GTask. */
  void          (*check_stream_async)  (HwFeed               *self,
                                        HwMediaItem          *item,
                                        const char           *url,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
  gboolean      (*check_stream_finish) (HwFeed               *self,
                                        GAsyncResult         *result,
                                        GError              **error);
  /* A cell gave up on @item: do not hand it again soon. Optional. */
  void          (*set_aside)           (HwFeed               *self,
                                        HwMediaItem          *item,
                                        HwItemVerdict         verdict);
  /* Why the server state is what it is, for cards (redacted); optional. */
  const char   *(*get_server_reason)   (HwFeed               *self);
  /* What "server-state" and "server-url" read. By default
   * HW_SERVER_STATE_NONE and NULL: a feed without a server. */
  HwServerState (*get_server_state)    (HwFeed               *self);
  char         *(*dup_server_url)      (HwFeed               *self);
  /* Items asked for by id wait (an Emby PlayNow): the next cell to ask
   * should ask this feed, whatever its own source. Optional. */
  gboolean      (*has_requests)        (HwFeed               *self);
  /* Offline play; all optional. Whether the feed hands items that play
   * without its server (copies on disk) while the server is away: a cell
   * then asks for items instead of waiting. */
  gboolean      (*has_offline_items)   (HwFeed               *self);
  /* Some cell is buffering (or none is): what the feed downloads besides
   * playback holds back meanwhile. */
  void          (*set_buffering)       (HwFeed               *self,
                                        gboolean              buffering);
  /* Adds the feed's own members to the status file's top object. */
  void          (*add_status)          (HwFeed               *self,
                                        JsonBuilder          *builder);
};

void          hw_feed_next_item_async  (HwFeed               *self,
                                        guint                 cell_index,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
HwMediaItem  *hw_feed_next_item_finish (HwFeed               *self,
                                        GAsyncResult         *result,
                                        GError              **error);
void          hw_feed_replay_item_async (HwFeed *self, guint cell_index, HwMediaItem *item,
                                         GCancellable *cancellable, GAsyncReadyCallback callback,
                                         gpointer user_data);
HwMediaItem  *hw_feed_replay_item_finish (HwFeed *self, GAsyncResult *result, GError **error);
void          hw_feed_release_item     (HwFeed               *self,
                                        guint                 cell_index,
                                        HwMediaItem          *item);
/* @position in seconds; the rest of HwFeedPlayback zero (cell 0, playing
 * the direct URL). */
void          hw_feed_report           (HwFeed               *self,
                                        HwMediaItem          *item,
                                        HwFeedReport          report,
                                        double                position);
void          hw_feed_report_playback (HwFeed *self, HwMediaItem *item, HwFeedReport report,
                                       const HwFeedPlayback *playback);
void          hw_feed_set_focused_cell (HwFeed *self, guint cell_index);
void          hw_feed_set_aside        (HwFeed               *self,
                                        HwMediaItem          *item,
                                        HwItemVerdict         verdict);
void          hw_feed_suspect_server   (HwFeed               *self);
gboolean      hw_feed_is_busy          (HwFeed               *self);
gboolean      hw_feed_has_requests     (HwFeed               *self);
gboolean      hw_feed_can_check_stream (HwFeed               *self);
void          hw_feed_check_stream_async  (HwFeed            *self,
                                           HwMediaItem       *item,
                                           const char        *url,
                                           GCancellable      *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer           user_data);
/* TRUE when the stream is gone (404/410); FALSE with @error unset when it
 * exists or the answer was inconclusive. */
gboolean      hw_feed_check_stream_finish (HwFeed            *self,
                                           GAsyncResult      *result,
                                           GError           **error);

gboolean      hw_feed_has_offline_items (HwFeed              *self);
void          hw_feed_set_buffering     (HwFeed              *self,
                                         gboolean             buffering);
void          hw_feed_add_status        (HwFeed              *self,
                                         JsonBuilder         *builder);

/* Every feed has a "server-state" property of type HwServerState
 * (HW_TYPE_SERVER_STATE, hw-core-enums.h), HW_SERVER_STATE_NONE without a
 * server, and a "server-url" string property (redacted, for display), NULL
 * without a server. A feed notifies both when they change. */
HwServerState hw_feed_get_server_state (HwFeed               *self);
char         *hw_feed_dup_server_url   (HwFeed               *self);
/* NULL when the feed does not say. */
const char   *hw_feed_get_server_reason (HwFeed              *self);

/* For implementations, in class_init: the interface's properties, with
 * ids @first_prop and @first_prop + 1 (GObject wants every class to
 * override them). */
void          hw_feed_install_properties (GObjectClass       *object_class,
                                          guint               first_prop);
/* For implementations: answers the interface's properties from
 * get_server_state and dup_server_url. A class with no properties of its
 * own uses it as its GObjectClass.get_property; one with its own calls it
 * for the ids it does not know. Warns about any other property. */
void          hw_feed_get_property       (GObject            *object,
                                          guint               prop_id,
                                          GValue             *value,
                                          GParamSpec         *pspec);

G_END_DECLS
