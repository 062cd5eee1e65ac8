/* hw-cell.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "hw-cell.h"
#include "hw-player.h"
#include "hw-redact.h"

/* Reporting progress to the server more often is noise (docs/emby-api.md). */
#define PROGRESS_REPORT_US (10 * HW_USEC_PER_SEC)
/* An end this far before the known duration is a dead stream, not an end. */
#define PREMATURE_END_SLACK_S 5.0

struct _HwCell
{
  GtkWidget       parent_instance;

  /* Template children */
  GtkOverlay     *overlay;
  GtkWidget      *title_label;
  GtkWidget      *card;
  GtkWidget      *card_headline;
  GtkWidget      *card_detail;

  guint           index;
  HwFeed         *feed;
  HwCellSettings  settings;
  HwCacheSplit    cache;
  gboolean        audible;

  HwPlayer       *player;
  GtkWidget      *surface;
  gboolean        surface_fell_back;

  HwCellMachine   machine;
  HwStallTracker  tracker;
  HwMediaItem    *item;
  GCancellable   *request;

  GSource        *watchdog;
  gint64          last_tick_us;
  guint           timer_id;
  gint64          timer_due_us;
  gint64          last_report_us;
  gint64          run_started_us;
  gboolean        buffering;
  gboolean        shut_down;

  char           *reason;          /* why the cell is not playing, for cards and status */
  char           *loaded_url;      /* what the player was last asked to open */
  char           *pending_failure; /* held while the feed checks a failed stream */
  HwServerState   server_state;
};

G_DEFINE_FINAL_TYPE (HwCell, hw_cell, GTK_TYPE_WIDGET)

enum {
  STATE_CHANGED,
  FAILURE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void handle_event   (HwCell      *self,
                            HwCellEvent  event,
                            const char  *detail);
static void start_watchdog (HwCell      *self);

static void
set_reason (HwCell     *self,
            const char *reason)
{
  g_autofree char *clean = reason ? hw_redact (reason) : NULL;

  g_free (self->reason);
  self->reason = g_steal_pointer (&clean);
}

static void
show_card (HwCell     *self,
           const char *headline,
           const char *detail)
{
  gtk_label_set_text (GTK_LABEL (self->card_headline), headline ? headline : "");
  gtk_label_set_text (GTK_LABEL (self->card_detail), detail ? detail : "");
  gtk_widget_set_visible (self->card_detail, detail != NULL && *detail != '\0');
  gtk_widget_set_visible (self->card, headline != NULL);
}

static char *
format_countdown (gint64 remaining_us)
{
  gint64 seconds = MAX (0, (remaining_us + HW_USEC_PER_SEC - 1) / HW_USEC_PER_SEC);

  return g_strdup_printf ("%" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT, seconds / 60, seconds % 60);
}

/* The card follows the state; called after every transition and tick. */
static void
update_card (HwCell *self)
{
  gint64 now = g_get_monotonic_time ();
  g_autofree char *countdown = NULL;
  g_autofree char *detail = NULL;

  switch (self->machine.state)
    {
    case HW_CELL_STATE_PLAYING:
      show_card (self, self->buffering ? _("Buffering…") : NULL, NULL);
      break;
    case HW_CELL_STATE_IDLE:
    case HW_CELL_STATE_LOADING:
    case HW_CELL_STATE_ENDED:
      show_card (self, _("Loading…"), NULL);
      break;
    case HW_CELL_STATE_RETRYING:
      countdown = format_countdown (self->timer_due_us - now);
      detail = g_strdup_printf (_("%s — retrying in %s"), self->reason ? self->reason : "",
                                countdown);
      show_card (self, _("Trouble playing"), detail);
      break;
    case HW_CELL_STATE_PARKED:
      countdown = format_countdown (self->timer_due_us - now);
      detail = g_strdup_printf (_("%s\nTrying again in %s"), self->reason ? self->reason : "",
                                countdown);
      show_card (self, _("Media unavailable"), detail);
      break;
    case HW_CELL_STATE_WAITING:
      show_card (self, _("Waiting for server"),
                 self->reason ? self->reason : _("The wall starts again when it answers."));
      break;
    case HW_CELL_STATE_SIGN_IN_REQUIRED:
      show_card (self, _("Sign-in required"),
                 self->reason ? self->reason
                              : _("The server refused the credentials. Check the user name and password."));
      break;
    case HW_CELL_STATE_PAUSED:
      show_card (self, _("Paused"), NULL);
      break;
    default:
      show_card (self, NULL, NULL);
      break;
    }
}

static void
update_title (HwCell *self)
{
  const char *title = self->item ? hw_media_item_get_title (self->item) : "";

  gtk_label_set_text (GTK_LABEL (self->title_label), title);
  gtk_widget_set_visible (self->title_label, self->item != NULL);
}

/* ------------------------------------------------------------------ */
/* Player and surface                                                  */

static void on_render_failed (HwCell *self, const char *message, GtkWidget *surface);

static void
install_surface (HwCell     *self,
                 HwRenderer  renderer)
{
  if (self->surface != NULL)
    gtk_overlay_set_child (self->overlay, NULL);

  if (renderer == HW_RENDERER_GL)
    self->surface = hw_gl_surface_new (self->player);
  else
    self->surface = hw_sw_surface_new (self->player);

  g_signal_connect_object (self->surface, "render-failed",
                           G_CALLBACK (on_render_failed), self, G_CONNECT_SWAPPED);
  gtk_overlay_set_child (self->overlay, self->surface);
}

static gboolean
fall_back_to_software (gpointer user_data)
{
  HwCell *self = user_data;

  if (!self->shut_down && self->player != NULL)
    install_surface (self, HW_RENDERER_SOFTWARE);
  return G_SOURCE_REMOVE;
}

static void
on_render_failed (HwCell     *self,
                  const char *message,
                  GtkWidget  *surface)
{
  if (self->surface_fell_back || !HW_IS_GL_SURFACE (surface))
    {
      g_warning ("cell %u: cannot draw video: %s", self->index, message);
      return;
    }

  /* Not from inside the surface's own realize. */
  self->surface_fell_back = TRUE;
  g_idle_add_full (G_PRIORITY_DEFAULT, fall_back_to_software,
                   g_object_ref (self), g_object_unref);
}

static void on_player_started (HwCell *self);
static void on_player_ended   (HwCell *self, int reason, const char *message);

static gboolean
ensure_player (HwCell *self)
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

