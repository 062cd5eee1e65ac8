/* hw-emby-device-id.c: the DeviceId this install shows an Emby server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include <errno.h>
#include <string.h>

#include "hw-emby-device-id.h"

#define MIN_LENGTH 8
#define MAX_LENGTH 64

char *
hw_emby_device_id_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "hyperwall", "device-id", NULL);
}

char *
hw_emby_device_id_load (const char *path)
{
  g_autofree char *dir = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  char *fresh;

  g_return_val_if_fail (path != NULL, NULL);

  if (g_file_get_contents (path, &contents, NULL, NULL))
    {
      g_strstrip (contents);
      /* Anything else was not written by us: replace it rather than send it. */
      if (strlen (contents) >= MIN_LENGTH && strlen (contents) <= MAX_LENGTH)
        return g_steal_pointer (&contents);
    }

  fresh = g_uuid_string_random ();
  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      !g_file_set_contents (path, fresh, -1, &error))
    g_warning ("Cannot keep the device id in %s (%s); the server will see a new device next start",
               path, error ? error->message : g_strerror (errno));
  else
    g_message ("Created device id in %s", path);

  return fresh;
}

char *
hw_emby_device_id_for_name (const char *device_name)
{
  g_autofree char *digest = NULL;

  g_return_val_if_fail (device_name != NULL, NULL);

  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, device_name, -1);
  return g_strdup_printf ("hyperwall-%.32s", digest);
}
