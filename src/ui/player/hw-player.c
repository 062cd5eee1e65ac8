/* hw-player.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-mpv"

#include "config.h"

#include <string.h>

#include "hw-mpv-command.h"
#include "hw-player.h"
#include "hw-redact.h"
#include "hw-thread-priority.h"
#include "hw-workers.h"

struct _HwPlayer
{
  GObject     parent_instance;

  mpv_handle *mpv;
  char       *log_prefix;

  /* Guarded by the atomic: one drain scheduled per burst of wakeups. */
  gint        drain_pending;

  /* Loads are asynchronous: a load gets a serial, and its reply carries
   * the playlist entry mpv made for it. Until then load_pending; a reply
   * or a property reply of an older serial is stale. */
  guint64     load_serial;
  gboolean    load_pending;
  gint64      current_entry;     /* playlist_entry_id of our last load, -1 none */
  gint64      active_entry;      /* the entry mpv last started and has not ended, -1 none */
  gboolean    started;           /* first frame of the current entry seen */
  gboolean    idle;              /* mpv plays nothing (idle-active) */

  double      position;
  double      duration;
  gboolean    paused_for_cache;
  gboolean    seeking;
  gboolean    cache_eof;
  gboolean    video_missing;  /* the current load reported no video track */
  gint64      cache_bytes;
  gint64      cache_forward_bytes;
  gint64      demuxer_max_bytes;      /* what we asked for: judges "cache full" */
  gint64      seen_max_bytes;         /* as mpv reports them (observed) */
  gint64      seen_max_back_bytes;
  /* mpv's drop counters as last observed (decoder, output), and the sum of
   * what they rose by: a counter that starts over adds from zero again. */
  gint64      drops_seen[2];
  guint64     dropped_frames;
  char       *hwdec;                  /* hwdec-current, NULL until reported */
};

static void hw_player_cell_player_init (HwCellPlayerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HwPlayer, hw_player, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HW_TYPE_CELL_PLAYER,
                                                      hw_player_cell_player_init))

enum {
  OBSERVE_TIME_POS = 1,
  OBSERVE_DURATION,
  OBSERVE_PAUSED_FOR_CACHE,
  OBSERVE_SEEKING,
  OBSERVE_CACHE_STATE,
  OBSERVE_DEMUXER_MAX_BYTES,
  OBSERVE_DEMUXER_MAX_BACK_BYTES,
  OBSERVE_IDLE,
  OBSERVE_VIDEO_ID,
  OBSERVE_DECODER_DROPS,
  OBSERVE_OUTPUT_DROPS,
  OBSERVE_HWDEC,
};

/* What an asynchronous request was, in the low byte of its reply_userdata;
 * the load serial it belongs to above it. */
enum {
  REPLY_NONE,
  REPLY_LOAD,
  REPLY_DURATION,
  REPLY_SET,
};

#define REPLY_ID(kind, serial) (((guint64) (serial) << 8) | (kind))
#define REPLY_KIND(id)         ((id) & 0xff)
#define REPLY_SERIAL(id)       ((id) >> 8)

enum {
  PROP_0,
  PROP_IDLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
hw_player_dispose (GObject *object)
{
  HwPlayer *self = HW_PLAYER (object);

  hw_player_destroy_async (self);

  G_OBJECT_CLASS (hw_player_parent_class)->dispose (object);
}

static void
hw_player_finalize (GObject *object)
{
  HwPlayer *self = HW_PLAYER (object);

  g_free (self->log_prefix);
  g_free (self->hwdec);

  G_OBJECT_CLASS (hw_player_parent_class)->finalize (object);
}

static void
hw_player_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  HwPlayer *self = HW_PLAYER (object);

