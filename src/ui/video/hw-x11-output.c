/* hw-x11-output.c: an X child window fed through shared memory.
 *
 * One frame buffer, a System V shared-memory segment the server reads
 * with ShmPutImage. The put asks for a completion event; the buffer is
 * written again only after it came, so the server never reads a half
 * rendered frame. The segment is marked for removal as soon as this process
 * mapped it, before the server is asked to attach it, so it goes with the
 * process, however and whenever the process ends.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <xcb/shape.h>
#include <xcb/shm.h>
#include <xcb/xcb.h>
#include <gio/gio.h>

#include "hw-x11-output.h"

/* How long a put may take before the buffer is reused anyway: the server
 * answers in microseconds, so this only matters when it is gone. */
#define PUT_TIMEOUT_MS 200

struct _HwX11Output
{
  xcb_connection_t     *connection;
  xcb_window_t          window;
  xcb_gcontext_t        gc;
  guint8                depth;
  xcb_visualid_t        visual;
  xcb_colormap_t        colormap;
  guint8                shm_opcode;
  guint8                completion_event;  /* MIT-SHM's first event */

  xcb_shm_seg_t         segment;
  guint8               *pixels;            /* NULL until the first buffer */
  gsize                 size;
  int                   width;             /* of the frame in the buffer */
  int                   height;
  gsize                 stride;
  gboolean              put_pending;

  cairo_rectangle_int_t geometry;
  gboolean              mapped;
  cairo_region_t       *holes;
};

static xcb_visualtype_t *
find_visual (const xcb_screen_t *screen,
             xcb_visualid_t      id,
             guint8             *depth)
{
  xcb_depth_iterator_t d = xcb_screen_allowed_depths_iterator (screen);

  for (; d.rem > 0; xcb_depth_next (&d))
    {
      xcb_visualtype_iterator_t v = xcb_depth_visuals_iterator (d.data);

      for (; v.rem > 0; xcb_visualtype_next (&v))
        if (v.data->visual_id == id)
          {
            *depth = d.data->depth;
            return v.data;
          }
    }
  return NULL;
}

/* The window takes its parent's visual: a child of another depth would be
 * redirected and composited by the server (the Composite extension does
 * that for any window whose visual differs from its parent's), a second
 * copy of every frame. GTK's toplevels are 32-bit ARGB, so the padding
 * byte is alpha there (see hw_x11_output_needs_alpha()). */
static gboolean
choose_visual (HwX11Output  *self,
               xcb_screen_t *screen,
               guint32       parent,
               GError      **error)
{
  const xcb_setup_t *setup = xcb_get_setup (self->connection);
  xcb_get_window_attributes_reply_t *attributes =
    xcb_get_window_attributes_reply (self->connection,
                                     xcb_get_window_attributes (self->connection, parent), NULL);
  xcb_visualtype_t *visual;
  xcb_format_iterator_t f = xcb_setup_pixmap_formats_iterator (setup);
  guint8 order = G_BYTE_ORDER == G_LITTLE_ENDIAN ? XCB_IMAGE_ORDER_LSB_FIRST
                                                 : XCB_IMAGE_ORDER_MSB_FIRST;
  gboolean bpp_32 = FALSE;

  if (attributes == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "the window to draw in is gone");
      return FALSE;
    }
  self->visual = attributes->visual;
  self->colormap = attributes->colormap;
  free (attributes);

  visual = find_visual (screen, self->visual, &self->depth);
  for (; f.rem > 0; xcb_format_next (&f))
    if (f.data->depth == self->depth)
      bpp_32 = f.data->bits_per_pixel == 32;

  if (visual == NULL || visual->_class != XCB_VISUAL_CLASS_TRUE_COLOR
      || visual->red_mask != 0xff0000 || visual->green_mask != 0x00ff00
      || visual->blue_mask != 0x0000ff || !bpp_32 || setup->image_byte_order != order
      || (self->depth != 24 && self->depth != 32))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "the window's visual is not 32-bit (A)RGB in this machine's byte order");
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_extensions (HwX11Output *self,
                  GError     **error)
{
  const xcb_query_extension_reply_t *shm = xcb_get_extension_data (self->connection, &xcb_shm_id);
  const xcb_query_extension_reply_t *shape =
    xcb_get_extension_data (self->connection, &xcb_shape_id);

  if (shm == NULL || !shm->present || shape == NULL || !shape->present)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "the X server lacks the %s extension",
                   shm == NULL || !shm->present ? "MIT-SHM" : "SHAPE");
      return FALSE;
    }
  self->shm_opcode = shm->major_opcode;
  self->completion_event = shm->first_event + XCB_SHM_COMPLETION;
  return TRUE;
}

