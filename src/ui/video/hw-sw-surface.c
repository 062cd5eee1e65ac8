/* hw-sw-surface.c: mpv's software renderer on a per-cell thread
 * (hw-render-thread.h), its frames drawn by GTK.
 *
 * The thread renders into a buffer of a small pool, at the widget's pixel
 * size, and parks it as the pending frame; one main-loop callback per
 * pending frame (not per wakeup) makes it the frame the widget draws. A
 * frame that arrives before the main loop took the previous one reuses
 * that one's buffer.
 *
 * How a frame is drawn depends on GTK's renderer, chosen at realize:
 *  - cairo (what the software path sets): the buffer is in cairo's own
 *    RGB24 layout, so the snapshot paints it through a cairo image surface
 *    over the buffer, with no conversion. The surface holds a reference on
 *    the buffer until cairo lets it go;
 *  - any other (GL): a GdkMemoryTexture over the buffer (alpha set to
 *    opaque first), holding a reference until GTK drops the texture.
 * A buffer goes back to the pool when its last reference is gone; the thread
 * renders only into a free one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hw-render-thread.h"
#include "hw-sw-surface.h"
#include "hw-video-surface.h"

/* One being rendered, one pending, one drawn, one still held by GTK's last
 * frame; more would only add memory. */
#define POOL_SIZE 4
/* How long the thread waits for a buffer to come back before it gives up on
 * a frame. */
#define BUFFER_WAIT_US (20 * G_TIME_SPAN_MILLISECOND)

/* cairo's RGB24 is a native-endian 32-bit xRGB word: mpv writes it as is. */
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
#define SW_FORMAT "bgr0"
#else
#define SW_FORMAT "0rgb"
#endif

typedef struct _FramePool FramePool;

/* A frame buffer of the pool. refs is guarded by the thread's lock; the
 * pixels and their geometry change only while refs is 0. Each holder owns
 * one reference: the render thread while it renders, the pending frame, and
 * outside the thread the widget, a cairo surface or a texture — those also
 * hold a reference on the thread, so a buffer never outlives its pool. */
typedef struct {
  FramePool    *pool;
  guint         refs;
  guint8       *pixels;
  /* cairo's view of @pixels, made by the main thread the first time the
   * buffer is drawn and kept with it; see retire_frame(). */
  cairo_surface_t *surface;
  int           width;
  int           height;
  gsize         stride;
} FrameBuffer;

/* The render thread's data: it lives as long as the thread. Guarded by the
 * thread's lock but for the constants. */
struct _FramePool {
  HwRenderThread     *thread;       /* constant; not a reference */
  gboolean            opaque_alpha; /* constant: the texture path reads the padding as alpha */
  FrameBuffer         buffers[POOL_SIZE];
  FrameBuffer        *pending;      /* a finished frame not yet shown */
  gboolean            present_scheduled;
  HwSwSurfaceStats    stats;
};

struct _HwSwSurface
{
  GtkWidget     parent_instance;

  HwPlayer     *player;
  HwRenderThread *thread;           /* NULL while unrealized */
  FrameBuffer  *frame;              /* the frame drawn (a reference) */
  GPtrArray    *retired;            /* frames replaced since the last paint */
  gulong        after_paint_id;
  GdkTexture   *texture;            /* the same frame, for a GL renderer */
  gboolean      use_cairo;
  guint64       frames;
  int           width;
  int           height;
};

static void hw_sw_surface_video_surface_init (HwVideoSurfaceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HwSwSurface, hw_sw_surface, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (HW_TYPE_VIDEO_SURFACE,
                                                      hw_sw_surface_video_surface_init))

/* With the thread's last reference: every buffer held elsewhere holds one
 * too. */
static void
frame_pool_free (gpointer data)
{
  FramePool *pool = data;

  for (guint i = 0; i < POOL_SIZE; i++)
    {
      g_clear_pointer (&pool->buffers[i].surface, cairo_surface_destroy);
      free (pool->buffers[i].pixels);
    }
  g_free (pool);
}

