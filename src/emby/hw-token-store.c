/* hw-token-store.c: the access token in the Secret Service (libsecret).
 *
 * The convenience API (secret_password_*) stores into the "default" alias:
 * when that collection is missing it creates one, and when it is locked it
 * unlocks it, and both ask a person on the screen ("Choose password for new
 * keyring", "Unlock login keyring"). On an auto-login kiosk nobody answers
 * and the prompt covers the wall for ever. So this file talks to one
 * collection it has checked first, without prompting (ReadAlias and the
 * Locked property), through a SecretService whose prompt handler refuses
 * and dismisses every prompt, should the service still want one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include <string.h>

#include <libsecret/secret.h>

#include "hw-token-store.h"

/* ------------------------------------------------------------------ */
/* A Secret Service that never prompts                                 */

#define HW_TYPE_QUIET_SECRET_SERVICE (hw_quiet_secret_service_get_type ())

G_DECLARE_FINAL_TYPE (HwQuietSecretService, hw_quiet_secret_service,
                      HW, QUIET_SECRET_SERVICE, SecretService)

struct _HwQuietSecretService
{
  SecretService parent_instance;
};

G_DEFINE_FINAL_TYPE (HwQuietSecretService, hw_quiet_secret_service, SECRET_TYPE_SERVICE)

/* The service made a prompt object: tell it nobody will answer, so it does
 * not wait for an answer (or show anything) later. */
static void
dismiss_prompt (SecretPrompt *prompt)
{
  g_message ("The Secret Service wanted to ask for a password on the screen: refused");
  g_dbus_proxy_call (G_DBUS_PROXY (prompt), "Dismiss", NULL,
                     G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL, NULL);
}

static void
quiet_prompt_async (SecretService       *service,
                    SecretPrompt        *prompt,
                    const GVariantType  *return_type,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (service, cancellable, callback, user_data);

  dismiss_prompt (prompt);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                           "The Secret Service needs a prompt; prompts are refused");
}

static GVariant *
quiet_prompt_finish (SecretService  *service,
                     GAsyncResult   *result,
                     GError        **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static GVariant *
quiet_prompt_sync (SecretService       *service,
                   SecretPrompt        *prompt,
                   GCancellable        *cancellable,
                   const GVariantType  *return_type,
                   GError             **error)
{
  dismiss_prompt (prompt);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                       "The Secret Service needs a prompt; prompts are refused");
  return NULL;
}

static void
hw_quiet_secret_service_class_init (HwQuietSecretServiceClass *klass)
{
  SecretServiceClass *service_class = SECRET_SERVICE_CLASS (klass);

  service_class->prompt_async = quiet_prompt_async;
  service_class->prompt_finish = quiet_prompt_finish;
  service_class->prompt_sync = quiet_prompt_sync;
}

static void
hw_quiet_secret_service_init (HwQuietSecretService *self)
{
}

/* ------------------------------------------------------------------ */
/* The store                                                           */

typedef enum {
  PROBE_NOT_STARTED,
  PROBE_RUNNING,
  PROBE_DONE,
} ProbeState;

/* Which reason to keep the token in memory was last logged: each is said
 * once, and again only after the keyring was usable in between. */
typedef enum {
  SAID_NOTHING,
  SAID_NO_COLLECTION,
  SAID_LOCKED,
} Said;

struct _HwTokenStore
{
  GObject           parent_instance;

  /* Set for good once the Secret Service failed or was found missing:
   * asking again at every sign-in would only fail again. */
  gboolean          missing;

  ProbeState        probe;
  GPtrArray        *probe_waiters;     /* GTask, finished when the probe is */
  SecretService    *service;           /* an HwQuietSecretService */
  SecretCollection *collection;        /* the "default" alias, NULL when none */
  Said              said;

  /* The last token saved while the collection could not take it: stored
   * as soon as it can (somebody unlocked or created the keyring). */
  GHashTable       *pending_attributes;
  char             *pending_label;
  char             *pending_token;
};

