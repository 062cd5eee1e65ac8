/* test-emby-protocol.c: URLs, the authorization header, stream URLs,
 * request bodies and reply parsing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "hw-emby-protocol.h"
#include "hw-emby-request.h"

/* ------------------------------------------------------------------ */
/* Base URLs                                                           */

typedef struct {
  const char *name;
  const char *input;
  const char *expected;      /* NULL: must fail with INVALID_URL */
} UrlCase;

static const UrlCase base_url_cases[] = {
  { "plain", "http://host:8096", "http://host:8096/emby" },
  { "trailing-slash", "http://host:8096/", "http://host:8096/emby" },
  { "many-trailing-slashes", "http://host:8096///", "http://host:8096/emby" },
  { "has-emby", "http://host:8096/emby", "http://host:8096/emby" },
  { "has-emby-slash", "http://host:8096/emby/", "http://host:8096/emby" },
  { "has-emby-upper", "http://host:8096/Emby", "http://host:8096/Emby" },
  { "mediabrowser", "https://host/mediabrowser", "https://host/mediabrowser" },
  { "prefix", "https://proxy.example/media/", "https://proxy.example/media/emby" },
  { "prefix-with-emby", "https://proxy.example/media/emby", "https://proxy.example/media/emby" },
  { "deep-prefix", "http://h:81/a/b/c", "http://h:81/a/b/c/emby" },
  { "emby-inside-prefix", "http://h/emby/x", "http://h/emby/x/emby" },
  { "https-default-port-kept", "https://host", "https://host/emby" },
  { "http-default-port-kept", "http://host:80/", "http://host:80/emby" },
  { "bare-host", "host", "http://host:8096/emby" },
  { "bare-host-port", "host:8920", "http://host:8920/emby" },
  { "bare-host-prefix", "host/jf/", "http://host:8096/jf/emby" },
  { "upper-scheme", "HTTP://host:8096", "http://host:8096/emby" },
  { "whitespace", "  http://host:8096  ", "http://host:8096/emby" },
  { "query-dropped", "http://host:8096/?x=1#frag", "http://host:8096/emby" },
  { "userinfo-dropped", "http://me:pw@host:8096", "http://host:8096/emby" },
  { "ipv6", "http://[::1]:8096", "http://[::1]:8096/emby" },
  { "empty", "", NULL },
  { "ftp", "ftp://host/", NULL },
  { "no-host", "http://", NULL },
};

static void
test_base_url (gconstpointer data)
{
  const UrlCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = hw_emby_normalize_base_url (c->input, &error);

  if (c->expected == NULL)
    {
      g_assert_error (error, HW_EMBY_ERROR, HW_EMBY_ERROR_INVALID_URL);
      g_assert_null (out);
    }
  else
    {
      g_assert_no_error (error);
      g_assert_cmpstr (out, ==, c->expected);
    }
}

static void
test_build_url (void)
{
  g_autofree char *a = hw_emby_build_url ("http://h/emby", "/Users/u1/Items",
                                          "ParentId", "12", "Skip", NULL,
                                          "Fields", "MediaSources,Path", NULL);
  g_autofree char *b = hw_emby_build_url ("http://h/emby", "System/Info/Public", NULL, NULL);
  g_autofree char *c = hw_emby_build_url ("http://h/emby", "/x", "q", "a b&c=d", NULL);

  g_assert_cmpstr (a, ==, "http://h/emby/Users/u1/Items?ParentId=12&Fields=MediaSources%2CPath");
  g_assert_cmpstr (b, ==, "http://h/emby/System/Info/Public");
  g_assert_cmpstr (c, ==, "http://h/emby/x?q=a%20b%26c%3Dd");
}

static const UrlCase resolve_cases[] = {
  { "leading-slash", "/videos/1/master.m3u8?a=1", "http://h:8096/emby/videos/1/master.m3u8?a=1" },
  { "no-leading-slash", "videos/1/master.m3u8", "http://h:8096/emby/videos/1/master.m3u8" },
  { "already-emby", "/emby/videos/1/stream", "http://h:8096/emby/videos/1/stream" },
  { "already-emby-upper", "/Emby/videos/1/stream", "http://h:8096/Emby/videos/1/stream" },
  { "embyish-not-root", "/embyx/videos", "http://h:8096/emby/embyx/videos" },
  { "absolute-elsewhere", "http://10.0.0.9:8096/videos/1/x?k=v", "http://h:8096/emby/videos/1/x?k=v" },
};

static void
test_resolve (gconstpointer data)
{
  const UrlCase *c = data;
  g_autofree char *out = hw_emby_resolve_server_url ("http://h:8096/emby", c->input);

  g_assert_cmpstr (out, ==, c->expected);
}

static void
test_resolve_prefix (void)
{
  g_autofree char *out = hw_emby_resolve_server_url ("https://p.example/media/emby", "videos/1/x");
  g_autofree char *dup = hw_emby_resolve_server_url ("https://p.example/media/emby", "/emby/videos/1/x");

  g_assert_cmpstr (out, ==, "https://p.example/media/emby/videos/1/x");
  g_assert_cmpstr (dup, ==, "https://p.example/media/emby/videos/1/x");
  g_assert_null (hw_emby_resolve_server_url ("http://h/emby", NULL));
}

