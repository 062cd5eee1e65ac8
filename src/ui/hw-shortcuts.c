/* hw-shortcuts.c: every key of the wall, in one table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <glib/gi18n.h>

#include "hw-shortcuts.h"

/* Actions that take a cell get -1 here: the focused cell. */
static const HwShortcut shortcuts[] = {
  { "app.move-focus('left')", "Left", NULL, "Left", N_ ("Cells"),
    N_ ("Move the focus to the cell on the left") },
  { "app.move-focus('right')", "Right", NULL, "Right", N_ ("Cells"),
    N_ ("Move the focus to the cell on the right") },
  { "app.move-focus('up')", "Up", NULL, "Up", N_ ("Cells"),
    N_ ("Move the focus to the cell above") },
  { "app.move-focus('down')", "Down", NULL, "Down", N_ ("Cells"),
    N_ ("Move the focus to the cell below") },
  { "app.move-focus('next')", "Tab", NULL, "Tab", N_ ("Cells"),
    N_ ("Move the focus to the next cell") },
  { "app.move-focus('previous')", "<Shift>Tab <Shift>ISO_Left_Tab", NULL, "Shift+Tab", N_ ("Cells"),
    N_ ("Move the focus to the previous cell") },
  { "app.zoom(-1)", "Return KP_Enter", NULL, "Enter", N_ ("Cells"),
    N_ ("Zoom the focused cell to the whole wall and back") },
  { "app.next(-1)", "n", NULL, "N", N_ ("Cells"), N_ ("Play the next item") },
  { "app.previous(-1)", "p", NULL, "P", N_ ("Cells"), N_ ("Play the previous item again") },
  { "app.toggle-pause(-1)", "space", NULL, "Space", N_ ("Cells"),
    N_ ("Pause or resume the focused cell") },
  { "app.audio(-1)", "m", NULL, "M", N_ ("Cells"),
    N_ ("Make the focused cell audible, or the wall silent again") },
  { "app.reload(-1)", "r", NULL, "R", N_ ("Cells"), N_ ("Reload the focused cell") },
  { "app.repeat(-1)", "l", NULL, "L", N_ ("Cells"),
    N_ ("Repeat the focused cell's item, or move on again") },
  { "app.toggle-pause-wall", "<Shift>space", NULL, "Shift+Space", N_ ("Wall"),
    N_ ("Pause or resume the whole wall") },
  { "app.grow", "plus KP_Add equal", NULL, "+", N_ ("Wall"),
    N_ ("More cells (a row or a column)") },
  { "app.shrink", "minus KP_Subtract", NULL, "−", N_ ("Wall"),
    N_ ("Fewer cells (a row or a column)") },
  /* A kiosk stays fullscreen. */
  { "app.fullscreen", "F11", "", "F11 (not in kiosk mode)", N_ ("Window"),
    N_ ("Fullscreen on or off") },
  { "app.shortcuts", "<Control>question", NULL, "Ctrl+?", N_ ("Window"),
    N_ ("Show the keyboard shortcuts") },
  /* A passer-by at a kiosk must not quit it with a common key. */
  { "app.quit", "<Control>q", "<Control><Alt><Shift>q", "Ctrl+Q (kiosk: Ctrl+Alt+Shift+Q)",
    N_ ("Window"), N_ ("Quit") },
};

const HwShortcut *
hw_shortcuts_get (guint *n_shortcuts)
{
  if (n_shortcuts != NULL)
    *n_shortcuts = G_N_ELEMENTS (shortcuts);
  return shortcuts;
}

static const char *
accels_for (const HwShortcut *shortcut,
            gboolean          kiosk)
{
  return kiosk && shortcut->kiosk_accels != NULL ? shortcut->kiosk_accels : shortcut->accels;
}

void
hw_shortcuts_apply (GtkApplication *app,
                    gboolean        kiosk)
{
  for (guint i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    {
      g_auto(GStrv) accels = g_strsplit (accels_for (&shortcuts[i], kiosk), " ", -1);

      gtk_application_set_accels_for_action (app, shortcuts[i].action,
                                             (const char * const *) accels);
    }
}

/* GTK 4.8 has no API to add sections to a GtkShortcutsWindow (4.14 has),
 * so the window is described in GtkBuilder XML generated from the table. */
GtkWindow *
hw_shortcuts_window_new (GtkWindow *parent,
                         gboolean   kiosk)
{
  g_autoptr(GString) xml = g_string_new (NULL);
  g_autoptr(GtkBuilder) builder = NULL;
  const char *group = NULL;
  GtkWindow *window;

  g_string_append (xml,
                   "<interface><object class='GtkShortcutsWindow' id='window'>"
                   "<property name='modal'>true</property>"
                   "<child><object class='GtkShortcutsSection'>"
                   "<property name='section-name'>wall</property>");
  for (guint i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    {
      g_autofree char *title = g_markup_escape_text (_(shortcuts[i].title), -1);
      /* The first accelerator only: the others are the same key elsewhere
       * on the keyboard (keypad, Shift+Tab's other name). */
      g_auto(GStrv) accels = g_strsplit (accels_for (&shortcuts[i], kiosk), " ", 2);
      g_autofree char *accel = NULL;

      if (accels[0] == NULL || *accels[0] == '\0')
        continue;
      accel = g_markup_escape_text (accels[0], -1);

      if (g_strcmp0 (group, shortcuts[i].group) != 0)
        {
          g_autofree char *name = g_markup_escape_text (_(shortcuts[i].group), -1);

          if (group != NULL)
            g_string_append (xml, "</object></child>");
          group = shortcuts[i].group;
          g_string_append_printf (xml, "<child><object class='GtkShortcutsGroup'>"
                                  "<property name='title'>%s</property>", name);
        }
      g_string_append_printf (xml, "<child><object class='GtkShortcutsShortcut'>"
                              "<property name='title'>%s</property>"
                              "<property name='accelerator'>%s</property>"
                              "</object></child>", title, accel);
    }
  g_string_append (xml, "</object></child></object></child></object></interface>");

  builder = gtk_builder_new_from_string (xml->str, xml->len);
  /* GTK keeps toplevels alive: the window outlives the builder. */
  window = GTK_WINDOW (gtk_builder_get_object (builder, "window"));
  gtk_window_set_transient_for (window, parent);
  return window;
}
