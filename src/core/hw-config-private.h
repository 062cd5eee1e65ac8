/* hw-config-private.h: HwConfig internals the tests need.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hw-config.h"

G_BEGIN_DECLS

/* Checks a string key's value beyond its type; FALSE with @error set when
 * it is refused. */
typedef gboolean (*HwConfigValidator) (const char  *text,
                                       GError     **error);

/* One row of the built-in table that stands in for a missing schema. */
typedef struct {
  const char         *name;
  const char         *type;          /* GVariant type string: "s", "as", "i" or "b" */
  const char         *default_text;  /* GVariant text format */
  int                 min;           /* "i" only */
  int                 max;
  const char * const *choices;       /* "s" with <choices>, NULL-terminated; else NULL */
  HwConfigValidator   validate;      /* "s" only; NULL: any string */
} HwConfigKeyInfo;

const HwConfigKeyInfo *_hw_config_lookup_info (const char *key);

/* Like hw_config_new(), but looks for a compiled schema in
 * @build_schema_dir instead of the build tree's data/; NULL looks only in the
 * default schema source (tests use it to simulate a missing schema). */
HwConfig              *_hw_config_new_full    (const char *build_schema_dir);

G_END_DECLS
