/* hw-cell-supervisor-watchdog.c: what the player says and what it does not
 * say. Its events (first frame, end) and the watchdog that notices what
 * never comes as an event: a stall, a load that never starts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-cell-reason.h"
#include "hw-cell-supervisor-private.h"

/* Reporting progress to the server more often is noise (docs/emby-api.md). */
#define PROGRESS_REPORT_US (10 * HW_USEC_PER_SEC)
/* The player reports the tracks of a load while it opens; by this long
 * after the first frame what it says about video is settled. */
#define NO_VIDEO_GRACE_US (2 * HW_USEC_PER_SEC)

/* ------------------------------------------------------------------ */
/* Player events                                                       */

static void
on_player_started (HwCellSupervisor *self)
{
  gint64 now = _hw_cell_supervisor_now (self);

  hw_stall_tracker_first_frame (&self->tracker, now);
  self->run_started_us = now;
  self->first_frame_real_us = g_get_real_time ();
  self->last_report_us = now;
  if (self->item != NULL)
    _hw_cell_supervisor_report (self, self->item, HW_FEED_REPORT_STARTED);
  _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_FIRST_FRAME, NULL);
}

void
_hw_cell_supervisor_report (HwCellSupervisor *self, HwMediaItem *item, HwFeedReport report)
{
  HwFeedPlayback playback = {
    .cell_index = self->index,
    .paused = self->machine.state == HW_CELL_STATE_PAUSED,
    .fallback = self->loaded_fallback,
    .repeat = self->repeat,
  };

  if (report == HW_FEED_REPORT_PROGRESS && self->machine.gate_closed)
    return;
  if (report != HW_FEED_REPORT_STARTED && self->player != NULL)
    playback.position = MAX (0, hw_cell_player_get_position (self->player));
  hw_feed_report_playback (self->feed, item, report, &playback);
}

static double
expected_duration (HwCellSupervisor *self)
{
  double duration = self->item ? hw_media_item_get_duration (self->item) : 0;

  if (duration <= 0 && self->player != NULL)
    duration = hw_cell_player_get_duration (self->player);
  return duration;
}

static void
on_stream_checked (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(HwCellSupervisor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *why = NULL;
  gboolean gone = hw_feed_check_stream_finish (HW_FEED (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->shut_down)
    return;

  g_clear_object (&self->request);
  if (gone)
    {
      /* Retrying a 404 cannot help: skip the item (docs/emby-api.md). */
      why = hw_cell_reason_text (HW_CELL_REASON_UNPLAYABLE, NULL, 0, 0);
      _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_UNPLAYABLE, why);
    }
  else
    {
      why = g_steal_pointer (&self->pending_failure);
      _hw_cell_supervisor_fail (self, why);
    }
  g_clear_pointer (&self->pending_failure, g_free);
}

/* A network stream that would not open may be gone for good; ask the feed
 * before choosing between retrying and skipping. */
static gboolean
check_failed_stream (HwCellSupervisor *self,
                     const char       *why)
{
  /* With the server gate closed, asking is no option: the failure makes
   * the cell wait, uncounted, and the item is judged after the outage. */
  if (self->machine.gate_closed ||
      self->item == NULL || !hw_media_item_get_is_network (self->item) ||
      !hw_feed_can_check_stream (self->feed) || self->loaded_url == NULL)
    return FALSE;

  _hw_cell_supervisor_cancel_request (self);
  g_free (self->pending_failure);
  self->pending_failure = g_strdup (why);
  self->request = g_cancellable_new ();
  hw_feed_check_stream_async (self->feed, self->item, self->loaded_url, self->request,
                              on_stream_checked, g_object_ref (self));
  return TRUE;
}

static void
on_player_ended (HwCellSupervisor *self,
                 int               end,
                 const char       *message)
{
  double position = self->player ? hw_cell_player_get_position (self->player) : -1;
  double duration = expected_duration (self);
  gboolean started = self->run_started_us != 0;
  gboolean network = self->item != NULL && hw_media_item_get_is_network (self->item);
  HwCellReason reason = hw_cell_reason_for_end (end, started, position, duration);
  g_autofree char *why = NULL;

  /* Over the network, an answer cut off before its first bytes looks just
   * like a file that is no video: there it is an ordinary error, checked
   * and retried. */
  if (reason == HW_CELL_REASON_NOT_VIDEO && network)
    reason = HW_CELL_REASON_PLAYER_ERROR;
  why = hw_cell_reason_text (reason, message, position, duration);

  if (reason == HW_CELL_REASON_NONE)
    _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_END, NULL);
  else if (reason == HW_CELL_REASON_NOT_VIDEO)
    /* The file's fault, certain to repeat: skipped and set aside at once,
     * and no evidence against the server either (no "failure" signal). */
    _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_UNPLAYABLE, why);
  else if (reason != HW_CELL_REASON_PLAYER_ERROR || started || !check_failed_stream (self, why))
    _hw_cell_supervisor_fail (self, why);
}

void
_hw_cell_supervisor_connect_player (HwCellSupervisor *self)
{
  g_signal_connect_object (self->player, "started",
                           G_CALLBACK (on_player_started), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->player, "ended",
                           G_CALLBACK (on_player_ended), self, G_CONNECT_SWAPPED);
}

/* ------------------------------------------------------------------ */
/* The watchdog                                                        */