static void
test_api_key (void)
{
  g_autofree char *added = hw_emby_url_with_api_key ("http://h/emby/v?x=1", "t0k");
  g_autofree char *first = hw_emby_url_with_api_key ("http://h/emby/v", "t0k");
  g_autofree char *kept = hw_emby_url_with_api_key ("http://h/emby/v?API_KEY=old", "t0k");
  g_autofree char *none = hw_emby_url_with_api_key ("http://h/emby/v", NULL);
  g_autofree char *middle = hw_emby_url_with_api_key ("http://h/emby/v?a=1&api_key=old&b=2", "t0k");
  g_autofree char *stripped = hw_emby_url_without_api_key ("http://h/emby/v?a=1&Api_Key=old&b=2");
  g_autofree char *only = hw_emby_url_without_api_key ("/Videos/1/stream?api_key=old");

  g_assert_cmpstr (added, ==, "http://h/emby/v?x=1&api_key=t0k");
  g_assert_cmpstr (first, ==, "http://h/emby/v?api_key=t0k");
  /* An older token is replaced, never kept. */
  g_assert_cmpstr (kept, ==, "http://h/emby/v?api_key=t0k");
  g_assert_cmpstr (middle, ==, "http://h/emby/v?a=1&b=2&api_key=t0k");
  g_assert_cmpstr (stripped, ==, "http://h/emby/v?a=1&b=2");
  g_assert_cmpstr (only, ==, "/Videos/1/stream");
  g_assert_cmpstr (none, ==, "http://h/emby/v");
}

/* Taken apart as a URI: a fragment stays after the query (the token never
 * lands in it, nor hides there), an escaped key is still the token's, and
 * a server-relative reference keeps its form. */
static void
test_api_key_uri (void)
{
  g_autofree char *fragment = hw_emby_url_with_api_key ("http://h/emby/v?a=1&api_key=old#t=5",
                                                        "t0k");
  g_autofree char *escaped = hw_emby_url_without_api_key ("http://h/v?api%5Fkey=old&b=2");
  g_autofree char *relative = hw_emby_url_with_api_key ("Videos/1/master.m3u8?api_key=old&x=%2F",
                                                        "t0k");
  g_autofree char *bare_fragment = hw_emby_url_without_api_key ("/v#api_key=stays-a-fragment");
  g_autofree char *port = hw_emby_url_with_api_key ("https://u@h:8920/emby/v", "t0k");

  g_assert_cmpstr (fragment, ==, "http://h/emby/v?a=1&api_key=t0k#t=5");
  g_assert_cmpstr (escaped, ==, "http://h/v?b=2");
  g_assert_cmpstr (relative, ==, "Videos/1/master.m3u8?x=%2F&api_key=t0k");
  g_assert_cmpstr (bare_fragment, ==, "/v#api_key=stays-a-fragment");
  g_assert_cmpstr (port, ==, "https://u@h:8920/emby/v?api_key=t0k");
}

/* ------------------------------------------------------------------ */
/* Header                                                              */

static void
test_header_signed_out (void)
{
  g_autofree char *h = hw_emby_authorization_header ("kiosk-1", "3f2a-id", "0.1.0", NULL);

  g_assert_cmpstr (h, ==,
                   "MediaBrowser Client=\"Hyperwall\", Device=\"kiosk-1\", "
                   "DeviceId=\"3f2a-id\", Version=\"0.1.0\"");
}

static void
test_header_signed_in (void)
{
  g_autofree char *h = hw_emby_authorization_header ("kiosk-1", "3f2a-id", "0.1.0", "abc");
  g_autofree char *empty = hw_emby_authorization_header ("kiosk-1", "3f2a-id", "0.1.0", "");

  g_assert_cmpstr (h, ==,
                   "MediaBrowser Client=\"Hyperwall\", Device=\"kiosk-1\", "
                   "DeviceId=\"3f2a-id\", Version=\"0.1.0\", Token=\"abc\"");
  g_assert_false (g_str_has_suffix (empty, "Token=\"\""));
}

static void
test_header_hostile_values (void)
{
  g_autofree char *h = hw_emby_authorization_header ("a\"b\nc", NULL, PACKAGE_VERSION, NULL);

  g_assert_cmpstr (h, ==,
                   "MediaBrowser Client=\"Hyperwall\", Device=\"a_b_c\", "
                   "DeviceId=\"\", Version=\"" PACKAGE_VERSION "\"");
}

/* ------------------------------------------------------------------ */
/* Stream URLs                                                         */

#define BASE "http://h:8096/emby"

/* An id with a space and a slash must stay one path segment; a token
 * with & and = must stay one query value. */
static const HwEmbyStreamContext signed_in = {
  .base_url = BASE,
  .item_id = "12 3/4",
  .play_session_id = "ps1",
  .device_id = "dev 1",
  .token = "t0k&=",
};

static HwEmbyMediaSource *
source_new (const char *id)
{
  HwEmbyMediaSource *source = g_new0 (HwEmbyMediaSource, 1);

  source->id = g_strdup (id);
  source->supports_direct_play = TRUE;
  source->supports_direct_stream = TRUE;
  source->supports_transcoding = TRUE;
  return source;
}

static void
test_stream_direct_built (void)
{
  g_autoptr(HwEmbyMediaSource) source = source_new ("ms 1");
  HwEmbyStreamContext no_session = signed_in;
  g_autofree char *url = hw_emby_direct_stream_url (&signed_in, source);
  g_autofree char *without = NULL;

  g_assert_cmpstr (url, ==,
                   BASE "/Videos/12%203%2F4/stream?Static=true&MediaSourceId=ms%201"
                   "&PlaySessionId=ps1&DeviceId=dev%201&api_key=t0k%26%3D");

  no_session.play_session_id = NULL;
  without = hw_emby_direct_stream_url (&no_session, source);
  g_assert_cmpstr (without, ==,
                   BASE "/Videos/12%203%2F4/stream?Static=true&MediaSourceId=ms%201"
                   "&DeviceId=dev%201&api_key=t0k%26%3D");
}

