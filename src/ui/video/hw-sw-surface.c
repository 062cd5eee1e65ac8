/* hw-sw-surface.c: mpv's software renderer on a per-cell thread.
 *
 * mpv_render_context_render() for the software API blocks about one frame,
 * so it never runs on the main thread. The thread renders into a fresh
 * buffer at the widget's pixel size and parks it as the pending frame; one
 * main-loop callback per pending frame (not per wakeup) turns it into a
 * texture. Frames that arrive faster than the main loop takes them replace
 * each other.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <mpv/render.h>

#include "hw-sw-surface.h"
#include "hw-video-surface.h"
#include "hw-workers.h"

#define MAX_WIDTH  1920
#define MAX_HEIGHT 1080

/* Everything the render thread touches. Reference counted, because the
 * thread outlives the widget: it frees the render context itself, so the
 * main thread never waits for mpv to tear down its video output. */
typedef struct {
  gatomicrefcount     ref;
  GMutex              lock;
  GCond               cond;
  gboolean            quit;
  gboolean            update;       /* mpv said a frame may be ready */
  gboolean            resized;
  int                 width;
  int                 height;
  GBytes             *pending;      /* a finished frame not yet shown */
  int                 pending_width;
  int                 pending_height;
  gsize               pending_stride;
  gboolean            present_scheduled;
  mpv_render_context *render;       /* owned by the thread once it runs */
  HwPlayer           *player;       /* kept until the render context is freed */
  GWeakRef            surface;
} RenderShared;

struct _HwSwSurface
{
  GtkWidget     parent_instance;

  HwPlayer     *player;
  RenderShared *shared;             /* NULL while unrealized */
  GdkTexture   *texture;
  guint64       frames;
  int           width;
  int           height;
};

static void hw_sw_surface_video_surface_init (HwVideoSurfaceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HwSwSurface, hw_sw_surface, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (HW_TYPE_VIDEO_SURFACE,
                                                      hw_sw_surface_video_surface_init))

static RenderShared *
render_shared_ref (RenderShared *shared)
{
  g_atomic_ref_count_inc (&shared->ref);
  return shared;
}

static void
render_shared_unref (gpointer data)
{
  RenderShared *shared = data;

  if (!g_atomic_ref_count_dec (&shared->ref))
    return;

  g_clear_pointer (&shared->pending, g_bytes_unref);
  g_clear_object (&shared->player);
  g_weak_ref_clear (&shared->surface);
  g_mutex_clear (&shared->lock);
  g_cond_clear (&shared->cond);
  g_free (shared);
}

