/* hw-cell-supervisor-healing.c: the player, items, timers, and executing
 * what the machine decides.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-cell-reason.h"
#include "hw-cell-supervisor-private.h"
#include "hw-redact.h"

/* ------------------------------------------------------------------ */
/* The player                                                          */

static gboolean
ensure_player (HwCellSupervisor *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *prefix = NULL;
  HwPlayerOptions options;

  if (self->player != NULL)
    return TRUE;

  prefix = g_strdup_printf ("cell %u", self->index);
  options = (HwPlayerOptions) {
    .hwdec = self->settings.hwdec,
    .audible = self->audible,
    .network_timeout = self->settings.network_timeout_s,
    .demuxer_max_bytes = self->cache.forward_bytes,
    .demuxer_max_back_bytes = self->cache.back_bytes,
    .log_prefix = prefix,
  };

  if (self->view != NULL)
    self->player = hw_cell_view_create_player (self->view, &options, &error);
  else
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CLOSED, "the cell is gone");

  if (self->player == NULL)
    {
      g_warning ("cell %u: cannot create a video player: %s", self->index, error->message);
      _hw_cell_supervisor_set_reason (self, error->message);
      return FALSE;
    }

  _hw_cell_supervisor_connect_player (self);
  return TRUE;
}

void
_hw_cell_supervisor_destroy_player (HwCellSupervisor *self)
{
  g_autoptr(HwCellPlayer) player = g_steal_pointer (&self->player);

  if (player == NULL)
    return;

  /* What draws the player goes first (the render context), the player
   * after it: the view may still hold it until then. */
  if (self->view != NULL)
    hw_cell_view_release_player (self->view, player);
  g_signal_handlers_disconnect_by_data (player, self);
  hw_cell_player_stop (player);
}

/* ------------------------------------------------------------------ */
/* Items                                                               */

void
_hw_cell_supervisor_release_item (HwCellSupervisor *self)
{
  g_autoptr(HwMediaItem) item = g_steal_pointer (&self->item);

  if (item == NULL)
    return;

  if (self->player != NULL && self->run_started_us != 0)
    _hw_cell_supervisor_report (self, item, HW_FEED_REPORT_STOPPED);
  self->run_started_us = 0;
  /* Kept for "previous" (not when going back: that would loop). */
  if (!self->going_back && self->history != NULL)
    {
      if (self->history->len == HW_CELL_HISTORY_LENGTH)
        g_ptr_array_remove_index (self->history, 0);
      g_ptr_array_add (self->history, g_object_ref (item));
    }
  hw_feed_release_item (self->feed, self->index, item);
  _hw_cell_supervisor_update_title (self);
}

void
_hw_cell_supervisor_cancel_request (HwCellSupervisor *self)
{
  if (self->request != NULL)
    {
      g_cancellable_cancel (self->request);
      g_clear_object (&self->request);
    }
}

/* One next-item request: the cell, and the cancellable that tells whether
 * the cell still wants the answer. */
typedef struct {
  HwCellSupervisor *self;
  GCancellable     *cancellable;
  gboolean          replay; /* the item it held, once more */
} ItemRequest;

static void
item_request_free (ItemRequest *request)
{
  g_object_unref (request->self);
  g_object_unref (request->cancellable);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ItemRequest, item_request_free)

static void
on_next_item (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ItemRequest) request = user_data;
  HwCellSupervisor *self = request->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(HwMediaItem) item = NULL;
  g_autofree char *why = NULL;

  if (request->replay)
    item = hw_feed_replay_item_finish (HW_FEED (source), result, &error);
  else
    item = hw_feed_next_item_finish (HW_FEED (source), result, &error);
  /* Cancelled (a stop, a reset, the next request) after the feed took an
   * item: it goes back, or its pool slot would never be free again. */
  if (g_cancellable_is_cancelled (request->cancellable) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->shut_down)
    {
      if (item != NULL)
        hw_feed_release_item (HW_FEED (source), self->index, item);
      return;
    }

  g_clear_object (&self->request);

  if (item == NULL)
    {
      why = hw_cell_reason_text (HW_CELL_REASON_MESSAGE, error->message, 0, 0);
      _hw_cell_supervisor_set_reason (self, why);
      if (g_error_matches (error, HW_FEED_ERROR, HW_FEED_ERROR_SIGN_IN_REQUIRED))
        _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_SIGN_IN_REQUIRED, why);
      else
        _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_ITEM_UNAVAILABLE, why);
      return;
    }

  self->item = g_steal_pointer (&item);
  _hw_cell_supervisor_update_title (self);
  hw_cell_machine_set_fallback (&self->machine,
                                hw_media_item_get_fallback_url (self->item) != NULL);
  _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_ITEM_READY, NULL);
}

