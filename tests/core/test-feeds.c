/* test-feeds.c: the demo and local feeds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "hw-demo-feed.h"
#include "hw-local-feed-private.h"
#include "hw-reliability.h"

typedef struct {
  GAsyncResult *result;
} Waiter;

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Waiter *waiter = user_data;

  waiter->result = g_object_ref (result);
}

/* Runs the main context until the feed answers. */
static HwMediaItem *
next_item (HwFeed  *feed,
           guint    cell,
           GError **error)
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

/* ------------------------------------------------------------------ */
/* The interface's defaults                                            */

/* A feed that writes only next_item_async and a server, beside a property
 * of its own. The demo and local feeds show the defaults for a feed with
 * no server. */
#define HW_TYPE_TEST_FEED (hw_test_feed_get_type ())
G_DECLARE_FINAL_TYPE (HwTestFeed, hw_test_feed, HW, TEST_FEED, GObject)

struct _HwTestFeed
{
  GObject        parent_instance;
  char          *label;
  HwServerState  state;
  char          *url;
};

enum {
  TEST_PROP_0,
  TEST_PROP_LABEL,
  N_TEST_PROPS
};

static void hw_test_feed_iface_init (HwFeedInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HwTestFeed, hw_test_feed, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HW_TYPE_FEED, hw_test_feed_iface_init))

static void
hw_test_feed_next_item_async (HwFeed              *feed,
                              guint                cell_index,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (feed, cancellable, callback, user_data);

  if (cell_index > 0)
    g_task_return_new_error (task, HW_FEED_ERROR, HW_FEED_ERROR_EMPTY, "only cell 0");
  else
    g_task_return_pointer (task, hw_media_item_new ("t1", "Test", 1.0), g_object_unref);
}

static HwServerState
hw_test_feed_get_server_state (HwFeed *feed)
{
  return HW_TEST_FEED (feed)->state;
}

static char *
hw_test_feed_dup_server_url (HwFeed *feed)
{
  return g_strdup (HW_TEST_FEED (feed)->url);
}

static void
hw_test_feed_iface_init (HwFeedInterface *iface)
{
  iface->next_item_async = hw_test_feed_next_item_async;
  iface->get_server_state = hw_test_feed_get_server_state;
  iface->dup_server_url = hw_test_feed_dup_server_url;
}

static void
hw_test_feed_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  switch (prop_id)
    {
    case TEST_PROP_LABEL:
      g_value_set_string (value, HW_TEST_FEED (object)->label);
      break;
    default:
      hw_feed_get_property (object, prop_id, value, pspec);
    }
}

static void
hw_test_feed_finalize (GObject *object)
{
  g_free (HW_TEST_FEED (object)->label);
  g_free (HW_TEST_FEED (object)->url);
  G_OBJECT_CLASS (hw_test_feed_parent_class)->finalize (object);
}

