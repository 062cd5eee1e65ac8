/* hw-backoff.h: retry delays and the escalation chain (rules 2, 3 and 5 in
 * docs/reliability.md).
 *
 * Randomness comes in as an argument (a jitter unit in [-1, 1] the caller
 * drew), so that cells never retry in lockstep in production and tests see
 * exact delays.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @base_us scaled by (1 + 0.25 * @unit), @unit clamped to [-1, 1]. */
gint64 hw_backoff_jitter (gint64 base_us,
                          double unit);

/* Exponential: initial * 2^attempt, capped at @max_us, then jittered.
 * attempt 0 gives about @initial_us. Used by the server gate (2 s → 30 s). */
gint64 hw_backoff_delay  (guint  attempt,
                          gint64 initial_us,
                          gint64 max_us,
                          double unit);

typedef enum {
  HW_STREAM_DIRECT,
  HW_STREAM_FALLBACK,          /* the transcode */
} HwStreamKind;

typedef struct {
  gboolean     skip;           /* the chain is exhausted: move on to the next item */
  HwStreamKind stream;         /* what to load when the delay has passed */
  gint64       delay_us;       /* jittered */
} HwEscalationStep;

/* After the @failures-th failure of one item (1-based): failure 1 → direct
 * after initial (2 s); 2 → fallback after 2×initial (4 s); 3 → fallback after
 * 4×initial (8 s); 4 → skip. Delays capped at @max_us. Without a fallback
 * every retry is direct. */
HwEscalationStep hw_escalation_step (guint    failures,
                                     gboolean has_fallback,
                                     gint64   initial_us,
                                     gint64   max_us,
                                     double   unit);

G_END_DECLS
