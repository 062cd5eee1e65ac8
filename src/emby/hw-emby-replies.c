/* hw-emby-replies.c: reading what an Emby server answers.
 *
 * Liberal on purpose: field names in any case, ids as strings or numbers,
 * absent flags taken as the common case. Every failure names the endpoint
 * so the log says which reply was wrong.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "hw-emby-protocol.h"
#include "hw-json-guard.h"
/* ------------------------------------------------------------------ */
/* Freeing                                                             */

void
hw_emby_auth_free (HwEmbyAuth *auth)
{
  if (auth == NULL)
    return;
  g_free (auth->access_token);
  g_free (auth->user_id);
  g_free (auth->user_name);
  g_free (auth->server_id);
  g_free (auth);
}

void
hw_emby_view_free (HwEmbyView *view)
{
  if (view == NULL)
    return;
  g_free (view->id);
  g_free (view->name);
  g_free (view->collection_type);
  g_free (view);
}

void
hw_emby_item_free (HwEmbyItem *item)
{
  if (item == NULL)
    return;
  g_free (item->id);
  g_free (item->name);
  g_free (item->type);
  g_free (item->series_name);
  g_free (item->date_modified);
  g_free (item);
}

HwEmbyItem *
hw_emby_item_copy (const HwEmbyItem *item)
{
  HwEmbyItem *copy = g_new0 (HwEmbyItem, 1);

  copy->id = g_strdup (item->id);
  copy->name = g_strdup (item->name);
  copy->type = g_strdup (item->type);
  copy->series_name = g_strdup (item->series_name);
  copy->is_folder = item->is_folder;
  copy->run_time_ticks = item->run_time_ticks;
  copy->date_modified = g_strdup (item->date_modified);
  copy->can_download = item->can_download;
  return copy;
}

HwEmbyMediaSource *
hw_emby_media_source_copy (const HwEmbyMediaSource *source)
{
  HwEmbyMediaSource *copy = g_new0 (HwEmbyMediaSource, 1);

  *copy = *source;
  copy->id = g_strdup (source->id);
  copy->container = g_strdup (source->container);
  copy->protocol = g_strdup (source->protocol);
  copy->direct_stream_url = g_strdup (source->direct_stream_url);
  copy->transcoding_url = g_strdup (source->transcoding_url);
  return copy;
}

void
hw_emby_media_source_free (HwEmbyMediaSource *source)
{
  if (source == NULL)
    return;
  g_free (source->id);
  g_free (source->container);
  g_free (source->protocol);
  g_free (source->direct_stream_url);
  g_free (source->transcoding_url);
  g_free (source);
}

void
hw_emby_playback_info_free (HwEmbyPlaybackInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->play_session_id);
  g_free (info->error_code);
  g_clear_pointer (&info->media_sources, g_ptr_array_unref);
  g_free (info);
}

void
hw_emby_server_info_free (HwEmbyServerInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->server_name);
  g_free (info->version);
  g_free (info->id);
  g_free (info);
}

/* ------------------------------------------------------------------ */
/* JSON helpers                                                        */

static gboolean
looks_like_html (const char *data,
                 gsize       length)
{
  gsize i = 0;

  while (i < length && g_ascii_isspace (data[i]))
    i++;
  return i < length && data[i] == '<';
}