static void
test_stream_direct_from_server (void)
{
  g_autoptr(HwEmbyMediaSource) source = source_new ("ms1");
  g_autoptr(HwEmbyMediaSource) keyed = source_new ("ms1");
  g_autofree char *url = NULL;
  g_autofree char *kept = NULL;

  /* Server-relative, without /emby and without a leading slash. */
  source->direct_stream_url = g_strdup ("videos/9/stream.mkv?Static=true&MediaSourceId=ms1");
  url = hw_emby_direct_stream_url (&signed_in, source);
  g_assert_cmpstr (url, ==,
                   BASE "/videos/9/stream.mkv?Static=true&MediaSourceId=ms1&api_key=t0k%26%3D");

  /* The server's api_key is the token PlaybackInfo was asked with, maybe
   * an older one: replaced by the current token, never doubled. */
  keyed->direct_stream_url = g_strdup ("/videos/9/stream?api_key=srv");
  kept = hw_emby_direct_stream_url (&signed_in, keyed);
  g_assert_cmpstr (kept, ==, BASE "/videos/9/stream?api_key=t0k%26%3D");
}

static void
test_stream_transcode (void)
{
  g_autoptr(HwEmbyMediaSource) source = source_new ("ms1");
  g_autoptr(HwEmbyMediaSource) server = source_new ("ms1");
  g_autoptr(HwEmbyMediaSource) never = source_new ("ms1");
  g_autofree char *built = hw_emby_transcode_url (&signed_in, source);
  g_autofree char *given = NULL;

  g_assert_cmpstr (built, ==,
                   BASE "/Videos/12%203%2F4/master.m3u8?MediaSourceId=ms1&DeviceId=dev%201"
                   "&PlaySessionId=ps1&VideoCodec=h264&AudioCodec=aac&SegmentContainer=ts"
                   "&api_key=t0k%26%3D");

  server->transcoding_url = g_strdup ("/videos/1/master.m3u8?x=1");
  given = hw_emby_transcode_url (&signed_in, server);
  g_assert_cmpstr (given, ==, BASE "/videos/1/master.m3u8?x=1&api_key=t0k%26%3D");

  never->supports_transcoding = FALSE;
  g_assert_null (hw_emby_transcode_url (&signed_in, never));
}

static void
test_stream_signed_out (void)
{
  g_autoptr(HwEmbyMediaSource) source = source_new ("ms1");
  HwEmbyStreamContext no_token = signed_in;
  g_autofree char *direct = NULL;
  g_autofree char *transcode = NULL;

  no_token.token = NULL;
  direct = hw_emby_direct_stream_url (&no_token, source);
  transcode = hw_emby_transcode_url (&no_token, source);
  g_assert_null (strstr (direct, "api_key"));
  g_assert_null (strstr (transcode, "api_key"));
}

typedef struct {
  const char *name;
  gboolean    direct_stream;
  gboolean    direct_play;
  gboolean    transcoding;
  const char *container;
  const char *protocol;
  const char *direct;        /* "stream" or "m3u8" */
  const char *fallback;      /* "m3u8" or NULL */
} StreamChoice;

static const StreamChoice stream_choices[] = {
  { "direct-then-transcode", TRUE, TRUE, TRUE, "mkv", "File", "stream", "m3u8" },
  { "direct-play-only", FALSE, TRUE, TRUE, "mkv", "File", "stream", "m3u8" },
  { "direct-no-transcode", TRUE, TRUE, FALSE, "mkv", "File", "stream", NULL },
  { "transcode-only", FALSE, FALSE, TRUE, "mkv", "File", "m3u8", NULL },
  { "strm", TRUE, TRUE, TRUE, "strm", "File", "m3u8", NULL },
  { "remote", TRUE, TRUE, TRUE, "mp4", "Http", "m3u8", NULL },
  { "strm-no-transcode", TRUE, TRUE, FALSE, "strm", "File", "stream", NULL },
  { "nothing-offered", FALSE, FALSE, FALSE, "mkv", "File", "stream", NULL },
};

static void
test_stream_choice (gconstpointer data)
{
  const StreamChoice *c = data;
  g_autoptr(HwEmbyMediaSource) source = source_new ("ms1");
  g_autofree char *direct = NULL;
  g_autofree char *fallback = NULL;

  source->supports_direct_stream = c->direct_stream;
  source->supports_direct_play = c->direct_play;
  source->supports_transcoding = c->transcoding;
  source->container = g_strdup (c->container);
  source->protocol = g_strdup (c->protocol);

  hw_emby_stream_urls (&signed_in, source, &direct, &fallback);

  g_assert_nonnull (direct);
  g_assert_true (strstr (direct, c->direct) != NULL);
  if (c->fallback == NULL)
    g_assert_null (fallback);
  else
    g_assert_true (strstr (fallback, c->fallback) != NULL);
}

/* PlayMethod follows the URL the cell plays: the same cases as above. */
static const struct
{
  const char      *name;
  gboolean         direct_stream, direct_play, transcoding;
  const char      *container, *protocol, *direct_stream_url;
  HwEmbyPlayMethod direct, fallback;
} play_methods[] = {
  { "static-direct-play", TRUE, TRUE, TRUE, "mkv", "File", NULL, HW_EMBY_PLAY_DIRECT_PLAY,
    HW_EMBY_PLAY_TRANSCODE },
  { "static-direct-stream-only", TRUE, FALSE, TRUE, "mkv", "File", NULL, HW_EMBY_PLAY_DIRECT_STREAM,
    HW_EMBY_PLAY_TRANSCODE },
  { "server-stream-url", TRUE, TRUE, TRUE, "mkv", "File", "/videos/1/stream.mkv?Static=false",
    HW_EMBY_PLAY_DIRECT_STREAM, HW_EMBY_PLAY_TRANSCODE },
  { "transcode-only", FALSE, FALSE, TRUE, "mkv", "File", NULL, HW_EMBY_PLAY_TRANSCODE,
    HW_EMBY_PLAY_TRANSCODE },
  { "strm", TRUE, TRUE, TRUE, "strm", "File", NULL, HW_EMBY_PLAY_TRANSCODE,
    HW_EMBY_PLAY_TRANSCODE },
  { "remote", TRUE, TRUE, TRUE, "mp4", "Http", NULL, HW_EMBY_PLAY_TRANSCODE,
    HW_EMBY_PLAY_TRANSCODE },
  { "strm-no-transcode", TRUE, TRUE, FALSE, "strm", "File", NULL, HW_EMBY_PLAY_DIRECT_PLAY,
    HW_EMBY_PLAY_TRANSCODE },
};

