/* hw-emby-sign-in.c: how the Emby client gets an access token.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "hw-emby-protocol.h"
#include "hw-emby-sign-in.h"
#include "hw-redact.h"
#include "hw-reliability.h"

typedef struct {
  HwEmbySignInWaitFunc func;
  gpointer             data;
} Waiter;

struct _HwEmbySignIn
{
  GObject               parent_instance;

  HwEmbySignInExchange  exchange;
  gpointer              exchange_data;
  HwTokenStore         *tokens;

  /* Who signs in where. */
  char                 *server;
  char                 *username;
  char                 *configured_user_id;
  char                 *api_key;
  char                 *password_file;
  /* Typed by a person into the sign-in dialog; used for one attempt. */
  char                 *typed_password;
  gint64                backoff_max_us;

  /* The signed-in identity. */
  char                 *token;
  char                 *user_id;
  guint                 token_generation;

  /* Cancelled at a reset: the attempt in flight belongs to the old
   * identity. */
  GCancellable         *life;
  gboolean              signing_in;
  gboolean              keyring_checked;  /* the token store was asked for this identity */
  gboolean              typed_attempt;    /* the last password came from the dialog */
  guint                 retry;            /* unattended credentials refused: try again later */
  GArray               *waiters;          /* Waiter */
};

enum {
  PROP_0,
  PROP_TOKEN_GENERATION,
  N_PROPS
};

enum {
  SIGNAL_SIGNED_IN,
  SIGNAL_REQUIRED,
  SIGNAL_RETRY,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HwEmbySignIn, hw_emby_sign_in, G_TYPE_OBJECT)

/* ------------------------------------------------------------------ */
/* Waiters and the token                                               */

static void
settle_waiters (HwEmbySignIn *self,
                const GError *error)
{
  g_autoptr(GArray) waiters = NULL;

  if (self->waiters->len == 0)
    return;

  waiters = self->waiters;
  self->waiters = g_array_new (FALSE, FALSE, sizeof (Waiter));
  for (guint i = 0; i < waiters->len; i++)
    {
      Waiter *waiter = &g_array_index (waiters, Waiter, i);

      waiter->func (error, waiter->data);
    }
}

static void
set_token (HwEmbySignIn *self,
           const char   *token,
           const char   *user_id)
{
  /* Registered before it can reach anything that logs; the tokens it
   * replaced stay masked for a few generations, then go. */
  hw_redact_rotate_secret ("access-token", token);
  g_free (self->token);
  self->token = g_strdup (token);
  self->token_generation++;
  g_free (self->user_id);
  self->user_id = g_strdup (user_id);
  /* Whoever minted URLs with the old token mints them again. */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN_GENERATION]);
}

/* Anything minted with the token is now from an older one. */
static void
forget_token (HwEmbySignIn *self)
{
  g_clear_pointer (&self->token, g_free);
  self->token_generation++;
}

/* A token is there: say so (@checked: the server just issued it), then
 * let the waiters go. */
static void
signed_in (HwEmbySignIn *self,
           gboolean      checked)
{
  g_signal_emit (self, signals[SIGNAL_SIGNED_IN], 0, checked);
  settle_waiters (self, NULL);
}

/* Drops the token, says "required" and fails every waiter. */
static void
stop (HwEmbySignIn *self,
      const char   *reason)
{
  g_autoptr(GError) error = g_error_new_literal (HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED,
                                                 _("Sign-in required"));

  forget_token (self);
  g_signal_emit (self, signals[SIGNAL_REQUIRED], 0, reason);
  settle_waiters (self, error);
}

/* ------------------------------------------------------------------ */
/* The token kept in the Secret Service (hw-token-store.c)             */

static void
on_token_stored (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(HwEmbySignIn) self = user_data;

  /* A failure is the store's to log; the token stays in memory anyway. */
  hw_token_store_save_finish (HW_TOKEN_STORE (source), result, NULL);
}

static void
store_token (HwEmbySignIn *self)
{
  hw_token_store_save_async (self->tokens, self->server, self->username, self->user_id,
                             self->token, self->life, on_token_stored, g_object_ref (self));
}