/* The root object of @data, or NULL with a precise error. */
static JsonNode *
parse_root_object (const char  *data,
                   gssize       length,
                   const char  *what,
                   GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  HwJsonGuardResult guard;
  JsonNode *root;
  gsize len;

  if (data == NULL)
    data = "";
  len = length < 0 ? strlen (data) : (gsize) length;

  if (looks_like_html (data, len))
    {
      g_set_error (error, HW_EMBY_ERROR, HW_EMBY_ERROR_HTML,
                   "%s: the server sent an HTML page instead of JSON (a proxy error page?)", what);
      return NULL;
    }
  if (len == 0)
    {
      g_set_error (error, HW_EMBY_ERROR, HW_EMBY_ERROR_MALFORMED, "%s: the reply is empty", what);
      return NULL;
    }
  /* Before json-glib, whose recursion a deeply nested reply would run off
   * the end of the stack. */
  guard = hw_json_guard_check (data, len, HW_JSON_MAX_DEPTH);
  if (guard != HW_JSON_GUARD_OK)
    {
      g_set_error (error, HW_EMBY_ERROR, HW_EMBY_ERROR_MALFORMED,
                   "%s: the reply is not usable JSON (%s)", what, hw_json_guard_describe (guard));
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, len, &local_error))
    {
      g_set_error (error, HW_EMBY_ERROR, HW_EMBY_ERROR_MALFORMED,
                   "%s: the reply is not valid JSON: %s", what, local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, HW_EMBY_ERROR, HW_EMBY_ERROR_WRONG_TYPE,
                   "%s: the reply is not a JSON object", what);
      return NULL;
    }

  return json_node_ref (root);
}

/* Member @name, compared without case (the contract says PascalCase, but
 * be liberal). */
static JsonNode *
get_member (JsonObject *object,
            const char *name)
{
  JsonObjectIter iter;
  const char *member;
  JsonNode *node;

  node = json_object_get_member (object, name);
  if (node != NULL)
    return node;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &member, &node))
    if (g_ascii_strcasecmp (member, name) == 0)
      return node;

  return NULL;
}

/* A string or a number as a string; NULL for anything else or null. */
static char *
dup_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    default:
      return NULL;
    }
}

static gint64
get_int_member (JsonObject *object,
                const char *name)
{
  JsonNode *node = get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return json_node_get_int (node);
    case G_TYPE_DOUBLE:
      {
        double d = json_node_get_double (node);

        /* Out of range (or NaN), a cast is undefined: a number no server
         * sends for a count or a time is no number at all. */
        if (!(d > -9.2e18 && d < 9.2e18))
          return 0;
        return (gint64) d;
      }
    case G_TYPE_STRING:
      return g_ascii_strtoll (json_node_get_string (node), NULL, 10);
    default:
      return 0;
    }
}

static gboolean
get_bool_member (JsonObject *object,
                 const char *name,
                 gboolean    fallback)
{
  JsonNode *node = get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fallback;
  return json_node_get_boolean (node);
}

static char *
require_string (JsonObject  *object,
                const char  *name,
                const char  *what,
                GError     **error)
{
  JsonNode *node = get_member (object, name);
  char *value;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      g_set_error (error, HW_EMBY_ERROR, HW_EMBY_ERROR_MISSING_FIELD,
                   "%s: the reply has no “%s”", what, name);
      return NULL;
    }

  value = dup_string_member (object, name);
  if (value == NULL || *value == '\0')
    {
      g_free (value);
      g_set_error (error, HW_EMBY_ERROR, HW_EMBY_ERROR_WRONG_TYPE,
                   "%s: “%s” is not a non-empty string", what, name);
      return NULL;
    }

  return value;
}

/* Member @name as an array; NULL with an error when missing or not one. */
static JsonArray *
require_array (JsonObject  *object,
               const char  *name,
               const char  *what,
               GError     **error)
{
  JsonNode *node = get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      g_set_error (error, HW_EMBY_ERROR, HW_EMBY_ERROR_MISSING_FIELD,
                   "%s: the reply has no “%s”", what, name);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, HW_EMBY_ERROR, HW_EMBY_ERROR_WRONG_TYPE,
                   "%s: “%s” is not an array", what, name);
      return NULL;
    }

  return json_node_get_array (node);
}

/* ------------------------------------------------------------------ */
/* Replies                                                             */

