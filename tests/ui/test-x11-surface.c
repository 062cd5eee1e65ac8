/* test-x11-surface.c: the x11 renderer puts mpv's frames into an X child
 * window, and whatever is marked as drawn over video shows through it.
 * Real GTK, real mpv (a solid red lavfi source) under Xvfb; the pixels are
 * read back from the X server, as a person would see them. meson runs it at
 * scale 1 and 2. Also: its shared memory cannot outlive the process, and
 * the widget is never referenced, so never disposed of, off the main
 * thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-test"

#include "config.h"

#include <dlfcn.h>
#include <gdk/x11/gdkx.h>
#include <gtk/gtk.h>
#include <locale.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <unistd.h>
#include <xcb/xcb.h>

#include "hw-cell.h"
#include "hw-render-thread.h"
#include "hw-resources.h"
#include "hw-sw-surface.h"
#include "hw-video-cover.h"
#include "hw-video-surface.h"
#include "hw-x11-surface.h"
#include "lavfi-feed.h"
#include "ui-test-util.h"

#define WIDTH  480
#define HEIGHT 270

typedef struct {
  GtkWidget        *window;
  HwCell           *cell;
  GtkWidget        *badge;       /* a blue box in the top-left corner */
  GtkWidget        *ring;        /* a green frame along the edges */
  xcb_connection_t *xcb;
  HwFeed           *feed;
} Fixture;

/* ------------------------------------------------------------------ */
/* References to a video surface taken off the main thread              */

/* The test program's own g_weak_ref_get() and g_object_ref() come before
 * GLib's for every caller outside GLib: they count the video surfaces
 * referenced off the main thread. Such a reference can be the last one
 * when the main thread drops its own meanwhile, and then the widget and
 * its player are disposed of on that thread. */
static pthread_t main_thread;
static gint      off_main_refs;

static void
count_off_main (gpointer object)
{
  if (object != NULL && !pthread_equal (pthread_self (), main_thread)
      && G_TYPE_CHECK_INSTANCE_TYPE (object, HW_TYPE_VIDEO_SURFACE))
    g_atomic_int_inc (&off_main_refs);
}

gpointer
g_weak_ref_get (GWeakRef *weak_ref)
{
  static gpointer (*real) (GWeakRef *);
  gpointer object;

  if (g_atomic_pointer_get (&real) == NULL)
    g_atomic_pointer_set (&real, (gpointer (*) (GWeakRef *)) dlsym (RTLD_NEXT,
                                                                    "g_weak_ref_get"));
  object = real (weak_ref);
  count_off_main (object);
  return object;
}

gpointer
(g_object_ref) (gpointer object)
{
  static gpointer (*real) (gpointer);

  if (g_atomic_pointer_get (&real) == NULL)
    g_atomic_pointer_set (&real, (gpointer (*) (gpointer)) dlsym (RTLD_NEXT, "g_object_ref"));
  count_off_main (object);
  return real (object);
}

/* The pixel the X server shows at (@x, @y) of the window, in logical
 * pixels: 0xRRGGBB. */
static guint32
screen_pixel (Fixture *f, int x, int y)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (f->window));
  xcb_window_t xid = (xcb_window_t) gdk_x11_surface_get_xid (surface);
  xcb_screen_t *screen = xcb_setup_roots_iterator (xcb_get_setup (f->xcb)).data;
  int scale = gdk_surface_get_scale_factor (surface);
  xcb_translate_coordinates_reply_t *where;
  xcb_get_image_reply_t *image;
  guint32 pixel;

  where = xcb_translate_coordinates_reply (
    f->xcb, xcb_translate_coordinates (f->xcb, xid, screen->root, x * scale, y * scale), NULL);
  g_assert_nonnull (where);
  image = xcb_get_image_reply (f->xcb,
                               xcb_get_image (f->xcb, XCB_IMAGE_FORMAT_Z_PIXMAP, screen->root,
                                              where->dst_x, where->dst_y, 1, 1, ~0u),
                               NULL);
  free (where);
  g_assert_nonnull (image);
  g_assert_cmpint (xcb_get_image_data_length (image), >=, 4);
  memcpy (&pixel, xcb_get_image_data (image), sizeof pixel);
  free (image);
  return pixel & 0xffffff;
}

