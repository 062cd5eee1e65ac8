/* test-source-spec.c: what a cell plays, as text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-source-spec.h"

typedef struct {
  const char   *text;
  HwSourceKind  kind;
  const char   *name;       /* or the ids joined by ',' */
  gboolean      shuffle;
  const char   *canonical;
} GoodCase;

static const GoodCase good_cases[] = {
  { "", HW_SOURCE_DEFAULT, NULL, FALSE, "" },
  { "   ", HW_SOURCE_DEFAULT, NULL, FALSE, "" },
  { "library:Movies", HW_SOURCE_LIBRARY, "Movies", TRUE, "library:Movies" },
  { " Library: Home Videos ", HW_SOURCE_LIBRARY, "Home Videos", TRUE, "library:Home Videos" },
  { "library:Movies?in-order", HW_SOURCE_LIBRARY, "Movies", FALSE, "library:Movies?in-order" },
  { "playlist:Lobby", HW_SOURCE_PLAYLIST, "Lobby", FALSE, "playlist:Lobby" },
  { "playlist:12345?shuffle", HW_SOURCE_PLAYLIST, "12345", TRUE, "playlist:12345?shuffle" },
  { "playlist:Lobby ?SHUFFLE", HW_SOURCE_PLAYLIST, "Lobby", TRUE, "playlist:Lobby?shuffle" },
  { "playlist:What??in-order", HW_SOURCE_PLAYLIST, "What?", FALSE, "playlist:What??in-order" },
  { "collection:Bond", HW_SOURCE_COLLECTION, "Bond", TRUE, "collection:Bond" },
  { "items:1,2, 3", HW_SOURCE_ITEMS, "1,2,3", FALSE, "items:1,2,3" },
  { "items:ab12-cd_34?shuffle", HW_SOURCE_ITEMS, "ab12-cd_34", TRUE, "items:ab12-cd_34?shuffle" },
  { "folder:/srv/videos", HW_SOURCE_FOLDER, "/srv/videos", TRUE, "folder:/srv/videos" },
  { "folder:/srv/a:b", HW_SOURCE_FOLDER, "/srv/a:b", TRUE, "folder:/srv/a:b" },
  { "folder:/srv/why?", HW_SOURCE_FOLDER, "/srv/why?", TRUE, "folder:/srv/why??shuffle" },
  { "folder:/srv/why??in-order", HW_SOURCE_FOLDER, "/srv/why?", FALSE,
    "folder:/srv/why??in-order" },
};

static void
test_good (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (good_cases); i++)
    {
      const GoodCase *c = &good_cases[i];
      HwSourceSpec spec, again;
      HwSpecError error;
      g_autofree char *text = NULL;
      g_autofree char *text_again = NULL;

      g_test_message ("%s", c->text);
      g_assert_true (hw_source_spec_parse (c->text, &spec, &error));
      g_assert_cmpint (error.code, ==, HW_SPEC_OK);
      g_assert_cmpint (spec.kind, ==, c->kind);
      g_assert_cmpint (spec.shuffle, ==, c->shuffle);
      if (c->kind == HW_SOURCE_ITEMS)
        {
          g_autofree char *ids = g_strjoinv (",", spec.items);

          g_assert_null (spec.name);
          g_assert_cmpstr (ids, ==, c->name);
        }
      else
        {
          g_assert_null (spec.items);
          g_assert_cmpstr (spec.name, ==, c->name);
        }

      text = hw_source_spec_to_string (&spec);
      g_assert_cmpstr (text, ==, c->canonical);
      /* The canonical text reads back to the same source. */
      g_assert_true (hw_source_spec_parse (text, &again, NULL));
      text_again = hw_source_spec_to_string (&again);
      g_assert_cmpstr (text_again, ==, text);
      g_assert_cmpint (again.shuffle, ==, spec.shuffle);
      g_assert_cmpstr (again.name, ==, spec.name);

      hw_source_spec_clear (&spec);
      hw_source_spec_clear (&again);
      g_assert_null (spec.name);
      g_assert_cmpint (spec.kind, ==, HW_SOURCE_DEFAULT);
    }

  /* NULL is the default feed. */
  {
    HwSourceSpec spec;

    g_assert_true (hw_source_spec_parse (NULL, &spec, NULL));
    g_assert_cmpint (spec.kind, ==, HW_SOURCE_DEFAULT);
  }
}

static void
test_default_order (void)
{
  g_assert_true (hw_source_kind_shuffles (HW_SOURCE_LIBRARY));
  g_assert_true (hw_source_kind_shuffles (HW_SOURCE_COLLECTION));
  g_assert_true (hw_source_kind_shuffles (HW_SOURCE_FOLDER));
  g_assert_false (hw_source_kind_shuffles (HW_SOURCE_PLAYLIST));
  g_assert_false (hw_source_kind_shuffles (HW_SOURCE_ITEMS));
  g_assert_cmpstr (hw_source_kind_to_string (HW_SOURCE_COLLECTION), ==, "collection");
}

typedef struct {
  const char      *text;
  HwSpecErrorCode  code;
  const char      *token;
} BadCase;

static const BadCase bad_cases[] = {
  { "Movies", HW_SPEC_ERROR_SOURCE_KIND, "Movies" },
  { "album:Best", HW_SPEC_ERROR_SOURCE_KIND, "album" },
  { ":Best", HW_SPEC_ERROR_SOURCE_KIND, "" },
  { "library:", HW_SPEC_ERROR_SOURCE_VALUE, "library:" },
  { "playlist:   ?shuffle", HW_SPEC_ERROR_SOURCE_VALUE, "playlist:" },
  { "items:1,,2", HW_SPEC_ERROR_SOURCE_ITEM, "" },
  { "items:1,two words", HW_SPEC_ERROR_SOURCE_ITEM, "two words" },
  { "items:1/2", HW_SPEC_ERROR_SOURCE_ITEM, "1/2" },
  { "playlist:Lobby?random", HW_SPEC_ERROR_SOURCE_OPTION, "random" },
  { "library:Movies?", HW_SPEC_ERROR_SOURCE_OPTION, "" },
};

static void
test_bad (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      const BadCase *c = &bad_cases[i];
      HwSourceSpec spec;
      HwSpecError error;

      g_test_message ("%s", c->text);
      g_assert_false (hw_source_spec_parse (c->text, &spec, &error));
      g_assert_cmpint (error.code, ==, c->code);
      g_assert_cmpstr (error.token, ==, c->token);
      /* Nothing is left to free. */
      g_assert_cmpint (spec.kind, ==, HW_SOURCE_DEFAULT);
      g_assert_null (spec.name);
      g_assert_null (spec.items);
    }

  /* Too many items to be an operator's list. */
  {
    GString *text = g_string_new ("items:1");
    HwSourceSpec spec;
    HwSpecError error;

    for (guint i = 0; i < HW_SOURCE_MAX_ITEMS; i++)
      g_string_append (text, ",1");
    g_assert_false (hw_source_spec_parse (text->str, &spec, &error));
    g_assert_cmpint (error.code, ==, HW_SPEC_ERROR_SOURCE_TOO_MANY);
    g_string_free (text, TRUE);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hyperwall/pure/source-spec/good", test_good);
  g_test_add_func ("/hyperwall/pure/source-spec/default-order", test_default_order);
  g_test_add_func ("/hyperwall/pure/source-spec/bad", test_bad);

  return g_test_run ();
}
