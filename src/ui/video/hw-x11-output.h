/* hw-x11-output.h: an X child window that shows frames put through
 * shared memory, the way mpv's own x11 output does.
 *
 * Owned by one thread, which alone uses it: it has its own connection to
 * the X server (XCB, so an error on it is an event for this thread, never
 * a call into GDK's error handler), its window, and one shared-memory
 * frame buffer. Nothing here knows GTK or mpv.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct _HwX11Output HwX11Output;

/* A window of 1 × 1 pixels, unmapped, made a child of @parent (an X
 * window) on @display_name. Fails, saying why, when the server lacks
 * MIT-SHM or SHAPE, when its visual is not 24-bit xRGB in this machine's
 * byte order, or when shared memory cannot be attached (a sandbox without
 * the host's IPC namespace). */
HwX11Output *hw_x11_output_new        (const char                  *display_name,
                                       guint32                      parent,
                                       GError                     **error);
void         hw_x11_output_free       (HwX11Output                 *self);
/* Whether outputs can work on @display_name, without a window: the
 * extensions, and shared memory the server can attach. */
gboolean     hw_x11_output_probe      (const char                  *display_name,
                                       GError                     **error);

/* Whether the padding byte of each pixel is alpha (the window's visual is
 * 32-bit ARGB, as GTK's toplevels are): it must then be 0xff. */
gboolean     hw_x11_output_needs_alpha (HwX11Output               *self);
/* For poll(): readable when the server sent something; then call
 * hw_x11_output_dispatch(). */
int          hw_x11_output_get_fd     (HwX11Output                 *self);
/* Reads what arrived. TRUE when the window lost its pixels (an expose)
 * and the last frame should be shown again. */
gboolean     hw_x11_output_dispatch   (HwX11Output                 *self);
/* FALSE once the connection broke: nothing will show any more. */
gboolean     hw_x11_output_is_alive   (HwX11Output                 *self);

/* Where the window is in its parent (device pixels), whether it is
 * mapped, and which parts of it are cut out (@holes, in the window's
 * pixels; NULL or empty for none). */
void         hw_x11_output_configure  (HwX11Output                 *self,
                                       const cairo_rectangle_int_t *geometry,
                                       gboolean                     mapped,
                                       const cairo_region_t        *holes);

/* The frame buffer, @width × @height 32-bit (A)RGB pixels, once the server
 * has read the previous frame from it. NULL, with @error set, when shared
 * memory cannot be had: nothing will show. */
guint8      *hw_x11_output_get_buffer (HwX11Output                 *self,
                                       int                          width,
                                       int                          height,
                                       gsize                       *stride,
                                       GError                     **error);
/* Shows what the buffer holds, centred in the window. */
void         hw_x11_output_present    (HwX11Output                 *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HwX11Output, hw_x11_output_free)

G_END_DECLS
