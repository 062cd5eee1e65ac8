/* hw-spec-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include "hw-spec-error.h"

/* The text may be anything an operator or a fuzzer typed: it is made valid
 * UTF-8 and cut at a character boundary, so the message showing it is. */
static void
copy_token (char       *dest,
            const char *text,
            gssize      length)
{
  g_autofree char *valid = NULL;
  gsize size;

  dest[0] = '\0';
  if (text == NULL)
    return;

  valid = g_utf8_make_valid (text, length);
  size = strlen (valid);
  if (size >= HW_SPEC_TOKEN_MAX)
    {
      /* Room for "…" (3 bytes) and the terminator. */
      const char *end = g_utf8_find_prev_char (valid, valid + HW_SPEC_TOKEN_MAX - 3);

      size = end != NULL ? (gsize) (end - valid) : 0;
      memcpy (dest, valid, size);
      memcpy (dest + size, "…", sizeof "…");
      return;
    }
  memcpy (dest, valid, size + 1);
}

void
hw_spec_error_set (HwSpecError     *error,
                   HwSpecErrorCode  code,
                   const char      *token,
                   gssize           token_length,
                   const char      *other)
{
  if (error == NULL)
    return;

  error->code = code;
  copy_token (error->token, token, token_length);
  copy_token (error->other, other, -1);
}

void
hw_spec_error_clear (HwSpecError *error)
{
  if (error != NULL)
    hw_spec_error_set (error, HW_SPEC_OK, NULL, 0, NULL);
}
