/* test-emby-client.c: HwEmbyClient and HwEmbyFeed against tests/fake-emby.py.
 *
 * Each test starts its own fake server (python3, port 0) and reads its
 * request log, so the assertions are about what really went over the wire:
 * how many sign-ins, whether identical requests were coalesced, whether the
 * gate kept quiet. Every message the code logs is captured raw (before any
 * redaction) and must not contain a token or the password.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "hw-config.h"
#include "hw-emby-client.h"
#include "hw-emby-feed.h"
#include "hw-redact.h"

#define PASSWORD "secret"
#define FAKE_USER_ID "5e1f0c0d2b1e4f6a8c9d0e1f2a3b4c5d"

static GString *captured_log;   /* every message, raw */
static char    *data_home;

typedef struct {
  GSubprocess  *server;
  char         *dir;
  char         *log_path;
  guint         port;
  char         *origin;          /* http://127.0.0.1:PORT */
  HwConfig     *config;
  HwEmbyClient *client;
  GPtrArray    *tokens;          /* every token seen, for the secrecy check */
  char         *tls_dir;         /* certificates "a" (the server's) and "b" */
  char         *fingerprint_a;
  char         *fingerprint_b;
} Fixture;

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE"))
      {
        if (fields[i].length < 0)
          g_string_append (captured_log, fields[i].value);
        else
          g_string_append_len (captured_log, fields[i].value, fields[i].length);
        g_string_append_c (captured_log, '\n');
      }

  return g_log_writer_default (level, fields, n_fields, user_data);
}

static gboolean
on_timeout_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Spins the main context until *@flag or @seconds pass; TRUE if flagged. */
static gboolean
spin_until (const gboolean *flag,
            double          seconds)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add ((guint) (seconds * 1000), on_timeout_flag, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return *flag;
}

static void
spin_for (double seconds)
{
  gboolean never = FALSE;

  spin_until (&never, seconds);
}

static gboolean
wait_for_state (HwEmbyClient  *client,
                HwServerState  state,
                double         seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (hw_emby_client_get_state (client) != state && g_get_monotonic_time () < end)
    {
      gboolean tick = FALSE;
      guint id = g_timeout_add (20, on_timeout_flag, &tick);

      while (!tick)
        g_main_context_iteration (NULL, TRUE);
      (void) id;
    }
  return hw_emby_client_get_state (client) == state;
}

static void
start_server (Fixture            *f,
              const char * const *extra)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");

  g_ptr_array_add (argv, g_strdup ("python3"));
  g_ptr_array_add (argv, g_build_filename (srcdir ? srcdir : ".", "fake-emby.py", NULL));
  g_ptr_array_add (argv, g_strdup ("--log"));
  g_ptr_array_add (argv, g_strdup (f->log_path));
  g_ptr_array_add (argv, g_strdup ("--exit-on-stdin-eof"));
  g_ptr_array_add (argv, g_strdup ("--fake-items"));
  g_ptr_array_add (argv, g_strdup ("6"));
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (extra[i]));
  g_ptr_array_add (argv, NULL);

  f->server = g_subprocess_newv ((const char * const *) argv->pdata,
                                 G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE,
                                 &error);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->server));
  line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "PORT "));
  f->port = (guint) g_ascii_strtoull (line + 5, NULL, 10);
  g_assert_cmpuint (f->port, >, 0);
  f->origin = g_strdup_printf ("http://127.0.0.1:%u", f->port);
}

static void
fixture_setup_with (Fixture            *f,
                    const char * const *server_args,
                    const char         *url_suffix)
{
  g_autofree char *url = NULL;

  f->dir = g_dir_make_tmp ("hw-emby-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->log_path = g_build_filename (f->dir, "requests.jsonl", NULL);
  f->tokens = g_ptr_array_new_with_free_func (g_free);
  start_server (f, server_args);

  url = g_strconcat (f->origin, url_suffix, NULL);
  g_setenv ("HYPERWALL_SERVER_URL", url, TRUE);
  g_setenv ("HYPERWALL_USERNAME", "wall", TRUE);
  g_setenv ("HYPERWALL_PASSWORD", PASSWORD, TRUE);
  g_setenv ("HYPERWALL_REQUEST_TIMEOUT", "2", TRUE);
  g_setenv ("HYPERWALL_BACKOFF_INITIAL", "1", TRUE);
  g_setenv ("HYPERWALL_BACKOFF_MAX", "2", TRUE);
  g_setenv ("HYPERWALL_LIBRARIES", "", TRUE);
  g_unsetenv ("HYPERWALL_API_KEY");
  g_unsetenv ("HYPERWALL_USER_ID");
  g_string_truncate (captured_log, 0);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  fixture_setup_with (f, NULL, "");
}

/* Behind a reverse proxy at /proxy, configured without /emby and with a
 * trailing slash. */
static void
fixture_setup_prefix (Fixture       *f,
                      gconstpointer  data)
{
  static const char * const args[] = { "--prefix", "/proxy", NULL };

  fixture_setup_with (f, args, "/proxy/");
}

/* A self-signed certificate made now with openssl, and its fingerprint as
 * openssl prints it ("sha256 Fingerprint=AA:BB:…"; only AA:BB:… kept). */
static char *
make_certificate (const char *dir,
                  const char *name)
{
  g_autofree char *cert = g_strdup_printf ("%s/%s.pem", dir, name);
  g_autofree char *key = g_strdup_printf ("%s/%s.key", dir, name);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  const char *req[] = { "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                        NULL };
  const char *fp[] = { "openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", cert, NULL };
  int status = 0;
  char *equals;

  g_assert_true (g_spawn_sync (NULL, (char **) req, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                               G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status,
                               &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_spawn_sync (NULL, (char **) fp, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, NULL, &status, &error));
  g_assert_no_error (error);
  equals = strchr (out, '=');
  g_assert_nonnull (equals);
  return g_strdup (g_strstrip (equals + 1));
}

/* The fake server behind a self-signed certificate ("a"); "b" is another
 * one, for a server whose certificate changed. */
static void
fixture_setup_tls (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *dir = g_dir_make_tmp ("hw-emby-tls-XXXXXX", NULL);
  g_autofree char *cert = g_build_filename (dir, "a.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "a.key", NULL);
  g_autofree char *url = NULL;
  const char *args[] = { "--tls-cert", cert, "--tls-key", key, NULL };

  if (g_find_program_in_path ("openssl") == NULL)
    {
      g_test_skip ("openssl is not installed");
      return;
    }
  f->fingerprint_a = make_certificate (dir, "a");
  f->fingerprint_b = make_certificate (dir, "b");
  f->tls_dir = g_steal_pointer (&dir);
  fixture_setup_with (f, args, "");

  g_free (f->origin);
  f->origin = g_strdup_printf ("https://127.0.0.1:%u", f->port);
  url = g_strconcat (f->origin, "/emby", NULL);
  g_setenv ("HYPERWALL_SERVER_URL", url, TRUE);
}

static void
fixture_make_client (Fixture *f)
{
  f->config = hw_config_new ();
  f->client = hw_emby_client_new (f->config);
}

static void
remember_token (Fixture *f)
{
  const char *token = hw_emby_client_get_access_token (f->client);

  if (token != NULL)
    g_ptr_array_add (f->tokens, g_strdup (token));
}

/* Every token the fake server issued, read back from its log. */
static void
assert_no_secret_logged (Fixture *f)
{
  g_assert_null (strstr (captured_log->str, PASSWORD "\""));
  g_assert_null (strstr (captured_log->str, "Pw"));
  for (guint i = 0; i < f->tokens->len; i++)
    {
      const char *token = g_ptr_array_index (f->tokens, i);

      if (strstr (captured_log->str, token) != NULL)
        g_error ("token leaked into the log:\n%s", captured_log->str);
    }
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->server == NULL)
    return;   /* skipped before it started */
  if (f->client != NULL)
    remember_token (f);
  assert_no_secret_logged (f);
  g_unsetenv ("HYPERWALL_ACCEPT_CERTIFICATE");
  if (f->tls_dir != NULL)
    {
      const char *names[] = { "a.pem", "a.key", "b.pem", "b.key" };

      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        {
          g_autofree char *path = g_build_filename (f->tls_dir, names[i], NULL);

          g_unlink (path);
        }
      g_rmdir (f->tls_dir);
      g_free (f->tls_dir);
      g_free (f->fingerprint_a);
      g_free (f->fingerprint_b);
    }

  g_clear_object (&f->client);
  g_clear_object (&f->config);
  /* Let cancelled requests finish unwinding. */
  spin_for (0.1);

  g_subprocess_send_signal (f->server, SIGTERM);
  g_subprocess_wait (f->server, NULL, NULL);
  g_clear_object (&f->server);

  g_unlink (f->log_path);
  g_rmdir (f->dir);
  g_free (f->log_path);
  g_free (f->dir);
  g_free (f->origin);
  g_ptr_array_unref (f->tokens);
}

/* Requests in the fake server's log matching @method, @path_regex and
 * (unless NULL) @query_regex. */
static guint
log_count_query (Fixture    *f,
                 const char *method,
                 const char *path_regex,
                 const char *query_regex)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GRegex) regex = g_regex_new (path_regex, G_REGEX_CASELESS, 0, NULL);
  g_autoptr(GRegex) query = query_regex ? g_regex_new (query_regex, 0, 0, NULL) : NULL;
  guint count = 0;

  if (!g_file_get_contents (f->log_path, &contents, NULL, NULL))
    return 0;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      JsonObject *entry;

      if (*lines[i] == '\0')
        continue;
      node = json_from_string (lines[i], NULL);
      g_assert_nonnull (node);
      entry = json_node_get_object (node);
      if (method != NULL && g_strcmp0 (json_object_get_string_member (entry, "method"), method) != 0)
        continue;
      if (query != NULL && !g_regex_match (query, json_object_get_string_member (entry, "query"), 0, NULL))
        continue;
      if (g_regex_match (regex, json_object_get_string_member (entry, "path"), 0, NULL))
        count++;
    }

  return count;
}