G_DEFINE_FINAL_TYPE (HwTokenStore, hw_token_store, G_TYPE_OBJECT)

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    "org.example.Hyperwall.Token", SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "username", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

static gboolean
keyring_reachable (HwTokenStore *self)
{
  g_autofree char *bus = NULL;

  if (self->missing || g_getenv ("HYPERWALL_NO_KEYRING") != NULL)
    return FALSE;
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") != NULL)
    return TRUE;

  /* Without a bus address GDBus would try to autolaunch one. */
  bus = g_build_filename (g_get_user_runtime_dir (), "bus", NULL);
  return g_file_test (bus, G_FILE_TEST_EXISTS);
}

static void
keyring_missing (HwTokenStore *self,
                 const GError *error)
{
  gboolean absent = error == NULL ||
                    g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
                    g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER);

  if (self->missing)
    return;
  /* A service that answers but cannot keep the token (refused, broken) is
   * a different fix for the operator than none at all. */
  if (absent)
    g_message ("No Secret Service (%s): the access token is kept in memory only",
               error ? error->message : "no session bus");
  else
    g_message ("The Secret Service cannot keep the access token (%s): it is kept in memory only",
               error->message);
  self->missing = TRUE;
}

static gboolean
collection_usable (HwTokenStore *self)
{
  return !self->missing && self->collection != NULL &&
         !secret_collection_get_locked (self->collection);
}

/* Says once why the token stays in memory; TRUE when the keyring is usable. */
static gboolean
check_usable (HwTokenStore *self)
{
  if (self->missing)
    return FALSE;
  if (collection_usable (self))
    return TRUE;

  if (self->collection == NULL && self->said != SAID_NO_COLLECTION)
    {
      g_message ("The Secret Service has no default keyring: the access token is kept in "
                 "memory only (creating one would ask for a password on the screen)");
      self->said = SAID_NO_COLLECTION;
    }
  else if (self->collection != NULL && self->said != SAID_LOCKED)
    {
      g_message ("The default keyring is locked: the access token is kept in memory only "
                 "until somebody unlocks it (unlocking would ask for a password on the screen)");
      self->said = SAID_LOCKED;
    }
  return FALSE;
}

gboolean
hw_token_store_is_available (HwTokenStore *self)
{
  g_return_val_if_fail (HW_IS_TOKEN_STORE (self), FALSE);

  if (keyring_reachable (self))
    return TRUE;

  keyring_missing (self, NULL);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Keeping the pending token once the keyring can take it             */

static void
clear_pending (HwTokenStore *self)
{
  g_clear_pointer (&self->pending_attributes, g_hash_table_unref);
  g_clear_pointer (&self->pending_label, g_free);
  if (self->pending_token != NULL)
    memset (self->pending_token, 0, strlen (self->pending_token));
  g_clear_pointer (&self->pending_token, g_free);
}

static void
create_item (HwTokenStore        *self,
             GHashTable          *attributes,
             const char          *label,
             const char          *token,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(SecretValue) value = secret_value_new (token, -1, "text/plain");

  secret_item_create (self->collection, token_schema (), attributes, label, value,
                      SECRET_ITEM_CREATE_REPLACE, cancellable, callback, user_data);
}

static void
on_pending_stored (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(HwTokenStore) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SecretItem) item = secret_item_create_finish (result, &error);

  if (item == NULL)
    g_message ("The default keyring is unlocked, but keeping the access token there "
               "failed (%s): it stays in memory only", error->message);
  else
    g_message ("The default keyring is unlocked: the access token is kept there now");
}

static void
store_pending (HwTokenStore *self)
{
  if (self->pending_token == NULL || !collection_usable (self))
    return;

  create_item (self, self->pending_attributes, self->pending_label, self->pending_token,
               NULL, on_pending_stored, g_object_ref (self));
  clear_pending (self);
}

