/* hw-config.h: the one place that merges settings.
 *
 * Three layers, highest first: the command line, HYPERWALL_<KEY> environment
 * overrides (clamped to the key's range; an unparsable value is reported once
 * and ignored), and GSettings org.example.Hyperwall. A built-in table of every
 * key (type, default, range) stands in when the schema is not installed, so a
 * missing schema never aborts the app. "changed::KEY" is emitted whenever the
 * effective value of KEY changes (a GSettings change under no override, or a
 * new command-line value).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hw-types.h"

G_BEGIN_DECLS

#define HW_TYPE_CONFIG (hw_config_get_type ())

G_DECLARE_FINAL_TYPE (HwConfig, hw_config, HW, CONFIG, GObject)

typedef enum {
  HW_CONFIG_SOURCE_DEFAULT,
  HW_CONFIG_SOURCE_GSETTINGS,
  HW_CONFIG_SOURCE_ENVIRONMENT,
  HW_CONFIG_SOURCE_COMMAND_LINE,
} HwConfigSource;

#define HW_CONFIG_ERROR (hw_config_error_quark ())

typedef enum {
  HW_CONFIG_ERROR_UNKNOWN_KEY,
  HW_CONFIG_ERROR_INVALID_VALUE,   /* unparsable */
  HW_CONFIG_ERROR_OUT_OF_RANGE,
} HwConfigError;

GQuark          hw_config_error_quark     (void);

/* Reads the environment now and GSettings if the schema can be found (the
 * installed one, or the one compiled into the build tree). */
HwConfig       *hw_config_new             (void);

/* The command-line layer: @text parsed for @key's type (integers, booleans
 * "true/false/1/0/yes/no", strings, and comma-separated string lists).
 * Strict: an unparsable or out-of-range value is an error, nothing is set. */
gboolean        hw_config_set_from_string (HwConfig       *self,
                                           const char     *key,
                                           const char     *text,
                                           GError        **error);

/* The GSettings layer, for writing preferences (sign-in dialog). No-op
 * without a schema. */
void            hw_config_store           (HwConfig       *self,
                                           const char     *key,
                                           GVariant       *value);

/* What an operator's command changes (M, +, −): stored in GSettings,
 * unless the command line or the environment overrides @key; then the
 * command-line value is replaced, so the change takes effect anyway (and
 * lasts until the wall quits). @value must be valid for @key. */
void            hw_config_change          (HwConfig       *self,
                                           const char     *key,
                                           GVariant       *value);

gboolean        hw_config_has_key         (HwConfig       *self,
                                           const char     *key);
gboolean        hw_config_has_schema      (HwConfig       *self);
HwConfigSource  hw_config_get_source      (HwConfig       *self,
                                           const char     *key);

/* Effective values. Asking for a key that does not exist, or with the wrong
 * type, is a programming error (g_critical, then 0/NULL). */
GVariant       *hw_config_get_value       (HwConfig       *self,
                                           const char     *key);
int             hw_config_get_int         (HwConfig       *self,
                                           const char     *key);
gboolean        hw_config_get_boolean     (HwConfig       *self,
                                           const char     *key);
char           *hw_config_dup_string      (HwConfig       *self,
                                           const char     *key);
char          **hw_config_dup_strv        (HwConfig       *self,
                                           const char     *key);

/* Every key name, in schema order (NULL-terminated, static). */
const char * const *hw_config_list_keys   (void);

G_END_DECLS
