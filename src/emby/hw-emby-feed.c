/* hw-emby-feed.c: an Emby server's video libraries as a feed.
 *
 * next_item runs a small pipeline, resuming at the first step not yet done:
 * views → pages of items → take from the pool → PlaybackInfo → HwMediaItem.
 * A prefetch runs the same pipeline to keep PREFETCH_TARGET items ready.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include <glib/gi18n.h>

#include "hw-emby-feed.h"
#include "hw-emby-feed-private.h"
#include "hw-item-pool.h"
#include "hw-reliability.h"
#include "hw-redact.h"

#define PREFETCH_TARGET     2
#define MAX_SKIPS           8
#define NO_CELL             G_MAXUINT
/* Items asked for by id and not yet played. A person queues a handful, a
 * "play all" of a season or a playlist some dozens; a 2x2 wall of
 * ten-minute episodes needs over four hours for 100. More would only grow
 * with every message of a misbehaving server or script, each costing a
 * PlaybackInfo request when its turn comes. */
#define REQUESTED_MAX       100
/* Made-up or deleted ids the server answered 404 for: asked for again,
 * they are dropped without a request. Forgotten when the library changes,
 * and all at once when there are this many (a flood of new made-up ids
 * then costs one request each again, no more). */
#define MISSING_MAX         1024
#define QUEUE_LOG_WINDOW_US (60 * HW_USEC_PER_SEC)
#define QUEUE_LOG_BURST     3

static void hw_emby_feed_iface_init (HwFeedInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HwEmbyFeed, hw_emby_feed, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HW_TYPE_FEED, hw_emby_feed_iface_init))

static void
next_item_free (HwEmbyFeedNext *next)
{
  g_clear_error (&next->page_error);
  g_free (next);
}

static void maybe_prefetch (HwEmbyFeed *self);

/* ------------------------------------------------------------------ */
/* Items                                                               */

/* Kept on every HwMediaItem the feed makes, so its stream URLs can be
 * minted again with a new token: mpv cannot send headers, the token rides
 * in the URL, and a cell reads the URL at each load. */
#define SOURCE_KEY     "hw-emby-media-source"
#define GENERATION_KEY "hw-emby-token-generation"

static void
mint_stream_urls (HwEmbyFeed  *self,
                  HwMediaItem *media)
{
  const HwEmbyMediaSource *source = g_object_get_data (G_OBJECT (media), SOURCE_KEY);
  const HwEmbyStreamContext stream = {
    .base_url = hw_emby_client_get_base_url (self->client),
    .item_id = hw_media_item_get_id (media),
    .play_session_id = hw_media_item_get_session_id (media),
    .device_id = hw_emby_client_get_device_id (self->client),
    .token = hw_emby_client_get_access_token (self->client),
    .product = hw_emby_client_get_server_product (self->client),
  };
  g_autofree char *direct = NULL;
  g_autofree char *fallback = NULL;

  if (source == NULL || stream.base_url == NULL)
    return;

  hw_emby_stream_urls (&stream, source, &direct, &fallback);
  hw_media_item_set_direct_url (media, direct);
  hw_media_item_set_fallback_url (media, fallback);
  g_object_set_data (G_OBJECT (media), GENERATION_KEY,
                     GUINT_TO_POINTER (hw_emby_client_get_token_generation (self->client)));
}

static void
mint_again_if_stale (HwEmbyFeed  *self,
                     HwMediaItem *media)
{
  guint generation = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (media), GENERATION_KEY));

  if (generation == hw_emby_client_get_token_generation (self->client) ||
      hw_emby_client_get_access_token (self->client) == NULL)
    return;

  g_debug ("Item %s: stream URLs minted again for a new sign-in", hw_media_item_get_id (media));
  mint_stream_urls (self, media);
}

static HwMediaItem *
build_media_item (HwEmbyFeed               *self,
                  const HwEmbyItem         *item,
                  const HwEmbyPlaybackInfo *info)
{
  const HwEmbyMediaSource *source = hw_emby_pick_media_source (info);
  g_autofree char *title = hw_emby_item_title (item);
  HwMediaItem *media;

  media = hw_media_item_new (item->id, title, hw_emby_item_duration (item, source));
  hw_media_item_set_is_network (media, TRUE);
  hw_media_item_set_session_id (media, info->play_session_id);
  hw_media_item_set_source_id (media, source->id);
  g_object_set_data_full (G_OBJECT (media), SOURCE_KEY, hw_emby_media_source_copy (source),
                          (GDestroyNotify) hw_emby_media_source_free);
  mint_stream_urls (self, media);
  _hw_emby_feed_offline_want (self, item, source);
  return media;
}

