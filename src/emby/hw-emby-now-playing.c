/* hw-emby-now-playing.c: which cell the wall's Emby session shows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include "hw-emby-now-playing.h"
#include "hw-reliability.h"

/* Cells report progress every 10 s (as Emby's own clients do); one that
 * comes sooner after the shown cell's last report (a re-send) adds nothing. */
#define PROGRESS_GAP_US (5 * HW_USEC_PER_SEC)

typedef struct
{
  HwMediaItem     *item;     /* NULL: nothing started on this cell */
  double           position; /* seconds, at @at_us */
  gint64           at_us;
  gboolean         paused;
  gboolean         repeat;
  HwEmbyPlayMethod method;
} CellPlay;

struct _HwEmbyNowPlaying
{
  GObject parent_instance;

  HwEmbyClient *client;
  GArray       *cells; /* CellPlay, by cell index */
  guint         focused;
  int           audible; /* -1: none */
  int           shown;   /* the cell whose progress went out last, -1 */
  gint64        shown_us;
  guint         others_in_flight; /* other cells' start/stopped reports */
};

G_DEFINE_FINAL_TYPE (HwEmbyNowPlaying, hw_emby_now_playing, G_TYPE_OBJECT)

static CellPlay *
cell_play (HwEmbyNowPlaying *self, guint index)
{
  if (index >= self->cells->len)
    g_array_set_size (self->cells, index + 1);
  return &g_array_index (self->cells, CellPlay, index);
}

static gboolean
plays (HwEmbyNowPlaying *self, int index)
{
  return index >= 0 && (guint)index < self->cells->len
         && g_array_index (self->cells, CellPlay, index).item != NULL;
}

static int
representative (HwEmbyNowPlaying *self)
{
  if (plays (self, (int)self->focused))
    return (int)self->focused;
  if (plays (self, self->audible))
    return self->audible;
  for (guint i = 0; i < self->cells->len; i++)
    if (plays (self, (int)i))
      return (int)i;
  return -1;
}

static gboolean
online (HwEmbyNowPlaying *self)
{
  return hw_emby_client_get_state (self->client) == HW_SERVER_STATE_ONLINE;
}

/* Where the cell is now: it played on since it last said, unless paused. */
static double
estimate_position (const CellPlay *play, gint64 now)
{
  double position = play->position;
  double duration = hw_media_item_get_duration (play->item);

  if (!play->paused)
    position += (double)(now - play->at_us) / G_USEC_PER_SEC;
  return duration > 0 ? MIN (position, duration) : position;
}

static char *
report_body (HwEmbyNowPlaying *self, guint index, const CellPlay *play, double position,
             const char *event, gboolean stopped)
{
  const HwEmbyPlayState state = {
    .item_id = hw_media_item_get_id (play->item),
    .media_source_id = hw_media_item_get_source_id (play->item),
    .play_session_id = hw_media_item_get_session_id (play->item),
    .position = position,
    .paused = play->paused,
    .muted = (int)index != self->audible,
    .play_method = play->method,
    .event_name = event,
    .repeat_mode = play->repeat ? "RepeatOne" : "RepeatNone",
    .stopped = stopped,
    .product = hw_emby_client_get_server_product (self->client),
  };

  return hw_emby_report_body_state (&state);
}

/* One progress report per PlaySessionId in flight: a newer one, or the
 * final "stopped", replaces it. */
static char *
supersede_key (HwMediaItem *item)
{
  const char *session = hw_media_item_get_session_id (item);

  return g_strconcat ("progress ", session != NULL ? session : hw_media_item_get_id (item), NULL);
}

static void
send_progress (HwEmbyNowPlaying *self, int index, const char *event)
{
  const CellPlay  *play = &g_array_index (self->cells, CellPlay, index);
  gint64           now = g_get_monotonic_time ();
  g_autofree char *body = report_body (self, index, play, estimate_position (play, now), event,
                                       FALSE);
  g_autofree char *key = supersede_key (play->item);

  hw_emby_client_send (self->client, "POST", hw_emby_report_path (HW_EMBY_REPORT_PROGRESS), body,
                       key);
  self->shown = index;
  self->shown_us = now;
}

/* The session shows what came last: the representative says it again. */
static void
on_other_sent (GObject *object)
{
  HwEmbyNowPlaying *self = HW_EMBY_NOW_PLAYING (object);
  int               shown;

  g_return_if_fail (self->others_in_flight > 0);

  if (--self->others_in_flight > 0 || !online (self))
    return;
  if ((shown = representative (self)) >= 0)
    send_progress (self, shown, "TimeUpdate");
}

/* A start or stopped report; another cell's ends with the representative
 * reporting again. */
static void
send_start_stop (HwEmbyNowPlaying *self, HwEmbyReport report, const char *body, const char *key,
                 gboolean other)
{
  const char *path = hw_emby_report_path (report);

  if (!other)
    {
      hw_emby_client_send (self->client, "POST", path, body, key);
      return;
    }
  self->others_in_flight++;
  hw_emby_client_send_notify (self->client, "POST", path, body, key, G_OBJECT (self),
                              on_other_sent);
}

