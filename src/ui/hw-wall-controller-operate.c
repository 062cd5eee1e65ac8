/* hw-wall-controller-operate.c: what the operator does to the wall.
 *
 * The focus (ring, arrow keys, a timer that moves it), the zoom, the one
 * audible cell, pausing, and the settings that apply live by changing
 * cells: renderer (rebuilt one at a time), show-titles, focus-cycle-interval.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-wall-controller-private.h"

static HwCell *
cell_at (HwWallController *self,
         int               index)
{
  if (index < 0)
    index = self->focused;
  return index < (int) self->cells->len ? g_ptr_array_index (self->cells, index) : NULL;
}

/* ------------------------------------------------------------------ */
/* Layout and zoom                                                     */

void
_hw_wall_controller_apply_layout (HwWallController *self)
{
  const HwLayout *layout = &self->layout;

  for (guint i = 0; i < self->cells->len && i < layout->n_cells; i++)
    {
      HwCell *cell = g_ptr_array_index (self->cells, i);
      const HwLayoutArea *a = &layout->cells[i];
      gboolean shown = self->zoomed < 0 || (int) i == self->zoomed;

      if (self->zoomed == (int) i)
        hw_wall_place_spanning (self->wall, cell, 0, 0, layout->rows, layout->columns);
      else
        hw_wall_place_spanning (self->wall, cell, a->y, a->x, a->height, a->width);
      /* Hidden: unmapped, so its surface draws nothing. */
      gtk_widget_set_visible (GTK_WIDGET (cell), shown);
      hw_cell_set_focused (cell, (int) i == self->focused);
    }
  /* The wall's Emby session shows the focused cell. */
  if (self->focused >= 0)
    hw_feed_set_focused_cell (self->feed, self->focused);
}

int
hw_wall_controller_get_zoomed (HwWallController *self)
{
  g_return_val_if_fail (HW_IS_WALL_CONTROLLER (self), -1);
  return self->zoomed;
}

/* Cells hidden by a zoom need not decode either: they are paused, and
 * only those the zoom paused are resumed afterwards. */
static void
pause_hidden (HwWallController *self,
              gboolean          paused)
{
  for (guint i = 0; i < self->cells->len && i < 64; i++)
    {
      HwCellSupervisor *supervisor = hw_cell_get_supervisor (g_ptr_array_index (self->cells, i));
      guint64 bit = G_GUINT64_CONSTANT (1) << i;

      /* A cell between items pauses at its next first frame, so it is
       * the zoom's to resume too. */
      if (paused && (int) i != self->zoomed && !hw_cell_supervisor_get_wants_pause (supervisor))
        {
          hw_cell_supervisor_set_paused (supervisor, TRUE);
          if (hw_cell_supervisor_get_wants_pause (supervisor))
            self->zoom_paused |= bit;
        }
      else if (!paused && (self->zoom_paused & bit) != 0)
        hw_cell_supervisor_set_paused (supervisor, FALSE);
    }
  if (!paused)
    self->zoom_paused = 0;
}

void
hw_wall_controller_toggle_zoom (HwWallController *self,
                                int               index)
{
  g_return_if_fail (HW_IS_WALL_CONTROLLER (self));

  if (index < 0)
    index = self->focused;
  if (index >= (int) self->cells->len)
    return;

  if (self->zoomed >= 0)
    {
      pause_hidden (self, FALSE);
      self->zoomed = -1;
    }
  else
    {
      self->zoomed = index;
      self->focused = index;
      pause_hidden (self, TRUE);
    }
  g_message ("Zoom: %s", self->zoomed >= 0 ? "one cell" : "the whole wall");
  _hw_wall_controller_apply_layout (self);
  if (self->status != NULL)
    hw_status_writer_schedule (self->status);
}

/* ------------------------------------------------------------------ */
/* Focus                                                               */

int
hw_wall_controller_get_focused (HwWallController *self)
{
  g_return_val_if_fail (HW_IS_WALL_CONTROLLER (self), 0);
  return self->focused;
}

void
hw_wall_controller_set_focused (HwWallController *self,
                                int               index)
{
  HwCell *cell;

  g_return_if_fail (HW_IS_WALL_CONTROLLER (self));

  if (index < 0 || index >= (int) self->cells->len)
    return;

  hw_wall_reveal_focus (self->wall);
  if (index == self->focused)
    return;

  if ((cell = cell_at (self, self->focused)) != NULL)
    hw_cell_set_focused (cell, FALSE);
  self->focused = index;
  /* Tab, a click or a command: the ring starts over at the cell's corner. */
  self->focus_track = hw_layout_focus_cell (&self->layout, index);
  hw_cell_set_focused (cell_at (self, index), TRUE);
  hw_feed_set_focused_cell (self->feed, index);
  /* While zoomed, the focus takes the zoom along. */
  if (self->zoomed >= 0 && self->zoomed != index)
    {
      pause_hidden (self, FALSE);
      self->zoomed = index;
      pause_hidden (self, TRUE);
      _hw_wall_controller_apply_layout (self);
    }
  if (self->status != NULL)
    hw_status_writer_schedule (self->status);
}

