/* ui-test-util.c: waiting on the main loop in GTK tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ui-test-util.h"

void
ui_test_spin (gint64 duration_us)
{
  gint64 end = g_get_monotonic_time () + duration_us;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

gboolean
ui_test_wait_for_frames (HwCell  *cell,
                         guint64  frames,
                         gint64   timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  while (hw_cell_get_frames (cell) < frames && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
  return hw_cell_get_frames (cell) >= frames;
}
