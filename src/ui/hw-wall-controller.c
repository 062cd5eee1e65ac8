/* hw-wall-controller.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <gtk/gtk.h>

#include "hw-feed-router.h"
#include "hw-redact.h"
#include "hw-spec-message.h"
#include "hw-wall-controller-private.h"
/* Failures of several cells this close together suggest the server. */
#define SYSTEMIC_WINDOW_US (5 * HW_USEC_PER_SEC)
#define STATUS_PERIOD_MS 1000

G_DEFINE_FINAL_TYPE (HwWallController, hw_wall_controller, G_TYPE_OBJECT)

static void write_status (HwWallController *self);

static gint64
seconds_us (HwWallController *self,
            const char       *key)
{
  return (gint64) hw_config_get_int (self->config, key) * HW_USEC_PER_SEC;
}

static void
read_settings (HwWallController *self)
{
  HwCellSettings *s = &self->settings;

  g_free (self->hwdec);
  self->hwdec = hw_config_dup_string (self->config, "hwdec");

  hw_cell_policy_init_defaults (&s->policy);
  s->policy.crash_loop_threshold = hw_config_get_int (self->config, "crash-loop-threshold");
  s->policy.crash_loop_window_us = seconds_us (self, "crash-loop-window");
  s->policy.crash_loop_cooldown_us = seconds_us (self, "crash-loop-cooldown");
  s->policy.backoff_initial_us = seconds_us (self, "backoff-initial");
  s->policy.backoff_max_us = seconds_us (self, "backoff-max");
  s->policy.backoff_reset_us = seconds_us (self, "backoff-reset");
  s->stall.stall_timeout_us = seconds_us (self, "stall-timeout");
  s->stall.load_timeout_us = seconds_us (self, "load-timeout");
  /* Bytes that stop flowing are an early sign; half the stall timeout
   * keeps short hiccups from counting. */
  s->stall.network_stall_us = s->stall.stall_timeout_us / 2;
  s->watchdog_interval_ms = hw_config_get_int (self->config, "watchdog-interval");
  s->cycle_interval_us = seconds_us (self, "cycle-interval");
  /* mpv's own reconnect must give up before our watchdog would. */
  s->network_timeout_s = MAX (1, hw_config_get_int (self->config, "stall-timeout"));
  s->hwdec = self->hwdec;
  s->renderer = self->renderer;
}

static void
split_cache (HwWallController *self)
{
  guint64 budget = (guint64) hw_config_get_int (self->config, "cache-budget-mb") * HW_MIB;
  guint64 cap = (guint64) hw_config_get_int (self->config, "cache-per-cell-mb") * HW_MIB;
  const HwLayout *layout = &self->layout;
  guint weights[HW_LAYOUT_MAX_CELLS];
  guint smallest = 0;

  /* A cell gets a share for every grid square it covers. */
  for (guint i = 0; i < layout->n_cells; i++)
    {
      weights[i] = hw_layout_cell_weight (layout, i);
      if (weights[i] < weights[smallest])
        smallest = i;
    }
  hw_cache_split_weighted (budget, cap, weights, layout->n_cells, self->cell_cache);
  self->cache = layout->n_cells > 0 ? self->cell_cache[smallest] : (HwCacheSplit) { 0, 0, 0 };

  g_message ("Cache budget %" G_GUINT64_FORMAT " MiB over %u cells: %" G_GUINT64_FORMAT
             " MiB each (%" G_GUINT64_FORMAT " forward, %" G_GUINT64_FORMAT " back)%s",
             budget / HW_MIB, layout->n_cells, self->cache.per_cell_bytes / HW_MIB,
             self->cache.forward_bytes / HW_MIB, self->cache.back_bytes / HW_MIB,
             hw_layout_is_uniform (layout) ? "" : ", larger cells by area");
}

/* ------------------------------------------------------------------ */
/* Cells                                                               */

static void
schedule_status (HwWallController *self);

static void
on_cell_status_changed (HwWallController *self)
{
  schedule_status (self);
}

