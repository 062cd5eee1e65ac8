/* test-shortcuts.c: the key table in docs/operating.md is the one in hw-shortcuts.c,
 * every accelerator parses, and every action exists on the application.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gtk/gtk.h>

#include "hw-application.h"
#include "hw-shortcuts.h"

#define BEGIN_MARK "<!-- keys: the table in src/ui/hw-shortcuts.c -->"
#define END_MARK "<!-- /keys -->"

static void
test_operating_table_matches (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "docs", "operating.md",
                                                  NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  gboolean inside = FALSE;
  const HwShortcut *shortcuts;
  guint n;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_equal (lines[i], BEGIN_MARK))
        inside = TRUE;
      else if (g_str_equal (lines[i], END_MARK))
        inside = FALSE;
      else if (inside && g_str_has_prefix (lines[i], "| ") && !g_str_has_prefix (lines[i], "| Key")
               && !g_str_has_prefix (lines[i], "|--"))
        g_ptr_array_add (rows, lines[i]);
    }

  shortcuts = hw_shortcuts_get (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *expected = g_strdup_printf ("| %s | %s |", shortcuts[i].keys,
                                                   shortcuts[i].title);

      g_assert_cmpuint (i, <, rows->len);
      g_assert_cmpstr (g_ptr_array_index (rows, i), ==, expected);
    }
  g_assert_cmpuint (rows->len, ==, n);
}

static void
test_accels_parse (void)
{
  const HwShortcut *shortcuts;
  guint n;

  shortcuts = hw_shortcuts_get (&n);
  for (guint i = 0; i < n; i++)
    {
      const char *lists[] = { shortcuts[i].accels, shortcuts[i].kiosk_accels };

      for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
        {
          g_auto(GStrv) accels = lists[l] ? g_strsplit (lists[l], " ", -1) : NULL;

          for (guint a = 0; accels != NULL && accels[a] != NULL && *accels[a] != '\0'; a++)
            {
              guint key = 0;
              GdkModifierType mods = 0;

              g_test_message ("%s: %s", shortcuts[i].action, accels[a]);
              g_assert_true (gtk_accelerator_parse (accels[a], &key, &mods));
              g_assert_cmpuint (key, !=, 0);
            }
        }
    }
}

static void
test_actions_exist (void)
{
  g_autoptr(HwApplication) app = hw_application_new ();
  const HwShortcut *shortcuts;
  guint n;

  shortcuts = hw_shortcuts_get (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = NULL;
      g_autoptr(GVariant) target = NULL;
      g_autoptr(GError) error = NULL;
      const GVariantType *type;
      GAction *action;

      g_assert_true (g_action_parse_detailed_name (shortcuts[i].action, &name, &target, &error));
      g_assert_true (g_str_has_prefix (name, "app."));
      /* Looked up in the map: the group API wants a registered application. */
      action = g_action_map_lookup_action (G_ACTION_MAP (app), name + 4);
      g_assert_nonnull (action);
      type = g_action_get_parameter_type (action);
      if (target == NULL)
        g_assert_null (type);
      else
        g_assert_true (g_variant_is_of_type (target, type));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hyperwall/ui/shortcuts/key-table-matches", test_operating_table_matches);
  g_test_add_func ("/hyperwall/ui/shortcuts/accels-parse", test_accels_parse);
  g_test_add_func ("/hyperwall/ui/shortcuts/actions-exist", test_actions_exist);
  return g_test_run ();
}
