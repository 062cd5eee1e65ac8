/* hw-sw-surface.h: mpv's software render API on a per-cell thread
 * (hw-render-thread.h), its frames drawn by GTK (an HwVideoSurface for
 * machines without a GPU).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hw-player.h"

G_BEGIN_DECLS

#define HW_TYPE_SW_SURFACE (hw_sw_surface_get_type ())

G_DECLARE_FINAL_TYPE (HwSwSurface, hw_sw_surface, HW, SW_SURFACE, GtkWidget)

/* What the frame path did since realize: for tests and benchmarks. */
typedef struct {
  gboolean cairo;               /* drawn through cairo, not as textures */
  guint    pool_size;
  int      frame_width;         /* the last frame shown, in device pixels */
  int      frame_height;
  guint64  frames_rendered;     /* rendered and handed to the main thread */
  guint64  frames_replaced;     /* rendered, replaced by a newer one before shown */
  guint64  frames_skipped;      /* not rendered: every buffer was still held */
  guint64  buffers_allocated;   /* buffer allocations (a resize reallocates) */
} HwSwSurfaceStats;

GtkWidget *hw_sw_surface_new       (HwPlayer         *player);
void       hw_sw_surface_get_stats (HwSwSurface      *self,
                                    HwSwSurfaceStats *stats);

G_END_DECLS
