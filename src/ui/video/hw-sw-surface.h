/* hw-sw-surface.h: mpv's software render API on a per-cell thread (an
 * HwVideoSurface for machines without a GPU).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hw-player.h"

G_BEGIN_DECLS

#define HW_TYPE_SW_SURFACE (hw_sw_surface_get_type ())

G_DECLARE_FINAL_TYPE (HwSwSurface, hw_sw_surface, HW, SW_SURFACE, GtkWidget)

GtkWidget *hw_sw_surface_new (HwPlayer *player);

/* The size frames are rendered at for a widget of @width × @height pixels:
 * at most 1920 × 1080, shrunk by one factor so the aspect stays. */
void       hw_sw_surface_clamp_size (int  width,
                                     int  height,
                                     int *out_width,
                                     int *out_height);

G_END_DECLS
