/* hw-renderer.h: choosing between the GL and software video paths.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum {
  HW_RENDERER_AUTO,
  HW_RENDERER_GL,
  HW_RENDERER_SOFTWARE,
  HW_RENDERER_X11,
} HwRenderer;

HwRenderer  hw_renderer_from_string (const char *name);
const char *hw_renderer_to_string   (HwRenderer  renderer);
/* What can be told without a display or a GL context (and so before any
 * thread runs): SOFTWARE when GL can only be a software rasterizer
 * (LIBGL_ALWAYS_SOFTWARE, GALLIUM_DRIVER=llvmpipe, or no GPU device node),
 * else AUTO: a probe must decide. */
HwRenderer hw_renderer_guess       (void);
/* For "auto": GL only when GL realizes and is not a software rasterizer
 * (llvmpipe, softpipe, swrast): without a GPU the GL path drops frames.
 * When hw_renderer_guess() already says SOFTWARE, no GL context is made.
 * Without GL, an X11 display gets the X11 output (hw-x11-surface.h), which
 * costs far less than drawing frames through GTK; others get SOFTWARE. */
HwRenderer hw_renderer_resolve     (HwRenderer  requested,
                                    GdkDisplay *display);

G_END_DECLS
