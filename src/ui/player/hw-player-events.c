/* hw-player-events.c: what mpv says, on the main loop.
 *
 * mpv's wakeup callback (any thread) schedules one drain per burst, and
 * at most one per DRAIN_COOLDOWN_MS: a playing file changes time-pos and
 * the cache state at every frame, which woke the main thread 700 times a
 * second on a 3×3 wall for nothing a person could see. The drain reads
 * every event at once and turns observed properties, replies
 * to asynchronous commands and the end of a playlist entry into the
 * player's state and the HwCellPlayer signals. Events of an entry that is
 * no longer the current load are stale and ignored.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-mpv"

#include "config.h"

#include <string.h>

#include "hw-log-throttle.h"
#include "hw-player-private.h"
#include "hw-redact.h"

/* The current load's entry is the one mpv plays: events about what plays
 * are ours. Before the load's reply, or while the previous entry still
 * winds down, they are stale and must not touch the new load. */
static gboolean
playing_current (HwPlayer *self)
{
  return self->current_entry >= 0 && self->active_entry == self->current_entry;
}

void
_hw_player_reset_observed (HwPlayer *self)
{
  self->started = FALSE;
  self->position = -1;
  self->duration = 0;
  self->paused_for_cache = FALSE;
  self->seeking = FALSE;
  self->cache_eof = FALSE;
  self->video_missing = FALSE;
  self->cache_bytes = -1;
  self->cache_forward_bytes = 0;
}

static gboolean
is_hwdec_probe (mpv_event_log_message *msg)
{
  static const char * const prefixes[] = { "vaapi", "vdpau", "cuda", "vd", "hwdec", "vo/libmpv" };

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_str_equal (msg->prefix, prefixes[i]))
      return TRUE;
  return strstr (msg->text, "AVHWDeviceContext") != NULL || strstr (msg->text, "libva") != NULL;
}

/* mpv's errors a minute for each cell and module. A damaged clip makes
 * the decoder complain about every frame (1,400 lines in 30 s on a 2x2
 * wall); the first few say what is wrong, a summary how bad it is. */
#define MPV_ERROR_BURST 5

/* One for the process, keyed by the cell: a cell's player is made anew
 * when it heals, and its limit must outlive that. */
static HwLogThrottle *
mpv_errors (void)
{
  static HwLogThrottle *throttle;

  if (throttle == NULL)
    throttle = hw_log_throttle_new (MPV_ERROR_BURST);
  return throttle;
}

static void
handle_log_message (HwPlayer              *self,
                    mpv_event_log_message *msg)
{
  g_autofree char *text = g_strchomp (g_strdup (msg->text));
  g_autofree char *clean = hw_redact (text);
  g_autofree char *source = g_strdup_printf ("%s: mpv %s", self->log_prefix, msg->prefix);

  /* mpv's own errors are useful to an operator; the rest is for debugging,
   * and so is hardware-decoder probing, which fails noisily on most boxes
   * before it settles on something that works. */
  if (msg->log_level <= MPV_LOG_LEVEL_ERROR && !is_hwdec_probe (msg) &&
      hw_log_throttle_allow (mpv_errors (), source))
    g_message ("%s: %s", source, clean);
  else
    g_debug ("%s: %s", source, clean);
}

static void
handle_cache_state (HwPlayer *self,
                    mpv_node *node)
{
  if (node->format != MPV_FORMAT_NODE_MAP)
    return;

  for (int i = 0; i < node->u.list->num; i++)
    {
      const char *key = node->u.list->keys[i];
      mpv_node *value = &node->u.list->values[i];

      if (g_str_equal (key, "total-bytes") && value->format == MPV_FORMAT_INT64)
        self->cache_bytes = value->u.int64;
      else if (g_str_equal (key, "fw-bytes") && value->format == MPV_FORMAT_INT64)
        self->cache_forward_bytes = value->u.int64;
      else if (g_str_equal (key, "eof") && value->format == MPV_FORMAT_FLAG)
        self->cache_eof = value->u.flag;
    }
}