  switch (prop_id)
    {
    case PROP_IDLE:
      g_value_set_boolean (value, self->idle);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hw_player_class_init (HwPlayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hw_player_dispose;
  object_class->finalize = hw_player_finalize;
  object_class->get_property = hw_player_get_property;

  /* mpv plays nothing and has let go of its video output: a render
   * context freed now does not wait for it. */
  properties[PROP_IDLE] =
    g_param_spec_boolean ("idle", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hw_player_init (HwPlayer *self)
{
  self->current_entry = -1;
  self->active_entry = -1;
  self->position = -1;
}

/* The current load's entry is the one mpv plays: events about what plays
 * are ours. Before the load's reply, or while the previous entry still
 * winds down, they are stale and must not touch the new load. */
static gboolean
playing_current (HwPlayer *self)
{
  return self->current_entry >= 0 && self->active_entry == self->current_entry;
}

static void
reset_observed (HwPlayer *self)
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

static void
handle_log_message (HwPlayer              *self,
                    mpv_event_log_message *msg)
{
  g_autofree char *text = g_strchomp (g_strdup (msg->text));
  g_autofree char *clean = hw_redact (text);

  /* mpv's own errors are useful to an operator; the rest is for debugging,
   * and so is hardware-decoder probing, which fails noisily on most boxes
   * before it settles on something that works. */
  if (msg->log_level <= MPV_LOG_LEVEL_ERROR && !is_hwdec_probe (msg))
    g_message ("%s: mpv %s: %s", self->log_prefix, msg->prefix, clean);
  else
    g_debug ("%s: mpv %s: %s", self->log_prefix, msg->prefix, clean);
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
      if (has && self->idle != !!*(int *) prop->data)
        {
          self->idle = !!*(int *) prop->data;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDLE]);
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
  switch (event->event_id)
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

static gboolean
drain_events (gpointer user_data)
{
  HwPlayer *self = user_data;

  g_atomic_int_set (&self->drain_pending, 0);

  while (self->mpv != NULL)
    {
      mpv_event *event = mpv_wait_event (self->mpv, 0);

      if (event->event_id == MPV_EVENT_NONE)
        break;
      handle_event (self, event);
    }

  return G_SOURCE_REMOVE;
}

/* Runs on an mpv thread, or on ours from inside an mpv call that holds
 * its lock: so always defer, never invoke in place. */
static void
wakeup_cb (void *data)
{
  HwPlayer *self = data;

  if (g_atomic_int_compare_and_exchange (&self->drain_pending, 0, 1))
    g_idle_add_full (G_PRIORITY_DEFAULT, drain_events,
                                g_object_ref (self), g_object_unref);
}

static void
set_option (mpv_handle *mpv,
            const char *name,
            const char *value)
{
  int rc = mpv_set_option_string (mpv, name, value);

  if (rc < 0)
    g_warning ("mpv rejected option %s=%s: %s", name, value, mpv_error_string (rc));
}

static void
apply_options (HwPlayer              *self,
               const HwPlayerOptions *options)
{
  g_autofree char *timeout = g_strdup_printf ("%d", MAX (options->network_timeout, 1));
  char forward[32], back[32];

  const HwMpvOption *builtin = NULL;
  guint n_builtin;

  set_option (self->mpv, "config", "no");
  set_option (self->mpv, "load-scripts", "no");
  /* mpv's built-in Lua scripts cost a thread each and add nothing here;
   * which ones exist depends on the release. */
  n_builtin = hw_mpv_builtin_script_options (mpv_client_api_version (), &builtin);
  for (guint i = 0; i < n_builtin; i++)
    {
      int rc = mpv_set_option_string (self->mpv, builtin[i].name, builtin[i].value);

      if (rc < 0 && !hw_mpv_option_error_is_expected (&builtin[i], rc))
        g_warning ("mpv rejected option %s=%s: %s", builtin[i].name, builtin[i].value,
                   mpv_error_string (rc));
    }
  set_option (self->mpv, "ytdl", "no");
  set_option (self->mpv, "terminal", "no");
  set_option (self->mpv, "input-default-bindings", "no");
  set_option (self->mpv, "input-vo-keyboard", "no");
  set_option (self->mpv, "osc", "no");
  set_option (self->mpv, "osd-level", "0");
  set_option (self->mpv, "sub-auto", "no");
  set_option (self->mpv, "sid", "no");
  set_option (self->mpv, "vo", "libmpv");
  set_option (self->mpv, "idle", "yes");
  set_option (self->mpv, "keep-open", "no");
  /* A looped network stream replays its cache forever and hides a dead
   * server from the watchdog (docs/architecture.md): never loop. */
  set_option (self->mpv, "loop-file", "no");
  set_option (self->mpv, "loop-playlist", "no");
  set_option (self->mpv, "hwdec", options->hwdec ? options->hwdec : "auto-safe");
  /* Measured on a 2-core machine with 4 and 9 cells (benchmarks/README.md):
   * one decoder thread per cell costs less CPU and memory than FFmpeg's
   * default of a thread per core in every cell, at full frame rate. */
  set_option (self->mpv, "vd-lavc-threads", "1");
  set_option (self->mpv, "network-timeout", timeout);
  set_option (self->mpv, "cache", "yes");
  /* Let ffmpeg's http reconnect what it can; the watchdog still sees a stall
   * because time-pos stops while it tries. */
  set_option (self->mpv, "stream-lavf-o",
              "reconnect=1,reconnect_streamed=1,reconnect_on_network_error=1,reconnect_delay_max=4");
  self->demuxer_max_bytes = options->demuxer_max_bytes;
  g_snprintf (forward, sizeof forward, "%" G_GUINT64_FORMAT, options->demuxer_max_bytes);
  g_snprintf (back, sizeof back, "%" G_GUINT64_FORMAT, options->demuxer_max_back_bytes);
  if (options->demuxer_max_bytes > 0)
    set_option (self->mpv, "demuxer-max-bytes", forward);
  if (options->demuxer_max_back_bytes > 0)
    set_option (self->mpv, "demuxer-max-back-bytes", back);
  if (options->audible)
    {
      /* Never SDL: several SDL outputs in one process crashed it (docs/architecture.md). */
      set_option (self->mpv, "ao", "pipewire,pulse,alsa,null");
      set_option (self->mpv, "aid", "auto");
    }
  else
    {
      set_option (self->mpv, "ao", "null");
      set_option (self->mpv, "aid", "no");
    }
  set_option (self->mpv, "mute", options->audible ? "no" : "yes");
}

static void
observe (HwPlayer *self)
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

/* mpv's core thread is started by mpv_create() and starts every other mpv
 * thread (demuxers, decoders and their FFmpeg pools, the video output), so
 * creating the handle on a background thread makes all of them background
 * threads (hw-thread-priority.h). */
static gpointer
create_handle (gpointer data)
{
  return mpv_create ();
}

HwPlayer *
hw_player_new (const HwPlayerOptions  *options,
               GError                **error)
{
  g_autoptr(HwPlayer) self = g_object_new (HW_TYPE_PLAYER, NULL);
  int rc;

  /* mpv refuses to start under a locale with a decimal comma: main() sets
   * LC_NUMERIC to "C" before any thread exists. setlocale() here, with
   * render and mpv threads running, would not be thread-safe. */

  self->log_prefix = g_strdup (options->log_prefix ? options->log_prefix : "player");
  self->mpv = hw_thread_priority_call_lowered (create_handle, NULL);
  if (self->mpv == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "mpv_create failed");
      return NULL;
    }

  apply_options (self, options);
  mpv_request_log_messages (self->mpv, "warn");

  rc = mpv_initialize (self->mpv);
  if (rc < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "mpv_initialize failed: %s", mpv_error_string (rc));
      return NULL;
    }

  observe (self);
  mpv_set_wakeup_callback (self->mpv, wakeup_cb, self);

  return g_steal_pointer (&self);
}

mpv_handle *
hw_player_get_handle (HwPlayer *self)
{
  g_return_val_if_fail (HW_IS_PLAYER (self), NULL);
  return self->mpv;
}

gboolean
hw_player_get_idle (HwPlayer *self)
{
  g_return_val_if_fail (HW_IS_PLAYER (self), FALSE);
  return self->idle;
}

static gboolean
hw_player_load (HwCellPlayer  *player,
                const char    *url,
                const char    *options,
                GError       **error)
{
  HwPlayer *self = HW_PLAYER (player);
  const char *args[HW_MPV_LOADFILE_ARGV_MAX];
  int rc;

  if (self->mpv == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "the player was destroyed");
      return FALSE;
    }

  /* Forget the previous entry first: its events, still queued, are stale.
   * The entry id of the new one comes with the command's reply; mpv runs
   * asynchronous commands in the order they were sent, so an earlier
   * asynchronous stop cannot overtake this load. */
  self->load_serial++;
  self->current_entry = -1;
  self->load_pending = TRUE;
  hw_mpv_loadfile_argv (mpv_client_api_version (), url, options, args);
  reset_observed (self);

  rc = mpv_command_async (self->mpv, REPLY_ID (REPLY_LOAD, self->load_serial), args);
  if (rc < 0)
    {
      self->load_pending = FALSE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "loadfile failed: %s",
                   mpv_error_string (rc));
      return FALSE;
    }