/* A previous item, handed over from the main loop like a feed's answer
 * (never from inside the machine's own decision). */
static gboolean
deliver_queued (gpointer user_data)
{
  HwCellSupervisor *self = user_data;
  g_autoptr(HwMediaItem) item = g_steal_pointer (&self->queued);

  if (self->shut_down || self->request == NULL || g_cancellable_is_cancelled (self->request) ||
      item == NULL)
    return G_SOURCE_REMOVE;

  g_clear_object (&self->request);
  self->item = g_steal_pointer (&item);
  _hw_cell_supervisor_update_title (self);
  hw_cell_machine_set_fallback (&self->machine,
                                hw_media_item_get_fallback_url (self->item) != NULL);
  _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_ITEM_READY, NULL);
  return G_SOURCE_REMOVE;
}

static void
request_item (HwCellSupervisor *self)
{
  ItemRequest *request;

  _hw_cell_supervisor_cancel_request (self);
  self->going_back = self->queued != NULL;
  _hw_cell_supervisor_release_item (self);
  self->going_back = FALSE;
  /* Not stopped: the next load replaces it, and a stop now could overtake
   * that load (hw_cell_player_forget). If no item comes, SCHEDULE stops it. */
  if (self->player != NULL)
    hw_cell_player_forget (self->player);

  self->request = g_cancellable_new ();
  if (self->queued != NULL)
    {
      g_idle_add_full (G_PRIORITY_DEFAULT, deliver_queued, g_object_ref (self), g_object_unref);
      return;
    }
  request = g_new0 (ItemRequest, 1);
  request->self = g_object_ref (self);
  request->cancellable = g_object_ref (self->request);
  hw_feed_next_item_async (self->feed, self->index, self->request, on_next_item, request);
}

/* Repeat: the item that ended, from the feed once more (an Emby item gets
 * a new PlaySessionId and stream URLs) while the cell keeps its hold on it.
 * Its end is reported as any other; it does not go to the history, which
 * would fill with one item. What comes back loads like a new item, so a
 * failure of it walks the escalation chain from the start and is skipped
 * in the end: repeat never retries a dead stream for ever. */
static void
replay_item (HwCellSupervisor *self)
{
  g_autoptr (HwMediaItem) item = g_steal_pointer (&self->item);
  ItemRequest *request;

  _hw_cell_supervisor_cancel_request (self);
  if (self->player != NULL && self->run_started_us != 0)
    _hw_cell_supervisor_report (self, item, HW_FEED_REPORT_STOPPED);
  self->run_started_us = 0;
  /* As in request_item: the load that follows replaces it. */
  if (self->player != NULL)
    hw_cell_player_forget (self->player);
  _hw_cell_supervisor_update_title (self);

  g_message ("cell %u: repeating “%s”", self->index, hw_media_item_get_title (item));
  self->request = g_cancellable_new ();
  request = g_new0 (ItemRequest, 1);
  request->self = g_object_ref (self);
  request->cancellable = g_object_ref (self->request);
  request->replay = TRUE;
  hw_feed_replay_item_async (self->feed, self->index, item, self->request, on_next_item, request);
}

static void
load_item (HwCellSupervisor *self,
           HwStreamKind      stream)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *why = NULL;
  const char *url = NULL;

  if (self->item == NULL)
    {
      why = hw_cell_reason_text (HW_CELL_REASON_NO_ITEM, NULL, 0, 0);
      _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_FAILURE, why);
      return;
    }

  if (stream == HW_STREAM_FALLBACK)
    url = hw_media_item_get_fallback_url (self->item);
  /* Reports say how the item plays (Emby: PlayMethod). */
  self->loaded_fallback = url != NULL;
  if (url == NULL)
    url = hw_media_item_get_direct_url (self->item);

  if (!ensure_player (self))
    {
      why = g_strdup (self->reason);
      _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_FAILURE, why);
      return;
    }

  _hw_cell_supervisor_set_buffering (self, FALSE);
  self->run_started_us = 0;
  hw_stall_tracker_start_load (&self->tracker, _hw_cell_supervisor_now (self));

  /* One line per load: tests count the loads of each item by it. */
  g_debug ("cell %u: loading “%s” (%s)", self->index, hw_media_item_get_title (self->item),
           stream == HW_STREAM_FALLBACK ? "transcoded" : "direct");
  g_free (self->loaded_url);
  self->loaded_url = g_strdup (url);
  if (!hw_cell_player_load (self->player, url, hw_media_item_get_mpv_options (self->item), &error))
    {
      why = hw_cell_reason_text (HW_CELL_REASON_MESSAGE, error->message, 0, 0);
      _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_FAILURE, why);
    }
}