static void
create_window (HwX11Output  *self,
               xcb_screen_t *screen,
               guint32       parent)
{
  /* In the order of their mask bits. Opaque black until the first frame
   * (alpha set for an ARGB visual). */
  guint32 values[] = {
    self->depth == 32 ? 0xff000000 : screen->black_pixel,
    0,
    XCB_EVENT_MASK_EXPOSURE,
    self->colormap,
  };
  guint32 gc_values[] = { 0 };

  self->window = xcb_generate_id (self->connection);
  xcb_create_window (self->connection, self->depth, self->window, parent, 0, 0, 1, 1, 0,
                     XCB_WINDOW_CLASS_INPUT_OUTPUT, self->visual,
                     XCB_CW_BACK_PIXEL | XCB_CW_BORDER_PIXEL | XCB_CW_EVENT_MASK
                     | XCB_CW_COLORMAP, values);
  /* An empty input shape: the pointer goes through the window to GTK's, as
   * if it were not there. Without it the pointer is over a child window
   * GTK does not know, and GTK lost the second press of a double click. */
  xcb_shape_rectangles (self->connection, XCB_SHAPE_SO_SET, XCB_SHAPE_SK_INPUT,
                        XCB_CLIP_ORDERING_UNSORTED, self->window, 0, 0, 0, NULL);
  self->gc = xcb_generate_id (self->connection);
  xcb_create_gc (self->connection, self->gc, self->window, XCB_GC_GRAPHICS_EXPOSURES, gc_values);
  self->geometry = (cairo_rectangle_int_t) { 0, 0, 1, 1 };
}

HwX11Output *
hw_x11_output_new (const char *display_name,
                   guint32     parent,
                   GError    **error)
{
  g_autoptr(HwX11Output) self = g_new0 (HwX11Output, 1);
  int screen_number = 0;
  xcb_screen_iterator_t screens;

  self->connection = xcb_connect (display_name, &screen_number);
  if (xcb_connection_has_error (self->connection))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot connect to the X server");
      return NULL;
    }
  screens = xcb_setup_roots_iterator (xcb_get_setup (self->connection));
  for (; screen_number > 0 && screens.rem > 0; screen_number--)
    xcb_screen_next (&screens);
  if (screens.rem == 0 || !check_extensions (self, error)
      || !choose_visual (self, screens.data, parent, error))
    return NULL;

  create_window (self, screens.data, parent);
  xcb_flush (self->connection);
  return g_steal_pointer (&self);
}

static gboolean attach_segment (HwX11Output *self,
                                gsize        size,
                                GError     **error);

gboolean
hw_x11_output_probe (const char *display_name,
                     GError    **error)
{
  g_autoptr(HwX11Output) self = g_new0 (HwX11Output, 1);

  self->connection = xcb_connect (display_name, NULL);
  if (xcb_connection_has_error (self->connection))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot connect to the X server");
      return FALSE;
    }
  return check_extensions (self, error) && attach_segment (self, 4096, error);
}

static void
detach_segment (HwX11Output *self)
{
  if (self->pixels == NULL)
    return;
  xcb_shm_detach (self->connection, self->segment);
  shmdt (self->pixels);
  self->pixels = NULL;
  self->size = 0;
}

void
hw_x11_output_free (HwX11Output *self)
{
  if (self == NULL)
    return;
  if (self->connection != NULL)
    {
      detach_segment (self);
      if (self->window != 0)
        {
          /* Errors (a parent already gone) are events nobody reads. */
          xcb_free_gc (self->connection, self->gc);
          xcb_destroy_window (self->connection, self->window);
        }
      xcb_flush (self->connection);
      xcb_disconnect (self->connection);
    }
  g_clear_pointer (&self->holes, cairo_region_destroy);
  g_free (self);
}

