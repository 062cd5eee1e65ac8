/* hw-video-surface.h: where a cell's video is drawn.
 *
 * Two implementations with the same life cycle: the render context is
 * created on realize and freed on unrealize (GL: with the context current),
 * always before the player's handle is destroyed.
 *  - HwGlSurface (hw-gl-surface.h): a GtkGLArea with mpv's OpenGL render
 *    API, for real GPUs;
 *  - HwSwSurface (hw-sw-surface.h): mpv's software render API on a per-cell
 *    thread, frames handed to GTK to draw, for machines without a GPU;
 *  - HwX11Surface (hw-x11-surface.h): the same renderer, frames put in an X
 *    child window by the render thread, for X11 machines without a GPU.
 * All emit "render-failed" (a message) when they cannot draw; the cell
 * then falls back to the software surface.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hw-player.h"
#include "hw-renderer.h"

G_BEGIN_DECLS

#define HW_TYPE_VIDEO_SURFACE (hw_video_surface_get_type ())

G_DECLARE_INTERFACE (HwVideoSurface, hw_video_surface, HW, VIDEO_SURFACE, GtkWidget)

struct _HwVideoSurfaceInterface
{
  GTypeInterface parent_iface;

  guint64    (*get_frames)   (HwVideoSurface *self);
  HwRenderer (*get_renderer) (HwVideoSurface *self);
};

/* A surface of @renderer (GL, SOFTWARE or X11) drawing @player. */
HwVideoSurface *hw_video_surface_new          (HwRenderer      renderer,
                                               HwPlayer       *player);
/* Frames shown since creation: lets tests and benchmarks see that pixels
 * flow without reading them back. */
guint64         hw_video_surface_get_frames   (HwVideoSurface *self);
/* Which path this surface is: the software one has nothing to fall back to. */
HwRenderer      hw_video_surface_get_renderer (HwVideoSurface *self);

/* For implementations: emits "render-failed" with @message. */
void            hw_video_surface_render_failed (HwVideoSurface *self,
                                                const char     *message);

G_END_DECLS