static guint
log_count (Fixture    *f,
           const char *method,
           const char *path_regex)
{
  return log_count_query (f, method, path_regex, NULL);
}

/* The X-Emby-Authorization header of the first logged request to @path_regex. */
static char *
log_first_authorization (Fixture    *f,
                         const char *path_regex)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GRegex) regex = g_regex_new (path_regex, G_REGEX_CASELESS, 0, NULL);

  g_assert_true (g_file_get_contents (f->log_path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      JsonObject *entry;

      if (*lines[i] == '\0')
        continue;
      node = json_from_string (lines[i], NULL);
      entry = json_node_get_object (node);
      if (g_regex_match (regex, json_object_get_string_member (entry, "path"), 0, NULL))
        return g_strdup (json_object_get_string_member (entry, "authorization"));
    }
  return NULL;
}

static void
control (Fixture    *f,
         const char *json)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (f->origin, "/__control", NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("POST", url);
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_set_request_body_from_bytes (message, "application/json", body);
  reply = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
}

typedef struct {
  gboolean  done;
  gpointer  result;
  GError   *error;
  gint64    finished_us;
} Outcome;

static void
outcome_clear (Outcome *o)
{
  g_clear_pointer ((GPtrArray **) &o->result, g_ptr_array_unref);
  g_clear_error (&o->error);
  o->done = FALSE;
}

static void
on_views (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Outcome *o = user_data;

  o->result = hw_emby_client_get_views_finish (HW_EMBY_CLIENT (source), result, &o->error);
  o->finished_us = g_get_monotonic_time ();
  o->done = TRUE;
}

static void
on_items (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Outcome *o = user_data;

  o->result = hw_emby_client_get_items_finish (HW_EMBY_CLIENT (source), result, &o->error);
  o->finished_us = g_get_monotonic_time ();
  o->done = TRUE;
}

/* Views, synchronously for the test. */
static void
get_views (Fixture *f,
           Outcome *o)
{
  outcome_clear (o);
  hw_emby_client_get_views_async (f->client, NULL, on_views, o);
  g_assert_true (spin_until (&o->done, 10));
}

static void
start_online (Fixture *f)
{
  fixture_make_client (f);
  hw_emby_client_start (f->client);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_ONLINE, 10));
  remember_token (f);
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */

static void
test_sign_in (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *auth = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *id_path = g_build_filename (data_home, "hyperwall", "device-id", NULL);
  g_autofree char *stored_id = NULL;
  g_autofree char *base = g_strconcat (f->origin, "/emby", NULL);
  g_autofree char *token_param = NULL;
  Outcome o = { 0 };

  start_online (f);
  g_assert_cmpstr (hw_emby_client_get_base_url (f->client), ==, base);
  g_assert_cmpstr (hw_emby_client_get_user_id (f->client), ==, FAKE_USER_ID);
  g_assert_nonnull (hw_emby_client_get_access_token (f->client));

  get_views (f, &o);
  g_assert_no_error (o.error);
  g_assert_cmpuint (((GPtrArray *) o.result)->len, ==, 3);
  outcome_clear (&o);

  g_assert_cmpuint (log_count (f, "POST", "^/emby/Users/AuthenticateByName$"), ==, 1);
  g_assert_cmpuint (log_count (f, "GET", "^/emby/System/Info/Public$"), ==, 1);

  /* The header exactly as the contract shows it, with a stable device id. */
  g_assert_true (g_file_get_contents (id_path, &stored_id, NULL, NULL));
  g_assert_cmpstr (stored_id, ==, hw_emby_client_get_device_id (f->client));
  auth = log_first_authorization (f, "AuthenticateByName");
  expected = g_strdup_printf ("MediaBrowser Client=\"Hyperwall\", Device=\"%s\", DeviceId=\"%s\", "
                              "Version=\"%s\"", g_get_host_name (), stored_id, PACKAGE_VERSION);
  g_assert_cmpstr (auth, ==, expected);
  g_free (auth);
  auth = log_first_authorization (f, "Views$");
  g_assert_true (g_str_has_prefix (auth, expected));
  token_param = g_strdup_printf (", Token=\"%s\"", hw_emby_client_get_access_token (f->client));
  g_assert_cmpuint (strlen (auth), ==, strlen (expected) + strlen (token_param));
  g_assert_true (g_str_has_suffix (auth, token_param));
}