static void
test_play_method (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (play_methods); i++)
    {
      g_autoptr (HwEmbyMediaSource) source = source_new ("ms1");

      source->supports_direct_stream = play_methods[i].direct_stream;
      source->supports_direct_play = play_methods[i].direct_play;
      source->supports_transcoding = play_methods[i].transcoding;
      source->container = g_strdup (play_methods[i].container);
      source->protocol = g_strdup (play_methods[i].protocol);
      source->direct_stream_url = g_strdup (play_methods[i].direct_stream_url);
      g_test_message ("%s", play_methods[i].name);
      g_assert_cmpint (hw_emby_play_method (source, FALSE), ==, play_methods[i].direct);
      g_assert_cmpint (hw_emby_play_method (source, TRUE), ==, play_methods[i].fallback);
    }
  g_assert_cmpstr (hw_emby_play_method_name (HW_EMBY_PLAY_DIRECT_PLAY), ==, "DirectPlay");
  g_assert_cmpstr (hw_emby_play_method_name (HW_EMBY_PLAY_DIRECT_STREAM), ==, "DirectStream");
  g_assert_cmpstr (hw_emby_play_method_name (HW_EMBY_PLAY_TRANSCODE), ==, "Transcode");
}

static void
test_pick_source (void)
{
  g_autoptr(HwEmbyPlaybackInfo) info = g_new0 (HwEmbyPlaybackInfo, 1);
  HwEmbyMediaSource *first = source_new ("transcode-only");
  HwEmbyMediaSource *second = source_new ("direct");

  info->media_sources = g_ptr_array_new_with_free_func ((GDestroyNotify) hw_emby_media_source_free);
  first->supports_direct_play = FALSE;
  first->supports_direct_stream = FALSE;
  g_ptr_array_add (info->media_sources, first);
  g_ptr_array_add (info->media_sources, second);
  g_assert_true (hw_emby_pick_media_source (info) == second);

  second->supports_direct_play = FALSE;
  second->supports_direct_stream = FALSE;
  g_assert_true (hw_emby_pick_media_source (info) == first);
}

static void
test_item_title_duration (void)
{
  /* The struct owns its strings; these literals are never freed. */
  HwEmbyItem episode = { .id = (char *) "1", .name = (char *) "Pilot",
                         .series_name = (char *) "Show",
                         .run_time_ticks = G_GINT64_CONSTANT (14172790000) };
  HwEmbyItem movie = { .id = (char *) "2", .name = (char *) "Film" };
  g_autoptr(HwEmbyMediaSource) source = source_new ("ms1");
  g_autofree char *episode_title = hw_emby_item_title (&episode);
  g_autofree char *movie_title = hw_emby_item_title (&movie);

  g_assert_cmpstr (episode_title, ==, "Show — Pilot");
  g_assert_cmpstr (movie_title, ==, "Film");

  /* The source's ticks win; the item's only stand in for none. */
  g_assert_cmpfloat_with_epsilon (hw_emby_item_duration (&episode, source), 1417.279, 1e-9);
  source->run_time_ticks = 30000000;
  g_assert_cmpfloat_with_epsilon (hw_emby_item_duration (&episode, source), 3.0, 1e-9);
  g_assert_cmpfloat (hw_emby_item_duration (&movie, NULL), ==, 0.0);
}

static void
test_url_token_and_base (void)
{
  g_assert_true (hw_emby_url_carries_token (BASE "/x?api_key=t0k%26%3D", "t0k&="));
  g_assert_false (hw_emby_url_carries_token (BASE "/x?api_key=t0k%26%3D", "other"));
  g_assert_false (hw_emby_url_carries_token (BASE "/x", NULL));
  g_assert_false (hw_emby_url_carries_token (NULL, "t0k"));

  g_assert_cmpstr (hw_emby_url_path_under_base (BASE, BASE "/Videos/1/stream?a=1"), ==,
                   "/Videos/1/stream?a=1");
  g_assert_null (hw_emby_url_path_under_base (BASE, "http://h:8096/embyx/Videos/1"));
  g_assert_null (hw_emby_url_path_under_base (BASE, "http://elsewhere/emby/Videos/1"));
  g_assert_null (hw_emby_url_path_under_base (BASE, "/tmp/clip.mp4"));
  g_assert_null (hw_emby_url_path_under_base (NULL, BASE "/Videos/1"));
  g_assert_null (hw_emby_url_path_under_base (BASE, NULL));
}

/* ------------------------------------------------------------------ */
/* Request bodies                                                      */

static void
test_ticks (void)
{
  g_assert_cmpint (hw_emby_seconds_to_ticks (1.5), ==, 15000000);
  g_assert_cmpint (hw_emby_seconds_to_ticks (0.0), ==, 0);
  g_assert_cmpint (hw_emby_seconds_to_ticks (-3.0), ==, 0);
  g_assert_cmpint (hw_emby_seconds_to_ticks (NAN), ==, 0);
  g_assert_cmpint (hw_emby_seconds_to_ticks (1417.279), ==, G_GINT64_CONSTANT (14172790000));
  g_assert_cmpfloat_with_epsilon (hw_emby_ticks_to_seconds (G_GINT64_CONSTANT (14172790000)),
                                  1417.279, 1e-9);
}

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_report_body (void)
{
  g_autofree char *body = hw_emby_report_body ("61256", "ms1", "ps1", 12.5);
  g_autofree char *early = hw_emby_report_body ("61256", NULL, NULL, -0.2);
  g_autoptr(JsonObject) report = parse_object (body);
  g_autoptr(JsonObject) bare = parse_object (early);

  g_assert_cmpuint (json_object_get_size (report), ==, 8);
  g_assert_cmpstr (json_object_get_string_member (report, "ItemId"), ==, "61256");
  g_assert_cmpstr (json_object_get_string_member (report, "MediaSourceId"), ==, "ms1");
  g_assert_cmpstr (json_object_get_string_member (report, "PlaySessionId"), ==, "ps1");
  g_assert_cmpint (json_object_get_int_member (report, "PositionTicks"), ==, 125000000);
  g_assert_true (json_object_get_boolean_member (report, "CanSeek"));
  g_assert_false (json_object_get_boolean_member (report, "IsPaused"));
  g_assert_true (json_object_get_boolean_member (report, "IsMuted"));
  g_assert_cmpstr (json_object_get_string_member (report, "PlayMethod"), ==, "DirectStream");

  /* Without a session the fields stay, as null; a position before the
   * start is 0. */
  g_assert_true (json_object_get_null_member (bare, "MediaSourceId"));
  g_assert_true (json_object_get_null_member (bare, "PlaySessionId"));
  g_assert_cmpint (json_object_get_int_member (bare, "PositionTicks"), ==, 0);
}