  self->player = hw_player_new (&options, &error);
  if (self->player == NULL)
    {
      g_warning ("cell %u: cannot create a video player: %s", self->index, error->message);
      set_reason (self, error->message);
      return FALSE;
    }

  g_signal_connect_object (self->player, "started",
                           G_CALLBACK (on_player_started), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->player, "ended",
                           G_CALLBACK (on_player_ended), self, G_CONNECT_SWAPPED);

  install_surface (self, self->surface_fell_back ? HW_RENDERER_SOFTWARE : self->settings.renderer);
  return TRUE;
}

static void
destroy_player (HwCell *self)
{
  /* The surface frees its render context on unrealize, before the handle. */
  if (self->surface != NULL)
    {
      gtk_overlay_set_child (self->overlay, NULL);
      self->surface = NULL;
    }
  /* The last reference destroys the handle, maybe from the software render
   * thread once it has freed its context: never before it. */
  if (self->player != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->player, self);
      hw_player_stop (self->player);
      g_clear_object (&self->player);
    }
}

/* ------------------------------------------------------------------ */
/* Items                                                               */

static void
release_item (HwCell *self)
{
  g_autoptr(HwMediaItem) item = g_steal_pointer (&self->item);

  if (item == NULL)
    return;

  if (self->player != NULL && self->run_started_us != 0)
    hw_feed_report (self->feed, item, HW_FEED_REPORT_STOPPED,
                    MAX (0, hw_player_get_position (self->player)));
  self->run_started_us = 0;
  hw_feed_release_item (self->feed, self->index, item);
  update_title (self);
}

static void
cancel_request (HwCell *self)
{
  if (self->request != NULL)
    {
      g_cancellable_cancel (self->request);
      g_clear_object (&self->request);
    }
}

static void
on_next_item (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(HwCell) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HwMediaItem) item = NULL;

  item = hw_feed_next_item_finish (HW_FEED (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->shut_down)
    {
      if (item != NULL)
        hw_feed_release_item (HW_FEED (source), self->index, item);
      return;
    }

  g_clear_object (&self->request);

  if (item == NULL)
    {
      set_reason (self, error->message);
      if (g_error_matches (error, HW_FEED_ERROR, HW_FEED_ERROR_SIGN_IN_REQUIRED))
        handle_event (self, HW_CELL_EVENT_SIGN_IN_REQUIRED, error->message);
      else
        handle_event (self, HW_CELL_EVENT_ITEM_UNAVAILABLE, error->message);
      return;
    }

  self->item = g_steal_pointer (&item);
  update_title (self);
  hw_cell_machine_set_fallback (&self->machine,
                                hw_media_item_get_fallback_url (self->item) != NULL);
  handle_event (self, HW_CELL_EVENT_ITEM_READY, NULL);
}

