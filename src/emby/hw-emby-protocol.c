/* hw-emby-protocol.c: what Hyperwall sends to an Emby server.
 *
 * Base URLs, the authorization header, stream URLs and request bodies,
 * built from plain values: no I/O, so the unit tests pin them exactly.
 * Reading the replies is hw-emby-replies.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "hw-emby-protocol.h"

G_DEFINE_QUARK (hw-emby-error-quark, hw_emby_error)

#define DEFAULT_HTTP_PORT 8096

/* ------------------------------------------------------------------ */
/* URLs                                                                */

static gboolean
path_ends_with_api_root (const char *path)
{
  const char *slash = strrchr (path, '/');
  const char *last = slash != NULL ? slash + 1 : path;

  return g_ascii_strcasecmp (last, "emby") == 0 || g_ascii_strcasecmp (last, "mediabrowser") == 0;
}

static char *
strip_trailing_slashes (const char *path)
{
  char *copy = g_strdup (path);
  gsize len = strlen (copy);

  while (len > 0 && copy[len - 1] == '/')
    copy[--len] = '\0';
  return copy;
}

char *
hw_emby_normalize_base_url (const char  *url,
                            GError     **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *with_scheme = NULL;
  g_autofree char *path = NULL;
  g_autofree char *lower_scheme = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  gboolean bare;
  int port;

  trimmed = g_strstrip (g_strdup (url != NULL ? url : ""));
  if (*trimmed == '\0')
    {
      g_set_error_literal (error, HW_EMBY_ERROR, HW_EMBY_ERROR_INVALID_URL,
                           _("No server URL is configured"));
      return NULL;
    }

  bare = strstr (trimmed, "://") == NULL;
  with_scheme = bare ? g_strconcat ("http://", trimmed, NULL) : g_strdup (trimmed);

  uri = g_uri_parse (with_scheme, G_URI_FLAGS_ENCODED, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0))
    {
      g_set_error (error, HW_EMBY_ERROR, HW_EMBY_ERROR_INVALID_URL,
                   /* Translators: %s is the --server argument as given */
                   _("“%s” is not an http or https server address"), trimmed);
      return NULL;
    }

  port = g_uri_get_port (uri);
  if (port < 0 && bare)
    port = DEFAULT_HTTP_PORT;

  path = strip_trailing_slashes (g_uri_get_path (uri));
  if (!path_ends_with_api_root (path))
    {
      char *longer = g_strconcat (path, "/emby", NULL);

      g_free (path);
      path = longer;
    }

  lower_scheme = g_ascii_strdown (scheme, -1);
  return g_uri_join (G_URI_FLAGS_ENCODED, lower_scheme, NULL, g_uri_get_host (uri), port, path,
                     NULL, NULL);
}

static void
append_query_pair (GString    *url,
                   gboolean   *first,
                   const char *key,
                   const char *value)
{
  g_string_append_c (url, *first ? '?' : '&');
  g_string_append_uri_escaped (url, key, NULL, FALSE);
  g_string_append_c (url, '=');
  g_string_append_uri_escaped (url, value, NULL, FALSE);
  *first = FALSE;
}

char *
hw_emby_build_url (const char *base,
                   const char *path,
                   const char *first_key,
                   ...)
{
  GString *url = g_string_new (base);
  /* A path with a query of its own ("?userId={UserId}", kept unescaped
   * for the client to fill in) is continued. */
  gboolean first = strchr (path, '?') == NULL;
  const char *key;
  va_list args;

  if (path[0] != '/')
    g_string_append_c (url, '/');
  g_string_append (url, path);

  va_start (args, first_key);
  for (key = first_key; key != NULL; key = va_arg (args, const char *))
    {
      const char *value = va_arg (args, const char *);

      if (value != NULL)
        append_query_pair (url, &first, key, value);
    }
  va_end (args);

  return g_string_free (url, FALSE);
}

/* The path and query of an absolute URL; a relative one as it is. */
static const char *
skip_origin (const char *url)
{
  const char *scheme_end = strstr (url, "://");
  const char *path;

  if (scheme_end == NULL || strchr (url, '/') < scheme_end)
    return url;

  path = strchr (scheme_end + 3, '/');
  return path != NULL ? path : "";
}

