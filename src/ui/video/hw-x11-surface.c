/* hw-x11-surface.c: mpv's software renderer shown in an X child window.
 *
 * The widget's half runs on the main thread: after each paint it works out
 * where the widget is in the toplevel's X window and what covers it, and
 * hands that to the render thread (hw-render-thread.h). The render thread
 * owns everything X (hw-x11-output.h): it renders a frame when mpv says one
 * is ready, or when the server lost the window's pixels, and puts it on
 * screen. It sleeps in poll() on its wakeups and the X connection, so a
 * paused cell costs nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "hw-render-thread.h"
#include "hw-video-cover.h"
#include "hw-video-surface.h"
#include "hw-x11-output.h"
#include "hw-x11-surface.h"

/* A native-endian 32-bit (A)RGB word, as the X server takes it. */
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
#define SW_FORMAT    "bgr0"
#define ALPHA_FORMAT "bgra"
#else
#define SW_FORMAT    "0rgb"
#define ALPHA_FORMAT "argb"
#endif

/* The render thread's data: it lives as long as the thread. */
typedef struct {
  char                 *display_name;  /* constant */
  guint32               parent;        /* constant: the toplevel's X window */
  /* Guarded by the thread's lock. */
  gboolean              reconfigure;
  cairo_rectangle_int_t geometry;      /* the window, in the toplevel */
  gboolean              mapped;
  cairo_region_t       *holes;
  guint64               frames;
  /* The render thread's alone. */
  HwX11Output          *output;
} X11Shared;

struct _HwX11Surface
{
  GtkWidget             parent_instance;

  HwPlayer             *player;
  HwRenderThread       *thread;        /* NULL while unrealized */
  gulong                after_paint_id;
  int                   width;
  int                   height;
  cairo_rectangle_int_t geometry;      /* as last handed to the thread */
  gboolean              mapped;
  cairo_region_t       *holes;
};

static void hw_x11_surface_video_surface_init (HwVideoSurfaceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HwX11Surface, hw_x11_surface, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (HW_TYPE_VIDEO_SURFACE,
                                                      hw_x11_surface_video_surface_init))

static void
x11_shared_free (gpointer data)
{
  X11Shared *shared = data;

  g_clear_pointer (&shared->holes, cairo_region_destroy);
  g_free (shared->display_name);
  g_free (shared);
}

/* ------------------------------------------------------------------ */
/* The render thread                                                   */

/* In an ARGB window (GTK's toplevels are) the padding byte is alpha, and a
 * transparent pixel is what a compositing manager would show. mpv, asked
 * for ALPHA_FORMAT, makes every pixel of the picture opaque but clears the
 * borders around it (letterboxing) to 0: whole rows at the top and bottom,
 * whole columns at the sides. Only those are made opaque here; setting
 * every pixel cost 5 % of the wall's CPU. */
static inline gboolean
opaque (const guint8 *pixels,
        gsize         stride,
        int           x,
        int           y)
{
  return ((const guint32 *) (pixels + (gsize) y * stride))[x] >> 24 == 0xff;
}

static void
fill_alpha (guint8 *pixels,
            gsize   stride,
            int     x0,
            int     y0,
            int     x1,
            int     y1)
{
  for (int y = y0; y < y1; y++)
    {
      guint32 *row = (guint32 *) (pixels + (gsize) y * stride);

      for (int x = x0; x < x1; x++)
        row[x] |= 0xff000000u;
    }
}

static void
make_borders_opaque (guint8 *pixels,
                     int     width,
                     int     height,
                     gsize   stride)
{
  int top = 0, bottom = height, left = 0, right = width;

  while (top < height && !opaque (pixels, stride, width / 2, top))
    top++;
  while (bottom > top && !opaque (pixels, stride, width / 2, bottom - 1))
    bottom--;
  if (top == height)
    {
      /* Nothing shown yet: all of it. */
      fill_alpha (pixels, stride, 0, 0, width, height);
      return;
    }
  while (left < width && !opaque (pixels, stride, left, (top + bottom) / 2))
    left++;
  while (right > left && !opaque (pixels, stride, right - 1, (top + bottom) / 2))
    right--;

  fill_alpha (pixels, stride, 0, 0, width, top);
  fill_alpha (pixels, stride, 0, bottom, width, height);
  fill_alpha (pixels, stride, 0, top, left, bottom);
  fill_alpha (pixels, stride, right, top, width, bottom);
}

