/* hw-emby-device-id.h: the DeviceId this install shows an Emby server.
 *
 * The server counts one device per DeviceId and ties access tokens to it:
 * a new id per start would add a device on the server every start, and
 * an id shared between installs would revoke the other installs' tokens.
 * So it is made once, at random, and kept in the user data folder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* $XDG_DATA_HOME/hyperwall/device-id */
char *hw_emby_device_id_default_path (void);

/* The id kept in @path (trimmed, 8 to 64 bytes), or a new random one
 * written there (folders made as needed). Never NULL: when it cannot be
 * kept, the new id is used anyway and a warning says so. Blocking file
 * I/O on a small file, done once when the client is made. */
char *hw_emby_device_id_load         (const char *path);

/* The DeviceId for a wall named @device_name (the device-name key): the
 * same on every install of that name, and unlike any random one. */
char *hw_emby_device_id_for_name     (const char *device_name);

G_END_DECLS