/* A cell no longer shows @id as an item asked for by id (or never did:
 * its PlaybackInfo failed). */
static void
forget_shown (HwEmbyFeed *self,
              const char *id)
{
  guint shown = GPOINTER_TO_UINT (g_hash_table_lookup (self->requested_shown, id));

  if (shown > 1)
    g_hash_table_insert (self->requested_shown, g_strdup (id), GUINT_TO_POINTER (shown - 1));
  else if (shown == 1)
    g_hash_table_remove (self->requested_shown, id);
}

static void
note_missing (HwEmbyFeed *self,
              const char *id)
{
  g_autofree char *safe = hw_redact (id);
  guint held_back = 0;

  if (g_hash_table_size (self->missing) >= MISSING_MAX)
    g_hash_table_remove_all (self->missing);
  g_hash_table_add (self->missing, g_strdup (id));

  /* One line per id, not per cell, and few of them: a flood of made-up
   * ids is one story. */
  if (!hw_log_limit_check (&self->missing_log, g_get_monotonic_time (), &held_back))
    return;
  if (held_back > 0)
    g_message ("Item %s was asked for but the server does not have it: dropped "
               "(and %u more since the last such line)", safe, held_back);
  else
    g_message ("Item %s was asked for but the server does not have it: dropped", safe);
}

static void
on_playback_info (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HwEmbyFeed *self = g_task_get_source_object (task);
  HwEmbyFeedNext *next = g_task_get_task_data (task);
  g_autofree char *id = g_strdup (g_object_get_data (G_OBJECT (task), "item-id"));
  g_autoptr(GError) error = NULL;
  g_autoptr(HwEmbyPlaybackInfo) info = NULL;
  const HwEmbyItem *item;

  info = hw_emby_client_get_playback_info_finish (HW_EMBY_CLIENT (source), result, &error);
  if (info == NULL && next->requested)
    {
      /* Not the pool's: never counted as shown, and no skip of the
       * shuffle's. An id the server does not have is dropped for good and
       * the cell takes the next one; only a server that does not answer
       * reaches the cell, which waits as for any other item. */
      next->requested = FALSE;
      forget_shown (self, id);
      if (hw_emby_error_get_class (error) == HW_ERROR_CLASS_UNPLAYABLE)
        {
          note_missing (self, id);
          _hw_emby_feed_next_step (g_steal_pointer (&task));
          return;
        }
      _hw_emby_feed_return_client_error (task, error);
      return;
    }
  if (info == NULL)
    {
      if (hw_emby_error_get_class (error) == HW_ERROR_CLASS_UNPLAYABLE && next->skips < MAX_SKIPS)
        {
          g_message ("Item %s cannot be played (%s); skipping it", id, error->message);
          hw_item_pool_set_aside (self->pool, id, HW_ITEM_VERDICT_UNPLAYABLE);
          hw_item_pool_release (self->pool, id);
          next->skips++;
          _hw_emby_feed_next_step (g_steal_pointer (&task));
          return;
        }
      hw_item_pool_release (self->pool, id);
      _hw_emby_feed_return_client_error (task, error);
      return;
    }

  item = g_object_get_data (G_OBJECT (task), "item");
  g_task_return_pointer (task, build_media_item (self, item, info), g_object_unref);
}

static void
fetch_playback_info (GTask            *task,
                     const char       *id,
                     const HwEmbyItem *item)
{
  HwEmbyFeed *self = g_task_get_source_object (task);

  /* A copy: a library reset may free the pool while the request runs. */
  g_object_set_data_full (G_OBJECT (task), "item-id", g_strdup (id), g_free);
  g_object_set_data_full (G_OBJECT (task), "item", hw_emby_item_copy (item),
                          (GDestroyNotify) hw_emby_item_free);
  hw_emby_client_get_playback_info_async (self->client, id, g_task_get_cancellable (task),
                                          on_playback_info, task);
}

/* ------------------------------------------------------------------ */
/* The pipeline                                                        */

/* A prefetched item, its URLs minted with the current token. */
static HwMediaItem *
pop_ready (HwEmbyFeed *self)
{
  HwMediaItem *media = g_queue_pop_head (&self->ready);

  if (media != NULL)
    mint_again_if_stale (self, media);
  return media;
}

