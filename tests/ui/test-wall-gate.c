/* test-wall-gate.c: the wall controller opening the server gate. Real GTK
 * widgets under Xvfb; the cells never get an item, so no mpv runs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-test"

#include "config.h"

#include <gtk/gtk.h>
#include <locale.h>

#include "hw-cell.h"
#include "hw-config.h"
#include "hw-resources.h"
#include "hw-wall.h"
#include "hw-wall-controller.h"
#include "ui-test-util.h"

/* A feed whose server state the test sets. Requests are held unanswered
 * (the cells stay loading) until the test lets them go. */
struct _GateFeed
{
  GObject        parent_instance;
  HwServerState  state;
  GPtrArray     *held;          /* GTask */
  guint          requests;
};
#define GATE_TYPE_FEED (gate_feed_get_type ())
G_DECLARE_FINAL_TYPE (GateFeed, gate_feed, GATE, FEED, GObject)
static void gate_feed_iface_init (HwFeedInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (GateFeed, gate_feed, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HW_TYPE_FEED, gate_feed_iface_init))

enum { PROP_0, PROP_SERVER_STATE, PROP_SERVER_URL };

static void
gate_feed_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  if (prop_id == PROP_SERVER_STATE)
    g_value_set_enum (value, GATE_FEED (object)->state);
  else
    g_value_set_string (value, NULL);
}

static void
gate_feed_release_held (GateFeed *self)
{
  for (guint i = 0; i < self->held->len; i++)
    g_task_return_new_error (g_ptr_array_index (self->held, i), HW_FEED_ERROR,
                             HW_FEED_ERROR_UNAVAILABLE, "let go");
  g_ptr_array_set_size (self->held, 0);
}

static void
gate_feed_finalize (GObject *object)
{
  GateFeed *self = GATE_FEED (object);

  gate_feed_release_held (self);
  g_ptr_array_unref (self->held);
  G_OBJECT_CLASS (gate_feed_parent_class)->finalize (object);
}

static void
gate_feed_class_init (GateFeedClass *klass)
{
  G_OBJECT_CLASS (klass)->get_property = gate_feed_get_property;
  G_OBJECT_CLASS (klass)->finalize = gate_feed_finalize;
  g_object_class_override_property (G_OBJECT_CLASS (klass), PROP_SERVER_STATE, "server-state");
  g_object_class_override_property (G_OBJECT_CLASS (klass), PROP_SERVER_URL, "server-url");
}

