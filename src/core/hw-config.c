/* hw-config.c: the one place that merges settings.
 *
 * Each key's effective value is the first of: the command-line value, the
 * environment value (both kept here, never written to GSettings), the
 * GSettings value (which includes the schema default), or the built-in
 * default when there is no schema. The built-in table mirrors
 * data/org.example.Hyperwall.gschema.xml; test-config.c checks they agree.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <glib/gi18n.h>

#include "hw-config-private.h"
#include "hw-layout.h"
#include "hw-spec-message.h"

static const char * const renderer_choices[] = { "auto", "gl", "software", "x11", NULL };

static gboolean
validate_layout (const char  *text,
                 GError     **error)
{
  HwLayout layout;
  HwSpecError problem;
  g_autofree char *message = NULL;

  /* Empty: the uniform grid of rows and columns. */
  if (*text == '\0' || hw_layout_parse (text, &layout, &problem))
    return TRUE;

  message = hw_spec_error_describe (&problem);
  g_set_error_literal (error, HW_CONFIG_ERROR, HW_CONFIG_ERROR_INVALID_VALUE, message);
  return FALSE;
}

/* Schema order. Keep in step with the schema: the test compares them. */
static const HwConfigKeyInfo builtin_keys[] = {
  { "server-url",           "s",  "''",          0, 0, NULL },
  { "username",             "s",  "''",          0, 0, NULL },
  { "user-id",              "s",  "''",          0, 0, NULL },
  { "accept-certificate",   "s",  "''",          0, 0, NULL },
  { "device-name",          "s",  "''",          0, 0, NULL },
  { "libraries",            "as", "@as []",      0, 0, NULL },
  { "rows",                 "i",  "2",           1, 8, NULL },
  { "columns",              "i",  "2",           1, 8, NULL },
  { "layout",               "s",  "''",          0, 0, NULL, validate_layout },
  { "sources",              "as", "@as []",      0, 0, NULL },
  { "renderer",             "s",  "'auto'",      0, 0, renderer_choices },
  { "hwdec",                "s",  "'auto-safe'", 0, 0, NULL },
  { "cycle-interval",       "i",  "0",           0, 86400, NULL },
  { "stall-timeout",        "i",  "20",          2, 600, NULL },
  { "watchdog-interval",    "i",  "1000",        100, 10000, NULL },
  { "load-timeout",         "i",  "30",          2, 600, NULL },
  { "crash-loop-threshold", "i",  "5",           1, 100, NULL },
  { "crash-loop-window",    "i",  "60",          1, 86400, NULL },
  { "crash-loop-cooldown",  "i",  "120",         1, 86400, NULL },
  { "backoff-initial",      "i",  "2",           1, 3600, NULL },
  { "backoff-max",          "i",  "30",          1, 3600, NULL },
  { "backoff-reset",        "i",  "10",          1, 3600, NULL },
  { "cache-budget-mb",      "i",  "3072",        64, 65536, NULL },
  { "cache-per-cell-mb",    "i",  "512",         32, 8192, NULL },
  { "request-timeout",      "i",  "20",          1, 600, NULL },
  { "audio-cell",           "i",  "-1",          -1, 63, NULL },
  { "kiosk",                "b",  "false",       0, 0, NULL },
  { "monitor",              "i",  "-1",          -1, 15, NULL },
  { "show-titles",          "b",  "true",        0, 0, NULL },
  { "focus-cycle-interval", "i",  "0",           0, 3600, NULL },
  { "offline-cache-mb",     "i",  "8192",        0, 1048576, NULL },
  { "offline-cache-rate",   "i",  "2048",        0, 1048576, NULL },
};

#define N_KEYS G_N_ELEMENTS (builtin_keys)

struct _HwConfig
{
  GObject    parent_instance;

  GSettings *settings;             /* NULL without a schema */
  GVariant  *defaults[N_KEYS];     /* built-in, parsed once */
  GVariant  *env_values[N_KEYS];   /* NULL: not overridden */
  GVariant  *cli_values[N_KEYS];
};

G_DEFINE_FINAL_TYPE (HwConfig, hw_config, G_TYPE_OBJECT)

G_DEFINE_QUARK (hw-config-error-quark, hw_config_error)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------ */
/* The table                                                           */

