/* hw-log-throttle.h: log lines limited per source, with a summary.
 *
 * Each source, named by a label ("cell 2: mpv ffmpeg/video", "Remote
 * control: Playstate PlayPause"), may log @burst lines a minute
 * (hw-log-limit.h); a minute with lines held back ends with one line
 * "<label>: 312 more in the last minute" from a timer, so a flood that
 * stops is still told in full. The caller keeps the labels to a small set:
 * past 256 of them, new ones share one limit.
 *
 * Main thread only: summaries come from the default main context.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _HwLogThrottle HwLogThrottle;

HwLogThrottle *hw_log_throttle_new   (guint          burst);
void           hw_log_throttle_free  (HwLogThrottle *self);
/* A line from @label now: TRUE when the caller should log it. */
gboolean       hw_log_throttle_allow (HwLogThrottle *self,
                                      const char    *label);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HwLogThrottle, hw_log_throttle_free)

G_END_DECLS
