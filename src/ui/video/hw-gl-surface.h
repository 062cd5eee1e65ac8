/* hw-gl-surface.h: mpv's OpenGL render API in a GtkGLArea (an
 * HwVideoSurface for real GPUs).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hw-player.h"

G_BEGIN_DECLS

#define HW_TYPE_GL_SURFACE (hw_gl_surface_get_type ())

G_DECLARE_FINAL_TYPE (HwGlSurface, hw_gl_surface, HW, GL_SURFACE, GtkGLArea)

GtkWidget *hw_gl_surface_new (HwPlayer *player);

/* Render contexts of unrealized surfaces wait for their players to go idle
 * (see hw-gl-surface.c); at shutdown, before the window goes, this runs
 * the main loop until they are freed, at most @timeout_us, then frees the
 * rest at once. */
void       hw_gl_surface_finish_retired (gint64 timeout_us);

G_END_DECLS
