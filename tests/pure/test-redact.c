/* test-redact.c: secrets never reach a log line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include <glib.h>

#include "hw-redact.h"

typedef struct {
  const char *name;
  const char *input;
  const char *expected;
} RedactCase;

static const RedactCase redact_cases[] = {
  { "url-userinfo", "Cannot open http://wall:hunter2@emby.lan:8096/emby: refused",
    "Cannot open http://wall:***@emby.lan:8096/emby: refused" },
  { "url-userinfo-https", "https://a:p%40ss@h/x and ftp://u:v@w",
    "https://a:***@h/x and ftp://u:***@w" },
  { "url-user-only", "http://wall@emby.lan/x", "http://wall@emby.lan/x" },
  { "url-port-not-userinfo", "http://emby.lan:8096/x@y", "http://emby.lan:8096/x@y" },
  { "query-api-key", "GET /emby/Videos/1/stream?Static=true&api_key=abc123&x=1",
    "GET /emby/Videos/1/stream?Static=true&api_key=***&x=1" },
  { "query-api-key-upper", "http://h/emby/x?API_KEY=abc123", "http://h/emby/x?API_KEY=***" },
  { "query-apikey", "url?ApiKey=deadbeef", "url?ApiKey=***" },
  { "jellyfin-socket", "ws://h/emby/socket?ApiKey=0123abcd&deviceId=d1",
    "ws://h/emby/socket?ApiKey=***&deviceId=d1" },
  { "authorization-header",
    "Authorization: MediaBrowser Client=\"Hyperwall\", Version=\"1\", Token=\"0123abcd\"",
    "Authorization: MediaBrowser Client=\"Hyperwall\", Version=\"1\", Token=\"***\"" },
  { "query-access-token", "url?access_token=deadbeef&a=b", "url?access_token=***&a=b" },
  { "header-token-param",
    "MediaBrowser Client=\"Hyperwall\", DeviceId=\"d1\", Token=\"0123abcd\"",
    "MediaBrowser Client=\"Hyperwall\", DeviceId=\"d1\", Token=\"***\"" },
  { "header-token-lower", "token=\"0123abcd\"", "token=\"***\"" },
  { "x-emby-token", "X-Emby-Token: 0123abcd", "X-Emby-Token: ***" },
  { "x-emby-token-lower", "x-emby-token:0123abcd rest", "x-emby-token:***" " rest" },
  { "json-access-token", "{\"AccessToken\":\"0123abcd\",\"ServerId\":\"s\"}",
    "{\"AccessToken\":\"***\",\"ServerId\":\"s\"}" },
  { "json-access-token-spaces", "{\"AccessToken\" : \"0123abcd\"}", "{\"AccessToken\" : \"***\"}" },
  { "json-pw", "{\"Username\":\"wall\",\"Pw\":\"hunter2\"}", "{\"Username\":\"wall\",\"Pw\":\"***\"}" },
  { "json-pw-escaped-quote", "{\"Pw\":\"a\\\"b c\"}", "{\"Pw\":\"***\"}" },
  { "json-password", "{\"Password\":\"p a s s\"}", "{\"Password\":\"***\"}" },
  { "env-password", "HYPERWALL_PASSWORD=hunter2 hyperwall", "HYPERWALL_PASSWORD=*** hyperwall" },
  { "password-colon", "password: hunter2", "password: ***" },
  { "single-quoted", "api_key='abc123'", "api_key='***'" },
  { "two-in-one-line", "a?api_key=one&b=2 X-Emby-Token: two", "a?api_key=***&b=2 X-Emby-Token: ***" },
  { "untouched-device-id", "DeviceId=\"d1\" PlaySessionId=abc", "DeviceId=\"d1\" PlaySessionId=abc" },
  { "untouched-prose", "the token was refused", "the token was refused" },
  { "empty-value-kept", "api_key=&x=1", "api_key=&x=1" },
  { "already-redacted", "api_key=***", "api_key=***" },
};

static void
test_redact_pattern (gconstpointer data)
{
  const RedactCase *c = data;
  g_autofree char *out = hw_redact (c->input);

  g_assert_cmpstr (out, ==, c->expected);
}

static void
test_redact_null (void)
{
  g_assert_null (hw_redact (NULL));
}

static void
test_redact_registry (void)
{
  const char *token = "f00dfeedcafe4242";
  g_autofree char *line = g_strdup_printf ("mpv: Opening http://h/Videos/1/stream/%s/x", token);
  g_autofree char *before = hw_redact (line);
  g_autofree char *after = NULL;
  g_autofree char *removed = NULL;

  /* Not registered: the bare token in a path is not caught by a pattern. */
  g_assert_nonnull (strstr (before, token));

  hw_redact_add_secret (token);
  after = hw_redact (line);
  g_assert_null (strstr (after, token));
  g_assert_cmpstr (after, ==, "mpv: Opening http://h/Videos/1/stream/***/x");

  hw_redact_remove_secret (token);
  removed = hw_redact (line);
  g_assert_cmpstr (removed, ==, line);
}

static void
test_redact_registry_escaped (void)
{
  const char *key = "k3y/with+odd chars";
  g_autofree char *escaped = g_uri_escape_string (key, NULL, FALSE);
  g_autofree char *line = g_strdup_printf ("error for /login?x=%s and %s", escaped, key);
  g_autofree char *out = NULL;

  hw_redact_add_secret (key);
  out = hw_redact (line);
  g_assert_null (strstr (out, escaped));
  g_assert_null (strstr (out, key));
  g_assert_cmpstr (out, ==, "error for /login?x=*** and ***");
  hw_redact_clear_secrets ();
}

