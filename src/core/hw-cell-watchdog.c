/* hw-cell-watchdog.c: see hw-cell-watchdog.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-cell-reason.h"
#include "hw-cell-watchdog.h"
#include "hw-core-enums.h"
#include "hw-units.h"

/* The player reports the tracks of a load while it opens; by this long
 * after the first frame what it says about video is settled. */
#define NO_VIDEO_GRACE_US (2 * HW_USEC_PER_SEC)

struct _HwCellWatchdog
{
  GObject         parent_instance;

  HwStallParams   params;
  HwClockFunc     now;
  gpointer        clock_data;

  GSource        *source;
  gint64          last_tick_us;

  HwCellPlayer   *player;
  HwCellView     *view;            /* not owned */
  HwCellState     state;
  gboolean        network;
  HwStallTracker  tracker;
  gint64          first_frame_us;  /* 0: none since the load */
  gboolean        buffering;
};

G_DEFINE_FINAL_TYPE (HwCellWatchdog, hw_cell_watchdog, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BUFFERING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  STALLED,
  PROGRESS,
  TICK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gint64
default_now (gpointer user_data)
{
  return g_get_monotonic_time ();
}

static void
set_buffering (HwCellWatchdog *self,
               gboolean        buffering)
{
  if (self->buffering == !!buffering)
    return;
  self->buffering = !!buffering;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUFFERING]);
}

/* ------------------------------------------------------------------ */
/* A tick                                                              */

static void
check_stall (HwCellWatchdog *self,
             gint64          now)
{
  HwPlaybackFlags flags = {
    .operator_paused = self->state == HW_CELL_STATE_PAUSED,
    .seeking = hw_cell_player_get_seeking (self->player),
    .paused_for_cache = hw_cell_player_get_paused_for_cache (self->player),
    .network = self->network,
    /* A full buffer stops growing on purpose: treat it like a finished one. */
    .cache_eof = hw_cell_player_get_cache_eof (self->player) ||
                 hw_cell_player_get_cache_full (self->player),
  };
  HwStallVerdict verdict;

  verdict = hw_stall_tracker_check (&self->tracker, &self->params, &flags, now);
  set_buffering (self, verdict == HW_STALL_VERDICT_BUFFERING || flags.paused_for_cache);

  if (verdict == HW_STALL_VERDICT_STALLED)
    g_signal_emit (self, signals[STALLED], 0, HW_CELL_REASON_STALLED);
  else if (verdict == HW_STALL_VERDICT_LOAD_TIMEOUT)
    g_signal_emit (self, signals[STALLED], 0, HW_CELL_REASON_LOAD_TIMEOUT);
  else if (verdict == HW_STALL_VERDICT_FROZEN)
    g_signal_emit (self, signals[STALLED], 0, HW_CELL_REASON_FROZEN);
}

/* FALSE when the load turned out to have no video (and was given up). */
static gboolean
sample_playing (HwCellWatchdog *self,
                gint64          now)
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
  if (self->first_frame_us != 0 && now - self->first_frame_us > NO_VIDEO_GRACE_US &&
      hw_cell_player_get_video_missing (self->player))
    {
      g_signal_emit (self, signals[STALLED], 0, HW_CELL_REASON_NO_VIDEO_TRACK);
      return FALSE;
    }

  if (advanced)
    g_signal_emit (self, signals[PROGRESS], 0);
  return TRUE;
}

