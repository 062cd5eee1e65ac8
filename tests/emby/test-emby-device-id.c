/* test-emby-device-id.c: the DeviceId is made once and then kept.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "hw-emby-device-id.h"

typedef struct {
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("hw-device-id-XXXXXX", &error);
  g_assert_no_error (error);
  /* A folder that does not exist yet, as on a first start. */
  f->path = g_build_filename (f->dir, "hyperwall", "device-id", NULL);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        remove_tree (child);
      }
  g_remove (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
test_made_once (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *first = NULL;
  g_autofree char *again = NULL;
  g_autofree char *stored = NULL;

  g_test_expect_message ("Hyperwall-emby", G_LOG_LEVEL_MESSAGE, "Created device id in *");
  first = hw_emby_device_id_load (f->path);
  g_test_assert_expected_messages ();
  g_assert_true (g_uuid_string_is_valid (first));

  g_assert_true (g_file_get_contents (f->path, &stored, NULL, NULL));
  g_assert_cmpstr (stored, ==, first);

  again = hw_emby_device_id_load (f->path);
  g_assert_cmpstr (again, ==, first);
}

static void
test_kept_id_trimmed (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *dir = g_path_get_dirname (f->path);
  g_autofree char *id = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (f->path, "  kiosk-lobby-01\n", -1, NULL));

  id = hw_emby_device_id_load (f->path);
  g_assert_cmpstr (id, ==, "kiosk-lobby-01");
}

typedef struct {
  const char *name;
  const char *contents;
} BadId;

static const BadId bad_ids[] = {
  { "empty", "" },
  { "short", "abc" },
  { "long", "0123456789012345678901234567890123456789012345678901234567890123456789" },
};

static void
test_bad_id_replaced (Fixture       *f,
                      gconstpointer  data)
{
  const BadId *bad = data;
  g_autofree char *dir = g_path_get_dirname (f->path);
  g_autofree char *id = NULL;
  g_autofree char *stored = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (f->path, bad->contents, -1, NULL));

  g_test_expect_message ("Hyperwall-emby", G_LOG_LEVEL_MESSAGE, "Created device id in *");
  id = hw_emby_device_id_load (f->path);
  g_test_assert_expected_messages ();
  g_assert_true (g_uuid_string_is_valid (id));
  g_assert_true (g_file_get_contents (f->path, &stored, NULL, NULL));
  g_assert_cmpstr (stored, ==, id);
}

static void
test_cannot_keep (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *blocker = g_build_filename (f->dir, "hyperwall", NULL);
  g_autofree char *id = NULL;

  /* A file where the folder should be. */
  g_assert_true (g_file_set_contents (blocker, "x", -1, NULL));

  g_test_expect_message ("Hyperwall-emby", G_LOG_LEVEL_WARNING,
                         "Cannot keep the device id in *next start");
  id = hw_emby_device_id_load (f->path);
  g_test_assert_expected_messages ();
  g_assert_true (g_uuid_string_is_valid (id));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/hyperwall/emby/device-id/made-once", Fixture, NULL,
              fixture_set_up, test_made_once, fixture_tear_down);
  g_test_add ("/hyperwall/emby/device-id/kept-id-trimmed", Fixture, NULL,
              fixture_set_up, test_kept_id_trimmed, fixture_tear_down);
  for (guint i = 0; i < G_N_ELEMENTS (bad_ids); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hyperwall/emby/device-id/replaced/%s",
                                               bad_ids[i].name);

      g_test_add (path, Fixture, &bad_ids[i], fixture_set_up, test_bad_id_replaced,
                  fixture_tear_down);
    }
  g_test_add ("/hyperwall/emby/device-id/cannot-keep", Fixture, NULL,
              fixture_set_up, test_cannot_keep, fixture_tear_down);

  return g_test_run ();
}