void
hw_wall_controller_move_focus (HwWallController *self,
                               const char       *direction)
{
  static const struct {
    const char        *name;
    HwLayoutDirection  direction;
  } arrows[] = {
    { "left", HW_LAYOUT_LEFT },
    { "right", HW_LAYOUT_RIGHT },
    { "up", HW_LAYOUT_UP },
    { "down", HW_LAYOUT_DOWN },
  };
  int n;

  g_return_if_fail (HW_IS_WALL_CONTROLLER (self));

  n = self->cells->len;
  if (n == 0)
    return;

  /* Tab goes by index, whatever the cells' sizes. */
  if (g_strcmp0 (direction, "next") == 0)
    {
      hw_wall_controller_set_focused (self, (self->focused + 1) % n);
      return;
    }
  if (g_strcmp0 (direction, "previous") == 0)
    {
      hw_wall_controller_set_focused (self, (self->focused + n - 1) % n);
      return;
    }

  /* The arrows go by place: across spans, along the row or column the
   * ring last passed through (hw-layout.h). */
  for (guint i = 0; i < G_N_ELEMENTS (arrows); i++)
    if (g_strcmp0 (direction, arrows[i].name) == 0)
      {
        HwLayoutFocus from = self->focus_track;
        HwLayoutFocus to;

        if (from.cell != (guint) self->focused)
          from = hw_layout_focus_cell (&self->layout, self->focused);
        to = hw_layout_move_focus (&self->layout, from, arrows[i].direction);
        hw_wall_controller_set_focused (self, to.cell);
        self->focus_track = to;
        return;
      }

  g_warning ("Unknown focus direction “%s”", direction);
}

/* The focus-cycle-interval timer: the focus, and the sound when a cell is
 * audible, walk through the wall. */
static gboolean
focus_cycle_cb (gpointer user_data)
{
  HwWallController *self = user_data;

  hw_wall_controller_move_focus (self, "next");
  if (hw_config_get_int (self->config, "audio-cell") >= 0)
    hw_config_change (self->config, "audio-cell", g_variant_new_int32 (self->focused));
  return G_SOURCE_CONTINUE;
}

static void
on_focus_cycle_changed (HwWallController *self)
{
  int seconds = hw_config_get_int (self->config, "focus-cycle-interval");

  g_clear_handle_id (&self->focus_cycle_id, g_source_remove);
  if (seconds > 0)
    self->focus_cycle_id = g_timeout_add_seconds (seconds, focus_cycle_cb, self);
}

/* ------------------------------------------------------------------ */
/* Audio and pause                                                     */

void
hw_wall_controller_toggle_audio (HwWallController *self,
                                 int               index)
{
  g_return_if_fail (HW_IS_WALL_CONTROLLER (self));

  if (index < 0)
    index = self->focused;
  if (index >= (int) self->cells->len)
    return;
  /* Through the key, so it stays in step and "changed" does the rest. */
  hw_config_change (self->config, "audio-cell",
                    g_variant_new_int32 (hw_config_get_int (self->config, "audio-cell") == index
                                         ? -1 : index));
}

void
hw_wall_controller_toggle_pause (HwWallController *self,
                                 int               index)
{
  HwCell *cell;
  HwCellSupervisor *supervisor;

  g_return_if_fail (HW_IS_WALL_CONTROLLER (self));

  if ((cell = cell_at (self, index)) == NULL)
    return;
  supervisor = hw_cell_get_supervisor (cell);
  hw_cell_supervisor_set_paused (supervisor, !hw_cell_supervisor_get_wants_pause (supervisor));
  /* The operator decided: the zoom no longer owns this pause. */
  if (hw_cell_supervisor_get_index (supervisor) < 64)
    self->zoom_paused &= ~(G_GUINT64_CONSTANT (1) << hw_cell_supervisor_get_index (supervisor));
}

void
hw_wall_controller_toggle_pause_wall (HwWallController *self)
{
  gboolean all_paused = TRUE;

  g_return_if_fail (HW_IS_WALL_CONTROLLER (self));

  for (guint i = 0; i < self->cells->len; i++)
    if (!hw_cell_supervisor_get_wants_pause (
          hw_cell_get_supervisor (g_ptr_array_index (self->cells, i))))
      all_paused = FALSE;

  for (guint i = 0; i < self->cells->len; i++)
    hw_cell_supervisor_set_paused (hw_cell_get_supervisor (g_ptr_array_index (self->cells, i)),
                                   !all_paused);
  self->zoom_paused = 0;
}

/* ------------------------------------------------------------------ */
/* Keys that apply by changing cells                                   */