/* Any thread. */
static FrameBuffer *
frame_buffer_ref (FrameBuffer *buffer)
{
  HwRenderThread *thread = buffer->pool->thread;

  hw_render_thread_lock (thread);
  buffer->refs++;
  hw_render_thread_unlock (thread);
  hw_render_thread_ref (thread);
  return buffer;
}

/* With the lock held: a reference that held no reference on the thread
 * (the render thread's, the pending frame's) is dropped. */
static void
frame_buffer_release_locked (FrameBuffer *buffer)
{
  /* A wall that runs for weeks logs a broken count rather than abort. */
  g_warn_if_fail (buffer->refs > 0);
  if (buffer->refs > 0 && --buffer->refs == 0)
    hw_render_thread_signal (buffer->pool->thread);
}

/* Any thread: the last reference puts @buffer back in the pool. */
static void
frame_buffer_unref (gpointer data)
{
  FrameBuffer *buffer = data;
  HwRenderThread *thread = buffer->pool->thread;

  hw_render_thread_lock (thread);
  frame_buffer_release_locked (buffer);
  hw_render_thread_unlock (thread);
  hw_render_thread_unref (thread);
}

/* Gives @buffer back to the pool. Main thread. A cairo recording that GTK
 * still holds may point at its pixels through a copy-on-write snapshot:
 * the flush detaches it, copying the pixels only if it is still there. */
static void
release_buffer (gpointer data)
{
  FrameBuffer *buffer = data;

  if (buffer->surface != NULL)
    cairo_surface_flush (buffer->surface);
  frame_buffer_unref (buffer);
}

static void
release_retired (HwSwSurface *self)
{
  g_ptr_array_set_size (self->retired, 0);
}

/* The frame just replaced, on the cairo path. The render node GTK drew it
 * with lives until the next paint; releasing the buffer now would copy
 * the frame (the snapshot's copy-on-write, a sixth of the main thread's
 * time), releasing it after the paint copies nothing. */
static void
retire_frame (HwSwSurface *self,
              FrameBuffer *buffer)
{
  /* Without paints (an unmapped window) the pool must not run dry: past
   * two, the oldest goes at once, copied if need be. */
  if (self->retired->len >= 2)
    g_ptr_array_remove_index (self->retired, 0);
  g_ptr_array_add (self->retired, buffer);
}

static void
on_after_paint (GdkFrameClock *clock,
                HwSwSurface   *self)
{
  release_retired (self);
}

