/* fuzz-common.h: what every libFuzzer target here shares.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

int LLVMFuzzerInitialize   (int           *argc,
                            char        ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

#include <stdio.h>
#include <stdlib.h>

/* A critical is a broken precondition: as much a finding as a crash.
 * abort (), not GLib's breakpoint trap, so that libFuzzer keeps the input. */
static inline void
fuzz_common_log (const char     *domain,
                 GLogLevelFlags  level,
                 const char     *message,
                 gpointer        user_data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      fprintf (stderr, "%s: %s\n", domain ? domain : "(none)", message);
      if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
        abort ();
    }
}

static inline void
fuzz_common_init (void)
{
  g_log_set_default_handler (fuzz_common_log, NULL);
}