static void
hw_test_feed_class_init (HwTestFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = hw_test_feed_get_property;
  object_class->finalize = hw_test_feed_finalize;

  g_object_class_install_property (object_class, TEST_PROP_LABEL,
    g_param_spec_string ("label", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  hw_feed_install_properties (object_class, N_TEST_PROPS);
}

static void
hw_test_feed_init (HwTestFeed *self)
{
  self->label = g_strdup ("lobby");
}

static void
assert_server_properties (HwFeed        *feed,
                          HwServerState  state,
                          const char    *url)
{
  g_autofree char *read_url = NULL;
  g_autofree char *dup_url = hw_feed_dup_server_url (feed);
  int read_state = -1;

  g_object_get (feed, "server-state", &read_state, "server-url", &read_url, NULL);
  g_assert_cmpint (read_state, ==, state);
  g_assert_cmpint (hw_feed_get_server_state (feed), ==, state);
  g_assert_cmpstr (read_url, ==, url);
  g_assert_cmpstr (dup_url, ==, url);
}

static void
on_notified (GObject    *object,
             GParamSpec *pspec,
             gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_interface_defaults (void)
{
  g_autoptr(HwTestFeed) feed = g_object_new (HW_TYPE_TEST_FEED, NULL);
  g_autoptr(HwDemoFeed) demo = hw_demo_feed_new ();
  g_autoptr(HwLocalFeed) local = hw_local_feed_new ("/nonexistent");
  g_autoptr(HwMediaItem) item = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;

  /* next_item_finish by default: the GTask's pointer, or its error. */
  item = next_item (HW_FEED (feed), 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hw_media_item_get_id (item), ==, "t1");
  g_assert_null (next_item (HW_FEED (feed), 1, &error));
  g_assert_error (error, HW_FEED_ERROR, HW_FEED_ERROR_EMPTY);

  /* No server, and every optional method a no-op. */
  assert_server_properties (HW_FEED (demo), HW_SERVER_STATE_NONE, NULL);
  assert_server_properties (HW_FEED (local), HW_SERVER_STATE_NONE, NULL);
  g_assert_null (hw_feed_get_server_reason (HW_FEED (feed)));
  g_assert_false (hw_feed_is_busy (HW_FEED (feed)));
  g_assert_false (hw_feed_can_check_stream (HW_FEED (feed)));
  hw_feed_report (HW_FEED (feed), item, HW_FEED_REPORT_STARTED, 0.0);
  hw_feed_set_aside (HW_FEED (feed), item, HW_ITEM_VERDICT_FAILED);
  hw_feed_suspect_server (HW_FEED (feed));
  hw_feed_release_item (HW_FEED (feed), 0, item);

  /* A class's own property lives beside the feed's. */
  g_object_get (feed, "label", &label, NULL);
  g_assert_cmpstr (label, ==, "lobby");
}

static void
test_interface_server (void)
{
  g_autoptr(HwTestFeed) feed = g_object_new (HW_TYPE_TEST_FEED, NULL);
  guint notified = 0;

  /* The properties read whatever the feed's methods say. */
  feed->state = HW_SERVER_STATE_ONLINE;
  feed->url = g_strdup ("http://h:8096/emby");
  assert_server_properties (HW_FEED (feed), HW_SERVER_STATE_ONLINE, "http://h:8096/emby");

  g_signal_connect (feed, "notify::server-state", G_CALLBACK (on_notified), &notified);
  feed->state = HW_SERVER_STATE_OFFLINE;
  g_object_notify (G_OBJECT (feed), "server-state");
  g_assert_cmpuint (notified, ==, 1);
  assert_server_properties (HW_FEED (feed), HW_SERVER_STATE_OFFLINE, "http://h:8096/emby");
}

/* ------------------------------------------------------------------ */
/* Demo feed                                                           */

static void
test_demo_distinct_cells (void)
{
  g_autoptr(HwDemoFeed) feed = hw_demo_feed_new ();
  g_autoptr(GHashTable) titles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) urls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);

  g_assert_cmpint (hw_feed_get_server_state (HW_FEED (feed)), ==, HW_SERVER_STATE_NONE);

  for (guint cell = 0; cell < 9; cell++)
    {
      g_autoptr(GError) error = NULL;
      HwMediaItem *item = next_item (HW_FEED (feed), cell, &error);
      const char *url;

      g_assert_no_error (error);
      g_assert_nonnull (item);
      url = hw_media_item_get_direct_url (item);
      g_test_message ("cell %u: %s — %s", cell, hw_media_item_get_title (item), url);

      g_assert_true (g_str_has_prefix (url, "av://lavfi:"));
      g_assert_cmpfloat (hw_media_item_get_duration (item), ==, HW_DEMO_FEED_ITEM_SECONDS);
      g_assert_false (hw_media_item_get_is_network (item));
      g_assert_true (g_hash_table_add (titles, g_strdup (hw_media_item_get_title (item))));
      g_assert_true (g_hash_table_add (urls, g_strdup (url)));
      g_ptr_array_add (held, item);
    }

  for (guint i = 0; i < held->len; i++)
    hw_feed_release_item (HW_FEED (feed), i, g_ptr_array_index (held, i));
}

/* A full 8×8 wall: every cell a different item; a cell moves on to a new one. */
static void
test_demo_big_wall (void)
{
  g_autoptr(HwDemoFeed) feed = hw_demo_feed_new ();
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(HwMediaItem) next = NULL;
  HwMediaItem *first;

  for (guint cell = 0; cell < 64; cell++)
    {
      HwMediaItem *item = next_item (HW_FEED (feed), cell, NULL);

      g_assert_nonnull (item);
      g_assert_true (g_hash_table_add (ids, g_strdup (hw_media_item_get_id (item))));
      g_ptr_array_add (held, item);
    }

  /* Cell 0 ends: it gets something nobody holds, not its old pattern. */
  first = g_ptr_array_index (held, 0);
  hw_feed_release_item (HW_FEED (feed), 0, first);
  next = next_item (HW_FEED (feed), 0, NULL);
  g_assert_nonnull (next);
  g_assert_cmpstr (hw_media_item_get_id (next), !=, hw_media_item_get_id (first));
  for (guint i = 1; i < held->len; i++)
    g_assert_cmpstr (hw_media_item_get_id (next), !=,
                     hw_media_item_get_id (g_ptr_array_index (held, i)));
}

/* Every graph the feed ships must really run (ffmpeg's lavfi, as mpv uses it). */
static void
test_demo_graphs_run (void)
{
  g_autoptr(HwDemoFeed) feed = hw_demo_feed_new ();
  g_autofree char *ffmpeg = g_find_program_in_path ("ffmpeg");

  if (ffmpeg == NULL)
    {
      g_test_skip ("ffmpeg is not installed");
      return;
    }

  /* Cells 0..10 cover every pattern, plus one hue variant. */
  for (guint cell = 0; cell < 11; cell++)
    {
      g_autoptr(HwMediaItem) item = next_item (HW_FEED (feed), cell, NULL);
      const char *graph = hw_media_item_get_direct_url (item) + strlen ("av://lavfi:");
      const char *argv[] = { ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error",
                             "-f", "lavfi", "-i", graph, "-frames:v", "3", "-f", "null", "-",
                             NULL };
      g_autofree char *err = NULL;
      g_autoptr(GError) error = NULL;
      int status = 0;

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                                   NULL, NULL, NULL, &err, &status, &error));
      g_assert_no_error (error);
      if (!g_spawn_check_wait_status (status, NULL))
        g_error ("graph of %s failed: %s", hw_media_item_get_title (item), err);
    }
}