static void
show_frame (HwSwSurface *self,
            FrameBuffer *buffer)
{
  FrameBuffer *old = g_steal_pointer (&self->frame);

  if (old != NULL && self->use_cairo)
    retire_frame (self, old);
  else if (old != NULL)
    frame_buffer_unref (old);
  g_clear_object (&self->texture);
  self->frame = buffer;
  /* mpv wrote new pixels behind cairo's back. Flushed when the buffer was
   * released, the surface has no snapshot that could still want the old
   * ones. */
  if (buffer->surface != NULL)
    cairo_surface_mark_dirty (buffer->surface);

  if (!self->use_cairo)
    {
      g_autoptr(GBytes) bytes =
        g_bytes_new_with_free_func (buffer->pixels, buffer->stride * buffer->height,
                                    frame_buffer_unref, frame_buffer_ref (buffer));

      self->texture = gdk_memory_texture_new (buffer->width, buffer->height,
                                              GDK_MEMORY_DEFAULT, /* = SW_FORMAT */
                                              bytes, buffer->stride);
    }
  self->frames++;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Main thread. */
static gboolean
present_frame (gpointer user_data)
{
  HwRenderThread *thread = user_data;
  FramePool *pool = hw_render_thread_get_data (thread);
  g_autoptr(GtkWidget) owner = hw_render_thread_dup_owner (thread);
  HwSwSurface *self = owner != NULL ? HW_SW_SURFACE (owner) : NULL;
  FrameBuffer *buffer;

  hw_render_thread_lock (thread);
  buffer = g_steal_pointer (&pool->pending);
  pool->present_scheduled = FALSE;
  hw_render_thread_unlock (thread);

  if (buffer == NULL)
    return G_SOURCE_REMOVE;

  if (self != NULL && self->thread == thread)
    {
      /* The pending reference becomes the widget's, which also holds the
       * thread like every reference outside the render thread. */
      hw_render_thread_ref (thread);
      show_frame (self, buffer);
    }
  else
    {
      hw_render_thread_lock (thread);
      frame_buffer_release_locked (buffer);
      hw_render_thread_unlock (thread);
    }

  return G_SOURCE_REMOVE;
}

static void
unref_thread (gpointer data)
{
  hw_render_thread_unref (data);
}

/* Called with the lock held: a buffer of @width × @height that nobody
 * else holds, with one reference for the caller, or NULL. The pending frame
 * counts as free (a newer frame replaces it). */
static FrameBuffer *
acquire_buffer (FramePool *pool,
                int        width,
                int        height)
{
  FrameBuffer *buffer = NULL;
  gint64 deadline = g_get_monotonic_time () + BUFFER_WAIT_US;

  while (buffer == NULL && !hw_render_thread_quitting (pool->thread))
    {
      FrameBuffer *any_free = NULL;

      for (guint i = 0; i < POOL_SIZE; i++)
        {
          FrameBuffer *candidate = &pool->buffers[i];

          if (candidate->refs != 0)
            continue;
          if (candidate->pixels != NULL && candidate->width == width
              && candidate->height == height)
            {
              buffer = candidate;
              break;
            }
          /* Prefer one never allocated over one of another size. */
          if (any_free == NULL || candidate->pixels == NULL)
            any_free = candidate;
        }
      if (buffer == NULL && any_free != NULL)
        {
          /* mpv's SIMD paths want 64-byte aligned rows. */
          gsize stride = ((gsize) width * 4 + 63) & ~(gsize) 63;
          guint8 *pixels = NULL;

          if (posix_memalign ((void **) &pixels, 64, stride * height) != 0)
            return NULL;
          /* Released buffers carry no cairo snapshot (release_retired()),
           * so nothing else uses the surface any more. */
          g_clear_pointer (&any_free->surface, cairo_surface_destroy);
          free (any_free->pixels);
          any_free->pixels = pixels;
          any_free->width = width;
          any_free->height = height;
          any_free->stride = stride;
          pool->stats.buffers_allocated++;
          buffer = any_free;
        }
      if (buffer == NULL && pool->pending != NULL && pool->pending->width == width
          && pool->pending->height == height)
        {
          /* Not shown yet, and about to be out of date: take it over. */
          buffer = g_steal_pointer (&pool->pending);
          pool->stats.frames_replaced++;
          return buffer;
        }
      if (buffer == NULL && !hw_render_thread_wait_until (pool->thread, deadline))
        break;
    }

  if (buffer != NULL)
    buffer->refs = 1;
  return buffer;
}

/* Called without the lock; @buffer is the caller's alone. */
static gboolean
render_into (FramePool   *pool,
             FrameBuffer *buffer)
{
  gsize stride = buffer->stride;

  if (!hw_render_thread_render (pool->thread, buffer->pixels, buffer->width, buffer->height,
                                stride, SW_FORMAT))
    return FALSE;

  /* cairo's RGB24 ignores the padding byte; a GdkMemoryTexture reads it as
   * alpha, and mpv leaves it undefined. */
  if (pool->opaque_alpha)
    for (int y = 0; y < buffer->height; y++)
      {
        guint8 *row = buffer->pixels + (gsize) y * stride;
        for (int x = 0; x < buffer->width; x++)
          row[x * 4 + (G_BYTE_ORDER == G_LITTLE_ENDIAN ? 3 : 0)] = 0xff;
      }

  return TRUE;
}

/* Called with the lock held. */
static void
publish_frame (FramePool   *pool,
               FrameBuffer *frame)
{
  if (pool->pending != NULL)
    {
      /* Never shown: its buffer is free again. */
      pool->pending->refs--;
      pool->stats.frames_replaced++;
    }
  pool->pending = frame;
  pool->stats.frames_rendered++;

  /* One main-loop callback per pending frame, not per wakeup. */
  if (!pool->present_scheduled)
    {
      pool->present_scheduled = TRUE;
      g_idle_add_full (G_PRIORITY_DEFAULT, present_frame,
                       hw_render_thread_ref (pool->thread), unref_thread);
    }
}

/* The render thread's frame: hands it to the main thread. */
static gboolean
frame_cb (HwRenderThread  *thread,
          gpointer         data,
          int              width,
          int              height,
          GError         **error)
{
  FramePool *pool = data;
  FrameBuffer *frame;

  hw_render_thread_lock (thread);
  frame = acquire_buffer (pool, width, height);
  if (frame == NULL && !hw_render_thread_quitting (thread))
    pool->stats.frames_skipped++;
  hw_render_thread_unlock (thread);

  if (frame == NULL)
    return TRUE;
  if (!render_into (pool, frame))
    {
      hw_render_thread_lock (thread);
      frame->refs--;
      hw_render_thread_unlock (thread);
      return TRUE;
    }

  hw_render_thread_lock (thread);
  if (!hw_render_thread_quitting (thread))
    publish_frame (pool, frame);
  else
    frame->refs--;
  hw_render_thread_unlock (thread);
  return TRUE;
}

static void
stop_cb (HwRenderThread *thread,
         gpointer        data)
{
  FramePool *pool = data;

  hw_render_thread_lock (thread);
  if (pool->pending != NULL)
    pool->pending->refs--;
  pool->pending = NULL;
  hw_render_thread_unlock (thread);
}

static const HwRenderThreadClass render_class = {
  .name = "hw-sw-render",
  .frame = frame_cb,
  .stop = stop_cb,
  .free_data = frame_pool_free,
};

static void
hw_sw_surface_realize (GtkWidget *widget)
{
  HwSwSurface *self = HW_SW_SURFACE (widget);
  g_autoptr(GError) error = NULL;
  FramePool *pool;

  GTK_WIDGET_CLASS (hw_sw_surface_parent_class)->realize (widget);

  if (hw_player_get_handle (self->player) == NULL)
    return;

  self->thread = hw_render_thread_new (&render_class, self->player, widget, &error);
  if (self->thread == NULL)
    {
      hw_video_surface_render_failed (HW_VIDEO_SURFACE (self), error->message);
      return;
    }

  /* The software path sets GSK_RENDERER=cairo; anything else gets textures. */
  self->use_cairo =
    GSK_IS_CAIRO_RENDERER (gtk_native_get_renderer (gtk_widget_get_native (widget)));

  pool = g_new0 (FramePool, 1);
  pool->thread = self->thread;
  pool->opaque_alpha = !self->use_cairo;
  for (guint i = 0; i < POOL_SIZE; i++)
    pool->buffers[i].pool = pool;

  if (self->use_cairo)
    self->after_paint_id = g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint",
                                             G_CALLBACK (on_after_paint), self);

  hw_render_thread_start (self->thread, pool, self->width, self->height);
}

