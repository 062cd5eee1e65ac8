/* test-systemd.c: the sd_notify protocol against a real datagram socket, and
 * whose watchdog it is (WATCHDOG_PID).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-test"

#include "config.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "hw-systemd.h"

static void
test_watchdog_usec (void)
{
  guint64 me = 4242;

  g_assert_cmpuint (hw_systemd_watchdog_usec ("30000000", NULL, me), ==, 30000000);
  g_assert_cmpuint (hw_systemd_watchdog_usec ("30000000", "4242", me), ==, 30000000);
  /* Inherited by a child: the watchdog is its parent's. */
  g_assert_cmpuint (hw_systemd_watchdog_usec ("30000000", "4241", me), ==, 0);
  g_assert_cmpuint (hw_systemd_watchdog_usec ("30000000", "", me), ==, 0);
  g_assert_cmpuint (hw_systemd_watchdog_usec ("30000000", "42x", me), ==, 0);
  g_assert_cmpuint (hw_systemd_watchdog_usec ("30000000", "0", me), ==, 0);
  g_assert_cmpuint (hw_systemd_watchdog_usec (NULL, "4242", me), ==, 0);
  g_assert_cmpuint (hw_systemd_watchdog_usec ("0", NULL, me), ==, 0);
  g_assert_cmpuint (hw_systemd_watchdog_usec ("soon", NULL, me), ==, 0);
}

/* The messages that arrive on @socket within @duration_ms, joined by '|'. */
static char *
receive_for (GSocket *socket,
             guint    duration_ms)
{
  GString *received = g_string_new (NULL);
  gint64 end = g_get_monotonic_time () + duration_ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      char buffer[256];
      gssize n;

      g_main_context_iteration (NULL, FALSE);
      n = g_socket_receive (socket, buffer, sizeof buffer - 1, NULL, NULL);
      if (n > 0)
        {
          buffer[n] = '\0';
          if (received->len > 0 && !g_str_has_suffix (received->str, buffer))
            g_string_append_c (received, '|');
          /* Repeated pings count once. */
          if (!g_str_has_suffix (received->str, buffer))
            g_string_append (received, buffer);
        }
      else
        g_usleep (1000);
    }
  return g_string_free (received, FALSE);
}

/* Runs hw_systemd_start() against a socket of the test's with a 20 ms
 * watchdog, WATCHDOG_PID set to @watchdog_pid (NULL: unset); what arrives. */
static char *
run_notify (const char *watchdog_pid)
{
  g_autofree char *dir = g_dir_make_tmp ("hw-notify-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "notify", NULL);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM,
                                            G_SOCKET_PROTOCOL_DEFAULT, NULL);
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  char *received;

  g_assert_nonnull (socket);
  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  g_socket_set_blocking (socket, FALSE);

  g_setenv ("NOTIFY_SOCKET", path, TRUE);
  g_setenv ("WATCHDOG_USEC", "20000", TRUE);
  if (watchdog_pid != NULL)
    g_setenv ("WATCHDOG_PID", watchdog_pid, TRUE);
  else
    g_unsetenv ("WATCHDOG_PID");

  hw_systemd_start ();
  received = receive_for (socket, 200);
  hw_systemd_stop ();

  g_unlink (path);
  g_rmdir (dir);
  return received;
}

static void
test_notify_own_watchdog (void)
{
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  g_autofree char *unset = run_notify (NULL);
  g_autofree char *own = run_notify (pid);

  g_assert_cmpstr (unset, ==, "READY=1|WATCHDOG=1");
  g_assert_cmpstr (own, ==, "READY=1|WATCHDOG=1");
}

/* WATCHDOG_PID names another process (this one's parent, say, whose
 * variables it inherited): ready, but no pings of its own. */
static void
test_notify_other_watchdog (void)
{
  g_autofree char *other = g_strdup_printf ("%d", (int) getppid ());
  g_autofree char *received = run_notify (other);

  g_assert_cmpstr (received, ==, "READY=1");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* The watchdog's "pinging every" message is expected. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);

  g_test_add_func ("/hyperwall/systemd/watchdog-usec", test_watchdog_usec);
  g_test_add_func ("/hyperwall/systemd/notify/own-watchdog", test_notify_own_watchdog);
  g_test_add_func ("/hyperwall/systemd/notify/other-watchdog", test_notify_other_watchdog);

  return g_test_run ();
}
