/* test-emby-protocol.c: URLs, the authorization header and reply parsing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include <glib.h>

#include "hw-emby-protocol.h"

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

  g_assert_cmpstr (added, ==, "http://h/emby/v?x=1&api_key=t0k");
  g_assert_cmpstr (first, ==, "http://h/emby/v?api_key=t0k");
  g_assert_cmpstr (kept, ==, "http://h/emby/v?API_KEY=old");
  g_assert_cmpstr (none, ==, "http://h/emby/v");
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
  g_test_add_func ("/hyperwall/emby/header/signed-out", test_header_signed_out);
  g_test_add_func ("/hyperwall/emby/header/signed-in", test_header_signed_in);
  g_test_add_func ("/hyperwall/emby/header/hostile-values", test_header_hostile_values);
  for (guint i = 0; i < G_N_ELEMENTS (reply_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hyperwall/emby/reply/%s", reply_cases[i].name);

      g_test_add_data_func (path, &reply_cases[i], test_reply);
    }
  g_test_add_func ("/hyperwall/emby/reply/values", test_reply_values);

  return g_test_run ();
}
