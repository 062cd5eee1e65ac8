/* hw-emby-protocol.c: the Emby contract as pure functions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include <string.h>

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
      g_set_error (error, HW_EMBY_ERROR, HW_EMBY_ERROR_INVALID_URL, "No server URL is configured");
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
                   "“%s” is not an http or https server address", trimmed);
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
  gboolean first = TRUE;
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

static gboolean
url_has_api_key (const char *url)
{
  const char *query = strchr (url, '?');
  g_auto(GStrv) pairs = NULL;

  if (query == NULL)
    return FALSE;

  pairs = g_strsplit (query + 1, "&", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    if (g_ascii_strncasecmp (pairs[i], "api_key=", 8) == 0)
      return TRUE;
  return FALSE;
}

char *
hw_emby_url_with_api_key (const char *url,
                          const char *token)
{
  GString *out;
  gboolean first;

  if (url == NULL)
    return NULL;
  if (token == NULL || url_has_api_key (url))
    return g_strdup (url);

  out = g_string_new (url);
  first = strchr (url, '?') == NULL;
  append_query_pair (out, &first, "api_key", token);
  return g_string_free (out, FALSE);
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
  g_free (item);
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
      return (gint64) json_node_get_double (node);
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
  HwEmbyServerInfo *info;
  JsonObject *object;

  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);

  info = g_new0 (HwEmbyServerInfo, 1);
  info->server_name = dup_string_member (object, "ServerName");
  info->version = dup_string_member (object, "Version");
  info->id = dup_string_member (object, "Id");
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
