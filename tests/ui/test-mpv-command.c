/* test-mpv-command.c: the loadfile argv and the built-in script switches for
 * each libmpv client API version, then both against the libmpv we link.
 * No display: the real handle runs with vo=null and ao=null.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <mpv/client.h>

#include "hw-mpv-command.h"

#define URL "av://lavfi:testsrc=size=64x64:rate=5"

typedef struct {
  const char    *path;
  unsigned long  api_version;
  const char    *options;
  const char    *expected[HW_MPV_LOADFILE_ARGV_MAX];
} LoadfileCase;

static const LoadfileCase loadfile_cases[] = {
  { "/hyperwall/mpv-command/loadfile/0.35/no-options", HW_MPV_API (2, 0), NULL,
    { "loadfile", URL, "replace", NULL } },
  { "/hyperwall/mpv-command/loadfile/0.35/empty-options", HW_MPV_API (2, 0), "",
    { "loadfile", URL, "replace", NULL } },
  { "/hyperwall/mpv-command/loadfile/0.35/options-third", HW_MPV_API (2, 0), "start=5",
    { "loadfile", URL, "replace", "start=5", NULL } },
  { "/hyperwall/mpv-command/loadfile/0.37/options-third", HW_MPV_API (2, 2), "start=5",
    { "loadfile", URL, "replace", "start=5", NULL } },
  { "/hyperwall/mpv-command/loadfile/0.38/no-options", HW_MPV_API (2, 3), NULL,
    { "loadfile", URL, "replace", NULL } },
  { "/hyperwall/mpv-command/loadfile/0.38/index-before-options", HW_MPV_API (2, 3), "start=5",
    { "loadfile", URL, "replace", "-1", "start=5", NULL } },
  { "/hyperwall/mpv-command/loadfile/0.41/index-before-options", HW_MPV_API (2, 5),
    "start=5,mute=yes",
    { "loadfile", URL, "replace", "-1", "start=5,mute=yes", NULL } },
  { "/hyperwall/mpv-command/loadfile/future/index-before-options", HW_MPV_API (2, 9), "start=5",
    { "loadfile", URL, "replace", "-1", "start=5", NULL } },
};

static void
test_loadfile (gconstpointer data)
{
  const LoadfileCase *c = data;
  const char *argv[HW_MPV_LOADFILE_ARGV_MAX];
  guint n = hw_mpv_loadfile_argv (c->api_version, URL, c->options, argv);
  guint expected_n = g_strv_length ((char **) c->expected);

  g_assert_cmpuint (n, ==, expected_n);
  for (guint i = 0; i <= n; i++)
    g_assert_cmpstr (argv[i], ==, c->expected[i]);
}

static gboolean
has_option (const HwMpvOption *options,
            guint              n,
            const char        *name,
            gboolean          *may_be_missing)
{
  for (guint i = 0; i < n; i++)
    if (g_str_equal (options[i].name, name))
      {
        g_assert_cmpstr (options[i].value, ==, "no");
        if (may_be_missing != NULL)
          *may_be_missing = options[i].may_be_missing;
        return TRUE;
      }
  return FALSE;
}

static void
test_scripts_0_35 (void)
{
  const HwMpvOption *options = NULL;
  guint n = hw_mpv_builtin_script_options (HW_MPV_API (2, 0), &options);
  gboolean missing = TRUE;

  g_assert_true (has_option (options, n, "load-osd-console", &missing));
  g_assert_false (missing);
  g_assert_true (has_option (options, n, "load-stats-overlay", NULL));
  g_assert_true (has_option (options, n, "load-auto-profiles", NULL));
  g_assert_false (has_option (options, n, "load-console", NULL));
  g_assert_false (has_option (options, n, "load-select", NULL));
  g_assert_false (has_option (options, n, "load-commands", NULL));
}

static void
test_scripts_0_38 (void)
{
  const HwMpvOption *options = NULL;
  guint n = hw_mpv_builtin_script_options (HW_MPV_API (2, 3), &options);
  gboolean missing = FALSE;

  g_assert_true (has_option (options, n, "load-osd-console", NULL));
  /* 0.39 added it without a new API version: 0.38 lacks it. */
  g_assert_true (has_option (options, n, "load-select", &missing));
  g_assert_true (missing);
  g_assert_false (has_option (options, n, "load-console", NULL));
}