static void
on_collection_locked (SecretCollection *collection,
                      GParamSpec       *pspec,
                      HwTokenStore     *self)
{
  if (secret_collection_get_locked (collection))
    return;

  self->said = SAID_NOTHING;
  store_pending (self);
}

static void
set_collection (HwTokenStore     *self,
                SecretCollection *collection)
{
  if (self->collection == collection)
    return;

  if (self->collection != NULL)
    g_signal_handlers_disconnect_by_func (self->collection, on_collection_locked, self);
  g_set_object (&self->collection, collection);
  if (collection == NULL)
    return;

  g_signal_connect_object (collection, "notify::locked",
                           G_CALLBACK (on_collection_locked), self, G_CONNECT_DEFAULT);
  if (!secret_collection_get_locked (collection))
    {
      self->said = SAID_NOTHING;
      store_pending (self);
    }
}

/* ------------------------------------------------------------------ */
/* Probe: the service and its default collection, without prompting    */

static void
finish_probe (HwTokenStore *self)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->probe_waiters);

  self->probe = PROBE_DONE;
  self->probe_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiters->len; i++)
    g_task_return_boolean (waiters->pdata[i], TRUE);
}

static void read_default_alias (HwTokenStore *self);

static void
on_alias_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(HwTokenStore) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SecretCollection) collection = secret_collection_for_alias_finish (result, &error);

  if (error != NULL)
    keyring_missing (self, error);
  else
    set_collection (self, collection);

  if (self->probe == PROBE_RUNNING)
    finish_probe (self);
}

static void
read_default_alias (HwTokenStore *self)
{
  /* SECRET_COLLECTION_NONE: only ReadAlias and the collection's
   * properties, never Unlock nor CreateCollection. */
  secret_collection_for_alias (self->service, SECRET_COLLECTION_DEFAULT,
                               SECRET_COLLECTION_NONE, NULL, on_alias_read,
                               g_object_ref (self));
}

/* Somebody created (or deleted) a collection: it may be a new default. */
static void
on_collections_changed (SecretService *service,
                        GParamSpec    *pspec,
                        HwTokenStore  *self)
{
  if (self->probe == PROBE_DONE && !self->missing)
    read_default_alias (self);
}

static void
on_collections_loaded (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(HwTokenStore) self = user_data;

  /* Only for following collections that appear later: without them the
   * default alias still answers. */
  secret_service_load_collections_finish (SECRET_SERVICE (source), result, NULL);
  read_default_alias (self);
}

static void
on_service_opened (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(HwTokenStore) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SecretService) service = secret_service_open_finish (result, &error);
  g_autoptr(GVariant) collections = NULL;

  if (service != NULL && g_dbus_proxy_get_name_owner (G_DBUS_PROXY (service)) == NULL)
    {
      /* Nobody owns the name and the bus could not start anybody: every
       * call would fail (and libsecret's collection loading never
       * finishes without the Collections property). */
      g_set_error_literal (&error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN,
                           "org.freedesktop.secrets is not running");
      g_clear_object (&service);
    }
  if (service == NULL)
    {
      keyring_missing (self, error);
      finish_probe (self);
      return;
    }

  self->service = g_steal_pointer (&service);
  g_signal_connect_object (self->service, "notify::collections",
                           G_CALLBACK (on_collections_changed), self, G_CONNECT_DEFAULT);
  collections = g_dbus_proxy_get_cached_property (G_DBUS_PROXY (self->service), "Collections");
  if (collections != NULL)
    secret_service_load_collections (self->service, NULL, on_collections_loaded,
                                     g_object_ref (self));
  else
    read_default_alias (self);
}

/* Finishes (with TRUE) once the service and its default collection were
 * looked at; collection_usable() then says whether to use them. */
