/* test-config.c: the three configuration layers.
 *
 * Runs with GSETTINGS_BACKEND=memory and GSETTINGS_SCHEMA_DIR at the build
 * tree's data/ (meson sets both; main() does too when run by hand).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "hw-cell-machine.h"
#include "hw-config-private.h"

typedef struct {
  GSettings *settings;   /* a second writer, as another process would be */
  guint      n_changed;
  char      *last_key;
} Fixture;

static void
clear_environment (void)
{
  const char * const *keys = hw_config_list_keys ();

  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autofree char *upper = g_ascii_strup (keys[i], -1);
      g_autofree char *name = NULL;

      g_strdelimit (upper, "-", '_');
      name = g_strconcat ("HYPERWALL_", upper, NULL);
      g_unsetenv (name);
    }
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  clear_environment ();
  fixture->settings = g_settings_new (APP_ID);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  const char * const *keys = hw_config_list_keys ();

  /* The memory backend is shared by the whole process: leave it clean. */
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (fixture->settings, keys[i]);
  g_clear_object (&fixture->settings);
  g_clear_pointer (&fixture->last_key, g_free);
  clear_environment ();
}

static void
changed_cb (HwConfig   *config,
            const char *key,
            Fixture    *fixture)
{
  fixture->n_changed++;
  g_free (fixture->last_key);
  fixture->last_key = g_strdup (key);
}

/* GSettings may deliver "changed" through the main context. */
static void
drain_main_context (void)
{
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
}

static void
test_config_defaults (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(HwConfig) config = hw_config_new ();
  g_autofree char *renderer = hw_config_dup_string (config, "renderer");
  g_autofree char *server = hw_config_dup_string (config, "server-url");
  g_auto(GStrv) libraries = hw_config_dup_strv (config, "libraries");

  g_assert_true (hw_config_has_schema (config));
  g_assert_cmpint (hw_config_get_int (config, "rows"), ==, 2);
  g_assert_cmpint (hw_config_get_int (config, "columns"), ==, 2);
  g_assert_cmpint (hw_config_get_int (config, "stall-timeout"), ==, 20);
  g_assert_cmpint (hw_config_get_int (config, "watchdog-interval"), ==, 1000);
  g_assert_cmpint (hw_config_get_int (config, "cache-budget-mb"), ==, 3072);
  g_assert_cmpint (hw_config_get_int (config, "audio-cell"), ==, -1);
  g_assert_false (hw_config_get_boolean (config, "kiosk"));
  g_assert_cmpstr (renderer, ==, "auto");
  g_assert_cmpstr (server, ==, "");
  g_assert_cmpuint (g_strv_length (libraries), ==, 0);
  g_assert_cmpint (hw_config_get_source (config, "rows"), ==, HW_CONFIG_SOURCE_DEFAULT);
  g_assert_true (hw_config_has_key (config, "monitor"));
  g_assert_false (hw_config_has_key (config, "password"));
}

