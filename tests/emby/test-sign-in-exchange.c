/* test-sign-in-exchange.c: HwEmbySignIn without a server.
 *
 * The sign-in speaks no HTTP: it hands the body to an exchange, here the
 * test's, which answers from a script (a token, a refusal, a transient
 * failure, or nothing yet). No keyring (HYPERWALL_NO_KEYRING).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "hw-emby-protocol.h"
#include "hw-emby-sign-in.h"
#include "hw-redact.h"

#define API_KEY  "0123456789abcdef0123456789abcdef"
#define USER_ID  "5e1f0c0d2b1e4f6a8c9d0e1f2a3b4c5d"

typedef enum {
  ANSWER_TOKEN,       /* a fresh token each time */
  ANSWER_REFUSED,     /* 401 */
  ANSWER_TRANSIENT,   /* no answer */
  ANSWER_LATER,       /* kept pending until the test answers */
} Answer;

typedef struct {
  HwEmbySignIn *sign_in;
  char         *dir;
  char         *password_file;
  Answer        answer;
  guint         exchanges;
  char         *last_body;
  GTask        *pending;
  guint         signed_in;
  gboolean      last_checked;
  guint         required;
  char         *required_reason;
  guint         retries;
  guint         generation_notified;
} Fixture;

typedef struct {
  guint   calls;
  GError *error;
} WaitResult;

static void
on_waited (const GError *error,
           gpointer      data)
{
  WaitResult *result = data;

  result->calls++;
  g_clear_error (&result->error);
  if (error != NULL)
    result->error = g_error_copy (error);
}

static GBytes *
auth_reply (const char *json)
{
  return g_bytes_new (json, strlen (json));
}

static void
fake_exchange (const char          *body,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data,
               gpointer             exchange_data)
{
  Fixture *f = exchange_data;
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree char *reply = NULL;

  f->exchanges++;
  g_free (f->last_body);
  f->last_body = g_strdup (body);

  switch (f->answer)
    {
    case ANSWER_TOKEN:
      reply = g_strdup_printf ("{\"AccessToken\": \"token-%04u-0123456789abcdef\", "
                               "\"ServerId\": \"s\", \"User\": {\"Id\": \"" USER_ID "\"}}",
                               f->exchanges);
      g_task_return_pointer (task, g_bytes_new_take (g_steal_pointer (&reply), strlen (reply)),
                             (GDestroyNotify) g_bytes_unref);
      break;
    case ANSWER_REFUSED:
      g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED, "401");
      break;
    case ANSWER_TRANSIENT:
      g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT,
                               "POST /Users/AuthenticateByName: no answer within 20 s");
      break;
    case ANSWER_LATER:
    default:
      f->pending = g_steal_pointer (&task);
      break;
    }
}

static void
on_signed_in (HwEmbySignIn *sign_in,
              gboolean      checked,
              gpointer      user_data)
{
  Fixture *f = user_data;

  f->signed_in++;
  f->last_checked = checked;
}

static void
on_required (HwEmbySignIn *sign_in,
             const char   *reason,
             gpointer      user_data)
{
  Fixture *f = user_data;

  f->required++;
  g_free (f->required_reason);
  f->required_reason = g_strdup (reason);
}

static void
on_retry (HwEmbySignIn *sign_in,
          gpointer      user_data)
{
  Fixture *f = user_data;

  f->retries++;
}

static void
on_generation (HwEmbySignIn *sign_in,
               GParamSpec   *pspec,
               gpointer      user_data)
{
  Fixture *f = user_data;

  f->generation_notified++;
}

