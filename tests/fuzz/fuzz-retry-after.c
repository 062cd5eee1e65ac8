/* fuzz-retry-after.c: a Retry-After header, delta seconds or an HTTP date
 * in any of its three forms, as the server sends it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "hw-emby-request.h"
#include "hw-http-status.h"

static GDateTime *now;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_common_init ();
  /* A fixed "now": the same input always gives the same answer. */
  now = g_date_time_new_utc (2026, 12, 1, 12, 0, 0);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* A header value is a C string to libsoup: cut at the first NUL. */
  g_autofree char *value = g_strndup ((const char *) data, size);
  gint64 seconds = hw_emby_parse_retry_after (value, now);
  gint64 wait = hw_retry_after_wait (seconds, 60);

  /* Delta seconds are read as given but never past a year. */
  if (value[0] != '\0' && strspn (value, "0123456789") == strlen (value))
    g_assert (seconds >= 0 && seconds <= G_GINT64_CONSTANT (86400) * 365);
  g_assert (wait >= 0 && wait <= 60);
  return 0;
}