/* The alpha byte at (@x, @y) of the window, read from the toplevel itself
 * (the root has no alpha); -1 when the toplevel has none either. */
static int
window_alpha (Fixture *f, int x, int y)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (f->window));
  xcb_window_t xid = (xcb_window_t) gdk_x11_surface_get_xid (surface);
  int scale = gdk_surface_get_scale_factor (surface);
  xcb_get_image_reply_t *image;
  guint32 pixel;

  image = xcb_get_image_reply (f->xcb,
                               xcb_get_image (f->xcb, XCB_IMAGE_FORMAT_Z_PIXMAP, xid,
                                              x * scale, y * scale, 1, 1, ~0u),
                               NULL);
  g_assert_nonnull (image);
  memcpy (&pixel, xcb_get_image_data (image), sizeof pixel);
  if (image->depth != 32)
    {
      free (image);
      return -1;
    }
  free (image);
  return pixel >> 24;
}

static void
assert_colour (Fixture *f, int x, int y, guint32 expected, const char *what)
{
  guint32 pixel = 0;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  /* A change shows after GTK's next paint and the render thread's reply. */
  while (g_get_monotonic_time () < deadline)
    {
      pixel = screen_pixel (f, x, y);
      if (((pixel >> 16) & 0xff) / 0x80 == ((expected >> 16) & 0xff) / 0x80
          && ((pixel >> 8) & 0xff) / 0x80 == ((expected >> 8) & 0xff) / 0x80
          && (pixel & 0xff) / 0x80 == (expected & 0xff) / 0x80)
        break;
      ui_test_spin (20 * 1000);
    }
  g_test_message ("(%d, %d), %s: %06x, expected %06x", x, y, what, pixel, expected);
  g_assert_cmphex (pixel & 0x808080, ==, expected & 0x808080);
}

static GtkWidget *
coloured_box (const char *colour)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
  g_autofree char *text = g_strdup_printf ("box { background-color: %s; }", colour);

  gtk_css_provider_load_from_data (css, text, -1);
  gtk_style_context_add_provider (gtk_widget_get_style_context (box),
                                  GTK_STYLE_PROVIDER (css), GTK_STYLE_PROVIDER_PRIORITY_USER);
  gtk_widget_set_can_target (box, FALSE);
  return box;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  HwCellSettings settings = { 0 };
  HwCacheSplit cache = hw_cache_split (64 * HW_MIB, 64 * HW_MIB, 1);
  GtkWidget *overlay = gtk_overlay_new ();

  g_atomic_int_set (&off_main_refs, 0);
  f->xcb = xcb_connect (NULL, NULL);
  g_assert_cmpint (xcb_connection_has_error (f->xcb), ==, 0);
  f->feed = lavfi_feed_new ("red", "Red", data != NULL ? data
                           : "av://lavfi:color=c=red:size=320x180:rate=25:d=60", 60);

  hw_cell_policy_init_defaults (&settings.policy);
  settings.stall = (HwStallParams) { 20 * HW_USEC_PER_SEC, 30 * HW_USEC_PER_SEC, 0 };
  settings.watchdog_interval_ms = 1000;
  settings.network_timeout_s = 20;
  settings.hwdec = "no";
  settings.renderer = HW_RENDERER_X11;

  f->window = gtk_window_new ();
  gtk_window_set_decorated (GTK_WINDOW (f->window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (f->window), WIDTH, HEIGHT);
  f->cell = hw_cell_new (0, f->feed, &settings, &cache);
  hw_cell_set_show_titles (f->cell, FALSE);
  gtk_overlay_set_child (GTK_OVERLAY (overlay), GTK_WIDGET (f->cell));

  f->badge = coloured_box ("blue");
  gtk_widget_set_halign (f->badge, GTK_ALIGN_START);
  gtk_widget_set_valign (f->badge, GTK_ALIGN_START);
  gtk_widget_set_size_request (f->badge, 60, 40);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), f->badge);

  f->ring = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  {
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
    gtk_css_provider_load_from_data (css, "box { border: 12px solid lime; }", -1);
    gtk_style_context_add_provider (gtk_widget_get_style_context (f->ring),
                                    GTK_STYLE_PROVIDER (css), GTK_STYLE_PROVIDER_PRIORITY_USER);
  }
  gtk_widget_set_can_target (f->ring, FALSE);
  gtk_widget_set_visible (f->ring, FALSE);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), f->ring);

  gtk_window_set_child (GTK_WINDOW (f->window), overlay);
  gtk_window_present (GTK_WINDOW (f->window));
  hw_cell_supervisor_start (hw_cell_get_supervisor (f->cell));
  g_assert_true (ui_test_wait_for_frames (f->cell, 25, 30 * G_USEC_PER_SEC));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  ui_test_spin (200 * 1000);
  g_clear_object (&f->feed);
  xcb_disconnect (f->xcb);
  g_assert_cmpint (g_atomic_int_get (&off_main_refs), ==, 0);
}