  return TRUE;
}

/* Whatever plays now is no longer ours: its events are stale from here on.
 * For a load that follows at once: "loadfile replace" stops the old entry
 * itself, while an asynchronous stop sent before it could reach mpv's core
 * after it and stop the new entry (seen: a cell waiting out load-timeout
 * with an idle player). */
static void
hw_player_forget (HwCellPlayer *player)
{
  HwPlayer *self = HW_PLAYER (player);

  /* A load still waiting for its reply is forgotten too. */
  self->load_serial++;
  self->load_pending = FALSE;
  self->current_entry = -1;
  reset_observed (self);
}

static void
hw_player_stop (HwCellPlayer *player)
{
  HwPlayer *self = HW_PLAYER (player);
  const char *args[] = { "stop", NULL };

  hw_player_forget (player);
  /* Asynchronous: a synchronous stop waits for mpv's core, 0.4 s when the
   * video output is being torn down. Never follow it at once with a load
   * (see hw_player_forget). */
  if (self->mpv != NULL)
    mpv_command_async (self->mpv, 0, args);
}

static void
hw_player_set_paused (HwCellPlayer *player,
                      gboolean      paused)
{
  HwPlayer *self = HW_PLAYER (player);
  int flag = !!paused;

  if (self->mpv != NULL)
    mpv_set_property_async (self->mpv, 0, "pause", MPV_FORMAT_FLAG, &flag);
}