void
_hw_emby_feed_next_step (GTask *task)
{
  HwEmbyFeed *self = g_task_get_source_object (task);
  HwEmbyFeedNext *next = g_task_get_task_data (task);
  HwServerState state = hw_emby_client_get_state (self->client);
  const HwEmbyItem *item;
  const char *id = NULL;

  if (g_task_return_error_if_cancelled (task))
    goto out;

  if (state == HW_SERVER_STATE_SIGN_IN_REQUIRED)
    {
      g_task_return_new_error (task, HW_FEED_ERROR, HW_FEED_ERROR_SIGN_IN_REQUIRED,
                               "%s", _("Sign-in required"));
      goto out;
    }
  if (state == HW_SERVER_STATE_OFFLINE)
    {
      g_task_return_new_error (task, HW_FEED_ERROR, HW_FEED_ERROR_UNAVAILABLE,
                               "%s", _("Waiting for the server"));
      goto out;
    }

  if (next->cell_index != NO_CELL && !g_queue_is_empty (&self->requested))
    {
      /* Asked for by name: it may be on screen elsewhere already, and it
       * is not the pool's to hold (releasing it later is a no-op). */
      g_autofree char *wanted = g_queue_pop_head (&self->requested);
      HwEmbyItem requested_item = { .id = wanted, .name = wanted, .type = (char *) "Video" };
      guint shown = GPOINTER_TO_UINT (g_hash_table_lookup (self->requested_shown, wanted));

      g_hash_table_insert (self->requested_shown, g_strdup (wanted), GUINT_TO_POINTER (shown + 1));
      next->requested = TRUE;
      fetch_playback_info (task, wanted, &requested_item);
      return;
    }

  if (next->cell_index != NO_CELL)
    {
      HwMediaItem *ready = pop_ready (self);

      if (ready != NULL)
        {
          g_task_return_pointer (task, ready, g_object_unref);
          goto out;
        }
    }

  if (next->cell_index != NO_CELL && self->prefetching &&
      self->source.kind != HW_SOURCE_DEFAULT && !self->source.shuffle)
    {
      /* In order: the prefetch holds the next item, and taking from the
       * pool now would skip past it. */
      g_ptr_array_add (self->waiting, task);
      return;
    }

  if (self->library_ids == NULL)
    {
      _hw_emby_feed_load_views (task);
      return;
    }

  if (_hw_emby_feed_pool_needs_page (self, next))
    {
      _hw_emby_feed_load_pages (task);
      return;
    }

  item = hw_item_pool_take (self->pool, &id);
  if (item != NULL && g_hash_table_contains (self->requested_shown, id))
    {
      /* On screen already, asked for by id (not held in the pool): once
       * more for another, else it shows twice. */
      const char *again_id = NULL;
      const HwEmbyItem *again = hw_item_pool_take (self->pool, &again_id);

      if (again != NULL)
        {
          hw_item_pool_release (self->pool, id);
          item = again;
          id = again_id;
        }
    }
  if (item != NULL)
    {
      fetch_playback_info (task, id, item);
      return;
    }

  if (next->cell_index != NO_CELL && self->prefetching)
    {
      /* The prefetch holds the last free item: it is for us. */
      g_ptr_array_add (self->waiting, task);
      return;
    }

  if (hw_item_pool_size (self->pool) == 0)
    g_task_return_new_error (task, HW_FEED_ERROR, HW_FEED_ERROR_EMPTY,
                             "%s", _("The libraries hold no videos"));
  else
    g_task_return_new_error (task, HW_FEED_ERROR, HW_FEED_ERROR_UNAVAILABLE,
                             "%s", _("Every video is on screen already"));

out:
  g_object_unref (task);
}

static GTask *
next_task_new (HwEmbyFeed          *self,
               guint                cell_index,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  HwEmbyFeedNext *next = g_new0 (HwEmbyFeedNext, 1);

  next->cell_index = cell_index;
  g_task_set_task_data (task, next, (GDestroyNotify) next_item_free);
  g_task_set_source_tag (task, next_task_new);
  return task;
}

static void
serve_waiting (HwEmbyFeed *self)
{
  g_autoptr(GPtrArray) waiting = NULL;

  if (self->waiting->len == 0)
    return;

  waiting = g_ptr_array_copy (self->waiting, NULL, NULL);
  g_ptr_array_set_size (self->waiting, 0);
  for (guint i = 0; i < waiting->len; i++)
    _hw_emby_feed_next_step (g_ptr_array_index (waiting, i));
}

