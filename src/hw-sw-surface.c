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

#include "hw-video-surface.h"

#define MAX_WIDTH  1920
#define MAX_HEIGHT 1080

struct _HwSwSurface
{
  GtkWidget           parent_instance;

  HwPlayer           *player;
  mpv_render_context *render;
  GThread            *thread;
  GdkTexture         *texture;
  guint64             frames;

  /* Shared with the render thread, under lock. */
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
};

G_DEFINE_FINAL_TYPE (HwSwSurface, hw_sw_surface, GTK_TYPE_WIDGET)

enum {
  RENDER_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
present_frame (gpointer user_data)
{
  HwSwSurface *self = user_data;
  g_autoptr(GBytes) bytes = NULL;
  int width, height;
  gsize stride;

  g_mutex_lock (&self->lock);
  bytes = g_steal_pointer (&self->pending);
  width = self->pending_width;
  height = self->pending_height;
  stride = self->pending_stride;
  self->present_scheduled = FALSE;
  g_mutex_unlock (&self->lock);

  if (bytes == NULL)
    return G_SOURCE_REMOVE;

  g_clear_object (&self->texture);
  self->texture = gdk_memory_texture_new (width, height, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED,
                                          bytes, stride);
  self->frames++;
  gtk_widget_queue_draw (GTK_WIDGET (self));

  return G_SOURCE_REMOVE;
}

/* Runs on an mpv thread. */
static void
update_cb (void *data)
{
  HwSwSurface *self = data;

  g_mutex_lock (&self->lock);
  self->update = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

static GBytes *
render_frame (HwSwSurface *self,
              int          width,
              int          height,
              gsize       *out_stride)
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

  if (mpv_render_context_render (self->render, params) < 0)
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

static gpointer
render_thread (gpointer data)
{
  HwSwSurface *self = data;

  g_mutex_lock (&self->lock);
  while (!self->quit)
    {
      gboolean resized;
      int width, height;
      guint64 flags;
      g_autoptr(GBytes) frame = NULL;
      gsize stride = 0;

      while (!self->quit && !self->update && !self->resized)
        g_cond_wait (&self->cond, &self->lock);
      if (self->quit)
        break;

      resized = self->resized;
      self->update = FALSE;
      self->resized = FALSE;
      width = self->width;
      height = self->height;
      g_mutex_unlock (&self->lock);

      flags = mpv_render_context_update (self->render);
      if (((flags & MPV_RENDER_UPDATE_FRAME) || resized) && width > 0 && height > 0)
        frame = render_frame (self, width, height, &stride);

      g_mutex_lock (&self->lock);
      if (frame != NULL && !self->quit)
        {
          g_clear_pointer (&self->pending, g_bytes_unref);
          self->pending = g_steal_pointer (&frame);
          self->pending_width = width;
          self->pending_height = height;
          self->pending_stride = stride;
          if (!self->present_scheduled)
            {
              self->present_scheduled = TRUE;
              g_idle_add_full (G_PRIORITY_DEFAULT, present_frame,
                                          g_object_ref (self), g_object_unref);
            }
        }
    }
  g_mutex_unlock (&self->lock);

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
  int rc;

  GTK_WIDGET_CLASS (hw_sw_surface_parent_class)->realize (widget);

  if (mpv == NULL)
    return;

  rc = mpv_render_context_create (&self->render, mpv, params);
  if (rc < 0)
    {
      g_autofree char *message = g_strdup_printf ("software render context: %s",
                                                  mpv_error_string (rc));
      self->render = NULL;
      g_signal_emit (self, signals[RENDER_FAILED], 0, message);
      return;
    }

  self->quit = FALSE;
  mpv_render_context_set_update_callback (self->render, update_cb, self);
  self->thread = g_thread_new ("hw-sw-render", render_thread, self);
}

static void
hw_sw_surface_unrealize (GtkWidget *widget)
{
  HwSwSurface *self = HW_SW_SURFACE (widget);

  if (self->render != NULL)
    {
      mpv_render_context_set_update_callback (self->render, NULL, NULL);

      g_mutex_lock (&self->lock);
      self->quit = TRUE;
      g_cond_signal (&self->cond);
      g_mutex_unlock (&self->lock);

      g_clear_pointer (&self->thread, g_thread_join);
      g_clear_pointer (&self->render, mpv_render_context_free);
    }

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->pending, g_bytes_unref);
  g_mutex_unlock (&self->lock);

  GTK_WIDGET_CLASS (hw_sw_surface_parent_class)->unrealize (widget);
}

static void
hw_sw_surface_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  HwSwSurface *self = HW_SW_SURFACE (widget);
  int scale = gtk_widget_get_scale_factor (widget);

  g_mutex_lock (&self->lock);
  self->width = MIN (width * scale, MAX_WIDTH);
  self->height = MIN (height * scale, MAX_HEIGHT);
  self->resized = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
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
  HwSwSurface *self = HW_SW_SURFACE (object);

  g_clear_pointer (&self->pending, g_bytes_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

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

  signals[RENDER_FAILED] = g_signal_new ("render-failed", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
hw_sw_surface_init (HwSwSurface *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
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

guint64
_hw_sw_surface_get_frames (HwSwSurface *self)
{
  return self->frames;
}
