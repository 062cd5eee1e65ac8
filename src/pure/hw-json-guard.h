/* hw-json-guard.h: what a JSON text from outside must pass before json-glib
 * sees it.
 *
 * json-glib parses recursively, so deep nesting overflows the stack: a few
 * hundred kilobytes of "[" crash the process. The nesting is counted here,
 * in one pass over the bytes, and json-glib's extensions to JSON (comments,
 * single-quoted strings) are refused rather than understood: with them the
 * count could be fooled (a comment holding "]]]", a single-quoted string
 * holding a double quote), and neither Emby nor Jellyfin sends them.
 * Every place that parses JSON from a server or a socket calls
 * hw_json_guard_check () first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Emby's deepest replies nest about ten levels; json-glib needs far less
 * stack than this allows on any thread. */
#define HW_JSON_MAX_DEPTH 64

typedef enum {
  HW_JSON_GUARD_OK,
  HW_JSON_GUARD_TOO_DEEP,       /* more than @max_depth open arrays and objects */
  HW_JSON_GUARD_NOT_STRICT,     /* a comment, a single quote, a stray byte or NUL */
  HW_JSON_GUARD_UNBALANCED,     /* a closing bracket with nothing open */
} HwJsonGuardResult;

/* Scans @length bytes of @data (NUL bytes included; a leading UTF-8 byte
 * order mark is skipped). Only a text that passes may go to json-glib;
 * passing says nothing about whether it is valid JSON. */
HwJsonGuardResult hw_json_guard_check    (const char        *data,
                                          gsize              length,
                                          guint              max_depth);

/* A short English phrase for a log line or an error text, e.g. "nested
 * deeper than allowed". */
const char       *hw_json_guard_describe (HwJsonGuardResult  result);

G_END_DECLS
