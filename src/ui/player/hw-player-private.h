/* hw-player-private.h: the fields of HwPlayer.
 *
 * hw-player.c owns the object; it hands mpv's events to
 * hw-player-events.c, which reads them into these fields and calls nothing
 * of hw-player.c back (a one-way seam).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hw-player.h"

G_BEGIN_DECLS

struct _HwPlayer
{
  GObject     parent_instance;

  mpv_handle *mpv;
  char       *log_prefix;

  /* Atomics: a drain is scheduled or cooling down (see drain_events());
   * mpv woke us since the last drain. */
  gint        drain_pending;
  gint        woken;

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
  char       *hwdec_setting;          /* the hwdec setting (hw-hwdec-probe.h) */
};

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

/* Forgets what was observed of the previous load. */
void _hw_player_reset_observed (HwPlayer *self);
/* Observes the properties the player keeps. */
void _hw_player_observe        (HwPlayer *self);
/* mpv's wakeup callback (any thread): one drain on the main loop per burst. */
void _hw_player_wakeup_cb      (void     *data);

G_END_DECLS
