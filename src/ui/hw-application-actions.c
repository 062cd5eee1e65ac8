/* hw-application-actions.c: every operator command as an app.* action.
 *
 * Keys bind to these through hw-shortcuts.c; scripts reach them over
 * D-Bus (`gapplication action org.example.Hyperwall next 2`). Actions that
 * act on a cell take its index, -1 for the focused one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-application-private.h"
#include "hw-layout.h"
#include "hw-cell.h"
#include "hw-log-throttle.h"
#include "hw-shortcuts.h"
#include "hw-source-spec.h"
#include "hw-spec-message.h"

#define MAX_LINES 8

static HwApplication *
app_of (gpointer user_data)
{
  return HW_APPLICATION (user_data);
}

static HwCell *
cell_for (HwApplication *self,
          GVariant      *parameter)
{
  int index = g_variant_get_int32 (parameter);

  if (self->controller == NULL)
    return NULL;
  if (index < 0)
    index = hw_wall_controller_get_focused (self->controller);
  return hw_wall_controller_get_cell (self->controller, index);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  g_message ("Quit requested");
  g_application_quit (G_APPLICATION (user_data));
}

/* app.next(i): the cell moves on to its next item (and un-parks). */
static void
next_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  HwCell *cell = cell_for (app_of (user_data), parameter);

  if (cell != NULL)
    hw_cell_supervisor_next (hw_cell_get_supervisor (cell));
}

/* app.previous(i): back to the item it played before. */
static void
previous_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  /* Remote commands can ask hundreds of times a second (hw-remote-control.c). */
  static HwLogThrottle *log;
  HwCell *cell = cell_for (app_of (user_data), parameter);
  g_autofree char *source = NULL;

  if (cell == NULL || hw_cell_supervisor_previous (hw_cell_get_supervisor (cell)))
    return;
  if (log == NULL)
    log = hw_log_throttle_new (5);
  source = g_strdup_printf ("cell %u: no previous item",
                            hw_cell_supervisor_get_index (hw_cell_get_supervisor (cell)));
  if (hw_log_throttle_allow (log, source))
    g_message ("%s", source);
}

/* app.reload(i): a fresh player and a fresh item. */
static void
reload_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  HwCell *cell = cell_for (app_of (user_data), parameter);

  if (cell != NULL)
    hw_cell_supervisor_reset (hw_cell_get_supervisor (cell));
}

/* app.repeat(i): the cell plays its item again when it ends, or moves on
 * again (the session socket's SetRepeatMode). */
static void
repeat_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  HwCell           *cell = cell_for (app_of (user_data), parameter);
  HwCellSupervisor *supervisor;

  if (cell == NULL)
    return;
  supervisor = hw_cell_get_supervisor (cell);
  hw_cell_supervisor_set_repeat (supervisor, !hw_cell_supervisor_get_repeat (supervisor));
}

static void
toggle_pause_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  HwApplication *self = app_of (user_data);

  if (self->controller != NULL)
    hw_wall_controller_toggle_pause (self->controller, g_variant_get_int32 (parameter));
}

static void
toggle_pause_wall_activated (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  HwApplication *self = app_of (user_data);

  if (self->controller != NULL)
    hw_wall_controller_toggle_pause_wall (self->controller);
}

/* app.move-focus(s): left, right, up, down, next or previous. */
static void
move_focus_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  HwApplication *self = app_of (user_data);

  if (self->controller != NULL)
    hw_wall_controller_move_focus (self->controller, g_variant_get_string (parameter, NULL));
}

static void
focus_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  HwApplication *self = app_of (user_data);

  if (self->controller != NULL)
    hw_wall_controller_set_focused (self->controller, g_variant_get_int32 (parameter));
}

static void
zoom_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  HwApplication *self = app_of (user_data);

  if (self->controller != NULL)
    hw_wall_controller_toggle_zoom (self->controller, g_variant_get_int32 (parameter));
}

static void
audio_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  HwApplication *self = app_of (user_data);

  if (self->controller != NULL)
    hw_wall_controller_toggle_audio (self->controller, g_variant_get_int32 (parameter));
}