static void
on_cell_failure (HwWallController *self,
                 const char       *why,
                 HwCellSupervisor *supervisor)
{
  gint64 now = g_get_monotonic_time ();

  if (self->server_state != HW_SERVER_STATE_ONLINE)
    return;

  if (!hw_systemic_detector_record (&self->systemic, hw_cell_supervisor_get_index (supervisor),
                                    self->cells->len, SYSTEMIC_WINDOW_US, now))
    return;

  /* After a probe found the server up, failures count as usual for a
   * while, so a small wall whose media keeps failing still parks. */
  if (self->last_suspect_us != 0 &&
      now - self->last_suspect_us < self->settings.policy.crash_loop_window_us)
    return;

  self->last_suspect_us = now;
  hw_systemic_detector_clear (&self->systemic);
  g_message ("Most of the wall failed within %d s: checking the server before blaming the media",
             (int) (SYSTEMIC_WINDOW_US / HW_USEC_PER_SEC));
  hw_feed_suspect_server (self->feed);
}

static HwCell *
create_cell (HwWallController *self,
             guint             index)
{
  /* The controller owns the cells; the wall only shows them. */
  HwCell *cell = g_object_ref_sink (hw_cell_new (index, self->feed, &self->settings,
                                                 &self->cell_cache[index]));

  g_signal_connect_object (hw_cell_get_supervisor (cell), "status-changed",
                           G_CALLBACK (on_cell_status_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (hw_cell_get_supervisor (cell), "failure",
                           G_CALLBACK (on_cell_failure), self, G_CONNECT_SWAPPED);
  hw_cell_supervisor_server_state_changed (hw_cell_get_supervisor (cell), self->server_state,
                                           hw_feed_get_server_reason (self->feed));
  hw_cell_supervisor_set_audible (hw_cell_get_supervisor (cell),
                                  (int) index == hw_config_get_int (self->config, "audio-cell"));
  hw_cell_set_show_titles (cell, self->show_titles);
  return cell;
}

typedef struct {
  HwWallController *self;
  HwCell           *cell;
  guint             id;
} StartData;

static gboolean
start_cell_cb (gpointer user_data)
{
  StartData *data = user_data;

  data->self->start_timers = g_list_remove (data->self->start_timers,
                                            GUINT_TO_POINTER (data->id));
  hw_cell_supervisor_start (hw_cell_get_supervisor (data->cell));
  return G_SOURCE_REMOVE;
}

static void
start_data_free (gpointer user_data)
{
  StartData *data = user_data;

  g_object_unref (data->cell);
  g_free (data);
}

static void
start_staggered (HwWallController *self,
                 HwCell           *cell,
                 guint             slot)
{
  StartData *data = g_new0 (StartData, 1);
  guint apart = self->server_state == HW_SERVER_STATE_NONE ? LOCAL_STAGGER_MS : STAGGER_MS;

  data->self = self;
  data->cell = g_object_ref (cell);
  data->id = g_timeout_add_full (G_PRIORITY_DEFAULT, slot * apart,
                                 start_cell_cb, data, start_data_free);
  self->start_timers = g_list_prepend (self->start_timers, GUINT_TO_POINTER (data->id));
}

static void
cancel_staggered (HwWallController *self)
{
  for (GList *l = self->start_timers; l != NULL; l = l->next)
    g_source_remove (GPOINTER_TO_UINT (l->data));
  g_clear_pointer (&self->start_timers, g_list_free);
}

static void
apply_cache (HwWallController *self)
{
  for (guint i = 0; i < self->cells->len; i++)
    hw_cell_supervisor_set_cache (hw_cell_get_supervisor (g_ptr_array_index (self->cells, i)),
                                  &self->cell_cache[i]);
}

/* Where a cell of the old layout went in the new one, -1: gone. */
static int
new_index_of (const int *old_for_new,
              guint      n_new,
              int        old_index)
{
  for (guint i = 0; i < n_new; i++)
    if (old_index >= 0 && old_for_new[i] == old_index)
      return (int) i;
  return -1;
}

/* Keeps the cells that cover the same part of the wall (or, between
 * uniform grids, keep their index: hw_layout_match), adds or removes the
 * rest; the kept ones play on, under their new index. */
static void
rebuild_grid (HwWallController *self,
              const HwLayout   *next)
{
  int old_for_new[HW_LAYOUT_MAX_CELLS];
  g_autoptr(GPtrArray) old = g_steal_pointer (&self->cells);
  gboolean kept[HW_LAYOUT_MAX_CELLS] = { FALSE, };
  int audio = hw_config_get_int (self->config, "audio-cell");
  guint64 zoom_paused = 0;
  guint slot = 0;

  hw_layout_match (&self->layout, next, old_for_new);
  for (guint i = 0; i < next->n_cells; i++)
    if (old_for_new[i] >= 0)
      kept[old_for_new[i]] = TRUE;

  /* The focus and the zoom follow their cell; the zoom's pauses too. */
  self->focused = MAX (new_index_of (old_for_new, next->n_cells, self->focused), 0);
  self->zoomed = new_index_of (old_for_new, next->n_cells, self->zoomed);
  for (guint i = 0; i < next->n_cells; i++)
    if (old_for_new[i] >= 0 && old_for_new[i] < 64 &&
        (self->zoom_paused & (G_GUINT64_CONSTANT (1) << old_for_new[i])) != 0)
      zoom_paused |= G_GUINT64_CONSTANT (1) << i;
  self->zoom_paused = zoom_paused;

  self->layout = *next;
  self->focus_track = hw_layout_focus_cell (&self->layout, self->focused);
  split_cache (self);

  /* Gone first, so that their stopped reports carry their old index. */
  for (guint j = 0; j < old->len; j++)
    if (!kept[j])
      {
        HwCell *cell = g_ptr_array_index (old, j);

        hw_cell_shutdown (cell);
        hw_wall_remove (self->wall, cell);
      }

  /* The kept cells' shares before the new cells start, so that the total
   * never goes over budget while cells are added. */
  self->cells = g_ptr_array_new_full (next->n_cells, g_object_unref);
  for (guint i = 0; i < next->n_cells; i++)
    {
      HwCell *cell;
      HwCellSupervisor *supervisor;

      if (old_for_new[i] < 0)
        {
          g_ptr_array_add (self->cells, NULL);
          continue;
        }
      cell = g_object_ref (g_ptr_array_index (old, old_for_new[i]));
      supervisor = hw_cell_get_supervisor (cell);
      if (hw_cell_supervisor_get_index (supervisor) != i)
        hw_cell_supervisor_set_index (supervisor, i);
      hw_cell_supervisor_set_cache (supervisor, &self->cell_cache[i]);
      /* The audio cell is an index: a cell moving in or out of it too. */
      hw_cell_supervisor_set_audible (supervisor, (int) i == audio);
      g_ptr_array_add (self->cells, cell);
    }

  for (guint i = 0; i < next->n_cells; i++)
    if (g_ptr_array_index (self->cells, i) == NULL)
      {
        HwCell *cell = create_cell (self, i);

        g_ptr_array_index (self->cells, i) = cell;
        if (self->started)
          start_staggered (self, cell, slot++);
      }

  /* A zoomed cell that went away leaves the whole grid showing, and the
   * cells its zoom paused play again. */
  if (self->zoomed < 0 && self->zoom_paused != 0)
    {
      for (guint i = 0; i < self->cells->len && i < 64; i++)
        if ((self->zoom_paused & (G_GUINT64_CONSTANT (1) << i)) != 0)
          hw_cell_supervisor_set_paused (
            hw_cell_get_supervisor (g_ptr_array_index (self->cells, i)), FALSE);
      self->zoom_paused = 0;
    }

  hw_systemic_detector_clear (&self->systemic);
  _hw_wall_controller_apply_layout (self);
  schedule_status (self);
}

/* The layout key's layout, or the uniform grid of rows and columns when
 * it is empty. FALSE for a value that does not parse: reported once, and
 * the layout in force stays. */
static gboolean
read_layout (HwWallController *self,
             HwLayout         *layout)
{
  g_autofree char *spec = hw_config_dup_string (self->config, "layout");
  HwSpecError problem;

  if (spec == NULL || *g_strstrip (spec) == '\0')
    {
      hw_layout_init_uniform (layout, hw_config_get_int (self->config, "columns"),
                              hw_config_get_int (self->config, "rows"));
      g_clear_pointer (&self->layout_refused, g_free);
      return TRUE;
    }
  if (hw_layout_parse (spec, layout, &problem))
    {
      g_clear_pointer (&self->layout_refused, g_free);
      return TRUE;
    }

  if (g_strcmp0 (spec, self->layout_refused) != 0)
    {
      g_autofree char *message = hw_spec_error_describe (&problem);

      g_warning ("Ignoring the layout “%s”: %s", spec, message);
      g_free (self->layout_refused);
      self->layout_refused = g_steal_pointer (&spec);
    }
  return FALSE;
}

static void
on_grid_changed (HwWallController *self)
{
  HwLayout next;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  if (!read_layout (self, &next) || hw_layout_equal (&next, &self->layout))
    return;

  before = hw_layout_to_string (&self->layout);
  after = hw_layout_to_string (&next);
  g_message ("Layout changes from %s to %s", before, after);
  rebuild_grid (self, &next);
}

static void
on_cache_changed (HwWallController *self)
{
  split_cache (self);
  apply_cache (self);
  schedule_status (self);
}

/* Timeouts, backoff, crash loop, cycle interval, hwdec: every cell gets
 * them at once (hwdec takes effect with a cell's next player). */
static void
on_settings_changed (HwWallController *self,
                     const char       *key)
{
  read_settings (self);
  for (guint i = 0; i < self->cells->len; i++)
    hw_cell_set_settings (g_ptr_array_index (self->cells, i), &self->settings);
  g_message ("%s changed: the cell settings were handed to %u cells", key, self->cells->len);
}

static void
on_audio_cell_changed (HwWallController *self)
{
  int audio = hw_config_get_int (self->config, "audio-cell");

  for (guint i = 0; i < self->cells->len; i++)
    hw_cell_supervisor_set_audible (hw_cell_get_supervisor (g_ptr_array_index (self->cells, i)),
                                    (int) i == audio);
  schedule_status (self);
}

/* ------------------------------------------------------------------ */
/* The server gate                                                     */

typedef struct {
  HwWallController *self;
  HwCell           *cell;
  guint             id;
} GateData;

static gboolean
open_gate_cb (gpointer user_data)
{
  GateData *data = user_data;

  data->self->gate_timers = g_list_remove (data->self->gate_timers,
                                           GUINT_TO_POINTER (data->id));
  hw_cell_supervisor_server_state_changed (hw_cell_get_supervisor (data->cell),
                                           HW_SERVER_STATE_ONLINE, NULL);
  return G_SOURCE_REMOVE;
}

static void
gate_data_free (gpointer user_data)
{
  GateData *data = user_data;

  g_object_unref (data->cell);
  g_free (data);
}

/* A pending opening is stale as soon as the server state moves on: a
 * flapping server must never send "online" to a cell after "offline". */
static void
cancel_gate_timers (HwWallController *self)
{
  for (GList *l = self->gate_timers; l != NULL; l = l->next)
    g_source_remove (GPOINTER_TO_UINT (l->data));
  g_clear_pointer (&self->gate_timers, g_list_free);
}

static void
open_gate_staggered (HwWallController *self,
                     HwCell           *cell,
                     guint             slot)
{
  GateData *data = g_new0 (GateData, 1);

  data->self = self;
  data->cell = g_object_ref (cell);
  data->id = g_timeout_add_full (G_PRIORITY_DEFAULT, slot * STAGGER_MS,
                                 open_gate_cb, data, gate_data_free);
  self->gate_timers = g_list_prepend (self->gate_timers, GUINT_TO_POINTER (data->id));
}

static gboolean
cell_waits_for_server (HwCell *cell)
{
  HwCellState state = hw_cell_supervisor_get_state (hw_cell_get_supervisor (cell));

  return state == HW_CELL_STATE_WAITING || state == HW_CELL_STATE_SIGN_IN_REQUIRED;
}

static void
on_server_state (HwWallController *self)
{
  HwServerState state = hw_feed_get_server_state (self->feed);
  guint slot = 0;

  if (state == self->server_state)
    return;

  self->server_state = state;
  g_message ("Server is %s", hw_server_state_to_string (state));
  cancel_gate_timers (self);

  if (state == HW_SERVER_STATE_OFFLINE || state == HW_SERVER_STATE_SIGN_IN_REQUIRED)
    self->gate_closed = TRUE;

  for (guint i = 0; i < self->cells->len; i++)
    {
      HwCell *cell = g_ptr_array_index (self->cells, i);

      /* When the gate opens (even by way of "connecting"), the cells that
       * waited come back staggered, never all at once; the cells that kept
       * playing through the outage carry on and only learn it opened. */
      if (state == HW_SERVER_STATE_ONLINE && self->gate_closed && cell_waits_for_server (cell))
        open_gate_staggered (self, cell, slot++);
      else
        hw_cell_supervisor_server_state_changed (hw_cell_get_supervisor (cell), state,
                                                 hw_feed_get_server_reason (self->feed));
    }

  if (state == HW_SERVER_STATE_ONLINE)
    self->gate_closed = FALSE;

  schedule_status (self);
}

/* ------------------------------------------------------------------ */
/* Heartbeats and the status file                                      */

static void
check_heartbeats (HwWallController *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 interval = (gint64) self->settings.watchdog_interval_ms * 1000;

  /* After the main loop itself stood still, no cell is to blame for the
   * ticks it missed meanwhile. */
  hw_heartbeat_check_loop (&self->heartbeat, (gint64) STATUS_PERIOD_MS * 1000, now);

  for (guint i = 0; i < self->cells->len; i++)
    {
      HwCellSupervisor *supervisor = hw_cell_get_supervisor (g_ptr_array_index (self->cells, i));

      if (hw_heartbeat_is_stale (&self->heartbeat, hw_cell_supervisor_get_last_tick (supervisor),
                                 interval, now))
        hw_cell_supervisor_reset (supervisor);
    }
}

/* What the feed fetches besides playback (copies for offline play) waits
 * while any cell buffers. */
static void
tell_feed_buffering (HwWallController *self)
{
  gboolean buffering = FALSE;

  for (guint i = 0; i < self->cells->len && !buffering; i++)
    buffering = hw_cell_supervisor_get_buffering (
      hw_cell_get_supervisor (g_ptr_array_index (self->cells, i)));
  hw_feed_set_buffering (self->feed, buffering);
}

static gboolean
on_tick (gpointer user_data)
{
  HwWallController *self = user_data;

  check_heartbeats (self);
  tell_feed_buffering (self);
  write_status (self);
  return G_SOURCE_CONTINUE;
}

static void
add_server (HwWallController *self,
            JsonBuilder      *builder)
{
  g_autofree char *url = hw_feed_dup_server_url (self->feed);

  json_builder_set_member_name (builder, "server");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, hw_server_state_to_string (self->server_state));
  json_builder_set_member_name (builder, "url");
  if (url != NULL)
    json_builder_add_string_value (builder, url);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
}

static void
add_grid (HwWallController *self,
          JsonBuilder      *builder)
{
  g_autofree char *layout = hw_layout_to_string (&self->layout);

  json_builder_set_member_name (builder, "grid");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "rows");
  json_builder_add_int_value (builder, self->layout.rows);
  json_builder_set_member_name (builder, "columns");
  json_builder_add_int_value (builder, self->layout.columns);
  json_builder_set_member_name (builder, "layout");
  json_builder_add_string_value (builder, layout);
  json_builder_set_member_name (builder, "cache_budget_bytes");
  json_builder_add_int_value (builder, (gint64) hw_config_get_int (self->config, "cache-budget-mb")
                                       * (gint64) HW_MIB);
  json_builder_set_member_name (builder, "cache_per_cell_bytes");
  json_builder_add_int_value (builder, (gint64) self->cache.per_cell_bytes);
  json_builder_end_object (builder);
}

