/* hw-click-count.h: single and double clicks, judged by the input's own
 * timestamps.
 *
 * GTK counts presses with a main-loop timer: on a wall whose CPU is
 * oversubscribed, the main loop can reach the second press of a double
 * click after that timer has already reset the count, and the double click
 * reads as two single ones. The timestamps the display server put on the
 * presses do not depend on when the main loop reads them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gconstpointer target;  /* what the last press hit, NULL before any */
  guint32       time_ms; /* its timestamp */
  guint         count;
} HwClickCount;

/* A press on @target at @time_ms (the event's timestamp, which wraps
 * around after 49 days); @max_interval_ms is the double-click time. Returns
 * the press's count: 1 for a single click, 2 for the second of a double
 * click, and so on. A press on another target starts again at 1. */
guint hw_click_count_press (HwClickCount *state, gconstpointer target, guint32 time_ms,
                            guint max_interval_ms);

G_END_DECLS