/* Words a person may choose as a password. Registered, each would mask
 * ordinary text: a PIN cut through a number in the status file. */
static const char *hostile_words[] = {
  "abc", "2254", "1234", "true", "null", "state", "Lobby", "playing", "cache_budget",
  "fifteen-chars!!",
};

static void
test_redact_registry_words (void)
{
  const char *text = "{\"cache_budget_bytes\": 3221225472, \"state\": \"playing\", "
                     "\"paused\": true, \"reason\": null, \"title\": \"Lobby loop 1234\", "
                     "\"note\": \"fifteen-chars!!\"}";
  g_autofree char *out = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (hostile_words); i++)
    hw_redact_add_secret (hostile_words[i]);
  out = hw_redact (text);
  g_assert_cmpstr (out, ==, text);
  hw_redact_clear_secrets ();
}

static void
test_redact_registry_longest_first (void)
{
  g_autofree char *out = NULL;

  hw_redact_add_secret ("0123456789abcdef");
  hw_redact_add_secret ("ffff0123456789abcdefffff");
  out = hw_redact ("x ffff0123456789abcdefffff y 0123456789abcdef");
  g_assert_cmpstr (out, ==, "x *** y ***");
  hw_redact_clear_secrets ();
}

static gpointer
add_secrets_thread (gpointer data)
{
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *secret = g_strdup_printf ("thread-token-%p-%u", data, i);
      g_autofree char *out = NULL;

      hw_redact_add_secret (secret);
      out = hw_redact (secret);
      g_assert_cmpstr (out, ==, "***");
    }
  return NULL;
}

static void
test_redact_registry_threads (void)
{
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("redact", add_secrets_thread, GUINT_TO_POINTER (i + 1));
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  hw_redact_clear_secrets ();
}

/* A wall that runs for months sees its token change again and again
 * (revoked, refreshed, a new sign-in): the registry every log line scans
 * must not grow with it. */
static void
test_redact_rotate_bounded (void)
{
  g_autofree char *last = NULL;

  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *token = g_strdup_printf ("rotating-token-%04u-0123456789", i);

      hw_redact_rotate_secret ("access-token", token);
      g_assert_cmpuint (hw_redact_count_secrets (), <=, HW_REDACT_SLOT_GENERATIONS);
      g_free (last);
      last = g_steal_pointer (&token);
    }
  g_assert_cmpuint (hw_redact_count_secrets (), ==, HW_REDACT_SLOT_GENERATIONS);
  hw_redact_clear_secrets ();
}

/* The tokens just replaced stay masked (late lines may carry them); older
 * ones are let go; a secret also registered for good stays. */
static void
test_redact_rotate_keeps_recent (void)
{
  const char *api_key = "api-key-also-a-token-0001";
  g_autofree char *out = NULL;

  hw_redact_add_secret (api_key);
  hw_redact_rotate_secret ("access-token", api_key);
  hw_redact_rotate_secret ("access-token", "token-number-two-000000002");
  hw_redact_rotate_secret ("access-token", "token-number-two-000000002");  /* no new generation */
  hw_redact_rotate_secret ("access-token", "token-number-three-0000003");
  hw_redact_rotate_secret ("access-token", "token-number-four-00000004");

  out = hw_redact ("a api-key-also-a-token-0001 b token-number-two-000000002 "
                   "c token-number-three-0000003 d token-number-four-00000004");
  g_assert_cmpstr (out, ==, "a *** b *** c *** d ***");
  g_clear_pointer (&out, g_free);

  hw_redact_rotate_secret ("access-token", "token-number-five-00000005");
  out = hw_redact ("b token-number-two-000000002 e token-number-five-00000005 a "
                   "api-key-also-a-token-0001");
  g_assert_cmpstr (out, ==, "b token-number-two-000000002 e *** a ***");
  hw_redact_clear_secrets ();
}

/* The log writer: run in a subprocess so its output can be checked. */
static void
test_redact_log_writer (void)
{
  if (g_test_subprocess ())
    {
      hw_redact_install_log_writer ();
      hw_redact_add_secret ("registered-token-77");
      g_message ("signing in with X-Emby-Token: abcdef0123 and registered-token-77 api_key=zzz999");
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDIN);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*signing in with X-Emby-Token: ??? and ??? api_key=???\n");
  g_test_trap_assert_stderr_unmatched ("*abcdef0123*");
  g_test_trap_assert_stderr_unmatched ("*registered-token-77*");
  g_test_trap_assert_stderr_unmatched ("*zzz999*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (redact_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hyperwall/redact/pattern/%s", redact_cases[i].name);

      g_test_add_data_func (path, &redact_cases[i], test_redact_pattern);
    }
  g_test_add_func ("/hyperwall/redact/null", test_redact_null);
  g_test_add_func ("/hyperwall/redact/registry/plain", test_redact_registry);
  g_test_add_func ("/hyperwall/redact/registry/uri-escaped", test_redact_registry_escaped);
  g_test_add_func ("/hyperwall/redact/registry/words-refused", test_redact_registry_words);
  g_test_add_func ("/hyperwall/redact/registry/longest-first", test_redact_registry_longest_first);
  g_test_add_func ("/hyperwall/redact/registry/threads", test_redact_registry_threads);
  g_test_add_func ("/hyperwall/redact/registry/rotate-bounded", test_redact_rotate_bounded);
  g_test_add_func ("/hyperwall/redact/registry/rotate-keeps-recent",
                   test_redact_rotate_keeps_recent);
  g_test_add_func ("/hyperwall/redact/log-writer", test_redact_log_writer);

  return g_test_run ();
}
