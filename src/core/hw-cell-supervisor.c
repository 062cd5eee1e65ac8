/* hw-cell-supervisor.c: see hw-cell-supervisor.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <math.h>

#include "hw-cell-card.h"
#include "hw-cell-reason.h"
#include "hw-cell-supervisor.h"
#include "hw-cell-watchdog.h"
#include "hw-core-enums.h"
#include "hw-redact.h"

/* Reporting progress to the server more often is noise (docs/emby-api.md). */
#define PROGRESS_REPORT_US (10 * HW_USEC_PER_SEC)

/* Operator "previous" goes back this many items at most. */
#define HW_CELL_HISTORY_LENGTH 8

struct _HwCellSupervisor
{
  GObject                   parent_instance;

  guint                     index;
  HwFeed                   *feed;
  HwCellView               *view;            /* not owned; NULL once detached */
  HwCellSupervisorSettings  settings;
  HwCacheSplit              cache;
  gboolean                  audible;
  gboolean                  repeat; /* an item that ends plays again */

  HwClockFunc               now;
  HwJitterFunc              jitter;
  gpointer                  clock_data;

  HwCellPlayer             *player;
  HwCellMachine             machine;
  HwCellWatchdog           *watchdog;
  HwMediaItem              *item;
  GCancellable             *request;

  guint                     timer_id;
  gint64                    timer_due_us;
  gint64                    last_report_us;
  gint64                    run_started_us;
  gint64                    first_frame_real_us; /* wall-clock time of it, for the status file */
  gboolean                  shut_down;

  char                     *reason;          /* why the cell is not playing, redacted */
  char                     *loaded_url;      /* what the player was last asked to open */
  gboolean                  loaded_fallback; /* it is the item's fallback URL */
  char                     *pending_failure; /* held while the feed checks a failed stream */
  HwServerState             server_state;

  /* Operator "previous": items played before, newest last (at most
   * HW_CELL_HISTORY_LENGTH), and the one the next request takes from
   * there instead of asking the feed. */
  GPtrArray                *history;
  HwMediaItem              *queued;
  gboolean                  going_back;

  char                     *headline;        /* the card, NULL: no card */
  char                     *detail;
};

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
  STATUS_CHANGED,
  FAILURE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void handle_event (HwCellSupervisor *self,
                          HwCellEvent       event,
                          const char       *detail);
static void fail         (HwCellSupervisor *self,
                          const char       *why);

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

static gint64
clock_now (HwCellSupervisor *self)
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

/* Stores the redacted @text (NULL clears it). */
static void
set_reason (HwCellSupervisor *self,
            const char       *text)
{
  g_autofree char *clean = hw_cell_reason_text (HW_CELL_REASON_MESSAGE, text, 0, 0);

  if (replace_string (&self->reason, clean))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASON]);
}

/* The card follows the state; called after every transition and tick. */
static void
update_card (HwCellSupervisor *self)
{
  g_autofree char *headline = NULL;
  g_autofree char *detail = NULL;
  gint64 remaining = self->timer_due_us - clock_now (self);

  hw_cell_card_texts (self->machine.state, self->machine.item_failures == 0,
                      hw_cell_watchdog_get_buffering (self->watchdog), self->reason, remaining,
                      &headline, &detail);
  if (headline == NULL && self->item != NULL && hw_media_item_get_from_cache (self->item) &&
      self->server_state == HW_SERVER_STATE_OFFLINE)
    hw_cell_card_from_cache_texts (&headline, &detail);

  g_object_freeze_notify (G_OBJECT (self));
  if (replace_string (&self->headline, headline))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEADLINE]);
  if (replace_string (&self->detail, detail))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETAIL]);
  g_object_thaw_notify (G_OBJECT (self));
}

