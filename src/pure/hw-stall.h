/* hw-stall.h: the stall watchdog's judgement (rule 1 in docs/reliability.md).
 *
 * mpv sends no event when a stream silently stops: the only evidence is a
 * position that no longer advances, a first frame that never comes, and,
 * earlier than both, a demuxer cache that stops growing. The tracker keeps
 * those samples; the check turns them into a verdict at the time it is given.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gint64 stall_timeout_us;     /* no strict time-pos progress for more than this: stalled */
  gint64 load_timeout_us;      /* no first frame this long after a load: stalled */
  /* A network stream whose demuxer cache total-bytes has not grown for more
   * than this while mpv waits for cache (paused-for-cache) is stalled early.
   * 0 disables the early path. */
  gint64 network_stall_us;
  /* A picture that shows no new frame for more than this while the
   * position advances is frozen (a black or stuck cell that "plays"):
   * > 0 this long, 0 the stall timeout, < 0 never judged. The clock starts
   * at the first frame, which is the grace a fresh load gets. */
  gint64 frozen_picture_us;
} HwStallParams;

typedef struct {
  gboolean operator_paused;    /* exempt */
  gboolean seeking;            /* exempt */
  gboolean paused_for_cache;   /* NOT exempt: a network stall looks exactly like it */
  gboolean network;            /* the stream is read over the network */
  gboolean cache_eof;          /* the demuxer has read the whole stream (nothing left to grow) */
} HwPlaybackFlags;

typedef enum {
  HW_STALL_VERDICT_OK,
  HW_STALL_VERDICT_BUFFERING,     /* bytes stopped growing: show "buffering", not yet a failure */
  HW_STALL_VERDICT_STALLED,       /* playing, no progress for too long */
  HW_STALL_VERDICT_LOAD_TIMEOUT,  /* loading, no first frame in time */
  HW_STALL_VERDICT_FROZEN,        /* the position advances, the picture does not */
} HwStallVerdict;

typedef struct {
  gboolean loading;            /* between load and first frame */
  gint64   load_started_us;
  gboolean has_position;
  double   last_position;
  gint64   last_progress_us;   /* when time-pos last strictly increased (or an exemption ended) */
  gboolean has_bytes;
  gint64   last_total_bytes;
  gint64   last_bytes_growth_us;
  gboolean has_frames;
  guint64  last_frames;
  gint64   last_frames_growth_us;
} HwStallTracker;

void           hw_stall_tracker_start_load  (HwStallTracker        *tracker,
                                             gint64                 now_us);
void           hw_stall_tracker_first_frame (HwStallTracker        *tracker,
                                             gint64                 now_us);
/* Progress means the position strictly increased; equal or lower is not. */
void           hw_stall_tracker_position    (HwStallTracker        *tracker,
                                             double                 position,
                                             gint64                 now_us);
void           hw_stall_tracker_cache_bytes (HwStallTracker        *tracker,
                                             gint64                 total_bytes,
                                             gint64                 now_us);
/* Not const: while exempt the progress clock is held at @now_us, so time
 * spent paused or seeking never counts towards a stall afterwards.
 * At exactly the timeout a cell is not stalled (the check is strict). */
/* @frames: how many frames the cell has shown so far for this load. */
void           hw_stall_tracker_frames      (HwStallTracker        *tracker,
                                             guint64                frames,
                                             gint64                 now_us);
HwStallVerdict hw_stall_tracker_check       (HwStallTracker        *tracker,
                                             const HwStallParams   *params,
                                             const HwPlaybackFlags *flags,
                                             gint64                 now_us);

G_END_DECLS