/* The frames reach the screen, and through the x11 renderer. */
static void
test_shows_video (Fixture *f, gconstpointer data)
{
  GtkWidget *surface = ui_test_find_widget (GTK_WIDGET (f->cell), HW_TYPE_X11_SURFACE);
  guint64 before;

  g_assert_nonnull (surface);
  before = hw_cell_get_frames (f->cell);
  g_assert_true (ui_test_wait_for_frames (f->cell, before + 25, 10 * G_USEC_PER_SEC));

  assert_colour (f, WIDTH / 2, HEIGHT / 2, 0xff0000, "the middle");
  assert_colour (f, WIDTH - 4, HEIGHT - 4, 0xff0000, "a corner");

  /* In an ARGB toplevel, transparent video would show whatever a
   * compositing manager puts behind the window: every pixel is opaque,
   * the picture's and the edges'. */
  for (int i = 0; i < 4; i++)
    {
      int x = (int[]) { WIDTH / 2, 0, WIDTH - 1, WIDTH / 2 }[i];
      int y = (int[]) { HEIGHT / 2, 0, HEIGHT - 1, HEIGHT - 1 }[i];
      int alpha = window_alpha (f, x, y);

      g_test_message ("alpha at (%d, %d): %d", x, y, alpha);
      if (alpha >= 0)
        g_assert_cmpint (alpha, ==, 0xff);
    }
}

/* A 4:3 picture in a 16:9 cell: black bars at the sides, opaque too. */
static void
test_pillarbox_opaque (Fixture *f, gconstpointer data)
{
  assert_colour (f, WIDTH / 2, HEIGHT / 2, 0xff0000, "the picture");
  assert_colour (f, 3, HEIGHT / 2, 0x000000, "the left bar");
  assert_colour (f, WIDTH - 4, HEIGHT / 2, 0x000000, "the right bar");
  for (int i = 0; i < 3; i++)
    {
      int x = (int[]) { 3, WIDTH - 4, WIDTH / 2 }[i];
      int alpha = window_alpha (f, x, HEIGHT / 2);

      g_test_message ("alpha at (%d, %d): %d", x, HEIGHT / 2, alpha);
      if (alpha >= 0)
        g_assert_cmpint (alpha, ==, 0xff);
    }
}