/* The item was taken, let go or replaced. */
static void
item_changed (HwCellSupervisor *self)
{
  hw_cell_watchdog_set_network (self->watchdog, self->item != NULL &&
                                                hw_media_item_get_is_network (self->item));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

static void
emit_status_changed (HwCellSupervisor *self)
{
  g_signal_emit (self, signals[STATUS_CHANGED], 0);
}

static void
cancel_request (HwCellSupervisor *self)
{
  if (self->request != NULL)
    {
      g_cancellable_cancel (self->request);
      g_clear_object (&self->request);
    }
}

/* ------------------------------------------------------------------ */
/* Reports                                                             */

/* Tells the feed about @item (the cell's, or one it just let go of) as
 * it plays now; a progress report only once it started, and none while
 * the server gate is closed. */
static void
report_playback (HwCellSupervisor *self,
                 HwMediaItem      *item,
                 HwFeedReport      report)
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

/* ------------------------------------------------------------------ */
/* Player events                                                       */

static void
on_player_started (HwCellSupervisor *self)
{
  gint64 now = clock_now (self);

  hw_cell_watchdog_first_frame (self->watchdog, now);
  self->run_started_us = now;
  self->first_frame_real_us = g_get_real_time ();
  self->last_report_us = now;
  if (self->item != NULL)
    report_playback (self, self->item, HW_FEED_REPORT_STARTED);
  handle_event (self, HW_CELL_EVENT_FIRST_FRAME, NULL);
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
      handle_event (self, HW_CELL_EVENT_UNPLAYABLE, why);
    }
  else
    {
      why = g_steal_pointer (&self->pending_failure);
      fail (self, why);
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

  cancel_request (self);
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
    handle_event (self, HW_CELL_EVENT_END, NULL);
  else if (reason == HW_CELL_REASON_NOT_VIDEO)
    /* The file's fault, certain to repeat: skipped and set aside at once,
     * and no evidence against the server either (no "failure" signal). */
    handle_event (self, HW_CELL_EVENT_UNPLAYABLE, why);
  else if (reason != HW_CELL_REASON_PLAYER_ERROR || started || !check_failed_stream (self, why))
    fail (self, why);
}

static void
connect_player (HwCellSupervisor *self)
{
  g_signal_connect_object (self->player, "started",
                           G_CALLBACK (on_player_started), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->player, "ended",
                           G_CALLBACK (on_player_ended), self, G_CONNECT_SWAPPED);
}

/* ------------------------------------------------------------------ */
/* What the watchdog sees                                              */

static void
on_watchdog_stalled (HwCellSupervisor *self,
                     HwCellReason      reason)
{
  g_autofree char *why = hw_cell_reason_text (reason, NULL, 0, 0);

  if (reason == HW_CELL_REASON_NO_VIDEO_TRACK)
    handle_event (self, HW_CELL_EVENT_UNPLAYABLE, why);
  else
    fail (self, why);
}

static void
on_watchdog_progress (HwCellSupervisor *self)
{
  handle_event (self, HW_CELL_EVENT_PROGRESS, NULL);
}

static void
on_watchdog_tick (HwCellSupervisor *self,
                  gint64            now)
{
  if (self->machine.state == HW_CELL_STATE_PLAYING && self->player != NULL &&
      hw_cell_player_get_loaded (self->player))
    {
      /* Reports need the server: none while its gate is closed. */
      if (self->item != NULL && !self->machine.gate_closed &&
          now - self->last_report_us >= PROGRESS_REPORT_US)
        {
          self->last_report_us = now;
          report_playback (self, self->item, HW_FEED_REPORT_PROGRESS);
        }

      /* A repeating cell plays its item to the end, as often as it ends. */
      if (!self->repeat && self->settings.cycle_interval_us > 0 && self->run_started_us != 0
          && now - self->run_started_us >= self->settings.cycle_interval_us)
        handle_event (self, HW_CELL_EVENT_END, NULL);
    }

  /* The countdown on the card. */
  if (self->machine.state == HW_CELL_STATE_RETRYING || self->machine.state == HW_CELL_STATE_PARKED)
    update_card (self);
}

static void
on_watchdog_buffering (HwCellSupervisor *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUFFERING]);
  update_card (self);
}

static void
start_watchdog (HwCellSupervisor *self)
{
  hw_cell_watchdog_start (self->watchdog, self->settings.watchdog_interval_ms);
}

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
      set_reason (self, error->message);
      return FALSE;
    }

  connect_player (self);
  hw_cell_watchdog_set_player (self->watchdog, self->player);
  return TRUE;
}

static void
destroy_player (HwCellSupervisor *self)
{
  g_autoptr(HwCellPlayer) player = g_steal_pointer (&self->player);

  if (player == NULL)
    return;

  hw_cell_watchdog_set_player (self->watchdog, NULL);
  /* What draws the player goes first (the render context), the player
   * after it: the view may still hold it until then. */
  if (self->view != NULL)
    hw_cell_view_release_player (self->view, player);
  g_signal_handlers_disconnect_by_data (player, self);
  hw_cell_player_stop (player);
}

/* ------------------------------------------------------------------ */
/* Items                                                               */