static gboolean
start_cb (HwRenderThread  *thread,
          gpointer         data,
          GError         **error)
{
  X11Shared *shared = data;

  shared->output = hw_x11_output_new (shared->display_name, shared->parent, error);
  if (shared->output == NULL)
    g_prefix_error (error, "X11 output: ");
  return shared->output != NULL;
}

static int
get_fd_cb (gpointer data)
{
  X11Shared *shared = data;

  return hw_x11_output_get_fd (shared->output);
}

static gboolean
dispatch_cb (gpointer   data,
             gboolean  *redraw,
             GError   **error)
{
  X11Shared *shared = data;

  if (!hw_x11_output_is_alive (shared->output))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE,
                   "X11 output: the connection to the X server broke");
      return FALSE;
    }
  *redraw = hw_x11_output_dispatch (shared->output);
  return TRUE;
}

static void
sync_cb (HwRenderThread *thread,
         gpointer        data)
{
  X11Shared *shared = data;
  cairo_region_t *holes = NULL;
  cairo_rectangle_int_t geometry;
  gboolean reconfigure, mapped;

  hw_render_thread_lock (thread);
  reconfigure = shared->reconfigure;
  shared->reconfigure = FALSE;
  geometry = shared->geometry;
  mapped = shared->mapped;
  if (shared->holes != NULL)
    holes = cairo_region_copy (shared->holes);
  hw_render_thread_unlock (thread);

  if (reconfigure)
    hw_x11_output_configure (shared->output, &geometry, mapped, holes);
  g_clear_pointer (&holes, cairo_region_destroy);
}

static gboolean
frame_cb (HwRenderThread  *thread,
          gpointer         data,
          int              width,
          int              height,
          GError         **error)
{
  X11Shared *shared = data;
  gsize stride = 0;
  guint8 *pixels = hw_x11_output_get_buffer (shared->output, width, height, &stride, error);
  gboolean alpha = hw_x11_output_needs_alpha (shared->output);

  if (pixels == NULL)
    {
      g_prefix_error (error, "X11 output: ");
      return FALSE;
    }
  if (!hw_render_thread_render (thread, pixels, width, height, stride,
                                alpha ? ALPHA_FORMAT : SW_FORMAT))
    return TRUE;
  if (alpha)
    make_borders_opaque (pixels, width, height, stride);
  hw_x11_output_present (shared->output);
  hw_render_thread_lock (thread);
  shared->frames++;
  hw_render_thread_unlock (thread);
  return TRUE;
}

static void
stop_cb (HwRenderThread *thread,
         gpointer        data)
{
  X11Shared *shared = data;

  g_clear_pointer (&shared->output, hw_x11_output_free);
}

static const HwRenderThreadClass render_class = {
  .name = "hw-x11-render",
  .start = start_cb,
  .get_fd = get_fd_cb,
  .dispatch = dispatch_cb,
  .sync = sync_cb,
  .frame = frame_cb,
  .stop = stop_cb,
  .free_data = x11_shared_free,
};

/* ------------------------------------------------------------------ */
/* The widget                                                          */

gboolean
hw_x11_surface_supported (GdkDisplay  *display,
                          GError     **error)
{
  static gsize probed;
  static gboolean supported;
  static GError *why;

#ifdef GDK_WINDOWING_X11
  if (!GDK_IS_X11_DISPLAY (display))
#endif
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "not an X11 display");
      return FALSE;
    }

  if (g_once_init_enter (&probed))
    {
      supported = hw_x11_output_probe (gdk_display_get_name (display), &why);
      g_once_init_leave (&probed, 1);
    }
  if (!supported && error != NULL)
    *error = g_error_copy (why);
  return supported;
}