char *
hw_emby_resolve_server_url (const char *base,
                            const char *relative)
{
  const char *rel;
  const char *last_slash;
  gsize root_len;

  g_return_val_if_fail (base != NULL, NULL);

  if (relative == NULL)
    return NULL;

  rel = skip_origin (relative);
  while (*rel == '/')
    rel++;

  /* "/emby/videos/…" against ".../emby": do not double the API root. */
  last_slash = strrchr (base, '/');
  if (last_slash != NULL)
    {
      const char *root = last_slash + 1;

      root_len = strlen (root);
      if (root_len > 0 && g_ascii_strncasecmp (rel, root, root_len) == 0 &&
          (rel[root_len] == '/' || rel[root_len] == '\0'))
        {
          g_autofree char *origin = g_strndup (base, last_slash - base);

          return g_strconcat (origin, "/", rel, NULL);
        }
    }

  return g_strconcat (base, "/", rel, NULL);
}

/* Whether the raw query pair @pair names the token: api_key or ApiKey, in
 * any case and however escaped ("api%5Fkey"). */
static gboolean
is_token_pair (const char *pair)
{
  const char *eq = strchr (pair, '=');
  g_autofree char *raw = g_strndup (pair, eq != NULL ? (gsize) (eq - pair) : strlen (pair));
  g_autofree char *key = g_uri_unescape_string (raw, NULL);

  /* A key that does not unescape is not ours; keep it as it came. */
  return key != NULL &&
         (g_ascii_strcasecmp (key, "api_key") == 0 || g_ascii_strcasecmp (key, "ApiKey") == 0);
}

/* Splits @url (absolute or a server-relative reference, as TranscodingUrl
 * is) with GUri and gives it back with its query rebuilt: the token's pairs
 * left out, then @key=@value appended when @key is not NULL. The fragment
 * stays a fragment, after the query. */
static char *
rebuild_query (const char *url,
               const char *key,
               const char *value)
{
  g_autofree char *scheme = NULL, *userinfo = NULL, *host = NULL, *path = NULL;
  g_autofree char *query = NULL, *fragment = NULL;
  g_auto(GStrv) pairs = NULL;
  g_autoptr(GString) kept = g_string_new (NULL);
  int port = -1;

  if (!g_uri_split (url, G_URI_FLAGS_ENCODED, &scheme, &userinfo, &host, &port, &path,
                    &query, &fragment, NULL))
    return NULL;

  pairs = g_strsplit (query != NULL ? query : "", "&", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      if (*pairs[i] == '\0' || is_token_pair (pairs[i]))
        continue;
      if (kept->len > 0)
        g_string_append_c (kept, '&');
      g_string_append (kept, pairs[i]);
    }
  if (key != NULL)
    {
      if (kept->len > 0)
        g_string_append_c (kept, '&');
      g_string_append_uri_escaped (kept, key, NULL, FALSE);
      g_string_append_c (kept, '=');
      g_string_append_uri_escaped (kept, value, NULL, FALSE);
    }

  return g_uri_join_with_user (G_URI_FLAGS_ENCODED, scheme, userinfo, NULL, NULL, host, port,
                               path, kept->len > 0 ? kept->str : NULL, fragment);
}

/* @url without its api_key= and ApiKey= pairs (any case), the rest of
 * the query kept in order. */
char *
hw_emby_url_without_api_key (const char *url)
{
  char *rebuilt;

  if (url == NULL)
    return NULL;
  rebuilt = rebuild_query (url, NULL, NULL);
  /* Not a URI GLib can split: drop the whole query rather than risk
   * keeping a token in it. */
  return rebuilt != NULL ? rebuilt : g_strndup (url, strcspn (url, "?#"));
}

char *
hw_emby_url_with_api_key (const char *url,
                          const char *token)
{
  return hw_emby_url_with_token (url, token, HW_SERVER_PRODUCT_EMBY);
}