static void
release_item (HwCellSupervisor *self)
{
  g_autoptr(HwMediaItem) item = g_steal_pointer (&self->item);

  if (item == NULL)
    return;

  if (self->player != NULL && self->run_started_us != 0)
    report_playback (self, item, HW_FEED_REPORT_STOPPED);
  self->run_started_us = 0;
  /* Kept for "previous" (not when going back: that would loop). */
  if (!self->going_back && self->history != NULL)
    {
      if (self->history->len == HW_CELL_HISTORY_LENGTH)
        g_ptr_array_remove_index (self->history, 0);
      g_ptr_array_add (self->history, g_object_ref (item));
    }
  hw_feed_release_item (self->feed, self->index, item);
  item_changed (self);
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
      set_reason (self, why);
      if (g_error_matches (error, HW_FEED_ERROR, HW_FEED_ERROR_SIGN_IN_REQUIRED))
        handle_event (self, HW_CELL_EVENT_SIGN_IN_REQUIRED, why);
      else
        handle_event (self, HW_CELL_EVENT_ITEM_UNAVAILABLE, why);
      return;
    }

  self->item = g_steal_pointer (&item);
  item_changed (self);
  hw_cell_machine_set_fallback (&self->machine,
                                hw_media_item_get_fallback_url (self->item) != NULL);
  hw_cell_machine_set_remote (&self->machine, hw_media_item_get_is_network (self->item));
  handle_event (self, HW_CELL_EVENT_ITEM_READY, NULL);
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
  item_changed (self);
  hw_cell_machine_set_fallback (&self->machine,
                                hw_media_item_get_fallback_url (self->item) != NULL);
  hw_cell_machine_set_remote (&self->machine, hw_media_item_get_is_network (self->item));
  handle_event (self, HW_CELL_EVENT_ITEM_READY, NULL);
  return G_SOURCE_REMOVE;
}

static void
request_item (HwCellSupervisor *self)
{
  ItemRequest *request;

  cancel_request (self);
  self->going_back = self->queued != NULL;
  release_item (self);
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

  cancel_request (self);
  if (self->player != NULL && self->run_started_us != 0)
    report_playback (self, item, HW_FEED_REPORT_STOPPED);
  self->run_started_us = 0;
  /* As in request_item: the load that follows replaces it. */
  if (self->player != NULL)
    hw_cell_player_forget (self->player);
  item_changed (self);

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
      handle_event (self, HW_CELL_EVENT_FAILURE, why);
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
      handle_event (self, HW_CELL_EVENT_FAILURE, why);
      return;
    }

  self->run_started_us = 0;
  hw_cell_watchdog_start_load (self->watchdog, clock_now (self));

  /* One line per load: tests count the loads of each item by it. */
  g_debug ("cell %u: loading “%s” (%s)", self->index, hw_media_item_get_title (self->item),
           stream == HW_STREAM_FALLBACK ? "transcoded" : "direct");
  g_free (self->loaded_url);
  self->loaded_url = g_strdup (url);
  if (!hw_cell_player_load (self->player, url, hw_media_item_get_mpv_options (self->item), &error))
    {
      why = hw_cell_reason_text (HW_CELL_REASON_MESSAGE, error->message, 0, 0);
      handle_event (self, HW_CELL_EVENT_FAILURE, why);
    }
}

/* ------------------------------------------------------------------ */
/* Timers                                                              */

static gboolean
on_timer (gpointer user_data)
{
  HwCellSupervisor *self = user_data;

  self->timer_id = 0;
  handle_event (self, HW_CELL_EVENT_TIMER, NULL);
  return G_SOURCE_REMOVE;
}

static void
start_timer (HwCellSupervisor *self,
             gint64            delay_us)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  self->timer_due_us = clock_now (self) + delay_us;
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
                 hw_cell_machine_failures (&self->machine, clock_now (self)),
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
      cancel_request (self);
      release_item (self);
      stop_player (self);
      start_timer (self, decision->delay_us);
      break;
    case HW_CELL_ACTION_STOP:
      g_clear_handle_id (&self->timer_id, g_source_remove);
      cancel_request (self);
      release_item (self);
      stop_player (self);
      break;
    case HW_CELL_ACTION_PAUSE:
    case HW_CELL_ACTION_RESUME:
      if (self->player == NULL)
        break;
      hw_cell_player_set_paused (self->player, decision->action == HW_CELL_ACTION_PAUSE);
      /* At once, as Emby's clients report a pause: the dashboard shows it. */
      if (self->item != NULL && self->run_started_us != 0)
        report_playback (self, self->item, HW_FEED_REPORT_PROGRESS);
      break;
    default:
      break;
    }
}