/* The shown cell's state: paused, transcoded, with an event and its
 * repeat mode. */
static void
test_report_body_state (void)
{
  const HwEmbyPlayState state = {
    .item_id = "61256",
    .media_source_id = "ms1",
    .play_session_id = "ps1",
    .position = 3,
    .paused = TRUE,
    .muted = FALSE,
    .play_method = HW_EMBY_PLAY_TRANSCODE,
    .event_name = "Pause",
    .repeat_mode = "RepeatOne",
  };
  g_autofree char *body = hw_emby_report_body_state (&state);
  g_autoptr (JsonObject) report = parse_object (body);

  g_assert_cmpuint (json_object_get_size (report), ==, 10);
  g_assert_true (json_object_get_boolean_member (report, "IsPaused"));
  g_assert_false (json_object_get_boolean_member (report, "IsMuted"));
  g_assert_cmpstr (json_object_get_string_member (report, "PlayMethod"), ==, "Transcode");
  g_assert_cmpstr (json_object_get_string_member (report, "EventName"), ==, "Pause");
  g_assert_cmpstr (json_object_get_string_member (report, "RepeatMode"), ==, "RepeatOne");
}

static void
test_report_paths (void)
{
  g_assert_cmpstr (hw_emby_report_path (HW_EMBY_REPORT_STARTED), ==, "/Sessions/Playing");
  g_assert_cmpstr (hw_emby_report_path (HW_EMBY_REPORT_PROGRESS), ==, "/Sessions/Playing/Progress");
  g_assert_cmpstr (hw_emby_report_path (HW_EMBY_REPORT_STOPPED), ==, "/Sessions/Playing/Stopped");
}

static void
test_stop_transcode_path (void)
{
  g_autofree char *path = hw_emby_stop_transcode_path ("dev 1", "ps&1");
  g_autofree char *no_session = hw_emby_stop_transcode_path ("dev1", NULL);

  g_assert_cmpstr (path, ==, "/Videos/ActiveEncodings?DeviceId=dev%201&PlaySessionId=ps%261");
  g_assert_cmpstr (no_session, ==, "/Videos/ActiveEncodings?DeviceId=dev1");
}

static void
test_sign_in_body (void)
{
  g_autofree char *body = hw_emby_sign_in_body ("wall", "p\"w\\1");
  g_autoptr(JsonObject) object = parse_object (body);

  g_assert_cmpuint (json_object_get_size (object), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (object, "Username"), ==, "wall");
  g_assert_cmpstr (json_object_get_string_member (object, "Pw"), ==, "p\"w\\1");
}

/* ------------------------------------------------------------------ */
/* Replies                                                             */

typedef enum { AUTH, VIEWS, ITEMS, PLAYBACK } ReplyKind;

typedef struct {
  const char *name;
  ReplyKind   kind;
  const char *body;
  int         error;         /* -1: must parse */
} ReplyCase;

