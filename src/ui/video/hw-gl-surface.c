/* hw-gl-surface.c: mpv's OpenGL render API in a GtkGLArea.
 *
 * Teardown order matters (docs/architecture.md): make the context current, clear the
 * update callback, free the render context — and only later may the player
 * destroy its handle; the reverse aborts inside mpv.
 *
 * Freeing a render context while mpv still plays into it waits for mpv to
 * tear its video output down: 230 ms on the main thread, measured, every
 * time a cell goes. The GL context must be current, so the free cannot
 * move to another thread; instead it waits. An unrealized surface whose
 * player still plays "retires" its render context: it keeps a reference
 * to the GL context and frees the render context once the player is idle
 * (its owner stops it right after releasing it), where the free takes
 * 0.2 ms, or after RETIRE_TIMEOUT_MS at the latest.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <epoxy/gl.h>
#include <epoxy/egl.h>
#include <epoxy/glx.h>
#include <gdk/x11/gdkx.h>
#include <mpv/render_gl.h>

#include "hw-gl-surface.h"
#include "hw-video-surface.h"

struct _HwGlSurface
{
  GtkGLArea           parent_instance;

  HwPlayer           *player;
  mpv_render_context *render;
  gint                render_pending;
  guint64             frames;
};

static void hw_gl_surface_video_surface_init (HwVideoSurfaceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HwGlSurface, hw_gl_surface, GTK_TYPE_GL_AREA,
                               G_IMPLEMENT_INTERFACE (HW_TYPE_VIDEO_SURFACE,
                                                      hw_gl_surface_video_surface_init))

static gboolean use_glx;

#define RETIRE_TIMEOUT_MS 2000

/* A render context waiting for its player to let go of the video output.
 * Main thread only. */
typedef struct {
  GdkGLContext       *context;
  mpv_render_context *render;
  HwPlayer           *player;
  gulong              idle_handler;
  guint               timeout_id;
} Retired;

static GQueue retired = G_QUEUE_INIT;

