/* hw-player.h: one mpv handle, its events turned into GObject signals.
 *
 * mpv calls back from its own threads; those callbacks only set a flag and
 * schedule one drain on the main context at G_PRIORITY_DEFAULT. Everything
 * else runs on the main thread. End-of-file events are matched to the load
 * that caused them by playlist_entry_id: a stale end of a replaced item is
 * never reported.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <mpv/client.h>

#include "hw-types.h"

G_BEGIN_DECLS

#define HW_TYPE_PLAYER (hw_player_get_type ())

G_DECLARE_FINAL_TYPE (HwPlayer, hw_player, HW, PLAYER, GObject)

typedef struct {
  const char *hwdec;            /* "auto-safe", "no", … */
  gboolean    audible;          /* FALSE: ao=null, no audio decoding */
  int         network_timeout;  /* seconds */
  guint64     demuxer_max_bytes;
  guint64     demuxer_max_back_bytes;
  const char *log_prefix;       /* "cell 3" */
} HwPlayerOptions;

typedef enum {
  HW_PLAYER_END_EOF,            /* reached the end; may be a dead stream: check the position */
  HW_PLAYER_END_ERROR,          /* mpv reported an error */
} HwPlayerEnd;

/* NULL with @error set when mpv cannot be created or initialised. */
HwPlayer     *hw_player_new              (const HwPlayerOptions *options,
                                          GError               **error);
mpv_handle   *hw_player_get_handle       (HwPlayer              *self);

/* Replaces whatever plays. @options: per-file mpv options or NULL. */
gboolean      hw_player_load             (HwPlayer              *self,
                                          const char            *url,
                                          const char            *options,
                                          GError               **error);
void          hw_player_stop             (HwPlayer              *self);
void          hw_player_forget           (HwPlayer              *self);
void          hw_player_set_paused       (HwPlayer              *self,
                                          gboolean               paused);
void          hw_player_set_cache_limits (HwPlayer              *self,
                                          guint64                forward_bytes,
                                          guint64                back_bytes);
void          hw_player_set_audible      (HwPlayer              *self,
                                          gboolean               audible);

/* State as last observed; position < 0 when unknown. */
double        hw_player_get_position     (HwPlayer              *self);
double        hw_player_get_duration     (HwPlayer              *self);
gboolean      hw_player_get_paused_for_cache (HwPlayer          *self);
gboolean      hw_player_get_seeking      (HwPlayer              *self);
gboolean      hw_player_get_cache_eof    (HwPlayer              *self);
gint64        hw_player_get_cache_bytes  (HwPlayer              *self);
/* The forward buffer is (nearly) at demuxer-max-bytes: mpv paused reading. */
gboolean      hw_player_get_cache_full   (HwPlayer              *self);
gboolean      hw_player_get_loaded       (HwPlayer              *self);
/* Read back from mpv (for the status file). */
guint64       hw_player_read_demuxer_max_bytes      (HwPlayer  *self);
guint64       hw_player_read_demuxer_max_back_bytes (HwPlayer  *self);

/* Frees the handle on a worker thread (mpv_terminate_destroy blocks up to a
 * second); call only after every render context on it was freed. */
void          hw_player_destroy_async    (HwPlayer              *self);

G_END_DECLS
