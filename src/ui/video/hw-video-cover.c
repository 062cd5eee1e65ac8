/* hw-video-cover.c: widgets drawn over video.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <math.h>

#include "hw-video-cover.h"

typedef struct {
  int      edge;
  int      outset;
  gboolean shown;
} Cover;

static GQuark
cover_quark (void)
{
  return g_quark_from_static_string ("hw-video-cover");
}

void
hw_video_cover_mark (GtkWidget *widget,
                     int        edge,
                     int        outset)
{
  Cover *cover = g_new0 (Cover, 1);

  g_return_if_fail (GTK_IS_WIDGET (widget));

  cover->edge = MAX (edge, 0);
  cover->outset = MAX (outset, 0);
  cover->shown = TRUE;
  g_object_set_qdata_full (G_OBJECT (widget), cover_quark (), cover, g_free);
}

void
hw_video_cover_set_shown (GtkWidget *widget,
                          gboolean   shown)
{
  Cover *cover;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  cover = g_object_get_qdata (G_OBJECT (widget), cover_quark ());
  g_return_if_fail (cover != NULL);
  if (cover->shown == !!shown)
    return;
  cover->shown = !!shown;
  /* Outputs recompute their cut-outs after GTK paints. */
  gtk_widget_queue_draw (widget);
}

/* @rect in @target's coordinates, scaled and grown to whole device pixels. */
static cairo_rectangle_int_t
device_rect (const graphene_rect_t *rect,
             int                    scale)
{
  int x0 = (int) floor (rect->origin.x * scale);
  int y0 = (int) floor (rect->origin.y * scale);
  int x1 = (int) ceil ((rect->origin.x + rect->size.width) * scale);
  int y1 = (int) ceil ((rect->origin.y + rect->size.height) * scale);

  return (cairo_rectangle_int_t) { x0, y0, MAX (x1 - x0, 0), MAX (y1 - y0, 0) };
}

static void
add_cover (cairo_region_t *region,
           GtkWidget      *widget,
           const Cover    *cover,
           GtkWidget      *target,
           int             scale)
{
  graphene_rect_t bounds;
  cairo_rectangle_int_t outer, inner;
  cairo_region_t *area;

  if (!gtk_widget_compute_bounds (widget, target, &bounds))
    return;

  graphene_rect_inset (&bounds, -cover->outset, -cover->outset);
  outer = device_rect (&bounds, scale);
  area = cairo_region_create_rectangle (&outer);
  if (cover->edge > 0)
    {
      graphene_rect_inset (&bounds, cover->outset + cover->edge, cover->outset + cover->edge);
      if (bounds.size.width > 0 && bounds.size.height > 0)
        {
          /* The inside stays video: shrink it to whole pixels. */
          inner = device_rect (&bounds, scale);
          inner.x += 1;
          inner.y += 1;
          inner.width -= 2;
          inner.height -= 2;
          if (inner.width > 0 && inner.height > 0)
            cairo_region_subtract_rectangle (area, &inner);
        }
    }
  cairo_region_union (region, area);
  cairo_region_destroy (area);
}

static void
collect (cairo_region_t *region,
         GtkWidget      *widget,
         GtkWidget      *target,
         int             scale)
{
  Cover *cover;

  if (!gtk_widget_get_visible (widget) || !gtk_widget_get_child_visible (widget))
    return;

  cover = g_object_get_qdata (G_OBJECT (widget), cover_quark ());
  if (cover != NULL)
    {
      if (cover->shown && gtk_widget_is_drawable (widget))
        add_cover (region, widget, cover, target, scale);
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect (region, child, target, scale);
}

cairo_region_t *
hw_video_cover_collect (GtkWidget *target,
                        int        scale)
{
  cairo_region_t *region = cairo_region_create ();
  cairo_rectangle_int_t clip = {
    0, 0, gtk_widget_get_width (target) * scale, gtk_widget_get_height (target) * scale
  };
  GtkWidget *root;

  g_return_val_if_fail (GTK_IS_WIDGET (target), region);

  root = GTK_WIDGET (gtk_widget_get_root (target));
  if (root == NULL)
    return region;
  collect (region, root, target, scale);
  cairo_region_intersect_rectangle (region, &clip);
  return region;
}