char *
hw_emby_url_with_token (const char      *url,
                        const char      *token,
                        HwServerProduct  product)
{
  char *rebuilt;

  if (url == NULL)
    return NULL;
  if (token == NULL)
    return g_strdup (url);

  /* A TranscodingUrl carries the token PlaybackInfo was asked with, which
   * may be an older one than @token: replace it, never keep it. */
  rebuilt = rebuild_query (url, product == HW_SERVER_PRODUCT_JELLYFIN ? "ApiKey" : "api_key",
                           token);
  return rebuilt != NULL ? rebuilt : g_strdup (url);
}

static void
append_header_param (GString    *header,
                     const char *name,
                     const char *value)
{
  if (header->len > strlen ("MediaBrowser "))
    g_string_append (header, ", ");

  g_string_append_printf (header, "%s=\"", name);
  for (const char *p = value != NULL ? value : ""; *p != '\0'; p++)
    {
      /* A quote or a control character would end the parameter early. */
      if (*p == '"' || (guchar) *p < 0x20 || *p == 0x7f)
        g_string_append_c (header, '_');
      else
        g_string_append_c (header, *p);
    }
  g_string_append_c (header, '"');
}

char *
hw_emby_authorization_header (const char *device,
                              const char *device_id,
                              const char *version,
                              const char *token)
{
  GString *header = g_string_new ("MediaBrowser ");

  append_header_param (header, "Client", "Hyperwall");
  append_header_param (header, "Device", device);
  append_header_param (header, "DeviceId", device_id);
  append_header_param (header, "Version", version);
  if (token != NULL && *token != '\0')
    append_header_param (header, "Token", token);

  return g_string_free (header, FALSE);
}

/* ------------------------------------------------------------------ */
/* Ticks                                                               */

gint64
hw_emby_seconds_to_ticks (double seconds)
{
  /* Written so that NaN, like a negative position, reports 0. */
  return seconds > 0.0 ? (gint64) (seconds * HW_EMBY_TICKS_PER_SECOND) : 0;
}

double
hw_emby_ticks_to_seconds (gint64 ticks)
{
  return ticks / HW_EMBY_TICKS_PER_SECOND;
}

/* ------------------------------------------------------------------ */
/* Playing an item                                                     */

const HwEmbyMediaSource *
hw_emby_pick_media_source (const HwEmbyPlaybackInfo *info)
{
  g_return_val_if_fail (info != NULL && info->media_sources != NULL, NULL);
  g_return_val_if_fail (info->media_sources->len > 0, NULL);

  for (guint i = 0; i < info->media_sources->len; i++)
    {
      const HwEmbyMediaSource *source = g_ptr_array_index (info->media_sources, i);

      if (source->supports_direct_stream || source->supports_direct_play)
        return source;
    }
  return g_ptr_array_index (info->media_sources, 0);
}

char *
hw_emby_item_title (const HwEmbyItem *item)
{
  g_return_val_if_fail (item != NULL, NULL);

  if (item->series_name != NULL)
    return g_strdup_printf ("%s — %s", item->series_name, item->name);
  return g_strdup (item->name);
}

double
hw_emby_item_duration (const HwEmbyItem        *item,
                       const HwEmbyMediaSource *source)
{
  gint64 ticks = source != NULL && source->run_time_ticks > 0 ? source->run_time_ticks
                                                              : item->run_time_ticks;

  return hw_emby_ticks_to_seconds (ticks);
}

/* /Videos/{Id}/@file under the base, the id escaped as one path segment. */
static char *
video_path (const char *item_id,
            const char *file)
{
  g_autofree char *escaped = g_uri_escape_string (item_id, NULL, FALSE);

  return g_strdup_printf ("/Videos/%s/%s", escaped, file);
}

