/* hw-wall-rules.h: the rules that look at the whole wall rather than one
 * cell (rules 5, 8 and 9 in docs/reliability.md): many cells failing at
 * once, a cell's watchdog gone quiet, and the cache budget's split.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "hw-units.h"

G_BEGIN_DECLS

/* Systemic failure (rule 5): most of the wall failing together is the
 * server, not the media. */

#define HW_SYSTEMIC_MAX_CELLS 64

typedef struct {
  gint64 last_failure_us[HW_SYSTEMIC_MAX_CELLS];
} HwSystemicDetector;

void     hw_systemic_detector_init   (HwSystemicDetector *detector);
/* Records a failure of @cell; TRUE when at least three cells, and more than
 * half of the @n_cells, failed within @window_us of @now_us. */
gboolean hw_systemic_detector_record (HwSystemicDetector *detector,
                                      guint               cell,
                                      guint               n_cells,
                                      gint64              window_us,
                                      gint64              now_us);
void     hw_systemic_detector_clear  (HwSystemicDetector *detector);

/* Heartbeats (rule 9) */

/* The controller checks its cells' watchdogs periodically; what it needs
 * to remember is when the main loop last came back from standing still. */
typedef struct {
  gint64 last_check_us;    /* the previous check, 0 before the first */
  gint64 resumed_us;       /* when the loop last came back from a gap, 0 never */
} HwHeartbeat;

void     hw_heartbeat_init       (HwHeartbeat       *heartbeat);
/* Call at every check, meant to come every @period_us: a check more than
 * two periods late marks a main-loop gap ending at @now_us. */
void     hw_heartbeat_check_loop (HwHeartbeat       *heartbeat,
                                  gint64             period_us,
                                  gint64             now_us);
/* TRUE when a watchdog whose period is @interval_us has not ticked for so
 * long while the main loop ran that it must be wedged (more than 5
 * periods, at least 5 s). Time in a main-loop gap is not held against it:
 * every watchdog stands still then. */
gboolean hw_heartbeat_is_stale   (const HwHeartbeat *heartbeat,
                                  gint64             last_tick_us,
                                  gint64             interval_us,
                                  gint64             now_us);

/* Cache budget (rule 8) */

#define HW_CACHE_FLOOR_BYTES (32 * HW_MIB)

typedef struct {
  guint64 per_cell_bytes;       /* the cell's whole share */
  guint64 forward_bytes;        /* demuxer-max-bytes: 3/4 of the share */
  guint64 back_bytes;           /* demuxer-max-back-bytes: the rest */
} HwCacheSplit;

/* share = min(cap, budget / cells), at least 32 MiB unless 32 MiB × cells
 * would exceed the budget, then budget / cells. cells == 0 gives zeros. */
HwCacheSplit hw_cache_split (guint64 budget_bytes,
                             guint64 per_cell_cap_bytes,
                             guint   n_cells);

/* The split by area: cell i weighs @weights[i] (the grid squares it
 * covers) and gets that many shares, each cell capped at the cap and at
 * least 32 MiB unless 32 MiB × cells would exceed the budget; the total
 * never does. The shares are as large as the budget allows: what a capped
 * cell cannot take goes to the others. All weights 1 is hw_cache_split()
 * exactly. A weight of 0 counts as 1. Fills @splits[0 .. n_cells - 1]. */
void         hw_cache_split_weighted (guint64       budget_bytes,
                                      guint64       per_cell_cap_bytes,
                                      const guint  *weights,
                                      guint         n_cells,
                                      HwCacheSplit *splits);

G_END_DECLS