static void spin_until (gboolean *flag_or_null,
                        guint     ms);

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(HwTokenStore) tokens = hw_token_store_new ();
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("hw-sign-in-XXXXXX", &error);
  g_assert_no_error (error);
  f->password_file = g_build_filename (f->dir, "password", NULL);
  g_file_set_contents (f->password_file, "secret\n", -1, &error);
  g_assert_no_error (error);
  g_chmod (f->password_file, 0600);

  f->sign_in = hw_emby_sign_in_new (tokens, fake_exchange, f);
  hw_emby_sign_in_configure (f->sign_in, "http://127.0.0.1:1/emby", "wall", NULL, NULL);
  g_signal_connect (f->sign_in, "signed-in", G_CALLBACK (on_signed_in), f);
  g_signal_connect (f->sign_in, "required", G_CALLBACK (on_required), f);
  g_signal_connect (f->sign_in, "retry", G_CALLBACK (on_retry), f);
  g_signal_connect (f->sign_in, "notify::token-generation", G_CALLBACK (on_generation), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->pending != NULL)
    {
      g_task_return_new_error (f->pending, G_IO_ERROR, G_IO_ERROR_CANCELLED, "teardown");
      g_clear_object (&f->pending);
    }
  /* Let returned tasks and the token store's answer deliver: they hold
   * the sign-in until then. */
  spin_until (NULL, 20);
  g_assert_finalize_object (f->sign_in);
  g_unlink (f->password_file);
  g_rmdir (f->dir);
  g_free (f->password_file);
  g_free (f->dir);
  g_free (f->last_body);
  g_free (f->required_reason);
  hw_redact_clear_secrets ();
}

static void
spin_until (gboolean *flag_or_null,
            guint     ms)
{
  gint64 end = g_get_monotonic_time () + ms * (G_USEC_PER_SEC / 1000);

  while (g_get_monotonic_time () < end && (flag_or_null == NULL || !*flag_or_null))
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (500);
    }
}

