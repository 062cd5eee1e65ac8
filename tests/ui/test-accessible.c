/* test-accessible.c: what the wall tells assistive technology. Real GTK
 * under Xvfb, a real mpv playing a lavfi source; read back through GTK's
 * accessibility test API.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-test"

#include "config.h"

#include <gtk/gtk.h>
#include <locale.h>

#include "hw-cell.h"
#include "hw-resources.h"
#include "hw-wall.h"
#include "hw-window.h"
#include "lavfi-feed.h"
#include "ui-test-util.h"

static HwCell *
new_cell (guint   index,
          HwFeed *feed)
{
  HwCellSettings settings = { 0 };
  HwCacheSplit cache = hw_cache_split (64 * HW_MIB, 64 * HW_MIB, 1);

  hw_cell_policy_init_defaults (&settings.policy);
  settings.stall = (HwStallParams) { 20 * HW_USEC_PER_SEC, 30 * HW_USEC_PER_SEC, 0 };
  settings.watchdog_interval_ms = 1000;
  settings.network_timeout_s = 20;
  settings.hwdec = "no";
  settings.renderer = HW_RENDERER_SOFTWARE;
  return hw_cell_new (index, feed, &settings, &cache);
}

static gboolean
wait_for_playing (HwCell *cell,
                  gint64  timeout_us)
{
  HwCellSupervisor *supervisor = hw_cell_get_supervisor (cell);
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  while (g_get_monotonic_time () < deadline
         && (hw_cell_supervisor_get_state (supervisor) != HW_CELL_STATE_PLAYING
             || hw_cell_supervisor_get_headline (supervisor) != NULL))
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
  return hw_cell_supervisor_get_state (supervisor) == HW_CELL_STATE_PLAYING
         && hw_cell_supervisor_get_headline (supervisor) == NULL;
}

/* The wall is a grid of grid cells, each labelled with its number and what
 * it shows, the label following the cell; the focused cell is selected. */
static void
test_wall_grid (void)
{
  g_autoptr(HwFeed) feed = lavfi_feed_new ("lobby", "Lobby tour",
                                           "av://lavfi:testsrc2=size=320x180:rate=30:d=60", 60);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *wall = hw_wall_new ();
  HwCell *playing = new_cell (0, feed);
  HwCell *waiting = new_cell (1, feed);

  gtk_window_set_default_size (GTK_WINDOW (window), 640, 180);
  gtk_window_set_child (GTK_WINDOW (window), wall);
  hw_wall_place (HW_WALL (wall), playing, 0, 0);
  hw_wall_place (HW_WALL (wall), waiting, 0, 1);
  gtk_window_present (GTK_WINDOW (window));

  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (wall), GTK_ACCESSIBLE_ROLE_GRID);
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (playing), GTK_ACCESSIBLE_ROLE_GRID_CELL);
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (waiting), GTK_ACCESSIBLE_ROLE_GRID_CELL);

  /* Before anything happened: a card, and a label from the start. */
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (playing), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Cell 1: Loading…");

  /* The server goes away: a cell that has nothing yet waits for it. */
  hw_cell_supervisor_server_state_changed (hw_cell_get_supervisor (waiting),
                                           HW_SERVER_STATE_OFFLINE, NULL);
  g_assert_cmpint (hw_cell_supervisor_get_state (hw_cell_get_supervisor (waiting)), ==,
                   HW_CELL_STATE_WAITING);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (waiting), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Cell 2: Waiting for server");

  hw_cell_supervisor_start (hw_cell_get_supervisor (playing));
  g_assert_true (ui_test_wait_for_frames (playing, 3, 30 * G_USEC_PER_SEC));
  g_assert_true (wait_for_playing (playing, 30 * G_USEC_PER_SEC));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (playing), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Cell 1: Lobby tour, playing");

  /* Paused by the operator: the card's word replaces "playing". */
  hw_cell_supervisor_set_paused (hw_cell_get_supervisor (playing), TRUE);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (playing), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Cell 1: Lobby tour, Paused");

  /* Focus: the selected state moves with it. */
  hw_cell_set_focused (playing, FALSE);
  hw_cell_set_focused (waiting, TRUE);
  g_assert_true (gtk_test_accessible_has_state (GTK_ACCESSIBLE (waiting),
                                                GTK_ACCESSIBLE_STATE_SELECTED));
  gtk_test_accessible_assert_state (GTK_ACCESSIBLE (waiting), GTK_ACCESSIBLE_STATE_SELECTED,
                                    TRUE);
  gtk_test_accessible_assert_state (GTK_ACCESSIBLE (playing), GTK_ACCESSIBLE_STATE_SELECTED,
                                    FALSE);
  hw_cell_set_focused (waiting, FALSE);
  hw_cell_set_focused (playing, TRUE);
  gtk_test_accessible_assert_state (GTK_ACCESSIBLE (waiting), GTK_ACCESSIBLE_STATE_SELECTED,
                                    FALSE);
  gtk_test_accessible_assert_state (GTK_ACCESSIBLE (playing), GTK_ACCESSIBLE_STATE_SELECTED,
                                    TRUE);

  /* A new layout gives the cell another number; the placement that follows
   * it tells every cell its focus again, and the label follows. */
  hw_cell_supervisor_set_index (hw_cell_get_supervisor (waiting), 2);
  hw_cell_set_focused (waiting, FALSE);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (waiting), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Cell 3: Waiting for server");

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_spin (200 * 1000);
}

static GtkWidget *
find_role (GtkWidget          *widget,
           GtkAccessibleRole   role)
{
  if (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (widget)) == role)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_role (child, role);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The message banner is an alert: a screen reader reads it as it shows. */
static void
test_banner_alert (void)
{
  HwWindow *window = hw_window_new (NULL);
  GtkWidget *banner;

  gtk_window_present (GTK_WINDOW (window));
  banner = find_role (GTK_WIDGET (window), GTK_ACCESSIBLE_ROLE_ALERT);
  g_assert_nonnull (banner);
  g_assert_false (gtk_widget_get_visible (banner));

  hw_window_show_banner (window, "Fire drill", "Leave by the stairs");
  g_assert_true (gtk_widget_get_visible (banner));
  g_assert_nonnull (ui_test_find_widget (banner, GTK_TYPE_LABEL));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (ui_test_find_widget (banner, GTK_TYPE_LABEL))),
                   ==, "Fire drill");

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_spin (100 * 1000);
}

int
main (int   argc,
      char *argv[])
{
  /* The labels are checked in English. */
  g_setenv ("LANGUAGE", "C", TRUE);
  setlocale (LC_ALL, "C.UTF-8");
  setlocale (LC_NUMERIC, "C");
  /* GTK's own test context records what would reach assistive technology;
   * the test environment turns accessibility off (GTK_A11Y=none). */
  g_setenv ("GTK_A11Y", "test", TRUE);
  g_test_init (&argc, &argv, NULL);
  /* The environment may lack a session bus or accessibility; that warns,
   * and is not what this test is about. Criticals stay fatal. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  gtk_init ();
  hw_register_resource ();

  g_test_add_func ("/hyperwall/ui/accessible/wall-grid", test_wall_grid);
  g_test_add_func ("/hyperwall/ui/accessible/banner-alert", test_banner_alert);

  return g_test_run ();
}