/* The built-in table and the compiled schema must not drift apart. */
static void
test_config_table_matches_schema (Fixture       *fixture,
                                  gconstpointer  data)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  const char * const *keys = hw_config_list_keys ();
  g_auto(GStrv) schema_keys = NULL;

  g_assert_nonnull (schema);
  schema_keys = g_settings_schema_list_keys (schema);
  g_assert_cmpuint (g_strv_length (schema_keys), ==, g_strv_length ((char **) keys));

  for (guint i = 0; keys[i] != NULL; i++)
    {
      const HwConfigKeyInfo *info = _hw_config_lookup_info (keys[i]);
      g_autoptr(GSettingsSchemaKey) key = NULL;
      g_autoptr(GVariant) builtin = NULL;
      g_autoptr(GVariant) schema_default = NULL;
      g_autoptr(GVariant) range = NULL;
      g_autoptr(GVariant) detail = NULL;
      const char *range_type;

      g_test_message ("key %s", keys[i]);
      g_assert_nonnull (info);
      g_assert_true (g_settings_schema_has_key (schema, keys[i]));
      key = g_settings_schema_get_key (schema, keys[i]);

      g_assert_cmpstr (g_variant_type_peek_string (g_settings_schema_key_get_value_type (key)),
                       ==, info->type);
      builtin = g_variant_parse (G_VARIANT_TYPE (info->type), info->default_text, NULL, NULL, NULL);
      schema_default = g_settings_schema_key_get_default_value (key);
      g_assert_true (g_variant_equal (builtin, schema_default));
      g_assert_nonnull (g_settings_schema_key_get_summary (key));
      g_assert_nonnull (g_settings_schema_key_get_description (key));

      range = g_settings_schema_key_get_range (key);
      g_variant_get (range, "(&sv)", &range_type, &detail);
      if (g_str_equal (info->type, "i"))
        {
          int min, max;

          g_assert_cmpstr (range_type, ==, "range");
          g_variant_get (detail, "(ii)", &min, &max);
          g_assert_cmpint (min, ==, info->min);
          g_assert_cmpint (max, ==, info->max);
          /* The crash window must hold as many failures as may be asked. */
          if (g_str_equal (keys[i], "crash-loop-threshold"))
            g_assert_cmpint (max, <=, HW_CRASH_WINDOW_MAX);
        }
      else if (info->choices != NULL)
        {
          g_autofree const char **choices = g_variant_get_strv (detail, NULL);

          g_assert_cmpstr (range_type, ==, "enum");
          g_assert_true (g_strv_equal (choices, info->choices));
        }
      else
        {
          g_assert_cmpstr (range_type, ==, "type");
        }
    }
}

static void
test_config_env_override (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(HwConfig) config = NULL;
  g_autofree char *renderer = NULL;
  g_auto(GStrv) libraries = NULL;

  g_setenv ("HYPERWALL_STALL_TIMEOUT", "5", TRUE);
  g_setenv ("HYPERWALL_KIOSK", "yes", TRUE);
  g_setenv ("HYPERWALL_RENDERER", "software", TRUE);
  g_setenv ("HYPERWALL_LIBRARIES", "Movies, Kids ,,", TRUE);
  config = hw_config_new ();

  g_assert_cmpint (hw_config_get_int (config, "stall-timeout"), ==, 5);
  g_assert_cmpint (hw_config_get_source (config, "stall-timeout"), ==,
                   HW_CONFIG_SOURCE_ENVIRONMENT);
  g_assert_true (hw_config_get_boolean (config, "kiosk"));
  renderer = hw_config_dup_string (config, "renderer");
  g_assert_cmpstr (renderer, ==, "software");
  libraries = hw_config_dup_strv (config, "libraries");
  g_assert_cmpuint (g_strv_length (libraries), ==, 2);
  g_assert_cmpstr (libraries[0], ==, "Movies");
  g_assert_cmpstr (libraries[1], ==, "Kids");
  /* The environment is never written back to GSettings. */
  g_assert_cmpint (g_settings_get_int (fixture->settings, "stall-timeout"), ==, 20);
}

/* Sources go by position and may hold commas: ";" or a newline separates
 * them, empty entries stay (the wall's feed), trailing ones go. */
static void
test_config_env_sources (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(HwConfig) config = NULL;
  g_auto(GStrv) sources = NULL;

  g_setenv ("HYPERWALL_SOURCES", " playlist:Lobby ads ;;items:1,2\nfolder:/srv/a;b ; ;", TRUE);
  config = hw_config_new ();

  sources = hw_config_dup_strv (config, "sources");
  g_assert_cmpuint (g_strv_length (sources), ==, 5);
  g_assert_cmpstr (sources[0], ==, "playlist:Lobby ads");
  g_assert_cmpstr (sources[1], ==, "");
  g_assert_cmpstr (sources[2], ==, "items:1,2");
  g_assert_cmpstr (sources[3], ==, "folder:/srv/a");
  g_assert_cmpstr (sources[4], ==, "b");
}