char *
hw_emby_direct_stream_url (const HwEmbyStreamContext *stream,
                           const HwEmbyMediaSource   *source)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (stream != NULL && stream->base_url != NULL && stream->item_id != NULL,
                        NULL);
  g_return_val_if_fail (source != NULL, NULL);

  if (source->direct_stream_url != NULL)
    {
      g_autofree char *resolved = hw_emby_resolve_server_url (stream->base_url,
                                                              source->direct_stream_url);

      return hw_emby_url_with_token (resolved, stream->token, stream->product);
    }

  path = video_path (stream->item_id, "stream");
  /* Jellyfin's query names are camelCase (both servers match them
   * without regard to case, but its document spells them so). */
  if (stream->product == HW_SERVER_PRODUCT_JELLYFIN)
    return hw_emby_build_url (stream->base_url, path,
                              "static", "true",
                              "mediaSourceId", source->id,
                              "playSessionId", stream->play_session_id,
                              "deviceId", stream->device_id,
                              "ApiKey", stream->token,
                              NULL);
  return hw_emby_build_url (stream->base_url, path,
                            "Static", "true",
                            "MediaSourceId", source->id,
                            "PlaySessionId", stream->play_session_id,
                            "DeviceId", stream->device_id,
                            "api_key", stream->token,
                            NULL);
}

char *
hw_emby_transcode_url (const HwEmbyStreamContext *stream,
                       const HwEmbyMediaSource   *source)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (stream != NULL && stream->base_url != NULL && stream->item_id != NULL,
                        NULL);
  g_return_val_if_fail (source != NULL, NULL);

  if (source->transcoding_url != NULL)
    {
      g_autofree char *resolved = hw_emby_resolve_server_url (stream->base_url,
                                                              source->transcoding_url);

      return hw_emby_url_with_token (resolved, stream->token, stream->product);
    }
  if (!source->supports_transcoding)
    return NULL;

  path = video_path (stream->item_id, "master.m3u8");
  if (stream->product == HW_SERVER_PRODUCT_JELLYFIN)
    return hw_emby_build_url (stream->base_url, path,
                              "mediaSourceId", source->id,
                              "deviceId", stream->device_id,
                              "playSessionId", stream->play_session_id,
                              "videoCodec", "h264",
                              "audioCodec", "aac",
                              "segmentContainer", "ts",
                              "ApiKey", stream->token,
                              NULL);
  return hw_emby_build_url (stream->base_url, path,
                            "MediaSourceId", source->id,
                            "DeviceId", stream->device_id,
                            "PlaySessionId", stream->play_session_id,
                            "VideoCodec", "h264",
                            "AudioCodec", "aac",
                            "SegmentContainer", "ts",
                            "api_key", stream->token,
                            NULL);
}

/* A source that cannot be sent as it is (no direct support, a .strm or a
 * remote URL behind it: the server may only be able to transcode it)
 * plays through the transcode, when there is one. */
static gboolean
plays_transcoded (const HwEmbyMediaSource *source)
{
  gboolean remote
      = g_strcmp0 (source->protocol, "Http") == 0 || g_strcmp0 (source->container, "strm") == 0;
  gboolean can_transcode = source->transcoding_url != NULL || source->supports_transcoding;

  return can_transcode
         && (remote || !(source->supports_direct_stream || source->supports_direct_play));
}

void
hw_emby_stream_urls (const HwEmbyStreamContext  *stream,
                     const HwEmbyMediaSource    *source,
                     char                      **direct,
                     char                      **fallback)
{
  g_autofree char *transcode = NULL;

  g_return_if_fail (source != NULL && direct != NULL && fallback != NULL);

  transcode = hw_emby_transcode_url (stream, source);
  if (plays_transcoded (source) && transcode != NULL)
    *direct = g_steal_pointer (&transcode);
  else
    *direct = hw_emby_direct_stream_url (stream, source);
  *fallback = g_steal_pointer (&transcode);
}

gboolean
hw_emby_url_carries_token (const char *url,
                           const char *token)
{
  g_autofree char *escaped = NULL;

  if (url == NULL || token == NULL)
    return FALSE;

  escaped = g_uri_escape_string (token, NULL, FALSE);
  return strstr (url, escaped) != NULL;
}

const char *
hw_emby_url_path_under_base (const char *base,
                             const char *url)
{
  gsize len;

  if (base == NULL || url == NULL || !g_str_has_prefix (url, base))
    return NULL;

  len = strlen (base);
  return url[len] == '/' ? url + len : NULL;
}

