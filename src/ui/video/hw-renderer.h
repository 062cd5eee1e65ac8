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
} HwRenderer;

HwRenderer hw_renderer_from_string (const char *name);
/* For "auto": GL only when GL realizes and is not a software rasterizer
 * (llvmpipe, softpipe, swrast): without a GPU the GL path drops frames. */
HwRenderer hw_renderer_resolve     (HwRenderer  requested,
                                    GdkDisplay *display);

G_END_DECLS