static const ReplyCase reply_cases[] = {
  { "auth/good", AUTH,
    "{\"AccessToken\":\"tok\",\"User\":{\"Id\":\"u1\",\"Name\":\"wall\"},\"ServerId\":\"s\"}", -1 },
  { "auth/lowercase-keys", AUTH, "{\"accesstoken\":\"tok\",\"user\":{\"id\":\"u1\"}}", -1 },
  { "auth/no-token", AUTH, "{\"User\":{\"Id\":\"u1\"}}", HW_EMBY_ERROR_MISSING_FIELD },
  { "auth/null-token", AUTH, "{\"AccessToken\":null,\"User\":{\"Id\":\"u1\"}}",
    HW_EMBY_ERROR_MISSING_FIELD },
  { "auth/empty-token", AUTH, "{\"AccessToken\":\"\",\"User\":{\"Id\":\"u1\"}}",
    HW_EMBY_ERROR_WRONG_TYPE },
  { "auth/token-object", AUTH, "{\"AccessToken\":{},\"User\":{\"Id\":\"u1\"}}",
    HW_EMBY_ERROR_WRONG_TYPE },
  { "auth/no-user", AUTH, "{\"AccessToken\":\"tok\"}", HW_EMBY_ERROR_MISSING_FIELD },
  { "auth/user-string", AUTH, "{\"AccessToken\":\"tok\",\"User\":\"u1\"}", HW_EMBY_ERROR_WRONG_TYPE },
  { "auth/no-user-id", AUTH, "{\"AccessToken\":\"tok\",\"User\":{}}", HW_EMBY_ERROR_MISSING_FIELD },
  { "auth/html", AUTH, "  <!DOCTYPE html><html>502</html>", HW_EMBY_ERROR_HTML },
  { "auth/truncated", AUTH, "{\"AccessToken\":\"to", HW_EMBY_ERROR_MALFORMED },
  { "auth/empty", AUTH, "", HW_EMBY_ERROR_MALFORMED },
  { "auth/array", AUTH, "[1,2]", HW_EMBY_ERROR_WRONG_TYPE },
  { "views/good", VIEWS,
    "{\"Items\":[{\"Id\":\"1\",\"Name\":\"Movies\",\"CollectionType\":\"movies\"},"
    "{\"Id\":\"2\",\"Name\":\"Music\",\"CollectionType\":\"music\"},{\"Id\":3}],"
    "\"TotalRecordCount\":3}", -1 },
  { "views/empty", VIEWS, "{\"Items\":[]}", -1 },
  { "views/no-items", VIEWS, "{\"TotalRecordCount\":3}", HW_EMBY_ERROR_MISSING_FIELD },
  { "views/items-object", VIEWS, "{\"Items\":{}}", HW_EMBY_ERROR_WRONG_TYPE },
  { "views/html", VIEWS, "<html><body>Bad gateway</body></html>", HW_EMBY_ERROR_HTML },
  { "items/good", ITEMS,
    "{\"Items\":[{\"Id\":\"61256\",\"Name\":\"Pilot\",\"Type\":\"Episode\",\"SeriesName\":\"S\","
    "\"IsFolder\":false,\"RunTimeTicks\":14172790000},{\"Name\":\"no id\"},"
    "{\"Id\":7,\"RunTimeTicks\":\"oops\"},\"junk\"]}", -1 },
  { "items/no-items", ITEMS, "{}", HW_EMBY_ERROR_MISSING_FIELD },
  { "items/null-items", ITEMS, "{\"Items\":null}", HW_EMBY_ERROR_MISSING_FIELD },
  { "items/items-string", ITEMS, "{\"Items\":\"x\"}", HW_EMBY_ERROR_WRONG_TYPE },
  { "items/garbage", ITEMS, "not json at all", HW_EMBY_ERROR_MALFORMED },
  { "playback/good", PLAYBACK,
    "{\"MediaSources\":[{\"Id\":\"ms1\",\"Container\":\"mkv\",\"RunTimeTicks\":30000000,"
    "\"SupportsDirectStream\":true,\"TranscodingUrl\":\"videos/1/master.m3u8?x=1\"}],"
    "\"PlaySessionId\":\"ps1\"}", -1 },
  { "playback/error-code", PLAYBACK, "{\"ErrorCode\":\"NotAllowed\"}", -1 },
  { "playback/no-sources", PLAYBACK, "{\"PlaySessionId\":\"ps1\"}", HW_EMBY_ERROR_MISSING_FIELD },
  { "playback/empty-sources", PLAYBACK, "{\"MediaSources\":[]}", HW_EMBY_ERROR_MISSING_FIELD },
  { "playback/sources-without-id", PLAYBACK, "{\"MediaSources\":[{\"Container\":\"mkv\"}]}",
    HW_EMBY_ERROR_MISSING_FIELD },
  { "playback/sources-number", PLAYBACK, "{\"MediaSources\":5}", HW_EMBY_ERROR_WRONG_TYPE },
  { "playback/html", PLAYBACK, "\n<html>", HW_EMBY_ERROR_HTML },
};

static void
test_reply (gconstpointer data)
{
  const ReplyCase *c = data;
  g_autoptr(GError) error = NULL;
  gpointer result = NULL;

  switch (c->kind)
    {
    case AUTH:
      result = hw_emby_parse_auth (c->body, -1, &error);
      g_clear_pointer ((HwEmbyAuth **) &result, hw_emby_auth_free);
      break;
    case VIEWS:
      result = hw_emby_parse_views (c->body, -1, &error);
      g_clear_pointer ((GPtrArray **) &result, g_ptr_array_unref);
      break;
    case ITEMS:
      result = hw_emby_parse_items (c->body, -1, &error);
      g_clear_pointer ((GPtrArray **) &result, g_ptr_array_unref);
      break;
    case PLAYBACK:
      result = hw_emby_parse_playback_info (c->body, -1, &error);
      g_clear_pointer ((HwEmbyPlaybackInfo **) &result, hw_emby_playback_info_free);
      break;
    default:
      g_assert_not_reached ();
    }

  if (c->error < 0)
    g_assert_no_error (error);
  else
    {
      g_assert_error (error, HW_EMBY_ERROR, c->error);
      /* Every message names the endpoint, for the operator's log. */
      g_assert_true (strstr (error->message, ":") != NULL);
    }
}

/* A reply nested deeper than json-glib's recursion can go on the stack (a
 * hostile server, or anything else at the address): every parser refuses
 * it as malformed, before json-glib sees it. */
static void
test_reply_deep_nesting (void)
{
  static const char *const prefixes[] = {
    "",
    "{\"Items\":",
    "{\"Name\":'\"',\"Items\":",
    "/*]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]*/{\"Items\":",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      g_autoptr (GString) body = g_string_new (prefixes[i]);
      g_autoptr (GError) e1 = NULL;
      g_autoptr (GError) e2 = NULL;
      g_autoptr (GError) e3 = NULL;
      g_autoptr (GError) e4 = NULL;
      g_autoptr (GError) e5 = NULL;
      g_autoptr (HwEmbyServerInfo) info = NULL;
      g_autoptr (HwEmbyAuth) auth = NULL;
      g_autoptr (GPtrArray) views = NULL;
      g_autoptr (GPtrArray) items = NULL;
      g_autoptr (HwEmbyPlaybackInfo) playback = NULL;

      while (body->len < 1024 * 1024)
        g_string_append_c (body, '[');

      info = hw_emby_parse_server_info (body->str, body->len, &e1);
      auth = hw_emby_parse_auth (body->str, body->len, &e2);
      views = hw_emby_parse_views (body->str, body->len, &e3);
      items = hw_emby_parse_items (body->str, body->len, &e4);
      playback = hw_emby_parse_playback_info (body->str, body->len, &e5);
      g_assert_error (e1, HW_EMBY_ERROR, HW_EMBY_ERROR_MALFORMED);
      g_assert_error (e2, HW_EMBY_ERROR, HW_EMBY_ERROR_MALFORMED);
      g_assert_error (e3, HW_EMBY_ERROR, HW_EMBY_ERROR_MALFORMED);
      g_assert_error (e4, HW_EMBY_ERROR, HW_EMBY_ERROR_MALFORMED);
      g_assert_error (e5, HW_EMBY_ERROR, HW_EMBY_ERROR_MALFORMED);
      g_assert_nonnull (strstr (e1->message, "System/Info/Public"));
      g_assert_nonnull (strstr (e4->message, "not usable"));
    }
}