/* ------------------------------------------------------------------ */
/* Local feed                                                          */

typedef struct {
  char *dir;
} Folder;

static void
touch (const char *dir,
       const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, "", 0, NULL));
}

static void
folder_setup (Folder        *folder,
              gconstpointer  data)
{
  g_autofree char *subdir = NULL;

  folder->dir = g_dir_make_tmp ("hw-local-feed-XXXXXX", NULL);
  g_assert_nonnull (folder->dir);
  touch (folder->dir, "a.mp4");
  touch (folder->dir, "b.mkv");
  touch (folder->dir, "c.MOV");
  touch (folder->dir, "d.webm");
  touch (folder->dir, "notes.txt");
  /* A folder with a video's name is not a video. */
  subdir = g_build_filename (folder->dir, "clips.mp4", NULL);
  g_assert_cmpint (g_mkdir (subdir, 0700), ==, 0);
}

static void
folder_teardown (Folder        *folder,
                 gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (folder->dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder->dir, name, NULL);

      g_remove (path);
    }
  g_rmdir (folder->dir);
  g_free (folder->dir);
}

static void
assert_is_video (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);

  g_assert_true (g_str_equal (base, "a.mp4") || g_str_equal (base, "b.mkv") ||
                 g_str_equal (base, "c.MOV") || g_str_equal (base, "d.webm") ||
                 g_str_equal (base, "e.ts"));
}

static void
test_local_concurrent (Folder        *folder,
                       gconstpointer  data)
{
  g_autoptr(HwLocalFeed) feed = hw_local_feed_new (folder->dir);
  g_autoptr(GHashTable) on_screen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(HwMediaItem) extra = NULL;

  g_assert_cmpint (hw_feed_get_server_state (HW_FEED (feed)), ==, HW_SERVER_STATE_NONE);

  for (guint cell = 0; cell < 4; cell++)
    {
      HwMediaItem *item = next_item (HW_FEED (feed), cell, &error);

      g_assert_no_error (error);
      assert_is_video (hw_media_item_get_direct_url (item));
      g_assert_cmpfloat (hw_media_item_get_duration (item), ==, 0);
      g_assert_true (g_hash_table_add (on_screen, (gpointer) hw_media_item_get_id (item)));
      g_ptr_array_add (held, item);
    }

  /* A fifth cell: every file is on screen. Transient, not empty. */
  extra = next_item (HW_FEED (feed), 4, &error);
  g_assert_null (extra);
  g_assert_error (error, HW_FEED_ERROR, HW_FEED_ERROR_UNAVAILABLE);
  g_clear_error (&error);

  /* One cell lets go: the fifth now gets a file, but not one on screen. */
  g_hash_table_remove (on_screen, hw_media_item_get_id (g_ptr_array_index (held, 2)));
  hw_feed_release_item (HW_FEED (feed), 2, g_ptr_array_index (held, 2));
  extra = next_item (HW_FEED (feed), 4, &error);
  g_assert_no_error (error);
  g_assert_false (g_hash_table_contains (on_screen, hw_media_item_get_id (extra)));
}

