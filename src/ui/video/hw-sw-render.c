/* hw-sw-render.c: mpv's software render API for the render threads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <gio/gio.h>

#include "hw-sw-render.h"

mpv_render_context *
hw_sw_render_new (HwPlayer  *player,
                  GError   **error)
{
  mpv_handle *mpv = hw_player_get_handle (player);
  mpv_render_param params[] = {
    { MPV_RENDER_PARAM_API_TYPE, (void *) MPV_RENDER_API_TYPE_SW },
    { MPV_RENDER_PARAM_INVALID, NULL },
  };
  mpv_render_context *render = NULL;
  int rc;

  if (mpv == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "the player has no mpv handle");
      return NULL;
    }
  rc = mpv_render_context_create (&render, mpv, params);
  if (rc < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "software render context: %s",
                   mpv_error_string (rc));
      return NULL;
    }
  return render;
}

gboolean
hw_sw_render_frame (mpv_render_context *render,
                    guint8             *pixels,
                    int                 width,
                    int                 height,
                    gsize               stride,
                    const char         *format)
{
  int size[2] = { width, height };
  mpv_render_param params[] = {
    { MPV_RENDER_PARAM_SW_SIZE, size },
    { MPV_RENDER_PARAM_SW_FORMAT, (void *) format },
    { MPV_RENDER_PARAM_SW_STRIDE, &stride },
    { MPV_RENDER_PARAM_SW_POINTER, pixels },
    { MPV_RENDER_PARAM_INVALID, NULL },
  };

  return mpv_render_context_render (render, params) >= 0;
}

static gboolean
release_player_idle (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

void
hw_sw_render_finish (mpv_render_context **render,
                     HwPlayer           **player)
{
  if (*render != NULL)
    {
      mpv_render_context_set_update_callback (*render, NULL, NULL);
      g_clear_pointer (render, mpv_render_context_free);
    }
  /* An idle's destroy notify runs on the main thread. */
  if (*player != NULL)
    g_idle_add_full (G_PRIORITY_DEFAULT, release_player_idle, g_steal_pointer (player),
                     g_object_unref);
}
