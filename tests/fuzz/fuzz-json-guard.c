/* fuzz-json-guard.c: whatever passes the guard, json-glib parses without
 * nesting deeper than the guard allowed.
 *
 * The first byte picks the depth limit; the rest is the text. A text that
 * passes and parses must not be deeper than the limit: if it were, the
 * guard and json-glib would read the bytes differently, which is how a
 * dialect trick gets nesting past the count.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <json-glib/json-glib.h>

#include "fuzz-common.h"
#include "hw-json-guard.h"

static guint
depth_of (JsonNode *node)
{
  guint deepest = 0;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        deepest = MAX (deepest, depth_of (json_array_get_element (array, i)));
      return deepest + 1;
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, NULL, &member))
        deepest = MAX (deepest, depth_of (member));
      return deepest + 1;
    }
  return 0;
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_common_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JsonParser) parser = NULL;
  const char *text;
  guint max_depth;
  gsize length;

  if (size == 0)
    return 0;
  max_depth = data[0] % (HW_JSON_MAX_DEPTH + 1);
  text = (const char *) data + 1;
  length = size - 1;

  if (hw_json_guard_check (text, length, max_depth) != HW_JSON_GUARD_OK)
    return 0;

  parser = json_parser_new_immutable ();
  if (json_parser_load_from_data (parser, text, (gssize) length, NULL) &&
      json_parser_get_root (parser) != NULL)
    {
      guint depth = depth_of (json_parser_get_root (parser));

      if (depth > max_depth)
        g_critical ("the guard passed a text json-glib reads %u levels deep (limit %u)", depth,
                 max_depth);
    }
  return 0;
}