static void
test_local_no_repeat (Folder        *folder,
                      gconstpointer  data)
{
  g_autoptr(HwLocalFeed) feed = hw_local_feed_new (folder->dir);
  g_autoptr(GHashTable) round = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HwMediaItem) item = next_item (HW_FEED (feed), 0, &error);

      g_assert_no_error (error);
      assert_is_video (hw_media_item_get_id (item));
      g_assert_true (g_hash_table_add (round, g_strdup (hw_media_item_get_id (item))));
      hw_feed_release_item (HW_FEED (feed), 0, item);
    }

  /* Used up: the folder is listed again, and a new file joins at once. */
  touch (folder->dir, "e.ts");
  {
    g_autoptr(HwMediaItem) item = next_item (HW_FEED (feed), 0, NULL);
    g_autofree char *base = g_path_get_basename (hw_media_item_get_id (item));

    g_assert_cmpstr (base, ==, "e.ts");
    hw_feed_release_item (HW_FEED (feed), 0, item);
  }

  /* The next round has all five, once each. */
  g_hash_table_remove_all (round);
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HwMediaItem) item = next_item (HW_FEED (feed), 0, &error);

      g_assert_no_error (error);
      g_assert_true (g_hash_table_add (round, g_strdup (hw_media_item_get_id (item))));
      hw_feed_release_item (HW_FEED (feed), 0, item);
    }
  g_assert_cmpuint (g_hash_table_size (round), ==, 5);
}

/* An item a cell gave up on sits out its round and the next two
 * (HW_SET_ASIDE_ROUNDS_FAILED), then comes back. */
static void
test_local_set_aside (Folder        *folder,
                      gconstpointer  data)
{
  g_autoptr(HwLocalFeed) feed = hw_local_feed_new (folder->dir);
  g_autoptr(HwMediaItem) bad = next_item (HW_FEED (feed), 0, NULL);
  gboolean back = FALSE;

  g_assert_nonnull (bad);
  hw_feed_set_aside (HW_FEED (feed), bad, HW_ITEM_VERDICT_FAILED);
  hw_feed_release_item (HW_FEED (feed), 0, bad);

  for (guint i = 0; i < 3 + 3 * HW_SET_ASIDE_ROUNDS_FAILED + 4; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HwMediaItem) item = next_item (HW_FEED (feed), 0, &error);

      g_assert_no_error (error);
      if (i < 3 + 3 * HW_SET_ASIDE_ROUNDS_FAILED)
        g_assert_cmpstr (hw_media_item_get_id (item), !=, hw_media_item_get_id (bad));
      else
        back |= g_strcmp0 (hw_media_item_get_id (item), hw_media_item_get_id (bad)) == 0;
      hw_feed_release_item (HW_FEED (feed), 0, item);
    }
  g_assert_true (back);
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

/* A file the player cannot read stays out of every later round, however
 * many, until it changes on disk; then it is tried again. */