/* ------------------------------------------------------------------ */
/* Timers                                                              */

static gboolean
on_timer (gpointer user_data)
{
  HwCellSupervisor *self = user_data;

  self->timer_id = 0;
  _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_TIMER, NULL);
  return G_SOURCE_REMOVE;
}

static void
start_timer (HwCellSupervisor *self,
             gint64            delay_us)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  self->timer_due_us = _hw_cell_supervisor_now (self) + delay_us;
  self->timer_id = g_timeout_add_full (G_PRIORITY_DEFAULT, MAX (delay_us / 1000, 1),
                                       on_timer, self, NULL);
}

/* ------------------------------------------------------------------ */
/* The machine's decisions                                             */

static void
log_decision (HwCellSupervisor     *self,
              const HwCellDecision *decision,
              HwCellEvent           event,
              const char           *detail)
{
  const char *title = self->item ? hw_media_item_get_title (self->item) : NULL;
  g_autofree char *clean = detail ? hw_redact (detail) : NULL;

  if (decision->old_state != decision->state)
    g_debug ("cell %u: %s → %s (%s: %s)", self->index,
             hw_cell_state_to_string (decision->old_state),
             hw_cell_state_to_string (decision->state),
             hw_cell_event_to_string (event), decision->reason ? decision->reason : "");

  /* One line per event an operator cares about: which cell, what, why.
   * Tests and benchmarks read these lines: keep their wording. */
  switch (decision->action)
    {
    case HW_CELL_ACTION_SCHEDULE:
      if (event == HW_CELL_EVENT_ITEM_UNAVAILABLE)
        g_message ("cell %u: nothing to play (%s); asking again in %.1f s", self->index,
                   self->reason ? self->reason : decision->reason, decision->delay_us / 1e6);
      else
        g_message ("cell %u: %s%s%s%s; retrying %s in %.1f s", self->index,
                   clean ? clean : decision->reason,
                   title ? " on “" : "", title ? title : "", title ? "”" : "",
                   decision->stream == HW_STREAM_FALLBACK ? "the transcoded stream" : "directly",
                   decision->delay_us / 1e6);
      break;
    case HW_CELL_ACTION_PARK:
      g_message ("cell %u: parked for %.0f s after %u failures (last: %s%s%s%s)",
                 self->index, decision->delay_us / 1e6,
                 hw_cell_machine_failures (&self->machine, _hw_cell_supervisor_now (self)),
                 clean ? clean : decision->reason,
                 title ? " on “" : "", title ? title : "", title ? "”" : "");
      break;
    case HW_CELL_ACTION_REQUEST_ITEM:
      if (event == HW_CELL_EVENT_FAILURE || event == HW_CELL_EVENT_UNPLAYABLE)
        g_message ("cell %u: skipping %s%s%s: %s", self->index,
                   title ? "“" : "", title ? title : "the item", title ? "”" : "",
                   clean ? clean : decision->reason);
      else if (decision->old_state == HW_CELL_STATE_PARKED)
        g_message ("cell %u: %s; trying a fresh item", self->index, decision->reason);
      break;
    case HW_CELL_ACTION_STOP:
      if (decision->state == HW_CELL_STATE_WAITING && decision->old_state != decision->state)
        g_message ("cell %u: waiting for the server (%s)", self->index,
                   clean ? clean : decision->reason);
      else if (decision->old_state != decision->state)
        g_debug ("cell %u: stopped: %s", self->index, decision->reason);
      break;
    case HW_CELL_ACTION_NONE:
    case HW_CELL_ACTION_LOAD:
    case HW_CELL_ACTION_PAUSE:
    case HW_CELL_ACTION_RESUME:
    default:
      break;
    }
}

