/* hw-cell-supervisor.c: the object, what the cell shows, the status file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <math.h>

#include "hw-cell-card.h"
#include "hw-cell-reason.h"
#include "hw-cell-supervisor-private.h"

G_DEFINE_FINAL_TYPE (HwCellSupervisor, hw_cell_supervisor, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_TITLE,
  PROP_REASON,
  PROP_BUFFERING,
  PROP_HEADLINE,
  PROP_DETAIL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  STATE_CHANGED,
  FAILURE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gint64
default_now (gpointer user_data)
{
  return g_get_monotonic_time ();
}

static double
default_jitter (gpointer user_data)
{
  return g_random_double_range (-1.0, 1.0);
}

gint64
_hw_cell_supervisor_now (HwCellSupervisor *self)
{
  return self->now (self->clock_data);
}

/* ------------------------------------------------------------------ */
/* What the cell shows                                                 */

static gboolean
replace_string (char       **field,
                const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

void
_hw_cell_supervisor_set_reason (HwCellSupervisor *self,
                                const char       *text)
{
  g_autofree char *clean = hw_cell_reason_text (HW_CELL_REASON_MESSAGE, text, 0, 0);

  if (replace_string (&self->reason, clean))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASON]);
}

gboolean
_hw_cell_supervisor_set_buffering (HwCellSupervisor *self,
                                   gboolean          buffering)
{
  if (self->buffering == !!buffering)
    return FALSE;
  self->buffering = !!buffering;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUFFERING]);
  return TRUE;
}

void
_hw_cell_supervisor_update_card (HwCellSupervisor *self)
{
  g_autofree char *headline = NULL;
  g_autofree char *detail = NULL;
  gint64 remaining = self->timer_due_us - _hw_cell_supervisor_now (self);

  hw_cell_card_texts (self->machine.state, self->machine.item_failures == 0,
                      self->buffering, self->reason, remaining,
                      &headline, &detail);

  g_object_freeze_notify (G_OBJECT (self));
  if (replace_string (&self->headline, headline))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEADLINE]);
  if (replace_string (&self->detail, detail))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETAIL]);
  g_object_thaw_notify (G_OBJECT (self));
}

