/* hw-log-limit.c: how often one source of log lines may speak.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-log-limit.h"

static gboolean
window_over (const HwLogLimit *limit,
             gint64            now_us)
{
  /* A clock that went backwards (another source's time, a test) also ends
   * the window: a limit must never stay shut. */
  return limit->window_start_us == 0 || now_us < limit->window_start_us ||
         now_us - limit->window_start_us >= limit->window_us;
}

gboolean
hw_log_limit_check (HwLogLimit *limit,
                    gint64      now_us,
                    guint      *held_back)
{
  g_return_val_if_fail (limit != NULL, TRUE);

  if (held_back != NULL)
    *held_back = 0;

  if (window_over (limit, now_us))
    {
      if (held_back != NULL)
        *held_back = limit->held_back;
      /* 0 is "no window": a clock that starts at 0 still opens one. */
      limit->window_start_us = MAX (now_us, 1);
      limit->passed = 0;
      limit->held_back = 0;
    }

  if (limit->passed < limit->burst)
    {
      limit->passed++;
      return TRUE;
    }
  if (limit->held_back < G_MAXUINT)
    limit->held_back++;
  return FALSE;
}

guint
hw_log_limit_flush (HwLogLimit *limit,
                    gint64      now_us)
{
  guint held_back;

  g_return_val_if_fail (limit != NULL, 0);

  if (limit->window_start_us == 0 || !window_over (limit, now_us))
    return 0;

  held_back = limit->held_back;
  limit->window_start_us = 0;
  limit->passed = 0;
  limit->held_back = 0;
  return held_back;
}

gint64
hw_log_limit_summary_due (const HwLogLimit *limit)
{
  g_return_val_if_fail (limit != NULL, 0);

  if (limit->held_back == 0)
    return 0;
  return limit->window_start_us + limit->window_us;
}