static void
test_reply_values (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HwEmbyAuth) auth = hw_emby_parse_auth (reply_cases[0].body, -1, &error);
  g_autoptr(GPtrArray) views = hw_emby_parse_views (reply_cases[13].body, -1, &error);
  g_autoptr(GPtrArray) items = hw_emby_parse_items (reply_cases[18].body, -1, &error);
  g_autoptr(HwEmbyPlaybackInfo) info = hw_emby_parse_playback_info (reply_cases[23].body, -1, &error);
  g_autoptr(HwEmbyPlaybackInfo) refused = hw_emby_parse_playback_info ("{\"ErrorCode\":\"NotAllowed\"}", -1, &error);
  const HwEmbyItem *item;
  const HwEmbyMediaSource *source;

  g_assert_no_error (error);
  g_assert_cmpstr (auth->access_token, ==, "tok");
  g_assert_cmpstr (auth->user_id, ==, "u1");
  g_assert_cmpstr (auth->user_name, ==, "wall");

  g_assert_cmpuint (views->len, ==, 3);
  g_assert_true (hw_emby_view_is_video (g_ptr_array_index (views, 0)));
  g_assert_false (hw_emby_view_is_video (g_ptr_array_index (views, 1)));
  /* No CollectionType: a mixed library, may hold videos. */
  g_assert_cmpstr (((HwEmbyView *) g_ptr_array_index (views, 2))->id, ==, "3");
  g_assert_true (hw_emby_view_is_video (g_ptr_array_index (views, 2)));

  g_assert_cmpuint (items->len, ==, 2);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpstr (item->id, ==, "61256");
  g_assert_cmpstr (item->series_name, ==, "S");
  g_assert_cmpint (item->run_time_ticks, ==, G_GINT64_CONSTANT (14172790000));
  {
    g_autoptr(HwEmbyItem) copy = hw_emby_item_copy (item);

    g_assert_true (copy != item && copy->id != item->id);
    g_assert_cmpstr (copy->id, ==, "61256");
    g_assert_cmpstr (copy->name, ==, item->name);
    g_assert_cmpstr (copy->type, ==, "Episode");
    g_assert_cmpstr (copy->series_name, ==, "S");
    g_assert_cmpint (copy->run_time_ticks, ==, item->run_time_ticks);
  }
  item = g_ptr_array_index (items, 1);
  g_assert_cmpstr (item->id, ==, "7");
  g_assert_cmpstr (item->name, ==, "7");
  g_assert_cmpint (item->run_time_ticks, ==, 0);

  g_assert_cmpstr (info->play_session_id, ==, "ps1");
  g_assert_null (info->error_code);
  source = g_ptr_array_index (info->media_sources, 0);
  g_assert_cmpstr (source->id, ==, "ms1");
  g_assert_cmpint (source->run_time_ticks, ==, 30000000);
  g_assert_cmpstr (source->transcoding_url, ==, "videos/1/master.m3u8?x=1");
  g_assert_null (source->direct_stream_url);
  g_assert_true (source->supports_direct_play);

  g_assert_cmpstr (refused->error_code, ==, "NotAllowed");
}

/* ------------------------------------------------------------------ */
/* Retry-After, as the HTTP layer reads it                             */

typedef struct {
  const char *value;
  gint64      seconds;
} RetryAfterCase;

/* Relative to Sun, 06 Nov 1994 08:49:37 GMT. */
static const RetryAfterCase retry_after_cases[] = {
  { NULL, -1 },
  { "", -1 },
  { "   ", -1 },
  { "120", 120 },
  { "0", 0 },
  { " 30 ", 30 },
  { "3601", 3601 },                                   /* the rule caps it, not the parser */
  { "99999999999999999999999", 86400 * 365 },
  { "-5", -1 },
  { "+5", -1 },
  { "1.5", -1 },
  { "12abc", -1 },
  { "soon", -1 },
  { "Sun, 06 Nov 1994 08:51:07 GMT", 90 },            /* IMF-fixdate */
  { "Sunday, 06-Nov-94 08:51:07 GMT", 90 },           /* RFC 850 */
  { "Sun Nov  6 08:51:07 1994", 90 },                 /* asctime */
  { "Sun, 06 Nov 1994 08:49:37 GMT", 0 },
  { "Sun, 06 Nov 1994 08:48:07 GMT", -90 },           /* already past */
  { "Mon, 07 Nov 1994 08:49:37 GMT", 86400 },
  { "Sun, 06 Foo 1994 08:51:07 GMT", -1 },
};

static void
test_retry_after (gconstpointer data)
{
  const RetryAfterCase *c = data;
  g_autoptr(GDateTime) now = g_date_time_new_utc (1994, 11, 6, 8, 49, 37);

  g_assert_cmpint (hw_emby_parse_retry_after (c->value, now), ==, c->seconds);
}

/* Jellyfin: ApiKey in URLs (12.0 refuses api_key), its query spelling, no
 * EventName; a stopped report of either without PlaybackStopInfo's
 * missing fields; the product from ProductName. */