gboolean
hw_x11_output_needs_alpha (HwX11Output *self)
{
  return self->depth == 32;
}

int
hw_x11_output_get_fd (HwX11Output *self)
{
  return xcb_get_file_descriptor (self->connection);
}

gboolean
hw_x11_output_is_alive (HwX11Output *self)
{
  return xcb_connection_has_error (self->connection) == 0;
}

gboolean
hw_x11_output_dispatch (HwX11Output *self)
{
  xcb_generic_event_t *event;
  gboolean exposed = FALSE;

  while ((event = xcb_poll_for_event (self->connection)) != NULL)
    {
      guint8 type = event->response_type & 0x7f;

      if (type == XCB_EXPOSE && ((xcb_expose_event_t *) event)->count == 0)
        exposed = TRUE;
      else if (type == self->completion_event)
        self->put_pending = FALSE;
      else if (type == 0)
        {
          xcb_generic_error_t *err = (xcb_generic_error_t *) event;

          /* A put that failed sends no completion. */
          if (err->major_code == self->shm_opcode)
            self->put_pending = FALSE;
          g_debug ("X11 output: X error %u (request %u.%u)", err->error_code,
                   err->major_code, err->minor_code);
        }
      free (event);
    }
  return exposed;
}

static void
set_shape (HwX11Output          *self,
           const cairo_region_t *holes)
{
  cairo_region_t *shape;
  cairo_rectangle_int_t all = { 0, 0, self->geometry.width, self->geometry.height };
  int n;
  g_autofree xcb_rectangle_t *rects = NULL;

  if (holes == NULL || cairo_region_is_empty (holes))
    {
      xcb_shape_mask (self->connection, XCB_SHAPE_SO_SET, XCB_SHAPE_SK_BOUNDING, self->window,
                      0, 0, XCB_NONE);
      return;
    }

  shape = cairo_region_create_rectangle (&all);
  cairo_region_subtract (shape, holes);
  n = cairo_region_num_rectangles (shape);
  rects = g_new (xcb_rectangle_t, MAX (n, 1));
  for (int i = 0; i < n; i++)
    {
      cairo_rectangle_int_t r;

      cairo_region_get_rectangle (shape, i, &r);
      rects[i] = (xcb_rectangle_t) { r.x, r.y, r.width, r.height };
    }
  /* cairo's rectangles are YX-banded, which lets the server skip sorting. */
  xcb_shape_rectangles (self->connection, XCB_SHAPE_SO_SET, XCB_SHAPE_SK_BOUNDING,
                        XCB_CLIP_ORDERING_YX_BANDED, self->window, 0, 0, n, rects);
  cairo_region_destroy (shape);
}

static gboolean
same_region (const cairo_region_t *a,
             const cairo_region_t *b)
{
  gboolean a_empty = a == NULL || cairo_region_is_empty (a);
  gboolean b_empty = b == NULL || cairo_region_is_empty (b);

  if (a_empty || b_empty)
    return a_empty == b_empty;
  return cairo_region_equal (a, b);
}

void
hw_x11_output_configure (HwX11Output                 *self,
                         const cairo_rectangle_int_t *geometry,
                         gboolean                     mapped,
                         const cairo_region_t        *holes)
{
  gboolean moved = geometry->x != self->geometry.x || geometry->y != self->geometry.y;
  gboolean resized = geometry->width != self->geometry.width
                     || geometry->height != self->geometry.height;

  mapped = mapped && geometry->width > 0 && geometry->height > 0;
  if (geometry->width > 0 && geometry->height > 0 && (moved || resized))
    {
      guint32 values[] = { (guint32) geometry->x, (guint32) geometry->y,
                           (guint32) geometry->width, (guint32) geometry->height };

      xcb_configure_window (self->connection, self->window,
                            XCB_CONFIG_WINDOW_X | XCB_CONFIG_WINDOW_Y
                            | XCB_CONFIG_WINDOW_WIDTH | XCB_CONFIG_WINDOW_HEIGHT, values);
      self->geometry = *geometry;
    }
  if (resized || !same_region (holes, self->holes))
    {
      set_shape (self, holes);
      g_clear_pointer (&self->holes, cairo_region_destroy);
      if (holes != NULL)
        self->holes = cairo_region_copy (holes);
    }
  if (mapped != self->mapped)
    {
      if (mapped)
        xcb_map_window (self->connection, self->window);
      else
        xcb_unmap_window (self->connection, self->window);
      self->mapped = mapped;
    }
  xcb_flush (self->connection);
}

