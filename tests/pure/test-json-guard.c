/* test-json-guard.c: the check every JSON text from outside passes first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include "hw-json-guard.h"

static HwJsonGuardResult
check (const char *text)
{
  return hw_json_guard_check (text, strlen (text), HW_JSON_MAX_DEPTH);
}

/* @prefix, then @depth times @open, then the matching closers. */
static char *
nested (const char *prefix,
        guint       depth,
        char        open)
{
  GString *s = g_string_new (prefix);

  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, open);
  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, open == '[' ? ']' : '}');
  return g_string_free (s, FALSE);
}

static void
test_strict_json_passes (void)
{
  static const char *const texts[] = {
    "",
    "{}",
    "[]",
    "{\"Items\": [{\"Id\": \"1\", \"Name\": \"A [b] {c}\", \"RunTimeTicks\": 1.5e7}]}",
    "{\"Name\": \"it's\"}",                         /* a single quote inside a string */
    "{\"Name\": \"a \\\"quoted\\\" ]]]] word\"}",     /* escaped quotes, brackets in a string */
    "{\"Name\": \"back\\\\\"}",                     /* an escaped backslash ends the string */
    "{\"Path\": \"/* not a comment */ // nor this\"}",
    "{\"Name\": \"\xc3\xa9t\xc3\xa9\"}",             /* UTF-8 inside a string */
    "\xef\xbb\xbf{\"Id\": 1}",                      /* a byte order mark */
    " \t\r\n[true, false, null, -1, +2, 0.5E-3]",
    "{\"MessageType\":\"Play\",\"Data\":{\"ItemIds\":[\"1\",\"2\"]}}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    g_assert_cmpint (check (texts[i]), ==, HW_JSON_GUARD_OK);
  g_assert_cmpint (hw_json_guard_check (NULL, 0, 4), ==, HW_JSON_GUARD_OK);
}

static void
test_depth_limit (void)
{
  g_autofree char *at_limit = nested ("", HW_JSON_MAX_DEPTH, '[');
  g_autofree char *over_limit = nested ("", HW_JSON_MAX_DEPTH + 1, '[');
  g_autofree char *objects = nested ("", HW_JSON_MAX_DEPTH + 1, '{');
  g_autofree char *huge = g_strnfill (300 * 1024, '[');

  g_assert_cmpint (check (at_limit), ==, HW_JSON_GUARD_OK);
  g_assert_cmpint (check (over_limit), ==, HW_JSON_GUARD_TOO_DEEP);
  g_assert_cmpint (check (objects), ==, HW_JSON_GUARD_TOO_DEEP);
  g_assert_cmpint (check (huge), ==, HW_JSON_GUARD_TOO_DEEP);
  /* The limit counts open levels, not brackets in all. */
  g_assert_cmpint (check ("[[[]]] [[[]]] [[[]]]"), ==, HW_JSON_GUARD_OK);
  g_assert_cmpint (hw_json_guard_check ("[[[]]] [[[]]]", 13, 3), ==, HW_JSON_GUARD_OK);
  g_assert_cmpint (hw_json_guard_check ("[[[[]]]]", 8, 3), ==, HW_JSON_GUARD_TOO_DEEP);
}

/* json-glib's dialect: each of these would hide brackets from a count that
 * knows only double-quoted strings, or show it brackets that are not. */
static void
test_extensions_refused (void)
{
  static const char *const tricks[] = {
    "{\"x\":'\"'",                      /* a single-quoted double quote opens a "string" */
    "{'x': 1}",
    "/*]]]]]]]]*/[",
    "// ]]]]]]\n[",
    "{\"a\": 1 /* c */}",
    "# comment\n{}",
    "{\"a\": 1}\x01",
    "\xc3\xa9{}",                       /* UTF-8 outside a string */
    "{\"a\": 0x10}x\\",                 /* a backslash outside a string */
    "{\"a\"; 1}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (tricks); i++)
    {
      g_autofree char *deep = nested (tricks[i], 100000, '[');

      g_assert_cmpint (check (tricks[i]), ==, HW_JSON_GUARD_NOT_STRICT);
      g_assert_cmpint (check (deep), !=, HW_JSON_GUARD_OK);
    }
}

static void
test_nul_and_unbalanced (void)
{
  static const char with_nul[] = "{\"a\": \"x\"}\0[[[[";
  static const char nul_in_string[] = "{\"a\": \"x\0y\"}";
  g_autofree char *after_closers = nested ("]]]]", HW_JSON_MAX_DEPTH + 3, '[');

  g_assert_cmpint (hw_json_guard_check (with_nul, sizeof with_nul - 1, 4), ==,
                   HW_JSON_GUARD_NOT_STRICT);
  g_assert_cmpint (hw_json_guard_check (nul_in_string, sizeof nul_in_string - 1, 4), ==,
                   HW_JSON_GUARD_NOT_STRICT);
  /* Closers first must not buy extra levels later. */
  g_assert_cmpint (check (after_closers), ==, HW_JSON_GUARD_UNBALANCED);
  g_assert_cmpint (check ("[]]"), ==, HW_JSON_GUARD_UNBALANCED);
  /* An escape at the very end neither reads past the end nor passes a
   * string the parser would see as unterminated anyway. */
  g_assert_cmpint (hw_json_guard_check ("\"\\", 2, 4), ==, HW_JSON_GUARD_OK);
}

static void
test_describe (void)
{
  g_assert_nonnull (strstr (hw_json_guard_describe (HW_JSON_GUARD_TOO_DEEP), "nested"));
  g_assert_nonnull (strstr (hw_json_guard_describe (HW_JSON_GUARD_NOT_STRICT), "strict"));
  g_assert_nonnull (hw_json_guard_describe (HW_JSON_GUARD_UNBALANCED));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-guard/strict-json-passes", test_strict_json_passes);
  g_test_add_func ("/json-guard/depth-limit", test_depth_limit);
  g_test_add_func ("/json-guard/extensions-refused", test_extensions_refused);
  g_test_add_func ("/json-guard/nul-and-unbalanced", test_nul_and_unbalanced);
  g_test_add_func ("/json-guard/describe", test_describe);

  return g_test_run ();
}
