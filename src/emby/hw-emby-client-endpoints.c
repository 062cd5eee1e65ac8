/* hw-emby-client-endpoints.c: the typed requests of HwEmbyClient.
 *
 * Each is a request through hw_emby_client_request_async (), then a parser
 * from hw-emby-protocol.c on its body. Nothing here touches the client's
 * state: a new endpoint needs only the public request API.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include "hw-emby-client.h"
#include "hw-redact.h"

/* Typed requests: a request, then a parser on its body. */
typedef gpointer (*ParseFunc) (const char *data,
                               gssize      length,
                               GError    **error);

typedef struct {
  ParseFunc      parse;
  GDestroyNotify free_result;
} TypedRequest;

/* A server that keeps answering the same unusable reply (every item page,
 * every retry) gets one warning, not one per request, until a reply
 * parses or a different fault comes. */
static GQuark
last_bad_reply_quark (void)
{
  return g_quark_from_static_string ("hw-emby-last-bad-reply");
}

static void
log_bad_reply (HwEmbyClient *client,
               const char   *message)
{
  const char *last = g_object_get_qdata (G_OBJECT (client), last_bad_reply_quark ());

  if (g_strcmp0 (last, message) == 0)
    {
      g_debug ("%s (again)", message);
      return;
    }
  g_warning ("%s", message);
  g_object_set_qdata_full (G_OBJECT (client), last_bad_reply_quark (), g_strdup (message), g_free);
}

static void
on_typed_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  const TypedRequest *typed = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = hw_emby_client_request_finish (HW_EMBY_CLIENT (source), result, &error);
  gpointer parsed;

  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  parsed = typed->parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  if (parsed == NULL)
    {
      g_autofree char *safe = hw_redact (error->message);

      /* Malformed replies are transient for the request, never a crash. */
      log_bad_reply (HW_EMBY_CLIENT (source), safe);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_object_set_qdata (source, last_bad_reply_quark (), NULL);

  g_task_return_pointer (task, parsed, typed->free_result);
}

static void
typed_request (HwEmbyClient        *self,
               const char          *method,
               const char          *path,
               const char          *json_body,
               HwEmbyRequestFlags   flags,
               const TypedRequest  *typed,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_task_data (task, (gpointer) typed, NULL);
  hw_emby_client_request_async (self, method, path, json_body, flags, cancellable,
                                on_typed_done, task);
}

static const TypedRequest views_request = {
  (ParseFunc) hw_emby_parse_views, (GDestroyNotify) g_ptr_array_unref,
};

void
hw_emby_client_get_views_async (HwEmbyClient        *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (HW_IS_EMBY_CLIENT (self));

  /* Current Jellyfin has no /Users/{id}/Views any more. */
  typed_request (self, "GET",
                 "/Users/" HW_EMBY_USER_ID_PLACEHOLDER "/Views" HW_EMBY_PATH_FOR_JELLYFIN
                 "/UserViews?userId=" HW_EMBY_USER_ID_PLACEHOLDER,
                 NULL, HW_EMBY_REQUEST_SHARED, &views_request, cancellable, callback, user_data);
}

