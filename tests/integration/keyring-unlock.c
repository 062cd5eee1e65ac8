/* keyring-unlock.c: unlocks a gnome-keyring collection without a prompt,
 * the way a login does, for test_keyring.py (a person logging in later).
 *
 *   keyring-unlock COLLECTION-PATH < password
 *
 * On the session bus of DBUS_SESSION_BUS_ADDRESS: a plain session, then
 * gnome-keyring's UnlockWithMasterPassword. Both calls on one connection:
 * the session belongs to it. Exits 0 once the collection is unlocked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include <gio/gio.h>

#define SECRETS "org.freedesktop.secrets"
#define SERVICE_PATH "/org/freedesktop/secrets"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) opened = NULL;
  g_autoptr(GVariant) unlocked = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *session = NULL;
  char password[256];
  size_t length;

  if (argc != 2 || !g_variant_is_object_path (argv[1]))
    {
      fprintf (stderr, "usage: %s COLLECTION-PATH < password\n", argv[0]);
      return 2;
    }
  length = fread (password, 1, sizeof password, stdin);

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (bus == NULL)
    goto fail;

  opened = g_dbus_connection_call_sync (bus, SECRETS, SERVICE_PATH,
                                        "org.freedesktop.Secret.Service", "OpenSession",
                                        g_variant_new ("(sv)", "plain", g_variant_new_string ("")),
                                        G_VARIANT_TYPE ("(vo)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                        10000, NULL, &error);
  if (opened == NULL)
    goto fail;
  g_variant_get (opened, "(vo)", NULL, &session);

  unlocked = g_dbus_connection_call_sync (
    bus, SECRETS, SERVICE_PATH,
    "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface", "UnlockWithMasterPassword",
    g_variant_new ("(o(o@ay@ays))", argv[1], session,
                   g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, "", 0, 1),
                   g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, password, length, 1),
                   "text/plain"),
    NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, 10000, NULL, &error);
  memset (password, 0, sizeof password);
  if (unlocked == NULL)
    goto fail;
  return 0;

fail:
  fprintf (stderr, "%s: %s\n", argv[0], error->message);
  return 1;
}