static void
test_local_unplayable_until_changed (Folder        *folder,
                                     gconstpointer  data)
{
  g_autoptr(HwLocalFeed) feed = hw_local_feed_new (folder->dir);
  g_autoptr(HwMediaItem) bad = next_item (HW_FEED (feed), 0, NULL);
  g_autofree char *bad_id = g_strdup (hw_media_item_get_id (bad));
  g_autofree char *base = g_path_get_basename (bad_id);
  gboolean back = FALSE;

  hw_feed_set_aside (HW_FEED (feed), bad, HW_ITEM_VERDICT_UNPLAYABLE);
  hw_feed_release_item (HW_FEED (feed), 0, bad);

  /* Twenty rounds of the three others: it never comes back. */
  for (guint i = 0; i < 3 * 20; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HwMediaItem) item = next_item (HW_FEED (feed), 0, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (hw_media_item_get_id (item), !=, bad_id);
      hw_feed_release_item (HW_FEED (feed), 0, item);
    }

  /* Rewritten (another size): it is back within a round or two. */
  write_file (folder->dir, base, "now a different file");
  for (guint i = 0; i < 3 * 2 + 1 && !back; i++)
    {
      g_autoptr(HwMediaItem) item = next_item (HW_FEED (feed), 0, NULL);

      back = g_strcmp0 (hw_media_item_get_id (item), bad_id) == 0;
      hw_feed_release_item (HW_FEED (feed), 0, item);
    }
  g_assert_true (back);
}

/* Fewer playable files than cells: the spare cell is told why, and it is
 * not an error that counts (transient). */
static void
test_local_spare_cells (Folder        *folder,
                        gconstpointer  data)
{
  g_autoptr(HwLocalFeed) feed = hw_local_feed_new (folder->dir);
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(HwMediaItem) spare = NULL;

  for (guint cell = 0; cell < 4; cell++)
    {
      HwMediaItem *item = next_item (HW_FEED (feed), cell, NULL);

      if (cell == 3)
        {
          hw_feed_set_aside (HW_FEED (feed), item, HW_ITEM_VERDICT_UNPLAYABLE);
          hw_feed_release_item (HW_FEED (feed), cell, item);
          g_object_unref (item);
          continue;
        }
      g_ptr_array_add (held, item);
    }

  spare = next_item (HW_FEED (feed), 3, &error);
  g_assert_null (spare);
  g_assert_error (error, HW_FEED_ERROR, HW_FEED_ERROR_UNAVAILABLE);
  g_assert_cmpstr (error->message, ==, "Nothing else to play: 3 playable videos for 4 cells");
}

/* A listing that hangs (a dead network mount) fails the requests waiting
 * for it at its deadline, with a reason; so do requests while it still
 * hangs; once it returns, the feed serves again. */
static GMutex hang_lock;
static GCond  hang_cond;
static gboolean hang_released;

static void
hanging_lister (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (_hw_local_feed_entry_free);

  g_mutex_lock (&hang_lock);
  while (!hang_released)
    g_cond_wait (&hang_cond, &hang_lock);
  g_mutex_unlock (&hang_lock);
  g_task_return_pointer (task, g_steal_pointer (&entries), (GDestroyNotify) g_ptr_array_unref);
}

static void
test_local_listing_deadline (void)
{
  g_autoptr(HwLocalFeed) feed = hw_local_feed_new ("/hyperwall-hung-mount");
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again = NULL;
  g_autoptr(HwMediaItem) item = NULL;
  g_autoptr(HwMediaItem) other = NULL;
  gint64 start = g_get_monotonic_time ();

  hang_released = FALSE;
  _hw_local_feed_set_listing (feed, 100, hanging_lister);

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*did not answer within 1 s*");
  item = next_item (HW_FEED (feed), 0, &error);
  g_test_assert_expected_messages ();
  g_assert_null (item);
  g_assert_error (error, HW_FEED_ERROR, HW_FEED_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "Folder /hyperwall-hung-mount did not answer within 1 s");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);

  /* Still hung: told at once, not queued behind it. */
  other = next_item (HW_FEED (feed), 1, &again);
  g_assert_error (again, HW_FEED_ERROR, HW_FEED_ERROR_FAILED);
  g_clear_object (&other);
  g_clear_error (&again);

  /* It comes back (empty): the next request gets the listing's verdict. */
  g_mutex_lock (&hang_lock);
  hang_released = TRUE;
  g_cond_broadcast (&hang_cond);
  g_mutex_unlock (&hang_lock);
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*No videos in*");
  do
    {
      g_clear_error (&again);
      g_clear_object (&other);
      other = next_item (HW_FEED (feed), 1, &again);
    }
  while (g_error_matches (again, HW_FEED_ERROR, HW_FEED_ERROR_FAILED));
  g_test_assert_expected_messages ();
  g_assert_error (again, HW_FEED_ERROR, HW_FEED_ERROR_EMPTY);
}