static int
hw_config_index (const char *key)
{
  if (key == NULL)
    return -1;

  for (guint i = 0; i < N_KEYS; i++)
    if (g_str_equal (builtin_keys[i].name, key))
      return (int) i;

  return -1;
}

/* For callers that were handed a key name: an unknown one is a bug. */
static int
hw_config_known_index (const char *key)
{
  int i = hw_config_index (key);

  if (i < 0)
    g_critical ("Unknown configuration key “%s”", key);
  return i;
}

const HwConfigKeyInfo *
_hw_config_lookup_info (const char *key)
{
  int i = hw_config_index (key);

  return i < 0 ? NULL : &builtin_keys[i];
}

const char * const *
hw_config_list_keys (void)
{
  static const char **names;

  if (g_once_init_enter (&names))
    {
      const char **list = g_new0 (const char *, N_KEYS + 1);

      for (guint i = 0; i < N_KEYS; i++)
        list[i] = builtin_keys[i].name;
      g_once_init_leave (&names, list);
    }

  return (const char * const *) names;
}

/* HYPERWALL_STALL_TIMEOUT for stall-timeout. */
static char *
hw_config_env_name (const char *key)
{
  g_autofree char *upper = g_ascii_strup (key, -1);

  g_strdelimit (upper, "-", '_');
  return g_strconcat ("HYPERWALL_", upper, NULL);
}

/* ------------------------------------------------------------------ */
/* Parsing, shared by the environment and the command line             */

static gboolean
hw_config_parse_boolean (const char *text,
                         gboolean   *out)
{
  static const char * const yes[] = { "true", "1", "yes", NULL };
  static const char * const no[] = { "false", "0", "no", NULL };

  for (guint i = 0; yes[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (text, yes[i]) == 0)
        return (*out = TRUE, TRUE);
      if (g_ascii_strcasecmp (text, no[i]) == 0)
        return (*out = FALSE, TRUE);
    }

  return FALSE;
}

/* Parses a whole integer; out of the int64 range saturates (so the caller
 * sees it as out of range, not as garbage). */
static gboolean
hw_config_parse_int64 (const char *text,
                       gint64     *out)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  char *end = NULL;
  gint64 value;

  if (*copy == '\0')
    return FALSE;

  errno = 0;
  value = g_ascii_strtoll (copy, &end, 10);
  if (end == copy || *end != '\0')
    return FALSE;
  if (errno != 0 && errno != ERANGE)
    return FALSE;

  *out = value;
  return TRUE;
}

/* `sources` is a list by position (entry i is cell i's) whose entries may
 * hold commas (items:ID,ID) and be empty (the wall's own feed): ";" or a
 * newline separates them, and only empty entries at the end are dropped. */
static GVariant *
hw_config_parse_sources (const char *text)
{
  g_auto(GStrv) parts = g_regex_split_simple ("[;\n]", text, 0, 0);
  guint n = g_strv_length (parts);

  for (guint i = 0; i < n; i++)
    g_strstrip (parts[i]);
  while (n > 0 && *parts[n - 1] == '\0')
    n--;

  return g_variant_new_strv ((const char * const *) parts, n);
}

static GVariant *
hw_config_parse_strv (const HwConfigKeyInfo *info,
                      const char            *text)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) list = NULL;

  if (g_str_equal (info->name, "sources"))
    return hw_config_parse_sources (text);

  parts = g_strsplit (text, ",", -1);
  list = g_ptr_array_new ();
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        g_ptr_array_add (list, parts[i]);
    }

  return g_variant_new_strv ((const char * const *) list->pdata, list->len);
}

static gboolean
hw_config_is_choice (const HwConfigKeyInfo *info,
                     const char            *text)
{
  return info->choices == NULL || g_strv_contains (info->choices, text);
}

/* ------------------------------------------------------------------ */
/* The environment layer                                               */

/* Each bad variable is reported once per process, not once per HwConfig. */
static gboolean
hw_config_first_report (const char *env_name,
                        const char *text)
{
  G_LOCK_DEFINE_STATIC (reported);
  static GHashTable *seen;
  char *entry = g_strconcat (env_name, "=", text, NULL);
  gboolean first;

  G_LOCK (reported);
  if (seen == NULL)
    seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  first = g_hash_table_add (seen, entry);
  G_UNLOCK (reported);

  return first;
}

