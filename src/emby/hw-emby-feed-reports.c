/* hw-emby-feed-reports.c: what HwEmbyFeed tells the server, and asks it
 * about a stream that failed.
 *
 * Playback reports and stopping a transcode are best effort
 * (hw_emby_client_send ()): a slow report endpoint never stops a cell.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include "hw-emby-feed-private.h"

static void
stop_transcode (HwEmbyClient *client,
                HwMediaItem  *item)
{
  g_autofree char *path = hw_emby_stop_transcode_path (hw_emby_client_get_device_id (client),
                                                       hw_media_item_get_session_id (item));

  hw_emby_client_send (client, "DELETE", path, NULL, NULL);
}

void
_hw_emby_feed_report (HwEmbyClient *client, HwEmbyNowPlaying *now_playing, HwMediaItem *item,
                      HwFeedReport report, const HwFeedPlayback *playback, HwEmbyPlayMethod method)
{
  hw_emby_now_playing_report (now_playing, item, report, playback, method);
  /* Only a transcode runs ffmpeg on the server: a direct play has
   * nothing to stop. Jellyfin ends a play session's transcode with its
   * stopped report (and 12.0's document has no ActiveEncodings). */
  if (report == HW_FEED_REPORT_STOPPED && method == HW_EMBY_PLAY_TRANSCODE
      && hw_emby_client_get_server_product (client) != HW_SERVER_PRODUCT_JELLYFIN
      && hw_emby_client_get_state (client) == HW_SERVER_STATE_ONLINE)
    stop_transcode (client, item);
}

static void
on_stream_checked (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = hw_emby_client_request_finish (HW_EMBY_CLIENT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, error != NULL &&
                                 hw_emby_error_get_class (error) == HW_ERROR_CLASS_UNPLAYABLE);
}

/* A HEAD on the stream that failed: only the server knows whether it was
 * a 404, and a 404 is skipped rather than retried (docs/emby-api.md). */
void
_hw_emby_feed_check_stream_async (HwFeed              *feed,
                                  HwEmbyClient        *client,
                                  const char          *url,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (feed, cancellable, callback, user_data);
  const char *path = hw_emby_url_path_under_base (hw_emby_client_get_base_url (client), url);

  g_task_set_source_tag (task, _hw_emby_feed_check_stream_async);

  if (path == NULL)
    {
      g_task_return_boolean (task, FALSE);
      return;
    }

  /* The URL may carry a token from an older sign-in: the client sends no
   * api_key from a path, only the current token in its headers. */
  hw_emby_client_request_async (client, "HEAD", path, NULL,
                                HW_EMBY_REQUEST_NONE, cancellable, on_stream_checked,
                                g_steal_pointer (&task));
}