static void
stop_player (HwCellSupervisor *self)
{
  if (self->player != NULL)
    hw_cell_player_stop (self->player);
}

static void
execute (HwCellSupervisor *self, const HwCellDecision *decision, HwCellEvent event)
{
  switch (decision->action)
    {
    case HW_CELL_ACTION_NONE:
      break;
    case HW_CELL_ACTION_REQUEST_ITEM:
      g_clear_handle_id (&self->timer_id, g_source_remove);
      /* Only a normal end repeats: a skip, the operator's next or a new
       * start take the next item. */
      if (event == HW_CELL_EVENT_END && self->repeat && self->item != NULL)
        replay_item (self);
      else
        request_item (self);
      break;
    case HW_CELL_ACTION_LOAD:
      g_clear_handle_id (&self->timer_id, g_source_remove);
      load_item (self, decision->stream);
      break;
    case HW_CELL_ACTION_SCHEDULE:
      stop_player (self);
      start_timer (self, decision->delay_us);
      break;
    case HW_CELL_ACTION_PARK:
      _hw_cell_supervisor_cancel_request (self);
      _hw_cell_supervisor_release_item (self);
      stop_player (self);
      start_timer (self, decision->delay_us);
      break;
    case HW_CELL_ACTION_STOP:
      g_clear_handle_id (&self->timer_id, g_source_remove);
      _hw_cell_supervisor_cancel_request (self);
      _hw_cell_supervisor_release_item (self);
      stop_player (self);
      break;
    case HW_CELL_ACTION_PAUSE:
    case HW_CELL_ACTION_RESUME:
      if (self->player == NULL)
        break;
      hw_cell_player_set_paused (self->player, decision->action == HW_CELL_ACTION_PAUSE);
      /* At once, as Emby's clients report a pause: the dashboard shows it. */
      if (self->item != NULL && self->run_started_us != 0)
        _hw_cell_supervisor_report (self, self->item, HW_FEED_REPORT_PROGRESS);
      break;
    default:
      break;
    }
}

void
_hw_cell_supervisor_handle_event (HwCellSupervisor *self,
                                  HwCellEvent       event,
                                  const char       *detail)
{
  HwCellDecision decision;
  double unit;

  if (self->shut_down)
    return;

  unit = self->jitter (self->clock_data);
  decision = hw_cell_machine_handle (&self->machine, event, unit, _hw_cell_supervisor_now (self));
  if (decision.action == HW_CELL_ACTION_NONE && decision.old_state == decision.state)
    return;

  if (detail != NULL && (event == HW_CELL_EVENT_FAILURE || event == HW_CELL_EVENT_UNPLAYABLE))
    _hw_cell_supervisor_set_reason (self, detail);
  else if (decision.state == HW_CELL_STATE_PLAYING)
    _hw_cell_supervisor_set_reason (self, NULL);
  else if (detail == NULL && decision.reason != NULL && decision.old_state != decision.state &&
           decision.state != HW_CELL_STATE_LOADING)
    _hw_cell_supervisor_set_reason (self, decision.reason);

  log_decision (self, &decision, event, detail);
  if (decision.action == HW_CELL_ACTION_REQUEST_ITEM &&
      (event == HW_CELL_EVENT_FAILURE || event == HW_CELL_EVENT_UNPLAYABLE))
    /* Giving up on the item: the feed should not hand it to anyone soon. */
    hw_feed_set_aside (self->feed, self->item,
                       event == HW_CELL_EVENT_UNPLAYABLE ? HW_ITEM_VERDICT_UNPLAYABLE
                                                        : HW_ITEM_VERDICT_FAILED);
  execute (self, &decision, event);
  if (decision.old_state != decision.state)
    _hw_cell_supervisor_notify_state (self);
  _hw_cell_supervisor_update_card (self);

  if (decision.old_state != decision.state || decision.action != HW_CELL_ACTION_NONE)
    _hw_cell_supervisor_emit_changed (self);
}

void
_hw_cell_supervisor_fail (HwCellSupervisor *self,
                          const char       *why)
{
  /* A cell on its way out says nothing: it is no evidence against the server. */
  if (self->shut_down)
    return;

  /* The controller watches for the whole wall failing at once. */
  _hw_cell_supervisor_emit_failure (self, why);
  _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_FAILURE, why);
}