static void
request_item (HwCell *self)
{
  cancel_request (self);
  release_item (self);
  /* Not stopped: the next load replaces it, and a stop now could overtake
   * that load (hw_player_forget). If no item comes, SCHEDULE stops it. */
  if (self->player != NULL)
    hw_player_forget (self->player);

  self->request = g_cancellable_new ();
  hw_feed_next_item_async (self->feed, self->index, self->request,
                           on_next_item, g_object_ref (self));
}

static void
load_item (HwCell       *self,
           HwStreamKind  stream)
{
  g_autoptr(GError) error = NULL;
  const char *url = NULL;

  if (self->item == NULL)
    {
      handle_event (self, HW_CELL_EVENT_FAILURE, "no item to load");
      return;
    }

  if (stream == HW_STREAM_FALLBACK)
    url = hw_media_item_get_fallback_url (self->item);
  if (url == NULL)
    url = hw_media_item_get_direct_url (self->item);

  if (!ensure_player (self))
    {
      handle_event (self, HW_CELL_EVENT_FAILURE, self->reason);
      return;
    }

  self->buffering = FALSE;
  self->run_started_us = 0;
  hw_stall_tracker_start_load (&self->tracker, g_get_monotonic_time ());

  g_free (self->loaded_url);
  self->loaded_url = g_strdup (url);
  if (!hw_player_load (self->player, url, hw_media_item_get_mpv_options (self->item), &error))
    handle_event (self, HW_CELL_EVENT_FAILURE, error->message);
}

/* ------------------------------------------------------------------ */
/* Timers                                                              */

static gboolean
on_timer (gpointer user_data)
{
  HwCell *self = user_data;

  self->timer_id = 0;
  handle_event (self, HW_CELL_EVENT_TIMER, NULL);
  return G_SOURCE_REMOVE;
}

static void
start_timer (HwCell *self,
             gint64  delay_us)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  self->timer_due_us = g_get_monotonic_time () + delay_us;
  self->timer_id = g_timeout_add_full (G_PRIORITY_DEFAULT, MAX (delay_us / 1000, 1),
                                       on_timer, self, NULL);
}

/* ------------------------------------------------------------------ */
/* The machine's decisions                                             */

static void
log_decision (HwCell               *self,
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

  /* One line per event an operator cares about: which cell, what, why. */
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
                 hw_cell_machine_failures (&self->machine, g_get_monotonic_time ()),
                 clean ? clean : decision->reason,
                 title ? " on “" : "", title ? title : "", title ? "”" : "");
      break;
    case HW_CELL_ACTION_REQUEST_ITEM:
      if (event == HW_CELL_EVENT_FAILURE || event == HW_CELL_EVENT_NOT_FOUND)
        g_message ("cell %u: skipping %s%s%s: %s", self->index,
                   title ? "“" : "", title ? title : "the item", title ? "”" : "",
                   clean ? clean : decision->reason);
      else if (decision->old_state == HW_CELL_STATE_PARKED)
        g_message ("cell %u: %s; trying a fresh item", self->index, decision->reason);
      break;
    case HW_CELL_ACTION_STOP:
      if (decision->old_state != decision->state)
        g_debug ("cell %u: stopped: %s", self->index, decision->reason);
      break;
    default:
      break;
    }
}

static void
execute (HwCell               *self,
         const HwCellDecision *decision)
{
  switch (decision->action)
    {
    case HW_CELL_ACTION_NONE:
      break;
    case HW_CELL_ACTION_REQUEST_ITEM:
      g_clear_handle_id (&self->timer_id, g_source_remove);
      request_item (self);
      break;
    case HW_CELL_ACTION_LOAD:
      g_clear_handle_id (&self->timer_id, g_source_remove);
      load_item (self, decision->stream);
      break;
    case HW_CELL_ACTION_SCHEDULE:
      if (self->player != NULL)
        hw_player_stop (self->player);
      start_timer (self, decision->delay_us);
      break;
    case HW_CELL_ACTION_PARK:
      cancel_request (self);
      release_item (self);
      if (self->player != NULL)
        hw_player_stop (self->player);
      start_timer (self, decision->delay_us);
      break;
    case HW_CELL_ACTION_STOP:
      g_clear_handle_id (&self->timer_id, g_source_remove);
      cancel_request (self);
      release_item (self);
      if (self->player != NULL)
        hw_player_stop (self->player);
      break;
    case HW_CELL_ACTION_PAUSE:
      if (self->player != NULL)
        hw_player_set_paused (self->player, TRUE);
      break;
    case HW_CELL_ACTION_RESUME:
      if (self->player != NULL)
        hw_player_set_paused (self->player, FALSE);
      break;
    default:
      break;
    }
}

