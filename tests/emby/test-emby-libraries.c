/* test-emby-libraries.c: which of the server's libraries a wall plays.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-emby-libraries.h"
#include "hw-emby-protocol.h"
#include "hw-feed.h"

static const char views_json[] =
  "{\"Items\":["
  "{\"Id\":\"1\",\"Name\":\"Movies\",\"CollectionType\":\"movies\"},"
  "{\"Id\":\"2\",\"Name\":\"Music\",\"CollectionType\":\"music\"},"
  "{\"Id\":\"3\",\"Name\":\"Home videos\",\"CollectionType\":\"homevideos\"},"
  "{\"Id\":\"4\",\"Name\":\"Mixed\"},"
  "{\"Id\":\"5\",\"Name\":\"Émissions\",\"CollectionType\":\"tvshows\"}]}";

typedef struct {
  const char *name;
  const char *wanted[4];
  const char *ids;       /* comma-separated, or NULL for an error */
  int         error;
} LibraryCase;

static const LibraryCase library_cases[] = {
  { "every-video-library", { NULL }, "1,3,4,5", -1 },
  { "by-name", { "Movies", NULL }, "1", -1 },
  { "by-name-any-case", { "home VIDEOS", NULL }, "3", -1 },
  { "by-name-non-ascii", { "Émissions", NULL }, "5", -1 },
  { "by-id", { "4", NULL }, "4", -1 },
  { "in-the-order-named", { "Mixed", "1", NULL }, "4,1", -1 },
  { "a-music-library-named", { "Music", NULL }, "2", -1 },
  { "none-exists", { "Cartoons", "Anime", NULL }, NULL, HW_FEED_ERROR_NOT_FOUND },
};

static GPtrArray *
parse_views (const char *json)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *views = hw_emby_parse_views (json, -1, &error);

  g_assert_no_error (error);
  return views;
}

static char *
join_ids (GPtrArray *ids)
{
  g_ptr_array_add (ids, NULL);
  return g_strjoinv (",", (char **) ids->pdata);
}

static void
test_resolve (gconstpointer data)
{
  const LibraryCase *c = data;
  g_autoptr(GPtrArray) views = parse_views (views_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = hw_emby_libraries_resolve (views, c->wanted, &error);
  g_autofree char *joined = NULL;

  if (c->ids == NULL)
    {
      g_assert_error (error, HW_FEED_ERROR, c->error);
      g_assert_null (ids);
      return;
    }

  g_assert_no_error (error);
  joined = join_ids (ids);
  g_assert_cmpstr (joined, ==, c->ids);
}

static void
test_unknown_ignored (void)
{
  g_autoptr(GPtrArray) views = parse_views (views_json);
  const char *wanted[] = { "Movies", "Cartoons", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autofree char *joined = NULL;

  g_test_expect_message ("Hyperwall-emby", G_LOG_LEVEL_WARNING,
                         "Libraries not found on the server, ignored: “Cartoons”");
  ids = hw_emby_libraries_resolve (views, wanted, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  joined = join_ids (ids);
  g_assert_cmpstr (joined, ==, "1");
}

static void
test_no_video_library (void)
{
  g_autoptr(GPtrArray) views = parse_views ("{\"Items\":[{\"Id\":\"2\",\"Name\":\"Music\","
                                            "\"CollectionType\":\"music\"}]}");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = hw_emby_libraries_resolve (views, NULL, &error);

  g_assert_error (error, HW_FEED_ERROR, HW_FEED_ERROR_EMPTY);
  g_assert_null (ids);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (library_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hyperwall/emby/libraries/%s",
                                               library_cases[i].name);

      g_test_add_data_func (path, &library_cases[i], test_resolve);
    }
  g_test_add_func ("/hyperwall/emby/libraries/unknown-ignored", test_unknown_ignored);
  g_test_add_func ("/hyperwall/emby/libraries/no-video-library", test_no_video_library);

  return g_test_run ();
}
