/* test-emby-network.c: the server gate and GNetworkMonitor, end to end.
 *
 * While the server cannot be reached, HwEmbyClient probes it with backoff
 * (backoff-initial → backoff-max). When GNetworkMonitor says the network is
 * back it must probe at once instead of waiting the backoff out, over real
 * HTTP: a probe hung in the dead network is dropped, the fresh one opens
 * the gate, and the client signs in once. The gate's rules themselves
 * (backoff, no probe without the signal or while open) are unit-tested
 * without a server in test-server-gate.c.
 *
 * A test GNetworkMonitor is registered on GIO's extension point (highest
 * priority, and named in GIO_USE_NETWORK_MONITOR) before anything asks for
 * the default monitor, so the test decides when the network "comes back".
 * The server is a SoupServer on 127.0.0.1 in its own thread and main
 * context. Its socket is bound from the start but only listens once the
 * test says so: until then every connection is refused, like a server
 * that is down, and the port cannot be taken by anyone else meanwhile.
 * Probe times are taken on arrival, in the server thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "hw-config.h"
#include "hw-emby-client.h"
#include "test-monitor.h"

#define MONITOR_NAME "hyperwall-test"
#define PROBE_PATH   "/emby/System/Info/Public"
#define AUTH_PATH    "/emby/Users/AuthenticateByName"

/* Must run before anything calls g_network_monitor_get_default (). The
 * extension point may not exist yet (GIO registers its points lazily);
 * registering it returns the same point GIO will use. */
static void
register_test_monitor (void)
{
  GIOExtensionPoint *point = g_io_extension_point_register (G_NETWORK_MONITOR_EXTENSION_POINT_NAME);

  g_io_extension_point_set_required_type (point, G_TYPE_NETWORK_MONITOR);
  g_io_extension_point_implement (G_NETWORK_MONITOR_EXTENSION_POINT_NAME, TEST_TYPE_MONITOR,
                                  MONITOR_NAME, 1000);
  g_setenv ("GIO_USE_NETWORK_MONITOR", MONITOR_NAME, TRUE);
}

/* ------------------------------------------------------------------ */
/* The server: a SoupServer in its own thread                          */

typedef struct {
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  GSocket      *socket;        /* bound to 127.0.0.1; refuses until it listens */
  guint         port;

  GMutex        lock;
  GCond         cond;
  GArray       *probe_times;   /* gint64, monotonic µs of each probe (lock) */
  guint         sign_ins;      /* (lock) */
  gboolean      hang_probes;   /* (lock) probes get no answer, like a dead route */
} FakeServer;

typedef struct {
  FakeServer  *fs;
  GSourceFunc  func;
  gboolean     done;
} ServerJob;

static void
on_request (SoupServer        *server,
            SoupServerMessage *message,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  FakeServer *fs = user_data;
  const char *method = soup_server_message_get_method (message);
  const char *body = NULL;

  if (g_str_equal (method, "GET") && g_str_equal (path, PROBE_PATH))
    {
      gint64 now = g_get_monotonic_time ();

      gboolean hang;

      g_mutex_lock (&fs->lock);
      g_array_append_val (fs->probe_times, now);
      hang = fs->hang_probes;
      g_mutex_unlock (&fs->lock);
      if (hang)
        {
          /* Never answered; freed when the server disconnects. */
          soup_server_message_pause (message);
          return;
        }
      body = "{\"ServerName\": \"Test\", \"Version\": \"4.8.0.0\", \"Id\": \"test-server\"}";
    }
  else if (g_str_equal (method, "POST") && g_str_equal (path, AUTH_PATH))
    {
      g_mutex_lock (&fs->lock);
      fs->sign_ins++;
      g_mutex_unlock (&fs->lock);
      body = "{\"AccessToken\": \"0123456789abcdef0123456789abcdef\","
             " \"ServerId\": \"test-server\","
             " \"User\": {\"Id\": \"5e1f0c0d2b1e4f6a8c9d0e1f2a3b4c5d\", \"Name\": \"wall\"}}";
    }

  if (body == NULL)
    {
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_STATIC, body,
                                    strlen (body));
}

static gpointer
server_thread (gpointer user_data)
{
  FakeServer *fs = user_data;

  g_main_context_push_thread_default (fs->context);
  g_main_loop_run (fs->loop);
  g_main_context_pop_thread_default (fs->context);
  return NULL;
}

static gboolean
server_job_run (gpointer user_data)
{
  ServerJob *job = user_data;

  job->func (job->fs);
  g_mutex_lock (&job->fs->lock);
  job->done = TRUE;
  g_cond_broadcast (&job->fs->cond);
  g_mutex_unlock (&job->fs->lock);
  return G_SOURCE_REMOVE;
}

/* Runs @func (fs) in the server thread and waits for it. */
static void
server_run (FakeServer  *fs,
            GSourceFunc  func)
{
  ServerJob job = { fs, func, FALSE };

  g_main_context_invoke (fs->context, server_job_run, &job);
  g_mutex_lock (&fs->lock);
  while (!job.done)
    g_cond_wait (&fs->cond, &fs->lock);
  g_mutex_unlock (&fs->lock);
}