static void
hw_player_set_cache_limits (HwCellPlayer *player,
                            guint64       forward_bytes,
                            guint64       back_bytes)
{
  HwPlayer *self = HW_PLAYER (player);
  gint64 forward = (gint64) forward_bytes;
  gint64 back = (gint64) back_bytes;

  if (self->mpv == NULL)
    return;

  self->demuxer_max_bytes = forward;
  /* Asynchronous: the status file shows the values mpv reports back
   * (observed), not these. */
  mpv_set_property_async (self->mpv, REPLY_SET, "demuxer-max-bytes", MPV_FORMAT_INT64, &forward);
  mpv_set_property_async (self->mpv, REPLY_SET, "demuxer-max-back-bytes", MPV_FORMAT_INT64,
                          &back);
}

static void
hw_player_set_audible (HwCellPlayer *player,
                       gboolean      audible)
{
  HwPlayer *self = HW_PLAYER (player);
  const char *ao = audible ? "pipewire,pulse,alsa,null" : "null";
  const char *aid = audible ? "auto" : "no";
  int mute = !audible;

  if (self->mpv == NULL)
    return;

  mpv_set_property_async (self->mpv, REPLY_SET, "ao", MPV_FORMAT_STRING, &ao);
  mpv_set_property_async (self->mpv, REPLY_SET, "aid", MPV_FORMAT_STRING, &aid);
  mpv_set_property_async (self->mpv, REPLY_SET, "mute", MPV_FORMAT_FLAG, &mute);
}

static guint64
hw_player_read_demuxer_max_bytes (HwCellPlayer *player)
{
  HwPlayer *self = HW_PLAYER (player);

  return self->mpv != NULL && self->seen_max_bytes > 0 ? (guint64) self->seen_max_bytes : 0;
}

static guint64
hw_player_read_demuxer_max_back_bytes (HwCellPlayer *player)
{
  HwPlayer *self = HW_PLAYER (player);

  return self->mpv != NULL && self->seen_max_back_bytes > 0 ?
         (guint64) self->seen_max_back_bytes : 0;
}