static void
handle_property (HwPlayer          *self,
                 guint64            id,
                 mpv_event_property *prop)
{
  gboolean has = prop->format != MPV_FORMAT_NONE && prop->data != NULL;

  switch (id)
    {
    case OBSERVE_DEMUXER_MAX_BYTES:
      if (has)
        self->seen_max_bytes = *(gint64 *) prop->data;
      return;
    case OBSERVE_DEMUXER_MAX_BACK_BYTES:
      if (has)
        self->seen_max_back_bytes = *(gint64 *) prop->data;
      return;
    case OBSERVE_DECODER_DROPS:
    case OBSERVE_OUTPUT_DROPS:
      if (has)
        {
          gint64 *seen = &self->drops_seen[id == OBSERVE_OUTPUT_DROPS];
          gint64 value = *(gint64 *) prop->data;

          self->dropped_frames += value >= *seen ? value - *seen : MAX (value, 0);
          *seen = value;
        }
      return;
    case OBSERVE_HWDEC:
      g_free (self->hwdec);
      self->hwdec = has ? g_strdup (*(char **) prop->data) : NULL;
      return;
    case OBSERVE_IDLE:
      /* The property lives in hw-player.c; notifying by name keeps this
       * file from calling back into it (idle changes once per item). */
      if (has && self->idle != !!*(int *) prop->data)
        {
          self->idle = !!*(int *) prop->data;
          g_object_notify (G_OBJECT (self), "idle");
        }
      return;
    default:
      break;
    }

  /* The rest describes what plays: only the current entry's count. */
  if (!playing_current (self))
    return;

  switch (id)
    {
    case OBSERVE_TIME_POS:
      /* mpv drops time-pos just before a load ends; keep the last one so a
       * premature end can be told from a finished item. A new load resets it. */
      if (has)
        self->position = *(double *) prop->data;
      break;
    case OBSERVE_DURATION:
      self->duration = has ? *(double *) prop->data : 0;
      break;
    case OBSERVE_PAUSED_FOR_CACHE:
      self->paused_for_cache = has && *(int *) prop->data;
      break;
    case OBSERVE_SEEKING:
      self->seeking = has && *(int *) prop->data;
      break;
    case OBSERVE_VIDEO_ID:
      /* Unavailable while a load opens, too: callers judge it later. */
      self->video_missing = !has;
      break;
    case OBSERVE_CACHE_STATE:
      if (has)
        handle_cache_state (self, prop->data);
      else
        self->cache_bytes = -1;
      break;
    default:
      break;
    }
}

static void
handle_end_file (HwPlayer           *self,
                 mpv_event_end_file *end)
{
  g_autofree char *message = NULL;

  if (end->playlist_entry_id == self->active_entry)
    self->active_entry = -1;

  if (end->playlist_entry_id != self->current_entry)
    {
      g_debug ("%s: ignoring a stale end of entry %" G_GINT64_FORMAT " (current %" G_GINT64_FORMAT ")",
               self->log_prefix, end->playlist_entry_id, self->current_entry);
      return;
    }

  self->current_entry = -1;

  if (end->reason == MPV_END_FILE_REASON_EOF)
    {
      hw_cell_player_emit_ended (HW_CELL_PLAYER (self), HW_PLAYER_END_EOF, NULL);
    }
  else if (end->reason == MPV_END_FILE_REASON_ERROR)
    {
      message = g_strdup (mpv_error_string (end->error));
      /* Not a video mpv can read, or nothing in it to show: as certain to
       * fail again as a 404, so not worth a retry. */
      hw_cell_player_emit_ended (HW_CELL_PLAYER (self),
                                 end->error == MPV_ERROR_UNKNOWN_FORMAT ||
                                 end->error == MPV_ERROR_NOTHING_TO_PLAY
                                 ? HW_PLAYER_END_UNPLAYABLE : HW_PLAYER_END_ERROR,
                                 message);
    }
  else if (end->reason == MPV_END_FILE_REASON_STOP)
    {
      /* Our own stops and replacements end other entries; the current one
       * stopped means something else stopped it. Waiting for a first frame
       * that cannot come would cost the whole load-timeout. */
      g_debug ("%s: entry %" G_GINT64_FORMAT " was stopped", self->log_prefix,
               end->playlist_entry_id);
      hw_cell_player_emit_ended (HW_CELL_PLAYER (self), HW_PLAYER_END_ERROR,
                                 "playback was stopped");
    }
  /* QUIT and REDIRECT are mpv's bookkeeping: not an outcome. */
}

