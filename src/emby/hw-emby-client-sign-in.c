/* hw-emby-client-sign-in.c: how HwEmbyClient gets an access token.
 *
 * In order: HYPERWALL_API_KEY (with the configured user-id), a token kept
 * in the Secret Service for this server and user name, then a password
 * (typed into the sign-in dialog, HYPERWALL_PASSWORD, or the password
 * file) sent once to /Users/AuthenticateByName. Whichever way, calls wait
 * in sign_in_waiters and one attempt runs at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "hw-emby-client-private.h"
#include "hw-redact.h"

/* ------------------------------------------------------------------ */
/* The token kept in the Secret Service (hw-token-store.c)             */

static void
on_token_stored (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(HwEmbyClient) self = user_data;

  /* A failure is the store's to log; the token stays in memory anyway. */
  hw_token_store_save_finish (HW_TOKEN_STORE (source), result, NULL);
}

static void
store_token (HwEmbyClient *self)
{
  hw_token_store_save_async (self->tokens, self->base_url, self->username, self->user_id,
                             self->token, self->life, on_token_stored, g_object_ref (self));
}

void
_hw_emby_client_clear_stored_token (HwEmbyClient *self)
{
  if (self->username == NULL || self->api_key != NULL)
    return;

  hw_token_store_forget (self->tokens, self->base_url, self->username);
}

static void
on_token_looked_up (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(HwEmbyClient) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *user_id = NULL;
  g_autofree char *token = hw_token_store_lookup_finish (HW_TOKEN_STORE (source), result,
                                                         &user_id, &error);

  if (error != NULL)
    return;   /* cancelled: a reset took over */

  self->keyring_checked = TRUE;
  self->signing_in = FALSE;

  if (token != NULL && user_id != NULL)
    {
      _hw_emby_client_set_token (self, token, user_id);
      g_message ("Using the access token kept in the Secret Service for %s", self->username);
      if (self->state == HW_SERVER_STATE_CONNECTING && !self->probing)
        _hw_emby_client_set_state (self, HW_SERVER_STATE_ONLINE, NULL);
      _hw_emby_client_resume_waiters (self->sign_in_waiters);
      return;
    }

  _hw_emby_client_sign_in (self);
}

/* TRUE when a lookup started (it continues the sign-in). */
static gboolean
keyring_lookup (HwEmbyClient *self)
{
  if (self->keyring_checked || self->api_key != NULL || self->username == NULL)
    return FALSE;
  if (!hw_token_store_is_available (self->tokens))
    {
      self->keyring_checked = TRUE;
      return FALSE;
    }

  hw_token_store_lookup_async (self->tokens, self->base_url, self->username, self->life,
                               on_token_looked_up, g_object_ref (self));
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Sign-in                                                             */

/* Like ssh with a private key: a password file others can read is refused,
 * whatever it holds. A systemd credential is exempt: the service manager
 * owns its directory and gives it the modes it wants. */
static gboolean
check_password_file_mode (const char  *path,
                          GError     **error)
{
  const char *credentials = g_getenv ("CREDENTIALS_DIRECTORY");
  GStatBuf st;

  if (credentials != NULL && *credentials != '\0')
    {
      g_autofree char *dir = g_path_get_dirname (path);
      g_autofree char *canonical_dir = g_canonicalize_filename (dir, NULL);
      g_autofree char *canonical_credentials = g_canonicalize_filename (credentials, NULL);

      if (g_str_equal (canonical_dir, canonical_credentials))
        return TRUE;
    }

  if (g_stat (path, &st) != 0)
    return TRUE;   /* reading it will say what is wrong */

  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    {
      g_set_error (error, HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED,
                   _("The password file %s can be read by other users (mode %04o): "
                     "make it private with chmod 600, or pass it as a systemd credential"),
                   path, (guint) (st.st_mode & 07777));
      return FALSE;
    }
  return TRUE;
}

static char *
read_password (HwEmbyClient  *self,
               GError       **error)
{
  const char *env = g_getenv ("HYPERWALL_PASSWORD");
  g_autofree char *contents = NULL;
  char *newline;

  self->typed_attempt = self->typed_password != NULL;
  if (self->typed_password != NULL)
    return g_steal_pointer (&self->typed_password);

  if (env != NULL)
    return g_strdup (env);

  if (self->password_file == NULL)
    {
      g_set_error (error, HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED,
                   "no credentials: set HYPERWALL_PASSWORD, HYPERWALL_API_KEY or --password-file");
      return NULL;
    }

  if (!check_password_file_mode (self->password_file, error))
    return NULL;
  if (!g_file_get_contents (self->password_file, &contents, NULL, error))
    return NULL;

  newline = strpbrk (contents, "\r\n");
  if (newline != NULL)
    *newline = '\0';
  return g_steal_pointer (&contents);
}

/* ------------------------------------------------------------------ */
/* Refused                                                             */

/* Credentials nobody types: the wall is on its own, so it keeps trying. */
static gboolean
is_unattended (HwEmbyClient *self)
{
  if (self->api_key != NULL)
    return TRUE;
  if (self->typed_attempt)
    return FALSE;
  return self->password_file != NULL || g_getenv ("HYPERWALL_PASSWORD") != NULL;
}

static void
on_sign_in_retry (gpointer user_data)
{
  HwEmbyClient *self = user_data;

  self->sign_in_retry = 0;
  if (self->state != HW_SERVER_STATE_SIGN_IN_REQUIRED)
    return;

  g_message ("Trying to sign in again");
  /* The probe first, as at start: online once signed in. */
  _hw_emby_client_set_state (self, HW_SERVER_STATE_CONNECTING, NULL);
  self->probe_attempt = 0;
  _hw_emby_client_probe_now (self);
}

static char *
describe_delay (gint64 delay_us)
{
  gint64 seconds = delay_us / HW_USEC_PER_SEC;

  if (seconds >= 90)
    return g_strdup_printf (_("%d min"), (int) ((seconds + 30) / 60));
  return g_strdup_printf (_("%d s"), (int) MAX (seconds, 1));
}

/* @shown: what the cards say, before when the next attempt comes; NULL
 * for "the server refused the credentials". */
static void
refused (HwEmbyClient *self,
         const char   *reason,
         const char   *shown)
{
  g_autofree char *when = NULL;
  g_autofree char *text = NULL;
  gint64 delay_us;

  if (!is_unattended (self))
    {
      _hw_emby_client_enter_sign_in_required (self, shown != NULL ? shown : reason);
      return;
    }

  /* Slowly: ten backoff-max (5 min by default), with jitter so walls
   * sharing an account do not come back together, and never a loop on
   * the login endpoint (a server may lock the account). */
  delay_us = MIN (self->backoff_max_us * 10, 3600 * HW_USEC_PER_SEC);
  delay_us += (gint64) (delay_us * g_random_double_range (-0.25, 0.25));
  when = describe_delay (delay_us);
  g_warning ("Sign-in refused (%s); trying again in %s", reason, when);
  if (shown != NULL)
    /* TRANSLATORS: a reason, then when the next attempt comes ("5 min"). */
    text = g_strdup_printf (_("%s. Trying again in %s."), shown, when);
  else
    text = g_strdup_printf (_("The server refused the credentials. Trying again in %s."), when);
  _hw_emby_client_enter_sign_in_required (self, text);

  g_clear_handle_id (&self->sign_in_retry, g_source_remove);
  self->sign_in_retry = g_timeout_add_once (MAX (1, delay_us / 1000), on_sign_in_retry, self);
}

void
_hw_emby_client_refused (HwEmbyClient *self,
                         const char   *reason)
{
  refused (self, reason, NULL);
}

static void
on_signed_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  HwEmbyClient *self = HW_EMBY_CLIENT (source);
  g_autoptr(GCancellable) life = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(HwEmbyAuth) auth = NULL;

  body = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_cancellable_is_cancelled (life))
    return;

  self->signing_in = FALSE;
  if (body != NULL)
    auth = hw_emby_parse_auth (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);

  if (auth == NULL)
    {
      g_autofree char *reason = hw_redact (error->message);

      if (g_error_matches (error, HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED) ||
          g_error_matches (error, HW_EMBY_ERROR, HW_EMBY_ERROR_FORBIDDEN))
        _hw_emby_client_refused (self, "the server refused the user name or password");
      else
        {
          g_warning ("Sign-in failed, will try again: %s", reason);
          _hw_emby_client_fail_waiters (self->sign_in_waiters, error);
        }
      return;
    }

  _hw_emby_client_set_token (self, auth->access_token, auth->user_id);
  g_message ("Signed in to %s as %s", self->base_url, self->username);

  store_token (self);
  if (self->state == HW_SERVER_STATE_CONNECTING)
    _hw_emby_client_set_state (self, HW_SERVER_STATE_ONLINE, NULL);
  _hw_emby_client_resume_waiters (self->sign_in_waiters);
}

