/* hw-loop-monitor.h: how long the main loop went without turning.
 *
 * A source that is never ready notes when the loop leaves its poll and when
 * it comes back to prepare the next one: the time between is a gap, the
 * loop busy and deaf to everything else. Anything that blocks the main loop
 * (a synchronous call, a slow free, a long redraw) shows as one; time spent
 * waiting for something to happen does not, so watching costs no wakeups
 * (a process stopped by a signal while it waited shows no gap either). Every
 * watchdog, the status file and the service manager's ping share that loop
 * (docs/reliability.md, rule 12); the status file reports the gaps so
 * benchmarks and monitoring can see a frozen wall.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Gaps at least this long are kept, with the time they ended. */
#define HW_LOOP_MONITOR_KEEP_MS   50
#define HW_LOOP_MONITOR_KEPT      64

typedef struct _HwLoopMonitor HwLoopMonitor;

/* Starts watching the thread-default main context. */
HwLoopMonitor *hw_loop_monitor_new        (void);
void           hw_loop_monitor_free       (HwLoopMonitor *self);
/* The loop comes back to prepare its next poll at @now_us (monotonic) and
 * @real_us (wall clock): the time since it last turned is a gap. Also for
 * tests. */
void           hw_loop_monitor_note       (HwLoopMonitor *self,
                                           gint64         now_us,
                                           gint64         real_us);
/* The longest gap so far, in milliseconds. */
double         hw_loop_monitor_get_max_ms (HwLoopMonitor *self);
/* Adds "main_loop": {"max_gap_ms": …, "gaps": [[time, ms], …]} to the
 * object being built: the longest gap since start, and the last kept gaps
 * (≥ HW_LOOP_MONITOR_KEEP_MS), oldest first, each with the wall-clock time
 * (seconds, as the status file's "time") at which it ended. */
void           hw_loop_monitor_add_status (HwLoopMonitor *self,
                                           JsonBuilder   *builder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HwLoopMonitor, hw_loop_monitor_free)

G_END_DECLS