/* A widget over the video shows only where it is marked as covering it. */
static void
test_covers_show_through (Fixture *f, gconstpointer data)
{
  /* Not marked: the video's window hides it. */
  assert_colour (f, 10, 10, 0xff0000, "an unmarked box");

  hw_video_cover_mark (f->badge, 0, 0);
  gtk_widget_queue_draw (f->badge);
  assert_colour (f, 10, 10, 0x0000ff, "a marked box");
  assert_colour (f, 70, 50, 0xff0000, "beside the box");

  hw_video_cover_set_shown (f->badge, FALSE);
  assert_colour (f, 10, 10, 0xff0000, "a box no longer shown");
  hw_video_cover_set_shown (f->badge, TRUE);
  assert_colour (f, 10, 10, 0x0000ff, "a box shown again");
  gtk_widget_set_visible (f->badge, FALSE);
  assert_colour (f, 10, 10, 0xff0000, "a hidden box");

  /* A frame: its edge shows, its inside stays video. */
  hw_video_cover_mark (f->ring, 12, 0);
  gtk_widget_set_visible (f->ring, TRUE);
  assert_colour (f, 4, HEIGHT / 2, 0x00ff00, "the frame's edge");
  assert_colour (f, WIDTH / 2, HEIGHT - 6, 0x00ff00, "the frame's bottom edge");
  assert_colour (f, WIDTH / 2, HEIGHT / 2, 0xff0000, "inside the frame");
}

/* A hidden cell (another one zoomed) takes its window off the screen. */
static void
test_hidden_cell_unmaps (Fixture *f, gconstpointer data)
{
  assert_colour (f, WIDTH / 2, HEIGHT / 2, 0xff0000, "the cell");
  gtk_widget_set_visible (GTK_WIDGET (f->cell), FALSE);
  /* GTK's window background is not red. */
  ui_test_spin (300 * 1000);
  g_assert_cmphex (screen_pixel (f, WIDTH / 2, HEIGHT / 2) & 0x808080, !=, 0x800000);
  gtk_widget_set_visible (GTK_WIDGET (f->cell), TRUE);
  assert_colour (f, WIDTH / 2, HEIGHT / 2, 0xff0000, "the cell shown again");
}

/* ------------------------------------------------------------------ */
/* Shared memory                                                        */

typedef struct {
  int    shmid;
  gsize  size;
  guint  mode;
} Segment;

/* The System V shared-memory segments this process created. */
static GArray *
own_segments (void)
{
  GArray *segments = g_array_new (FALSE, FALSE, sizeof (Segment));
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents ("/proc/sysvipc/shm", &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      Segment segment;
      int key, cpid;
      unsigned long size;

      if (sscanf (lines[i], "%d %d %o %lu %d", &key, &segment.shmid, &segment.mode, &size,
                  &cpid) == 5 && cpid == getpid ())
        {
          segment.size = size;
          g_array_append_val (segments, segment);
        }
    }
  return segments;
}

static gboolean
has_segment (GArray *segments,
             int     shmid)
{
  for (guint i = 0; i < segments->len; i++)
    if (g_array_index (segments, Segment, i).shmid == shmid)
      return TRUE;
  return FALSE;
}

typedef struct {
  xcb_connection_t *grabber;
  GArray           *before;
  GArray           *during;     /* once a new segment showed and settled */
  gint              done;
} ShmWatch;

/* While the server is grabbed, nothing the render thread asks it gets an
 * answer: it stays in whatever round trip it is in. Records this
 * process's segments once a new one showed, then lets the server go. */
static gpointer
watch_segments (gpointer data)
{
  ShmWatch *watch = data;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (watch->during == NULL && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GArray) now = own_segments ();

      for (guint i = 0; i < now->len && watch->during == NULL; i++)
        if (!has_segment (watch->before, g_array_index (now, Segment, i).shmid))
          {
            /* From shmget() to the mark is a few system calls; past that,
             * a segment not marked waits for the server. */
            g_usleep (500 * 1000);
            watch->during = own_segments ();
          }
      g_usleep (5 * 1000);
    }
  xcb_ungrab_server (watch->grabber);
  xcb_flush (watch->grabber);
  g_atomic_int_set (&watch->done, 1);
  return NULL;
}

/* A shared-memory segment outlives a process killed before it marked the
 * segment for removal (until reboot). So it is marked before the server is
 * asked to attach it, not once the server answered: here the frame buffer
 * a larger surface needs is made while the server answers nobody. */