void
_hw_cell_supervisor_update_title (HwCellSupervisor *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

void
_hw_cell_supervisor_notify_state (HwCellSupervisor *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
_hw_cell_supervisor_emit_changed (HwCellSupervisor *self)
{
  g_signal_emit (self, signals[STATE_CHANGED], 0);
}

void
_hw_cell_supervisor_emit_failure (HwCellSupervisor *self,
                                  const char       *why)
{
  g_signal_emit (self, signals[FAILURE], 0, why);
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

static void
hw_cell_supervisor_dispose (GObject *object)
{
  HwCellSupervisor *self = HW_CELL_SUPERVISOR (object);

  hw_cell_supervisor_shutdown (self);
  hw_cell_supervisor_detach (self);
  g_clear_object (&self->feed);
  g_clear_object (&self->queued);
  g_clear_pointer (&self->history, g_ptr_array_unref);

  G_OBJECT_CLASS (hw_cell_supervisor_parent_class)->dispose (object);
}

static void
hw_cell_supervisor_finalize (GObject *object)
{
  HwCellSupervisor *self = HW_CELL_SUPERVISOR (object);

  g_free (self->reason);
  g_free (self->loaded_url);
  g_free (self->pending_failure);
  g_free (self->headline);
  g_free (self->detail);

  G_OBJECT_CLASS (hw_cell_supervisor_parent_class)->finalize (object);
}

static void
hw_cell_supervisor_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  HwCellSupervisor *self = HW_CELL_SUPERVISOR (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->machine.state);
      break;
    case PROP_TITLE:
      g_value_set_string (value, hw_cell_supervisor_get_title (self));
      break;
    case PROP_REASON:
      g_value_set_string (value, self->reason);
      break;
    case PROP_BUFFERING:
      g_value_set_boolean (value, self->buffering);
      break;
    case PROP_HEADLINE:
      g_value_set_string (value, self->headline);
      break;
    case PROP_DETAIL:
      g_value_set_string (value, self->detail);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hw_cell_supervisor_class_init (HwCellSupervisorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = hw_cell_supervisor_dispose;
  object_class->finalize = hw_cell_supervisor_finalize;
  object_class->get_property = hw_cell_supervisor_get_property;

  /* An HwCellState (an int: the pure layer has no GTypes). */
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, HW_CELL_STATE_IDLE, HW_CELL_STATE_PAUSED,
                      HW_CELL_STATE_IDLE, flags);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);
  properties[PROP_REASON] = g_param_spec_string ("reason", NULL, NULL, NULL, flags);
  properties[PROP_BUFFERING] = g_param_spec_boolean ("buffering", NULL, NULL, FALSE, flags);
  properties[PROP_HEADLINE] = g_param_spec_string ("headline", NULL, NULL, NULL, flags);
  properties[PROP_DETAIL] = g_param_spec_string ("detail", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[STATE_CHANGED] = g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 0);
  /* A failure is about to be counted: (const char *why). */
  signals[FAILURE] = g_signal_new ("failure", G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
hw_cell_supervisor_init (HwCellSupervisor *self)
{
  self->server_state = HW_SERVER_STATE_NONE;
  self->now = default_now;
  self->jitter = default_jitter;
  self->history = g_ptr_array_new_with_free_func (g_object_unref);
}

HwCellSupervisor *
hw_cell_supervisor_new (guint                           index,
                        HwFeed                         *feed,
                        HwCellView                     *view,
                        const HwCellSupervisorSettings *settings,
                        const HwCacheSplit             *cache)
{
  HwCellSupervisor *self;

  g_return_val_if_fail (HW_IS_FEED (feed), NULL);
  g_return_val_if_fail (HW_IS_CELL_VIEW (view), NULL);
  g_return_val_if_fail (settings != NULL && cache != NULL, NULL);

  self = g_object_new (HW_TYPE_CELL_SUPERVISOR, NULL);
  self->index = index;
  self->feed = g_object_ref (feed);
  self->view = view;
  self->settings = *settings;
  self->cache = *cache;
  hw_cell_machine_init (&self->machine, &settings->policy);
  _hw_cell_supervisor_update_card (self);
  _hw_cell_supervisor_start_watchdog (self);

  return self;
}

void
hw_cell_supervisor_set_clock (HwCellSupervisor *self,
                              HwClockFunc       now,
                              HwJitterFunc      jitter,
                              gpointer          user_data)
{
  g_return_if_fail (HW_IS_CELL_SUPERVISOR (self));

  self->now = now ? now : default_now;
  self->jitter = jitter ? jitter : default_jitter;
  self->clock_data = user_data;
  self->last_tick_us = _hw_cell_supervisor_now (self);
  _hw_cell_supervisor_update_card (self);
}

/* ------------------------------------------------------------------ */
/* Settings                                                            */

guint
hw_cell_supervisor_get_index (HwCellSupervisor *self)
{
  g_return_val_if_fail (HW_IS_CELL_SUPERVISOR (self), 0);
  return self->index;
}

void
hw_cell_supervisor_set_index (HwCellSupervisor *self,
                              guint             index)
{
  g_return_if_fail (HW_IS_CELL_SUPERVISOR (self));
  self->index = index;
}

void
hw_cell_supervisor_set_settings (HwCellSupervisor               *self,
                                 const HwCellSupervisorSettings *settings)
{
  guint old_interval;

  g_return_if_fail (HW_IS_CELL_SUPERVISOR (self));
  g_return_if_fail (settings != NULL);

  old_interval = self->settings.watchdog_interval_ms;
  self->settings = *settings;
  hw_cell_machine_set_policy (&self->machine, &settings->policy);
  if (old_interval != settings->watchdog_interval_ms && !self->shut_down)
    _hw_cell_supervisor_start_watchdog (self);
}

void
hw_cell_supervisor_set_cache (HwCellSupervisor   *self,
                              const HwCacheSplit *cache)
{
  g_return_if_fail (HW_IS_CELL_SUPERVISOR (self));
  g_return_if_fail (cache != NULL);

  self->cache = *cache;
  if (self->player != NULL)
    hw_cell_player_set_cache_limits (self->player, cache->forward_bytes, cache->back_bytes);
}

void
hw_cell_supervisor_set_audible (HwCellSupervisor *self,
                                gboolean          audible)
{
  g_return_if_fail (HW_IS_CELL_SUPERVISOR (self));

  if (self->audible == !!audible)
    return;
  self->audible = !!audible;
  if (self->player != NULL)
    hw_cell_player_set_audible (self->player, self->audible);
}

/* ------------------------------------------------------------------ */
/* Life cycle and commands                                             */

void
hw_cell_supervisor_start (HwCellSupervisor *self)
{
  g_return_if_fail (HW_IS_CELL_SUPERVISOR (self));

  if (self->server_state == HW_SERVER_STATE_OFFLINE)
    _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_GATE_CLOSED, NULL);
  else if (self->server_state == HW_SERVER_STATE_SIGN_IN_REQUIRED)
    _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_SIGN_IN_REQUIRED, NULL);
  else
    _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_START, NULL);
}