static GVariant *
hw_config_env_int (const HwConfigKeyInfo *info,
                   const char            *env_name,
                   const char            *text)
{
  gint64 value;

  if (!hw_config_parse_int64 (text, &value))
    return NULL;

  if (value < info->min || value > info->max)
    {
      gint64 clamped = CLAMP (value, info->min, info->max);

      g_message ("%s=%s is outside %d..%d; using %" G_GINT64_FORMAT,
                 env_name, text, info->min, info->max, clamped);
      value = clamped;
    }

  return g_variant_new_int32 ((gint32) value);
}

/* NULL when @text does not parse as @info's type; @why then may say why. */
static GVariant *
hw_config_env_value (const HwConfigKeyInfo  *info,
                     const char             *env_name,
                     const char             *text,
                     GError                **why)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  gboolean flag;

  switch (info->type[0])
    {
    case 'i':
      return hw_config_env_int (info, env_name, text);
    case 'b':
      return hw_config_parse_boolean (stripped, &flag) ? g_variant_new_boolean (flag) : NULL;
    case 'a':
      return hw_config_parse_strv (info, text);
    case 's':
      if (!hw_config_is_choice (info, text))
        return NULL;
      if (info->validate != NULL && !info->validate (text, why))
        return NULL;
      return g_variant_new_string (text);
    default:
      /* A key of a type this table does not know: ignored, never fatal. */
      g_return_val_if_reached (NULL);
    }
}

static void
hw_config_read_environment (HwConfig *self)
{
  for (guint i = 0; i < N_KEYS; i++)
    {
      g_autofree char *env_name = hw_config_env_name (builtin_keys[i].name);
      const char *text = g_getenv (env_name);
      g_autoptr(GError) why = NULL;
      GVariant *value;

      if (text == NULL)
        continue;

      value = hw_config_env_value (&builtin_keys[i], env_name, text, &why);
      if (value == NULL)
        {
          if (!hw_config_first_report (env_name, text))
            continue;
          if (why != NULL)
            g_warning ("Ignoring %s=%s: %s", env_name, text, why->message);
          else
            g_warning ("Ignoring %s=%s: not a valid value for %s", env_name, text,
                       builtin_keys[i].name);
          continue;
        }

      self->env_values[i] = g_variant_ref_sink (value);
      g_debug ("%s overridden by %s", builtin_keys[i].name, env_name);
    }
}

/* ------------------------------------------------------------------ */
/* The GSettings layer                                                 */

static GSettingsSchema *
hw_config_find_schema (const char *build_schema_dir)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchemaSource) build_source = NULL;
  g_autofree char *compiled = NULL;
  g_autoptr(GError) error = NULL;
  GSettingsSchema *schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema != NULL || build_schema_dir == NULL)
    return schema;

  /* Not installed: run from the build tree, where data/ compiles it. */
  compiled = g_build_filename (build_schema_dir, "gschemas.compiled", NULL);
  if (!g_file_test (compiled, G_FILE_TEST_IS_REGULAR))
    return NULL;

  build_source = g_settings_schema_source_new_from_directory (build_schema_dir, source,
                                                              FALSE, &error);
  if (build_source == NULL)
    {
      g_warning ("Cannot read settings schemas in %s: %s", build_schema_dir, error->message);
      return NULL;
    }

  schema = g_settings_schema_source_lookup (build_source, APP_ID, FALSE);
  if (schema != NULL)
    g_debug ("Using the settings schema compiled in %s", build_schema_dir);

  return schema;
}

static gboolean
hw_config_is_overridden (HwConfig *self,
                         guint     i)
{
  return self->cli_values[i] != NULL || self->env_values[i] != NULL;
}

static void
hw_config_settings_changed_cb (HwConfig   *self,
                               const char *key,
                               GSettings  *settings)
{
  int i = hw_config_index (key);

  /* A higher layer decides this key: the change does not show. */
  if (i < 0 || hw_config_is_overridden (self, (guint) i))
    return;

  g_debug ("Setting %s changed", key);
  g_signal_emit (self, signals[CHANGED], g_quark_from_string (key), key);
}

/* ------------------------------------------------------------------ */
/* The object                                                          */

static void
hw_config_dispose (GObject *object)
{
  HwConfig *self = HW_CONFIG (object);

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (hw_config_parent_class)->dispose (object);
}