static gboolean
server_listen_in_thread (gpointer user_data)
{
  FakeServer *fs = user_data;
  g_autoptr(GError) error = NULL;

  g_socket_listen (fs->socket, &error);
  g_assert_no_error (error);
  soup_server_listen_socket (fs->server, fs->socket, 0, &error);
  g_assert_no_error (error);
  return G_SOURCE_REMOVE;
}

static gboolean
server_stop_in_thread (gpointer user_data)
{
  FakeServer *fs = user_data;

  soup_server_disconnect (fs->server);
  g_clear_object (&fs->server);
  g_main_loop_quit (fs->loop);
  return G_SOURCE_REMOVE;
}

/* Binds the port but does not listen: connections are refused. */
static FakeServer *
server_new (void)
{
  FakeServer *fs = g_new0 (FakeServer, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_mutex_init (&fs->lock);
  g_cond_init (&fs->cond);
  fs->probe_times = g_array_new (FALSE, FALSE, sizeof (gint64));

  fs->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                             &error);
  g_assert_no_error (error);
  g_socket_bind (fs->socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (fs->socket, &error);
  g_assert_no_error (error);
  fs->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_assert_cmpuint (fs->port, >, 0);

  fs->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fs->server, NULL, on_request, fs, NULL);
  fs->context = g_main_context_new ();
  fs->loop = g_main_loop_new (fs->context, FALSE);
  fs->thread = g_thread_new ("fake-server", server_thread, fs);
  return fs;
}

static void
server_free (FakeServer *fs)
{
  server_run (fs, server_stop_in_thread);
  g_thread_join (fs->thread);
  g_socket_close (fs->socket, NULL);
  g_object_unref (fs->socket);
  g_main_loop_unref (fs->loop);
  g_main_context_unref (fs->context);
  g_array_unref (fs->probe_times);
  g_mutex_clear (&fs->lock);
  g_cond_clear (&fs->cond);
  g_free (fs);
}

static guint
server_probes (FakeServer *fs)
{
  guint n;

  g_mutex_lock (&fs->lock);
  n = fs->probe_times->len;
  g_mutex_unlock (&fs->lock);
  return n;
}

/* When probe @index (from 0) arrived, or 0 if it has not. */
static gint64
server_probe_time (FakeServer *fs,
                   guint       index)
{
  gint64 t = 0;

  g_mutex_lock (&fs->lock);
  if (index < fs->probe_times->len)
    t = g_array_index (fs->probe_times, gint64, index);
  g_mutex_unlock (&fs->lock);
  return t;
}

static guint
server_sign_ins (FakeServer *fs)
{
  guint n;

  g_mutex_lock (&fs->lock);
  n = fs->sign_ins;
  g_mutex_unlock (&fs->lock);
  return n;
}

/* ------------------------------------------------------------------ */
/* Fixture                                                             */

typedef struct {
  FakeServer   *server;
  TestMonitor  *monitor;
  HwConfig     *config;
  HwEmbyClient *client;
  gint64        offline_us;   /* when the gate was seen closed */
} Fixture;

/* Spins the default main context for about @seconds, or until @done
 * (unless NULL) returns TRUE; returns what @done last said. */
static gboolean
spin (double     seconds,
      gboolean (*done) (Fixture *f),
      Fixture   *f)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    {
      if (done != NULL && done (f))
        return TRUE;
      /* Never blocks for long: the server thread does not wake us. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (2 * 1000);
    }
  return done != NULL && done (f);
}

static gboolean
is_offline (Fixture *f)
{
  return hw_emby_client_get_state (f->client) == HW_SERVER_STATE_OFFLINE;
}

static gboolean
is_online (Fixture *f)
{
  return hw_emby_client_get_state (f->client) == HW_SERVER_STATE_ONLINE;
}

static gboolean
has_probe (Fixture *f)
{
  return server_probes (f->server) > 0;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  GNetworkMonitor *monitor = g_network_monitor_get_default ();

  /* Without this the test would prove nothing. */
  if (!TEST_IS_MONITOR (monitor))
    g_error ("The default network monitor is %s, not the test's", G_OBJECT_TYPE_NAME (monitor));
  f->monitor = TEST_MONITOR (g_object_ref (monitor));
  test_monitor_set_available (f->monitor, FALSE, FALSE);

  f->server = server_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->client);
  g_clear_object (&f->config);
  /* Let cancelled requests unwind. */
  spin (0.1, NULL, f);
  server_free (f->server);
  g_clear_object (&f->monitor);
}

/* The per-test values go in through the command-line layer: no setenv ()
 * once threads run. */
static void
make_client (Fixture *f,
             guint    backoff_initial_s)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", f->server->port);
  g_autofree char *backoff = g_strdup_printf ("%u", backoff_initial_s);
  g_autoptr(GError) error = NULL;

  f->config = hw_config_new ();
  hw_config_set_from_string (f->config, "server-url", url, &error);
  g_assert_no_error (error);
  hw_config_set_from_string (f->config, "backoff-initial", backoff, &error);
  g_assert_no_error (error);
  f->client = hw_emby_client_new (f->config);
}