void
hw_cell_supervisor_shutdown (HwCellSupervisor *self)
{
  g_return_if_fail (HW_IS_CELL_SUPERVISOR (self));

  if (self->shut_down)
    return;

  _hw_cell_supervisor_stop_watchdog (self);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  _hw_cell_supervisor_cancel_request (self);
  _hw_cell_supervisor_release_item (self);
  if (self->player != NULL)
    hw_cell_player_stop (self->player);
  self->shut_down = TRUE;
}

void
hw_cell_supervisor_detach (HwCellSupervisor *self)
{
  g_return_if_fail (HW_IS_CELL_SUPERVISOR (self));

  _hw_cell_supervisor_destroy_player (self);
  self->view = NULL;
}

void
hw_cell_supervisor_reset (HwCellSupervisor *self)
{
  g_autofree char *why = NULL;

  g_return_if_fail (HW_IS_CELL_SUPERVISOR (self));

  if (self->shut_down)
    return;

  g_warning ("cell %u: its watchdog stopped ticking; restarting the cell", self->index);
  _hw_cell_supervisor_destroy_player (self);
  _hw_cell_supervisor_start_watchdog (self);
  why = hw_cell_reason_text (HW_CELL_REASON_WATCHDOG, NULL, 0, 0);
  _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_OPERATOR_NEXT, why);
}

void
hw_cell_supervisor_server_state_changed (HwCellSupervisor *self,
                                         HwServerState     state,
                                         const char       *reason)
{
  HwServerState old;

  g_return_if_fail (HW_IS_CELL_SUPERVISOR (self));

  old = self->server_state;
  self->server_state = state;
  if (old == state)
    return;

  switch (state)
    {
    case HW_SERVER_STATE_OFFLINE:
      /* A cell whose stream still plays keeps playing: the server's
       * trouble is no reason of its own. */
      _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_GATE_CLOSED, NULL);
      if (reason != NULL && self->machine.state == HW_CELL_STATE_WAITING)
        _hw_cell_supervisor_set_reason (self, reason);
      _hw_cell_supervisor_update_card (self);
      break;
    case HW_SERVER_STATE_SIGN_IN_REQUIRED:
      _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_SIGN_IN_REQUIRED, NULL);
      if (reason != NULL)
        _hw_cell_supervisor_set_reason (self, reason);
      _hw_cell_supervisor_update_card (self);
      break;
    case HW_SERVER_STATE_ONLINE:
      /* Whatever came between (connecting…), a stopped cell starts again;
       * the others only learn that the server may be asked again. */
      _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_GATE_OPENED, NULL);
      break;
    case HW_SERVER_STATE_NONE:
    case HW_SERVER_STATE_CONNECTING:
    default:
      break;
    }
}