static void
report_started (HwEmbyNowPlaying *self, CellPlay *play, const HwFeedPlayback *playback)
{
  g_autofree char *body = NULL;
  int              shown;

  if (!online (self))
    return;
  body = report_body (self, playback->cell_index, play, playback->position, NULL, FALSE);
  shown = representative (self);
  send_start_stop (self, HW_EMBY_REPORT_STARTED, body, NULL, shown != (int)playback->cell_index);
  if (shown == (int)playback->cell_index)
    {
      self->shown = shown;
      self->shown_us = g_get_monotonic_time ();
    }
}

static void
report_progress (HwEmbyNowPlaying *self, guint index, gboolean was_paused, gboolean was_repeat)
{
  const CellPlay *play = &g_array_index (self->cells, CellPlay, index);
  const char     *event = "TimeUpdate";

  if (!online (self) || representative (self) != (int)index)
    return;

  if (play->paused != was_paused)
    event = play->paused ? "Pause" : "Unpause";
  else if (play->repeat != was_repeat)
    event = "RepeatModeChange";
  else if (self->others_in_flight > 0
           || (self->shown == (int)index
               && g_get_monotonic_time () - self->shown_us < PROGRESS_GAP_US))
    return; /* reported again soon anyway */
  send_progress (self, (int)index, event);
}

static void
report_stopped (HwEmbyNowPlaying *self, HwMediaItem *item, CellPlay *play,
                const HwFeedPlayback *playback)
{
  g_autofree char *body = NULL;
  g_autofree char *key = supersede_key (item);
  CellPlay         stopped = *play;

  stopped.item = item;
  stopped.paused = playback->paused;
  body = report_body (self, playback->cell_index, &stopped, playback->position, NULL, TRUE);
  if (play->item == item)
    g_clear_object (&play->item);
  if (self->shown == (int)playback->cell_index)
    self->shown = -1;
  if (online (self))
    send_start_stop (self, HW_EMBY_REPORT_STOPPED, body, key, representative (self) >= 0);
}

void
hw_emby_now_playing_report (HwEmbyNowPlaying *self, HwMediaItem *item, HwFeedReport report,
                            const HwFeedPlayback *playback, HwEmbyPlayMethod method)
{
  CellPlay *play;
  gboolean  was_paused, was_repeat;

  g_return_if_fail (HW_IS_EMBY_NOW_PLAYING (self));
  g_return_if_fail (HW_IS_MEDIA_ITEM (item) && playback != NULL);

  play = cell_play (self, playback->cell_index);
  if (report == HW_FEED_REPORT_STOPPED)
    {
      report_stopped (self, item, play, playback);
      return;
    }

  was_paused = play->paused;
  was_repeat = play->repeat;
  if (play->item != item)
    g_set_object (&play->item, item);
  play->position = playback->position;
  play->at_us = g_get_monotonic_time ();
  play->paused = playback->paused;
  play->repeat = playback->repeat;
  play->method = method;

  if (report == HW_FEED_REPORT_STARTED)
    report_started (self, play, playback);
  else
    report_progress (self, playback->cell_index, was_paused, was_repeat);
}

static void
show_representative (HwEmbyNowPlaying *self, int before, gboolean was_muted)
{
  int shown = representative (self);

  if (shown < 0 || !online (self) || self->others_in_flight > 0)
    return;
  if (shown != before)
    send_progress (self, shown, "TimeUpdate");
  else if ((shown != self->audible) != was_muted)
    send_progress (self, shown, "VolumeChange");
}

void
hw_emby_now_playing_set_focused (HwEmbyNowPlaying *self, guint cell_index)
{
  int before;

  g_return_if_fail (HW_IS_EMBY_NOW_PLAYING (self));

  if (cell_index == self->focused)
    return;
  before = representative (self);
  self->focused = cell_index;
  show_representative (self, before, before != self->audible);
}

void
hw_emby_now_playing_set_audible (HwEmbyNowPlaying *self, int cell_index)
{
  int      before;
  gboolean was_muted;

  g_return_if_fail (HW_IS_EMBY_NOW_PLAYING (self));

  if (cell_index == self->audible)
    return;
  before = representative (self);
  was_muted = before != self->audible;
  self->audible = cell_index;
  show_representative (self, before, was_muted);
}

int
hw_emby_now_playing_get_shown (HwEmbyNowPlaying *self)
{
  g_return_val_if_fail (HW_IS_EMBY_NOW_PLAYING (self), -1);
  return representative (self);
}

HwEmbyNowPlaying *
hw_emby_now_playing_new (HwEmbyClient *client)
{
  HwEmbyNowPlaying *self;

  g_return_val_if_fail (HW_IS_EMBY_CLIENT (client), NULL);

  self = g_object_new (HW_TYPE_EMBY_NOW_PLAYING, NULL);
  self->client = g_object_ref (client);
  return self;
}

static void
cell_play_clear (gpointer data)
{
  g_clear_object (&((CellPlay *)data)->item);
}

static void
hw_emby_now_playing_finalize (GObject *object)
{
  HwEmbyNowPlaying *self = HW_EMBY_NOW_PLAYING (object);

  g_clear_pointer (&self->cells, g_array_unref);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (hw_emby_now_playing_parent_class)->finalize (object);
}

static void
hw_emby_now_playing_class_init (HwEmbyNowPlayingClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hw_emby_now_playing_finalize;
}

static void
hw_emby_now_playing_init (HwEmbyNowPlaying *self)
{
  self->cells = g_array_new (FALSE, TRUE, sizeof (CellPlay));
  g_array_set_clear_func (self->cells, cell_play_clear);
  self->audible = -1;
  self->shown = -1;
}