static void
test_device_id_stable (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *first = NULL;

  fixture_make_client (f);
  first = g_strdup (hw_emby_client_get_device_id (f->client));
  g_clear_object (&f->client);
  f->client = hw_emby_client_new (f->config);
  g_assert_cmpstr (first, ==, hw_emby_client_get_device_id (f->client));
  g_assert_true (g_uuid_string_is_valid (first));
}

static void
test_prefix (Fixture       *f,
             gconstpointer  data)
{
  Outcome o = { 0 };

  start_online (f);
  get_views (f, &o);
  g_assert_no_error (o.error);
  outcome_clear (&o);
  g_assert_cmpuint (log_count (f, "GET", "^/proxy/emby/Users/[^/]+/Views$"), ==, 1);
}

static void
test_reauth_once (Fixture       *f,
                  gconstpointer  data)
{
  Outcome o = { 0 };
  g_autofree char *old_token = NULL;

  start_online (f);
  old_token = g_strdup (hw_emby_client_get_access_token (f->client));

  control (f, "{\"fault\": \"revoke-token\"}");
  get_views (f, &o);
  g_assert_no_error (o.error);
  outcome_clear (&o);
  remember_token (f);

  g_assert_cmpstr (old_token, !=, hw_emby_client_get_access_token (f->client));
  g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_ONLINE);
  /* The first sign-in and exactly one more. */
  g_assert_cmpuint (log_count (f, "POST", "AuthenticateByName"), ==, 2);
  g_assert_cmpuint (log_count (f, "GET", "Views$"), ==, 2);
}

static void
test_reauth_concurrent (Fixture       *f,
                        gconstpointer  data)
{
  Outcome o[4] = { 0 };

  start_online (f);
  control (f, "{\"fault\": \"revoke-token\"}");

  /* Four different requests all meet the revoked token: one sign-in. */
  for (guint i = 0; i < G_N_ELEMENTS (o); i++)
    {
      g_autofree char *parent = g_strdup_printf ("20%02u", i);

      hw_emby_client_get_items_async (f->client, parent, 10, NULL, on_items, &o[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (o); i++)
    {
      g_assert_true (spin_until (&o[i].done, 10));
      g_assert_no_error (o[i].error);
      outcome_clear (&o[i]);
    }
  remember_token (f);
  g_assert_cmpuint (log_count (f, "POST", "AuthenticateByName"), ==, 2);
}

static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  Outcome o = { 0 };

  g_setenv ("HYPERWALL_PASSWORD", "not-the-password", TRUE);
  fixture_make_client (f);
  hw_emby_client_start (f->client);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_SIGN_IN_REQUIRED, 10));

  for (guint i = 0; i < 5; i++)
    {
      get_views (f, &o);
      g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED);
      g_assert_cmpint (hw_emby_error_get_class (o.error), ==, HW_ERROR_CLASS_REAUTH);
    }
  outcome_clear (&o);
  spin_for (1.5);

  /* Bounded: one attempt, then silence until the configuration changes. */
  g_assert_cmpuint (log_count (f, "POST", "AuthenticateByName"), ==, 1);
  g_assert_cmpuint (log_count (f, "GET", "Views$"), ==, 0);
  g_assert_null (strstr (captured_log->str, "not-the-password"));
  g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_SIGN_IN_REQUIRED);
}

static void
test_revoked_and_refused (Fixture       *f,
                          gconstpointer  data)
{
  Outcome o = { 0 };
  g_autofree char *old_password_file = g_build_filename (f->dir, "pw", NULL);

  /* The token is revoked and the password no longer works: one attempt. */
  g_unsetenv ("HYPERWALL_PASSWORD");
  g_assert_true (g_file_set_contents (old_password_file, PASSWORD "\n", -1, NULL));
  g_assert_cmpint (g_chmod (old_password_file, 0600), ==, 0);
  fixture_make_client (f);
  hw_emby_client_set_password_file (f->client, old_password_file);
  hw_emby_client_start (f->client);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_ONLINE, 10));
  remember_token (f);

  g_assert_true (g_file_set_contents (old_password_file, "changed\n", -1, NULL));
  g_assert_cmpint (g_chmod (old_password_file, 0600), ==, 0);
  control (f, "{\"fault\": \"revoke-token\"}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED);
  outcome_clear (&o);
  g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_SIGN_IN_REQUIRED);
  g_assert_cmpuint (log_count (f, "POST", "AuthenticateByName"), ==, 2);
  g_unlink (old_password_file);
}

/* Unattended credentials (here HYPERWALL_PASSWORD) that the server
 * refuses: the wall says so and tries again slowly, by itself. */
static void
test_unattended_refused_retries (Fixture       *f,
                                 gconstpointer  data)
{
  const char *reason;

  g_setenv ("HYPERWALL_BACKOFF_MAX", "1", TRUE);   /* the next attempt in 10 s ± 25 % */
  g_setenv ("HYPERWALL_PASSWORD", "not-the-password", TRUE);
  fixture_make_client (f);
  hw_emby_client_start (f->client);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_SIGN_IN_REQUIRED, 10));
  reason = hw_emby_client_get_state_reason (f->client);
  g_assert_nonnull (strstr (reason, "The server refused the credentials. Trying again in "));
  spin_for (2);
  g_assert_cmpuint (log_count (f, "POST", "AuthenticateByName"), ==, 1);

  /* Someone fixes the password where the wall reads it. */
  g_setenv ("HYPERWALL_PASSWORD", PASSWORD, TRUE);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_ONLINE, 15));
  remember_token (f);
  g_assert_cmpuint (log_count (f, "POST", "AuthenticateByName"), ==, 2);
  g_assert_null (strstr (captured_log->str, "not-the-password"));
}

/* A person typed it: asking again is the dialog's job, not a timer's. */
static void
test_typed_refused_stays (Fixture       *f,
                          gconstpointer  data)
{
  g_unsetenv ("HYPERWALL_PASSWORD");
  fixture_make_client (f);
  hw_emby_client_start (f->client);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_SIGN_IN_REQUIRED, 10));
  hw_emby_client_sign_in_with_password (f->client, "typed-wrong");
  spin_for (1);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_SIGN_IN_REQUIRED, 10));
  g_assert_cmpuint (log_count (f, "POST", "AuthenticateByName"), ==, 1);
  g_assert_null (strstr (hw_emby_client_get_state_reason (f->client), "Trying again"));
  g_assert_null (strstr (captured_log->str, "typed-wrong"));
}

/* A password file others can read is refused, like ssh refuses such a
 * key, unless it is a systemd credential. */