static void
spin_for_calls (WaitResult *waited,
                guint       calls)
{
  gint64 end = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  while (waited->calls < calls && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
}

/* The API key is the token at once: no exchange, nobody checked it yet. */
static void
test_api_key (Fixture       *f,
              gconstpointer  data)
{
  WaitResult waited = { 0, };
  g_autofree char *masked = NULL;

  hw_emby_sign_in_configure (f->sign_in, "http://127.0.0.1:1/emby", "wall", USER_ID, API_KEY);
  g_assert_true (hw_emby_sign_in_uses_api_key (f->sign_in));
  g_assert_true (hw_emby_sign_in_has_credentials (f->sign_in));

  hw_emby_sign_in_request (f->sign_in, on_waited, &waited);
  g_assert_cmpuint (waited.calls, ==, 1);
  g_assert_no_error (waited.error);
  g_assert_cmpuint (f->exchanges, ==, 0);
  g_assert_cmpstr (hw_emby_sign_in_get_token (f->sign_in), ==, API_KEY);
  g_assert_cmpstr (hw_emby_sign_in_get_user_id (f->sign_in), ==, USER_ID);
  g_assert_cmpuint (hw_emby_sign_in_get_token_generation (f->sign_in), ==, 1);
  g_assert_cmpuint (f->generation_notified, ==, 1);
  g_assert_cmpuint (f->signed_in, ==, 1);
  g_assert_false (f->last_checked);

  masked = hw_redact ("key " API_KEY);
  g_assert_cmpstr (masked, ==, "key ***");
}

/* An API key without a user id cannot work: sign-in required, and why. */
static void
test_api_key_without_user (Fixture       *f,
                           gconstpointer  data)
{
  WaitResult waited = { 0, };

  hw_emby_sign_in_configure (f->sign_in, "http://127.0.0.1:1/emby", "wall", "", API_KEY);
  hw_emby_sign_in_request (f->sign_in, on_waited, &waited);
  g_assert_cmpuint (f->required, ==, 1);
  g_assert_nonnull (strstr (f->required_reason, "user-id"));
  g_assert_error (waited.error, HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED);
  g_clear_error (&waited.error);
  g_assert_null (hw_emby_sign_in_get_token (f->sign_in));
}

/* A password from the file: one exchange for all waiters, the password in
 * its body only, the token handed out and registered for redaction. */
static void
test_password_shared_attempt (Fixture       *f,
                              gconstpointer  data)
{
  WaitResult waited[3] = { { 0, }, };
  g_autofree char *masked = NULL;

  f->answer = ANSWER_LATER;
  g_assert_true (hw_emby_sign_in_set_password_file (f->sign_in, f->password_file));
  g_assert_false (hw_emby_sign_in_set_password_file (f->sign_in, f->password_file));
  for (guint i = 0; i < G_N_ELEMENTS (waited); i++)
    hw_emby_sign_in_request (f->sign_in, on_waited, &waited[i]);
  g_assert_cmpuint (f->exchanges, ==, 1);
  g_assert_nonnull (strstr (f->last_body, "\"Pw\":\"secret\""));
  g_assert_nonnull (f->pending);

  g_task_return_pointer (f->pending,
                         auth_reply ("{\"AccessToken\": \"kept-token-0123456789abcdef\","
                                             " \"User\": {\"Id\": \"" USER_ID "\"}}"),
                         (GDestroyNotify) g_bytes_unref);
  g_clear_object (&f->pending);
  spin_for_calls (&waited[2], 1);
  for (guint i = 0; i < G_N_ELEMENTS (waited); i++)
    {
      g_assert_cmpuint (waited[i].calls, ==, 1);
      g_assert_no_error (waited[i].error);
    }
  g_assert_cmpstr (hw_emby_sign_in_get_token (f->sign_in), ==, "kept-token-0123456789abcdef");
  g_assert_cmpuint (f->signed_in, ==, 1);
  g_assert_true (f->last_checked);
  masked = hw_redact ("t=kept-token-0123456789abcdef");
  g_assert_null (strstr (masked, "kept-token"));
}

/* Refused typed credentials stop until a person answers: no retry. */
static void
test_refused_typed (Fixture       *f,
                    gconstpointer  data)
{
  WaitResult waited = { 0, };

  f->answer = ANSWER_REFUSED;
  hw_emby_sign_in_set_typed_password (f->sign_in, "typed");
  hw_emby_sign_in_request (f->sign_in, on_waited, &waited);
  spin_for_calls (&waited, 1);
  g_assert_error (waited.error, HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED);
  g_clear_error (&waited.error);
  g_assert_cmpuint (f->required, ==, 1);
  g_assert_null (strstr (f->required_reason, "Trying again"));
  spin_until (NULL, 50);
  g_assert_cmpuint (f->retries, ==, 0);
  g_assert_cmpuint (f->exchanges, ==, 1);
}

/* Refused unattended credentials (the password file): required, says
 * when it tries again, and does (ten backoff-max, here 10 ms ± 25 %). */
static void
test_refused_unattended_retries (Fixture       *f,
                                 gconstpointer  data)
{
  WaitResult waited = { 0, };
  gboolean retried = FALSE;

  f->answer = ANSWER_REFUSED;
  hw_emby_sign_in_set_backoff_max (f->sign_in, 1000);
  hw_emby_sign_in_set_password_file (f->sign_in, f->password_file);
  hw_emby_sign_in_request (f->sign_in, on_waited, &waited);
  spin_for_calls (&waited, 1);
  g_assert_error (waited.error, HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED);
  g_clear_error (&waited.error);
  g_assert_cmpuint (f->required, ==, 1);
  g_assert_nonnull (strstr (f->required_reason, "Trying again in"));
  g_assert_null (strstr (f->required_reason, "secret"));

  for (guint i = 0; i < 400 && !retried; i++)
    {
      spin_until (NULL, 5);
      retried = f->retries > 0;
    }
  g_assert_cmpuint (f->retries, ==, 1);
  /* The retry is the owner's to act on: nothing was sent by itself. */
  g_assert_cmpuint (f->exchanges, ==, 1);
}

/* A transient failure fails the waiters with it and says nothing of the
 * credentials; the next request tries again. */
static void
test_transient (Fixture       *f,
                gconstpointer  data)
{
  WaitResult waited = { 0, };

  f->answer = ANSWER_TRANSIENT;
  hw_emby_sign_in_set_password_file (f->sign_in, f->password_file);
  hw_emby_sign_in_request (f->sign_in, on_waited, &waited);
  spin_for_calls (&waited, 1);
  g_assert_error (waited.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  g_clear_error (&waited.error);
  g_assert_cmpuint (f->required, ==, 0);

  f->answer = ANSWER_TOKEN;
  hw_emby_sign_in_request (f->sign_in, on_waited, &waited);
  spin_for_calls (&waited, 2);
  g_assert_no_error (waited.error);
  g_assert_cmpuint (f->exchanges, ==, 2);
}

/* A password file others can read is refused before it is read. */
static void
test_password_file_mode (Fixture       *f,
                         gconstpointer  data)
{
  WaitResult waited = { 0, };

  g_chmod (f->password_file, 0644);
  hw_emby_sign_in_set_password_file (f->sign_in, f->password_file);
  hw_emby_sign_in_request (f->sign_in, on_waited, &waited);
  g_assert_cmpuint (f->exchanges, ==, 0);
  g_assert_error (waited.error, HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED);
  g_clear_error (&waited.error);
  g_assert_nonnull (strstr (f->required_reason, "chmod 600"));
}

/* A reset drops the attempt in flight (its late answer is ignored) and
 * fails the waiters with the reset's error. */
static void
test_reset (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "changed");
  WaitResult waited = { 0, };
  g_autoptr(GTask) late = NULL;

  f->answer = ANSWER_LATER;
  hw_emby_sign_in_set_password_file (f->sign_in, f->password_file);
  hw_emby_sign_in_request (f->sign_in, on_waited, &waited);
  late = g_steal_pointer (&f->pending);
  hw_emby_sign_in_reset (f->sign_in, error);
  g_assert_cmpuint (waited.calls, ==, 1);
  g_assert_error (waited.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&waited.error);

  g_task_return_pointer (late,
                         auth_reply ("{\"AccessToken\": \"late-token-0123456789abcdef\","
                                             " \"User\": {\"Id\": \"" USER_ID "\"}}"),
                         (GDestroyNotify) g_bytes_unref);
  spin_until (NULL, 20);
  g_assert_null (hw_emby_sign_in_get_token (f->sign_in));
  g_assert_cmpuint (f->signed_in, ==, 0);
}

/* Every sign-in rotates the redaction slot: a wall that signs in again
 * and again keeps a bounded registry. */
static void
test_tokens_rotate (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "changed");
  WaitResult waited = { 0, };

  f->answer = ANSWER_TOKEN;
  hw_emby_sign_in_set_password_file (f->sign_in, f->password_file);
  for (guint i = 0; i < 50; i++)
    {
      hw_emby_sign_in_request (f->sign_in, on_waited, &waited);
      spin_for_calls (&waited, i + 1);
      g_assert_no_error (waited.error);
      hw_emby_sign_in_token_refused (f->sign_in);
    }
  g_assert_cmpuint (f->exchanges, ==, 50);
  g_assert_cmpuint (hw_redact_count_secrets (), <=, HW_REDACT_SLOT_GENERATIONS);
  g_assert_cmpuint (hw_emby_sign_in_get_token_generation (f->sign_in), ==, 100);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("HYPERWALL_NO_KEYRING", "1", TRUE);
  g_unsetenv ("HYPERWALL_PASSWORD");
  g_unsetenv ("CREDENTIALS_DIRECTORY");
  g_test_init (&argc, &argv, NULL);
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);

#define ADD(path, func) \
  g_test_add ("/hyperwall/emby/sign-in/" path, Fixture, NULL, fixture_setup, func, \
              fixture_teardown)

  ADD ("api-key", test_api_key);
  ADD ("api-key-without-user", test_api_key_without_user);
  ADD ("password-shared-attempt", test_password_shared_attempt);
  ADD ("refused-typed", test_refused_typed);
  ADD ("refused-unattended-retries", test_refused_unattended_retries);
  ADD ("transient", test_transient);
  ADD ("password-file-mode", test_password_file_mode);
  ADD ("reset", test_reset);
  ADD ("tokens-rotate", test_tokens_rotate);

#undef ADD

  return g_test_run ();
}