static void
free_render_context (GdkGLContext       *context,
                     mpv_render_context *render)
{
  gint64 start = g_get_monotonic_time ();

  if (context != NULL)
    gdk_gl_context_make_current (context);
  mpv_render_context_free (render);
  g_debug ("GL render context freed in %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
}

static void
retired_free (Retired *r)
{
  g_queue_remove (&retired, r);
  free_render_context (r->context, r->render);
  gdk_gl_context_clear_current ();
  g_clear_signal_handler (&r->idle_handler, r->player);
  g_clear_handle_id (&r->timeout_id, g_source_remove);
  g_object_unref (r->context);
  /* Only now may the player's handle go. */
  g_object_unref (r->player);
  g_free (r);
}

static void
on_retired_player_idle (HwPlayer   *player,
                        GParamSpec *pspec,
                        Retired    *r)
{
  if (hw_player_get_idle (player))
    retired_free (r);
}

static gboolean
on_retired_timeout (gpointer user_data)
{
  Retired *r = user_data;

  r->timeout_id = 0;
  g_debug ("Player not idle after %d ms; freeing its GL render context anyway",
           RETIRE_TIMEOUT_MS);
  retired_free (r);
  return G_SOURCE_REMOVE;
}

static void
retire (GdkGLContext       *context,
        mpv_render_context *render,
        HwPlayer           *player)
{
  Retired *r = g_new0 (Retired, 1);

  r->context = g_object_ref (context);
  r->render = render;
  r->player = g_object_ref (player);
  r->idle_handler = g_signal_connect (player, "notify::idle",
                                      G_CALLBACK (on_retired_player_idle), r);
  r->timeout_id = g_timeout_add (RETIRE_TIMEOUT_MS, on_retired_timeout, r);
  g_queue_push_tail (&retired, r);
}

/* mpv allows one render context per handle: a surface realized again for
 * the same player frees the retired one first, whatever it costs. */
static void
free_retired_of (HwPlayer *player)
{
  for (GList *l = retired.head; l != NULL;)
    {
      Retired *r = l->data;

      l = l->next;
      if (r->player == player)
        retired_free (r);
    }
}

void
hw_gl_surface_finish_retired (gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  while (retired.length > 0 && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (5000);
  while (retired.length > 0)
    retired_free (retired.head->data);
}

static void *
get_proc_address (void       *ctx,
                  const char *name)
{
  if (use_glx)
    return (void *) glXGetProcAddressARB ((const GLubyte *) name);
  return (void *) eglGetProcAddress (name);
}

static gboolean
queue_render_idle (gpointer user_data)
{
  HwGlSurface *self = user_data;

  g_atomic_int_set (&self->render_pending, 0);
  if (self->render != NULL)
    gtk_gl_area_queue_render (GTK_GL_AREA (self));

  return G_SOURCE_REMOVE;
}

/* Runs on an mpv thread: one main-loop callback per burst. */
static void
update_cb (void *data)
{
  HwGlSurface *self = data;

  if (g_atomic_int_compare_and_exchange (&self->render_pending, 0, 1))
    g_idle_add_full (G_PRIORITY_DEFAULT, queue_render_idle,
                                g_object_ref (self), g_object_unref);
}

static void
fail (HwGlSurface *self,
      const char  *message)
{
  g_message ("OpenGL video output unavailable (%s); using the software renderer", message);
  hw_video_surface_render_failed (HW_VIDEO_SURFACE (self), message);
}

static void
hw_gl_surface_realize (GtkWidget *widget)
{
  HwGlSurface *self = HW_GL_SURFACE (widget);
  GdkDisplay *display = gtk_widget_get_display (widget);
  mpv_handle *mpv = hw_player_get_handle (self->player);
  mpv_opengl_init_params gl_init = { get_proc_address, NULL };
  mpv_render_param params[] = {
    { MPV_RENDER_PARAM_API_TYPE, (void *) MPV_RENDER_API_TYPE_OPENGL },
    { MPV_RENDER_PARAM_OPENGL_INIT_PARAMS, &gl_init },
    { MPV_RENDER_PARAM_INVALID, NULL },
  };
  GError *error;
  int rc;

  GTK_WIDGET_CLASS (hw_gl_surface_parent_class)->realize (widget);

  error = gtk_gl_area_get_error (GTK_GL_AREA (self));
  if (error != NULL)
    {
      fail (self, error->message);
      return;
    }
  if (mpv == NULL)
    return;

  use_glx = GDK_IS_X11_DISPLAY (display) && gdk_x11_display_get_egl_display (display) == NULL;

  free_retired_of (self->player);

  gtk_gl_area_make_current (GTK_GL_AREA (self));
  rc = mpv_render_context_create (&self->render, mpv, params);
  if (rc < 0)
    {
      self->render = NULL;
      fail (self, mpv_error_string (rc));
      return;
    }

  mpv_render_context_set_update_callback (self->render, update_cb, self);
}

static void
hw_gl_surface_unrealize (GtkWidget *widget)
{
  HwGlSurface *self = HW_GL_SURFACE (widget);

  if (self->render != NULL)
    {
      GdkGLContext *context = gtk_gl_area_get_context (GTK_GL_AREA (self));

      gtk_gl_area_make_current (GTK_GL_AREA (self));
      mpv_render_context_set_update_callback (self->render, NULL, NULL);
      if (context != NULL && !hw_player_get_idle (self->player) &&
          hw_player_get_handle (self->player) != NULL)
        retire (context, g_steal_pointer (&self->render), self->player);
      else
        free_render_context (context, g_steal_pointer (&self->render));
    }

  GTK_WIDGET_CLASS (hw_gl_surface_parent_class)->unrealize (widget);
}

static gboolean
hw_gl_surface_render (GtkGLArea    *area,
                      GdkGLContext *context)
{
  HwGlSurface *self = HW_GL_SURFACE (area);
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (area));
  GLint fbo = 0;
  int flip_y = 1;
  mpv_opengl_fbo target;
  mpv_render_param params[] = {
    { MPV_RENDER_PARAM_OPENGL_FBO, &target },
    { MPV_RENDER_PARAM_FLIP_Y, &flip_y },
    { MPV_RENDER_PARAM_INVALID, NULL },
  };

  if (self->render == NULL)
    {
      glClearColor (0, 0, 0, 1);
      glClear (GL_COLOR_BUFFER_BIT);
      return TRUE;
    }

  glGetIntegerv (GL_DRAW_FRAMEBUFFER_BINDING, &fbo);
  target = (mpv_opengl_fbo) {
    .fbo = fbo,
    .w = gtk_widget_get_width (GTK_WIDGET (area)) * scale,
    .h = gtk_widget_get_height (GTK_WIDGET (area)) * scale,
    .internal_format = 0,
  };

  mpv_render_context_render (self->render, params);
  self->frames++;

  return TRUE;
}

static void
hw_gl_surface_dispose (GObject *object)
{
  HwGlSurface *self = HW_GL_SURFACE (object);

  g_clear_object (&self->player);

  G_OBJECT_CLASS (hw_gl_surface_parent_class)->dispose (object);
}

static void
hw_gl_surface_class_init (HwGlSurfaceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkGLAreaClass *area_class = GTK_GL_AREA_CLASS (klass);

  object_class->dispose = hw_gl_surface_dispose;
  widget_class->realize = hw_gl_surface_realize;
  widget_class->unrealize = hw_gl_surface_unrealize;
  area_class->render = hw_gl_surface_render;
}

static void
hw_gl_surface_init (HwGlSurface *self)
{
  gtk_gl_area_set_auto_render (GTK_GL_AREA (self), FALSE);
  gtk_gl_area_set_has_depth_buffer (GTK_GL_AREA (self), FALSE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
}

GtkWidget *
hw_gl_surface_new (HwPlayer *player)
{
  HwGlSurface *self = g_object_new (HW_TYPE_GL_SURFACE, NULL);

  self->player = g_object_ref (player);
  return GTK_WIDGET (self);
}

static guint64
hw_gl_surface_get_frames (HwVideoSurface *surface)
{
  return HW_GL_SURFACE (surface)->frames;
}

static HwRenderer
hw_gl_surface_get_renderer (HwVideoSurface *surface)
{
  return HW_RENDERER_GL;
}

static void
hw_gl_surface_video_surface_init (HwVideoSurfaceInterface *iface)
{
  iface->get_frames = hw_gl_surface_get_frames;
  iface->get_renderer = hw_gl_surface_get_renderer;
}
