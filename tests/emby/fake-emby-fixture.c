/* fake-emby-fixture.c: the fake server, the client and the log checks
 * every Emby client test shares (see fake-emby-fixture.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "fake-emby-fixture.h"

GString *captured_log;
char    *data_home;

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
gboolean
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

void
spin_for (double seconds)
{
  gboolean never = FALSE;

  spin_until (&never, seconds);
}

gboolean
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

void
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

void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  fixture_setup_with (f, NULL, "");
}

/* Behind a reverse proxy at /proxy, configured without /emby and with a
 * trailing slash. */
void
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
void
fixture_setup_tls (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *dir = g_dir_make_tmp ("hw-emby-tls-XXXXXX", NULL);
  g_autofree char *cert = g_build_filename (dir, "a.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "a.key", NULL);
  g_autofree char *url = NULL;
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  const char *args[] = { "--tls-cert", cert, "--tls-key", key, NULL };

  if (openssl == NULL)
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

void
fixture_make_client (Fixture *f)
{
  f->config = hw_config_new ();
  f->client = hw_emby_client_new (f->config);
}

void
remember_token (Fixture *f)
{
  const char *token = hw_emby_client_get_access_token (f->client);

  if (token != NULL)
    g_ptr_array_add (f->tokens, g_strdup (token));
}

/* Every token the fake server issued, read back from its log. */
void
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

void
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
guint
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

guint
log_count (Fixture    *f,
           const char *method,
           const char *path_regex)
{
  return log_count_query (f, method, path_regex, NULL);
}

/* The X-Emby-Authorization header of the first logged request to @path_regex. */
char *
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

void
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

void
outcome_clear (Outcome *o)
{
  g_clear_pointer ((GPtrArray **) &o->result, g_ptr_array_unref);
  g_clear_error (&o->error);
  o->done = FALSE;
}

void
on_views (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Outcome *o = user_data;

  o->result = hw_emby_client_get_views_finish (HW_EMBY_CLIENT (source), result, &o->error);
  o->finished_us = g_get_monotonic_time ();
  o->done = TRUE;
}

void
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
void
get_views (Fixture *f,
           Outcome *o)
{
  outcome_clear (o);
  hw_emby_client_get_views_async (f->client, NULL, on_views, o);
  g_assert_true (spin_until (&o->done, 10));
}

void
start_online (Fixture *f)
{
  fixture_make_client (f);
  hw_emby_client_start (f->client);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_ONLINE, 10));
  remember_token (f);
}


void
get_items (Fixture *f,
           Outcome *o)
{
  outcome_clear (o);
  hw_emby_client_get_items_async (f->client, "2000", 10, NULL, on_items, o);
  g_assert_true (spin_until (&o->done, 10));
}

void
fixture_main_init (int    *argc,
                   char ***argv)
{
  /* Before anything reads it: the device id goes to a scratch data dir. */
  data_home = g_dir_make_tmp ("hw-emby-data-XXXXXX", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("HYPERWALL_NO_KEYRING", "1", TRUE);

  g_test_init (argc, argv, NULL);
  /* The client warns when the server goes away; here that is expected. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  captured_log = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);
}

void
fixture_main_cleanup (void)
{
  g_autofree char *id_dir = g_build_filename (data_home, "hyperwall", NULL);
  g_autofree char *id_path = g_build_filename (id_dir, "device-id", NULL);

  g_unlink (id_path);
  g_rmdir (id_dir);
  g_rmdir (data_home);
}