/* Where the widget is in the toplevel's X window, in device pixels. */
static cairo_rectangle_int_t
compute_geometry (HwX11Surface *self,
                  int           scale)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkNative *native = gtk_widget_get_native (widget);
  graphene_point_t origin = GRAPHENE_POINT_INIT (0, 0);
  double dx = 0, dy = 0;

  if (native == NULL
      || !gtk_widget_compute_point (widget, GTK_WIDGET (native), &origin, &origin))
    return (cairo_rectangle_int_t) { 0, 0, 0, 0 };
  /* Client-side decorations put the widgets off the surface's origin. */
  gtk_native_get_surface_transform (native, &dx, &dy);
  return (cairo_rectangle_int_t) {
    (int) lround ((origin.x + dx) * scale), (int) lround ((origin.y + dy) * scale),
    gtk_widget_get_width (widget) * scale, gtk_widget_get_height (widget) * scale,
  };
}

static gboolean
same_holes (const cairo_region_t *a,
            const cairo_region_t *b)
{
  return a != NULL && b != NULL ? cairo_region_equal (a, b) : a == b;
}

/* Hands the render thread what changed since the last time. */
static void
update_window (HwX11Surface *self)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  cairo_rectangle_int_t geometry = compute_geometry (self, scale);
  gboolean mapped = gtk_widget_get_mapped (GTK_WIDGET (self));
  cairo_region_t *holes;
  X11Shared *shared;

  if (self->thread == NULL)
    return;
  holes = hw_video_cover_collect (GTK_WIDGET (self), scale);
  if (cairo_region_is_empty (holes))
    g_clear_pointer (&holes, cairo_region_destroy);
  if (memcmp (&geometry, &self->geometry, sizeof geometry) == 0 && mapped == self->mapped
      && same_holes (holes, self->holes))
    {
      g_clear_pointer (&holes, cairo_region_destroy);
      return;
    }

  self->geometry = geometry;
  self->mapped = mapped;
  g_clear_pointer (&self->holes, cairo_region_destroy);
  self->holes = holes;

  shared = hw_render_thread_get_data (self->thread);
  hw_render_thread_lock (self->thread);
  shared->geometry = geometry;
  shared->mapped = mapped;
  g_clear_pointer (&shared->holes, cairo_region_destroy);
  shared->holes = holes != NULL ? cairo_region_copy (holes) : NULL;
  shared->reconfigure = TRUE;
  hw_render_thread_unlock (self->thread);
  hw_render_thread_wake (self->thread);
}

/* After GTK painted, every widget is where it will be seen. */
static void
on_after_paint (GdkFrameClock *clock,
                HwX11Surface  *self)
{
  update_window (self);
}

static guint32
toplevel_xid (GtkWidget *widget)
{
#ifdef GDK_WINDOWING_X11
  GdkSurface *surface = gtk_native_get_surface (gtk_widget_get_native (widget));

  if (surface != NULL && GDK_IS_X11_SURFACE (surface))
    return (guint32) gdk_x11_surface_get_xid (surface);
#endif
  return 0;
}

static void
hw_x11_surface_realize (GtkWidget *widget)
{
  HwX11Surface *self = HW_X11_SURFACE (widget);
  g_autoptr(GError) error = NULL;
  guint32 parent = toplevel_xid (widget);
  X11Shared *shared;

  GTK_WIDGET_CLASS (hw_x11_surface_parent_class)->realize (widget);

  if (hw_player_get_handle (self->player) == NULL)
    return;
  if (parent == 0)
    {
      hw_video_surface_render_failed (HW_VIDEO_SURFACE (self), "X11 output: not an X11 window");
      return;
    }
  self->thread = hw_render_thread_new (&render_class, self->player, widget, &error);
  if (self->thread == NULL)
    {
      hw_video_surface_render_failed (HW_VIDEO_SURFACE (self), error->message);
      return;
    }

  shared = g_new0 (X11Shared, 1);
  shared->display_name = g_strdup (gdk_display_get_name (gtk_widget_get_display (widget)));
  shared->parent = parent;
  self->geometry = (cairo_rectangle_int_t) { 0, 0, 0, 0 };
  self->mapped = FALSE;

  self->after_paint_id = g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint",
                                           G_CALLBACK (on_after_paint), self);
  hw_render_thread_start (self->thread, shared, self->width, self->height);
}