static void
on_prefetched (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  HwEmbyFeed *self = HW_EMBY_FEED (source);
  g_autoptr(GError) error = NULL;
  HwMediaItem *media = g_task_propagate_pointer (G_TASK (result), &error);

  self->prefetching = FALSE;
  if (media == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Prefetch stopped: %s", error->message);
      serve_waiting (self);
      return;
    }

  g_queue_push_tail (&self->ready, media);
  serve_waiting (self);
  maybe_prefetch (self);
}

static void
maybe_prefetch (HwEmbyFeed *self)
{
  if (self->prefetching || g_queue_get_length (&self->ready) >= PREFETCH_TARGET ||
      hw_emby_client_get_state (self->client) != HW_SERVER_STATE_ONLINE ||
      self->library_ids == NULL)
    return;

  self->prefetching = TRUE;
  _hw_emby_feed_next_step (next_task_new (self, NO_CELL, self->life, on_prefetched, NULL));
}

/* ------------------------------------------------------------------ */
/* HwFeed                                                              */

static void
on_next_item_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  g_autoptr(GError) error = NULL;
  HwMediaItem *media = g_task_propagate_pointer (G_TASK (result), &error);
  HwEmbyFeed *self = HW_EMBY_FEED (source);

  /* The server is away: a copy on disk rather than a wait. */
  if (media == NULL && g_error_matches (error, HW_FEED_ERROR, HW_FEED_ERROR_UNAVAILABLE) &&
      hw_emby_client_get_state (self->client) == HW_SERVER_STATE_OFFLINE)
    media = _hw_emby_feed_offline_take (self->parent != NULL ? self->parent : self);

  if (media == NULL)
    g_task_return_error (outer, g_steal_pointer (&error));
  else
    {
      /* Until the cell releases it: its URLs follow the token. */
      g_ptr_array_add (HW_EMBY_FEED (source)->handed, g_object_ref (media));
      g_task_return_pointer (outer, media, g_object_unref);
    }

  maybe_prefetch (HW_EMBY_FEED (source));
}

static void
hw_emby_feed_next_item_async (HwFeed              *feed,
                              guint                cell_index,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  HwEmbyFeed *self = HW_EMBY_FEED (feed);
  GTask *outer = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (outer, hw_emby_feed_next_item_async);
  _hw_emby_feed_next_step (next_task_new (self, cell_index, cancellable, on_next_item_done, outer));
}

static void
hw_emby_feed_release_item (HwFeed      *feed,
                           guint        cell_index,
                           HwMediaItem *item)
{
  HwEmbyFeed *self = HW_EMBY_FEED (feed);
  const char *id = hw_media_item_get_id (item);

  g_ptr_array_remove (self->handed, item);
  forget_shown (self, id);
  /* A source's cell showed one of the wall's copies: the wall's feed
   * counted it as shown. */
  if (self->parent != NULL && hw_media_item_get_from_cache (item))
    forget_shown (self->parent, id);
  /* A copy never held a pool slot: the id's may be another's by now. */
  if (!hw_media_item_get_from_cache (item))
    hw_item_pool_release (self->pool, id);
}

/* Repeat: the item once more, with a PlaybackInfo of its own, so it plays
 * under a new PlaySessionId with fresh stream URLs. Its pool slot (and its
 * count as an item asked for by id) stays taken all along: no other cell
 * gets the item in between. */
static void
on_replay_info (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  HwEmbyFeed  *self = g_task_get_source_object (task);
  HwMediaItem *old = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (HwEmbyPlaybackInfo) info = NULL;
  g_autofree char *title = g_strdup (hw_media_item_get_title (old));
  HwEmbyItem       item = {
          .id = (char *)hw_media_item_get_id (old),
          .name = title,
          .type = (char *)"Video",
          .run_time_ticks = (gint64)(hw_media_item_get_duration (old) * HW_EMBY_TICKS_PER_SECOND),
  };
  HwMediaItem *media;

  info = hw_emby_client_get_playback_info_finish (HW_EMBY_CLIENT (source), result, &error);
  if (info == NULL)
    {
      if (hw_emby_error_get_class (error) == HW_ERROR_CLASS_UNPLAYABLE)
        hw_item_pool_set_aside (self->pool, item.id, HW_ITEM_VERDICT_UNPLAYABLE);
      hw_emby_feed_release_item (HW_FEED (self), NO_CELL, old);
      _hw_emby_feed_return_client_error (task, error);
      return;
    }

  media = build_media_item (self, &item, info);
  g_ptr_array_remove (self->handed, old);
  g_ptr_array_add (self->handed, g_object_ref (media));
  g_task_return_pointer (task, media, g_object_unref);
}