static gint64
entry_id_from_result (mpv_node *result)
{
  if (result->format != MPV_FORMAT_NODE_MAP)
    return -1;

  for (int i = 0; i < result->u.list->num; i++)
    if (g_str_equal (result->u.list->keys[i], "playlist_entry_id") &&
        result->u.list->values[i].format == MPV_FORMAT_INT64)
      return result->u.list->values[i].u.int64;

  return -1;
}

/* The reply to our loadfile: which playlist entry is ours from now on. */
static void
handle_load_reply (HwPlayer          *self,
                   guint64            serial,
                   int                error,
                   mpv_event_command *command)
{
  g_autofree char *message = NULL;

  if (serial != self->load_serial || !self->load_pending)
    {
      g_debug ("%s: ignoring the reply to an earlier load", self->log_prefix);
      return;
    }

  self->load_pending = FALSE;
  if (error >= 0 && command != NULL)
    self->current_entry = entry_id_from_result (&command->result);

  if (error < 0)
    message = g_strdup_printf ("loadfile failed: %s", mpv_error_string (error));
  else if (self->current_entry < 0)
    message = g_strdup ("loadfile returned no playlist entry id");

  if (message != NULL)
    hw_cell_player_emit_ended (HW_CELL_PLAYER (self), HW_PLAYER_END_ERROR, message);
}

static void
handle_reply (HwPlayer  *self,
              mpv_event *event)
{
  guint64 serial = REPLY_SERIAL (event->reply_userdata);

  switch (REPLY_KIND (event->reply_userdata))
    {
    case REPLY_LOAD:
      if (event->event_id == MPV_EVENT_COMMAND_REPLY)
        handle_load_reply (self, serial, event->error, event->data);
      break;
    case REPLY_DURATION:
      if (event->event_id == MPV_EVENT_GET_PROPERTY_REPLY && event->error >= 0 &&
          serial == self->load_serial && playing_current (self))
        {
          mpv_event_property *prop = event->data;

          if (prop->format == MPV_FORMAT_DOUBLE && prop->data != NULL)
            self->duration = *(double *) prop->data;
        }
      break;
    case REPLY_SET:
      if (event->error < 0)
        g_message ("%s: mpv refused a setting: %s", self->log_prefix,
                   mpv_error_string (event->error));
      break;
    default:
      break;
    }
}

static void
handle_event (HwPlayer  *self,
              mpv_event *event)
{
  /* As an int: mpv's event list grows and sheds values between releases
   * (IDLE and TICK are deprecated), so -Wswitch-enum is not asked to
   * see every one of them named here. */
  switch ((int) event->event_id)
    {
    case MPV_EVENT_LOG_MESSAGE:
      handle_log_message (self, event->data);
      break;
    case MPV_EVENT_PROPERTY_CHANGE:
      handle_property (self, event->reply_userdata, event->data);
      break;
    case MPV_EVENT_COMMAND_REPLY:
    case MPV_EVENT_GET_PROPERTY_REPLY:
    case MPV_EVENT_SET_PROPERTY_REPLY:
      handle_reply (self, event);
      break;
    case MPV_EVENT_START_FILE:
      self->active_entry = ((mpv_event_start_file *) event->data)->playlist_entry_id;
      break;
    case MPV_EVENT_FILE_LOADED:
      /* Property changes are not ordered with events: a duration that came
       * before START_FILE was not taken for this entry. Ask once more. */
      if (playing_current (self))
        mpv_get_property_async (self->mpv, REPLY_ID (REPLY_DURATION, self->load_serial),
                                "duration", MPV_FORMAT_DOUBLE);
      break;
    case MPV_EVENT_PLAYBACK_RESTART:
      if (playing_current (self) && !self->started)
        {
          self->started = TRUE;
          hw_cell_player_emit_started (HW_CELL_PLAYER (self));
        }
      break;
    case MPV_EVENT_END_FILE:
      handle_end_file (self, event->data);
      break;
    default:
      break;
    }
}

#define DRAIN_COOLDOWN_MS 100

static gboolean cool_down (gpointer user_data);
static gboolean drain_events (gpointer user_data);

