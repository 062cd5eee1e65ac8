/* test-emby-request.c: a request that libsoup puts on the wire later than
 * it was handed over asks the gate again.
 *
 * libsoup sends an idempotent request (GET, DELETE) once more on a new
 * connection when the kept-alive one it went out on closes before any
 * answer: a server going down does exactly that. If the gate closed in the
 * meantime, that second attempt must not go out. The server is a plain
 * socket on 127.0.0.1 in a thread, so the test decides when a connection
 * closes and counts the connections made.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "hw-emby-protocol.h"
#include "hw-emby-request.h"

#define ANSWER "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
/* The same, and no more on this connection: nothing waits for a next one. */
#define LAST_ANSWER "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" \
                    "Connection: close\r\nContent-Length: 2\r\n\r\n{}"

typedef struct {
  GSocket  *listener;
  guint     port;
  GThread  *thread;
  gint      stop;         /* atomic */
  gint      gate_open;    /* atomic: what the gate says */
  gint      connections;  /* atomic */
  gint      requests;     /* atomic */
  gboolean  close_gate;   /* the first connection's drop closes the gate */
} Server;

/* Reads one request head (no body: the test sends none); FALSE at EOF. */
static gboolean
read_head (GSocket *socket)
{
  GString *head = g_string_new (NULL);
  gboolean ok = FALSE;
  char c;

  while (g_socket_receive (socket, &c, 1, NULL, NULL) == 1)
    {
      g_string_append_c (head, c);
      if (g_str_has_suffix (head->str, "\r\n\r\n"))
        {
          ok = TRUE;
          break;
        }
    }
  g_string_free (head, TRUE);
  return ok;
}

/* The first connection answers one request, then reads the second, closes
 * the gate and drops the connection unanswered, as a server going away
 * does. Every later connection is answered, so that a request sent again
 * would succeed and be seen. */
static gpointer
server_thread (gpointer user_data)
{
  Server *s = user_data;

  while (!g_atomic_int_get (&s->stop))
    {
      g_autoptr(GSocket) conn = NULL;
      guint n;

      if (!g_socket_condition_timed_wait (s->listener, G_IO_IN, 20 * 1000, NULL, NULL))
        continue;
      conn = g_socket_accept (s->listener, NULL, NULL);
      if (conn == NULL)
        continue;
      g_socket_set_blocking (conn, TRUE);
      g_socket_set_timeout (conn, 3);
      n = g_atomic_int_add (&s->connections, 1);

      if (n == 0)
        {
          if (!read_head (conn))
            continue;
          g_atomic_int_inc (&s->requests);
          g_socket_send (conn, ANSWER, strlen (ANSWER), NULL, NULL);
          if (!read_head (conn))
            continue;
          g_atomic_int_inc (&s->requests);
          if (s->close_gate)
            g_atomic_int_set (&s->gate_open, FALSE);
          g_socket_shutdown (conn, TRUE, TRUE, NULL);
          continue;
        }

      if (read_head (conn))
        {
          g_atomic_int_inc (&s->requests);
          g_socket_send (conn, LAST_ANSWER, strlen (LAST_ANSWER), NULL, NULL);
        }
    }
  return NULL;
}

static Server *
server_new (gboolean close_gate)
{
  Server *s = g_new0 (Server, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  s->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                              &error);
  g_assert_no_error (error);
  g_socket_bind (s->listener, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (s->listener, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (s->listener, FALSE);
  bound = g_socket_get_local_address (s->listener, &error);
  g_assert_no_error (error);
  s->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  s->gate_open = TRUE;
  s->close_gate = close_gate;
  s->thread = g_thread_new ("server", server_thread, s);
  return s;
}

static void
server_free (Server *s)
{
  g_atomic_int_set (&s->stop, TRUE);
  g_thread_join (s->thread);
  g_socket_close (s->listener, NULL);
  g_object_unref (s->listener);
  g_free (s);
}

static gboolean
gate_is_open (gpointer data)
{
  Server *s = data;

  return g_atomic_int_get (&s->gate_open);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static GAsyncResult *
send_and_wait (SoupSession *session,
               Server      *s,
               const char  *method,
               const char  *path)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s", s->port, path);
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  g_autofree char *what = g_strdup_printf ("%s %s", method, path);
  GAsyncResult *result = NULL;
  gint64 end;

  /* The connection goes back to the pool once the last answer is wound
   * up: let that happen, so the request goes out on it. */
  end = g_get_monotonic_time () + G_USEC_PER_SEC / 10;
  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  hw_emby_request_send_gated_async (session, message, what, 5, gate_is_open, s, NULL, on_done,
                                    &result);
  while (result == NULL && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (result);
  return result;
}

/* The DELETE went out while the gate was open; its connection died and the
 * gate closed before libsoup sent it again: the second attempt stays home. */
static void
test_restart_held_back (void)
{
  Server *s = server_new (TRUE);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(HwEmbyOutcome) outcome = { 0, };

  first = send_and_wait (session, s, "GET", "/first");
  body = hw_emby_request_send_finish (first, &outcome, &error);
  g_assert_no_error (error);
  g_assert_nonnull (body);
  g_clear_pointer (&body, g_bytes_unref);
  /* The exchange (and with it the body stream) goes: the connection is
   * free again. */
  g_clear_object (&first);

  second = send_and_wait (session, s, "DELETE", "/Videos/ActiveEncodings");
  body = hw_emby_request_send_finish (second, &outcome, &error);
  g_test_message ("connections %d, requests %d", g_atomic_int_get (&s->connections),
                  g_atomic_int_get (&s->requests));
  g_assert_null (body);
  g_assert_error (error, HW_EMBY_ERROR, HW_EMBY_ERROR_OFFLINE);
  /* Held back is no sign of a dead server: nothing to suspect. */
  g_assert_null (outcome.unreachable);
  g_assert_cmpint (g_atomic_int_get (&s->connections), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&s->requests), ==, 2);

  server_free (s);
}

/* Control: with the gate left open the same restart goes out on a new
 * connection and is answered, so the server above really provokes one. */
static void
test_restart_while_open (void)
{
  Server *s = server_new (FALSE);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(HwEmbyOutcome) outcome = { 0, };

  first = send_and_wait (session, s, "GET", "/first");
  body = hw_emby_request_send_finish (first, &outcome, &error);
  g_assert_no_error (error);
  g_clear_pointer (&body, g_bytes_unref);
  /* The exchange (and with it the body stream) goes: the connection is
   * free again. */
  g_clear_object (&first);

  second = send_and_wait (session, s, "DELETE", "/Videos/ActiveEncodings");
  body = hw_emby_request_send_finish (second, &outcome, &error);
  g_assert_no_error (error);
  g_assert_nonnull (body);
  g_assert_cmpint (g_atomic_int_get (&s->connections), ==, 2);
  g_assert_cmpint (g_atomic_int_get (&s->requests), ==, 3);
  server_free (s);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hyperwall/emby/request/restart-held-back", test_restart_held_back);
  g_test_add_func ("/hyperwall/emby/request/restart-while-open", test_restart_while_open);

  return g_test_run ();
}