static double
jitter_unit (void)
{
  return g_random_double_range (-1.0, 1.0);
}

static void
handle_event (HwCell      *self,
              HwCellEvent  event,
              const char  *detail)
{
  HwCellDecision decision;

  if (self->shut_down)
    return;

  decision = hw_cell_machine_handle (&self->machine, event, jitter_unit (),
                                     g_get_monotonic_time ());
  if (decision.action == HW_CELL_ACTION_NONE && decision.old_state == decision.state)
    return;

  if (detail != NULL && (event == HW_CELL_EVENT_FAILURE || event == HW_CELL_EVENT_NOT_FOUND))
    set_reason (self, detail);
  else if (decision.state == HW_CELL_STATE_PLAYING)
    set_reason (self, NULL);
  else if (detail == NULL && decision.reason != NULL && decision.old_state != decision.state &&
           decision.state != HW_CELL_STATE_LOADING)
    set_reason (self, decision.reason);

  log_decision (self, &decision, event, detail);
  if (decision.action == HW_CELL_ACTION_REQUEST_ITEM &&
      (event == HW_CELL_EVENT_FAILURE || event == HW_CELL_EVENT_NOT_FOUND))
    /* Giving up on the item: the feed should not hand it to anyone soon. */
    hw_feed_set_aside (self->feed, self->item,
                       event == HW_CELL_EVENT_NOT_FOUND ? HW_FEED_VERDICT_GONE
                                                        : HW_FEED_VERDICT_FAILED);
  execute (self, &decision);
  update_card (self);

  if (decision.old_state != decision.state || decision.action != HW_CELL_ACTION_NONE)
    g_signal_emit (self, signals[STATE_CHANGED], 0);
}

static void
fail (HwCell     *self,
      const char *why)
{
  /* The controller watches for the whole wall failing at once. */
  g_signal_emit (self, signals[FAILURE], 0, why);
  handle_event (self, HW_CELL_EVENT_FAILURE, why);
}

/* ------------------------------------------------------------------ */
/* Player events                                                       */

static void
on_player_started (HwCell *self)
{
  gint64 now = g_get_monotonic_time ();

  hw_stall_tracker_first_frame (&self->tracker, now);
  self->run_started_us = now;
  self->last_report_us = now;
  if (self->item != NULL)
    hw_feed_report (self->feed, self->item, HW_FEED_REPORT_STARTED, 0);
  handle_event (self, HW_CELL_EVENT_FIRST_FRAME, NULL);
}

static double
expected_duration (HwCell *self)
{
  double duration = self->item ? hw_media_item_get_duration (self->item) : 0;

  if (duration <= 0 && self->player != NULL)
    duration = hw_player_get_duration (self->player);
  return duration;
}