static void
hw_x11_surface_unrealize (GtkWidget *widget)
{
  HwX11Surface *self = HW_X11_SURFACE (widget);
  HwRenderThread *thread = g_steal_pointer (&self->thread);

  if (self->after_paint_id != 0)
    g_clear_signal_handler (&self->after_paint_id, gtk_widget_get_frame_clock (widget));
  g_clear_pointer (&self->holes, cairo_region_destroy);
  if (thread != NULL)
    hw_render_thread_quit (thread);

  GTK_WIDGET_CLASS (hw_x11_surface_parent_class)->unrealize (widget);
}

static void
hw_x11_surface_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (hw_x11_surface_parent_class)->map (widget);
  /* The window shows after the next paint, once its place is known. */
  gtk_widget_queue_draw (widget);
}

static void
hw_x11_surface_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (hw_x11_surface_parent_class)->unmap (widget);
  /* At once: a hidden cell (another one zoomed) must not stay on top. */
  update_window (HW_X11_SURFACE (widget));
}

static void
hw_x11_surface_size_allocate (GtkWidget *widget,
                              int        width,
                              int        height,
                              int        baseline)
{
  HwX11Surface *self = HW_X11_SURFACE (widget);
  int scale = gtk_widget_get_scale_factor (widget);

  hw_render_thread_clamp_size (width * scale, height * scale, &self->width, &self->height);
  if (self->thread != NULL)
    hw_render_thread_set_size (self->thread, self->width, self->height);
}

/* What shows through the holes: black, as around a letterboxed frame. */
static void
hw_x11_surface_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0, 0, 0, 1 },
                             &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget),
                                                  gtk_widget_get_height (widget)));
}

static void
hw_x11_surface_dispose (GObject *object)
{
  HwX11Surface *self = HW_X11_SURFACE (object);

  g_clear_object (&self->player);

  G_OBJECT_CLASS (hw_x11_surface_parent_class)->dispose (object);
}

static void
hw_x11_surface_class_init (HwX11SurfaceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hw_x11_surface_dispose;
  widget_class->realize = hw_x11_surface_realize;
  widget_class->unrealize = hw_x11_surface_unrealize;
  widget_class->map = hw_x11_surface_map;
  widget_class->unmap = hw_x11_surface_unmap;
  widget_class->size_allocate = hw_x11_surface_size_allocate;
  widget_class->snapshot = hw_x11_surface_snapshot;
}

static void
hw_x11_surface_init (HwX11Surface *self)
{
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
}

GtkWidget *
hw_x11_surface_new (HwPlayer *player)
{
  HwX11Surface *self = g_object_new (HW_TYPE_X11_SURFACE, NULL);

  self->player = g_object_ref (player);
  return GTK_WIDGET (self);
}

static guint64
hw_x11_surface_get_frames (HwVideoSurface *surface)
{
  HwX11Surface *self = HW_X11_SURFACE (surface);
  X11Shared *shared;
  guint64 frames;

  if (self->thread == NULL)
    return 0;
  shared = hw_render_thread_get_data (self->thread);
  hw_render_thread_lock (self->thread);
  frames = shared->frames;
  hw_render_thread_unlock (self->thread);
  return frames;
}

static HwRenderer
hw_x11_surface_get_renderer (HwVideoSurface *surface)
{
  return HW_RENDERER_X11;
}

static void
hw_x11_surface_video_surface_init (HwVideoSurfaceInterface *iface)
{
  iface->get_frames = hw_x11_surface_get_frames;
  iface->get_renderer = hw_x11_surface_get_renderer;
}