static void
probe_async (HwTokenStore        *self,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  /* The probe itself is never cancelled: its answer is for every caller. */
  g_task_set_check_cancellable (task, FALSE);

  if (self->missing || self->probe == PROBE_DONE)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_ptr_array_add (self->probe_waiters, g_steal_pointer (&task));
  if (self->probe == PROBE_RUNNING)
    return;

  self->probe = PROBE_RUNNING;
  /* Our own instance, not secret_service_get()'s shared one: only this
   * one refuses prompts. */
  secret_service_open (HW_TYPE_QUIET_SECRET_SERVICE, NULL, SECRET_SERVICE_NONE,
                       NULL, on_service_opened, g_object_ref (self));
}

/* ------------------------------------------------------------------ */
/* Lookup                                                              */

static GHashTable *
build_attributes (const char *server,
                  const char *username,
                  const char *user_id)
{
  if (user_id != NULL)
    return secret_attributes_build (token_schema (), "server", server, "username", username,
                                    "user-id", user_id, NULL);
  return secret_attributes_build (token_schema (), "server", server, "username", username,
                                  NULL);
}

static void
on_collection_searched (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GList *found = secret_collection_search_finish (SECRET_COLLECTION (source), result, &error);
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(SecretValue) value = NULL;
  SecretItem *first;

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Looking up the access token in the default keyring failed: %s",
               error->message);

  first = found != NULL ? found->data : NULL;
  value = first != NULL ? secret_item_get_secret (first) : NULL;
  if (value == NULL)
    {
      g_list_free_full (found, g_object_unref);
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  attributes = secret_item_get_attributes (first);
  g_task_set_task_data (task, g_strdup (g_hash_table_lookup (attributes, "user-id")), g_free);
  g_task_return_pointer (task, g_strdup (secret_value_get_text (value)), g_free);
  g_list_free_full (found, g_object_unref);
}

static void
on_probed_for_lookup (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HwTokenStore *self = HW_TOKEN_STORE (source);
  g_autoptr(GHashTable) attributes = g_hash_table_ref (g_task_get_task_data (task));

  if (!check_usable (self))
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  /* No SECRET_SEARCH_UNLOCK: a locked item is left alone. */
  secret_collection_search (self->collection, token_schema (), attributes,
                            SECRET_SEARCH_LOAD_SECRETS, g_task_get_cancellable (task),
                            on_collection_searched, g_object_ref (task));
  g_task_set_task_data (task, NULL, NULL);
}

void
hw_token_store_lookup_async (HwTokenStore        *self,
                             const char          *server,
                             const char          *username,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (HW_IS_TOKEN_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hw_token_store_lookup_async);
  /* Until the search starts, the task data is the attributes to search;
   * after it, the user id found. */
  g_task_set_task_data (task, build_attributes (server, username, NULL),
                        (GDestroyNotify) g_hash_table_unref);
  probe_async (self, cancellable, on_probed_for_lookup, task);
}

char *
hw_token_store_lookup_finish (HwTokenStore  *self,
                              GAsyncResult  *result,
                              char         **user_id,
                              GError       **error)
{
  char *token;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  /* GTask checks the cancellable here: a lookup that outlived its
   * cancellable fails, whatever it found. */
  token = g_task_propagate_pointer (G_TASK (result), error);
  if (user_id != NULL)
    *user_id = token != NULL ? g_strdup (g_task_get_task_data (G_TASK (result))) : NULL;
  return token;
}

/* ------------------------------------------------------------------ */
/* Save and forget                                                     */

typedef struct
{
  GHashTable *attributes;
  char       *label;
  char       *token;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_hash_table_unref (data->attributes);
  g_free (data->label);
  memset (data->token, 0, strlen (data->token));
  g_free (data->token);
  g_free (data);
}