void
hw_cell_supervisor_next (HwCellSupervisor *self)
{
  g_return_if_fail (HW_IS_CELL_SUPERVISOR (self));
  _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_OPERATOR_NEXT, NULL);
}

gboolean
hw_cell_supervisor_previous (HwCellSupervisor *self)
{
  g_return_val_if_fail (HW_IS_CELL_SUPERVISOR (self), FALSE);

  if (self->history->len == 0 || self->shut_down)
    return FALSE;

  g_clear_object (&self->queued);
  self->queued = g_ptr_array_steal_index (self->history, self->history->len - 1);
  /* The machine treats it as "next"; request_item takes the queued item. */
  _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_OPERATOR_NEXT, NULL);
  if (self->queued != NULL && self->request == NULL)
    {
      /* The machine ignored it (a closed gate): the item stays history. */
      g_ptr_array_add (self->history, g_steal_pointer (&self->queued));
      return FALSE;
    }
  return TRUE;
}

void
hw_cell_supervisor_set_paused (HwCellSupervisor *self,
                               gboolean          paused)
{
  g_return_if_fail (HW_IS_CELL_SUPERVISOR (self));
  _hw_cell_supervisor_handle_event (self, paused ? HW_CELL_EVENT_OPERATOR_PAUSE
                                                 : HW_CELL_EVENT_OPERATOR_RESUME, NULL);
}

void
hw_cell_supervisor_set_repeat (HwCellSupervisor *self, gboolean repeat)
{
  g_return_if_fail (HW_IS_CELL_SUPERVISOR (self));

  if (self->repeat == !!repeat)
    return;
  self->repeat = !!repeat;
  g_message ("cell %u: repeat %s", self->index, self->repeat ? "on" : "off");
  /* At once, as a pause is: the server's session shows the repeat mode. */
  if (self->item != NULL && self->run_started_us != 0 && !self->shut_down)
    _hw_cell_supervisor_report (self, self->item, HW_FEED_REPORT_PROGRESS);
  _hw_cell_supervisor_emit_changed (self);
}

gboolean
hw_cell_supervisor_get_repeat (HwCellSupervisor *self)
{
  g_return_val_if_fail (HW_IS_CELL_SUPERVISOR (self), FALSE);
  return self->repeat;
}

/* ------------------------------------------------------------------ */
/* Getters                                                             */

HwCellState
hw_cell_supervisor_get_state (HwCellSupervisor *self)
{
  g_return_val_if_fail (HW_IS_CELL_SUPERVISOR (self), HW_CELL_STATE_IDLE);
  return self->machine.state;
}

gboolean
hw_cell_supervisor_get_wants_pause (HwCellSupervisor *self)
{
  g_return_val_if_fail (HW_IS_CELL_SUPERVISOR (self), FALSE);
  return hw_cell_machine_wants_pause (&self->machine);
}

gint64
hw_cell_supervisor_get_last_tick (HwCellSupervisor *self)
{
  g_return_val_if_fail (HW_IS_CELL_SUPERVISOR (self), 0);
  return self->last_tick_us;
}

gint64
hw_cell_supervisor_get_timer_remaining (HwCellSupervisor *self)
{
  g_return_val_if_fail (HW_IS_CELL_SUPERVISOR (self), -1);

  if (self->timer_id == 0)
    return -1;
  return MAX (0, self->timer_due_us - _hw_cell_supervisor_now (self));
}

const char *
hw_cell_supervisor_get_title (HwCellSupervisor *self)
{
  g_return_val_if_fail (HW_IS_CELL_SUPERVISOR (self), NULL);
  return self->item ? hw_media_item_get_title (self->item) : NULL;
}

const char *
hw_cell_supervisor_get_reason (HwCellSupervisor *self)
{
  g_return_val_if_fail (HW_IS_CELL_SUPERVISOR (self), NULL);
  return self->reason;
}