static void
gate_feed_init (GateFeed *self)
{
  self->state = HW_SERVER_STATE_ONLINE;
  self->held = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
gate_feed_next_item_async (HwFeed *feed, guint cell, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  GateFeed *self = GATE_FEED (feed);

  self->requests++;
  g_ptr_array_add (self->held, g_task_new (feed, cancellable, callback, user_data));
}

static HwServerState
gate_feed_get_server_state (HwFeed *feed)
{
  return GATE_FEED (feed)->state;
}

static void
gate_feed_iface_init (HwFeedInterface *iface)
{
  iface->next_item_async = gate_feed_next_item_async;
  iface->get_server_state = gate_feed_get_server_state;
}

static void
gate_feed_set_state (GateFeed *self, HwServerState state)
{
  self->state = state;
  g_object_notify (G_OBJECT (self), "server-state");
}

static guint
count_cells (HwWallController *controller, HwCellState state)
{
  guint n = 0;

  for (guint i = 0; i < hw_wall_controller_get_n_cells (controller); i++)
    n += hw_cell_supervisor_get_state (
           hw_cell_get_supervisor (hw_wall_controller_get_cell (controller, i))) == state;
  return n;
}

/* The server comes back and goes away again before the staggered
 * openings have all run: the ones still pending must not open the gate
 * for their cells behind the server's back. */
static void
test_flapping_server (void)
{
  g_autoptr(GateFeed) feed = g_object_new (GATE_TYPE_FEED, NULL);
  g_autoptr(HwConfig) config = hw_config_new ();
  g_autoptr(HwWallController) controller = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *wall = hw_wall_new ();
  guint requests;

  gtk_window_set_child (GTK_WINDOW (window), wall);
  gtk_window_present (GTK_WINDOW (window));
  controller = hw_wall_controller_new (config, HW_FEED (feed), HW_WALL (wall));
  g_assert_cmpuint (hw_wall_controller_get_n_cells (controller), ==, 4);
  hw_wall_controller_start (controller);
  ui_test_spin (1500 * 1000);
  g_assert_cmpuint (feed->requests, ==, 4);
  g_assert_cmpuint (count_cells (controller, HW_CELL_STATE_LOADING), ==, 4);

  gate_feed_set_state (feed, HW_SERVER_STATE_OFFLINE);
  g_assert_cmpuint (count_cells (controller, HW_CELL_STATE_WAITING), ==, 4);

  /* Online for an instant: the openings are staggered, so none ran yet. */
  gate_feed_set_state (feed, HW_SERVER_STATE_ONLINE);
  gate_feed_set_state (feed, HW_SERVER_STATE_OFFLINE);
  requests = feed->requests;
  ui_test_spin (1500 * 1000);
  g_assert_cmpuint (count_cells (controller, HW_CELL_STATE_WAITING), ==, 4);
  g_assert_cmpuint (feed->requests, ==, requests);

  /* Online for good: every waiting cell asks again, 300 ms apart. */
  gate_feed_set_state (feed, HW_SERVER_STATE_ONLINE);
  ui_test_spin (100 * 1000);
  g_assert_cmpuint (feed->requests, ==, requests + 1);
  ui_test_spin (1500 * 1000);
  g_assert_cmpuint (feed->requests, ==, requests + 4);
  g_assert_cmpuint (count_cells (controller, HW_CELL_STATE_LOADING), ==, 4);

  hw_wall_controller_shutdown (controller);
  gate_feed_release_held (feed);
  ui_test_spin (100 * 1000);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Cells start staggered: 300 ms apart against a server, so they never all
 * open streams at once; 50 ms apart without one (local files), so that a
 * 2×2 wall asks for all its items within a few turns. */
static void
test_start_stagger (gconstpointer data)
{
  HwServerState state = GPOINTER_TO_INT (data);
  g_autoptr(GateFeed) feed = g_object_new (GATE_TYPE_FEED, NULL);
  g_autoptr(HwConfig) config = hw_config_new ();
  g_autoptr(HwWallController) controller = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *wall = hw_wall_new ();

  feed->state = state;
  gtk_window_set_child (GTK_WINDOW (window), wall);
  gtk_window_present (GTK_WINDOW (window));
  controller = hw_wall_controller_new (config, HW_FEED (feed), HW_WALL (wall));
  g_assert_cmpuint (hw_wall_controller_get_n_cells (controller), ==, 4);
  hw_wall_controller_start (controller);
  ui_test_spin (250 * 1000);
  if (state == HW_SERVER_STATE_NONE)
    g_assert_cmpuint (feed->requests, ==, 4);
  else
    g_assert_cmpuint (feed->requests, ==, 1);
  ui_test_spin (1000 * 1000);
  g_assert_cmpuint (feed->requests, ==, 4);

  hw_wall_controller_shutdown (controller);
  gate_feed_release_held (feed);
  ui_test_spin (100 * 1000);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  setlocale (LC_NUMERIC, "C");
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  hw_register_resource ();

  g_test_add_func ("/hyperwall/ui/wall/gate/flapping-server", test_flapping_server);
  g_test_add_data_func ("/hyperwall/ui/wall/start-stagger/server",
                        GINT_TO_POINTER (HW_SERVER_STATE_ONLINE), test_start_stagger);
  g_test_add_data_func ("/hyperwall/ui/wall/start-stagger/local",
                        GINT_TO_POINTER (HW_SERVER_STATE_NONE), test_start_stagger);

  return g_test_run ();
}
