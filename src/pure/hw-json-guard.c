/* hw-json-guard.c: the nesting and dialect check before json-glib.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-json-guard.h"

/* Outside strings, strict JSON has only structure, whitespace and the
 * characters of numbers, true, false and null. Anything else ('/', '\'',
 * '#', a control character, a byte of UTF-8) is either an error json-glib
 * would report anyway or one of its extensions, whose contents the count
 * below would misread. */
static gboolean
is_plain (guchar c)
{
  return g_ascii_isalnum (c) || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
         c == ',' || c == ':' || c == '-' || c == '+' || c == '.';
}

HwJsonGuardResult
hw_json_guard_check (const char *data,
                     gsize       length,
                     guint       max_depth)
{
  const guchar *p = (const guchar *) data;
  gboolean in_string = FALSE;
  guint depth = 0;
  gsize i = 0;

  if (data == NULL)
    return length == 0 ? HW_JSON_GUARD_OK : HW_JSON_GUARD_NOT_STRICT;

  if (length >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
    i = 3;

  for (; i < length; i++)
    {
      guchar c = p[i];

      if (c == '\0')
        return HW_JSON_GUARD_NOT_STRICT;   /* json-glib would stop reading there */

      if (in_string)
        {
          /* An escape covers the next byte whatever it is; \u0022 and
           * octal forms hold no quote byte, so one byte is enough. */
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      switch (c)
        {
        case '"':
          in_string = TRUE;
          break;
        case '[':
        case '{':
          if (++depth > max_depth)
            return HW_JSON_GUARD_TOO_DEEP;
          break;
        case ']':
        case '}':
          if (depth == 0)
            return HW_JSON_GUARD_UNBALANCED;
          depth--;
          break;
        default:
          if (!is_plain (c))
            return HW_JSON_GUARD_NOT_STRICT;
          break;
        }
    }

  return HW_JSON_GUARD_OK;
}

const char *
hw_json_guard_describe (HwJsonGuardResult result)
{
  switch (result)
    {
    case HW_JSON_GUARD_OK:
      return "acceptable";
    case HW_JSON_GUARD_TOO_DEEP:
      return "nested deeper than allowed";
    case HW_JSON_GUARD_NOT_STRICT:
      return "not strict JSON (a comment, a single quote or a stray byte)";
    case HW_JSON_GUARD_UNBALANCED:
      return "unbalanced (a closing bracket with nothing open)";
    default:
      return "unusable";
    }
}