/* + adds a column while the wall is no wider than tall, else a row; −
 * takes one away the other way round, so the cells stay near square.
 * On a layout they leave it for the uniform grid one line larger or
 * smaller than the layout's grid (README: Layouts). */
static void
resize_grid (HwApplication *self,
             int            step)
{
  int rows = hw_config_get_int (self->config, "rows");
  int columns = hw_config_get_int (self->config, "columns");
  g_autofree char *spec = hw_config_dup_string (self->config, "layout");
  gboolean on_layout = FALSE;
  gboolean by_column;
  HwLayout layout;

  if (spec != NULL && *g_strstrip (spec) != '\0' && hw_layout_parse (spec, &layout, NULL))
    {
      on_layout = TRUE;
      rows = layout.rows;
      columns = layout.columns;
    }

  by_column = step > 0 ? columns <= rows : columns > rows;
  if (by_column && columns + step >= 1 && columns + step <= MAX_LINES)
    columns += step;
  else if (rows + step >= 1 && rows + step <= MAX_LINES)
    rows += step;
  else if (columns + step >= 1 && columns + step <= MAX_LINES)
    columns += step;

  /* The layout last: while it is set, rows and columns change nothing,
   * so the wall is rebuilt once. */
  hw_config_change (self->config, "rows", g_variant_new_int32 (rows));
  hw_config_change (self->config, "columns", g_variant_new_int32 (columns));
  if (on_layout)
    {
      g_message ("%s on the layout “%s”: the uniform grid %d×%d instead",
                 step > 0 ? "+" : "−", spec, columns, rows);
      hw_config_change (self->config, "layout", g_variant_new_string (""));
    }
}

/* app.set-source((is)): cell i plays source s from now on (empty: the
 * wall's own feed), stored in the `sources` key like any other change. */
static void
set_source_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  HwApplication *self = app_of (user_data);
  g_auto(GStrv) current = hw_config_dup_strv (self->config, "sources");
  g_autoptr(GPtrArray) sources = g_ptr_array_new_with_free_func (g_free);
  HwSourceSpec spec = { 0 };
  HwSpecError problem = { 0 };
  g_autofree char *canonical = NULL;
  const char *text = NULL;
  int index;

  g_variant_get (parameter, "(i&s)", &index, &text);
  if (index < 0 && self->controller != NULL)
    index = hw_wall_controller_get_focused (self->controller);
  if (index < 0 || index > HW_LAYOUT_MAX_CELLS - 1)
    {
      g_warning ("set-source: no cell %d", index);
      return;
    }
  if (!hw_source_spec_parse (text, &spec, &problem))
    {
      g_autofree char *why = hw_spec_error_describe (&problem);

      hw_spec_error_clear (&problem);
      g_warning ("set-source: ignoring the source “%s” for cell %d: %s", text, index, why);
      return;
    }
  canonical = hw_source_spec_to_string (&spec);
  hw_source_spec_clear (&spec);

  for (guint i = 0; current != NULL && current[i] != NULL; i++)
    g_ptr_array_add (sources, g_strdup (current[i]));
  while (sources->len <= (guint) index)
    g_ptr_array_add (sources, g_strdup (""));
  g_free (g_ptr_array_index (sources, index));
  g_ptr_array_index (sources, index) = g_steal_pointer (&canonical);
  while (sources->len > 0 && *(char *) g_ptr_array_index (sources, sources->len - 1) == '\0')
    g_ptr_array_set_size (sources, sources->len - 1);

  g_message ("Cell %d's source set to “%s”", index, (char *) (index < (int) sources->len
                                                      ? g_ptr_array_index (sources, index) : ""));
  hw_config_change (self->config, "sources",
                    g_variant_new_strv ((const char * const *) sources->pdata, sources->len));
}

static void
grow_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  resize_grid (app_of (user_data), +1);
}

static void
shrink_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  resize_grid (app_of (user_data), -1);
}