static void
test_password_file_mode (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "password", NULL);
  const char *reason;

  g_unsetenv ("HYPERWALL_PASSWORD");
  g_unsetenv ("CREDENTIALS_DIRECTORY");
  g_assert_true (g_file_set_contents (path, PASSWORD "\n", -1, NULL));
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  fixture_make_client (f);
  hw_emby_client_set_password_file (f->client, path);
  hw_emby_client_start (f->client);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_SIGN_IN_REQUIRED, 10));
  reason = hw_emby_client_get_state_reason (f->client);
  g_assert_nonnull (strstr (reason, path));
  g_assert_nonnull (strstr (reason, "0644"));
  g_assert_nonnull (strstr (reason, "chmod 600"));
  g_assert_cmpuint (log_count (f, "POST", "AuthenticateByName"), ==, 0);
  g_clear_object (&f->client);

  /* The same file handed over by systemd (LoadCredential=). */
  g_setenv ("CREDENTIALS_DIRECTORY", f->dir, TRUE);
  f->client = hw_emby_client_new (f->config);
  hw_emby_client_set_password_file (f->client, path);
  hw_emby_client_start (f->client);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_ONLINE, 10));
  remember_token (f);
  g_clear_object (&f->client);
  g_unsetenv ("CREDENTIALS_DIRECTORY");

  /* Private: fine. */
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
  f->client = hw_emby_client_new (f->config);
  hw_emby_client_set_password_file (f->client, path);
  hw_emby_client_start (f->client);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_ONLINE, 10));
  remember_token (f);
  g_unlink (path);
}

static void
test_api_key (Fixture       *f,
              gconstpointer  data)
{
  Outcome o = { 0 };

  g_setenv ("HYPERWALL_API_KEY", "fake-admin-api-key-0001", TRUE);
  g_setenv ("HYPERWALL_USER_ID", FAKE_USER_ID, TRUE);
  start_online (f);
  get_views (f, &o);
  g_assert_no_error (o.error);
  outcome_clear (&o);
  g_assert_cmpuint (log_count (f, "POST", "AuthenticateByName"), ==, 0);
  g_assert_null (strstr (captured_log->str, "fake-admin-api-key-0001"));
}

static void
test_api_key_without_user (Fixture       *f,
                           gconstpointer  data)
{
  g_setenv ("HYPERWALL_API_KEY", "fake-admin-api-key-0001", TRUE);
  fixture_make_client (f);
  hw_emby_client_start (f->client);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_SIGN_IN_REQUIRED, 10));
  g_assert_nonnull (strstr (hw_emby_client_get_state_reason (f->client), "user-id"));
}

static void
test_deadline (Fixture       *f,
               gconstpointer  data)
{
  Outcome o = { 0 };
  gint64 started;

  start_online (f);
  control (f, "{\"fault\": \"slow-headers\", \"match\": \"Views$\", \"delay\": 30, \"count\": 1}");

  started = g_get_monotonic_time ();
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  g_assert_cmpint (hw_emby_error_get_class (o.error), ==, HW_ERROR_CLASS_TRANSIENT);
  /* request-timeout is 2 s. */
  g_assert_cmpint (o.finished_us - started, >=, 2 * G_USEC_PER_SEC - 100000);
  g_assert_cmpint (o.finished_us - started, <=, 3 * G_USEC_PER_SEC);
  outcome_clear (&o);

  /* No answer is a suspicion: one probe, which answers, so the gate stays
   * open. */
  g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_ONLINE);
  get_views (f, &o);
  g_assert_no_error (o.error);
  outcome_clear (&o);
}

/* Only the probe decides that the server is unreachable. */
static void
test_suspicion_probe_decides (Fixture       *f,
                              gconstpointer  data)
{
  Outcome o = { 0 };
  guint probes;

  start_online (f);
  probes = log_count (f, "GET", "Info/Public$");
  control (f, "{\"fault\": \"slow-headers\", \"match\": \"Views$\", \"delay\": 30, \"count\": 1}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  outcome_clear (&o);
  for (guint i = 0; i < 10; i++)
    {
      g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_ONLINE);
      spin_for (0.1);
    }
  g_assert_cmpuint (log_count (f, "GET", "Info/Public$"), ==, probes + 1);

  /* A probe that gets no answer either closes the gate. */
  control (f, "{\"fault\": \"slow-headers\", \"match\": \"(Views|Info/Public)$\", "
              "\"delay\": 30, \"count\": 2}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  outcome_clear (&o);
  g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_ONLINE);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_OFFLINE, 5));
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_ONLINE, 10));
}

/* Reports to a slow endpoint: no gate closed, no probe, never more than
 * the latest one per play session in flight. */
static void
test_reports_best_effort (Fixture       *f,
                          gconstpointer  data)
{
  Outcome o = { 0 };
  guint probes;

  start_online (f);
  probes = log_count (f, "GET", "Info/Public$");
  control (f, "{\"fault\": \"slow\", \"match\": \"Sessions/Playing\", \"delay\": 4}");
  control (f, "{\"fault\": \"slow\", \"match\": \"ActiveEncodings\", \"delay\": 4}");

  hw_emby_client_send (f->client, "POST", "/Sessions/Playing", "{}", "report s1");
  hw_emby_client_send (f->client, "POST", "/Sessions/Playing/Progress", "{}", "report s1");
  hw_emby_client_send (f->client, "POST", "/Sessions/Playing/Progress", "{}", "report s1");
  hw_emby_client_send (f->client, "POST", "/Sessions/Playing/Progress", "{}", "report s2");
  hw_emby_client_send (f->client, "DELETE", "/Videos/ActiveEncodings?PlaySessionId=s0", NULL,
                       NULL);
  spin_for (0.3);
  /* s1's latest, s2's, and the DELETE. */
  g_assert_cmpuint (hw_emby_client_get_reports_in_flight (f->client), ==, 3);
  g_assert_true (hw_emby_client_is_busy (f->client));

  /* request-timeout is 2 s: every one of them times out. */
  for (guint i = 0; i < 30; i++)
    {
      g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_ONLINE);
      spin_for (0.1);
    }
  g_assert_cmpuint (hw_emby_client_get_reports_in_flight (f->client), ==, 0);
  g_assert_cmpuint (log_count (f, "GET", "Info/Public$"), ==, probes);
  get_views (f, &o);
  g_assert_no_error (o.error);
  outcome_clear (&o);
}

static void
test_stalled_body (Fixture       *f,
                   gconstpointer  data)
{
  Outcome o = { 0 };
  gint64 started;

  start_online (f);
  control (f, "{\"fault\": \"stall-body\", \"match\": \"Views$\", \"after_bytes\": 5, "
              "\"delay\": 30, \"count\": 1}");
  started = g_get_monotonic_time ();
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  g_assert_cmpint (o.finished_us - started, <=, 3 * G_USEC_PER_SEC);
  outcome_clear (&o);
}

static void
test_status_500 (Fixture       *f,
                 gconstpointer  data)
{
  Outcome o = { 0 };

  start_online (f);
  control (f, "{\"fault\": \"status\", \"match\": \"Views$\", \"status\": 500, \"count\": 1}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  g_assert_cmpint (hw_emby_error_get_class (o.error), ==, HW_ERROR_CLASS_TRANSIENT);
  g_assert_nonnull (strstr (o.error->message, "500"));
  /* A 5xx on a request is not an unreachable server. */
  g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_ONLINE);

  get_views (f, &o);
  g_assert_no_error (o.error);
  outcome_clear (&o);
}

static void
get_items (Fixture *f,
           Outcome *o)
{
  outcome_clear (o);
  hw_emby_client_get_items_async (f->client, "2000", 10, NULL, on_items, o);
  g_assert_true (spin_until (&o->done, 10));
}

