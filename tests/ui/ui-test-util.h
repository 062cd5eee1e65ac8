/* ui-test-util.h: waiting on the main loop in GTK tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hw-cell.h"

G_BEGIN_DECLS

/* Runs the main loop for @duration_us. */
void     ui_test_spin            (gint64  duration_us);
/* Runs the main loop until @cell has shown @frames frames, at most
 * @timeout_us; whether it did. */
gboolean ui_test_wait_for_frames (HwCell *cell,
                                  guint64 frames,
                                  gint64  timeout_us);

/* The first widget of @type at or below @widget, depth first, or NULL. */
GtkWidget *ui_test_find_widget   (GtkWidget *widget,
                                  GType      type);

G_END_DECLS
