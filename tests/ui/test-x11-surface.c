/* test-x11-surface.c: the x11 renderer puts mpv's frames into an X child
 * window, and whatever is marked as drawn over video shows through it.
 * Real GTK, real mpv (a solid red lavfi source) under Xvfb; the pixels are
 * read back from the X server, as a person would see them. meson runs it at
 * scale 1 and 2.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-test"

#include "config.h"

#include <gdk/x11/gdkx.h>
#include <gtk/gtk.h>
#include <locale.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <xcb/xcb.h>

#include "hw-cell.h"
#include "hw-resources.h"
#include "hw-video-cover.h"
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

int
main (int argc, char *argv[])
{
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

  return g_test_run ();
}
