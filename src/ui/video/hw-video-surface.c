/* hw-video-surface.c: the HwVideoSurface interface.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-gl-surface.h"
#include "hw-sw-surface.h"
#include "hw-video-surface.h"
#include "hw-x11-surface.h"

G_DEFINE_INTERFACE (HwVideoSurface, hw_video_surface, GTK_TYPE_WIDGET)

enum {
  RENDER_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
hw_video_surface_default_init (HwVideoSurfaceInterface *iface)
{
  /* (const char *message) */
  signals[RENDER_FAILED] = g_signal_new ("render-failed", G_TYPE_FROM_INTERFACE (iface),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, G_TYPE_STRING);
}

HwVideoSurface *
hw_video_surface_new (HwRenderer  renderer,
                      HwPlayer   *player)
{
  g_return_val_if_fail (HW_IS_PLAYER (player), NULL);
  g_return_val_if_fail (renderer != HW_RENDERER_AUTO, NULL);

  if (renderer == HW_RENDERER_GL)
    return HW_VIDEO_SURFACE (hw_gl_surface_new (player));
  if (renderer == HW_RENDERER_X11)
    return HW_VIDEO_SURFACE (hw_x11_surface_new (player));
  return HW_VIDEO_SURFACE (hw_sw_surface_new (player));
}

guint64
hw_video_surface_get_frames (HwVideoSurface *self)
{
  g_return_val_if_fail (HW_IS_VIDEO_SURFACE (self), 0);
  return HW_VIDEO_SURFACE_GET_IFACE (self)->get_frames (self);
}

HwRenderer
hw_video_surface_get_renderer (HwVideoSurface *self)
{
  g_return_val_if_fail (HW_IS_VIDEO_SURFACE (self), HW_RENDERER_AUTO);
  return HW_VIDEO_SURFACE_GET_IFACE (self)->get_renderer (self);
}

void
hw_video_surface_render_failed (HwVideoSurface *self,
                                const char     *message)
{
  g_return_if_fail (HW_IS_VIDEO_SURFACE (self));
  g_signal_emit (self, signals[RENDER_FAILED], 0, message);
}