static void
test_jellyfin (void)
{
  g_autoptr(HwEmbyMediaSource) source = g_new0 (HwEmbyMediaSource, 1);
  const HwEmbyStreamContext stream = {
    .base_url = "http://h:8096/emby", .item_id = "7", .play_session_id = "ps",
    .device_id = "d", .token = "tok", .product = HW_SERVER_PRODUCT_JELLYFIN,
  };
  HwEmbyPlayState state = {
    .item_id = "7", .position = 1.0, .event_name = "TimeUpdate", .repeat_mode = "RepeatNone",
    .product = HW_SERVER_PRODUCT_JELLYFIN,
  };
  g_autofree char *direct = NULL;
  g_autofree char *swapped = hw_emby_url_with_token ("http://h/x?api_key=old&a=1&ApiKey=old2",
                                                     "new", HW_SERVER_PRODUCT_JELLYFIN);
  g_autofree char *emby = hw_emby_url_with_token ("http://h/x?ApiKey=old", "new",
                                                  HW_SERVER_PRODUCT_EMBY);
  g_autofree char *progress = NULL;
  g_autofree char *stopped = NULL;
  g_autoptr(HwEmbyServerInfo) jf = NULL;
  g_autoptr(HwEmbyServerInfo) eb = NULL;

  source->id = g_strdup ("ms7");
  source->supports_direct_play = TRUE;
  direct = hw_emby_direct_stream_url (&stream, source);
  g_assert_cmpstr (direct, ==, "http://h:8096/emby/Videos/7/stream?static=true&mediaSourceId=ms7"
                               "&playSessionId=ps&deviceId=d&ApiKey=tok");
  g_assert_cmpstr (swapped, ==, "http://h/x?a=1&ApiKey=new");
  g_assert_cmpstr (emby, ==, "http://h/x?api_key=new");

  progress = hw_emby_report_body_state (&state);
  g_assert_null (strstr (progress, "EventName"));
  g_assert_nonnull (strstr (progress, "\"PlayMethod\""));
  state.stopped = TRUE;
  state.product = HW_SERVER_PRODUCT_EMBY;
  stopped = hw_emby_report_body_state (&state);
  for (const char *const *f = (const char *const[]) { "CanSeek", "IsMuted", "IsPaused",
                                                      "PlayMethod", "RepeatMode", "EventName",
                                                      NULL }; *f != NULL; f++)
    g_assert_null (strstr (stopped, *f));
  g_assert_nonnull (strstr (stopped, "\"PositionTicks\":10000000"));

  jf = hw_emby_parse_server_info ("{\"ServerName\":\"x\",\"ProductName\":\"Jellyfin Server\"}",
                                  -1, NULL);
  eb = hw_emby_parse_server_info ("{\"ServerName\":\"x\",\"Version\":\"4.8.11.0\"}", -1, NULL);
  g_assert_cmpint (jf->product, ==, HW_SERVER_PRODUCT_JELLYFIN);
  g_assert_cmpint (eb->product, ==, HW_SERVER_PRODUCT_EMBY);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (base_url_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hyperwall/emby/url/base/%s", base_url_cases[i].name);

      g_test_add_data_func (path, &base_url_cases[i], test_base_url);
    }
  for (guint i = 0; i < G_N_ELEMENTS (resolve_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hyperwall/emby/url/resolve/%s", resolve_cases[i].name);

      g_test_add_data_func (path, &resolve_cases[i], test_resolve);
    }
  g_test_add_func ("/hyperwall/emby/url/resolve-behind-prefix", test_resolve_prefix);
  g_test_add_func ("/hyperwall/emby/url/build", test_build_url);
  g_test_add_func ("/hyperwall/emby/url/api-key", test_api_key);
  g_test_add_func ("/hyperwall/emby/url/api-key-uri", test_api_key_uri);
  g_test_add_func ("/hyperwall/emby/header/signed-out", test_header_signed_out);
  g_test_add_func ("/hyperwall/emby/header/signed-in", test_header_signed_in);
  g_test_add_func ("/hyperwall/emby/header/hostile-values", test_header_hostile_values);
  g_test_add_func ("/hyperwall/emby/stream/direct-built", test_stream_direct_built);
  g_test_add_func ("/hyperwall/emby/stream/direct-from-server", test_stream_direct_from_server);
  g_test_add_func ("/hyperwall/emby/stream/transcode", test_stream_transcode);
  g_test_add_func ("/hyperwall/emby/stream/signed-out", test_stream_signed_out);
  for (guint i = 0; i < G_N_ELEMENTS (stream_choices); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hyperwall/emby/stream/choice/%s",
                                               stream_choices[i].name);

      g_test_add_data_func (path, &stream_choices[i], test_stream_choice);
    }
  g_test_add_func ("/hyperwall/emby/stream/pick-source", test_pick_source);
  g_test_add_func ("/hyperwall/emby/stream/play-method", test_play_method);
  g_test_add_func ("/hyperwall/emby/stream/title-duration", test_item_title_duration);
  g_test_add_func ("/hyperwall/emby/url/token-and-base", test_url_token_and_base);
  g_test_add_func ("/hyperwall/emby/body/ticks", test_ticks);
  g_test_add_func ("/hyperwall/emby/body/report", test_report_body);
  g_test_add_func ("/hyperwall/emby/body/report-state", test_report_body_state);
  g_test_add_func ("/hyperwall/emby/body/report-paths", test_report_paths);
  g_test_add_func ("/hyperwall/emby/body/stop-transcode", test_stop_transcode_path);
  g_test_add_func ("/hyperwall/emby/body/sign-in", test_sign_in_body);
  for (guint i = 0; i < G_N_ELEMENTS (reply_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hyperwall/emby/reply/%s", reply_cases[i].name);

      g_test_add_data_func (path, &reply_cases[i], test_reply);
    }
  g_test_add_func ("/hyperwall/emby/reply/values", test_reply_values);
  g_test_add_func ("/hyperwall/emby/reply/deep-nesting", test_reply_deep_nesting);
  g_test_add_func ("/hyperwall/emby/jellyfin", test_jellyfin);
  for (guint i = 0; i < G_N_ELEMENTS (retry_after_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hyperwall/emby/request/retry-after/%u", i);

      g_test_add_data_func (path, &retry_after_cases[i], test_retry_after);
    }

  return g_test_run ();
}