/* Ends a drain's turn: the next wakeup schedules a drain at once. */
static void
release_drain (HwPlayer *self)
{
  g_atomic_int_set (&self->drain_pending, 0);
  /* A wakeup between the last read and the reset found a drain pending
   * and scheduled none. */
  if (g_atomic_int_get (&self->woken)
      && g_atomic_int_compare_and_exchange (&self->drain_pending, 0, 1))
    g_idle_add_full (G_PRIORITY_DEFAULT, drain_events, g_object_ref (self), g_object_unref);
}

/* Reads every event. While an item plays, the drain then stays scheduled
 * (drain_pending) for the cool-down, so wakeups meanwhile only leave a
 * mark; an isolated event (an end of file, a command's reply) is still
 * handled at once. Not while loading or stopping: the state that changes
 * then (idle-active, the load's reply, the first frame) is read as soon as
 * mpv says it, because whoever tears the player down next acts on it. */
static gboolean
drain_events (gpointer user_data)
{
  HwPlayer *self = user_data;

  g_atomic_int_set (&self->woken, 0);
  while (self->mpv != NULL)
    {
      mpv_event *event = mpv_wait_event (self->mpv, 0);

      if (event->event_id == MPV_EVENT_NONE)
        break;
      handle_event (self, event);
    }

  if (self->started && !self->idle)
    g_timeout_add_full (G_PRIORITY_DEFAULT, DRAIN_COOLDOWN_MS, cool_down,
                        g_object_ref (self), g_object_unref);
  else
    release_drain (self);
  return G_SOURCE_REMOVE;
}

static gboolean
cool_down (gpointer user_data)
{
  HwPlayer *self = user_data;

  if (g_atomic_int_get (&self->woken))
    return drain_events (self);
  release_drain (self);
  return G_SOURCE_REMOVE;
}

/* Runs on an mpv thread, or on ours from inside an mpv call that holds
 * its lock: so always defer, never invoke in place. */
void
_hw_player_wakeup_cb (void *data)
{
  HwPlayer *self = data;

  g_atomic_int_set (&self->woken, 1);
  if (g_atomic_int_compare_and_exchange (&self->drain_pending, 0, 1))
    g_idle_add_full (G_PRIORITY_DEFAULT, drain_events,
                                g_object_ref (self), g_object_unref);
}

void
_hw_player_observe (HwPlayer *self)
{
  mpv_observe_property (self->mpv, OBSERVE_TIME_POS, "time-pos", MPV_FORMAT_DOUBLE);
  mpv_observe_property (self->mpv, OBSERVE_DURATION, "duration", MPV_FORMAT_DOUBLE);
  mpv_observe_property (self->mpv, OBSERVE_PAUSED_FOR_CACHE, "paused-for-cache", MPV_FORMAT_FLAG);
  mpv_observe_property (self->mpv, OBSERVE_SEEKING, "seeking", MPV_FORMAT_FLAG);
  mpv_observe_property (self->mpv, OBSERVE_CACHE_STATE, "demuxer-cache-state", MPV_FORMAT_NODE);
  /* The status file shows what mpv uses, observed rather than asked for. */
  mpv_observe_property (self->mpv, OBSERVE_DEMUXER_MAX_BYTES, "demuxer-max-bytes",
                        MPV_FORMAT_INT64);
  mpv_observe_property (self->mpv, OBSERVE_DEMUXER_MAX_BACK_BYTES, "demuxer-max-back-bytes",
                        MPV_FORMAT_INT64);
  mpv_observe_property (self->mpv, OBSERVE_IDLE, "idle-active", MPV_FORMAT_FLAG);
  mpv_observe_property (self->mpv, OBSERVE_VIDEO_ID, "current-tracks/video/id", MPV_FORMAT_INT64);
  /* Updated with time-pos, announced only when they change: for the status file. */
  mpv_observe_property (self->mpv, OBSERVE_DECODER_DROPS, "decoder-frame-drop-count",
                        MPV_FORMAT_INT64);
  mpv_observe_property (self->mpv, OBSERVE_OUTPUT_DROPS, "frame-drop-count", MPV_FORMAT_INT64);
  mpv_observe_property (self->mpv, OBSERVE_HWDEC, "hwdec-current", MPV_FORMAT_STRING);
}