static void
hw_emby_feed_replay_item_async (HwFeed *feed, guint cell_index, HwMediaItem *item,
                                GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data)
{
  HwEmbyFeed *self = HW_EMBY_FEED (feed);
  GTask      *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, hw_emby_feed_replay_item_async);
  if (hw_media_item_get_from_cache (item))
    {
      /* A copy plays again as it is. */
      g_task_return_pointer (task, g_object_ref (item), g_object_unref);
      g_object_unref (task);
      return;
    }
  g_task_set_task_data (task, g_object_ref (item), g_object_unref);
  /* Cancelled or not, the cell takes what it gets and releases it. */
  g_task_set_check_cancellable (task, FALSE);
  hw_emby_client_get_playback_info_async (self->client, hw_media_item_get_id (item), cancellable,
                                          on_replay_info, task);
}

static void
hw_emby_feed_set_aside (HwFeed        *feed,
                        HwMediaItem   *item,
                        HwItemVerdict  verdict)
{
  HwEmbyFeed *self = HW_EMBY_FEED (feed);

  if (verdict == HW_ITEM_VERDICT_UNPLAYABLE)
    _hw_emby_feed_offline_drop (self, item);
  hw_item_pool_set_aside (self->pool, hw_media_item_get_id (item), verdict);
}

static void
hw_emby_feed_report (HwFeed *feed, HwMediaItem *item, HwFeedReport report,
                     const HwFeedPlayback *playback)
{
  HwEmbyFeed *self = HW_EMBY_FEED (feed);
  const HwEmbyMediaSource *source = g_object_get_data (G_OBJECT (item), SOURCE_KEY);
  HwEmbyPlayMethod         method = HW_EMBY_PLAY_DIRECT_STREAM;

  /* Played while the server was away: it would not hear of it. */
  if (hw_media_item_get_from_cache (item))
    return;
  if (source != NULL)
    method = hw_emby_play_method (source, playback->fallback);
  else if (playback->fallback)
    method = HW_EMBY_PLAY_TRANSCODE;
  _hw_emby_feed_report (self->client, self->now_playing, item, report, playback, method);
}

static void
hw_emby_feed_set_focused_cell (HwFeed *feed, guint cell_index)
{
  hw_emby_now_playing_set_focused (HW_EMBY_FEED (feed)->now_playing, cell_index);
}

static void
hw_emby_feed_suspect_server (HwFeed *feed)
{
  hw_emby_client_suspect_server (HW_EMBY_FEED (feed)->client);
}

static void
hw_emby_feed_check_stream_async (HwFeed              *feed,
                                 HwMediaItem         *item,
                                 const char          *url,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  _hw_emby_feed_check_stream_async (feed, HW_EMBY_FEED (feed)->client, url, cancellable,
                                    callback, user_data);
}

static HwServerState
hw_emby_feed_get_server_state (HwFeed *feed)
{
  HwEmbyFeed *self = HW_EMBY_FEED (feed);

  return self->client != NULL ? hw_emby_client_get_state (self->client) : HW_SERVER_STATE_NONE;
}

static char *
hw_emby_feed_dup_server_url (HwFeed *feed)
{
  HwEmbyFeed *self = HW_EMBY_FEED (feed);

  return self->client != NULL ? hw_redact (hw_emby_client_get_base_url (self->client)) : NULL;
}

static const char *
hw_emby_feed_get_server_reason (HwFeed *feed)
{
  return hw_emby_client_get_state_reason (HW_EMBY_FEED (feed)->client);
}

static gboolean
hw_emby_feed_has_requests (HwFeed *feed)
{
  return !g_queue_is_empty (&HW_EMBY_FEED (feed)->requested);
}

static gboolean
hw_emby_feed_is_busy (HwFeed *feed)
{
  return hw_emby_client_is_busy (HW_EMBY_FEED (feed)->client);
}

static gboolean
hw_emby_feed_has_offline_items (HwFeed *feed)
{
  HwEmbyFeed *self = HW_EMBY_FEED (feed);

  if (self->offline == NULL && self->parent != NULL)
    self = self->parent;
  return self->offline != NULL && hw_offline_index_get_n_items (self->offline) > 0;
}

static void
hw_emby_feed_set_buffering (HwFeed   *feed,
                            gboolean  buffering)
{
  HwEmbyFeed *self = HW_EMBY_FEED (feed);

  if (self->fetcher != NULL)
    hw_offline_fetcher_set_held_back (self->fetcher, buffering);
}