/* The server is down: the first probe is refused and the gate closes, the
 * next probe due after @backoff_initial_s ± 25 %. */
static void
start_offline (Fixture *f,
               guint    backoff_initial_s)
{
  make_client (f, backoff_initial_s);
  hw_emby_client_start (f->client);
  g_assert_true (spin (5, is_offline, f));
  f->offline_us = g_get_monotonic_time ();
  g_assert_cmpuint (server_probes (f->server), ==, 0);
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */

/* The network comes back: the probe goes out at once, not after 15-25 s. */
static void
test_back_probes_at_once (Fixture       *f,
                          gconstpointer  data)
{
  gint64 back_us;
  gint64 delay_us;

  start_offline (f, 20);
  server_run (f->server, server_listen_in_thread);

  /* The server is up again, but nobody knows yet. */
  spin (0.5, NULL, f);
  g_assert_cmpuint (server_probes (f->server), ==, 0);
  g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_OFFLINE);

  back_us = g_get_monotonic_time ();
  test_monitor_set_available (f->monitor, TRUE, TRUE);
  g_assert_true (spin (1.0, has_probe, f));
  delay_us = server_probe_time (f->server, 0) - back_us;
  g_test_message ("probe %.3f s after network-changed", delay_us / (double) G_USEC_PER_SEC);
  g_assert_cmpint (delay_us, >=, 0);
  g_assert_cmpint (delay_us, <, G_USEC_PER_SEC);

  g_assert_true (spin (5, is_online, f));
  g_assert_cmpuint (server_probes (f->server), ==, 1);
  g_assert_cmpuint (server_sign_ins (f->server), ==, 1);
}

static gboolean
has_two_probes (Fixture *f)
{
  return server_probes (f->server) >= 2;
}

static void
server_set_hang_probes (FakeServer *fs,
                        gboolean    hang)
{
  g_mutex_lock (&fs->lock);
  fs->hang_probes = hang;
  g_mutex_unlock (&fs->lock);
}

/* The network comes back while a probe sent into the dead network hangs
 * (it would wait out request-timeout, 20 s): a fresh probe goes out at
 * once and the first one's fate no longer matters. */
static void
test_back_supersedes_hung_probe (Fixture       *f,
                                 gconstpointer  data)
{
  gint64 back_us;

  server_set_hang_probes (f->server, TRUE);
  start_offline (f, 1);
  server_run (f->server, server_listen_in_thread);
  g_assert_true (spin (5, has_probe, f));
  spin (0.3, NULL, f);
  g_assert_cmpuint (server_probes (f->server), ==, 1);
  g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_OFFLINE);

  server_set_hang_probes (f->server, FALSE);
  back_us = g_get_monotonic_time ();
  test_monitor_set_available (f->monitor, TRUE, TRUE);
  g_assert_true (spin (1.0, has_two_probes, f));
  g_assert_cmpint (server_probe_time (f->server, 1) - back_us, <, G_USEC_PER_SEC);
  g_assert_true (spin (5, is_online, f));
  g_assert_cmpuint (server_sign_ins (f->server), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_home = NULL;
  g_autofree char *id_dir = NULL;
  g_autofree char *id_path = NULL;
  int ret;

  register_test_monitor ();
  /* Before any thread: the device id goes to a scratch data dir, no
   * keyring, and what every test shares. */
  data_home = g_dir_make_tmp ("hw-emby-network-XXXXXX", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("HYPERWALL_NO_KEYRING", "1", TRUE);
  g_setenv ("HYPERWALL_LIBRARIES", "", TRUE);
  g_setenv ("HYPERWALL_USERNAME", "wall", TRUE);
  g_setenv ("HYPERWALL_PASSWORD", "secret", TRUE);
  g_setenv ("HYPERWALL_REQUEST_TIMEOUT", "2", TRUE);
  g_setenv ("HYPERWALL_BACKOFF_MAX", "60", TRUE);
  g_unsetenv ("HYPERWALL_SERVER_URL");
  g_unsetenv ("HYPERWALL_BACKOFF_INITIAL");
  g_unsetenv ("HYPERWALL_API_KEY");
  g_unsetenv ("HYPERWALL_USER_ID");

  g_test_init (&argc, &argv, NULL);
  /* The client logs the server going away; here that is expected. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);

#define ADD(path, func) \
  g_test_add ("/hyperwall/emby/network/" path, Fixture, NULL, fixture_setup, func, \
              fixture_teardown)

  ADD ("back-probes-at-once", test_back_probes_at_once);
  ADD ("back-supersedes-hung-probe", test_back_supersedes_hung_probe);

#undef ADD

  ret = g_test_run ();

  id_dir = g_build_filename (data_home, "hyperwall", NULL);
  id_path = g_build_filename (id_dir, "device-id", NULL);
  g_unlink (id_path);
  g_rmdir (id_dir);
  g_rmdir (data_home);
  return ret;
}
