/* hw-video-surface.h: where a cell's video is drawn.
 *
 * Two implementations with the same life cycle: the render context is
 * created on realize and freed on unrealize (GL: with the context current),
 * always before the player's handle is destroyed.
 *  - HwGlSurface: a GtkGLArea with mpv's OpenGL render API (for real GPUs);
 *  - HwSwSurface: mpv's software render API on a per-cell thread, frames
 *    handed to the main thread as GdkMemoryTextures (for software GL).
 * Both emit "render-failed" (a message) when they cannot draw; the cell
 * then falls back to the software surface.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hw-player.h"

G_BEGIN_DECLS

#define HW_TYPE_GL_SURFACE (hw_gl_surface_get_type ())
G_DECLARE_FINAL_TYPE (HwGlSurface, hw_gl_surface, HW, GL_SURFACE, GtkGLArea)

GtkWidget *hw_gl_surface_new (HwPlayer *player);

#define HW_TYPE_SW_SURFACE (hw_sw_surface_get_type ())
G_DECLARE_FINAL_TYPE (HwSwSurface, hw_sw_surface, HW, SW_SURFACE, GtkWidget)

GtkWidget *hw_sw_surface_new (HwPlayer *player);

/* Frames shown since creation (both kinds): lets tests and benchmarks see
 * that pixels flow without reading them back. */
guint64    hw_video_surface_get_frames (GtkWidget *surface);

/* Private to the surfaces; use hw_video_surface_get_frames(). */
guint64    _hw_gl_surface_get_frames (HwGlSurface *self);
guint64    _hw_sw_surface_get_frames (HwSwSurface *self);

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
