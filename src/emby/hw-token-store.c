/* hw-token-store.c: the access token in the Secret Service (libsecret).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include <libsecret/secret.h>

#include "hw-token-store.h"

struct _HwTokenStore
{
  GObject   parent_instance;

  /* Set for good once the Secret Service failed or was found missing:
   * asking again at every sign-in would only fail again. */
  gboolean  missing;
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
keyring_usable (HwTokenStore *self)
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
  /* A service that answers but cannot keep the token (no default keyring,
   * locked, refused) is a different fix for the operator than none at all. */
  if (absent)
    g_message ("No Secret Service (%s): the access token is kept in memory only",
               error ? error->message : "no session bus");
  else
    g_message ("The Secret Service cannot keep the access token (%s): it is kept in memory only",
               error->message);
  self->missing = TRUE;
}

gboolean
hw_token_store_is_available (HwTokenStore *self)
{
  g_return_val_if_fail (HW_IS_TOKEN_STORE (self), FALSE);

  if (keyring_usable (self))
    return TRUE;

  keyring_missing (self, NULL);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Lookup                                                              */

static void
on_secret_retrieved (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(SecretValue) value = secret_retrievable_retrieve_secret_finish (SECRET_RETRIEVABLE (source),
                                                                            result, NULL);

  g_task_return_pointer (task, value ? g_strdup (secret_value_get_text (value)) : NULL, g_free);
}

static void
on_keyring_searched (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GList *found = secret_password_search_finish (result, &error);
  g_autoptr(GHashTable) attributes = NULL;
  SecretRetrievable *first;

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    keyring_missing (g_task_get_source_object (task), error);

  if (found == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  first = found->data;
  attributes = secret_retrievable_get_attributes (first);
  g_task_set_task_data (task, g_strdup (g_hash_table_lookup (attributes, "user-id")), g_free);
  secret_retrievable_retrieve_secret (first, g_task_get_cancellable (task), on_secret_retrieved,
                                      g_steal_pointer (&task));
  g_list_free_full (found, g_object_unref);
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
  secret_password_search (token_schema (), SECRET_SEARCH_LOAD_SECRETS, cancellable,
                          on_keyring_searched, task,
                          "server", server, "username", username, NULL);
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

static void
on_token_stored (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    {
      /* A save cancelled by a settings change says nothing about the keyring. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        keyring_missing (g_task_get_source_object (task), error);
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
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
  g_autofree char *label = NULL;

  g_return_if_fail (HW_IS_TOKEN_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hw_token_store_save_async);

  if (!keyring_usable (self))
    {
      keyring_missing (self, NULL);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "No Secret Service");
      return;
    }

  label = g_strdup_printf ("Hyperwall access token for %s on %s", username, server);
  secret_password_store (token_schema (), SECRET_COLLECTION_DEFAULT, label, token,
                         cancellable, on_token_stored, g_steal_pointer (&task),
                         "server", server, "username", username,
                         "user-id", user_id, NULL);
}

gboolean
hw_token_store_save_finish (HwTokenStore  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
hw_token_store_forget (HwTokenStore *self,
                       const char   *server,
                       const char   *username)
{
  g_return_if_fail (HW_IS_TOKEN_STORE (self));

  if (!keyring_usable (self))
    return;

  secret_password_clear (token_schema (), NULL, NULL, NULL,
                         "server", server, "username", username, NULL);
}

/* ------------------------------------------------------------------ */
/* Object                                                              */

HwTokenStore *
hw_token_store_new (void)
{
  return g_object_new (HW_TYPE_TOKEN_STORE, NULL);
}

static void
hw_token_store_class_init (HwTokenStoreClass *klass)
{
}

static void
hw_token_store_init (HwTokenStore *self)
{
}
