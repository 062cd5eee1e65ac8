/* test-emby-sign-in.c: how HwEmbyClient gets and keeps a token, against
 * tests/fake-emby.py: sign-in, 401 and one new sign-in, refused
 * credentials (unattended ones retried slowly), the password file's mode,
 * API keys, and which TLS certificate is accepted. The fixture is
 * fake-emby-fixture.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "fake-emby-fixture.h"

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

int
main (int   argc,
      char *argv[])
{
  int ret;

  fixture_main_init (&argc, &argv);

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
  ADD ("client/config-change-clears-sign-in-required",
       test_config_change_clears_sign_in_required, NULL);
  g_test_add ("/hyperwall/emby/tls/untrusted-refused-with-fingerprint", Fixture, NULL,
              fixture_setup_tls, test_tls_untrusted, fixture_teardown);
  g_test_add ("/hyperwall/emby/tls/pinned", Fixture, NULL, fixture_setup_tls, test_tls_pinned,
              fixture_teardown);
  g_test_add ("/hyperwall/emby/tls/pinned-but-changed", Fixture, NULL, fixture_setup_tls,
              test_tls_changed, fixture_teardown);

#undef ADD

  ret = g_test_run ();
  fixture_main_cleanup ();
  return ret;
}