static void
fullscreen_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  _hw_application_toggle_fullscreen (app_of (user_data));
}

/* app.seek((id)): cell, position in seconds (the session socket's Seek). */
static void
seek_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  HwApplication *self = app_of (user_data);
  int index;
  double seconds;
  HwCell *cell;

  g_variant_get (parameter, "(id)", &index, &seconds);
  if (self->controller == NULL)
    return;
  if (index < 0)
    index = hw_wall_controller_get_focused (self->controller);
  cell = hw_wall_controller_get_cell (self->controller, index);
  if (cell != NULL)
    hw_cell_seek (cell, seconds);
}

/* app.volume(i): 0–100 on the audible cell, if one is. */
static void
volume_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  HwApplication *self = app_of (user_data);
  int audible = hw_config_get_int (self->config, "audio-cell");
  HwCell *cell;

  if (self->controller == NULL || audible < 0)
    return;
  cell = hw_wall_controller_get_cell (self->controller, audible);
  if (cell != NULL)
    hw_cell_set_volume (cell, g_variant_get_int32 (parameter));
}

static void
hide_banner (gpointer user_data)
{
  HwApplication *self = user_data;

  self->banner_source = 0;
  if (self->window != NULL)
    hw_window_hide_banner (self->window);
  if (self->controller != NULL)
    hw_wall_controller_set_banner (self->controller, FALSE, NULL, NULL);
}

/* A message over the wall for @timeout_ms. */
static void
show_banner (HwApplication *self,
             const char    *header,
             const char    *text,
             guint          timeout_ms)
{
  /* Remote commands can ask hundreds of times a second (hw-remote-control.c). */
  static HwLogThrottle *log;

  if (header != NULL && *header == '\0')
    header = NULL;
  if (text != NULL && *text == '\0')
    text = NULL;
  if (self->window == NULL || (header == NULL && text == NULL))
    return;

  if (log == NULL)
    log = hw_log_throttle_new (5);
  if (hw_log_throttle_allow (log, "Banner"))
    g_message ("Showing a message for %u s", (timeout_ms + 999) / 1000);
  hw_window_show_banner (self->window, header, text);
  if (self->controller != NULL)
    hw_wall_controller_set_banner (self->controller, TRUE, header, text);
  g_clear_handle_id (&self->banner_source, g_source_remove);
  self->banner_source = g_timeout_add_once (MAX (1, timeout_ms), hide_banner, self);
}

/* app.show-message((ssu)): header, text, milliseconds; over the wall. */
static void
show_message_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  const char *header;
  const char *text;
  guint32 timeout_ms;

  g_variant_get (parameter, "(&s&su)", &header, &text, &timeout_ms);
  show_banner (app_of (user_data), header, text,
               CLAMP (timeout_ms, 1000, 10 * 60 * 1000));
}

static void
shortcuts_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  HwApplication *self = app_of (user_data);

  if (self->window != NULL)
    gtk_window_present (hw_shortcuts_window_new (GTK_WINDOW (self->window), self->kiosk));
}

void
_hw_application_add_actions (HwApplication *self)
{
  static const GActionEntry actions[] = {
    { "quit", quit_activated },
    { "next", next_activated, "i" },
    { "previous", previous_activated, "i" },
    { "reload", reload_activated, "i" },
    { "repeat", repeat_activated, "i" },
    { "toggle-pause", toggle_pause_activated, "i" },
    { "toggle-pause-wall", toggle_pause_wall_activated },
    { "move-focus", move_focus_activated, "s" },
    { "focus", focus_activated, "i" },
    { "zoom", zoom_activated, "i" },
    { "audio", audio_activated, "i" },
    { "grow", grow_activated },
    { "shrink", shrink_activated },
    { "fullscreen", fullscreen_activated },
    { "shortcuts", shortcuts_activated },
    { "seek", seek_activated, "(id)" },
    { "volume", volume_activated, "i" },
    { "show-message", show_message_activated, "(ssu)" },
    { "set-source", set_source_activated, "(is)" },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
}