static void
handle_event (HwCellSupervisor *self,
              HwCellEvent       event,
              const char       *detail)
{
  HwCellDecision decision;
  double unit;

  if (self->shut_down)
    return;

  unit = self->jitter (self->clock_data);
  decision = hw_cell_machine_handle (&self->machine, event, unit, clock_now (self));
  hw_cell_watchdog_set_state (self->watchdog, decision.state);
  if (decision.action == HW_CELL_ACTION_NONE && decision.old_state == decision.state)
    return;

  if (detail != NULL && (event == HW_CELL_EVENT_FAILURE || event == HW_CELL_EVENT_UNPLAYABLE))
    set_reason (self, detail);
  else if (decision.state == HW_CELL_STATE_PLAYING)
    set_reason (self, NULL);
  else if (detail == NULL && decision.reason != NULL && decision.old_state != decision.state &&
           decision.state != HW_CELL_STATE_LOADING)
    set_reason (self, decision.reason);

  log_decision (self, &decision, event, detail);
  if (decision.action == HW_CELL_ACTION_REQUEST_ITEM &&
      (event == HW_CELL_EVENT_FAILURE || event == HW_CELL_EVENT_UNPLAYABLE))
    /* Giving up on the item: the feed should not hand it to anyone soon. */
    hw_feed_set_aside (self->feed, self->item,
                       event == HW_CELL_EVENT_UNPLAYABLE ? HW_ITEM_VERDICT_UNPLAYABLE
                                                        : HW_ITEM_VERDICT_FAILED);
  execute (self, &decision, event);
  if (decision.old_state != decision.state)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  update_card (self);

  if (decision.old_state != decision.state || decision.action != HW_CELL_ACTION_NONE)
    emit_status_changed (self);
}