static void
on_show_titles_changed (HwWallController *self)
{
  self->show_titles = hw_config_get_boolean (self->config, "show-titles");
  g_message ("Titles %s", self->show_titles ? "shown when an item starts" : "not shown");
  for (guint i = 0; i < self->cells->len; i++)
    hw_cell_set_show_titles (g_ptr_array_index (self->cells, i), self->show_titles);
}

/* One cell every STAGGER_MS: a new renderer means a new player and
 * surface, and all at once would reopen every stream together. */
static gboolean
rebuild_next_cb (gpointer user_data)
{
  HwWallController *self = user_data;
  HwCell *cell = cell_at (self, self->rebuild_next);

  if (cell == NULL)
    {
      self->rebuild_id = 0;
      return G_SOURCE_REMOVE;
    }
  hw_cell_set_settings (cell, &self->settings);
  hw_cell_supervisor_reset (hw_cell_get_supervisor (cell));
  self->rebuild_next++;
  return G_SOURCE_CONTINUE;
}

static void
on_renderer_changed (HwWallController *self)
{
  g_autofree char *name = hw_config_dup_string (self->config, "renderer");
  HwRenderer renderer = hw_renderer_resolve (hw_renderer_from_string (name),
                                             gtk_widget_get_display (GTK_WIDGET (self->wall)));

  if (renderer == self->renderer)
    return;

  g_message ("Renderer changes to %s: rebuilding the cells one at a time", name);
  self->renderer = renderer;
  self->settings.renderer = renderer;
  self->rebuild_next = 0;
  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  self->rebuild_id = g_timeout_add (STAGGER_MS, rebuild_next_cb, self);
}

void
_hw_wall_controller_connect_operate (HwWallController *self)
{
  g_signal_connect_object (self->config, "changed::show-titles",
                           G_CALLBACK (on_show_titles_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->config, "changed::focus-cycle-interval",
                           G_CALLBACK (on_focus_cycle_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->config, "changed::renderer",
                           G_CALLBACK (on_renderer_changed), self, G_CONNECT_SWAPPED);
  on_focus_cycle_changed (self);
}

void
_hw_wall_controller_stop_operate (HwWallController *self)
{
  g_clear_handle_id (&self->focus_cycle_id, g_source_remove);
  g_clear_handle_id (&self->rebuild_id, g_source_remove);
}

/* ------------------------------------------------------------------ */
/* The status file                                                     */

void
hw_wall_controller_set_window_state (HwWallController        *self,
                                     const HwWallWindowState *state)
{
  g_return_if_fail (HW_IS_WALL_CONTROLLER (self));

  if (memcmp (&self->window_state, state, sizeof *state) == 0)
    return;
  self->window_state = *state;
  if (self->status != NULL)
    hw_status_writer_schedule (self->status);
}

static void
add_boolean (JsonBuilder *builder,
             const char  *name,
             gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

void
_hw_wall_controller_add_operate_status (HwWallController *self,
                                        JsonBuilder      *builder)
{
  const HwWallWindowState *w = &self->window_state;

  json_builder_set_member_name (builder, "focused_cell");
  json_builder_add_int_value (builder, self->focused);
  json_builder_set_member_name (builder, "zoomed_cell");
  json_builder_add_int_value (builder, self->zoomed);
  json_builder_set_member_name (builder, "audio_cell");
  json_builder_add_int_value (builder, hw_config_get_int (self->config, "audio-cell"));

  json_builder_set_member_name (builder, "window");
  json_builder_begin_object (builder);
  add_boolean (builder, "fullscreen_requested", w->fullscreen_requested);
  add_boolean (builder, "fullscreen", w->fullscreen);
  add_boolean (builder, "kiosk", w->kiosk);
  add_boolean (builder, "decorated", w->decorated);
  add_boolean (builder, "pointer_hidden", w->pointer_hidden);
  add_boolean (builder, "inhibit_requested", w->inhibit_requested);
  add_boolean (builder, "inhibited", w->inhibited);
  json_builder_set_member_name (builder, "monitor");
  json_builder_add_int_value (builder, w->monitor);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "banner");
  if (self->banner_shown)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "header");
      if (self->banner_header != NULL)
        json_builder_add_string_value (builder, self->banner_header);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "text");
      if (self->banner_text != NULL)
        json_builder_add_string_value (builder, self->banner_text);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);
}

void
hw_wall_controller_set_banner (HwWallController *self,
                               gboolean          shown,
                               const char       *header,
                               const char       *text)
{
  g_return_if_fail (HW_IS_WALL_CONTROLLER (self));

  self->banner_shown = shown;
  g_free (self->banner_header);
  self->banner_header = shown ? g_strdup (header) : NULL;
  g_free (self->banner_text);
  self->banner_text = shown ? g_strdup (text) : NULL;
  if (self->status != NULL)
    hw_status_writer_schedule (self->status);
}