/* Gets a token for the waiters in sign_in_waiters: one attempt at a time. */
void
_hw_emby_client_sign_in (HwEmbyClient *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;
  g_autofree char *body = NULL;

  if (self->signing_in || self->token != NULL)
    {
      if (self->token != NULL)
        _hw_emby_client_resume_waiters (self->sign_in_waiters);
      return;
    }

  if (self->api_key != NULL)
    {
      if (self->configured_user_id == NULL)
        {
          _hw_emby_client_enter_sign_in_required (self, "HYPERWALL_API_KEY is set but "
                                                  "no user-id is configured");
          return;
        }
      _hw_emby_client_set_token (self, self->api_key, self->configured_user_id);
      if (self->state == HW_SERVER_STATE_CONNECTING && !self->probing)
        _hw_emby_client_set_state (self, HW_SERVER_STATE_ONLINE, NULL);
      _hw_emby_client_resume_waiters (self->sign_in_waiters);
      return;
    }

  if (self->username == NULL || *self->username == '\0')
    {
      _hw_emby_client_enter_sign_in_required (self, "no user name is configured");
      return;
    }

  self->signing_in = TRUE;
  if (keyring_lookup (self))
    return;

  password = read_password (self, &error);
  if (password == NULL)
    {
      self->signing_in = FALSE;
      /* A password file may be fixed (or appear) without a restart. */
      if (self->password_file != NULL && g_getenv ("HYPERWALL_PASSWORD") == NULL)
        {
          g_autofree char *safe = hw_redact (error->message);

          refused (self, safe, safe);
          return;
        }
      _hw_emby_client_enter_sign_in_required (self, error->message);
      return;
    }

  /* The password is not registered for redaction: it goes into this body
   * only, which is never logged, and masking a person's word everywhere
   * would mangle titles and numbers. */
  body = hw_emby_sign_in_body (self->username, password);
  memset (password, 0, strlen (password));

  g_debug ("Signing in to %s as %s", self->base_url, self->username);
  /* The call keeps its own copy of the body, and wipes it when done. */
  _hw_emby_client_start_call (self, HW_EMBY_CALL_SIGN_IN, "POST", "/Users/AuthenticateByName",
                              body, self->life, on_signed_in, g_object_ref (self->life));
  memset (body, 0, strlen (body));
}
