/* hw-systemd.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <unistd.h>

#include "hw-systemd.h"

static GSocket        *notify_socket;
static GSocketAddress *notify_address;
static guint           watchdog_id;

static void
notify (const char *message)
{
  g_autoptr(GError) error = NULL;

  if (notify_socket == NULL)
    return;

  if (g_socket_send_to (notify_socket, notify_address, message, strlen (message),
                        NULL, &error) < 0)
    g_debug ("sd_notify %s failed: %s", message, error->message);
}

static gboolean
on_watchdog (gpointer user_data)
{
  notify ("WATCHDOG=1");
  return G_SOURCE_CONTINUE;
}

static GSocketAddress *
parse_address (const char *path)
{
  /* A leading '@' names an abstract socket. */
  if (path[0] == '@')
    return g_unix_socket_address_new_with_type (path + 1, -1, G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  return g_unix_socket_address_new (path);
}

guint64
hw_systemd_watchdog_usec (const char *usec,
                          const char *watchdog_pid,
                          guint64     own_pid)
{
  guint64 period = 0;
  guint64 pid = 0;

  if (usec == NULL || !g_ascii_string_to_unsigned (usec, 10, 1, G_MAXUINT64, &period, NULL))
    return 0;
  /* As sd_watchdog_enabled(): the variables are inherited by every child,
   * but the watchdog is the named process's alone; one that does not
   * parse names nobody. */
  if (watchdog_pid != NULL &&
      (!g_ascii_string_to_unsigned (watchdog_pid, 10, 1, G_MAXUINT64, &pid, NULL) ||
       pid != own_pid))
    return 0;
  return period;
}

void
hw_systemd_start (void)
{
  g_autoptr(GError) error = NULL;
  const char *path = g_getenv ("NOTIFY_SOCKET");
  guint64 period = hw_systemd_watchdog_usec (g_getenv ("WATCHDOG_USEC"),
                                             g_getenv ("WATCHDOG_PID"),
                                             (guint64) getpid ());

  if (path == NULL || *path == '\0' || notify_socket != NULL)
    return;

  notify_socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM,
                                G_SOCKET_PROTOCOL_DEFAULT, &error);
  if (notify_socket == NULL)
    {
      g_warning ("Cannot talk to systemd: %s", error->message);
      return;
    }
  notify_address = parse_address (path);
  notify ("READY=1");

  if (period > 0)
    {
      guint interval_ms = MAX (period / 2000, 1);

      watchdog_id = g_timeout_add_full (G_PRIORITY_HIGH, interval_ms, on_watchdog, NULL, NULL);
      g_message ("systemd watchdog: pinging every %u ms", interval_ms);
    }
}

void
hw_systemd_stop (void)
{
  notify ("STOPPING=1");
  g_clear_handle_id (&watchdog_id, g_source_remove);
  g_clear_object (&notify_socket);
  g_clear_object (&notify_address);
}
