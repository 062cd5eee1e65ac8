/* hw-backoff.c: how long to wait before trying again, and with what.
 *
 * Delays double so that a failure that persists costs less and less, and
 * carry jitter so that cells that failed together do not retry together
 * on a server that is just coming back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <math.h>

#include "hw-backoff.h"

gint64
hw_backoff_jitter (gint64 base_us,
                   double unit)
{
  double scaled;

  if (isnan (unit))
    unit = 0.0;
  unit = CLAMP (unit, -1.0, 1.0);

  scaled = (double) base_us * (1.0 + 0.25 * unit);
  if (scaled >= (double) G_MAXINT64)
    return G_MAXINT64;

  return (gint64) llround (scaled);
}

gint64
hw_backoff_delay (guint  attempt,
                  gint64 initial_us,
                  gint64 max_us,
                  double unit)
{
  gint64 delay_us = MAX (initial_us, 0);

  /* Doubling stops at the cap, so a large attempt never overflows. */
  for (guint i = 0; i < attempt && delay_us > 0 && delay_us < max_us; i++)
    delay_us = delay_us > max_us / 2 ? max_us : delay_us * 2;

  delay_us = MIN (delay_us, max_us);

  return hw_backoff_jitter (delay_us, unit);
}

/* The number of failures after which an item is given up. */
#define HW_ESCALATION_SKIP_AT 4

HwEscalationStep
hw_escalation_step (guint    failures,
                    gboolean has_fallback,
                    gint64   initial_us,
                    gint64   max_us,
                    double   unit)
{
  HwEscalationStep step = { FALSE, HW_STREAM_DIRECT, 0 };

  failures = MAX (failures, 1);

  if (failures >= HW_ESCALATION_SKIP_AT)
    {
      step.skip = TRUE;
      return step;
    }

  /* Failure 1 retries the direct stream once: most failures are a blip.
   * Later retries take the transcode, which survives bad containers and
   * proxies that break range requests. */
  if (failures >= 2 && has_fallback)
    step.stream = HW_STREAM_FALLBACK;

  step.delay_us = hw_backoff_delay (failures - 1, initial_us, max_us, unit);

  return step;
}