static void
hw_emby_feed_add_status (HwFeed      *feed,
                         JsonBuilder *builder)
{
  HwEmbyFeed *self = HW_EMBY_FEED (feed);

  if (self->fetcher != NULL)
    hw_offline_fetcher_add_status (self->fetcher, builder);
}

static void
hw_emby_feed_iface_init (HwFeedInterface *iface)
{
  iface->has_offline_items = hw_emby_feed_has_offline_items;
  iface->set_buffering = hw_emby_feed_set_buffering;
  iface->add_status = hw_emby_feed_add_status;
  iface->is_busy = hw_emby_feed_is_busy;
  iface->has_requests = hw_emby_feed_has_requests;
  iface->get_server_reason = hw_emby_feed_get_server_reason;
  iface->get_server_state = hw_emby_feed_get_server_state;
  iface->dup_server_url = hw_emby_feed_dup_server_url;
  iface->check_stream_async = hw_emby_feed_check_stream_async;
  iface->next_item_async = hw_emby_feed_next_item_async;
  iface->release_item = hw_emby_feed_release_item;
  iface->replay_item_async = hw_emby_feed_replay_item_async;
  iface->set_aside = hw_emby_feed_set_aside;
  iface->report = hw_emby_feed_report;
  iface->set_focused_cell = hw_emby_feed_set_focused_cell;
  iface->suspect_server = hw_emby_feed_suspect_server;
}

/* ------------------------------------------------------------------ */
/* Object                                                              */

static void
drop_ready (HwEmbyFeed *self)
{
  HwMediaItem *media;

  while ((media = g_queue_pop_head (&self->ready)) != NULL)
    {
      hw_item_pool_release (self->pool, hw_media_item_get_id (media));
      g_object_unref (media);
    }
}

static HwItemPool *
new_pool (HwEmbyFeed *self)
{
  HwItemPool *pool = hw_item_pool_new (g_random_int ());

  hw_item_pool_set_in_order (pool, self->source.kind != HW_SOURCE_DEFAULT &&
                                   !self->source.shuffle);
  return pool;
}

/* New server, user or libraries: everything cached belongs to the old one. */
static void
reset_library (HwEmbyFeed *self)
{
  g_cancellable_cancel (self->life);
  g_clear_object (&self->life);
  self->life = g_cancellable_new ();
  self->prefetching = FALSE;

  drop_ready (self);
  g_clear_pointer (&self->library_ids, g_ptr_array_unref);
  g_queue_clear_full (&self->requested, g_free);
  g_hash_table_remove_all (self->missing);
  g_clear_pointer (&self->pool, hw_item_pool_free);
  self->pool = new_pool (self);
  self->last_page_us = 0;
}

static void
on_config_changed (HwConfig   *config,
                   const char *key,
                   gpointer    user_data)
{
  HwEmbyFeed *self = user_data;

  if (g_str_equal (key, "libraries") || g_str_equal (key, "server-url") ||
      g_str_equal (key, "username") || g_str_equal (key, "user-id"))
    reset_library (self);
  if (g_str_equal (key, "server-url"))
    g_object_notify (G_OBJECT (self), "server-url");
  if (g_str_equal (key, "audio-cell"))
    hw_emby_now_playing_set_audible (self->now_playing, hw_config_get_int (config, "audio-cell"));
}

static void
on_client_state (GObject    *client,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  HwEmbyFeed *self = user_data;

  g_object_notify (G_OBJECT (self), "server-state");
  if (hw_emby_client_get_state (self->client) == HW_SERVER_STATE_ONLINE)
    maybe_prefetch (self);
}

/* A new sign-in: every URL handed out or prepared carries a token the
 * server no longer takes. A cell reads its item's URL at each load, so its
 * next retry uses the new one. */
static void
on_token_changed (GObject    *client,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  HwEmbyFeed *self = user_data;

  for (guint i = 0; i < self->handed->len; i++)
    mint_again_if_stale (self, g_ptr_array_index (self->handed, i));
  for (GList *l = self->ready.head; l != NULL; l = l->next)
    mint_again_if_stale (self, l->data);
}

static GList *
find_requested (HwEmbyFeed *self,
                const char *id)
{
  return g_queue_find_custom (&self->requested, id, (GCompareFunc) g_strcmp0);
}

/* Puts @id in the queue unless the server said it does not have it; an id
 * queued already moves to the front for @first, else stays where it is.
 * Returns how many ids the queue dropped for want of room (@id or the
 * last one). */