/* Counts a failure; @why is the reason's text. */
static void
fail (HwCellSupervisor *self,
      const char       *why)
{
  /* A cell on its way out says nothing: it is no evidence against the server. */
  if (self->shut_down)
    return;

  /* The controller watches for the whole wall failing at once. */
  g_signal_emit (self, signals[FAILURE], 0, why);
  handle_event (self, HW_CELL_EVENT_FAILURE, why);
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
  g_clear_object (&self->watchdog);

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
      g_value_set_enum (value, self->machine.state);
      break;
    case PROP_TITLE:
      g_value_set_string (value, hw_cell_supervisor_get_title (self));
      break;
    case PROP_REASON:
      g_value_set_string (value, self->reason);
      break;
    case PROP_BUFFERING:
      g_value_set_boolean (value, hw_cell_watchdog_get_buffering (self->watchdog));
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

  /* The one channel for the state: notify::state. */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, HW_TYPE_CELL_STATE, HW_CELL_STATE_IDLE, flags);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);
  properties[PROP_REASON] = g_param_spec_string ("reason", NULL, NULL, NULL, flags);
  properties[PROP_BUFFERING] = g_param_spec_boolean ("buffering", NULL, NULL, FALSE, flags);
  properties[PROP_HEADLINE] = g_param_spec_string ("headline", NULL, NULL, NULL, flags);
  properties[PROP_DETAIL] = g_param_spec_string ("detail", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The cell's object in the status file changed: a transition, but also
   * what the machine did within a state (an item loads, a retry) and the
   * repeat mode. Not a state channel: that is notify::state. */
  signals[STATUS_CHANGED] = g_signal_new ("status-changed", G_TYPE_FROM_CLASS (klass),
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

  self->watchdog = hw_cell_watchdog_new ();
  g_signal_connect_swapped (self->watchdog, "stalled", G_CALLBACK (on_watchdog_stalled), self);
  g_signal_connect_swapped (self->watchdog, "progress", G_CALLBACK (on_watchdog_progress), self);
  g_signal_connect_swapped (self->watchdog, "tick", G_CALLBACK (on_watchdog_tick), self);
  g_signal_connect_swapped (self->watchdog, "notify::buffering",
                            G_CALLBACK (on_watchdog_buffering), self);
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
  hw_cell_watchdog_set_view (self->watchdog, view);
  hw_cell_watchdog_set_params (self->watchdog, &settings->stall);
  update_card (self);
  start_watchdog (self);

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
  hw_cell_watchdog_set_clock (self->watchdog, now, user_data);
  update_card (self);
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
  hw_cell_watchdog_set_params (self->watchdog, &settings->stall);
  if (old_interval != settings->watchdog_interval_ms && !self->shut_down)
    start_watchdog (self);
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

/* With copies on disk the cell plays those instead of waiting. */
static void
close_gate (HwCellSupervisor *self)
{
  hw_cell_machine_set_offline_items (&self->machine, hw_feed_has_offline_items (self->feed));
  handle_event (self, HW_CELL_EVENT_GATE_CLOSED, NULL);
}

void
hw_cell_supervisor_start (HwCellSupervisor *self)
{
  g_return_if_fail (HW_IS_CELL_SUPERVISOR (self));

  if (self->server_state == HW_SERVER_STATE_OFFLINE)
    close_gate (self);
  else if (self->server_state == HW_SERVER_STATE_SIGN_IN_REQUIRED)
    handle_event (self, HW_CELL_EVENT_SIGN_IN_REQUIRED, NULL);
  else
    handle_event (self, HW_CELL_EVENT_START, NULL);
}

void
hw_cell_supervisor_shutdown (HwCellSupervisor *self)
{
  g_return_if_fail (HW_IS_CELL_SUPERVISOR (self));

  if (self->shut_down)
    return;

  hw_cell_watchdog_stop (self->watchdog);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  cancel_request (self);
  release_item (self);
  if (self->player != NULL)
    hw_cell_player_stop (self->player);
  self->shut_down = TRUE;
}

void
hw_cell_supervisor_detach (HwCellSupervisor *self)
{
  g_return_if_fail (HW_IS_CELL_SUPERVISOR (self));

  destroy_player (self);
  self->view = NULL;
  hw_cell_watchdog_set_view (self->watchdog, NULL);
}

void
hw_cell_supervisor_reset (HwCellSupervisor *self)
{
  g_autofree char *why = NULL;

  g_return_if_fail (HW_IS_CELL_SUPERVISOR (self));

  if (self->shut_down)
    return;

  g_warning ("cell %u: its watchdog stopped ticking; restarting the cell", self->index);
  destroy_player (self);
  start_watchdog (self);
  why = hw_cell_reason_text (HW_CELL_REASON_WATCHDOG, NULL, 0, 0);
  handle_event (self, HW_CELL_EVENT_OPERATOR_NEXT, why);
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
      close_gate (self);
      if (reason != NULL && self->machine.state == HW_CELL_STATE_WAITING)
        set_reason (self, reason);
      update_card (self);
      break;
    case HW_SERVER_STATE_SIGN_IN_REQUIRED:
      handle_event (self, HW_CELL_EVENT_SIGN_IN_REQUIRED, NULL);
      if (reason != NULL)
        set_reason (self, reason);
      update_card (self);
      break;
    case HW_SERVER_STATE_ONLINE:
      /* Whatever came between (connecting…), a stopped cell starts again;
       * the others only learn that the server may be asked again. */
      handle_event (self, HW_CELL_EVENT_GATE_OPENED, NULL);
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
  handle_event (self, HW_CELL_EVENT_OPERATOR_NEXT, NULL);
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
  handle_event (self, HW_CELL_EVENT_OPERATOR_NEXT, NULL);
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
  handle_event (self, paused ? HW_CELL_EVENT_OPERATOR_PAUSE
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
    report_playback (self, self->item, HW_FEED_REPORT_PROGRESS);
  emit_status_changed (self);
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
  return hw_cell_watchdog_get_last_tick (self->watchdog);
}

gint64
hw_cell_supervisor_get_timer_remaining (HwCellSupervisor *self)
{
  g_return_val_if_fail (HW_IS_CELL_SUPERVISOR (self), -1);

  if (self->timer_id == 0)
    return -1;
  return MAX (0, self->timer_due_us - clock_now (self));
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
  return hw_cell_watchdog_get_buffering (self->watchdog);
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
  json_builder_set_member_name (builder, "from_cache");
  json_builder_add_boolean_value (builder,
                                  self->item != NULL && hw_media_item_get_from_cache (self->item));
  add_string_or_null (builder, "title", hw_cell_supervisor_get_title (self));
  json_builder_set_member_name (builder, "position");
  if (position >= 0 && self->item != NULL)
    json_builder_add_double_value (builder, round (position * 10) / 10);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "failures");
  json_builder_add_int_value (builder, hw_cell_machine_failures (&self->machine,
                                                               clock_now (self)));
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
