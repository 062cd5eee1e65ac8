/* hw-log-limit.h: how often one source of log lines may speak.
 *
 * A wall runs unattended for months, and its journal is what an operator
 * reads afterwards: a corrupt clip or a flood of remote commands must not
 * bury everything else. Each source (a cell's mpv module, a kind of remote
 * command, bad socket messages) gets its own limit: @burst lines per
 * window, then silence, and the number held back is said once the window
 * is over ("… 312 more in the last minute").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gint64 window_us;       /* how long a window lasts */
  guint  burst;           /* lines a window lets through */
  gint64 window_start_us; /* 0: no window open */
  guint  passed;          /* lines let through in the open window */
  guint  held_back;       /* lines held back in the open window */
} HwLogLimit;

#define HW_LOG_LIMIT_INIT(window_us, burst) { (window_us), (burst), 0, 0, 0 }

/* A line from the source at @now_us: TRUE when it should be logged. A
 * line after the window is over opens a new one; *@held_back (optional)
 * gets the number held back in the window before, for the caller to say in
 * its line (0 when none). */
gboolean hw_log_limit_check        (HwLogLimit *limit,
                                    gint64      now_us,
                                    guint      *held_back);
/* At or after the end of the window (a caller's timer): the number held
 * back in it, which the caller logs as a summary, and the limit starts
 * afresh. 0, with nothing changed, while the window is still open. */
guint    hw_log_limit_flush        (HwLogLimit *limit,
                                    gint64      now_us);
/* When the open window ends, for a timer that flushes it; 0 when no line
 * is held back (nothing to summarize). */
gint64   hw_log_limit_summary_due  (const HwLogLimit *limit);

G_END_DECLS