static JsonArray *
int_array (int a,
           int b,
           int c,
           int d)
{
  JsonArray *array = json_array_sized_new (4);

  json_array_add_int_element (array, a);
  json_array_add_int_element (array, b);
  json_array_add_int_element (array, c);
  json_array_add_int_element (array, d);
  return array;
}

/* Where each cell is: "area" in grid squares [x, y, w, h] from the
 * layout, "allocation" in window pixels from GTK (null while a zoom hides
 * it, or before it was laid out). Added to the cells' own objects, which
 * know nothing of the wall around them. */
/* "source": the canonical text of the cell's source, null for the wall's
 * own feed. */
static void
add_cell_source (HwWallController *self,
                 JsonObject       *object,
                 guint             index)
{
  g_autofree char *source = NULL;

  if (HW_IS_FEED_ROUTER (self->feed))
    source = hw_feed_router_dup_source (HW_FEED_ROUTER (self->feed), index);
  if (source != NULL)
    json_object_set_string_member (object, "source", source);
  else
    json_object_set_null_member (object, "source");
}

static void
add_cell_geometry (HwWallController *self,
                   JsonNode         *root)
{
  JsonArray *cells = json_object_get_array_member (json_node_get_object (root), "cells");
  GtkRoot *window = gtk_widget_get_root (GTK_WIDGET (self->wall));

  for (guint i = 0; i < json_array_get_length (cells) && i < self->layout.n_cells; i++)
    {
      JsonObject *object = json_array_get_object_element (cells, i);
      const HwLayoutArea *a = &self->layout.cells[i];
      GtkWidget *cell = GTK_WIDGET (g_ptr_array_index (self->cells, i));
      graphene_rect_t bounds;

      json_object_set_array_member (object, "area",
                                    int_array (a->x, a->y, a->width, a->height));
      if (window != NULL && gtk_widget_get_mapped (cell) &&
          gtk_widget_compute_bounds (cell, GTK_WIDGET (window), &bounds))
        json_object_set_array_member (object, "allocation",
                                      int_array ((int) bounds.origin.x, (int) bounds.origin.y,
                                                 (int) bounds.size.width,
                                                 (int) bounds.size.height));
      else
        json_object_set_null_member (object, "allocation");
      add_cell_source (self, object, i);
    }
}