GPtrArray *
hw_emby_client_get_views_finish (HwEmbyClient  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static const TypedRequest items_request = {
  (ParseFunc) hw_emby_parse_items, (GDestroyNotify) g_ptr_array_unref,
};

void
hw_emby_client_get_items_async (HwEmbyClient        *self,
                                const char          *parent_id,
                                guint                limit,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autofree char *limit_text = g_strdup_printf ("%u", limit);
  g_autofree char *emby = NULL;
  g_autofree char *jellyfin = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (HW_IS_EMBY_CLIENT (self));

  /* Current Jellyfin has no /Users/{id}/Items: the user goes in the query,
   * and the names are spelt as its document spells them. */
  jellyfin = hw_emby_build_url ("", "/Items?userId=" HW_EMBY_USER_ID_PLACEHOLDER,
                                "parentId", parent_id,
                                "recursive", "true",
                                "includeItemTypes", "Movie,Episode,Video",
                                "sortBy", "Random",
                                "limit", limit_text,
                                "enableTotalRecordCount", "false",
                                "enableImages", "false",
                                "enableUserData", "false",
                                NULL);
  emby = hw_emby_build_url ("", "/Users/" HW_EMBY_USER_ID_PLACEHOLDER "/Items",
                            "ParentId", parent_id,
                            "Recursive", "true",
                            "IncludeItemTypes", "Movie,Episode,Video",
                            "SortBy", "Random",
                            "Limit", limit_text,
                            /* No EnableTotalRecordCount: Emby's document
                             * does not have it for this endpoint. */
                            /* hw_emby_parse_items () reads Id, Name, Type,
                             * SeriesName, IsFolder and RunTimeTicks, which
                             * both servers always send, and the two fields
                             * the offline cache needs. Media sources come
                             * from PlaybackInfo, images are not shown. */
                            "Fields", "DateModified,CanDownload",
                            "EnableImages", "false",
                            "EnableUserData", "false",
                            NULL);
  path = g_strconcat (emby, HW_EMBY_PATH_FOR_JELLYFIN, jellyfin, NULL);
  typed_request (self, "GET", path, NULL, HW_EMBY_REQUEST_SHARED, &items_request,
                 cancellable, callback, user_data);
}

GPtrArray *
hw_emby_client_get_items_finish (HwEmbyClient  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
parse_playback_info_checked (const char  *data,
                             gssize       length,
                             GError     **error)
{
  g_autoptr(HwEmbyPlaybackInfo) info = hw_emby_parse_playback_info (data, length, error);
  HwErrorClass klass;

  if (info == NULL || info->error_code == NULL)
    return g_steal_pointer (&info);

  klass = hw_classify_response (200, info->error_code, TRUE);
  g_set_error (error, HW_EMBY_ERROR,
               klass == HW_ERROR_CLASS_TRANSIENT ? HW_EMBY_ERROR_TRANSIENT : HW_EMBY_ERROR_NOT_FOUND,
               "PlaybackInfo: the server refused the item (%s)", info->error_code);
  return NULL;
}

static const TypedRequest playback_info_request = {
  parse_playback_info_checked, (GDestroyNotify) hw_emby_playback_info_free,
};

/* mpv plays nearly anything: direct play for every container, and an HLS
 * H.264 transcode for what the server will not send as it is. */
#define DEVICE_PROFILE \
  "\"DeviceProfile\":{\"Name\":\"Hyperwall\",\"MaxStreamingBitrate\":140000000," \
  "\"DirectPlayProfiles\":[{\"Type\":\"Video\"}]," \
  "\"TranscodingProfiles\":[{\"Type\":\"Video\",\"Container\":\"ts\",\"VideoCodec\":\"h264\"," \
  "\"AudioCodec\":\"aac\",\"Protocol\":\"hls\",\"Context\":\"Streaming\"}]}"

/* Emby's document has the user, IsPlayback and the bitrate in the body
 * (PlaybackInfoRequest), not in the query; Jellyfin's PlaybackInfoDto has
 * no IsPlayback. */
static const char playback_info_body[] =
  "{\"UserId\":\"" HW_EMBY_USER_ID_PLACEHOLDER "\",\"IsPlayback\":true,"
  "\"MaxStreamingBitrate\":140000000," DEVICE_PROFILE "}"
  HW_EMBY_PATH_FOR_JELLYFIN
  "{\"UserId\":\"" HW_EMBY_USER_ID_PLACEHOLDER "\",\"MaxStreamingBitrate\":140000000,"
  DEVICE_PROFILE "}";

void
hw_emby_client_get_playback_info_async (HwEmbyClient        *self,
                                        const char          *item_id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autofree char *escaped = g_uri_escape_string (item_id, NULL, FALSE);
  g_autofree char *path = NULL;

  g_return_if_fail (HW_IS_EMBY_CLIENT (self));

  /* Jellyfin's document has the user in the query as well. */
  path = g_strdup_printf ("/Items/%s/PlaybackInfo" HW_EMBY_PATH_FOR_JELLYFIN
                          "/Items/%s/PlaybackInfo?userId=" HW_EMBY_USER_ID_PLACEHOLDER,
                          escaped, escaped);

  typed_request (self, "POST", path, playback_info_body, HW_EMBY_REQUEST_NONE,
                 &playback_info_request, cancellable, callback, user_data);
}

HwEmbyPlaybackInfo *
hw_emby_client_get_playback_info_finish (HwEmbyClient  *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