static void
test_segments_marked_at_once (Fixture *f, gconstpointer data)
{
  GtkWidget *surface = ui_test_find_widget (GTK_WIDGET (f->cell), HW_TYPE_X11_SURFACE);
  int scale = gtk_widget_get_scale_factor (f->window);
  ShmWatch watch = { 0 };
  xcb_generic_error_t *error = NULL;
  GThread *thread;
  int width, height, ignored;
  gsize expected;
  gboolean found = FALSE;

  g_assert_nonnull (surface);
  watch.grabber = xcb_connect (NULL, NULL);
  g_assert_cmpint (xcb_connection_has_error (watch.grabber), ==, 0);
  watch.before = own_segments ();
  g_assert_cmpuint (watch.before->len, >, 0);

  xcb_grab_server (watch.grabber);
  free (xcb_get_input_focus_reply (watch.grabber, xcb_get_input_focus (watch.grabber),
                                   &error));
  g_assert_null (error);
  thread = g_thread_new ("shm-watch", watch_segments, &watch);

  /* Twice the size, straight to the surface: the main loop would paint,
   * and GTK's painting waits for the server. */
  gtk_widget_measure (surface, GTK_ORIENTATION_HORIZONTAL, -1, &ignored, NULL, NULL, NULL);
  gtk_widget_measure (surface, GTK_ORIENTATION_VERTICAL, -1, &ignored, NULL, NULL, NULL);
  gtk_widget_size_allocate (surface, &(GtkAllocation) { 0, 0, 2 * WIDTH, 2 * HEIGHT }, -1);
  g_thread_join (thread);
  xcb_disconnect (watch.grabber);

  /* The render thread's new buffer: rows 64-byte aligned. */
  hw_render_thread_clamp_size (2 * WIDTH * scale, 2 * HEIGHT * scale, &width, &height);
  expected = (((gsize) width * 4 + 63) & ~(gsize) 63) * (gsize) height;
  g_assert_nonnull (watch.during);
  for (guint i = 0; i < watch.during->len; i++)
    {
      Segment *segment = &g_array_index (watch.during, Segment, i);

      g_test_message ("segment %d: %" G_GSIZE_FORMAT " bytes (%" G_GSIZE_FORMAT
                      " expected), mode %o%s", segment->shmid, segment->size, expected,
                      segment->mode, has_segment (watch.before, segment->shmid) ? "" : ", new");
      found = found || segment->size == expected;
      g_assert_cmphex (segment->mode & SHM_DEST, ==, SHM_DEST);
    }
  /* Else the render thread was never caught making it. */
  g_assert_true (found);
  g_clear_pointer (&watch.before, g_array_unref);
  g_clear_pointer (&watch.during, g_array_unref);

  gtk_widget_queue_resize (surface);
  g_assert_true (ui_test_wait_for_frames (f->cell, hw_cell_get_frames (f->cell) + 10,
                                          10 * G_USEC_PER_SEC));
  assert_colour (f, WIDTH / 2, HEIGHT / 2, 0xff0000, "the middle");
}

/* ------------------------------------------------------------------ */
/* A render thread that fails                                           */

static void
on_surface_disposed (gpointer  data,
                     GObject  *where_the_object_was)
{
  int *disposed = data;

  *disposed = pthread_equal (pthread_self (), main_thread) ? 1 : 2;
}

/* The render thread loses its X connection: the cell falls back to the
 * software surface, and the x11 one goes, disposed of on the main thread;
 * no thread but the main one ever took a reference on it. */