typedef struct {
  const char *variable;
  const char *text;
  const char *key;
  int         expected;
} ClampCase;

static const ClampCase clamp_cases[] = {
  { "HYPERWALL_ROWS", "0", "rows", 1 },
  { "HYPERWALL_ROWS", "99", "rows", 8 },
  { "HYPERWALL_AUDIO_CELL", "-5", "audio-cell", -1 },
  { "HYPERWALL_WATCHDOG_INTERVAL", "10", "watchdog-interval", 100 },
  { "HYPERWALL_CACHE_BUDGET_MB", "999999999999999999999999", "cache-budget-mb", 65536 },
  { "HYPERWALL_STALL_TIMEOUT", "-999999999999999999999999", "stall-timeout", 2 },
};

static void
test_config_env_clamped (Fixture       *fixture,
                         gconstpointer  data)
{
  const ClampCase *test = data;
  g_autoptr(HwConfig) config = NULL;
  g_autofree char *pattern = g_strdup_printf ("*%s=%s*", test->variable, test->text);

  g_setenv (test->variable, test->text, TRUE);
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, pattern);
  config = hw_config_new ();
  g_test_assert_expected_messages ();

  g_assert_cmpint (hw_config_get_int (config, test->key), ==, test->expected);
  g_assert_cmpint (hw_config_get_source (config, test->key), ==, HW_CONFIG_SOURCE_ENVIRONMENT);
}

static void
test_config_env_unparsable (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(HwConfig) config = NULL;
  g_autoptr(HwConfig) again = NULL;
  g_autofree char *renderer = NULL;

  g_setenv ("HYPERWALL_COLUMNS", "x3", TRUE);
  g_setenv ("HYPERWALL_KIOSK", "maybe", TRUE);
  g_setenv ("HYPERWALL_RENDERER", "vulkan", TRUE);
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*HYPERWALL_COLUMNS=x3*");
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*HYPERWALL_RENDERER=vulkan*");
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*HYPERWALL_KIOSK=maybe*");
  config = hw_config_new ();
  g_test_assert_expected_messages ();

  g_assert_cmpint (hw_config_get_int (config, "columns"), ==, 2);
  g_assert_cmpint (hw_config_get_source (config, "columns"), ==, HW_CONFIG_SOURCE_DEFAULT);
  g_assert_false (hw_config_get_boolean (config, "kiosk"));
  renderer = hw_config_dup_string (config, "renderer");
  g_assert_cmpstr (renderer, ==, "auto");

  /* Reported once: a second HwConfig stays quiet (a warning would abort). */
  again = hw_config_new ();
  g_assert_cmpint (hw_config_get_int (again, "columns"), ==, 2);
}

static void
test_config_env_beats_gsettings (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(HwConfig) plain = NULL;
  g_autoptr(HwConfig) config = NULL;

  g_settings_set_int (fixture->settings, "rows", 3);
  plain = hw_config_new ();
  g_assert_cmpint (hw_config_get_int (plain, "rows"), ==, 3);
  g_assert_cmpint (hw_config_get_source (plain, "rows"), ==, HW_CONFIG_SOURCE_GSETTINGS);

  g_setenv ("HYPERWALL_ROWS", "5", TRUE);
  config = hw_config_new ();
  g_assert_cmpint (hw_config_get_int (config, "rows"), ==, 5);
  g_assert_cmpint (hw_config_get_source (config, "rows"), ==, HW_CONFIG_SOURCE_ENVIRONMENT);
}