static double
hw_player_get_position (HwCellPlayer *player)
{
  HwPlayer *self = HW_PLAYER (player);

  return self->position;
}

static double
hw_player_get_duration (HwCellPlayer *player)
{
  HwPlayer *self = HW_PLAYER (player);

  return self->duration;
}

static gboolean
hw_player_get_paused_for_cache (HwCellPlayer *player)
{
  HwPlayer *self = HW_PLAYER (player);

  return self->paused_for_cache;
}

static gboolean
hw_player_get_seeking (HwCellPlayer *player)
{
  HwPlayer *self = HW_PLAYER (player);

  return self->seeking;
}

static gboolean
hw_player_get_cache_eof (HwCellPlayer *player)
{
  HwPlayer *self = HW_PLAYER (player);

  return self->cache_eof;
}

static gboolean
hw_player_get_video_missing (HwCellPlayer *player)
{
  return HW_PLAYER (player)->video_missing;
}

static const char *
hw_player_get_hwdec (HwCellPlayer *player)
{
  return HW_PLAYER (player)->hwdec;
}

static guint64
hw_player_get_dropped_frames (HwCellPlayer *player)
{
  return HW_PLAYER (player)->dropped_frames;
}

static gboolean
hw_player_get_cache_full (HwCellPlayer *player)
{
  HwPlayer *self = HW_PLAYER (player);


  /* mpv stops reading on purpose when the forward buffer is full, so bytes
   * that stop growing then are not a stall. */
  return self->demuxer_max_bytes > 0 &&
         self->cache_forward_bytes >= self->demuxer_max_bytes - self->demuxer_max_bytes / 20;
}

static gint64
hw_player_get_cache_bytes (HwCellPlayer *player)
{
  HwPlayer *self = HW_PLAYER (player);

  return self->cache_bytes;
}

static gboolean
hw_player_get_loaded (HwCellPlayer *player)
{
  HwPlayer *self = HW_PLAYER (player);

  return self->current_entry >= 0 || self->load_pending;
}

static void
hw_player_cell_player_init (HwCellPlayerInterface *iface)
{
  iface->load = hw_player_load;
  iface->stop = hw_player_stop;
  iface->forget = hw_player_forget;
  iface->set_paused = hw_player_set_paused;
  iface->set_cache_limits = hw_player_set_cache_limits;
  iface->set_audible = hw_player_set_audible;
  iface->get_position = hw_player_get_position;
  iface->get_duration = hw_player_get_duration;
  iface->get_paused_for_cache = hw_player_get_paused_for_cache;
  iface->get_seeking = hw_player_get_seeking;
  iface->get_cache_eof = hw_player_get_cache_eof;
  iface->get_cache_bytes = hw_player_get_cache_bytes;
  iface->get_cache_full = hw_player_get_cache_full;
  iface->get_video_missing = hw_player_get_video_missing;
  iface->get_dropped_frames = hw_player_get_dropped_frames;
  iface->get_hwdec = hw_player_get_hwdec;
  iface->get_loaded = hw_player_get_loaded;
  iface->read_demuxer_max_bytes = hw_player_read_demuxer_max_bytes;
  iface->read_demuxer_max_back_bytes = hw_player_read_demuxer_max_back_bytes;
}

static gpointer
terminate_thread (gpointer data)
{
  mpv_terminate_destroy (data);
  return NULL;
}

void
hw_player_destroy_async (HwPlayer *self)
{
  mpv_handle *mpv;

  g_return_if_fail (HW_IS_PLAYER (self));

  mpv = g_steal_pointer (&self->mpv);
  if (mpv == NULL)
    return;

  mpv_set_wakeup_callback (mpv, NULL, NULL);
  self->current_entry = -1;
  self->load_pending = FALSE;
  /* mpv_terminate_destroy blocks 0.2–1 s: never on the main thread.
   * Counted, so that shutdown can wait for it (hw-workers.h). */
  hw_workers_spawn ("hw-mpv-destroy", terminate_thread, mpv);
}