static gboolean
on_tick (gpointer user_data)
{
  HwCellWatchdog *self = user_data;
  gint64 now = self->now (self->clock_data);
  HwCellState state = self->state;
  gboolean watched;

  self->last_tick_us = now;

  watched = self->player != NULL && hw_cell_player_get_loaded (self->player) &&
            (state == HW_CELL_STATE_PLAYING || state == HW_CELL_STATE_LOADING ||
             state == HW_CELL_STATE_PAUSED);

  /* Held: a handler may let the last reference go. */
  g_object_ref (self);
  if (watched && state == HW_CELL_STATE_PLAYING)
    sample_playing (self, now);
  g_signal_emit (self, signals[TICK], 0, now);
  /* Not after a transition the tick itself caused (an end, a cycle). */
  if (watched && self->state == state && self->player != NULL)
    check_stall (self, now);
  g_object_unref (self);

  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

static void
hw_cell_watchdog_dispose (GObject *object)
{
  HwCellWatchdog *self = HW_CELL_WATCHDOG (object);

  hw_cell_watchdog_stop (self);
  g_clear_object (&self->player);
  self->view = NULL;

  G_OBJECT_CLASS (hw_cell_watchdog_parent_class)->dispose (object);
}

static void
hw_cell_watchdog_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  HwCellWatchdog *self = HW_CELL_WATCHDOG (object);

  switch (prop_id)
    {
    case PROP_BUFFERING:
      g_value_set_boolean (value, self->buffering);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hw_cell_watchdog_class_init (HwCellWatchdogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hw_cell_watchdog_dispose;
  object_class->get_property = hw_cell_watchdog_get_property;

  /* The bytes stopped growing, or the player waits for its cache. */
  properties[PROP_BUFFERING] =
    g_param_spec_boolean ("buffering", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[STALLED] = g_signal_new ("stalled", G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1, HW_TYPE_CELL_REASON);
  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass),
                                    G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 0);
  signals[TICK] = g_signal_new ("tick", G_TYPE_FROM_CLASS (klass),
                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
hw_cell_watchdog_init (HwCellWatchdog *self)
{
  self->now = default_now;
  self->state = HW_CELL_STATE_IDLE;
}

HwCellWatchdog *
hw_cell_watchdog_new (void)
{
  return g_object_new (HW_TYPE_CELL_WATCHDOG, NULL);
}

void
hw_cell_watchdog_set_clock (HwCellWatchdog *self,
                            HwClockFunc     now,
                            gpointer        user_data)
{
  g_return_if_fail (HW_IS_CELL_WATCHDOG (self));

  self->now = now ? now : default_now;
  self->clock_data = user_data;
  self->last_tick_us = self->now (self->clock_data);
}

void
hw_cell_watchdog_set_params (HwCellWatchdog      *self,
                             const HwStallParams *params)
{
  g_return_if_fail (HW_IS_CELL_WATCHDOG (self));
  g_return_if_fail (params != NULL);

  self->params = *params;
}

/* ------------------------------------------------------------------ */
/* The source                                                          */

void
hw_cell_watchdog_stop (HwCellWatchdog *self)
{
  g_return_if_fail (HW_IS_CELL_WATCHDOG (self));

  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
}

void
hw_cell_watchdog_start (HwCellWatchdog *self,
                        guint           interval_ms)
{
  g_return_if_fail (HW_IS_CELL_WATCHDOG (self));

  hw_cell_watchdog_stop (self);

  /* Whole seconds (the default) let GLib fire every cell's watchdog in the
   * same wakeup: a parked or paused wall wakes, and redraws its countdown
   * cards, once a second rather than once per cell. */
  if (interval_ms % 1000 == 0)
    self->source = g_timeout_source_new_seconds (interval_ms / 1000);
  else
    self->source = g_timeout_source_new (MAX (interval_ms, 50));
  g_source_set_priority (self->source, G_PRIORITY_DEFAULT);
  g_source_set_callback (self->source, on_tick, self, NULL);
  g_source_set_static_name (self->source, "[hyperwall] cell watchdog");
  g_source_attach (self->source, NULL);
  self->last_tick_us = self->now (self->clock_data);
}

/* ------------------------------------------------------------------ */
/* What it watches                                                     */

void
hw_cell_watchdog_set_player (HwCellWatchdog *self,
                             HwCellPlayer   *player)
{
  g_return_if_fail (HW_IS_CELL_WATCHDOG (self));
  g_return_if_fail (player == NULL || HW_IS_CELL_PLAYER (player));

  g_set_object (&self->player, player);
}

void
hw_cell_watchdog_set_view (HwCellWatchdog *self,
                           HwCellView     *view)
{
  g_return_if_fail (HW_IS_CELL_WATCHDOG (self));
  self->view = view;
}

void
hw_cell_watchdog_set_state (HwCellWatchdog *self,
                            HwCellState     state)
{
  g_return_if_fail (HW_IS_CELL_WATCHDOG (self));
  self->state = state;
}

void
hw_cell_watchdog_set_network (HwCellWatchdog *self,
                              gboolean        network)
{
  g_return_if_fail (HW_IS_CELL_WATCHDOG (self));
  self->network = !!network;
}

void
hw_cell_watchdog_start_load (HwCellWatchdog *self,
                             gint64          now_us)
{
  g_return_if_fail (HW_IS_CELL_WATCHDOG (self));

  set_buffering (self, FALSE);
  self->first_frame_us = 0;
  hw_stall_tracker_start_load (&self->tracker, now_us);
}

void
hw_cell_watchdog_first_frame (HwCellWatchdog *self,
                              gint64          now_us)
{
  g_return_if_fail (HW_IS_CELL_WATCHDOG (self));

  hw_stall_tracker_first_frame (&self->tracker, now_us);
  self->first_frame_us = now_us;
}

gint64
hw_cell_watchdog_get_last_tick (HwCellWatchdog *self)
{
  g_return_val_if_fail (HW_IS_CELL_WATCHDOG (self), 0);
  return self->last_tick_us;
}

gboolean
hw_cell_watchdog_get_buffering (HwCellWatchdog *self)
{
  g_return_val_if_fail (HW_IS_CELL_WATCHDOG (self), FALSE);
  return self->buffering;
}