HwEmbyAuth *
hw_emby_parse_auth (const char  *data,
                    gssize       length,
                    GError     **error)
{
  const char *what = "AuthenticateByName";
  g_autoptr(JsonNode) root = parse_root_object (data, length, what, error);
  g_autoptr(HwEmbyAuth) auth = NULL;
  JsonObject *object;
  JsonNode *user;

  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);

  auth = g_new0 (HwEmbyAuth, 1);
  auth->access_token = require_string (object, "AccessToken", what, error);
  if (auth->access_token == NULL)
    return NULL;

  user = get_member (object, "User");
  if (user == NULL || JSON_NODE_HOLDS_NULL (user))
    {
      g_set_error (error, HW_EMBY_ERROR, HW_EMBY_ERROR_MISSING_FIELD, "%s: the reply has no “User”", what);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (user))
    {
      g_set_error (error, HW_EMBY_ERROR, HW_EMBY_ERROR_WRONG_TYPE, "%s: “User” is not an object", what);
      return NULL;
    }

  auth->user_id = require_string (json_node_get_object (user), "Id", what, error);
  if (auth->user_id == NULL)
    return NULL;
  auth->user_name = dup_string_member (json_node_get_object (user), "Name");
  auth->server_id = dup_string_member (object, "ServerId");

  return g_steal_pointer (&auth);
}

HwEmbyServerInfo *
hw_emby_parse_server_info (const char  *data,
                           gssize       length,
                           GError     **error)
{
  g_autoptr(JsonNode) root = parse_root_object (data, length, "System/Info/Public", error);
  g_autofree char *product = NULL;
  g_autofree char *product_lower = NULL;
  HwEmbyServerInfo *info;
  JsonObject *object;

  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);

  info = g_new0 (HwEmbyServerInfo, 1);
  info->server_name = dup_string_member (object, "ServerName");
  info->version = dup_string_member (object, "Version");
  info->id = dup_string_member (object, "Id");
  product = dup_string_member (object, "ProductName");
  if (product != NULL)
    product_lower = g_ascii_strdown (product, -1);
  /* "Jellyfin Server" today; any Jellyfin-named product is one. */
  info->product = product_lower != NULL && strstr (product_lower, "jellyfin") != NULL
                  ? HW_SERVER_PRODUCT_JELLYFIN : HW_SERVER_PRODUCT_EMBY;
  return info;
}

GPtrArray *
hw_emby_parse_views (const char  *data,
                     gssize       length,
                     GError     **error)
{
  const char *what = "Views";
  g_autoptr(JsonNode) root = parse_root_object (data, length, what, error);
  g_autoptr(GPtrArray) views = NULL;
  JsonArray *items;

  if (root == NULL)
    return NULL;
  items = require_array (json_node_get_object (root), "Items", what, error);
  if (items == NULL)
    return NULL;

  views = g_ptr_array_new_with_free_func ((GDestroyNotify) hw_emby_view_free);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      JsonObject *object;
      HwEmbyView *view;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      object = json_node_get_object (node);

      view = g_new0 (HwEmbyView, 1);
      view->id = dup_string_member (object, "Id");
      view->name = dup_string_member (object, "Name");
      view->collection_type = dup_string_member (object, "CollectionType");
      if (view->id == NULL)
        {
          hw_emby_view_free (view);
          continue;
        }
      if (view->name == NULL)
        view->name = g_strdup (view->id);
      g_ptr_array_add (views, view);
    }

  return g_steal_pointer (&views);
}