static guint
queue_requested (HwEmbyFeed *self,
                 const char *id,
                 gboolean    first)
{
  GList *queued;

  if (g_hash_table_contains (self->missing, id))
    {
      g_debug ("Item %s asked for again: the server does not have it", id);
      return 0;
    }

  queued = find_requested (self, id);
  if (queued != NULL && !first)
    return 0;
  if (queued != NULL)
    {
      g_queue_unlink (&self->requested, queued);
      g_queue_push_head_link (&self->requested, queued);
      return 0;
    }

  if (g_queue_get_length (&self->requested) < REQUESTED_MAX)
    {
      if (first)
        g_queue_push_head (&self->requested, g_strdup (id));
      else
        g_queue_push_tail (&self->requested, g_strdup (id));
      return 0;
    }
  /* Full: the latest word wins for PlayNext, the queue as it is for
   * PlayLast. */
  if (first)
    {
      g_free (g_queue_pop_tail (&self->requested));
      g_queue_push_head (&self->requested, g_strdup (id));
    }
  return 1;
}

void
hw_emby_feed_request_items (HwEmbyFeed         *self,
                            const char * const *item_ids,
                            gboolean            first)
{
  guint dropped = 0;
  guint held_back = 0;

  g_return_if_fail (HW_IS_EMBY_FEED (self));

  if (item_ids == NULL)
    return;

  /* In reverse for @first, so the ids end up in their order at the front. */
  if (first)
    {
      for (gsize n = g_strv_length ((char **) item_ids); n > 0; n--)
        dropped += queue_requested (self, item_ids[n - 1], TRUE);
    }
  else
    {
      for (gsize i = 0; item_ids[i] != NULL; i++)
        dropped += queue_requested (self, item_ids[i], FALSE);
    }
  /* Prefetched items would otherwise come first for the next cell. */
  drop_ready (self);

  if (dropped == 0 || !hw_log_limit_check (&self->full_log, g_get_monotonic_time (), &held_back))
    return;
  if (held_back > 0)
    g_message ("%u item(s) asked for were not queued: %u are waiting already "
               "(and %u more such times since the last such line)",
               dropped, REQUESTED_MAX, held_back);
  else
    g_message ("%u item(s) asked for were not queued: %u are waiting already",
               dropped, REQUESTED_MAX);
}

void
hw_emby_feed_refresh (HwEmbyFeed *self)
{
  g_return_if_fail (HW_IS_EMBY_FEED (self));

  self->refresh_pages = TRUE;
  /* A new item may well have an id the server did not know before. */
  g_hash_table_remove_all (self->missing);
  drop_ready (self);

  /* A source is looked up again: its playlist may be gone, renamed or
   * reordered, or back. */
  if (self->source.kind != HW_SOURCE_DEFAULT)
    reset_library (self);
  for (guint i = 0; self->children != NULL && i < self->children->len; i++)
    hw_emby_feed_refresh (g_ptr_array_index (self->children, i));
}

static void
on_child_gone (gpointer  user_data,
               GObject  *child)
{
  HwEmbyFeed *self = user_data;

  g_ptr_array_remove (self->children, child);
}

HwEmbyFeed *
hw_emby_feed_new_for_source (HwEmbyFeed         *parent,
                             const HwSourceSpec *spec)
{
  HwEmbyFeed *self;

  g_return_val_if_fail (HW_IS_EMBY_FEED (parent), NULL);
  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (spec->kind != HW_SOURCE_DEFAULT && spec->kind != HW_SOURCE_FOLDER, NULL);

  self = g_object_new (HW_TYPE_EMBY_FEED, NULL);
  self->config = g_object_ref (parent->config);
  self->client = g_object_ref (parent->client);
  /* One session on the server, whichever feed handed a cell its item. */
  self->now_playing = g_object_ref (parent->now_playing);
  self->source.kind = spec->kind;
  self->source.name = g_strdup (spec->name);
  self->source.items = g_strdupv (spec->items);
  self->source.shuffle = spec->shuffle;
  g_clear_pointer (&self->pool, hw_item_pool_free);
  self->pool = new_pool (self);

  g_ptr_array_add (parent->children, self);
  g_object_weak_ref (G_OBJECT (self), on_child_gone, parent);
  self->parent = parent;

  g_signal_connect_object (parent->config, "changed", G_CALLBACK (on_config_changed), self, 0);
  g_signal_connect_object (parent->client, "notify::state", G_CALLBACK (on_client_state), self, 0);
  g_signal_connect_object (parent->client, "notify::token-generation",
                           G_CALLBACK (on_token_changed), self, 0);
  return self;
}

