/* hw-cell-player.h: what a cell's supervisor needs from a video player.
 *
 * The real one is HwPlayer (one mpv handle, in the ui layer); tests drive a
 * fake. Commands are fire-and-forget; the getters return what the player
 * last observed, so the watchdog never waits for the player.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hw-types.h"

G_BEGIN_DECLS

typedef struct {
  const char *hwdec;            /* "auto-safe", "no", … */
  gboolean    audible;          /* FALSE: no audio output, no audio decoding */
  int         network_timeout;  /* seconds */
  guint64     demuxer_max_bytes;
  guint64     demuxer_max_back_bytes;
  const char *log_prefix;       /* "cell 3" */
} HwPlayerOptions;

typedef enum {
  HW_PLAYER_END_EOF,            /* reached the end; may be a dead stream: check the position */
  HW_PLAYER_END_ERROR,          /* the player reported an error */
  HW_PLAYER_END_UNPLAYABLE,     /* not a format the player recognises, or nothing in it to
                                 * show: certain to fail again as it is */
} HwPlayerEnd;

#define HW_TYPE_CELL_PLAYER (hw_cell_player_get_type ())

G_DECLARE_INTERFACE (HwCellPlayer, hw_cell_player, HW, CELL_PLAYER, GObject)

struct _HwCellPlayerInterface
{
  GTypeInterface parent_iface;

  /* Replaces whatever plays. @options: per-file player options or NULL. */
  gboolean (*load)             (HwCellPlayer  *self,
                                const char    *url,
                                const char    *options,
                                GError       **error);
  void     (*stop)             (HwCellPlayer  *self);
  void     (*forget)           (HwCellPlayer  *self);
  void     (*set_paused)       (HwCellPlayer  *self,
                                gboolean       paused);
  void     (*set_cache_limits) (HwCellPlayer  *self,
                                guint64        forward_bytes,
                                guint64        back_bytes);
  void     (*set_audible)      (HwCellPlayer  *self,
                                gboolean       audible);

  double   (*get_position)         (HwCellPlayer *self);
  double   (*get_duration)         (HwCellPlayer *self);
  gboolean (*get_paused_for_cache) (HwCellPlayer *self);
  gboolean (*get_seeking)          (HwCellPlayer *self);
  gboolean (*get_cache_eof)        (HwCellPlayer *self);
  gint64   (*get_cache_bytes)      (HwCellPlayer *self);
  gboolean (*get_cache_full)       (HwCellPlayer *self);
  gboolean (*get_video_missing)    (HwCellPlayer *self);    /* optional */
  guint64  (*get_dropped_frames)   (HwCellPlayer *self);    /* optional */
  const char *(*get_hwdec)         (HwCellPlayer *self);    /* optional */
  gboolean (*get_loaded)           (HwCellPlayer *self);
  guint64  (*read_demuxer_max_bytes)      (HwCellPlayer *self);
  guint64  (*read_demuxer_max_back_bytes) (HwCellPlayer *self);
};

/* Replaces whatever plays; FALSE with @error set when the player refused. */
gboolean hw_cell_player_load             (HwCellPlayer  *self,
                                          const char    *url,
                                          const char    *options,
                                          GError       **error);
/* Forgets the current load and stops it, asynchronously: never follow it
 * at once with a load, or the stop may overtake it (use forget). */
void     hw_cell_player_stop             (HwCellPlayer  *self);
/* Whatever plays is no longer ours: its events are stale from here on, and
 * the next load replaces it. */
void     hw_cell_player_forget           (HwCellPlayer  *self);
void     hw_cell_player_set_paused       (HwCellPlayer  *self,
                                          gboolean       paused);
void     hw_cell_player_set_cache_limits (HwCellPlayer  *self,
                                          guint64        forward_bytes,
                                          guint64        back_bytes);
void     hw_cell_player_set_audible      (HwCellPlayer  *self,
                                          gboolean       audible);

/* As last observed; position < 0 when unknown. */
double   hw_cell_player_get_position         (HwCellPlayer *self);
double   hw_cell_player_get_duration         (HwCellPlayer *self);
gboolean hw_cell_player_get_paused_for_cache (HwCellPlayer *self);
gboolean hw_cell_player_get_seeking          (HwCellPlayer *self);
/* The demuxer read the whole stream: its cache has nothing left to grow. */
gboolean hw_cell_player_get_cache_eof        (HwCellPlayer *self);
/* The demuxer cache's total bytes, -1 when unknown. */
gint64   hw_cell_player_get_cache_bytes      (HwCellPlayer *self);
/* The forward buffer is (nearly) at its limit: reading paused on purpose. */
gboolean hw_cell_player_get_cache_full       (HwCellPlayer *self);
/* The current load has no video track, as last reported. Also TRUE for a
 * moment while a load opens: judge it only once the load has played. */
gboolean hw_cell_player_get_video_missing    (HwCellPlayer *self);
/* Frames the player dropped (decoder and output) since it was created,
 * 0 when it does not say. For the status file. */
guint64  hw_cell_player_get_dropped_frames   (HwCellPlayer *self);
/* The hardware decoder in use ("no" when decoding in software), NULL when
 * the player does not say (no video yet). For the status file: whether a
 * GPU kiosk really decodes on its GPU. */
const char *hw_cell_player_get_hwdec         (HwCellPlayer *self);
/* A load of ours is current (neither ended, stopped nor forgotten). */
gboolean hw_cell_player_get_loaded           (HwCellPlayer *self);
/* As the player reports them (not as asked for), for the status file. */
guint64  hw_cell_player_read_demuxer_max_bytes      (HwCellPlayer *self);
guint64  hw_cell_player_read_demuxer_max_back_bytes (HwCellPlayer *self);

/* For implementations: the current load showed its first frame ("started"),
 * or ended ("ended": HwPlayerEnd, a message or NULL). Emitted on the main
 * context, only for the current load. */
void     hw_cell_player_emit_started (HwCellPlayer *self);
void     hw_cell_player_emit_ended   (HwCellPlayer *self,
                                      HwPlayerEnd   end,
                                      const char   *message);

G_END_DECLS