/* ------------------------------------------------------------------ */
/* Request bodies and paths                                            */

char *
hw_emby_sign_in_body (const char *username,
                      const char *password)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Username");
  json_builder_add_string_value (builder, username);
  json_builder_set_member_name (builder, "Pw");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

const char *
hw_emby_report_path (HwEmbyReport report)
{
  switch (report)
    {
    case HW_EMBY_REPORT_STARTED:
      return "/Sessions/Playing";
    case HW_EMBY_REPORT_PROGRESS:
      return "/Sessions/Playing/Progress";
    case HW_EMBY_REPORT_STOPPED:
    default:
      return "/Sessions/Playing/Stopped";
    }
}

HwEmbyPlayMethod
hw_emby_play_method (const HwEmbyMediaSource *source, gboolean fallback)
{
  g_return_val_if_fail (source != NULL, HW_EMBY_PLAY_DIRECT_STREAM);

  if (fallback || plays_transcoded (source))
    return HW_EMBY_PLAY_TRANSCODE;
  /* A static stream is the file as it is; a server-given URL may remux. */
  if (source->direct_stream_url == NULL && source->supports_direct_play)
    return HW_EMBY_PLAY_DIRECT_PLAY;
  return HW_EMBY_PLAY_DIRECT_STREAM;
}

const char *
hw_emby_play_method_name (HwEmbyPlayMethod method)
{
  switch (method)
    {
    case HW_EMBY_PLAY_DIRECT_PLAY:
      return "DirectPlay";
    case HW_EMBY_PLAY_TRANSCODE:
      return "Transcode";
    case HW_EMBY_PLAY_DIRECT_STREAM:
    default:
      return "DirectStream";
    }
}

char *
hw_emby_report_body (const char *item_id,
                     const char *media_source_id,
                     const char *play_session_id,
                     double      position)
{
  const HwEmbyPlayState state = {
    .item_id = item_id,
    .media_source_id = media_source_id,
    .play_session_id = play_session_id,
    .position = position,
    .muted = TRUE,
    .play_method = HW_EMBY_PLAY_DIRECT_STREAM,
  };

  return hw_emby_report_body_state (&state);
}

char *
hw_emby_report_body_state (const HwEmbyPlayState *state)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (state != NULL && state->item_id != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ItemId");
  json_builder_add_string_value (builder, state->item_id);
  json_builder_set_member_name (builder, "MediaSourceId");
  json_builder_add_string_value (builder, state->media_source_id);
  json_builder_set_member_name (builder, "PlaySessionId");
  json_builder_add_string_value (builder, state->play_session_id);
  json_builder_set_member_name (builder, "PositionTicks");
  json_builder_add_int_value (builder, hw_emby_seconds_to_ticks (state->position));
  if (state->stopped)
    {
      /* PlaybackStopInfo, in both servers' documents, ends here. */
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      return json_to_string (root, FALSE);
    }
  json_builder_set_member_name (builder, "CanSeek");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "IsPaused");
  json_builder_add_boolean_value (builder, state->paused);
  json_builder_set_member_name (builder, "IsMuted");
  json_builder_add_boolean_value (builder, state->muted);
  json_builder_set_member_name (builder, "PlayMethod");
  json_builder_add_string_value (builder, hw_emby_play_method_name (state->play_method));
  if (state->event_name != NULL && state->product != HW_SERVER_PRODUCT_JELLYFIN)
    {
      json_builder_set_member_name (builder, "EventName");
      json_builder_add_string_value (builder, state->event_name);
    }
  if (state->repeat_mode != NULL)
    {
      json_builder_set_member_name (builder, "RepeatMode");
      json_builder_add_string_value (builder, state->repeat_mode);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

char *
hw_emby_stop_transcode_path (const char *device_id,
                             const char *play_session_id)
{
  return hw_emby_build_url ("", "/Videos/ActiveEncodings",
                            "DeviceId", device_id,
                            "PlaySessionId", play_session_id,
                            NULL);
}