static void
clear_stored_token (HwEmbySignIn *self)
{
  if (self->username == NULL || self->api_key != NULL)
    return;

  hw_token_store_forget (self->tokens, self->server, self->username);
}

static void
on_token_looked_up (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(HwEmbySignIn) self = user_data;
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
      set_token (self, token, user_id);
      g_message ("Using the access token kept in the Secret Service for %s", self->username);
      signed_in (self, FALSE);
      return;
    }

  hw_emby_sign_in_begin (self);
}

/* TRUE when a lookup started (it continues the sign-in). */
static gboolean
keyring_lookup (HwEmbySignIn *self)
{
  if (self->keyring_checked || self->api_key != NULL || self->username == NULL)
    return FALSE;
  if (!hw_token_store_is_available (self->tokens))
    {
      self->keyring_checked = TRUE;
      return FALSE;
    }

  hw_token_store_lookup_async (self->tokens, self->server, self->username, self->life,
                               on_token_looked_up, g_object_ref (self));
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The password                                                        */

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
read_password (HwEmbySignIn  *self,
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
is_unattended (HwEmbySignIn *self)
{
  if (self->api_key != NULL)
    return TRUE;
  if (self->typed_attempt)
    return FALSE;
  return self->password_file != NULL || g_getenv ("HYPERWALL_PASSWORD") != NULL;
}

static void
on_retry (gpointer user_data)
{
  HwEmbySignIn *self = user_data;

  self->retry = 0;
  g_signal_emit (self, signals[SIGNAL_RETRY], 0);
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
refused (HwEmbySignIn *self,
         const char   *reason,
         const char   *shown)
{
  g_autofree char *when = NULL;
  g_autofree char *text = NULL;
  gint64 delay_us;

  if (!is_unattended (self))
    {
      stop (self, shown != NULL ? shown : reason);
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
  stop (self, text);

  g_clear_handle_id (&self->retry, g_source_remove);
  self->retry = g_timeout_add_once (MAX (1, delay_us / 1000), on_retry, self);
}

void
hw_emby_sign_in_refused (HwEmbySignIn *self,
                         const char   *reason)
{
  g_return_if_fail (HW_IS_EMBY_SIGN_IN (self));
  refused (self, reason, NULL);
}

void
hw_emby_sign_in_token_refused (HwEmbySignIn *self)
{
  g_return_if_fail (HW_IS_EMBY_SIGN_IN (self));

  clear_stored_token (self);
  forget_token (self);
}

/* ------------------------------------------------------------------ */
/* Sign-in                                                             */

typedef struct {
  HwEmbySignIn *self;
  GCancellable *life;
} Attempt;

static void
on_signed_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Attempt *attempt = user_data;
  g_autoptr(HwEmbySignIn) self = attempt->self;
  g_autoptr(GCancellable) life = attempt->life;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(HwEmbyAuth) auth = NULL;

  g_free (attempt);
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
        refused (self, "the server refused the user name or password", NULL);
      else
        {
          g_warning ("Sign-in failed, will try again: %s", reason);
          settle_waiters (self, error);
        }
      return;
    }

  set_token (self, auth->access_token, auth->user_id);
  g_message ("Signed in to %s as %s", self->server, self->username);

  store_token (self);
  signed_in (self, TRUE);
}

void
hw_emby_sign_in_begin (HwEmbySignIn *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;
  g_autofree char *body = NULL;
  Attempt *attempt;

  g_return_if_fail (HW_IS_EMBY_SIGN_IN (self));

  if (self->signing_in || self->token != NULL)
    {
      if (self->token != NULL)
        settle_waiters (self, NULL);
      return;
    }

  if (self->api_key != NULL)
    {
      if (self->configured_user_id == NULL)
        {
          stop (self, "HYPERWALL_API_KEY is set but no user-id is configured");
          return;
        }
      set_token (self, self->api_key, self->configured_user_id);
      signed_in (self, FALSE);
      return;
    }

  if (self->username == NULL || *self->username == '\0')
    {
      stop (self, "no user name is configured");
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
      stop (self, error->message);
      return;
    }

  /* The password is not registered for redaction: it goes into this body
   * only, which is never logged, and masking a person's word everywhere
   * would mangle titles and numbers. */
  body = hw_emby_sign_in_body (self->username, password);
  memset (password, 0, strlen (password));

  g_debug ("Signing in to %s as %s", self->server, self->username);
  attempt = g_new0 (Attempt, 1);
  attempt->self = g_object_ref (self);
  attempt->life = g_object_ref (self->life);
  /* The exchange keeps its own copy of the body, and wipes it when done. */
  self->exchange (body, self->life, on_signed_in, attempt, self->exchange_data);
  memset (body, 0, strlen (body));
}

void
hw_emby_sign_in_request (HwEmbySignIn         *self,
                         HwEmbySignInWaitFunc  func,
                         gpointer              data)
{
  Waiter waiter = { func, data };

  g_return_if_fail (HW_IS_EMBY_SIGN_IN (self));
  g_return_if_fail (func != NULL);

  g_array_append_val (self->waiters, waiter);
  hw_emby_sign_in_begin (self);
}

void
hw_emby_sign_in_fail_waiters (HwEmbySignIn *self,
                              const GError *error)
{
  g_return_if_fail (HW_IS_EMBY_SIGN_IN (self));
  g_return_if_fail (error != NULL);

  settle_waiters (self, error);
}

/* ------------------------------------------------------------------ */
/* Configuration                                                       */

static char *
dup_nonempty (const char *text)
{
  return text != NULL && *text != '\0' ? g_strdup (text) : NULL;
}

void
hw_emby_sign_in_configure (HwEmbySignIn *self,
                           const char   *server,
                           const char   *username,
                           const char   *user_id,
                           const char   *api_key)
{
  g_return_if_fail (HW_IS_EMBY_SIGN_IN (self));

  g_free (self->server);
  self->server = g_strdup (server);
  g_free (self->username);
  self->username = g_strdup (username);
  g_free (self->configured_user_id);
  self->configured_user_id = dup_nonempty (user_id);
  g_free (self->api_key);
  self->api_key = dup_nonempty (api_key);
  /* Constant for the whole run: masked for good. */
  hw_redact_add_secret (self->api_key);
}

void
hw_emby_sign_in_set_backoff_max (HwEmbySignIn *self,
                                 gint64        backoff_max_us)
{
  g_return_if_fail (HW_IS_EMBY_SIGN_IN (self));
  self->backoff_max_us = backoff_max_us;
}

gboolean
hw_emby_sign_in_set_password_file (HwEmbySignIn *self,
                                   const char   *path)
{
  g_return_val_if_fail (HW_IS_EMBY_SIGN_IN (self), FALSE);

  if (g_strcmp0 (self->password_file, path) == 0)
    return FALSE;

  g_free (self->password_file);
  self->password_file = g_strdup (path);
  return TRUE;
}

void
hw_emby_sign_in_set_typed_password (HwEmbySignIn *self,
                                    const char   *password)
{
  g_return_if_fail (HW_IS_EMBY_SIGN_IN (self));

  if (self->typed_password != NULL)
    memset (self->typed_password, 0, strlen (self->typed_password));
  g_free (self->typed_password);
  self->typed_password = g_strdup (password);
}

gboolean
hw_emby_sign_in_has_credentials (HwEmbySignIn *self)
{
  g_return_val_if_fail (HW_IS_EMBY_SIGN_IN (self), FALSE);

  return self->api_key != NULL || self->password_file != NULL ||
         self->typed_password != NULL || g_getenv ("HYPERWALL_PASSWORD") != NULL;
}

gboolean
hw_emby_sign_in_uses_api_key (HwEmbySignIn *self)
{
  g_return_val_if_fail (HW_IS_EMBY_SIGN_IN (self), FALSE);
  return self->api_key != NULL;
}

void
hw_emby_sign_in_reset (HwEmbySignIn *self,
                       const GError *error)
{
  g_return_if_fail (HW_IS_EMBY_SIGN_IN (self));
  g_return_if_fail (error != NULL);

  g_cancellable_cancel (self->life);
  g_clear_object (&self->life);
  self->life = g_cancellable_new ();
  g_clear_handle_id (&self->retry, g_source_remove);
  self->signing_in = FALSE;
  self->keyring_checked = FALSE;
  settle_waiters (self, error);
  forget_token (self);
  g_clear_pointer (&self->user_id, g_free);
}

const char *
hw_emby_sign_in_get_token (HwEmbySignIn *self)
{
  g_return_val_if_fail (HW_IS_EMBY_SIGN_IN (self), NULL);
  return self->token;
}

const char *
hw_emby_sign_in_get_user_id (HwEmbySignIn *self)
{
  g_return_val_if_fail (HW_IS_EMBY_SIGN_IN (self), NULL);
  return self->user_id;
}

guint
hw_emby_sign_in_get_token_generation (HwEmbySignIn *self)
{
  g_return_val_if_fail (HW_IS_EMBY_SIGN_IN (self), 0);
  return self->token_generation;
}

/* ------------------------------------------------------------------ */
/* Object                                                              */

HwEmbySignIn *
hw_emby_sign_in_new (HwTokenStore         *tokens,
                     HwEmbySignInExchange  exchange,
                     gpointer              exchange_data)
{
  HwEmbySignIn *self;

  g_return_val_if_fail (HW_IS_TOKEN_STORE (tokens), NULL);
  g_return_val_if_fail (exchange != NULL, NULL);

  self = g_object_new (HW_TYPE_EMBY_SIGN_IN, NULL);
  self->tokens = g_object_ref (tokens);
  self->exchange = exchange;
  self->exchange_data = exchange_data;
  return self;
}

static void
hw_emby_sign_in_dispose (GObject *object)
{
  HwEmbySignIn *self = HW_EMBY_SIGN_IN (object);

  if (self->life != NULL)
    g_cancellable_cancel (self->life);
  g_clear_handle_id (&self->retry, g_source_remove);
  g_clear_object (&self->tokens);

  G_OBJECT_CLASS (hw_emby_sign_in_parent_class)->dispose (object);
}

static void
hw_emby_sign_in_finalize (GObject *object)
{
  HwEmbySignIn *self = HW_EMBY_SIGN_IN (object);

  /* The owner fails its waiters before letting go: none may be left. */
  g_warn_if_fail (self->waiters->len == 0);
  g_array_unref (self->waiters);
  g_clear_object (&self->life);
  g_free (self->server);
  g_free (self->username);
  g_free (self->configured_user_id);
  g_free (self->api_key);
  g_free (self->password_file);
  if (self->typed_password != NULL)
    memset (self->typed_password, 0, strlen (self->typed_password));
  g_free (self->typed_password);
  g_free (self->token);
  g_free (self->user_id);

  G_OBJECT_CLASS (hw_emby_sign_in_parent_class)->finalize (object);
}

static void
hw_emby_sign_in_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  HwEmbySignIn *self = HW_EMBY_SIGN_IN (object);

  switch (prop_id)
    {
    case PROP_TOKEN_GENERATION:
      g_value_set_uint (value, self->token_generation);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hw_emby_sign_in_class_init (HwEmbySignInClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hw_emby_sign_in_dispose;
  object_class->finalize = hw_emby_sign_in_finalize;
  object_class->get_property = hw_emby_sign_in_get_property;

  properties[PROP_TOKEN_GENERATION] =
    g_param_spec_uint ("token-generation", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (gboolean checked): a token is there, before the waiters go on;
   * @checked when the server just issued it (not a kept token or the API
   * key, which nobody has checked yet). */
  signals[SIGNAL_SIGNED_IN] =
    g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  /* (const char *reason): no token until the configuration changes or the
   * slow retry; emitted before the waiters fail. */
  signals[SIGNAL_REQUIRED] =
    g_signal_new ("required", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* The slow retry of refused unattended credentials is due. */
  signals[SIGNAL_RETRY] =
    g_signal_new ("retry", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
hw_emby_sign_in_init (HwEmbySignIn *self)
{
  self->life = g_cancellable_new ();
  self->waiters = g_array_new (FALSE, FALSE, sizeof (Waiter));
  self->backoff_max_us = 30 * HW_USEC_PER_SEC;
}