static void
test_config_command_line_beats_env (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(HwConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("HYPERWALL_ROWS", "5", TRUE);
  g_settings_set_int (fixture->settings, "rows", 3);
  config = hw_config_new ();
  g_signal_connect (config, "changed::rows", G_CALLBACK (changed_cb), fixture);

  g_assert_true (hw_config_set_from_string (config, "rows", "7", &error));
  g_assert_no_error (error);
  g_assert_cmpint (hw_config_get_int (config, "rows"), ==, 7);
  g_assert_cmpint (hw_config_get_source (config, "rows"), ==, HW_CONFIG_SOURCE_COMMAND_LINE);
  g_assert_cmpuint (fixture->n_changed, ==, 1);
  g_assert_cmpstr (fixture->last_key, ==, "rows");

  /* The same value again is no change. */
  g_assert_true (hw_config_set_from_string (config, "rows", "7", NULL));
  g_assert_cmpuint (fixture->n_changed, ==, 1);
  /* Never written to GSettings. */
  g_assert_cmpint (g_settings_get_int (fixture->settings, "rows"), ==, 3);
}

typedef struct {
  const char *key;
  const char *text;
  int         code;
  const char *fragments[3];   /* the message names the key and what is allowed */
} BadValueCase;

static const BadValueCase bad_values[] = {
  { "rows", "0", HW_CONFIG_ERROR_OUT_OF_RANGE, { "rows", "1", "8" } },
  { "columns", "9", HW_CONFIG_ERROR_OUT_OF_RANGE, { "columns", "1", "8" } },
  { "columns", "x", HW_CONFIG_ERROR_INVALID_VALUE, { "columns", "“x”", "8" } },
  { "rows", "", HW_CONFIG_ERROR_INVALID_VALUE, { "rows", "1", "8" } },
  { "stall-timeout", "1.5", HW_CONFIG_ERROR_INVALID_VALUE, { "stall-timeout", "2", "600" } },
  { "kiosk", "maybe", HW_CONFIG_ERROR_INVALID_VALUE, { "kiosk", "true", "false" } },
  { "renderer", "vulkan", HW_CONFIG_ERROR_INVALID_VALUE, { "renderer", "gl", "software" } },
  { "password", "secret", HW_CONFIG_ERROR_UNKNOWN_KEY, { "password", NULL } },
};

static void
test_config_command_line_strict (Fixture       *fixture,
                                 gconstpointer  data)
{
  const BadValueCase *test = data;
  g_autoptr(HwConfig) config = hw_config_new ();
  g_autoptr(GError) error = NULL;

  g_signal_connect (config, "changed", G_CALLBACK (changed_cb), fixture);
  g_assert_false (hw_config_set_from_string (config, test->key, test->text, &error));
  g_assert_error (error, HW_CONFIG_ERROR, test->code);
  g_test_message ("%s", error->message);
  for (guint i = 0; i < G_N_ELEMENTS (test->fragments) && test->fragments[i] != NULL; i++)
    g_assert_nonnull (strstr (error->message, test->fragments[i]));

  g_assert_cmpuint (fixture->n_changed, ==, 0);
  if (hw_config_has_key (config, test->key))
    g_assert_cmpint (hw_config_get_source (config, test->key), ==, HW_CONFIG_SOURCE_DEFAULT);
}

static void
test_config_command_line_types (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(HwConfig) config = hw_config_new ();
  g_autofree char *server = NULL;
  g_auto(GStrv) libraries = NULL;

  g_assert_true (hw_config_set_from_string (config, "kiosk", "1", NULL));
  g_assert_true (hw_config_get_boolean (config, "kiosk"));
  g_assert_true (hw_config_set_from_string (config, "server-url", "http://h:8096/emby", NULL));
  server = hw_config_dup_string (config, "server-url");
  g_assert_cmpstr (server, ==, "http://h:8096/emby");
  g_assert_true (hw_config_set_from_string (config, "libraries", "a,b", NULL));
  libraries = hw_config_dup_strv (config, "libraries");
  g_assert_cmpuint (g_strv_length (libraries), ==, 2);
  g_assert_true (hw_config_set_from_string (config, "audio-cell", "-1", NULL));
  g_assert_cmpint (hw_config_get_int (config, "audio-cell"), ==, -1);
}

static void
test_config_changed_gsettings (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(HwConfig) config = hw_config_new ();

  g_signal_connect (config, "changed::stall-timeout", G_CALLBACK (changed_cb), fixture);

  g_settings_set_int (fixture->settings, "stall-timeout", 7);
  drain_main_context ();
  g_assert_cmpuint (fixture->n_changed, ==, 1);
  g_assert_cmpstr (fixture->last_key, ==, "stall-timeout");
  g_assert_cmpint (hw_config_get_int (config, "stall-timeout"), ==, 7);
  g_assert_cmpint (hw_config_get_source (config, "stall-timeout"), ==, HW_CONFIG_SOURCE_GSETTINGS);

  /* Another key does not reach this detail. */
  g_settings_set_int (fixture->settings, "rows", 4);
  drain_main_context ();
  g_assert_cmpuint (fixture->n_changed, ==, 1);

  /* hw_config_store writes the same layer. */
  hw_config_store (config, "stall-timeout", g_variant_new_int32 (9));
  drain_main_context ();
  g_assert_cmpuint (fixture->n_changed, ==, 2);
  g_assert_cmpint (g_settings_get_int (fixture->settings, "stall-timeout"), ==, 9);
}

static void
test_config_changed_overridden (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(HwConfig) config = NULL;

  g_setenv ("HYPERWALL_STALL_TIMEOUT", "5", TRUE);
  config = hw_config_new ();
  g_signal_connect (config, "changed", G_CALLBACK (changed_cb), fixture);
  g_assert_true (hw_config_set_from_string (config, "rows", "3", NULL));
  g_assert_cmpuint (fixture->n_changed, ==, 1);

  g_settings_set_int (fixture->settings, "stall-timeout", 7);
  g_settings_set_int (fixture->settings, "rows", 5);
  drain_main_context ();
  g_assert_cmpuint (fixture->n_changed, ==, 1);
  g_assert_cmpint (hw_config_get_int (config, "stall-timeout"), ==, 5);
  g_assert_cmpint (hw_config_get_int (config, "rows"), ==, 3);

  /* A key nobody overrides still notifies on the generic signal. */
  g_settings_set_int (fixture->settings, "columns", 3);
  drain_main_context ();
  g_assert_cmpuint (fixture->n_changed, ==, 2);
  g_assert_cmpstr (fixture->last_key, ==, "columns");
}

/* No schema anywhere, not even in the build tree. */
static void
missing_schema_child (void)
{
  g_autoptr(HwConfig) config = NULL;
  g_autoptr(HwConfig) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hwdec = NULL;

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*schema*not installed*");
  config = _hw_config_new_full (NULL);
  g_test_assert_expected_messages ();
  second = _hw_config_new_full (NULL);   /* warned once: a second warning would abort */

  g_assert_false (hw_config_has_schema (config));
  g_assert_cmpint (hw_config_get_int (config, "rows"), ==, 2);
  g_assert_cmpint (hw_config_get_int (config, "crash-loop-cooldown"), ==, 120);
  hwdec = hw_config_dup_string (config, "hwdec");
  g_assert_cmpstr (hwdec, ==, "auto-safe");
  g_assert_cmpint (hw_config_get_int (config, "stall-timeout"), ==, 6);   /* from the env */
  g_assert_cmpint (hw_config_get_source (config, "rows"), ==, HW_CONFIG_SOURCE_DEFAULT);

  hw_config_store (config, "rows", g_variant_new_int32 (4));
  g_assert_cmpint (hw_config_get_int (config, "rows"), ==, 2);
  g_assert_true (hw_config_set_from_string (config, "rows", "4", &error));
  g_assert_cmpint (hw_config_get_int (config, "rows"), ==, 4);
  g_print ("child-ok\n");
}

/* Nothing installed, but the build tree's compiled schema is found. */
static void
build_schema_child (void)
{
  g_autoptr(HwConfig) config = hw_config_new ();

  g_assert_true (hw_config_has_schema (config));
  g_assert_cmpint (hw_config_get_int (config, "rows"), ==, 2);
  g_assert_cmpint (hw_config_get_int (config, "stall-timeout"), ==, 6);
  g_print ("child-ok\n");
}

/* The child inherits our environment (GLib 2.74 has no envp variant):
 * point every schema lookup at an empty directory, then restore. */
static void
run_without_installed_schema (void)
{
  g_autofree char *empty = g_dir_make_tmp ("hw-no-schema-XXXXXX", NULL);
  const char *names[] = { "GSETTINGS_SCHEMA_DIR", "XDG_DATA_DIRS", "XDG_DATA_HOME" };
  char *saved[G_N_ELEMENTS (names)];

  g_assert_nonnull (empty);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      saved[i] = g_strdup (g_getenv (names[i]));
      g_setenv (names[i], empty, TRUE);
    }
  g_setenv ("HYPERWALL_STALL_TIMEOUT", "6", TRUE);

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (saved[i] != NULL)
        g_setenv (names[i], saved[i], TRUE);
      else
        g_unsetenv (names[i]);
      g_free (saved[i]);
    }
  g_unsetenv ("HYPERWALL_STALL_TIMEOUT");
  g_rmdir (empty);

  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*child-ok*");
}