static void
hw_config_finalize (GObject *object)
{
  HwConfig *self = HW_CONFIG (object);

  for (guint i = 0; i < N_KEYS; i++)
    {
      g_clear_pointer (&self->defaults[i], g_variant_unref);
      g_clear_pointer (&self->env_values[i], g_variant_unref);
      g_clear_pointer (&self->cli_values[i], g_variant_unref);
    }

  G_OBJECT_CLASS (hw_config_parent_class)->finalize (object);
}

static void
hw_config_class_init (HwConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hw_config_dispose;
  object_class->finalize = hw_config_finalize;

  /**
   * HwConfig::changed:
   * @key: the key whose effective value changed
   *
   * Detailed by the key: connect to "changed::rows".
   */
  signals[CHANGED] = g_signal_new ("changed",
                                   G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                                   0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1,
                                   G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
hw_config_init (HwConfig *self)
{
  for (guint i = 0; i < N_KEYS; i++)
    {
      g_autoptr(GError) error = NULL;
      const GVariantType *type = G_VARIANT_TYPE (builtin_keys[i].type);

      self->defaults[i] = g_variant_parse (type, builtin_keys[i].default_text, NULL, NULL, &error);
      /* The table is constant and test-config parses every default; were
       * one still broken, the key gets the zero of its type, not a crash. */
      if (self->defaults[i] == NULL)
        {
          g_critical ("Built-in default of %s does not parse: %s", builtin_keys[i].name,
                      error->message);
          self->defaults[i] = g_variant_ref_sink (g_variant_new_from_data (type, NULL, 0, TRUE,
                                                                           NULL, NULL));
        }
    }
}

HwConfig *
_hw_config_new_full (const char *build_schema_dir)
{
  static gsize warned;
  HwConfig *self = g_object_new (HW_TYPE_CONFIG, NULL);
  g_autoptr(GSettingsSchema) schema = hw_config_find_schema (build_schema_dir);

  if (schema != NULL)
    {
      self->settings = g_settings_new_full (schema, NULL, NULL);
      g_signal_connect_swapped (self->settings, "changed",
                                G_CALLBACK (hw_config_settings_changed_cb), self);
    }
  else if (g_once_init_enter (&warned))
    {
      g_warning ("Settings schema %s not installed; using built-in defaults", APP_ID);
      g_once_init_leave (&warned, 1);
    }

  hw_config_read_environment (self);

  return self;
}

/* Run from a meson build tree, the schema compiled into BUILD/data: the
 * binary is BUILD/src/hyperwall, a test BUILD/tests/LAYER/test-…, so BUILD
 * (it has meson-private/) is one or two levels above the executable's
 * folder. Found from the executable's own path, not compiled in: an
 * installed binary carries no build path. Not further up: a prefix inside a
 * build tree (the install test's, BUILD/install-test/prefix/bin) is not it. */
static char *
build_tree_schema_dir (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = NULL;

  if (exe == NULL)
    return NULL;
  dir = g_path_get_dirname (exe);
  for (guint up = 1; up <= 2; up++)
    {
      g_autofree char *parent = g_path_get_dirname (dir);
      g_autofree char *marker = g_build_filename (parent, "meson-private", "coredata.dat", NULL);

      if (g_file_test (marker, G_FILE_TEST_IS_REGULAR))
        return g_build_filename (parent, "data", NULL);
      g_free (dir);
      dir = g_steal_pointer (&parent);
    }
  return NULL;
}

HwConfig *
hw_config_new (void)
{
  g_autofree char *build_schema_dir = build_tree_schema_dir ();

  return _hw_config_new_full (build_schema_dir);
}

gboolean
hw_config_has_key (HwConfig   *self,
                   const char *key)
{
  g_return_val_if_fail (HW_IS_CONFIG (self), FALSE);

  return hw_config_index (key) >= 0;
}

gboolean
hw_config_has_schema (HwConfig *self)
{
  g_return_val_if_fail (HW_IS_CONFIG (self), FALSE);

  return self->settings != NULL;
}

HwConfigSource
hw_config_get_source (HwConfig   *self,
                      const char *key)
{
  g_autoptr(GVariant) user_value = NULL;
  int i;

  g_return_val_if_fail (HW_IS_CONFIG (self), HW_CONFIG_SOURCE_DEFAULT);

  i = hw_config_known_index (key);
  if (i < 0)
    return HW_CONFIG_SOURCE_DEFAULT;

  if (self->cli_values[i] != NULL)
    return HW_CONFIG_SOURCE_COMMAND_LINE;
  if (self->env_values[i] != NULL)
    return HW_CONFIG_SOURCE_ENVIRONMENT;
  if (self->settings != NULL)
    user_value = g_settings_get_user_value (self->settings, key);

  return user_value != NULL ? HW_CONFIG_SOURCE_GSETTINGS : HW_CONFIG_SOURCE_DEFAULT;
}

/* Transfer full, never floating. */
static GVariant *
hw_config_effective (HwConfig *self,
                     guint     i)
{
  if (self->cli_values[i] != NULL)
    return g_variant_ref (self->cli_values[i]);
  if (self->env_values[i] != NULL)
    return g_variant_ref (self->env_values[i]);
  if (self->settings != NULL)
    return g_settings_get_value (self->settings, builtin_keys[i].name);

  return g_variant_ref (self->defaults[i]);
}

/* Returns a new reference (transfer full), like g_settings_get_value(). */
GVariant *
hw_config_get_value (HwConfig   *self,
                     const char *key)
{
  int i;

  g_return_val_if_fail (HW_IS_CONFIG (self), NULL);

  i = hw_config_known_index (key);
  if (i < 0)
    return NULL;

  return hw_config_effective (self, (guint) i);
}

/* The effective value if @key exists and has @type; else critical, NULL. */
static GVariant *
hw_config_get_typed (HwConfig   *self,
                     const char *key,
                     const char *type)
{
  int i = hw_config_known_index (key);

  if (i < 0)
    return NULL;
  if (!g_str_equal (builtin_keys[i].type, type))
    {
      g_critical ("Configuration key “%s” has type %s, not %s", key, builtin_keys[i].type, type);
      return NULL;
    }

  return hw_config_effective (self, (guint) i);
}

int
hw_config_get_int (HwConfig   *self,
                   const char *key)
{
  g_autoptr(GVariant) value = NULL;

  g_return_val_if_fail (HW_IS_CONFIG (self), 0);

  value = hw_config_get_typed (self, key, "i");
  return value != NULL ? g_variant_get_int32 (value) : 0;
}

gboolean
hw_config_get_boolean (HwConfig   *self,
                       const char *key)
{
  g_autoptr(GVariant) value = NULL;

  g_return_val_if_fail (HW_IS_CONFIG (self), FALSE);

  value = hw_config_get_typed (self, key, "b");
  return value != NULL ? g_variant_get_boolean (value) : FALSE;
}

char *
hw_config_dup_string (HwConfig   *self,
                      const char *key)
{
  g_autoptr(GVariant) value = NULL;

  g_return_val_if_fail (HW_IS_CONFIG (self), NULL);

  value = hw_config_get_typed (self, key, "s");
  return value != NULL ? g_variant_dup_string (value, NULL) : NULL;
}

char **
hw_config_dup_strv (HwConfig   *self,
                    const char *key)
{
  g_autoptr(GVariant) value = NULL;

  g_return_val_if_fail (HW_IS_CONFIG (self), NULL);

  value = hw_config_get_typed (self, key, "as");
  return value != NULL ? g_variant_dup_strv (value, NULL) : NULL;
}

/* ------------------------------------------------------------------ */
/* The command-line layer                                              */

static GVariant *
hw_config_cli_int (const HwConfigKeyInfo *info,
                   const char            *text,
                   GError               **error)
{
  gint64 value;

  if (!hw_config_parse_int64 (text, &value))
    {
      g_set_error (error, HW_CONFIG_ERROR, HW_CONFIG_ERROR_INVALID_VALUE,
                   _("Invalid value “%s” for %s: expected a whole number from %d to %d"),
                   text, info->name, info->min, info->max);
      return NULL;
    }
  if (value < info->min || value > info->max)
    {
      g_set_error (error, HW_CONFIG_ERROR, HW_CONFIG_ERROR_OUT_OF_RANGE,
                   _("Value %s for %s is out of range: allowed are %d to %d"),
                   text, info->name, info->min, info->max);
      return NULL;
    }

  return g_variant_new_int32 ((gint32) value);
}

static GVariant *
hw_config_cli_value (const HwConfigKeyInfo *info,
                     const char            *text,
                     GError               **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  gboolean flag;

  switch (info->type[0])
    {
    case 'i':
      return hw_config_cli_int (info, text, error);
    case 'b':
      if (hw_config_parse_boolean (stripped, &flag))
        return g_variant_new_boolean (flag);
      g_set_error (error, HW_CONFIG_ERROR, HW_CONFIG_ERROR_INVALID_VALUE,
                   _("Invalid value “%s” for %s: expected true or false"), text, info->name);
      return NULL;
    case 'a':
      return hw_config_parse_strv (info, text);
    case 's':
      if (hw_config_is_choice (info, text))
        {
          if (info->validate != NULL && !info->validate (text, error))
            return NULL;
          return g_variant_new_string (text);
        }
      {
        g_autofree char *allowed = g_strjoinv (", ", (char **) info->choices);

        g_set_error (error, HW_CONFIG_ERROR, HW_CONFIG_ERROR_INVALID_VALUE,
                     _("Invalid value “%s” for %s: expected one of %s"), text, info->name, allowed);
      }
      return NULL;
    default:
      g_set_error (error, HW_CONFIG_ERROR, HW_CONFIG_ERROR_INVALID_VALUE,
                   "%s has a type this version cannot set", info->name);
      g_return_val_if_reached (NULL);
    }
}

gboolean
hw_config_set_from_string (HwConfig    *self,
                           const char  *key,
                           const char  *text,
                           GError     **error)
{
  g_autoptr(GVariant) before = NULL;
  g_autoptr(GVariant) after = NULL;
  GVariant *value;
  int i;

  g_return_val_if_fail (HW_IS_CONFIG (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  i = hw_config_index (key);
  if (i < 0)
    {
      g_set_error (error, HW_CONFIG_ERROR, HW_CONFIG_ERROR_UNKNOWN_KEY,
                   _("Unknown setting “%s”"), key != NULL ? key : "(null)");
      return FALSE;
    }

  value = hw_config_cli_value (&builtin_keys[i], text, error);
  if (value == NULL)
    return FALSE;

  before = hw_config_effective (self, (guint) i);
  g_clear_pointer (&self->cli_values[i], g_variant_unref);
  self->cli_values[i] = g_variant_ref_sink (value);
  after = hw_config_effective (self, (guint) i);

  if (!g_variant_equal (before, after))
    g_signal_emit (self, signals[CHANGED], g_quark_from_string (key), key);

  return TRUE;
}

void
hw_config_store (HwConfig   *self,
                 const char *key,
                 GVariant   *value)
{
  g_autoptr(GVariant) owned = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaKey) schema_key = NULL;
  int i;

  g_return_if_fail (HW_IS_CONFIG (self));
  g_return_if_fail (value != NULL);

  owned = g_variant_ref_sink (value);
  i = hw_config_known_index (key);
  if (i < 0)
    return;
  if (self->settings == NULL)
    {
      g_debug ("Not storing %s: no settings schema", key);
      return;
    }

  g_object_get (self->settings, "settings-schema", &schema, NULL);
  schema_key = g_settings_schema_get_key (schema, key);
  if (!g_variant_is_of_type (owned, g_settings_schema_key_get_value_type (schema_key)) ||
      !g_settings_schema_key_range_check (schema_key, owned))
    {
      g_critical ("Refusing to store an invalid value for %s", key);
      return;
    }

  g_settings_set_value (self->settings, key, owned);
}

void
hw_config_change (HwConfig   *self,
                  const char *key,
                  GVariant   *value)
{
  g_autoptr(GVariant) owned = NULL;
  g_autoptr(GVariant) before = NULL;
  g_autoptr(GVariant) after = NULL;
  int i;

  g_return_if_fail (HW_IS_CONFIG (self));
  g_return_if_fail (value != NULL);

  owned = g_variant_ref_sink (value);
  i = hw_config_known_index (key);
  if (i < 0)
    return;

  /* Stored, the change would hide under the override and do nothing. */
  if (self->settings != NULL && self->env_values[i] == NULL && self->cli_values[i] == NULL)
    {
      hw_config_store (self, key, g_variant_ref (owned));
      return;
    }

  before = hw_config_effective (self, (guint) i);
  g_clear_pointer (&self->cli_values[i], g_variant_unref);
  self->cli_values[i] = g_variant_ref (owned);
  after = hw_config_effective (self, (guint) i);
  if (!g_variant_equal (before, after))
    g_signal_emit (self, signals[CHANGED], g_quark_from_string (key), key);
}
