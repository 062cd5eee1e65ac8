/* test-feed-router.c: cells to the feeds of their sources — a demo feed
 * for the wall, local folders for the sources.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <glib/gstdio.h>

#include "hw-config.h"
#include "hw-demo-feed.h"
#include "hw-feed-router.h"
#include "hw-local-feed.h"

typedef struct {
  GAsyncResult *result;
} Waiter;

static void
store_result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Waiter *waiter = user_data;

  waiter->result = g_object_ref (result);
}

static HwMediaItem *
next_item (HwFeed *feed, guint cell, GError **error)
{
  Waiter waiter = { NULL };
  HwMediaItem *item;

  hw_feed_next_item_async (feed, cell, NULL, store_result_cb, &waiter);
  while (waiter.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  item = hw_feed_next_item_finish (feed, waiter.result, error);
  g_object_unref (waiter.result);
  return item;
}

static guint made;

static HwFeed *
make_feed (const HwSourceSpec *spec, gpointer user_data, GError **error)
{
  if (spec->kind != HW_SOURCE_FOLDER)
    {
      g_set_error_literal (error, HW_FEED_ERROR, HW_FEED_ERROR_FAILED, "no server here");
      return NULL;
    }
  made++;
  return HW_FEED (hw_local_feed_new (spec->name));
}

static void
on_source_changed (HwFeedRouter *router, guint index, gpointer user_data)
{
  GArray *changed = user_data;

  g_array_append_val (changed, index);
}

static char *
make_folder (void)
{
  char *dir = g_dir_make_tmp ("hw-router-XXXXXX", NULL);
  const char *names[] = { "a.mp4", "b.mp4" };

  g_assert_nonnull (dir);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      g_assert_true (g_file_set_contents (path, "", 0, NULL));
    }
  return dir;
}

static void
remove_folder (const char *dir)
{
  g_autofree char *a = g_build_filename (dir, "a.mp4", NULL);
  g_autofree char *b = g_build_filename (dir, "b.mp4", NULL);

  g_remove (a);
  g_remove (b);
  g_rmdir (dir);
}

static void
test_router_shares_sources (void)
{
  g_autofree char *dir = make_folder ();
  g_autofree char *text = g_strdup_printf ("folder:%s;;folder:%s;bogus:x", dir, dir);
  g_autoptr(HwConfig) config = hw_config_new ();
  g_autoptr(HwFeed) demo = HW_FEED (hw_demo_feed_new ());
  g_autoptr(HwFeedRouter) router = NULL;
  g_autoptr(GArray) changed = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(HwMediaItem) first = NULL;
  g_autoptr(HwMediaItem) second = NULL;
  g_autoptr(HwMediaItem) wall = NULL;
  g_autoptr(HwMediaItem) none = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *source0 = NULL;
  g_autofree char *source1 = NULL;
  g_autofree char *source2 = NULL;
  g_autofree char *source3 = NULL;
  const char *empty[] = { "", "", NULL };

  g_assert_true (hw_config_set_from_string (config, "sources", text, NULL));
  made = 0;
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*Ignoring the source “bogus:x”*");
  router = hw_feed_router_new (config, demo, make_feed, NULL);
  g_test_assert_expected_messages ();
  g_signal_connect (router, "source-changed", G_CALLBACK (on_source_changed), changed);

  /* One feed for the two cells on the folder; none for a refused entry. */
  g_assert_cmpuint (made, ==, 1);
  source0 = hw_feed_router_dup_source (router, 0);
  source1 = hw_feed_router_dup_source (router, 1);
  source2 = hw_feed_router_dup_source (router, 2);
  source3 = hw_feed_router_dup_source (router, 3);
  g_assert_true (g_str_has_prefix (source0, "folder:"));
  g_assert_null (source1);
  g_assert_cmpstr (source2, ==, source0);
  g_assert_null (source3);

  first = next_item (HW_FEED (router), 0, &error);
  g_assert_no_error (error);
  second = next_item (HW_FEED (router), 2, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (hw_media_item_get_id (first), dir));
  g_assert_true (g_str_has_prefix (hw_media_item_get_id (second), dir));
  g_assert_cmpstr (hw_media_item_get_id (first), !=, hw_media_item_get_id (second));
  wall = next_item (HW_FEED (router), 1, &error);
  g_assert_no_error (error);
  g_assert_false (g_str_has_prefix (hw_media_item_get_id (wall), dir));

  /* Shared: with both files on screen, a third cell of the folder waits. */
  none = next_item (HW_FEED (router), 0, &error);
  g_assert_null (none);
  g_assert_error (error, HW_FEED_ERROR, HW_FEED_ERROR_UNAVAILABLE);
  g_clear_error (&error);

  /* Back to the wall's feed live: cells 0 and 2 change, 1 does not. */
  hw_config_change (config, "sources", g_variant_new_strv (empty, -1));
  g_assert_cmpuint (changed->len, ==, 2);
  g_assert_cmpuint (g_array_index (changed, guint, 0), ==, 0);
  g_assert_cmpuint (g_array_index (changed, guint, 1), ==, 2);
  g_clear_pointer (&source0, g_free);
  source0 = hw_feed_router_dup_source (router, 0);
  g_assert_null (source0);

  /* What a cell held goes back to the feed that handed it. */
  hw_feed_release_item (HW_FEED (router), 0, first);
  hw_feed_release_item (HW_FEED (router), 2, second);
  hw_feed_release_item (HW_FEED (router), 1, wall);
  g_clear_object (&wall);
  wall = next_item (HW_FEED (router), 0, &error);
  g_assert_no_error (error);
  g_assert_false (g_str_has_prefix (hw_media_item_get_id (wall), dir));
  hw_feed_release_item (HW_FEED (router), 0, wall);

  remove_folder (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hyperwall/core/feed-router/shares-sources", test_router_shares_sources);

  return g_test_run ();
}
