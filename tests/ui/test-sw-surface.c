/* test-sw-surface.c: the software surface draws what mpv decodes, at the
 * widget's device pixels, from a pool of reused buffers. Real GTK, real mpv
 * (a solid red lavfi source), under Xvfb; meson runs it with GTK's cairo
 * renderer at scale 1 and 2, and with GTK's default (GL) renderer, which
 * takes the texture path.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-test"

#include "config.h"

#include <gtk/gtk.h>
#include <locale.h>
#include <malloc.h>
#include <string.h>

#include "hw-cell.h"
#include "hw-resources.h"
#include "hw-sw-surface.h"
#include "lavfi-feed.h"
#include "ui-test-util.h"

#define WIDTH  320
#define HEIGHT 180

/* The widget as GTK draws it (its render node), rendered by the window's
 * own renderer. */
static GdkTexture *
render_widget (GtkWidget *widget)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  graphene_rect_t bounds;

  gtk_widget_snapshot_child (gtk_widget_get_parent (widget), widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  gsk_render_node_get_bounds (node, &bounds);
  return gsk_renderer_render_texture (renderer, node, &bounds);
}

static void
assert_red (GdkTexture *texture, int x, int y)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  g_autofree guint8 *pixels = g_malloc (stride * height);
  guint32 pixel;
  int r, g, b;

  /* GDK_MEMORY_DEFAULT: native-endian premultiplied ARGB, as cairo's. */
  gdk_texture_download (texture, pixels, stride);
  memcpy (&pixel, pixels + (gsize) y * stride + (gsize) x * 4, sizeof pixel);
  r = (pixel >> 16) & 0xff;
  g = (pixel >> 8) & 0xff;
  b = pixel & 0xff;
  g_test_message ("pixel (%d, %d) of %d×%d: %02x%02x%02x alpha %02x", x, y, width, height,
                  r, g, b, pixel >> 24);
  g_assert_cmpint (pixel >> 24, ==, 0xff);
  g_assert_cmpint (r, >, 0xe0);
  g_assert_cmpint (g, <, 0x20);
  g_assert_cmpint (b, <, 0x20);
}

static void
test_draws_video (void)
{
  g_autoptr(HwFeed) feed = lavfi_feed_new ("red", "Red", "av://lavfi:color=c=red:size=320x180:rate=25:d=60", 60);
  GtkWidget *window = gtk_window_new ();
  HwCellSettings settings = { 0 };
  HwCacheSplit cache = hw_cache_split (64 * HW_MIB, 64 * HW_MIB, 1);
  HwCell *cell;
  HwSwSurface *surface;
  HwSwSurfaceStats stats;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer;
  int scale;

  hw_cell_policy_init_defaults (&settings.policy);
  settings.stall = (HwStallParams) { 20 * HW_USEC_PER_SEC, 30 * HW_USEC_PER_SEC, 0 };
  settings.watchdog_interval_ms = 1000;
  settings.network_timeout_s = 20;
  settings.hwdec = "no";
  settings.renderer = HW_RENDERER_SOFTWARE;

  gtk_window_set_default_size (GTK_WINDOW (window), WIDTH, HEIGHT);
  cell = hw_cell_new (0, feed, &settings, &cache);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (cell));
  gtk_window_present (GTK_WINDOW (window));
  hw_cell_supervisor_start (hw_cell_get_supervisor (cell));

  /* Two seconds of video: far more frames than buffers. */
  g_assert_true (ui_test_wait_for_frames (cell, 50, 30 * G_USEC_PER_SEC));

  surface = (HwSwSurface *) ui_test_find_widget (GTK_WIDGET (cell), HW_TYPE_SW_SURFACE);
  g_assert_nonnull (surface);
  renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  scale = gtk_widget_get_scale_factor (GTK_WIDGET (surface));
  hw_sw_surface_get_stats (surface, &stats);
  g_test_message ("%s renderer, scale %d: %" G_GUINT64_FORMAT " frames rendered, %"
                  G_GUINT64_FORMAT " replaced, %" G_GUINT64_FORMAT " skipped, %"
                  G_GUINT64_FORMAT " buffer allocations (pool of %u), frame %d×%d",
                  G_OBJECT_TYPE_NAME (renderer), scale, stats.frames_rendered,
                  stats.frames_replaced, stats.frames_skipped, stats.buffers_allocated,
                  stats.pool_size, stats.frame_width, stats.frame_height);

  /* The cairo path exactly when GTK draws with cairo. */
  g_assert_cmpint (stats.cairo, ==, GSK_IS_CAIRO_RENDERER (renderer));
  /* Buffers are reused: never more allocations than the pool holds (no
   * resize happened after the first frame). */
  g_assert_cmpuint (stats.frames_rendered, >=, 50);
  g_assert_cmpuint (stats.buffers_allocated, >=, 1);
  g_assert_cmpuint (stats.buffers_allocated, <=, stats.pool_size);
  /* Rendered at device pixels. */
  g_assert_cmpint (stats.frame_width, ==, gtk_widget_get_width (GTK_WIDGET (surface)) * scale);
  g_assert_cmpint (stats.frame_height, ==, gtk_widget_get_height (GTK_WIDGET (surface)) * scale);

  /* What GTK draws is the video: red in the middle and at the corners. */
  texture = render_widget (GTK_WIDGET (surface));
  assert_red (texture, gdk_texture_get_width (texture) / 2, gdk_texture_get_height (texture) / 2);
  assert_red (texture, 2, 2);
  assert_red (texture, gdk_texture_get_width (texture) - 3, gdk_texture_get_height (texture) - 3);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  /* meson runs this three times: "--renderer=cairo" or "--renderer=gl"
   * and "--scale=N" choose GSK_RENDERER and GDK_SCALE before GTK starts. */
  for (int i = 1; i < argc; i++)
    {
      if (g_str_has_prefix (argv[i], "--renderer="))
        g_setenv ("GSK_RENDERER", argv[i] + strlen ("--renderer="), TRUE);
      else if (g_str_has_prefix (argv[i], "--scale="))
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
  g_test_init (&argc, &argv, NULL);
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  gtk_init ();
  hw_register_resource ();

  g_test_add_func ("/hyperwall/sw-surface/draws-video", test_draws_video);

  return g_test_run ();
}