static void
test_local_empty (void)
{
  g_autofree char *dir = g_dir_make_tmp ("hw-local-empty-XXXXXX", NULL);
  g_autoptr(HwLocalFeed) feed = hw_local_feed_new (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(HwMediaItem) item = NULL;
  g_autoptr(HwMediaItem) again = NULL;

  touch (dir, "readme.txt");
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*No videos in*");
  item = next_item (HW_FEED (feed), 0, &error);
  g_test_assert_expected_messages ();
  g_assert_null (item);
  g_assert_error (error, HW_FEED_ERROR, HW_FEED_ERROR_EMPTY);
  g_assert_nonnull (strstr (error->message, dir));
  g_clear_error (&error);

  /* Logged once: a second warning would abort the test. */
  again = next_item (HW_FEED (feed), 1, &error);
  g_assert_error (error, HW_FEED_ERROR, HW_FEED_ERROR_EMPTY);

  {
    g_autofree char *path = g_build_filename (dir, "readme.txt", NULL);

    g_remove (path);
    g_rmdir (dir);
  }
}

static void
test_local_missing (void)
{
  g_autoptr(HwLocalFeed) feed = hw_local_feed_new ("/nonexistent/hyperwall-test-folder");
  g_autoptr(GError) error = NULL;
  g_autoptr(HwMediaItem) item = NULL;
  g_autoptr(HwMediaItem) again = NULL;

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*does not exist*");
  item = next_item (HW_FEED (feed), 0, &error);
  g_test_assert_expected_messages ();
  g_assert_null (item);
  g_assert_error (error, HW_FEED_ERROR, HW_FEED_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/hyperwall-test-folder"));
  g_clear_error (&error);

  again = next_item (HW_FEED (feed), 0, &error);
  g_assert_error (error, HW_FEED_ERROR, HW_FEED_ERROR_NOT_FOUND);
}

typedef struct {
  const char *name;
  gboolean    video;
} NameCase;

static const NameCase names[] = {
  { "a.mp4", TRUE }, { "A.MKV", TRUE }, { "x.webm", TRUE }, { "x.mov", TRUE },
  { "x.avi", TRUE }, { "x.ts", TRUE }, { "x.m4v", TRUE }, { "x.mpg", TRUE },
  { "x.ogv", TRUE }, { "x.txt", FALSE }, { "mp4", FALSE }, { ".mp4", FALSE },
  { "x.mp4.part", FALSE }, { "x.", FALSE },
};

static void
test_local_video_names (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_test_message ("%s", names[i].name);
      g_assert_cmpint (hw_local_feed_is_video_name (names[i].name), ==, names[i].video);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hyperwall/feeds/interface/defaults", test_interface_defaults);
  g_test_add_func ("/hyperwall/feeds/interface/server", test_interface_server);
  g_test_add_func ("/hyperwall/feeds/demo/distinct-cells", test_demo_distinct_cells);
  g_test_add_func ("/hyperwall/feeds/demo/big-wall", test_demo_big_wall);
  g_test_add_func ("/hyperwall/feeds/demo/graphs-run", test_demo_graphs_run);
  g_test_add ("/hyperwall/feeds/local/concurrent", Folder, NULL,
              folder_setup, test_local_concurrent, folder_teardown);
  g_test_add ("/hyperwall/feeds/local/no-repeat", Folder, NULL,
              folder_setup, test_local_no_repeat, folder_teardown);
  g_test_add ("/hyperwall/feeds/local/set-aside", Folder, NULL,
              folder_setup, test_local_set_aside, folder_teardown);
  g_test_add ("/hyperwall/feeds/local/unplayable-until-changed", Folder, NULL,
              folder_setup, test_local_unplayable_until_changed, folder_teardown);
  g_test_add ("/hyperwall/feeds/local/spare-cells", Folder, NULL,
              folder_setup, test_local_spare_cells, folder_teardown);
  g_test_add_func ("/hyperwall/feeds/local/listing-deadline", test_local_listing_deadline);
  g_test_add_func ("/hyperwall/feeds/local/empty", test_local_empty);
  g_test_add_func ("/hyperwall/feeds/local/missing", test_local_missing);
  g_test_add_func ("/hyperwall/feeds/local/video-names", test_local_video_names);

  return g_test_run ();
}