/* Waits for the server to have read the buffer. */
static void
wait_for_put (HwX11Output *self)
{
  gint64 deadline = g_get_monotonic_time () + PUT_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

  xcb_flush (self->connection);
  while (self->put_pending && hw_x11_output_is_alive (self))
    {
      struct pollfd pfd = { hw_x11_output_get_fd (self), POLLIN, 0 };
      gint64 left = deadline - g_get_monotonic_time ();

      hw_x11_output_dispatch (self);
      if (!self->put_pending)
        break;
      if (left <= 0 || poll (&pfd, 1, (int) (left / 1000) + 1) == 0)
        {
          g_debug ("X11 output: no completion from the server; reusing the buffer");
          self->put_pending = FALSE;
        }
    }
}

static gboolean
attach_segment (HwX11Output *self,
                gsize        size,
                GError     **error)
{
  xcb_generic_error_t *refused;
  int id = shmget (IPC_PRIVATE, size, IPC_CREAT | 0600);
  void *pixels;
  int saved_errno;

  if (id < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "cannot make shared memory: %s", g_strerror (errno));
      return FALSE;
    }
  pixels = shmat (id, NULL, 0);
  saved_errno = errno;
  /* Marked for removal before anything can block: the segment goes with
   * the last process attached, even one killed while the server has not
   * answered yet. Linux lets the server attach a marked segment still. */
  shmctl (id, IPC_RMID, NULL);
  if (pixels == (void *) -1)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot map shared memory: %s", g_strerror (saved_errno));
      return FALSE;
    }
  self->segment = xcb_generate_id (self->connection);
  refused = xcb_request_check (self->connection,
                               xcb_shm_attach_checked (self->connection, self->segment, id,
                                                       FALSE));
  if (refused != NULL)
    {
      free (refused);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "the X server cannot read this process's shared memory "
                   "(a remote server, or another IPC namespace)");
      shmdt (pixels);
      return FALSE;
    }
  self->pixels = pixels;
  self->size = size;
  return TRUE;
}

guint8 *
hw_x11_output_get_buffer (HwX11Output *self,
                          int          width,
                          int          height,
                          gsize       *stride,
                          GError     **error)
{
  /* mpv's SIMD paths want 64-byte aligned rows; shmat() aligns the start. */
  gsize row = ((gsize) width * 4 + 63) & ~(gsize) 63;
  gsize size = row * (gsize) height;

  g_return_val_if_fail (width > 0 && height > 0, NULL);

  wait_for_put (self);
  if (size > self->size)
    {
      detach_segment (self);
      if (!attach_segment (self, size, error))
        return NULL;
    }
  self->width = width;
  self->height = height;
  self->stride = row;
  *stride = row;
  return self->pixels;
}

void
hw_x11_output_present (HwX11Output *self)
{
  int x, y;

  if (self->pixels == NULL)
    return;

  /* A frame smaller than the window (clamped, or not yet resized) sits in
   * its middle, on the window's black. */
  x = MAX (self->geometry.width - self->width, 0) / 2;
  y = MAX (self->geometry.height - self->height, 0) / 2;
  xcb_shm_put_image (self->connection, self->window, self->gc,
                     (guint16) (self->stride / 4), (guint16) self->height,
                     0, 0, (guint16) self->width, (guint16) self->height,
                     (gint16) x, (gint16) y, self->depth, XCB_IMAGE_FORMAT_Z_PIXMAP,
                     TRUE, self->segment, 0);
  self->put_pending = TRUE;
  xcb_flush (self->connection);
}
