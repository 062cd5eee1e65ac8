/* hw-window.h: the wall's window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hw-types.h"
#include "hw-wall.h"

G_BEGIN_DECLS

#define HW_TYPE_WINDOW (hw_window_get_type ())

G_DECLARE_FINAL_TYPE (HwWindow, hw_window, HW, WINDOW, GtkApplicationWindow)

HwWindow *hw_window_new      (GtkApplication *application);
HwWall   *hw_window_get_wall (HwWindow       *self);
/* A message over the wall, large enough to read from across a room
 * (style.css, .banner); @header or @text may be NULL. */
void      hw_window_show_banner (HwWindow   *self,
                                 const char *header,
                                 const char *text);
void      hw_window_hide_banner (HwWindow   *self);

G_END_DECLS