static void
test_failure_disposes_on_main (Fixture *f, gconstpointer data)
{
  GtkWidget *surface = ui_test_find_widget (GTK_WIDGET (f->cell), HW_TYPE_X11_SURFACE);
  GdkSurface *toplevel = gtk_native_get_surface (GTK_NATIVE (f->window));
  xcb_query_tree_reply_t *tree;
  xcb_window_t video = 0;
  gint64 deadline;
  int disposed = 0;

  g_assert_nonnull (surface);
  g_object_weak_ref (G_OBJECT (surface), on_surface_disposed, &disposed);
  surface = NULL;

  /* The video's child window belongs to the render thread's connection:
   * the server closes that connection. */
  tree = xcb_query_tree_reply (f->xcb,
                               xcb_query_tree (f->xcb, (xcb_window_t)
                                               gdk_x11_surface_get_xid (toplevel)),
                               NULL);
  g_assert_nonnull (tree);
  /* GTK has an input-only child of its own. */
  for (int i = 0; i < xcb_query_tree_children_length (tree); i++)
    {
      xcb_window_t child = xcb_query_tree_children (tree)[i];
      xcb_get_window_attributes_reply_t *attributes =
        xcb_get_window_attributes_reply (f->xcb, xcb_get_window_attributes (f->xcb, child),
                                         NULL);

      g_assert_nonnull (attributes);
      if (attributes->_class == XCB_WINDOW_CLASS_INPUT_OUTPUT)
        {
          g_assert_cmpuint (video, ==, 0);
          video = child;
        }
      free (attributes);
    }
  g_assert_cmpuint (video, !=, 0);
  xcb_kill_client (f->xcb, video);
  xcb_flush (f->xcb);
  free (tree);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while ((disposed == 0
          || ui_test_find_widget (GTK_WIDGET (f->cell), HW_TYPE_SW_SURFACE) == NULL)
         && g_get_monotonic_time () < deadline)
    ui_test_spin (20 * 1000);

  g_assert_nonnull (ui_test_find_widget (GTK_WIDGET (f->cell), HW_TYPE_SW_SURFACE));
  g_assert_cmpint (disposed, ==, 1);
  g_assert_cmpint (g_atomic_int_get (&off_main_refs), ==, 0);
  g_assert_true (ui_test_wait_for_frames (f->cell, hw_cell_get_frames (f->cell) + 10,
                                          10 * G_USEC_PER_SEC));
}

int
main (int argc, char *argv[])
{
  main_thread = pthread_self ();

  for (int i = 1; i < argc; i++)
    {
      if (g_str_has_prefix (argv[i], "--scale="))
        g_setenv ("GDK_SCALE", argv[i] + strlen ("--scale="), TRUE);
      else
        continue;
      memmove (&argv[i], &argv[i + 1], (argc - i) * sizeof (char *));
      argc--;
      i--;
    }

  mallopt (M_ARENA_MAX, 2);
  setlocale (LC_ALL, "");
  setlocale (LC_NUMERIC, "C");
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  gtk_init ();
  hw_register_resource ();

  if (!hw_x11_surface_supported (gdk_display_get_default (), NULL))
    {
      g_test_skip ("not an X11 display");
      return g_test_run ();
    }

  g_test_add ("/hyperwall/x11-surface/shows-video", Fixture, NULL,
              fixture_set_up, test_shows_video, fixture_tear_down);
  g_test_add ("/hyperwall/x11-surface/pillarbox-opaque", Fixture,
              "av://lavfi:color=c=red:size=240x180:rate=25:d=60",
              fixture_set_up, test_pillarbox_opaque, fixture_tear_down);
  g_test_add ("/hyperwall/x11-surface/covers-show-through", Fixture, NULL,
              fixture_set_up, test_covers_show_through, fixture_tear_down);
  g_test_add ("/hyperwall/x11-surface/hidden-cell-unmaps", Fixture, NULL,
              fixture_set_up, test_hidden_cell_unmaps, fixture_tear_down);
  g_test_add ("/hyperwall/x11-surface/segments-marked-at-once", Fixture, NULL,
              fixture_set_up, test_segments_marked_at_once, fixture_tear_down);
  g_test_add ("/hyperwall/x11-surface/failure-disposes-on-main", Fixture, NULL,
              fixture_set_up, test_failure_disposes_on_main, fixture_tear_down);

  return g_test_run ();
}
