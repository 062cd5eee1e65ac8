/* hw-workers.h: the threads that tear mpv down, counted so that shutdown
 * can wait for them.
 *
 * mpv_terminate_destroy and the software renderer's loop run on threads
 * of their own, so the main loop never waits for mpv. At exit they are
 * joined, within a bound: a process that returns from main() while they
 * still run may unload what they execute.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Starts @func (@data) on a new thread that is counted until it returns. */
void     hw_workers_spawn (const char  *name,
                           GThreadFunc  func,
                           gpointer     data);
/* Threads started by hw_workers_spawn() that have not returned yet. */
guint    hw_workers_running (void);
/* Waits until none runs, at most until @deadline_us (monotonic); TRUE if
 * none runs. Main-loop callbacks are not dispatched meanwhile. */
gboolean hw_workers_wait    (gint64 deadline_us);

G_END_DECLS
