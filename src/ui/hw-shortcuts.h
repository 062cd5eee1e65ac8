/* hw-shortcuts.h: every key of the wall, in one table.
 *
 * The accelerators, the shortcuts window (Ctrl+?) and the key table in
 * docs/operating.md all come from this list; tests/ui/test-shortcuts.c
 * checks that table against it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef struct {
  const char *action;        /* detailed: "app.next(-1)" */
  const char *accels;        /* space-separated GTK accelerators */
  const char *kiosk_accels;  /* in kiosk mode, when different; "" for none */
  const char *keys;          /* as docs/operating.md writes them */
  const char *group;         /* N_(): the shortcuts window's group */
  const char *title;         /* N_(): what it does */
} HwShortcut;

const HwShortcut *hw_shortcuts_get            (guint          *n_shortcuts);
/* Sets every accelerator on @app for kiosk mode or not. */
void              hw_shortcuts_apply          (GtkApplication *app,
                                               gboolean        kiosk);
/* A GtkShortcutsWindow listing the table, built from it. */
GtkWindow        *hw_shortcuts_window_new     (GtkWindow      *parent,
                                               gboolean        kiosk);

G_END_DECLS
