/* hw-sw-render.h: mpv's software render API, as the software and x11
 * surfaces both use it from a render thread of their own.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <mpv/render.h>

#include "hw-player.h"

G_BEGIN_DECLS

/* A software render context on @player's handle, or NULL with @error set.
 * Main thread, at realize. */
mpv_render_context *hw_sw_render_new    (HwPlayer            *player,
                                         GError             **error);
/* Renders the current frame into @pixels, @width × @height in mpv's
 * @format ("bgr0", "bgra", ...) with rows @stride bytes apart; blocks until
 * the frame's display time. FALSE when mpv rendered nothing. */
gboolean            hw_sw_render_frame  (mpv_render_context  *render,
                                         guint8              *pixels,
                                         int                  width,
                                         int                  height,
                                         gsize                stride,
                                         const char          *format);
/* On the render thread, once it is done: frees *@render (mpv waits for
 * its video output there, never on the main thread), then drops
 * *@player on the main loop, where a player's dispose belongs. */
void                hw_sw_render_finish (mpv_render_context **render,
                                         HwPlayer           **player);

G_END_DECLS
