/* test-emby-feed-source.c: HwEmbyFeed on a cell's source against
 * tests/fake-emby.py (items 1001…1006): a playlist by name in its order,
 * looping; a collection; items: in the listed order; a playlist that does
 * not exist, or goes away, named in the error the cell shows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include "fake-emby-fixture.h"
#include "hw-emby-feed.h"

typedef struct {
  gboolean     done;
  HwMediaItem *item;
  GError      *error;
} ItemOutcome;

static void
on_next_item (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ItemOutcome *o = user_data;

  o->item = hw_feed_next_item_finish (HW_FEED (source), result, &o->error);
  o->done = TRUE;
}

static HwMediaItem *
next_item (HwFeed *feed, guint cell, GError **error)
{
  ItemOutcome o = { 0 };

  hw_feed_next_item_async (feed, cell, NULL, on_next_item, &o);
  g_assert_true (spin_until (&o.done, 10));
  if (o.error != NULL)
    g_propagate_error (error, o.error);
  return o.item;
}

static void
setup_containers (Fixture *f, gconstpointer data)
{
  const char * const args[] = { "--playlist", "Lobby ads=1003,1001,1005",
                                "--boxset", "Trailers=1002,1006", NULL };

  fixture_setup_with (f, args, "");
}

static HwEmbyFeed *
source_feed (HwEmbyFeed *wall, const char *text)
{
  HwSourceSpec spec = { 0 };
  HwEmbyFeed *feed;

  g_assert_true (hw_source_spec_parse (text, &spec, NULL));
  feed = hw_emby_feed_new_for_source (wall, &spec);
  hw_source_spec_clear (&spec);
  return feed;
}

/* Takes and releases @n items on one cell: their ids in turn. */
static GPtrArray *
play_through (HwEmbyFeed *feed, guint n)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HwMediaItem) item = next_item (HW_FEED (feed), 0, &error);

      g_assert_no_error (error);
      g_ptr_array_add (ids, g_strdup (hw_media_item_get_id (item)));
      hw_feed_release_item (HW_FEED (feed), 0, item);
    }
  return ids;
}

static void
test_source_playlist_in_order (Fixture *f, gconstpointer data)
{
  g_autoptr(HwEmbyFeed) wall = NULL;
  g_autoptr(HwEmbyFeed) feed = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  const char *expected[] = { "1003", "1001", "1005", "1003", "1001", "1005", "1003" };

  start_online (f);
  wall = hw_emby_feed_new_with_client (f->config, f->client);
  /* The name in any case. */
  feed = source_feed (wall, "playlist:lobby ADS");
  ids = play_through (feed, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (g_ptr_array_index (ids, i), ==, expected[i]);
  g_assert_cmpuint (log_count_query (f, "GET", "Playlists/3000/Items$",
                                     "UserId=" FAKE_USER_ID), >=, 1);
  g_assert_cmpuint (log_count_query (f, "GET", "Items$", "IncludeItemTypes=Playlist"), >=, 1);
}

static void
test_source_collection_and_items (Fixture *f, gconstpointer data)
{
  g_autoptr(HwEmbyFeed) wall = NULL;
  g_autoptr(HwEmbyFeed) trailers = NULL;
  g_autoptr(HwEmbyFeed) listed = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GPtrArray) in_order = NULL;

  start_online (f);
  wall = hw_emby_feed_new_with_client (f->config, f->client);
  trailers = source_feed (wall, "collection:Trailers");
  ids = play_through (trailers, 4);
  for (guint i = 0; i < ids->len; i++)
    g_assert_true (g_str_equal (g_ptr_array_index (ids, i), "1002") ||
                   g_str_equal (g_ptr_array_index (ids, i), "1006"));
  g_assert_cmpuint (log_count_query (f, "GET", "Items$", "IncludeItemTypes=BoxSet"), >=, 1);
  g_assert_cmpuint (log_count_query (f, "GET", "Items$", "ParentId=4001"), >=, 1);

  /* items: in the listed order, whatever order the server answers in. */
  listed = source_feed (wall, "items:1006,1002,1004");
  in_order = play_through (listed, 4);
  g_assert_cmpstr (g_ptr_array_index (in_order, 0), ==, "1006");
  g_assert_cmpstr (g_ptr_array_index (in_order, 1), ==, "1002");
  g_assert_cmpstr (g_ptr_array_index (in_order, 2), ==, "1004");
  g_assert_cmpstr (g_ptr_array_index (in_order, 3), ==, "1006");
}

static void
test_source_not_found (Fixture *f, gconstpointer data)
{
  g_autoptr(HwEmbyFeed) wall = NULL;
  g_autoptr(HwEmbyFeed) feed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HwMediaItem) item = NULL;
  g_autoptr(HwMediaItem) again = NULL;

  start_online (f);
  wall = hw_emby_feed_new_with_client (f->config, f->client);
  feed = source_feed (wall, "playlist:Nope");
  item = next_item (HW_FEED (feed), 0, &error);
  g_assert_null (item);
  g_assert_error (error, HW_FEED_ERROR, HW_FEED_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "Playlist “Nope” not found"));
  g_clear_error (&error);

  /* Made on the server: the next request finds it, no refresh needed. */
  control (f, "{\"fault\": \"playlist-set\", \"name\": \"Nope\", \"items\": [\"1004\"]}");
  again = next_item (HW_FEED (feed), 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hw_media_item_get_id (again), ==, "1004");
  hw_feed_release_item (HW_FEED (feed), 0, again);
}

static void
test_source_goes_away (Fixture *f, gconstpointer data)
{
  g_autoptr(HwEmbyFeed) wall = NULL;
  g_autoptr(HwEmbyFeed) feed = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HwMediaItem) item = NULL;

  start_online (f);
  wall = hw_emby_feed_new_with_client (f->config, f->client);
  feed = source_feed (wall, "playlist:Lobby ads");
  ids = play_through (feed, 1);
  control (f, "{\"fault\": \"playlist-delete\", \"name\": \"Lobby ads\"}");
  /* The library changed: the wall's feed passes it on to its sources. */
  hw_emby_feed_refresh (wall);
  item = next_item (HW_FEED (feed), 0, &error);
  g_assert_null (item);
  g_assert_error (error, HW_FEED_ERROR, HW_FEED_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "Playlist “Lobby ads” not found"));
}

int
main (int argc, char *argv[])
{
  int ret;

  fixture_main_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/hyperwall/emby/" path, Fixture, NULL, setup_containers, func, fixture_teardown)

  ADD ("feed-source/playlist-in-order", test_source_playlist_in_order);
  ADD ("feed-source/collection-and-items", test_source_collection_and_items);
  ADD ("feed-source/not-found", test_source_not_found);
  ADD ("feed-source/goes-away", test_source_goes_away);

#undef ADD

  ret = g_test_run ();
  fixture_main_cleanup ();
  return ret;
}
