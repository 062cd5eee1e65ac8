/* test-offline-fetcher.c: copies for offline play, from tests/fake-emby.py,
 * and the Emby feed handing them out while the server is away.
 *
 * Item 1001 is a 512 KiB file, 1002 on are 4096-byte synthetic items. The
 * fake server lets odd ids be downloaded and answers 403 for even ones.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "fake-emby-fixture.h"
#include "hw-emby-feed.h"
#include "hw-offline-fetcher.h"

#define BIG_BYTES (512 * 1024)

/* The feed's own cache folder ($XDG_CACHE_HOME is read once a process). */
static char *cache_home;

typedef struct {
  Fixture           f;
  char             *media;
  char             *cache;
  HwOfflineIndex   *index;
  HwOfflineFetcher *fetcher;
} FetcherFixture;

static void
setup (FetcherFixture *fx,
       gconstpointer   data)
{
  g_autofree char *clip = NULL;
  g_autofree char *zeros = g_malloc0 (BIG_BYTES);
  const char *args[] = { "--media", NULL, NULL };

  fx->media = g_dir_make_tmp ("hw-offline-media-XXXXXX", NULL);
  fx->cache = g_dir_make_tmp ("hw-offline-cache-XXXXXX", NULL);
  clip = g_build_filename (fx->media, "big.mp4", NULL);
  g_assert_true (g_file_set_contents (clip, zeros, BIG_BYTES, NULL));
  args[1] = fx->media;
  fixture_setup_with (&fx->f, args, "");
  fixture_make_client (&fx->f);
  hw_emby_client_start (fx->f.client);
  g_assert_true (wait_for_state (fx->f.client, HW_SERVER_STATE_ONLINE, 20));
  /* Signed in before anything is fetched. */
  while (hw_emby_client_get_access_token (fx->f.client) == NULL)
    spin_for (0.05);
  fx->index = hw_offline_index_new (fx->cache);
  fx->fetcher = hw_offline_fetcher_new (fx->f.client, fx->index, fx->f.config);
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
teardown (FetcherFixture *fx,
          gconstpointer   data)
{
  g_clear_object (&fx->fetcher);
  g_clear_object (&fx->index);
  fixture_teardown (&fx->f, data);
  remove_dir (fx->media);
  remove_dir (fx->cache);
  g_free (fx->media);
  g_free (fx->cache);
}

static void
want (FetcherFixture *fx,
      const char     *id,
      gint64          size,
      gboolean        can_download)
{
  g_autofree char *source_id = g_strconcat ("ms", id, NULL);
  HwOfflineWanted wanted = {
    .id = id,
    .title = "A clip",
    .duration = 60,
    .source_id = source_id,
    .size = size,
    .date_modified = "2026-01-01T00:00:00.0000000Z",
    .can_download = can_download,
  };

  hw_offline_fetcher_want (fx->fetcher, &wanted);
}

/* Spins until @id is copied (TRUE) or @seconds pass. */
static gboolean
wait_copied (FetcherFixture *fx,
             const char     *id,
             double          seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (hw_offline_index_lookup (fx->index, id) == NULL && g_get_monotonic_time () < end)
    spin_for (0.05);
  return hw_offline_index_lookup (fx->index, id) != NULL;
}

/* Requests in the fake server's log whose path ends in @path_end and
 * that were answered @status. */
static guint
requests (FetcherFixture *fx,
          const char     *path_end,
          guint           status)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *path = g_strdup_printf ("%s\"", path_end);
  g_autofree char *answered = g_strdup_printf ("\"status\": %u,", status);
  guint n = 0;

  g_assert_true (g_file_get_contents (fx->f.log_path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    n += strstr (lines[i], path) != NULL && strstr (lines[i], answered) != NULL;
  return n;
}

static gboolean
partial_left (FetcherFixture *fx,
              const char     *id)
{
  g_autofree char *partial = hw_offline_index_dup_partial_path (fx->index, id);

  return g_file_test (partial, G_FILE_TEST_EXISTS);
}

/* offline-cache-rate paces the download: 512 KiB at 128 KiB/s takes its
 * seconds, where the loopback would take milliseconds. */
static void
test_rate_cap (FetcherFixture *fx,
               gconstpointer   data)
{
  gint64 start;
  double took;

  g_assert_true (hw_config_set_from_string (fx->f.config, "offline-cache-rate", "128", NULL));
  start = g_get_monotonic_time ();
  want (fx, "1001", BIG_BYTES, TRUE);
  g_assert_true (wait_copied (fx, "1001", 30));
  took = (g_get_monotonic_time () - start) / 1e6;
  g_test_message ("512 KiB at 128 KiB/s took %.1f s", took);
  g_assert_cmpfloat (took, >=, 3.0);
  g_assert_cmpint (hw_offline_index_get_bytes (fx->index), ==, BIG_BYTES);
  g_assert_false (partial_left (fx, "1001"));
  g_assert_cmpuint (requests (fx, "/Items/1001/Download", 200), ==, 1);
  g_assert_null (hw_offline_fetcher_get_downloading (fx->fetcher));
}

/* While a cell buffers, the download reads nothing. */
static void
test_held_back (FetcherFixture *fx,
                gconstpointer   data)
{
  g_autofree char *partial = NULL;
  GStatBuf st;

  g_assert_true (hw_config_set_from_string (fx->f.config, "offline-cache-rate", "256", NULL));
  want (fx, "1001", BIG_BYTES, TRUE);
  /* Under way, then a cell starts buffering. */
  while (hw_offline_fetcher_get_downloading (fx->fetcher) == NULL)
    spin_for (0.05);
  spin_for (0.5);
  hw_offline_fetcher_set_held_back (fx->fetcher, TRUE);
  spin_for (0.3);
  partial = hw_offline_index_dup_partial_path (fx->index, "1001");
  g_assert_cmpint (g_stat (partial, &st), ==, 0);
  {
    gint64 held_at = st.st_size;

    spin_for (2.0);
    g_assert_cmpint (g_stat (partial, &st), ==, 0);
    g_assert_cmpint (st.st_size, ==, held_at);
    g_assert_cmpint (held_at, <, BIG_BYTES);
  }
  g_assert_null (hw_offline_index_lookup (fx->index, "1001"));

  hw_offline_fetcher_set_held_back (fx->fetcher, FALSE);
  g_assert_true (wait_copied (fx, "1001", 30));
}

/* Fewer bytes than the server's Size: never a copy, nothing left over. */
static void
test_size_mismatch (FetcherFixture *fx,
                    gconstpointer   data)
{
  g_assert_true (hw_config_set_from_string (fx->f.config, "offline-cache-rate", "0", NULL));
  want (fx, "1003", 5000, TRUE);
  g_assert_false (wait_copied (fx, "1003", 3));
  g_assert_cmpuint (requests (fx, "/Items/1003/Download", 200), ==, 1);
  g_assert_false (partial_left (fx, "1003"));
  g_assert_cmpuint (hw_offline_index_get_n_items (fx->index), ==, 0);
  g_assert_nonnull (strstr (captured_log->str, "copying item 1003 failed"));
}

/* A Download the server refuses: the static stream sends the original. */
static void
test_stream_fallback (FetcherFixture *fx,
                      gconstpointer   data)
{
  g_assert_true (hw_config_set_from_string (fx->f.config, "offline-cache-rate", "0", NULL));
  want (fx, "1002", 4096, TRUE);
  g_assert_true (wait_copied (fx, "1002", 10));
  g_assert_cmpuint (requests (fx, "/Items/1002/Download", 403), ==, 1);
  g_assert_cmpuint (requests (fx, "/Videos/1002/stream", 200), ==, 1);
  g_assert_true (hw_offline_index_is_current (fx->index, "1002",
                                              "2026-01-01T00:00:00.0000000Z", 4096));
}

/* The gate closes: the download stops and its partial file goes. */
static void
test_gate_closed (FetcherFixture *fx,
                  gconstpointer   data)
{
  g_assert_true (hw_config_set_from_string (fx->f.config, "offline-cache-rate", "64", NULL));
  want (fx, "1001", BIG_BYTES, TRUE);
  while (hw_offline_fetcher_get_downloading (fx->fetcher) == NULL)
    spin_for (0.05);
  spin_for (1.0);
  g_assert_true (partial_left (fx, "1001"));
  g_subprocess_force_exit (fx->f.server);
  hw_emby_client_suspect_server (fx->f.client);
  g_assert_true (wait_for_state (fx->f.client, HW_SERVER_STATE_OFFLINE, 20));
  g_assert_null (hw_offline_fetcher_get_downloading (fx->fetcher));
  g_assert_false (partial_left (fx, "1001"));
  g_assert_null (hw_offline_index_lookup (fx->index, "1001"));
}

typedef struct {
  gboolean     done;
  HwMediaItem *item;
  GError      *error;
} ItemOutcome;

static void
on_next_item (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ItemOutcome *o = user_data;

  o->item = hw_feed_next_item_finish (HW_FEED (source), result, &o->error);
  o->done = TRUE;
}

static HwMediaItem *
next_item (HwFeed  *feed,
           guint    cell,
           GError **error)
{
  ItemOutcome o = { 0 };

  hw_feed_next_item_async (feed, cell, NULL, on_next_item, &o);
  g_assert_true (spin_until (&o.done, 10));
  if (o.error != NULL)
    g_propagate_error (error, o.error);
  return o.item;
}

static gint64
feed_copies (HwFeed *feed)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  JsonObject *cache;

  json_builder_begin_object (builder);
  hw_feed_add_status (feed, builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  cache = json_object_get_object_member (json_node_get_object (root), "offline_cache");
  if (!json_object_get_null_member (cache, "downloading"))
    return -1;
  return json_object_get_int_member (cache, "items");
}

/* While the server answers, what the cells play and are about to play is
 * copied; once it is away, cells get copies, none on two cells and none
 * of what a cell still streams, and no more copies than there are. */
static void
test_feed_hands_copies (FetcherFixture *fx,
                        gconstpointer   data)
{
  g_autoptr(HwEmbyFeed) feed = NULL;
  g_autoptr(HwMediaItem) a = NULL;
  g_autoptr(HwMediaItem) b = NULL;
  g_autoptr(HwMediaItem) c = NULL;
  g_autoptr(HwMediaItem) d = NULL;
  g_autoptr(HwMediaItem) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_build_filename (cache_home, "hyperwall", "media", NULL);
  gint64 end;

  g_assert_true (hw_config_set_from_string (fx->f.config, "offline-cache-rate", "0", NULL));
  feed = hw_emby_feed_new_with_client (fx->f.config, fx->f.client);
  a = next_item (HW_FEED (feed), 0, &error);
  g_assert_no_error (error);
  b = next_item (HW_FEED (feed), 1, &error);
  g_assert_no_error (error);
  g_assert_false (hw_media_item_get_from_cache (a));

  /* Two on screen, two prepared: four copies. */
  end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (feed_copies (HW_FEED (feed)) < 4 && g_get_monotonic_time () < end)
    spin_for (0.1);
  g_assert_cmpint (feed_copies (HW_FEED (feed)), ==, 4);

  g_subprocess_force_exit (fx->f.server);
  hw_feed_suspect_server (HW_FEED (feed));
  g_assert_true (wait_for_state (fx->f.client, HW_SERVER_STATE_OFFLINE, 20));
  g_assert_true (hw_feed_has_offline_items (HW_FEED (feed)));

  c = next_item (HW_FEED (feed), 2, &error);
  g_assert_no_error (error);
  d = next_item (HW_FEED (feed), 3, &error);
  g_assert_no_error (error);
  g_assert_true (hw_media_item_get_from_cache (c));
  g_assert_true (hw_media_item_get_from_cache (d));
  g_assert_false (hw_media_item_get_is_network (c));
  g_assert_true (g_str_has_prefix (hw_media_item_get_direct_url (c), "file://"));
  g_assert_nonnull (strstr (hw_media_item_get_direct_url (c), folder));
  g_assert_cmpstr (hw_media_item_get_id (c), !=, hw_media_item_get_id (d));
  g_assert_cmpstr (hw_media_item_get_id (c), !=, hw_media_item_get_id (a));
  g_assert_cmpstr (hw_media_item_get_id (c), !=, hw_media_item_get_id (b));
  g_assert_cmpstr (hw_media_item_get_id (d), !=, hw_media_item_get_id (a));
  g_assert_cmpstr (hw_media_item_get_id (d), !=, hw_media_item_get_id (b));

  /* The copies of what cells still stream are theirs: none left. */
  g_assert_null (next_item (HW_FEED (feed), 4, &error));
  g_assert_error (error, HW_FEED_ERROR, HW_FEED_ERROR_UNAVAILABLE);
  g_clear_error (&error);

  /* A copy let go is there for the next cell. */
  hw_feed_release_item (HW_FEED (feed), 2, c);
  again = next_item (HW_FEED (feed), 4, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hw_media_item_get_id (again), ==, hw_media_item_get_id (c));

  hw_feed_release_item (HW_FEED (feed), 4, again);
  hw_feed_release_item (HW_FEED (feed), 3, d);
  hw_feed_release_item (HW_FEED (feed), 0, a);
  hw_feed_release_item (HW_FEED (feed), 1, b);
  g_clear_object (&feed);
  remove_dir (folder);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  /* Before anything reads it. */
  cache_home = g_dir_make_tmp ("hw-offline-home-XXXXXX", NULL);
  g_setenv ("XDG_CACHE_HOME", cache_home, TRUE);
  fixture_main_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/hyperwall/emby/offline-fetcher/" path, FetcherFixture, NULL, setup, func, \
              teardown)

  ADD ("rate-cap", test_rate_cap);
  ADD ("held-back", test_held_back);
  ADD ("size-mismatch", test_size_mismatch);
  ADD ("stream-fallback", test_stream_fallback);
  ADD ("gate-closed", test_gate_closed);
  ADD ("feed-hands-copies", test_feed_hands_copies);

#undef ADD

  ret = g_test_run ();
  fixture_main_cleanup ();
  {
    g_autofree char *hyperwall = g_build_filename (cache_home, "hyperwall", NULL);

    g_rmdir (hyperwall);
    g_rmdir (cache_home);
    g_free (cache_home);
  }
  return ret;
}