static void
test_config_missing_schema (void)
{
  if (g_test_subprocess ())
    missing_schema_child ();
  else
    run_without_installed_schema ();
}

static void
test_config_build_schema (void)
{
  if (g_test_subprocess ())
    build_schema_child ();
  else
    run_without_installed_schema ();
}

static void
add_fixture_test (const char    *path,
                  gconstpointer  data,
                  void         (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, data, fixture_setup, func, fixture_teardown);
}

int
main (int   argc,
      char *argv[])
{
  /* Run by hand (outside meson test) too: never touch the user's dconf. */
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GSETTINGS_SCHEMA_DIR", HW_BUILD_SCHEMA_DIR, FALSE);

  g_test_init (&argc, &argv, NULL);

  add_fixture_test ("/hyperwall/config/defaults", NULL, test_config_defaults);
  add_fixture_test ("/hyperwall/config/table-matches-schema", NULL,
                    test_config_table_matches_schema);
  add_fixture_test ("/hyperwall/config/env/override", NULL, test_config_env_override);
  add_fixture_test ("/hyperwall/config/env/sources", NULL, test_config_env_sources);
  for (guint i = 0; i < G_N_ELEMENTS (clamp_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hyperwall/config/env/clamped/%u", i);

      add_fixture_test (path, &clamp_cases[i], test_config_env_clamped);
    }
  add_fixture_test ("/hyperwall/config/env/unparsable", NULL, test_config_env_unparsable);
  add_fixture_test ("/hyperwall/config/env/beats-gsettings", NULL,
                    test_config_env_beats_gsettings);
  add_fixture_test ("/hyperwall/config/command-line/beats-env", NULL,
                    test_config_command_line_beats_env);
  add_fixture_test ("/hyperwall/config/command-line/types", NULL,
                    test_config_command_line_types);
  for (guint i = 0; i < G_N_ELEMENTS (bad_values); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hyperwall/config/command-line/strict/%u", i);

      add_fixture_test (path, &bad_values[i], test_config_command_line_strict);
    }
  add_fixture_test ("/hyperwall/config/changed/gsettings", NULL, test_config_changed_gsettings);
  add_fixture_test ("/hyperwall/config/changed/overridden", NULL,
                    test_config_changed_overridden);
  g_test_add_func ("/hyperwall/config/missing-schema", test_config_missing_schema);
  g_test_add_func ("/hyperwall/config/build-schema", test_config_build_schema);

  return g_test_run ();
}