static void
hw_sw_surface_unrealize (GtkWidget *widget)
{
  HwSwSurface *self = HW_SW_SURFACE (widget);
  HwRenderThread *thread = g_steal_pointer (&self->thread);

  if (self->after_paint_id != 0)
    g_clear_signal_handler (&self->after_paint_id, gtk_widget_get_frame_clock (widget));
  release_retired (self);
  g_clear_object (&self->texture);
  g_clear_pointer (&self->frame, release_buffer);
  if (thread != NULL)
    hw_render_thread_quit (thread);

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

  hw_render_thread_clamp_size (width * scale, height * scale, &self->width, &self->height);
  if (self->thread != NULL)
    hw_render_thread_set_size (self->thread, self->width, self->height);
}

/* The frame's rectangle in the widget: the buffer is at device pixels and
 * may be smaller than the widget (clamped), so fit it, keeping its aspect. */
static graphene_rect_t
frame_rect (HwSwSurface *self,
            int          width,
            int          height)
{
  double fit = MIN ((double) width / self->frame->width, (double) height / self->frame->height);
  double w = self->frame->width * fit;
  double h = self->frame->height * fit;

  return GRAPHENE_RECT_INIT ((width - w) / 2, (height - h) / 2, w, h);
}

static void
draw_frame_cairo (HwSwSurface           *self,
                  GtkSnapshot           *snapshot,
                  const graphene_rect_t *rect)
{
  FrameBuffer *buffer = self->frame;
  cairo_t *cr;

  /* Kept with the buffer, not made per frame: destroying it while GTK's
   * recording still points at it would copy the frame. */
  if (buffer->surface == NULL)
    buffer->surface = cairo_image_surface_create_for_data (buffer->pixels, CAIRO_FORMAT_RGB24,
                                                           buffer->width, buffer->height,
                                                           (int) buffer->stride);

  cr = gtk_snapshot_append_cairo (snapshot, rect);
  cairo_translate (cr, rect->origin.x, rect->origin.y);
  cairo_scale (cr, rect->size.width / buffer->width, rect->size.height / buffer->height);
  cairo_set_source_surface (cr, buffer->surface, 0, 0);
  /* At device pixels the transform is the identity and cairo copies; when
   * a clamped frame is stretched, bilinear is cheap and good enough. */
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_BILINEAR);
  cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
  cairo_paint (cr);
  cairo_destroy (cr);
}