static void
on_token_stored (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(SecretItem) item = NULL;
  GError *error = NULL;

  item = secret_item_create_finish (result, &error);
  if (item == NULL)
    {
      /* A save cancelled by a settings change says nothing about the keyring. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Keeping the access token in the default keyring failed (%s): "
                   "it is kept in memory only", error->message);
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
on_probed_for_save (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HwTokenStore *self = HW_TOKEN_STORE (source);
  SaveData *data = g_task_get_task_data (task);

  if (!check_usable (self))
    {
      if (!self->missing)
        {
          /* Kept for when somebody unlocks the keyring; the latest wins. */
          clear_pending (self);
          self->pending_attributes = g_hash_table_ref (data->attributes);
          self->pending_label = g_strdup (data->label);
          self->pending_token = g_strdup (data->token);
        }
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "The default keyring cannot be used without a prompt");
      return;
    }

  clear_pending (self);
  create_item (self, data->attributes, data->label, data->token,
               g_task_get_cancellable (task), on_token_stored, g_object_ref (task));
}

void
hw_token_store_save_async (HwTokenStore        *self,
                           const char          *server,
                           const char          *username,
                           const char          *user_id,
                           const char          *token,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SaveData *data;

  g_return_if_fail (HW_IS_TOKEN_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hw_token_store_save_async);

  if (!keyring_reachable (self))
    {
      keyring_missing (self, NULL);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "No Secret Service");
      return;
    }

  data = g_new0 (SaveData, 1);
  data->attributes = build_attributes (server, username, user_id);
  data->label = g_strdup_printf ("Hyperwall access token for %s on %s", username, server);
  data->token = g_strdup (token);
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);
  probe_async (self, cancellable, on_probed_for_save, g_steal_pointer (&task));
}

gboolean
hw_token_store_save_finish (HwTokenStore  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_forget_searched (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GList *found = secret_collection_search_finish (SECRET_COLLECTION (source), result, NULL);

  for (GList *l = found; l != NULL; l = l->next)
    secret_item_delete (l->data, NULL, NULL, NULL);
  g_list_free_full (found, g_object_unref);
}

static void
on_probed_for_forget (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HwTokenStore *self = HW_TOKEN_STORE (source);

  if (collection_usable (self))
    secret_collection_search (self->collection, token_schema (), g_task_get_task_data (task),
                              SECRET_SEARCH_ALL, NULL, on_forget_searched, NULL);
  g_task_return_boolean (task, TRUE);
}

void
hw_token_store_forget (HwTokenStore *self,
                       const char   *server,
                       const char   *username)
{
  g_autoptr(GHashTable) attributes = NULL;
  GTask *task;

  g_return_if_fail (HW_IS_TOKEN_STORE (self));

  if (self->pending_attributes != NULL &&
      g_strcmp0 (g_hash_table_lookup (self->pending_attributes, "server"), server) == 0 &&
      g_strcmp0 (g_hash_table_lookup (self->pending_attributes, "username"), username) == 0)
    clear_pending (self);

  if (!keyring_reachable (self))
    return;

  attributes = build_attributes (server, username, NULL);
  task = g_task_new (self, NULL, NULL, NULL);
  g_task_set_task_data (task, g_steal_pointer (&attributes),
                        (GDestroyNotify) g_hash_table_unref);
  probe_async (self, NULL, on_probed_for_forget, task);
}

/* ------------------------------------------------------------------ */
/* Object                                                              */

HwTokenStore *
hw_token_store_new (void)
{
  return g_object_new (HW_TYPE_TOKEN_STORE, NULL);
}

static void
hw_token_store_dispose (GObject *object)
{
  HwTokenStore *self = HW_TOKEN_STORE (object);

  set_collection (self, NULL);
  g_clear_object (&self->service);
  clear_pending (self);

  G_OBJECT_CLASS (hw_token_store_parent_class)->dispose (object);
}

static void
hw_token_store_finalize (GObject *object)
{
  HwTokenStore *self = HW_TOKEN_STORE (object);

  g_ptr_array_unref (self->probe_waiters);

  G_OBJECT_CLASS (hw_token_store_parent_class)->finalize (object);
}

static void
hw_token_store_class_init (HwTokenStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hw_token_store_dispose;
  object_class->finalize = hw_token_store_finalize;
}

static void
hw_token_store_init (HwTokenStore *self)
{
  self->probe_waiters = g_ptr_array_new_with_free_func (g_object_unref);
}