GPtrArray *
hw_emby_parse_items (const char  *data,
                     gssize       length,
                     GError     **error)
{
  const char *what = "Items";
  g_autoptr(JsonNode) root = parse_root_object (data, length, what, error);
  g_autoptr(GPtrArray) result = NULL;
  JsonArray *items;

  if (root == NULL)
    return NULL;
  items = require_array (json_node_get_object (root), "Items", what, error);
  if (items == NULL)
    return NULL;

  result = g_ptr_array_new_with_free_func ((GDestroyNotify) hw_emby_item_free);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      JsonObject *object;
      HwEmbyItem *item;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      object = json_node_get_object (node);

      item = g_new0 (HwEmbyItem, 1);
      item->id = dup_string_member (object, "Id");
      if (item->id == NULL || *item->id == '\0')
        {
          hw_emby_item_free (item);
          continue;
        }
      item->name = dup_string_member (object, "Name");
      if (item->name == NULL)
        item->name = g_strdup (item->id);
      item->type = dup_string_member (object, "Type");
      item->series_name = dup_string_member (object, "SeriesName");
      item->is_folder = get_bool_member (object, "IsFolder", FALSE);
      item->run_time_ticks = MAX (0, get_int_member (object, "RunTimeTicks"));
      item->date_modified = dup_string_member (object, "DateModified");
      item->can_download = get_bool_member (object, "CanDownload", FALSE);
      g_ptr_array_add (result, item);
    }

  return g_steal_pointer (&result);
}

static HwEmbyMediaSource *
parse_media_source (JsonObject *object)
{
  HwEmbyMediaSource *source = g_new0 (HwEmbyMediaSource, 1);

  source->id = dup_string_member (object, "Id");
  source->container = dup_string_member (object, "Container");
  source->protocol = dup_string_member (object, "Protocol");
  source->run_time_ticks = MAX (0, get_int_member (object, "RunTimeTicks"));
  /* Absent flags: assume the common case, the server says so when not. */
  source->supports_direct_play = get_bool_member (object, "SupportsDirectPlay", TRUE);
  source->supports_direct_stream = get_bool_member (object, "SupportsDirectStream", TRUE);
  source->supports_transcoding = get_bool_member (object, "SupportsTranscoding", TRUE);
  source->direct_stream_url = dup_string_member (object, "DirectStreamUrl");
  source->transcoding_url = dup_string_member (object, "TranscodingUrl");
  source->size = MAX (0, get_int_member (object, "Size"));
  return source;
}

HwEmbyPlaybackInfo *
hw_emby_parse_playback_info (const char  *data,
                             gssize       length,
                             GError     **error)
{
  const char *what = "PlaybackInfo";
  g_autoptr(JsonNode) root = parse_root_object (data, length, what, error);
  g_autoptr(HwEmbyPlaybackInfo) info = NULL;
  JsonObject *object;
  JsonArray *sources;

  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);

  info = g_new0 (HwEmbyPlaybackInfo, 1);
  info->media_sources = g_ptr_array_new_with_free_func ((GDestroyNotify) hw_emby_media_source_free);
  info->play_session_id = dup_string_member (object, "PlaySessionId");
  info->error_code = dup_string_member (object, "ErrorCode");
  if (info->error_code != NULL && *info->error_code == '\0')
    g_clear_pointer (&info->error_code, g_free);

  /* A refusal needs no sources. */
  if (info->error_code != NULL)
    return g_steal_pointer (&info);

  sources = require_array (object, "MediaSources", what, error);
  if (sources == NULL)
    return NULL;

  for (guint i = 0; i < json_array_get_length (sources); i++)
    {
      JsonNode *node = json_array_get_element (sources, i);
      HwEmbyMediaSource *source;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      source = parse_media_source (json_node_get_object (node));
      if (source->id == NULL)
        {
          hw_emby_media_source_free (source);
          continue;
        }
      g_ptr_array_add (info->media_sources, source);
    }

  if (info->media_sources->len == 0)
    {
      g_set_error (error, HW_EMBY_ERROR, HW_EMBY_ERROR_MISSING_FIELD,
                   "%s: the reply lists no usable media source", what);
      return NULL;
    }

  return g_steal_pointer (&info);
}

gboolean
hw_emby_view_is_video (const HwEmbyView *view)
{
  static const char * const video_types[] = { "movies", "tvshows", "homevideos", "musicvideos", NULL };
  const char *type = view->collection_type;

  if (type == NULL || *type == '\0')
    return TRUE;

  for (guint i = 0; video_types[i] != NULL; i++)
    if (g_ascii_strcasecmp (type, video_types[i]) == 0)
      return TRUE;
  return FALSE;
}
