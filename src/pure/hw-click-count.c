/* hw-click-count.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hw-click-count.h"

guint
hw_click_count_press (HwClickCount *state, gconstpointer target, guint32 time_ms,
                      guint max_interval_ms)
{
  /* Unsigned subtraction keeps the interval right across a wrap. */
  guint32 interval = time_ms - state->time_ms;

  if (state->target != NULL && state->target == target && interval <= max_interval_ms)
    state->count++;
  else
    state->count = 1;

  state->target = target;
  state->time_ms = time_ms;
  return state->count;
}
