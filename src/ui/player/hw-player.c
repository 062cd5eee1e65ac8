/* hw-player.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-mpv"

#include "config.h"

#include "hw-hwdec-probe.h"
#include "hw-mpv-command.h"
#include "hw-player.h"
#include "hw-player-private.h"
#include "hw-thread-priority.h"
#include "hw-workers.h"


static void hw_player_cell_player_init (HwCellPlayerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HwPlayer, hw_player, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HW_TYPE_CELL_PLAYER,
                                                      hw_player_cell_player_init))


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
  g_free (self->hwdec_setting);

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
  /* Not the setting as it is: mpv would try every hardware decoder again
   * at each load, also where none exists (hw-hwdec-probe.h). */
  set_option (self->mpv, "hwdec",
              hw_hwdec_probe_resolve (hw_hwdec_probe_get_default (), self->hwdec_setting));
  /* Measured on a 2-core machine with 4 and 9 cells (benchmarks/README.md):
   * one decoder thread per cell costs less CPU and memory than FFmpeg's
   * default of a thread per core in every cell, at full frame rate. */
  set_option (self->mpv, "vd-lavc-threads", "1");
  /* The same for the conversion and scaling of each frame (zimg), which
   * slices a frame across a thread per core by default: with every core
   * busy with cells, the hand-offs only cost. Nine cells, both walls
   * running at once: 0.95x the CPU. */
  set_option (self->mpv, "zimg-threads", "1");
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

/* A GPU appeared, or the first probe found one: from the next load on
 * (mpv applies hwdec when it opens a decoder). */
static void
on_hwdec_probed (HwPlayer     *self,
                 HwHwdecProbe *probe)
{
  const char *hwdec = hw_hwdec_probe_answer (probe, self->hwdec_setting);

  if (self->mpv != NULL)
    mpv_set_property_async (self->mpv, REPLY_SET, "hwdec", MPV_FORMAT_STRING, &hwdec);
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
  self->hwdec_setting = g_strdup (options->hwdec ? options->hwdec : "auto-safe");
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

  _hw_player_observe (self);
  mpv_set_wakeup_callback (self->mpv, _hw_player_wakeup_cb, self);
  g_signal_connect_object (hw_hwdec_probe_get_default (), "changed",
                           G_CALLBACK (on_hwdec_probed), self, G_CONNECT_SWAPPED);

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
  _hw_player_reset_observed (self);

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
  _hw_player_reset_observed (self);
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
