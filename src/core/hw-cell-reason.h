/* hw-cell-reason.h: why a cell is not playing, in words for its card, the
 * status file and the log.
 *
 * Every reason a cell shows goes through hw_cell_reason_text(), which
 * redacts it: error texts come from outside (mpv, the server, the feed)
 * and may carry a token.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "hw-cell-player.h"

G_BEGIN_DECLS

typedef enum {
  HW_CELL_REASON_NONE,            /* a normal end: no failure */
  HW_CELL_REASON_STALLED,         /* playing, but the position stopped moving */
  HW_CELL_REASON_LOAD_TIMEOUT,    /* no first frame within the load timeout */
  HW_CELL_REASON_FROZEN,          /* the position advanced, the picture did not */
  HW_CELL_REASON_PLAYER_ERROR,    /* the player gave up; detail: its message or NULL */
  HW_CELL_REASON_NO_FIRST_FRAME,  /* the stream ended before showing anything */
  HW_CELL_REASON_PREMATURE_END,   /* ended well before its duration (a dead stream) */
  HW_CELL_REASON_UNPLAYABLE,      /* the server has no such stream: retrying cannot help */
  HW_CELL_REASON_NOT_VIDEO,       /* the player cannot read it, or it has nothing to show;
                                   * detail: the player's message or NULL */
  HW_CELL_REASON_NO_VIDEO_TRACK,  /* it plays, but has no video track to show */
  HW_CELL_REASON_NO_ITEM,         /* asked to load with nothing to load */
  HW_CELL_REASON_WATCHDOG,        /* the cell's watchdog stopped ticking */
  HW_CELL_REASON_MESSAGE,         /* detail: a text from elsewhere (an error, the server gate) */
} HwCellReason;

/* What an end of a load means: HW_CELL_REASON_NONE for a normal end, else
 * the failure. @started: the load showed a first frame. @position: the last
 * one observed (< 0 unknown); @duration: the expected one (<= 0 unknown).
 * A dead network stream ends like a finished one, hence the position. */
HwCellReason hw_cell_reason_for_end (HwPlayerEnd   end,
                                     gboolean      started,
                                     double        position,
                                     double        duration);

/* The readable, redacted text for @reason; NULL for HW_CELL_REASON_NONE
 * and for a MESSAGE without @detail. @position and @duration are used by
 * PREMATURE_END only. */
char        *hw_cell_reason_text     (HwCellReason  reason,
                                      const char   *detail,
                                      double        position,
                                      double        duration);

G_END_DECLS
