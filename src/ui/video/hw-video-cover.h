/* hw-video-cover.h: widgets drawn over video, for outputs that draw video
 * outside GTK's drawing.
 *
 * The X11 output (hw-x11-surface.h) shows each cell's frames in an X child
 * window, which the X server keeps above everything GTK draws in the
 * toplevel. So that a card, a title, the focus ring or the banner still
 * shows, each such widget is marked here, and the output cuts the region
 * they cover out of its window's shape: GTK's drawing shows through there.
 * Outputs drawn by GTK ignore the marks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Marks @widget as drawn over video. With @edge 0 it covers its whole
 * bounds; with @edge > 0 only a frame that wide along the inside of its
 * bounds (a ring), grown by @outset outside them. Shown while it is
 * drawable and hw_video_cover_set_shown() left it shown (the default). */
void            hw_video_cover_mark      (GtkWidget *widget,
                                          int        edge,
                                          int        outset);
/* For marked widgets that stay visible while invisible to the eye (a CSS
 * opacity of 0, a transparent border). */
void            hw_video_cover_set_shown (GtkWidget *widget,
                                          gboolean   shown);
/* What marked widgets of @target's window cover of @target, in @target's
 * device pixels (its size times @scale), clipped to @target. */
cairo_region_t *hw_video_cover_collect   (GtkWidget *target,
                                          int        scale);

G_END_DECLS