gboolean
hw_cell_supervisor_get_buffering (HwCellSupervisor *self)
{
  g_return_val_if_fail (HW_IS_CELL_SUPERVISOR (self), FALSE);
  return self->buffering;
}

const char *
hw_cell_supervisor_get_headline (HwCellSupervisor *self)
{
  g_return_val_if_fail (HW_IS_CELL_SUPERVISOR (self), NULL);
  return self->headline;
}

const char *
hw_cell_supervisor_get_detail (HwCellSupervisor *self)
{
  g_return_val_if_fail (HW_IS_CELL_SUPERVISOR (self), NULL);
  return self->detail;
}

/* ------------------------------------------------------------------ */
/* The status file                                                     */

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
hw_cell_supervisor_add_status (HwCellSupervisor *self,
                               JsonBuilder      *builder)
{
  double position;
  guint64 frames;
  guint64 dropped;
  guint64 forward;
  guint64 back;

  g_return_if_fail (HW_IS_CELL_SUPERVISOR (self));

  forward = self->cache.forward_bytes;
  back = self->cache.back_bytes;

  position = self->player ? hw_cell_player_get_position (self->player) : -1;
  frames = self->view ? hw_cell_view_get_frames (self->view) : 0;
  dropped = self->player ? hw_cell_player_get_dropped_frames (self->player) : 0;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "index");
  json_builder_add_int_value (builder, self->index);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, hw_cell_state_to_string (self->machine.state));
  json_builder_set_member_name (builder, "paused");
  json_builder_add_boolean_value (builder, self->machine.state == HW_CELL_STATE_PAUSED);
  json_builder_set_member_name (builder, "repeat");
  json_builder_add_boolean_value (builder, self->repeat);
  add_string_or_null (builder, "item_id", self->item ? hw_media_item_get_id (self->item) : NULL);
  add_string_or_null (builder, "title", hw_cell_supervisor_get_title (self));
  json_builder_set_member_name (builder, "position");
  if (position >= 0 && self->item != NULL)
    json_builder_add_double_value (builder, round (position * 10) / 10);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "failures");
  json_builder_add_int_value (builder, hw_cell_machine_failures (&self->machine,
                                                               _hw_cell_supervisor_now (self)));
  json_builder_set_member_name (builder, "retries");
  json_builder_add_int_value (builder, self->machine.retries);
  json_builder_set_member_name (builder, "frames");
  json_builder_add_int_value (builder, (gint64) frames);
  json_builder_set_member_name (builder, "dropped_frames");
  json_builder_add_int_value (builder, (gint64) dropped);
  add_string_or_null (builder, "hwdec",
                      self->player && self->item ? hw_cell_player_get_hwdec (self->player) : NULL);
  /* When the current item showed its first frame, on the clock of "time". */
  json_builder_set_member_name (builder, "first_frame_time");
  if (self->run_started_us != 0 && self->item != NULL)
    json_builder_add_double_value (builder, round (self->first_frame_real_us / 1000.0) / 1000);
  else
    json_builder_add_null_value (builder);
  /* Read back from the player: what it really uses, not what was asked. */
  if (self->player != NULL)
    {
      forward = hw_cell_player_read_demuxer_max_bytes (self->player);
      back = hw_cell_player_read_demuxer_max_back_bytes (self->player);
    }
  json_builder_set_member_name (builder, "demuxer_max_bytes");
  json_builder_add_int_value (builder, (gint64) forward);
  json_builder_set_member_name (builder, "demuxer_max_back_bytes");
  json_builder_add_int_value (builder, (gint64) back);
  add_string_or_null (builder, "renderer",
                      self->view ? hw_cell_view_get_renderer (self->view) : NULL);
  add_string_or_null (builder, "reason",
                      self->machine.state != HW_CELL_STATE_PLAYING ? self->reason : NULL);
  json_builder_end_object (builder);
}