/* Retry-After holds back what sent it (that kind of request), for at most
 * backoff-max (2 s here), whether it comes as delta-seconds or a date. */
static void
test_retry_after (Fixture       *f,
                  gconstpointer  data)
{
  Outcome o = { 0 };
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) in_an_hour = g_date_time_add_hours (now, 1);
  g_autofree char *date = soup_date_time_to_string (in_an_hour, SOUP_DATE_HTTP);
  g_autofree char *fault = NULL;

  start_online (f);
  control (f, "{\"fault\": \"status\", \"match\": \"Views$\", \"status\": 503, "
              "\"retry_after\": 2, \"count\": 1}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);

  /* Inside the window no Views request goes out ... */
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  g_assert_cmpuint (log_count (f, "GET", "Views$"), ==, 1);
  /* ... but other requests do. */
  get_items (f, &o);
  g_assert_no_error (o.error);

  spin_for (2.2);
  get_views (f, &o);
  g_assert_no_error (o.error);
  g_assert_cmpuint (log_count (f, "GET", "Views$"), ==, 2);

  /* An hour, as delta-seconds: capped at backoff-max. */
  control (f, "{\"fault\": \"status\", \"match\": \"Items$\", \"status\": 503, "
              "\"retry_after\": 3600, \"count\": 1}");
  get_items (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  get_items (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  get_views (f, &o);
  g_assert_no_error (o.error);
  spin_for (2.2);
  get_items (f, &o);
  g_assert_no_error (o.error);

  /* An hour, as an HTTP date: the same. */
  fault = g_strdup_printf ("{\"fault\": \"status\", \"match\": \"Views$\", \"status\": 429, "
                           "\"retry_after\": \"%s\", \"count\": 1}", date);
  control (f, fault);
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  g_assert_cmpuint (log_count (f, "GET", "Views$"), ==, 4);
  spin_for (2.2);
  get_views (f, &o);
  g_assert_no_error (o.error);
  outcome_clear (&o);
  g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_ONLINE);
}

static void
test_not_found (Fixture       *f,
                gconstpointer  data)
{
  Outcome o = { 0 };

  start_online (f);
  control (f, "{\"fault\": \"status\", \"match\": \"Views$\", \"status\": 404, \"count\": 1}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_NOT_FOUND);
  g_assert_cmpint (hw_emby_error_get_class (o.error), ==, HW_ERROR_CLASS_SKIP);
  outcome_clear (&o);

  control (f, "{\"fault\": \"status\", \"match\": \"Views$\", \"status\": 403, \"count\": 1}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_FORBIDDEN);
  g_assert_cmpint (hw_emby_error_get_class (o.error), ==, HW_ERROR_CLASS_FATAL);
  outcome_clear (&o);
}

static void
test_malformed (Fixture       *f,
                gconstpointer  data)
{
  Outcome o = { 0 };

  start_online (f);
  control (f, "{\"fault\": \"malformed-json\", \"match\": \"Views$\", \"count\": 1}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_MALFORMED);
  g_assert_cmpint (hw_emby_error_get_class (o.error), ==, HW_ERROR_CLASS_TRANSIENT);
  g_assert_nonnull (strstr (o.error->message, "Views"));

  control (f, "{\"fault\": \"html\", \"match\": \"Views$\", \"count\": 1}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_HTML);

  get_views (f, &o);
  g_assert_no_error (o.error);
  outcome_clear (&o);
}

/* A body over the cap is a transient error naming the endpoint, whether
 * it announces its length or not; a huge error body is just an error. */
static void
test_body_cap (Fixture       *f,
               gconstpointer  data)
{
  Outcome o = { 0 };

  start_online (f);
  control (f, "{\"fault\": \"big-body\", \"match\": \"Views$\", \"count\": 1}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (o.error->message, "GET /Users/{UserId}/Views"));
  g_assert_nonnull (strstr (o.error->message, "8 MiB"));

  control (f, "{\"fault\": \"big-body\", \"match\": \"Views$\", \"no_length\": true, "
              "\"count\": 1}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (o.error->message, "8 MiB"));

  control (f, "{\"fault\": \"big-body\", \"match\": \"Views$\", \"status\": 500, "
              "\"no_length\": true, \"count\": 1}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (o.error->message, "500"));

  /* Just under the cap is fine. */
  control (f, "{\"fault\": \"big-body\", \"match\": \"Views$\", \"size\": 8000000, "
              "\"count\": 1}");
  get_views (f, &o);
  g_assert_no_error (o.error);
  g_assert_cmpuint (((GPtrArray *) o.result)->len, ==, 0);

  get_views (f, &o);
  g_assert_no_error (o.error);
  outcome_clear (&o);
  g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_ONLINE);
}

static void
test_coalesce (Fixture       *f,
               gconstpointer  data)
{
  Outcome o[3] = { 0 };

  start_online (f);
  for (guint i = 0; i < G_N_ELEMENTS (o); i++)
    hw_emby_client_get_items_async (f->client, "2000", 100, NULL, on_items, &o[i]);
  for (guint i = 0; i < G_N_ELEMENTS (o); i++)
    {
      g_assert_true (spin_until (&o[i].done, 10));
      g_assert_no_error (o[i].error);
      g_assert_cmpuint (((GPtrArray *) o[i].result)->len, ==, 3);
      outcome_clear (&o[i]);
    }
  g_assert_cmpuint (log_count (f, "GET", "Items$"), ==, 1);
}

static void
test_coalesce_cancel (Fixture       *f,
                      gconstpointer  data)
{
  Outcome a = { 0 }, b = { 0 }, c = { 0 };
  g_autoptr(GCancellable) cancel_a = g_cancellable_new ();
  g_autoptr(GCancellable) cancel_c = g_cancellable_new ();

  start_online (f);
  control (f, "{\"fault\": \"slow-headers\", \"match\": \"Items$\", \"delay\": 1, \"count\": 1}");

  /* One caller goes away: the others still get the reply. */
  hw_emby_client_get_items_async (f->client, "2000", 100, cancel_a, on_items, &a);
  hw_emby_client_get_items_async (f->client, "2000", 100, NULL, on_items, &b);
  g_cancellable_cancel (cancel_a);
  g_assert_true (spin_until (&a.done, 5));
  g_assert_error (a.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (b.done);
  g_assert_true (spin_until (&b.done, 10));
  g_assert_no_error (b.error);
  g_assert_cmpuint (log_count (f, "GET", "Items$"), ==, 1);

  /* The last caller goes away: the request is cancelled, a new one starts fresh. */
  control (f, "{\"fault\": \"slow-headers\", \"match\": \"Items$\", \"delay\": 1, \"count\": 1}");
  hw_emby_client_get_items_async (f->client, "2000", 100, cancel_c, on_items, &c);
  spin_for (0.2);
  g_cancellable_cancel (cancel_c);
  g_assert_true (spin_until (&c.done, 5));
  g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  outcome_clear (&b);
  hw_emby_client_get_items_async (f->client, "2000", 100, NULL, on_items, &b);
  g_assert_true (spin_until (&b.done, 10));
  g_assert_no_error (b.error);
  g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_ONLINE);

  outcome_clear (&a);
  outcome_clear (&b);
  outcome_clear (&c);
}

static void
test_gate (Fixture       *f,
           gconstpointer  data)
{
  Outcome o = { 0 };
  guint views_before;

  start_online (f);
  control (f, "{\"fault\": \"refuse\", \"delay\": 3}");
  spin_for (0.3);

  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  /* The probe that follows is refused too: the gate closes. */
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_OFFLINE, 5));

  /* While the gate is closed nothing but the probe goes out. */
  views_before = log_count (f, "GET", "Views$");
  for (guint i = 0; i < 5; i++)
    {
      get_views (f, &o);
      g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_OFFLINE);
    }
  outcome_clear (&o);

  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_ONLINE, 10));
  g_assert_cmpuint (log_count (f, "GET", "Views$"), ==, views_before);
  get_views (f, &o);
  g_assert_no_error (o.error);
  outcome_clear (&o);
}

/* An address where something answers, but not Emby: the reason says to
 * check server-url, and the gate keeps probing until Emby answers. */
static void
test_not_emby (Fixture       *f,
               gconstpointer  data)
{
  const char *reason;

  control (f, "{\"fault\": \"status\", \"match\": \"Info/Public$\", \"status\": 404, "
              "\"count\": 1}");
  control (f, "{\"fault\": \"html\", \"match\": \"Info/Public$\", \"count\": 1}");
  fixture_make_client (f);
  hw_emby_client_start (f->client);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_OFFLINE, 5));
  reason = hw_emby_client_get_state_reason (f->client);
  g_assert_nonnull (reason);
  g_assert_nonnull (strstr (reason, "check server-url"));
  g_assert_nonnull (strstr (reason, "404"));

  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_ONLINE, 10));
  g_assert_cmpuint (log_count (f, "GET", "Info/Public$"), >=, 3);
}

