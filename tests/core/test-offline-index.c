/* test-offline-index.c: the copies on disk, rebuilt at start.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>

#include "hw-offline-index.h"

static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("hyperwall-offline-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
write_file (const char *dir,
            const char *name,
            gsize       size)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *data = g_malloc0 (size + 1);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, (gssize) size, &error);
  g_assert_no_error (error);
}

static gboolean
exists (const char *dir,
        const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* Downloads @id (@size bytes) through the partial file, as the
 * downloader does. */
static gboolean
add_copy (HwOfflineIndex *index,
          const char     *id,
          gsize           written,
          gint64          size,
          GError        **error)
{
  g_autofree char *partial = hw_offline_index_dup_partial_path (index, id);
  g_autofree char *data = g_malloc0 (written + 1);
  HwOfflineCopy copy = { (char *) id, (char *) "A title", 12.5, (char *) "2026-01-01", size, 0 };

  g_assert_true (g_file_set_contents (partial, data, (gssize) written, NULL));
  return hw_offline_index_add (index, &copy, error);
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
test_add_and_rebuild (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(HwOfflineIndex) index = hw_offline_index_new (dir);
  g_autoptr(HwOfflineIndex) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  g_assert_cmpuint (hw_offline_index_get_n_items (index), ==, 0);
  g_assert_true (add_copy (index, "1001", 1000, 1000, &error));
  g_assert_no_error (error);
  g_assert_true (add_copy (index, "1002", 2000, 2000, &error));
  g_assert_cmpuint (hw_offline_index_get_n_items (index), ==, 2);
  g_assert_cmpint (hw_offline_index_get_bytes (index), ==, 3000);
  g_assert_true (hw_offline_index_is_current (index, "1001", "2026-01-01", 1000));
  g_assert_false (hw_offline_index_is_current (index, "1001", "2026-02-02", 1000));
  g_assert_false (hw_offline_index_is_current (index, "1001", "2026-01-01", 1001));
  path = hw_offline_index_dup_path (index, "1001");
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  /* Short of the server's size: never a copy. */
  g_assert_false (add_copy (index, "1003", 10, 4000, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
  g_clear_error (&error);
  g_assert_null (hw_offline_index_lookup (index, "1003"));
  g_assert_false (exists (dir, ".1003.partial"));

  hw_offline_index_mark_played (index, "1001", 5000);

  /* At start: a download cut short, a truncated copy and a video without
   * a record go; the rest is found again with its play time. */
  write_file (dir, ".1004.partial", 100);
  write_file (dir, "1002.video", 1500);
  write_file (dir, "1005.video", 100);
  write_file (dir, "not-ours.txt", 10);
  again = hw_offline_index_new (dir);
  g_assert_cmpuint (hw_offline_index_get_n_items (again), ==, 1);
  g_assert_cmpint (hw_offline_index_get_bytes (again), ==, 1000);
  g_assert_cmpint (hw_offline_index_lookup (again, "1001")->last_played_us, ==, 5000);
  g_assert_cmpstr (hw_offline_index_lookup (again, "1001")->title, ==, "A title");
  g_assert_false (exists (dir, ".1004.partial"));
  g_assert_false (exists (dir, "1002.video"));
  g_assert_false (exists (dir, "1002.info"));
  g_assert_false (exists (dir, "1005.video"));
  g_assert_true (exists (dir, "not-ours.txt"));

  remove_dir (dir);
}

static void
test_evict_played_longest_ago (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(HwOfflineIndex) index = hw_offline_index_new (dir);
  g_autoptr(GPtrArray) order = NULL;

  g_assert_true (add_copy (index, "a", 100, 100, NULL));
  g_assert_true (add_copy (index, "b", 100, 100, NULL));
  g_assert_true (add_copy (index, "c", 100, 100, NULL));
  hw_offline_index_mark_played (index, "a", 3000);
  hw_offline_index_mark_played (index, "b", 1000);
  hw_offline_index_mark_played (index, "c", 2000);

  order = hw_offline_index_dup_play_order (index);
  g_assert_cmpstr (order->pdata[0], ==, "b");
  g_assert_cmpstr (order->pdata[2], ==, "a");

  /* 300 held, 100 coming, 250 allowed: b and c go. */
  g_assert_cmpuint (hw_offline_index_evict (index, 100, 250), ==, 2);
  g_assert_nonnull (hw_offline_index_lookup (index, "a"));
  g_assert_null (hw_offline_index_lookup (index, "b"));
  g_assert_false (exists (dir, "c.video"));
  g_assert_cmpint (hw_offline_index_get_bytes (index), ==, 100);

  remove_dir (dir);
}

static void
test_ids (void)
{
  g_assert_true (hw_offline_index_id_is_valid ("1001"));
  g_assert_true (hw_offline_index_id_is_valid ("f4c3e3b1a2d24c5e9a7f000000000001"));
  g_assert_false (hw_offline_index_id_is_valid (""));
  g_assert_false (hw_offline_index_id_is_valid ("../etc"));
  g_assert_false (hw_offline_index_id_is_valid ("a b"));
  g_assert_false (hw_offline_index_id_is_valid (NULL));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/offline-index/add-and-rebuild", test_add_and_rebuild);
  g_test_add_func ("/offline-index/evict", test_evict_played_longest_ago);
  g_test_add_func ("/offline-index/ids", test_ids);

  return g_test_run ();
}