static void
hw_sw_surface_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  HwSwSurface *self = HW_SW_SURFACE (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  graphene_rect_t rect;

  if (self->frame == NULL)
    {
      gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0, 0, 0, 1 },
                                 &GRAPHENE_RECT_INIT (0, 0, width, height));
      return;
    }

  rect = frame_rect (self, width, height);
  if (rect.size.width < width || rect.size.height < height)
    gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0, 0, 0, 1 },
                               &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (self->texture != NULL)
    gtk_snapshot_append_texture (snapshot, self->texture, &rect);
  else
    draw_frame_cairo (self, snapshot, &rect);
}

static void
hw_sw_surface_dispose (GObject *object)
{
  HwSwSurface *self = HW_SW_SURFACE (object);

  g_clear_pointer (&self->retired, g_ptr_array_unref);
  g_clear_object (&self->texture);
  g_clear_pointer (&self->frame, release_buffer);
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
  self->retired = g_ptr_array_new_with_free_func (release_buffer);
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

void
hw_sw_surface_get_stats (HwSwSurface      *self,
                         HwSwSurfaceStats *stats)
{
  FramePool *pool;

  g_return_if_fail (HW_IS_SW_SURFACE (self));
  g_return_if_fail (stats != NULL);

  *stats = (HwSwSurfaceStats) { 0 };
  stats->cairo = self->use_cairo;
  if (self->thread == NULL)
    return;
  pool = hw_render_thread_get_data (self->thread);
  hw_render_thread_lock (self->thread);
  *stats = pool->stats;
  hw_render_thread_unlock (self->thread);
  stats->cairo = self->use_cairo;
  stats->pool_size = POOL_SIZE;
  if (self->frame != NULL)
    {
      stats->frame_width = self->frame->width;
      stats->frame_height = self->frame->height;
    }
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