static void
test_suspect_server (Fixture       *f,
                     gconstpointer  data)
{
  guint probes;

  start_online (f);
  probes = log_count (f, "GET", "Info/Public$");
  hw_emby_client_suspect_server (f->client);
  g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_OFFLINE);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_ONLINE, 5));
  g_assert_cmpuint (log_count (f, "GET", "Info/Public$"), ==, probes + 1);
}

static void
test_config_change_clears_sign_in_required (Fixture       *f,
                                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_setenv ("HYPERWALL_PASSWORD", "wrong", TRUE);
  fixture_make_client (f);
  hw_emby_client_start (f->client);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_SIGN_IN_REQUIRED, 10));

  g_setenv ("HYPERWALL_PASSWORD", PASSWORD, TRUE);
  /* The command-line layer: a new user name is a new identity. */
  g_assert_true (hw_config_set_from_string (f->config, "username", "WALL", &error));
  g_assert_no_error (error);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_ONLINE, 10));
  remember_token (f);
  g_assert_cmpuint (log_count (f, "POST", "AuthenticateByName"), ==, 2);
}

/* ------------------------------------------------------------------ */
/* TLS                                                                 */

/* Not trusted and not pinned: refused, and the reason says which
 * certificate and which setting accepts it. */
static void
test_tls_untrusted (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *setting = NULL;
  const char *reason;

  if (f->server == NULL)
    return;
  fixture_make_client (f);
  hw_emby_client_start (f->client);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_OFFLINE, 10));
  reason = hw_emby_client_get_state_reason (f->client);
  g_test_message ("reason: %s", reason);
  g_assert_nonnull (strstr (reason, f->fingerprint_a));
  g_assert_nonnull (strstr (reason, "accept-certificate"));
  g_assert_nonnull (strstr (captured_log->str, f->fingerprint_a));
  g_assert_cmpuint (log_count (f, NULL, "."), ==, 0);

  /* Accepting it (here through the settings layer) connects. */
  setting = g_strdup_printf ("sha256 Fingerprint=%s", f->fingerprint_a);
  g_assert_true (hw_config_set_from_string (f->config, "accept-certificate", setting, NULL));
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_ONLINE, 10));
  remember_token (f);
}

static void
test_tls_pinned (Fixture       *f,
                 gconstpointer  data)
{
  Outcome o = { 0 };

  if (f->server == NULL)
    return;
  g_setenv ("HYPERWALL_ACCEPT_CERTIFICATE", f->fingerprint_a, TRUE);
  start_online (f);
  get_views (f, &o);
  g_assert_no_error (o.error);
  outcome_clear (&o);
  g_assert_cmpuint (log_count (f, "GET", "Views$"), ==, 1);
}

/* Pinned, and the server now shows another certificate: refused, saying
 * it changed. */
static void
test_tls_changed (Fixture       *f,
                  gconstpointer  data)
{
  const char *reason;

  if (f->server == NULL)
    return;
  g_setenv ("HYPERWALL_ACCEPT_CERTIFICATE", f->fingerprint_b, TRUE);
  fixture_make_client (f);
  hw_emby_client_start (f->client);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_OFFLINE, 10));
  reason = hw_emby_client_get_state_reason (f->client);
  g_test_message ("reason: %s", reason);
  g_assert_nonnull (strstr (reason, "changed"));
  g_assert_nonnull (strstr (reason, f->fingerprint_a));
  g_assert_nonnull (strstr (reason, f->fingerprint_b));
  g_assert_cmpuint (log_count (f, NULL, "."), ==, 0);
}

/* ------------------------------------------------------------------ */
/* The feed                                                            */

typedef struct {
  gboolean     done;
  HwMediaItem *item;
  GError      *error;
} ItemOutcome;

static void
on_next_item (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ItemOutcome *o = user_data;

  o->item = hw_feed_next_item_finish (HW_FEED (source), result, &o->error);
  o->done = TRUE;
}

static HwMediaItem *
next_item (HwFeed  *feed,
           guint    cell,
           GError **error)
{
  ItemOutcome o = { 0 };

  hw_feed_next_item_async (feed, cell, NULL, on_next_item, &o);
  g_assert_true (spin_until (&o.done, 10));
  if (o.error != NULL)
    g_propagate_error (error, o.error);
  return o.item;
}

