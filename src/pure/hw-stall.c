/* hw-stall.c: is a cell still showing moving pictures?
 *
 * mpv reports positions and cache sizes whenever they change, but the
 * verdict is only wanted at watchdog ticks: so the tracker keeps no history,
 * only when each sign of life was last seen, and the check compares that
 * with the time it is given.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <math.h>
#include <string.h>

#include "hw-stall.h"

void
hw_stall_tracker_start_load (HwStallTracker *tracker,
                             gint64          now_us)
{
  g_return_if_fail (tracker != NULL);

  memset (tracker, 0, sizeof *tracker);
  tracker->loading = TRUE;
  tracker->load_started_us = now_us;
  tracker->last_progress_us = now_us;
  tracker->last_bytes_growth_us = now_us;
}

void
hw_stall_tracker_first_frame (HwStallTracker *tracker,
                              gint64          now_us)
{
  g_return_if_fail (tracker != NULL);

  /* The stall clock starts with the picture, not with the load: the load
   * had its own deadline. */
  tracker->loading = FALSE;
  tracker->last_progress_us = now_us;
  tracker->last_frames_growth_us = now_us;
}

void
hw_stall_tracker_position (HwStallTracker *tracker,
                           double          position,
                           gint64          now_us)
{
  g_return_if_fail (tracker != NULL);

  if (isnan (position))
    return;

  if (tracker->has_position && position > tracker->last_position)
    tracker->last_progress_us = now_us;

  /* A lower position (a seek back, a restart) is not progress, but it is
   * the new reference: otherwise playback after a backward seek would look
   * stalled until it passed the old position. */
  tracker->has_position = TRUE;
  tracker->last_position = position;
}

void
hw_stall_tracker_cache_bytes (HwStallTracker *tracker,
                              gint64          total_bytes,
                              gint64          now_us)
{
  g_return_if_fail (tracker != NULL);

  /* Negative means mpv has no cache state (yet): no sample, rather than a
   * sample that never grows and would fake a network stall. */
  if (total_bytes < 0)
    return;

  if (!tracker->has_bytes || total_bytes > tracker->last_total_bytes)
    tracker->last_bytes_growth_us = now_us;

  tracker->has_bytes = TRUE;
  tracker->last_total_bytes = total_bytes;
}

void
hw_stall_tracker_frames (HwStallTracker *tracker,
                         guint64         frames,
                         gint64          now_us)
{
  g_return_if_fail (tracker != NULL);

  /* The first sample only sets the reference: the clock has run since the
   * first frame (a cell black from the start never counts one). */
  if (tracker->has_frames && frames > tracker->last_frames)
    tracker->last_frames_growth_us = now_us;

  tracker->has_frames = TRUE;
  tracker->last_frames = frames;
}

/* The position moves, so mpv decodes and the clock runs, but nothing new
 * reaches the screen: a cell that looks like it plays and shows black or
 * a still. Only judged while the position advances: a position that
 * stands is the stall timeout's business. */
static gboolean
picture_frozen (const HwStallTracker *tracker,
                const HwStallParams  *params,
                gint64                now_us)
{
  gint64 limit_us = params->frozen_picture_us == 0 ? params->stall_timeout_us
                                                   : params->frozen_picture_us;

  return limit_us > 0
         && tracker->has_frames
         && now_us - tracker->last_frames_growth_us > limit_us
         && tracker->last_progress_us > tracker->last_frames_growth_us;
}

static gboolean
stall_is_exempt (const HwPlaybackFlags *flags)
{
  /* paused_for_cache is deliberately absent: a dead network stream shows
   * exactly that, and must still be caught. */
  return flags->operator_paused || flags->seeking;
}

/* The early sign of a network stall: the demuxer stopped receiving bytes
 * for a stream that is not fully read yet. Local files and fully cached
 * streams have nothing left to grow, so they never take this path. */
static gboolean
network_bytes_stopped (const HwStallTracker  *tracker,
                       const HwStallParams   *params,
                       const HwPlaybackFlags *flags,
                       gint64                 now_us)
{
  return params->network_stall_us > 0
         && flags->network
         && !flags->cache_eof
         && tracker->has_bytes
         && now_us - tracker->last_bytes_growth_us > params->network_stall_us;
}

HwStallVerdict
hw_stall_tracker_check (HwStallTracker        *tracker,
                        const HwStallParams   *params,
                        const HwPlaybackFlags *flags,
                        gint64                 now_us)
{
  gboolean bytes_stopped;

  g_return_val_if_fail (tracker != NULL, HW_STALL_VERDICT_OK);
  g_return_val_if_fail (params != NULL, HW_STALL_VERDICT_OK);
  g_return_val_if_fail (flags != NULL, HW_STALL_VERDICT_OK);

  if (stall_is_exempt (flags))
    {
      /* Hold every clock at now, so the exempt time never counts later. */
      tracker->load_started_us = now_us;
      tracker->last_progress_us = now_us;
      tracker->last_bytes_growth_us = now_us;
      tracker->last_frames_growth_us = now_us;
      return HW_STALL_VERDICT_OK;
    }

  bytes_stopped = network_bytes_stopped (tracker, params, flags, now_us);

  if (tracker->loading)
    {
      if (now_us - tracker->load_started_us > params->load_timeout_us)
        return HW_STALL_VERDICT_LOAD_TIMEOUT;
      /* Before the first frame, paused_for_cache means little: show the
       * buffering card and leave the verdict to the load deadline. */
      return bytes_stopped ? HW_STALL_VERDICT_BUFFERING : HW_STALL_VERDICT_OK;
    }

  if (now_us - tracker->last_progress_us > params->stall_timeout_us)
    return HW_STALL_VERDICT_STALLED;

  if (picture_frozen (tracker, params, now_us))
    return HW_STALL_VERDICT_FROZEN;

  if (bytes_stopped)
    {
      /* mpv has already drained its buffer and waits for data that stopped
       * coming: waiting out the full stall timeout would only show a frozen
       * picture longer. */
      if (flags->paused_for_cache)
        return HW_STALL_VERDICT_STALLED;
      return HW_STALL_VERDICT_BUFFERING;
    }

  return HW_STALL_VERDICT_OK;
}
