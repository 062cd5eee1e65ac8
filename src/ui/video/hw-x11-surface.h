/* hw-x11-surface.h: mpv's software renderer shown in an X child window
 * (an HwVideoSurface for X11 machines without a GPU).
 *
 * The software surface hands each frame to GTK, which composites it into
 * the window and copies the window to the X server on the main thread.
 * This one puts each frame straight into an X window of its own from its
 * render thread, as `mpv --vo=x11` does; GTK draws only what lies over
 * the video (hw-video-cover.h), and the main thread does nothing per frame.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hw-player.h"

G_BEGIN_DECLS

#define HW_TYPE_X11_SURFACE (hw_x11_surface_get_type ())

G_DECLARE_FINAL_TYPE (HwX11Surface, hw_x11_surface, HW, X11_SURFACE, GtkWidget)

/* Whether @display can have X11 surfaces: an X11 display whose server has
 * what the output needs (hw_x11_output_probe()). Probed once. */
gboolean   hw_x11_surface_supported (GdkDisplay  *display,
                                     GError     **error);
GtkWidget *hw_x11_surface_new       (HwPlayer   *player);

G_END_DECLS