static void
test_feed_items (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(HwEmbyFeed) feed = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  HwMediaItem *items[4];
  g_autofree char *base = g_strconcat (f->origin, "/emby", NULL);
  g_autofree char *server_url = NULL;

  fixture_make_client (f);
  feed = hw_emby_feed_new_with_client (f->config, f->client);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_ONLINE, 10));
  g_assert_cmpint (hw_feed_get_server_state (HW_FEED (feed)), ==, HW_SERVER_STATE_ONLINE);
  server_url = hw_feed_dup_server_url (HW_FEED (feed));
  g_assert_cmpstr (server_url, ==, base);
  remember_token (f);

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *direct_prefix = NULL;
      g_autofree char *fallback_prefix = NULL;
      g_autofree char *source_id = NULL;
      const char *id;

      items[i] = next_item (HW_FEED (feed), i, &error);
      g_assert_no_error (error);
      id = hw_media_item_get_id (items[i]);
      g_assert_false (g_hash_table_contains (seen, id));
      g_hash_table_add (seen, (gpointer) id);

      direct_prefix = g_strdup_printf ("%s/Videos/%s/stream?Static=true&MediaSourceId=ms%s"
                                       "&PlaySessionId=", base, id, id);
      g_assert_true (g_str_has_prefix (hw_media_item_get_direct_url (items[i]), direct_prefix));
      g_assert_nonnull (strstr (hw_media_item_get_direct_url (items[i]), "&DeviceId="));
      g_assert_nonnull (strstr (hw_media_item_get_direct_url (items[i]), "&api_key="));
      /* TranscodingUrl is server-relative without /emby. */
      fallback_prefix = g_strdup_printf ("%s/videos/%s/master.m3u8?", base, id);
      g_assert_true (g_str_has_prefix (hw_media_item_get_fallback_url (items[i]), fallback_prefix));
      /* The media source's RunTimeTicks (30 s), not the item's (31 s). */
      g_assert_cmpfloat_with_epsilon (hw_media_item_get_duration (items[i]), 30.0, 0.01);
      g_assert_true (hw_media_item_get_is_network (items[i]));
      g_assert_nonnull (hw_media_item_get_session_id (items[i]));
      source_id = g_strconcat ("ms", id, NULL);
      g_assert_cmpstr (hw_media_item_get_source_id (items[i]), ==, source_id);
    }

  /* Paged once per library, with the contract's parameters. */
  g_assert_cmpuint (log_count (f, "GET", "Items$"), ==, 2);
  g_assert_cmpuint (log_count (f, "GET", "Views$"), ==, 1);

  hw_feed_report (HW_FEED (feed), items[0], HW_FEED_REPORT_STARTED, 0.0);
  hw_feed_report (HW_FEED (feed), items[0], HW_FEED_REPORT_PROGRESS, 1.0);
  hw_feed_report (HW_FEED (feed), items[0], HW_FEED_REPORT_PROGRESS, 2.0);   /* throttled */
  /* Answered before "stopped", which would replace a progress in flight. */
  spin_for (0.3);
  hw_feed_report (HW_FEED (feed), items[0], HW_FEED_REPORT_STOPPED, 3.0);
  hw_feed_release_item (HW_FEED (feed), 0, items[0]);
  spin_for (0.5);
  g_assert_cmpuint (log_count (f, "POST", "Sessions/Playing$"), ==, 1);
  g_assert_cmpuint (log_count (f, "POST", "Sessions/Playing/Progress$"), ==, 1);
  g_assert_cmpuint (log_count (f, "POST", "Sessions/Playing/Stopped$"), ==, 1);
  g_assert_cmpuint (log_count (f, "DELETE", "Videos/ActiveEncodings$"), ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      if (i > 0)
        hw_feed_release_item (HW_FEED (feed), i, items[i]);
      g_object_unref (items[i]);
    }
}

static void
test_feed_skips_missing (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(HwEmbyFeed) feed = NULL;
  g_autoptr(HwMediaItem) item = NULL;
  g_autoptr(GError) error = NULL;

  start_online (f);
  feed = hw_emby_feed_new_with_client (f->config, f->client);
  control (f, "{\"fault\": \"status\", \"match\": \"PlaybackInfo$\", \"status\": 404, \"count\": 2}");
  item = next_item (HW_FEED (feed), 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (item);
  g_assert_cmpuint (log_count (f, "POST", "PlaybackInfo$"), >=, 3);
}

static void
test_feed_unknown_library (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(HwEmbyFeed) feed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HwMediaItem) item = NULL;

  g_setenv ("HYPERWALL_LIBRARIES", "Nope,Nada", TRUE);
  start_online (f);
  feed = hw_emby_feed_new_with_client (f->config, f->client);
  item = next_item (HW_FEED (feed), 0, &error);
  g_assert_null (item);
  g_assert_error (error, HW_FEED_ERROR, HW_FEED_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "Nope"));
  g_assert_nonnull (strstr (error->message, "Nada"));
}

static void
test_feed_library_filter (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(HwEmbyFeed) feed = NULL;

  g_setenv ("HYPERWALL_LIBRARIES", "clips", TRUE);
  start_online (f);
  feed = hw_emby_feed_new_with_client (f->config, f->client);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HwMediaItem) item = next_item (HW_FEED (feed), i, &error);

      g_assert_no_error (error);
    }
  /* Only the Clips library (id 2001) was paged, with the contract's query. */
  g_assert_cmpuint (log_count (f, "GET", "Items$"), ==, 1);
  g_assert_cmpuint (log_count_query (f, "GET", "Items$",
                                     "ParentId=2001&.*SortBy=Random&Limit=100&.*"
                                     "EnableTotalRecordCount=false"), ==, 1);
  /* Only what the parser reads: no Fields=, no images. */
  g_assert_cmpuint (log_count_query (f, "GET", "Items$", "(?i)Fields=|ImageType"), ==, 0);
  g_assert_cmpuint (log_count_query (f, "GET", "Items$", "EnableImages=false"), ==, 1);
}

static void
test_feed_prefetch (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(HwEmbyFeed) feed = NULL;
  g_autoptr(HwMediaItem) first = NULL;
  g_autoptr(HwMediaItem) second = NULL;
  g_autoptr(HwMediaItem) third = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  Outcome o = { 0 };

  start_online (f);
  feed = hw_emby_feed_new_with_client (f->config, f->client);
  first = next_item (HW_FEED (feed), 0, &error);
  g_assert_no_error (error);
  spin_for (0.5);

  /* Two more are ready: the next cell does not wait on PlaybackInfo. */
  g_assert_cmpuint (log_count (f, "POST", "PlaybackInfo$"), ==, 3);
  second = next_item (HW_FEED (feed), 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log_count (f, "POST", "PlaybackInfo$"), ==, 3);

  /* A new sign-in makes the prepared URLs useless: they are not handed out. */
  control (f, "{\"fault\": \"revoke-token\"}");
  get_views (f, &o);
  g_assert_no_error (o.error);
  outcome_clear (&o);
  remember_token (f);
  token = g_strdup (hw_emby_client_get_access_token (f->client));
  third = next_item (HW_FEED (feed), 2, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (hw_media_item_get_direct_url (third), token));
  g_assert_cmpstr (hw_media_item_get_id (third), !=, hw_media_item_get_id (first));
  g_assert_cmpstr (hw_media_item_get_id (third), !=, hw_media_item_get_id (second));
}

typedef struct {
  gboolean done;
  gboolean gone;
  GError  *error;
} CheckOutcome;

static void
on_stream_checked (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CheckOutcome *o = user_data;

  o->gone = hw_feed_check_stream_finish (HW_FEED (source), result, &o->error);
  o->done = TRUE;
}

/* What mpv does with a stream URL: a plain GET, the token in api_key. */
static guint
fetch_status (const char *url)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, message, NULL, NULL);

  return soup_message_get_status (message);
}

/* An admin signs the device out while cells play. The cell's stream fails
 * with 401 in mpv and it asks the feed whether the stream is gone: that
 * check meets the revocation, the client signs in once more, and the URLs
 * of every item handed out or prepared are minted again with the new
 * token. Nothing minted with the old token counts against the new one. */