static void
on_stream_checked (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(HwCell) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean gone = hw_feed_check_stream_finish (HW_FEED (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->shut_down)
    return;

  g_clear_object (&self->request);
  if (gone)
    /* Retrying a 404 cannot help: skip the item (docs/emby-api.md). */
    handle_event (self, HW_CELL_EVENT_NOT_FOUND, _("The server has no such stream (404)"));
  else
    fail (self, self->pending_failure);
  g_clear_pointer (&self->pending_failure, g_free);
}

/* A network stream that would not open may be gone for good; ask the feed
 * before choosing between retrying and skipping. */
static gboolean
check_failed_stream (HwCell     *self,
                     const char *why)
{
  if (self->item == NULL || !hw_media_item_get_is_network (self->item) ||
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
on_player_ended (HwCell     *self,
                 int         reason,
                 const char *message)
{
  double position = self->player ? hw_player_get_position (self->player) : -1;
  double duration = expected_duration (self);
  g_autofree char *why = NULL;

  if (reason == HW_PLAYER_END_ERROR)
    {
      why = g_strdup_printf (_("Playback failed: %s"), message ? message : _("unknown error"));
      if (self->run_started_us != 0 || !check_failed_stream (self, why))
        fail (self, why);
    }
  else if (self->run_started_us == 0)
    {
      fail (self, _("The stream ended before its first frame"));
    }
  else if (duration > 0 && position >= 0 &&
           position < duration - MAX (PREMATURE_END_SLACK_S, duration * 0.05))
    {
      /* A dead network stream ends like a finished one (docs/architecture.md). */
      why = g_strdup_printf (_("The stream stopped at %.0f s of %.0f s"), position, duration);
      fail (self, why);
    }
  else
    {
      handle_event (self, HW_CELL_EVENT_END, NULL);
    }
}

/* ------------------------------------------------------------------ */
/* The watchdog                                                        */

static void
check_stall (HwCell *self,
             gint64  now)
{
  HwPlaybackFlags flags = {
    .operator_paused = self->machine.state == HW_CELL_STATE_PAUSED,
    .seeking = hw_player_get_seeking (self->player),
    .paused_for_cache = hw_player_get_paused_for_cache (self->player),
    .network = self->item != NULL && hw_media_item_get_is_network (self->item),
    /* A full buffer stops growing on purpose: treat it like a finished one. */
    .cache_eof = hw_player_get_cache_eof (self->player) || hw_player_get_cache_full (self->player),
  };
  HwStallVerdict verdict;
  gboolean buffering;

  verdict = hw_stall_tracker_check (&self->tracker, &self->settings.stall, &flags, now);

  buffering = verdict == HW_STALL_VERDICT_BUFFERING || flags.paused_for_cache;
  if (buffering != self->buffering)
    {
      self->buffering = buffering;
      update_card (self);
    }

  if (verdict == HW_STALL_VERDICT_STALLED)
    fail (self, _("The stream stalled"));
  else if (verdict == HW_STALL_VERDICT_LOAD_TIMEOUT)
    fail (self, _("The stream did not start in time"));
}

static void
watch_playing (HwCell *self,
               gint64  now)
{
  double position = hw_player_get_position (self->player);
  gboolean advanced = position >= 0 && (!self->tracker.has_position ||
                                        position > self->tracker.last_position);

  if (position >= 0)
    hw_stall_tracker_position (&self->tracker, position, now);
  hw_stall_tracker_cache_bytes (&self->tracker, hw_player_get_cache_bytes (self->player), now);

  if (advanced)
    handle_event (self, HW_CELL_EVENT_PROGRESS, NULL);

  if (self->item != NULL && now - self->last_report_us >= PROGRESS_REPORT_US)
    {
      self->last_report_us = now;
      hw_feed_report (self->feed, self->item, HW_FEED_REPORT_PROGRESS, MAX (position, 0));
    }

  if (self->settings.cycle_interval_us > 0 && self->run_started_us != 0 &&
      now - self->run_started_us >= self->settings.cycle_interval_us)
    {
      handle_event (self, HW_CELL_EVENT_END, NULL);
      return;
    }
}

static gboolean
on_watchdog (gpointer user_data)
{
  HwCell *self = user_data;
  gint64 now = g_get_monotonic_time ();
  HwCellState state = self->machine.state;

  self->last_tick_us = now;

  if (self->player != NULL && hw_player_get_loaded (self->player) &&
      (state == HW_CELL_STATE_PLAYING || state == HW_CELL_STATE_LOADING ||
       state == HW_CELL_STATE_PAUSED))
    {
      if (state == HW_CELL_STATE_PLAYING)
        watch_playing (self, now);
      if (self->machine.state == state)
        check_stall (self, now);
    }

  if (self->machine.state == HW_CELL_STATE_RETRYING || self->machine.state == HW_CELL_STATE_PARKED)
    update_card (self);

  return G_SOURCE_CONTINUE;
}

static void
stop_watchdog (HwCell *self)
{
  if (self->watchdog != NULL)
    {
      g_source_destroy (self->watchdog);
      g_clear_pointer (&self->watchdog, g_source_unref);
    }
}

static void
start_watchdog (HwCell *self)
{
  stop_watchdog (self);

  self->watchdog = g_timeout_source_new (MAX (self->settings.watchdog_interval_ms, 50));
  g_source_set_priority (self->watchdog, G_PRIORITY_DEFAULT);
  g_source_set_callback (self->watchdog, on_watchdog, self, NULL);
  g_source_set_static_name (self->watchdog, "[hyperwall] cell watchdog");
  g_source_attach (self->watchdog, NULL);
  self->last_tick_us = g_get_monotonic_time ();
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

static void
hw_cell_dispose (GObject *object)
{
  HwCell *self = HW_CELL (object);

  hw_cell_shutdown (self);
  destroy_player (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), HW_TYPE_CELL);
  g_clear_object (&self->feed);

  G_OBJECT_CLASS (hw_cell_parent_class)->dispose (object);
}

static void
hw_cell_finalize (GObject *object)
{
  HwCell *self = HW_CELL (object);

  g_free (self->reason);
  g_free (self->loaded_url);
  g_free (self->pending_failure);

  G_OBJECT_CLASS (hw_cell_parent_class)->finalize (object);
}

static void
hw_cell_class_init (HwCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hw_cell_dispose;
  object_class->finalize = hw_cell_finalize;

  signals[STATE_CHANGED] = g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 0);
  /* A failure is about to be counted: (const char *why). */
  signals[FAILURE] = g_signal_new ("failure", G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/example/Hyperwall/ui/hw-cell.ui");
  gtk_widget_class_bind_template_child (widget_class, HwCell, overlay);
  gtk_widget_class_bind_template_child (widget_class, HwCell, title_label);
  gtk_widget_class_bind_template_child (widget_class, HwCell, card);
  gtk_widget_class_bind_template_child (widget_class, HwCell, card_headline);
  gtk_widget_class_bind_template_child (widget_class, HwCell, card_detail);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "hw-cell");
}

static void
hw_cell_init (HwCell *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->server_state = HW_SERVER_STATE_NONE;
}

HwCell *
hw_cell_new (guint                 index,
             HwFeed               *feed,
             const HwCellSettings *settings,
             const HwCacheSplit   *cache)
{
  HwCell *self;

  g_return_val_if_fail (HW_IS_FEED (feed), NULL);
  g_return_val_if_fail (settings != NULL && cache != NULL, NULL);

  self = g_object_new (HW_TYPE_CELL, NULL);
  self->index = index;
  self->feed = g_object_ref (feed);
  self->settings = *settings;
  self->cache = *cache;
  hw_cell_machine_init (&self->machine, &settings->policy);
  update_card (self);
  start_watchdog (self);

  return self;
}

guint
hw_cell_get_index (HwCell *self)
{
  g_return_val_if_fail (HW_IS_CELL (self), 0);
  return self->index;
}

void
hw_cell_set_index (HwCell *self,
                   guint   index)
{
  g_return_if_fail (HW_IS_CELL (self));
  self->index = index;
}

void
hw_cell_set_settings (HwCell               *self,
                      const HwCellSettings *settings)
{
  guint old_interval;

  g_return_if_fail (HW_IS_CELL (self));

  old_interval = self->settings.watchdog_interval_ms;
  self->settings = *settings;
  hw_cell_machine_set_policy (&self->machine, &settings->policy);
  if (old_interval != settings->watchdog_interval_ms && !self->shut_down)
    start_watchdog (self);
}

void
hw_cell_set_cache (HwCell             *self,
                   const HwCacheSplit *cache)
{
  g_return_if_fail (HW_IS_CELL (self));

  self->cache = *cache;
  if (self->player != NULL)
    hw_player_set_cache_limits (self->player, cache->forward_bytes, cache->back_bytes);
}

void
hw_cell_set_audible (HwCell   *self,
                     gboolean  audible)
{
  g_return_if_fail (HW_IS_CELL (self));

  if (self->audible == !!audible)
    return;
  self->audible = !!audible;
  if (self->player != NULL)
    hw_player_set_audible (self->player, self->audible);
}

void
hw_cell_start (HwCell *self)
{
  g_return_if_fail (HW_IS_CELL (self));

  if (self->server_state == HW_SERVER_STATE_OFFLINE)
    handle_event (self, HW_CELL_EVENT_GATE_CLOSED, NULL);
  else if (self->server_state == HW_SERVER_STATE_SIGN_IN_REQUIRED)
    handle_event (self, HW_CELL_EVENT_SIGN_IN_REQUIRED, NULL);
  else
    handle_event (self, HW_CELL_EVENT_START, NULL);
}

void
hw_cell_shutdown (HwCell *self)
{
  g_return_if_fail (HW_IS_CELL (self));

  if (self->shut_down)
    return;

  stop_watchdog (self);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  cancel_request (self);
  release_item (self);
  if (self->player != NULL)
    hw_player_stop (self->player);
  self->shut_down = TRUE;
}

void
hw_cell_reset (HwCell *self)
{
  g_return_if_fail (HW_IS_CELL (self));

  if (self->shut_down)
    return;

  g_warning ("cell %u: its watchdog stopped ticking; restarting the cell", self->index);
  destroy_player (self);
  start_watchdog (self);
  handle_event (self, HW_CELL_EVENT_OPERATOR_NEXT, _("watchdog stopped"));
}

void
hw_cell_server_state_changed (HwCell        *self,
                              HwServerState  state,
                              const char    *reason)
{
  HwServerState old;

  g_return_if_fail (HW_IS_CELL (self));

  old = self->server_state;
  self->server_state = state;
  if (old == state)
    return;

  switch (state)
    {
    case HW_SERVER_STATE_OFFLINE:
      handle_event (self, HW_CELL_EVENT_GATE_CLOSED, NULL);
      if (reason != NULL)
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
      /* Whatever came between (connecting…), a stopped cell starts again. */
      if (self->machine.state == HW_CELL_STATE_WAITING ||
          self->machine.state == HW_CELL_STATE_SIGN_IN_REQUIRED)
        handle_event (self, HW_CELL_EVENT_GATE_OPENED, NULL);
      break;
    default:
      break;
    }
}

void
hw_cell_next (HwCell *self)
{
  g_return_if_fail (HW_IS_CELL (self));
  handle_event (self, HW_CELL_EVENT_OPERATOR_NEXT, NULL);
}

void
hw_cell_set_paused (HwCell   *self,
                    gboolean  paused)
{
  g_return_if_fail (HW_IS_CELL (self));
  handle_event (self, paused ? HW_CELL_EVENT_OPERATOR_PAUSE : HW_CELL_EVENT_OPERATOR_RESUME, NULL);
}

HwCellState
hw_cell_get_state (HwCell *self)
{
  g_return_val_if_fail (HW_IS_CELL (self), HW_CELL_STATE_IDLE);
  return self->machine.state;
}

gint64
hw_cell_get_last_tick (HwCell *self)
{
  g_return_val_if_fail (HW_IS_CELL (self), 0);
  return self->last_tick_us;
}

guint64
hw_cell_get_frames (HwCell *self)
{
  g_return_val_if_fail (HW_IS_CELL (self), 0);
  return self->surface ? hw_video_surface_get_frames (self->surface) : 0;
}

void
hw_cell_add_status (HwCell      *self,
                    JsonBuilder *builder)
{
  double position = self->player ? hw_player_get_position (self->player) : -1;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "index");
  json_builder_add_int_value (builder, self->index);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, hw_cell_state_to_string (self->machine.state));
  json_builder_set_member_name (builder, "item_id");
  if (self->item != NULL)
    json_builder_add_string_value (builder, hw_media_item_get_id (self->item));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "title");
  if (self->item != NULL)
    json_builder_add_string_value (builder, hw_media_item_get_title (self->item));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "position");
  if (position >= 0 && self->item != NULL)
    json_builder_add_double_value (builder, round (position * 10) / 10);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "failures");
  json_builder_add_int_value (builder, hw_cell_machine_failures (&self->machine,
                                                               g_get_monotonic_time ()));
  json_builder_set_member_name (builder, "retries");
  json_builder_add_int_value (builder, self->machine.retries);
  json_builder_set_member_name (builder, "frames");
  json_builder_add_int_value (builder, (gint64) hw_cell_get_frames (self));
  json_builder_set_member_name (builder, "demuxer_max_bytes");
  json_builder_add_int_value (builder, self->player ? (gint64) hw_player_read_demuxer_max_bytes (self->player)
                                                    : (gint64) self->cache.forward_bytes);
  json_builder_set_member_name (builder, "demuxer_max_back_bytes");
  json_builder_add_int_value (builder, self->player ? (gint64) hw_player_read_demuxer_max_back_bytes (self->player)
                                                    : (gint64) self->cache.back_bytes);
  json_builder_set_member_name (builder, "reason");
  if (self->reason != NULL && self->machine.state != HW_CELL_STATE_PLAYING)
    json_builder_add_string_value (builder, self->reason);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
}
