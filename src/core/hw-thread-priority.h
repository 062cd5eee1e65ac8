/* hw-thread-priority.h: background threads yield to the main loop.
 *
 * A wall easily asks more of the CPU than it has: a 3×3 wall on two cores
 * runs dozens of decoder, demuxer and render threads. The kernel shares
 * the CPU fairly between threads, so the main thread — input, cards, the
 * watchdog, painting — got one share among dozens and the main loop stood
 * still for 50–250 ms at a time. Every thread that only feeds it runs at
 * HW_THREAD_BACKGROUND_NICE: the main thread then weighs about three times
 * as much as any one of them, and the frames they make are painted in time.
 *
 * On Linux a nice value belongs to a thread, and a new thread inherits its
 * creator's: a thread that lowers itself first lowers everything it starts
 * (mpv's core thread, and with it all of mpv's). Raising a priority again
 * needs a privilege a wall does not have, so the main thread never lowers
 * itself. Elsewhere these calls do nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Added to the process's nice value for background threads. */
#define HW_THREAD_BACKGROUND_NICE 5

/* Lowers the calling thread (and whatever it starts from now on) to the
 * background priority; never raises it. Call it first thing in a thread. */
void hw_thread_priority_lower_current (void);

/* The calling thread's nice value, or 0 where threads have none. */
int hw_thread_priority_get_current (void);

/* Runs @func (@data) on a short-lived background thread, waits for it, and
 * returns what it returned: threads @func starts are background threads. */
gpointer hw_thread_priority_call_lowered (GThreadFunc func, gpointer data);

G_END_DECLS
