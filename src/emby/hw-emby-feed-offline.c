/* hw-emby-feed-offline.c: the feed's copies on disk.
 *
 * While the server answers, every item the feed prepares for a cell (the
 * next ones and the ones on screen) is a wish for the fetcher. While it is
 * away, a cell that asks gets a copy instead of an error: the one played
 * longest ago that no cell shows, as a local file. A copy plays without
 * reports (the server would not hear them) and is never fetched again
 * while it is current.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include "hw-emby-feed-private.h"

void
_hw_emby_feed_offline_init (HwEmbyFeed *self)
{
  g_autofree char *directory = hw_offline_index_default_directory ();

  self->offline = hw_offline_index_new (directory);
  self->fetcher = hw_offline_fetcher_new (self->client, self->offline, self->config);
}

void
_hw_emby_feed_offline_want (HwEmbyFeed              *self,
                            const HwEmbyItem        *item,
                            const HwEmbyMediaSource *source)
{
  g_autofree char *title = hw_emby_item_title (item);
  HwOfflineWanted wanted = {
    .id = item->id,
    .title = title,
    .duration = hw_emby_item_duration (item, source),
    .source_id = source->id,
    .size = source->size,
    .date_modified = item->date_modified,
    .can_download = item->can_download,
  };

  if (self->fetcher != NULL)
    hw_offline_fetcher_want (self->fetcher, &wanted);
}

static gboolean
is_handed (HwEmbyFeed *self,
           const char *id)
{
  for (guint i = 0; i < self->handed->len; i++)
    if (g_str_equal (hw_media_item_get_id (g_ptr_array_index (self->handed, i)), id))
      return TRUE;
  return FALSE;
}

HwMediaItem *
_hw_emby_feed_offline_take (HwEmbyFeed *self)
{
  g_autoptr(GPtrArray) order = NULL;

  if (self->offline == NULL)
    return NULL;

  order = hw_offline_index_dup_play_order (self->offline);
  for (guint i = 0; i < order->len; i++)
    {
      const char *id = g_ptr_array_index (order, i);
      const HwOfflineCopy *copy = hw_offline_index_lookup (self->offline, id);
      g_autofree char *path = NULL;
      g_autofree char *uri = NULL;
      HwMediaItem *media;
      guint shown;

      /* One item on one cell: a copy of what another cell streams (or
       * shows as a copy) waits. */
      if (is_handed (self, id) || g_hash_table_contains (self->requested_shown, id))
        continue;
      path = hw_offline_index_dup_path (self->offline, id);
      uri = g_filename_to_uri (path, NULL, NULL);
      if (uri == NULL)
        continue;

      media = hw_media_item_new (id, copy->title ? copy->title : id, copy->duration);
      hw_media_item_set_direct_url (media, uri);
      hw_media_item_set_is_network (media, FALSE);
      hw_media_item_set_from_cache (media, TRUE);
      /* Counted as shown, as an item asked for by id: the shuffle then
       * skips it once the server is back, while a cell still shows the
       * copy. */
      shown = GPOINTER_TO_UINT (g_hash_table_lookup (self->requested_shown, id));
      g_hash_table_insert (self->requested_shown, g_strdup (id), GUINT_TO_POINTER (shown + 1));
      hw_offline_index_mark_played (self->offline, id, g_get_real_time ());
      g_debug ("Item %s plays from its copy on disk: the server is away", id);
      return media;
    }
  return NULL;
}

void
_hw_emby_feed_offline_drop (HwEmbyFeed  *self,
                            HwMediaItem *item)
{
  if (self->offline == NULL || !hw_media_item_get_from_cache (item))
    return;
  g_message ("The copy of item %s on disk does not play; removed", hw_media_item_get_id (item));
  hw_offline_index_remove (self->offline, hw_media_item_get_id (item));
}