static void
show_texture (HwSwSurface *self,
              GBytes      *bytes,
              int          width,
              int          height,
              gsize        stride)
{
  g_clear_object (&self->texture);
  self->texture = gdk_memory_texture_new (width, height, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED,
                                          bytes, stride);
  self->frames++;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
present_frame (gpointer user_data)
{
  RenderShared *shared = user_data;
  g_autoptr(HwSwSurface) self = g_weak_ref_get (&shared->surface);
  g_autoptr(GBytes) bytes = NULL;
  int width, height;
  gsize stride;

  g_mutex_lock (&shared->lock);
  bytes = g_steal_pointer (&shared->pending);
  width = shared->pending_width;
  height = shared->pending_height;
  stride = shared->pending_stride;
  shared->present_scheduled = FALSE;
  g_mutex_unlock (&shared->lock);

  if (bytes != NULL && self != NULL && self->shared == shared)
    show_texture (self, bytes, width, height, stride);

  return G_SOURCE_REMOVE;
}

/* Runs on an mpv thread. */
static void
update_cb (void *data)
{
  RenderShared *shared = data;

  g_mutex_lock (&shared->lock);
  shared->update = TRUE;
  g_cond_signal (&shared->cond);
  g_mutex_unlock (&shared->lock);
}

static GBytes *
render_frame (mpv_render_context *render,
              int                 width,
              int                 height,
              gsize              *out_stride)
{
  /* mpv's SIMD paths want 64-byte aligned rows. */
  gsize stride = ((gsize) width * 4 + 63) & ~(gsize) 63;
  int size[2] = { width, height };
  guint8 *pixels = NULL;
  mpv_render_param params[] = {
    { MPV_RENDER_PARAM_SW_SIZE, size },
    { MPV_RENDER_PARAM_SW_FORMAT, (void *) "bgr0" },
    { MPV_RENDER_PARAM_SW_STRIDE, &stride },
    { MPV_RENDER_PARAM_SW_POINTER, NULL },
    { MPV_RENDER_PARAM_INVALID, NULL },
  };

  if (posix_memalign ((void **) &pixels, 64, stride * height) != 0)
    return NULL;
  params[3].data = pixels;

  if (mpv_render_context_render (render, params) < 0)
    {
      free (pixels);
      return NULL;
    }

  /* The padding byte is undefined; GDK reads it as alpha. */
  for (int y = 0; y < height; y++)
    {
      guint8 *row = pixels + (gsize) y * stride;
      for (int x = 0; x < width; x++)
        row[x * 4 + 3] = 0xff;
    }

  *out_stride = stride;
  return g_bytes_new_with_free_func (pixels, stride * height, free, pixels);
}

/* Called with the lock held. */
static void
publish_frame (RenderShared *shared,
               GBytes       *frame,
               int           width,
               int           height,
               gsize         stride)
{
  g_clear_pointer (&shared->pending, g_bytes_unref);
  shared->pending = frame;
  shared->pending_width = width;
  shared->pending_height = height;
  shared->pending_stride = stride;

  /* One main-loop callback per pending frame, not per wakeup. */
  if (!shared->present_scheduled)
    {
      shared->present_scheduled = TRUE;
      g_idle_add_full (G_PRIORITY_DEFAULT, present_frame,
                       render_shared_ref (shared), render_shared_unref);
    }
}

static gboolean
release_player_idle (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

static gpointer
render_thread (gpointer data)
{
  RenderShared *shared = data;

  g_mutex_lock (&shared->lock);
  while (!shared->quit)
    {
      gboolean resized;
      int width, height;
      guint64 flags;
      GBytes *frame = NULL;
      gsize stride = 0;

      while (!shared->quit && !shared->update && !shared->resized)
        g_cond_wait (&shared->cond, &shared->lock);
      if (shared->quit)
        break;

      resized = shared->resized;
      shared->update = FALSE;
      shared->resized = FALSE;
      width = shared->width;
      height = shared->height;
      g_mutex_unlock (&shared->lock);

      flags = mpv_render_context_update (shared->render);
      if (((flags & MPV_RENDER_UPDATE_FRAME) || resized) && width > 0 && height > 0)
        frame = render_frame (shared->render, width, height, &stride);

      g_mutex_lock (&shared->lock);
      if (frame != NULL && !shared->quit)
        publish_frame (shared, frame, width, height, stride);
      else if (frame != NULL)
        g_bytes_unref (frame);
    }
  g_mutex_unlock (&shared->lock);

  /* Tear down here, off the main thread: freeing the render context waits
   * for mpv's video output, and only after it may the handle go. The
   * player itself is the main thread's: this may be its last reference,
   * and its dispose belongs on the main loop, so the reference is dropped
   * there (an idle's destroy notify runs on the main thread). */
  mpv_render_context_set_update_callback (shared->render, NULL, NULL);
  g_clear_pointer (&shared->render, mpv_render_context_free);
  g_idle_add_full (G_PRIORITY_DEFAULT, release_player_idle,
                   g_steal_pointer (&shared->player), g_object_unref);
  render_shared_unref (shared);

  return NULL;
}

static void
hw_sw_surface_realize (GtkWidget *widget)
{
  HwSwSurface *self = HW_SW_SURFACE (widget);
  mpv_handle *mpv = hw_player_get_handle (self->player);
  mpv_render_param params[] = {
    { MPV_RENDER_PARAM_API_TYPE, (void *) MPV_RENDER_API_TYPE_SW },
    { MPV_RENDER_PARAM_INVALID, NULL },
  };
  mpv_render_context *render = NULL;
  RenderShared *shared;
  int rc;

  GTK_WIDGET_CLASS (hw_sw_surface_parent_class)->realize (widget);

  if (mpv == NULL)
    return;

  rc = mpv_render_context_create (&render, mpv, params);
  if (rc < 0)
    {
      g_autofree char *message = g_strdup_printf ("software render context: %s",
                                                  mpv_error_string (rc));
      hw_video_surface_render_failed (HW_VIDEO_SURFACE (self), message);
      return;
    }

  shared = g_new0 (RenderShared, 1);
  g_atomic_ref_count_init (&shared->ref);
  g_mutex_init (&shared->lock);
  g_cond_init (&shared->cond);
  g_weak_ref_init (&shared->surface, self);
  shared->render = render;
  shared->player = g_object_ref (self->player);
  shared->width = self->width;
  shared->height = self->height;
  shared->resized = TRUE;
  self->shared = shared;

  mpv_render_context_set_update_callback (render, update_cb, shared);
  /* The thread holds the second reference and drops it when done. It is
   * counted, so that shutdown can wait for it (hw-workers.h). */
  hw_workers_spawn ("hw-sw-render", render_thread, render_shared_ref (shared));
}

static void
hw_sw_surface_unrealize (GtkWidget *widget)
{
  HwSwSurface *self = HW_SW_SURFACE (widget);
  RenderShared *shared = g_steal_pointer (&self->shared);

  if (shared != NULL)
    {
      g_mutex_lock (&shared->lock);
      shared->quit = TRUE;
      g_cond_signal (&shared->cond);
      g_mutex_unlock (&shared->lock);
      render_shared_unref (shared);
    }

  GTK_WIDGET_CLASS (hw_sw_surface_parent_class)->unrealize (widget);
}

/* Frames larger than MAX_WIDTH × MAX_HEIGHT are rendered smaller and
 * scaled up by GTK: both sides shrink by the same factor, so the picture
 * keeps its shape. */
void
hw_sw_surface_clamp_size (int  width,
                          int  height,
                          int *out_width,
                          int *out_height)
{
  double factor = 1.0;

  if (width <= 0 || height <= 0)
    {
      *out_width = MAX (width, 0);
      *out_height = MAX (height, 0);
      return;
    }

  if (width > MAX_WIDTH)
    factor = MIN (factor, (double) MAX_WIDTH / width);
  if (height > MAX_HEIGHT)
    factor = MIN (factor, (double) MAX_HEIGHT / height);

  *out_width = CLAMP ((int) (width * factor + 0.5), 1, MAX_WIDTH);
  *out_height = CLAMP ((int) (height * factor + 0.5), 1, MAX_HEIGHT);
}

static void
hw_sw_surface_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  HwSwSurface *self = HW_SW_SURFACE (widget);
  int scale = gtk_widget_get_scale_factor (widget);

  hw_sw_surface_clamp_size (width * scale, height * scale, &self->width, &self->height);
  if (self->shared == NULL)
    return;

  g_mutex_lock (&self->shared->lock);
  self->shared->width = self->width;
  self->shared->height = self->height;
  self->shared->resized = TRUE;
  g_cond_signal (&self->shared->cond);
  g_mutex_unlock (&self->shared->lock);
}

static void
hw_sw_surface_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  HwSwSurface *self = HW_SW_SURFACE (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (self->texture == NULL)
    {
      gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0, 0, 0, 1 },
                                 &GRAPHENE_RECT_INIT (0, 0, width, height));
      return;
    }

  gtk_snapshot_append_texture (snapshot, self->texture,
                               &GRAPHENE_RECT_INIT (0, 0, width, height));
}