static void
test_feed_revoked_token (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(HwEmbyFeed) feed = NULL;
  g_autoptr(HwMediaItem) playing = NULL;
  g_autoptr(HwMediaItem) next = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old_token = NULL;
  g_autofree char *old_url = NULL;
  const char *token;
  CheckOutcome check = { 0 };

  start_online (f);
  feed = hw_emby_feed_new_with_client (f->config, f->client);
  playing = next_item (HW_FEED (feed), 0, &error);
  g_assert_no_error (error);
  spin_for (0.5);   /* two more prepared */
  old_token = g_strdup (hw_emby_client_get_access_token (f->client));
  old_url = g_strdup (hw_media_item_get_direct_url (playing));
  g_assert_cmpuint (fetch_status (old_url), ==, 200);

  control (f, "{\"fault\": \"revoke-token\"}");
  g_assert_cmpuint (fetch_status (old_url), ==, 401);

  hw_feed_check_stream_async (HW_FEED (feed), playing, old_url, NULL, on_stream_checked, &check);
  g_assert_true (spin_until (&check.done, 10));
  g_assert_no_error (check.error);
  g_assert_false (check.gone);
  remember_token (f);

  g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_ONLINE);
  g_assert_cmpuint (log_count (f, "POST", "AuthenticateByName"), ==, 2);
  token = hw_emby_client_get_access_token (f->client);
  g_assert_cmpstr (token, !=, old_token);

  /* The item the cell holds: its next load uses the new token. */
  g_assert_true (hw_emby_url_carries_token (hw_media_item_get_direct_url (playing), token));
  g_assert_false (hw_emby_url_carries_token (hw_media_item_get_direct_url (playing), old_token));
  g_assert_true (hw_emby_url_carries_token (hw_media_item_get_fallback_url (playing), token));
  g_assert_false (hw_emby_url_carries_token (hw_media_item_get_fallback_url (playing), old_token));
  g_assert_cmpuint (fetch_status (hw_media_item_get_direct_url (playing)), ==, 200);

  /* A prepared item is minted again rather than thrown away. */
  next = next_item (HW_FEED (feed), 1, &error);
  g_assert_no_error (error);
  g_assert_true (hw_emby_url_carries_token (hw_media_item_get_direct_url (next), token));
  g_assert_cmpuint (log_count (f, "POST", "PlaybackInfo$"), ==, 3);
  g_assert_cmpuint (log_count (f, "POST", "AuthenticateByName"), ==, 2);

  hw_feed_release_item (HW_FEED (feed), 0, playing);
  hw_feed_release_item (HW_FEED (feed), 1, next);
}

static void
test_feed_sign_in_required (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(HwEmbyFeed) feed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HwMediaItem) item = NULL;

  g_setenv ("HYPERWALL_PASSWORD", "wrong", TRUE);
  fixture_make_client (f);
  feed = hw_emby_feed_new_with_client (f->config, f->client);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_SIGN_IN_REQUIRED, 10));
  item = next_item (HW_FEED (feed), 0, &error);
  g_assert_error (error, HW_FEED_ERROR, HW_FEED_ERROR_SIGN_IN_REQUIRED);
  g_assert_cmpint (hw_feed_get_server_state (HW_FEED (feed)), ==, HW_SERVER_STATE_SIGN_IN_REQUIRED);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *id_dir = NULL;
  g_autofree char *id_path = NULL;
  int ret;

  /* Before anything reads it: the device id goes to a scratch data dir. */
  data_home = g_dir_make_tmp ("hw-emby-data-XXXXXX", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("HYPERWALL_NO_KEYRING", "1", TRUE);

  g_test_init (&argc, &argv, NULL);
  /* The client warns when the server goes away; here that is expected. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  captured_log = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);

#define ADD(path, func, data) \
  g_test_add ("/hyperwall/emby/" path, Fixture, data, fixture_setup, func, fixture_teardown)

  ADD ("client/sign-in", test_sign_in, NULL);
  ADD ("client/device-id-stable", test_device_id_stable, NULL);
  g_test_add ("/hyperwall/emby/client/path-prefix", Fixture, NULL, fixture_setup_prefix,
              test_prefix, fixture_teardown);
  ADD ("client/401-one-re-sign-in", test_reauth_once, NULL);
  ADD ("client/401-concurrent-one-re-sign-in", test_reauth_concurrent, NULL);
  ADD ("client/wrong-password-bounded", test_wrong_password, NULL);
  ADD ("client/revoked-and-password-refused", test_revoked_and_refused, NULL);
  ADD ("client/unattended-refused-retries-slowly", test_unattended_refused_retries, NULL);
  ADD ("client/typed-password-refused-stays", test_typed_refused_stays, NULL);
  ADD ("client/password-file-mode", test_password_file_mode, NULL);
  ADD ("client/api-key", test_api_key, NULL);
  ADD ("client/api-key-without-user-id", test_api_key_without_user, NULL);
  ADD ("client/deadline-slow-headers", test_deadline, NULL);
  ADD ("client/deadline-stalled-body", test_stalled_body, NULL);
  ADD ("client/no-answer-suspicion-probe-decides", test_suspicion_probe_decides, NULL);
  ADD ("client/reports-best-effort", test_reports_best_effort, NULL);
  ADD ("client/status-500-transient", test_status_500, NULL);
  ADD ("client/retry-after", test_retry_after, NULL);
  ADD ("client/404-403", test_not_found, NULL);
  ADD ("client/malformed-json-and-html", test_malformed, NULL);
  ADD ("client/body-cap", test_body_cap, NULL);
  ADD ("client/coalesce", test_coalesce, NULL);
  ADD ("client/coalesce-cancel", test_coalesce_cancel, NULL);
  ADD ("client/gate-refused", test_gate, NULL);
  ADD ("client/suspect-server", test_suspect_server, NULL);
  ADD ("client/not-emby", test_not_emby, NULL);
  ADD ("client/config-change-clears-sign-in-required",
       test_config_change_clears_sign_in_required, NULL);
  g_test_add ("/hyperwall/emby/tls/untrusted-refused-with-fingerprint", Fixture, NULL,
              fixture_setup_tls, test_tls_untrusted, fixture_teardown);
  g_test_add ("/hyperwall/emby/tls/pinned", Fixture, NULL, fixture_setup_tls, test_tls_pinned,
              fixture_teardown);
  g_test_add ("/hyperwall/emby/tls/pinned-but-changed", Fixture, NULL, fixture_setup_tls,
              test_tls_changed, fixture_teardown);
  ADD ("feed/items", test_feed_items, NULL);
  ADD ("feed/skips-missing", test_feed_skips_missing, NULL);
  ADD ("feed/unknown-library", test_feed_unknown_library, NULL);
  ADD ("feed/library-filter", test_feed_library_filter, NULL);
  ADD ("feed/sign-in-required", test_feed_sign_in_required, NULL);
  ADD ("feed/prefetch", test_feed_prefetch, NULL);
  ADD ("feed/revoked-token-urls-minted-again", test_feed_revoked_token, NULL);

#undef ADD

  ret = g_test_run ();

  id_dir = g_build_filename (data_home, "hyperwall", NULL);
  id_path = g_build_filename (id_dir, "device-id", NULL);
  g_unlink (id_path);
  g_rmdir (id_dir);
  g_rmdir (data_home);
  return ret;
}