static JsonNode *
build_status (HwWallController *self)
{
  JsonNode *root;
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "time");
  json_builder_add_double_value (builder, g_get_real_time () / 1e6);
  add_server (self, builder);
  hw_feed_add_status (self->feed, builder);
  add_grid (self, builder);
  _hw_wall_controller_add_operate_status (self, builder);
  if (self->loop_monitor != NULL)
    hw_loop_monitor_add_status (self->loop_monitor, builder);
  json_builder_set_member_name (builder, "cells");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->cells->len; i++)
    hw_cell_supervisor_add_status (hw_cell_get_supervisor (g_ptr_array_index (self->cells, i)),
                                   builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  add_cell_geometry (self, root);
  return root;
}

static void
write_status (HwWallController *self)
{
  g_autoptr(JsonNode) root = NULL;

  if (self->status == NULL)
    return;

  root = build_status (self);
  hw_status_writer_write (self->status, root);
}

static JsonNode *
build_status_cb (gpointer user_data)
{
  return build_status (user_data);
}

/* Coalesces a burst of state changes into one write. */
static void
schedule_status (HwWallController *self)
{
  if (self->status != NULL)
    hw_status_writer_schedule (self->status);
}


/* ------------------------------------------------------------------ */
/* GObject                                                             */

static void
hw_wall_controller_dispose (GObject *object)
{
  HwWallController *self = HW_WALL_CONTROLLER (object);

  hw_wall_controller_shutdown (self);
  if (self->cells != NULL)
    for (guint i = 0; i < self->cells->len; i++)
      hw_wall_remove (self->wall, g_ptr_array_index (self->cells, i));
  g_clear_pointer (&self->cells, g_ptr_array_unref);
  g_clear_object (&self->feed);
  g_clear_object (&self->config);
  g_clear_object (&self->wall);
  g_clear_pointer (&self->status, hw_status_writer_free);
  g_clear_pointer (&self->loop_monitor, hw_loop_monitor_free);

  G_OBJECT_CLASS (hw_wall_controller_parent_class)->dispose (object);
}