static void
hw_sw_surface_dispose (GObject *object)
{
  HwSwSurface *self = HW_SW_SURFACE (object);

  g_clear_object (&self->texture);
  g_clear_object (&self->player);

  G_OBJECT_CLASS (hw_sw_surface_parent_class)->dispose (object);
}

static void
hw_sw_surface_finalize (GObject *object)
{
  G_OBJECT_CLASS (hw_sw_surface_parent_class)->finalize (object);
}

static void
hw_sw_surface_class_init (HwSwSurfaceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hw_sw_surface_dispose;
  object_class->finalize = hw_sw_surface_finalize;
  widget_class->realize = hw_sw_surface_realize;
  widget_class->unrealize = hw_sw_surface_unrealize;
  widget_class->size_allocate = hw_sw_surface_size_allocate;
  widget_class->snapshot = hw_sw_surface_snapshot;
}

static void
hw_sw_surface_init (HwSwSurface *self)
{
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
}

GtkWidget *
hw_sw_surface_new (HwPlayer *player)
{
  HwSwSurface *self = g_object_new (HW_TYPE_SW_SURFACE, NULL);

  self->player = g_object_ref (player);
  return GTK_WIDGET (self);
}

static guint64
hw_sw_surface_get_frames (HwVideoSurface *surface)
{
  return HW_SW_SURFACE (surface)->frames;
}

static HwRenderer
hw_sw_surface_get_renderer (HwVideoSurface *surface)
{
  return HW_RENDERER_SOFTWARE;
}

static void
hw_sw_surface_video_surface_init (HwVideoSurfaceInterface *iface)
{
  iface->get_frames = hw_sw_surface_get_frames;
  iface->get_renderer = hw_sw_surface_get_renderer;
}