static void
test_scripts_0_41 (void)
{
  const HwMpvOption *options = NULL;
  guint n = hw_mpv_builtin_script_options (HW_MPV_API (2, 5), &options);
  gboolean missing = TRUE;

  g_assert_false (has_option (options, n, "load-osd-console", NULL));
  g_assert_true (has_option (options, n, "load-console", &missing));
  g_assert_false (missing);
  g_assert_true (has_option (options, n, "load-select", &missing));
  g_assert_false (missing);
  g_assert_true (has_option (options, n, "load-positioning", NULL));
  g_assert_true (has_option (options, n, "load-commands", NULL));
  g_assert_true (has_option (options, n, "load-context-menu", &missing));
  g_assert_true (missing);
  g_assert_true (has_option (options, n, "load-stats-overlay", NULL));
  g_assert_true (has_option (options, n, "load-auto-profiles", NULL));
}

static void
test_expected_errors (void)
{
  const HwMpvOption known = { "load-console", "no", FALSE };
  const HwMpvOption optional = { "load-context-menu", "no", TRUE };

  g_assert_true (hw_mpv_option_error_is_expected (&optional, MPV_ERROR_OPTION_NOT_FOUND));
  g_assert_false (hw_mpv_option_error_is_expected (&optional, MPV_ERROR_OPTION_FORMAT));
  g_assert_false (hw_mpv_option_error_is_expected (&known, MPV_ERROR_OPTION_NOT_FOUND));
}

/* ---- Against the libmpv this test links --------------------------------- */

static mpv_handle *
create_handle (void)
{
  mpv_handle *mpv = mpv_create ();
  const HwMpvOption *options = NULL;
  guint n;

  g_assert_nonnull (mpv);
  n = hw_mpv_builtin_script_options (mpv_client_api_version (), &options);
  for (guint i = 0; i < n; i++)
    {
      int rc = mpv_set_option_string (mpv, options[i].name, options[i].value);

      if (rc < 0 && !hw_mpv_option_error_is_expected (&options[i], rc))
        g_error ("libmpv %lu.%lu rejects %s=%s: %s", mpv_client_api_version () >> 16,
                 mpv_client_api_version () & 0xffff, options[i].name, options[i].value,
                 mpv_error_string (rc));
    }
  g_assert_cmpint (mpv_set_option_string (mpv, "config", "no"), ==, 0);
  g_assert_cmpint (mpv_set_option_string (mpv, "vo", "null"), ==, 0);
  g_assert_cmpint (mpv_set_option_string (mpv, "ao", "null"), ==, 0);
  g_assert_cmpint (mpv_set_option_string (mpv, "idle", "yes"), ==, 0);
  g_assert_cmpint (mpv_initialize (mpv), ==, 0);
  return mpv;
}

static int
run_loadfile (mpv_handle    *mpv,
              unsigned long  api_version,
              gint64        *entry_id)
{
  const char *argv[HW_MPV_LOADFILE_ARGV_MAX];
  mpv_node result = { 0 };
  int rc;

  hw_mpv_loadfile_argv (api_version, URL, "start=0.5,mute=yes", argv);
  rc = mpv_command_ret (mpv, argv, &result);
  *entry_id = -1;
  if (rc >= 0 && result.format == MPV_FORMAT_NODE_MAP)
    for (int i = 0; i < result.u.list->num; i++)
      if (g_str_equal (result.u.list->keys[i], "playlist_entry_id"))
        *entry_id = result.u.list->values[i].u.int64;
  mpv_free_node_contents (&result);
  return rc;
}

static void
test_real_library (void)
{
  unsigned long api = mpv_client_api_version ();
  /* The other side of the 0.38 change from the one we run on. */
  unsigned long other = api >= HW_MPV_API_LOADFILE_INDEX ? HW_MPV_API (2, 0) : HW_MPV_API (2, 5);
  mpv_handle *mpv = create_handle ();
  gint64 entry_id = -1;

  g_test_message ("libmpv client API %lu.%lu", api >> 16, api & 0xffff);
  g_assert_cmpint (run_loadfile (mpv, api, &entry_id), >=, 0);
  g_assert_cmpint (entry_id, >, 0);

  /* The argv for the other releases is refused: the version matters. */
  g_assert_cmpint (run_loadfile (mpv, other, &entry_id), <, 0);

  mpv_terminate_destroy (mpv);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  setlocale (LC_NUMERIC, "C");
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (loadfile_cases); i++)
    g_test_add_data_func (loadfile_cases[i].path, &loadfile_cases[i], test_loadfile);
  g_test_add_func ("/hyperwall/mpv-command/scripts/0.35", test_scripts_0_35);
  g_test_add_func ("/hyperwall/mpv-command/scripts/0.38", test_scripts_0_38);
  g_test_add_func ("/hyperwall/mpv-command/scripts/0.41", test_scripts_0_41);
  g_test_add_func ("/hyperwall/mpv-command/expected-errors", test_expected_errors);
  g_test_add_func ("/hyperwall/mpv-command/real-library", test_real_library);

  return g_test_run ();
}