static void
hw_wall_controller_finalize (GObject *object)
{
  HwWallController *self = HW_WALL_CONTROLLER (object);

  g_free (self->hwdec);
  g_free (self->layout_refused);
  g_free (self->banner_header);
  g_free (self->banner_text);

  G_OBJECT_CLASS (hw_wall_controller_parent_class)->finalize (object);
}

static void
hw_wall_controller_class_init (HwWallControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hw_wall_controller_dispose;
  object_class->finalize = hw_wall_controller_finalize;
}

static void
hw_wall_controller_init (HwWallController *self)
{
  self->cells = g_ptr_array_new_with_free_func (g_object_unref);
  self->zoomed = -1;
  hw_systemic_detector_init (&self->systemic);
}

static void
connect_config (HwWallController *self)
{
  static const char * const settings_keys[] = {
    "stall-timeout", "watchdog-interval", "load-timeout", "crash-loop-threshold",
    "crash-loop-window", "crash-loop-cooldown", "backoff-initial", "backoff-max",
    "backoff-reset", "cycle-interval", "hwdec",
  };

  g_signal_connect_object (self->config, "changed::rows",
                           G_CALLBACK (on_grid_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->config, "changed::columns",
                           G_CALLBACK (on_grid_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->config, "changed::layout",
                           G_CALLBACK (on_grid_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->config, "changed::cache-budget-mb",
                           G_CALLBACK (on_cache_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->config, "changed::cache-per-cell-mb",
                           G_CALLBACK (on_cache_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->config, "changed::audio-cell",
                           G_CALLBACK (on_audio_cell_changed), self, G_CONNECT_SWAPPED);

  for (guint i = 0; i < G_N_ELEMENTS (settings_keys); i++)
    {
      g_autofree char *signal = g_strdup_printf ("changed::%s", settings_keys[i]);

      g_signal_connect_object (self->config, signal,
                               G_CALLBACK (on_settings_changed), self, G_CONNECT_SWAPPED);
    }
}

/* A new source for a cell: it shows it now, not when its item ends. */
static void
on_source_changed (HwWallController *self,
                   guint             index)
{
  if (index < self->cells->len)
    hw_cell_supervisor_next (hw_cell_get_supervisor (g_ptr_array_index (self->cells, index)));
  schedule_status (self);
}

HwWallController *
hw_wall_controller_new (HwConfig *config,
                        HwFeed   *feed,
                        HwWall   *wall)
{
  HwWallController *self = g_object_new (HW_TYPE_WALL_CONTROLLER, NULL);
  g_autofree char *renderer = hw_config_dup_string (config, "renderer");
  HwLayout layout;

  self->config = g_object_ref (config);
  self->feed = g_object_ref (feed);
  self->wall = g_object_ref (wall);
  self->renderer = hw_renderer_resolve (hw_renderer_from_string (renderer),
                                        gtk_widget_get_display (GTK_WIDGET (wall)));
  self->server_state = hw_feed_get_server_state (feed);
  /* Born behind a closed gate: its opening is staggered like any other. */
  self->gate_closed = self->server_state == HW_SERVER_STATE_OFFLINE ||
                      self->server_state == HW_SERVER_STATE_SIGN_IN_REQUIRED;
  if (!read_layout (self, &layout))
    hw_layout_init_uniform (&layout, hw_config_get_int (config, "columns"),
                            hw_config_get_int (config, "rows"));

  self->show_titles = hw_config_get_boolean (config, "show-titles");
  read_settings (self);
  connect_config (self);
  _hw_wall_controller_connect_operate (self);
  g_signal_connect_object (feed, "notify::server-state",
                           G_CALLBACK (on_server_state), self, G_CONNECT_SWAPPED);
  if (HW_IS_FEED_ROUTER (feed))
    g_signal_connect_object (feed, "source-changed", G_CALLBACK (on_source_changed), self,
                             G_CONNECT_SWAPPED);

  rebuild_grid (self, &layout);

  return self;
}

void
hw_wall_controller_set_status_file (HwWallController *self,
                                    const char       *path)
{
  g_return_if_fail (HW_IS_WALL_CONTROLLER (self));

  g_clear_pointer (&self->status, hw_status_writer_free);
  g_clear_pointer (&self->loop_monitor, hw_loop_monitor_free);
  if (path != NULL && *path != '\0')
    {
      self->status = hw_status_writer_new (path);
      hw_status_writer_set_builder (self->status, build_status_cb, self);
      self->loop_monitor = hw_loop_monitor_new ();
      schedule_status (self);
    }
}

void
hw_wall_controller_start (HwWallController *self)
{
  g_return_if_fail (HW_IS_WALL_CONTROLLER (self));

  if (self->started)
    return;

  self->started = TRUE;
  for (guint i = 0; i < self->cells->len; i++)
    start_staggered (self, g_ptr_array_index (self->cells, i), i);

  hw_heartbeat_init (&self->heartbeat);
  self->tick_id = g_timeout_add (STATUS_PERIOD_MS, on_tick, self);
  write_status (self);
}

void
hw_wall_controller_shutdown (HwWallController *self)
{
  g_return_if_fail (HW_IS_WALL_CONTROLLER (self));

  cancel_staggered (self);
  _hw_wall_controller_stop_operate (self);
  cancel_gate_timers (self);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->status != NULL)
    hw_status_writer_unschedule (self->status);

  if (self->cells == NULL)
    return;

  for (guint i = 0; i < self->cells->len; i++)
    hw_cell_shutdown (g_ptr_array_index (self->cells, i));
  write_status (self);
}

guint
hw_wall_controller_get_n_cells (HwWallController *self)
{
  g_return_val_if_fail (HW_IS_WALL_CONTROLLER (self), 0);
  return self->cells->len;
}

HwCell *
hw_wall_controller_get_cell (HwWallController *self,
                             guint             index)
{
  g_return_val_if_fail (HW_IS_WALL_CONTROLLER (self), NULL);
  return index < self->cells->len ? g_ptr_array_index (self->cells, index) : NULL;
}