static void
check_stall (HwCellSupervisor *self,
             gint64            now)
{
  HwPlaybackFlags flags = {
    .operator_paused = self->machine.state == HW_CELL_STATE_PAUSED,
    .seeking = hw_cell_player_get_seeking (self->player),
    .paused_for_cache = hw_cell_player_get_paused_for_cache (self->player),
    .network = self->item != NULL && hw_media_item_get_is_network (self->item),
    /* A full buffer stops growing on purpose: treat it like a finished one. */
    .cache_eof = hw_cell_player_get_cache_eof (self->player) ||
                 hw_cell_player_get_cache_full (self->player),
  };
  HwStallVerdict verdict;
  g_autofree char *why = NULL;

  verdict = hw_stall_tracker_check (&self->tracker, &self->settings.stall, &flags, now);

  if (_hw_cell_supervisor_set_buffering (self, verdict == HW_STALL_VERDICT_BUFFERING ||
                                               flags.paused_for_cache))
    _hw_cell_supervisor_update_card (self);

  if (verdict == HW_STALL_VERDICT_STALLED)
    why = hw_cell_reason_text (HW_CELL_REASON_STALLED, NULL, 0, 0);
  else if (verdict == HW_STALL_VERDICT_LOAD_TIMEOUT)
    why = hw_cell_reason_text (HW_CELL_REASON_LOAD_TIMEOUT, NULL, 0, 0);
  else if (verdict == HW_STALL_VERDICT_FROZEN)
    why = hw_cell_reason_text (HW_CELL_REASON_FROZEN, NULL, 0, 0);
  if (why != NULL)
    _hw_cell_supervisor_fail (self, why);
}

static void
watch_playing (HwCellSupervisor *self,
               gint64            now)
{
  double position = hw_cell_player_get_position (self->player);
  gboolean advanced = position >= 0 && (!self->tracker.has_position ||
                                        position > self->tracker.last_position);

  if (position >= 0)
    hw_stall_tracker_position (&self->tracker, position, now);
  hw_stall_tracker_cache_bytes (&self->tracker, hw_cell_player_get_cache_bytes (self->player),
                                now);
  if (self->view != NULL)
    hw_stall_tracker_frames (&self->tracker, hw_cell_view_get_frames (self->view), now);

  /* Playing, but nothing to show (an audio file): certain to stay so. */
  if (self->run_started_us != 0 && now - self->run_started_us > NO_VIDEO_GRACE_US &&
      hw_cell_player_get_video_missing (self->player))
    {
      g_autofree char *why = hw_cell_reason_text (HW_CELL_REASON_NO_VIDEO_TRACK, NULL, 0, 0);

      _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_UNPLAYABLE, why);
      return;
    }

  if (advanced)
    _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_PROGRESS, NULL);

  /* Reports need the server: none while its gate is closed. */
  if (self->item != NULL && !self->machine.gate_closed &&
      now - self->last_report_us >= PROGRESS_REPORT_US)
    {
      self->last_report_us = now;
      _hw_cell_supervisor_report (self, self->item, HW_FEED_REPORT_PROGRESS);
    }

  /* A repeating cell plays its item to the end, as often as it ends. */
  if (!self->repeat && self->settings.cycle_interval_us > 0 && self->run_started_us != 0
      && now - self->run_started_us >= self->settings.cycle_interval_us)
    _hw_cell_supervisor_handle_event (self, HW_CELL_EVENT_END, NULL);
}

static gboolean
on_watchdog (gpointer user_data)
{
  HwCellSupervisor *self = user_data;
  gint64 now = _hw_cell_supervisor_now (self);
  HwCellState state = self->machine.state;

  self->last_tick_us = now;

  if (self->player != NULL && hw_cell_player_get_loaded (self->player) &&
      (state == HW_CELL_STATE_PLAYING || state == HW_CELL_STATE_LOADING ||
       state == HW_CELL_STATE_PAUSED))
    {
      if (state == HW_CELL_STATE_PLAYING)
        watch_playing (self, now);
      /* Not after a transition the tick itself caused (an end, a cycle). */
      if (self->machine.state == state && self->player != NULL)
        check_stall (self, now);
    }

  if (self->machine.state == HW_CELL_STATE_RETRYING || self->machine.state == HW_CELL_STATE_PARKED)
    _hw_cell_supervisor_update_card (self);

  return G_SOURCE_CONTINUE;
}

void
_hw_cell_supervisor_stop_watchdog (HwCellSupervisor *self)
{
  if (self->watchdog != NULL)
    {
      g_source_destroy (self->watchdog);
      g_clear_pointer (&self->watchdog, g_source_unref);
    }
}

void
_hw_cell_supervisor_start_watchdog (HwCellSupervisor *self)
{
  _hw_cell_supervisor_stop_watchdog (self);

  /* Whole seconds (the default) let GLib fire every cell's watchdog in the
   * same wakeup: a parked or paused wall wakes, and redraws its countdown
   * cards, once a second rather than once per cell. */
  if (self->settings.watchdog_interval_ms % 1000 == 0)
    self->watchdog = g_timeout_source_new_seconds (self->settings.watchdog_interval_ms / 1000);
  else
    self->watchdog = g_timeout_source_new (MAX (self->settings.watchdog_interval_ms, 50));
  g_source_set_priority (self->watchdog, G_PRIORITY_DEFAULT);
  g_source_set_callback (self->watchdog, on_watchdog, self, NULL);
  g_source_set_static_name (self->watchdog, "[hyperwall] cell watchdog");
  g_source_attach (self->watchdog, NULL);
  self->last_tick_us = _hw_cell_supervisor_now (self);
}