HwEmbyFeed *
hw_emby_feed_new_with_client (HwConfig     *config,
                              HwEmbyClient *client)
{
  HwEmbyFeed *self;

  g_return_val_if_fail (HW_IS_CONFIG (config), NULL);
  g_return_val_if_fail (HW_IS_EMBY_CLIENT (client), NULL);

  self = g_object_new (HW_TYPE_EMBY_FEED, NULL);
  self->config = g_object_ref (config);
  self->client = g_object_ref (client);
  self->now_playing = hw_emby_now_playing_new (client);
  hw_emby_now_playing_set_audible (self->now_playing, hw_config_get_int (config, "audio-cell"));
  g_signal_connect_object (config, "changed", G_CALLBACK (on_config_changed), self, 0);
  g_signal_connect_object (client, "notify::state", G_CALLBACK (on_client_state), self, 0);
  g_signal_connect_object (client, "notify::token-generation", G_CALLBACK (on_token_changed),
                           self, 0);
  _hw_emby_feed_offline_init (self);
  hw_emby_client_start (client);
  return self;
}

HwEmbyFeed *
hw_emby_feed_new (HwConfig *config)
{
  g_autoptr(HwEmbyClient) client = hw_emby_client_new (config);

  return hw_emby_feed_new_with_client (config, client);
}

HwEmbyClient *
hw_emby_feed_get_client (HwEmbyFeed *self)
{
  g_return_val_if_fail (HW_IS_EMBY_FEED (self), NULL);
  return self->client;
}

static void
hw_emby_feed_dispose (GObject *object)
{
  HwEmbyFeed *self = HW_EMBY_FEED (object);

  if (self->life != NULL)
    g_cancellable_cancel (self->life);
  if (self->pool != NULL)
    drop_ready (self);
  /* The sources' feeds outlive the main one only at shutdown. */
  for (guint i = 0; self->children != NULL && i < self->children->len; i++)
    {
      HwEmbyFeed *child = g_ptr_array_index (self->children, i);

      child->parent = NULL;
      g_object_weak_unref (G_OBJECT (child), on_child_gone, self);
    }
  if (self->children != NULL)
    g_ptr_array_set_size (self->children, 0);
  g_clear_object (&self->now_playing);
  g_clear_object (&self->fetcher);
  g_clear_object (&self->offline);
  g_clear_object (&self->client);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (hw_emby_feed_parent_class)->dispose (object);
}

static void
hw_emby_feed_finalize (GObject *object)
{
  HwEmbyFeed *self = HW_EMBY_FEED (object);

  g_clear_object (&self->life);
  g_clear_pointer (&self->library_ids, g_ptr_array_unref);
  g_queue_clear_full (&self->requested, g_free);
  g_clear_pointer (&self->requested_shown, g_hash_table_unref);
  g_clear_pointer (&self->missing, g_hash_table_unref);
  g_clear_pointer (&self->pool, hw_item_pool_free);
  g_clear_pointer (&self->waiting, g_ptr_array_unref);
  g_clear_pointer (&self->handed, g_ptr_array_unref);
  g_clear_pointer (&self->children, g_ptr_array_unref);
  hw_source_spec_clear (&self->source);

  G_OBJECT_CLASS (hw_emby_feed_parent_class)->finalize (object);
}

static void
hw_emby_feed_class_init (HwEmbyFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hw_emby_feed_dispose;
  object_class->finalize = hw_emby_feed_finalize;
  object_class->get_property = hw_feed_get_property;

  hw_feed_install_properties (object_class, 1);
}

static void
hw_emby_feed_init (HwEmbyFeed *self)
{
  self->pool = hw_item_pool_new (g_random_int ());
  self->waiting = g_ptr_array_new ();
  self->handed = g_ptr_array_new_with_free_func (g_object_unref);
  self->children = g_ptr_array_new ();
  self->life = g_cancellable_new ();
  g_queue_init (&self->ready);
  g_queue_init (&self->requested);
  self->requested_shown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->missing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->missing_log = (HwLogLimit) HW_LOG_LIMIT_INIT (QUEUE_LOG_WINDOW_US, QUEUE_LOG_BURST);
  self->full_log = (HwLogLimit) HW_LOG_LIMIT_INIT (QUEUE_LOG_WINDOW_US, 1);
}
