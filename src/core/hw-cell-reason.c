/* hw-cell-reason.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <glib/gi18n.h>

#include "hw-cell-reason.h"
#include "hw-redact.h"

/* An end this far before the known duration is a dead stream, not an end. */
#define PREMATURE_END_SLACK_S 5.0

HwCellReason
hw_cell_reason_for_end (HwPlayerEnd end,
                        gboolean    started,
                        double      position,
                        double      duration)
{
  if (end == HW_PLAYER_END_UNPLAYABLE)
    return HW_CELL_REASON_NOT_VIDEO;
  if (end == HW_PLAYER_END_ERROR)
    return HW_CELL_REASON_PLAYER_ERROR;
  if (!started)
    return HW_CELL_REASON_NO_FIRST_FRAME;
  if (duration > 0 && position >= 0 &&
      position < duration - MAX (PREMATURE_END_SLACK_S, duration * 0.05))
    return HW_CELL_REASON_PREMATURE_END;
  return HW_CELL_REASON_NONE;
}

static char *
unredacted_text (HwCellReason  reason,
                 const char   *detail,
                 double        position,
                 double        duration)
{
  switch (reason)
    {
    case HW_CELL_REASON_STALLED:
      return g_strdup (_("The stream stalled"));
    case HW_CELL_REASON_LOAD_TIMEOUT:
      return g_strdup (_("The stream did not start in time"));
    case HW_CELL_REASON_FROZEN:
      return g_strdup (_("The picture stopped while the stream played on"));
    case HW_CELL_REASON_PLAYER_ERROR:
      return g_strdup_printf (_("Playback failed: %s"), detail ? detail : _("unknown error"));
    case HW_CELL_REASON_NO_FIRST_FRAME:
      return g_strdup (_("The stream ended before its first frame"));
    case HW_CELL_REASON_PREMATURE_END:
      return g_strdup_printf (_("The stream stopped at %.0f s of %.0f s"), position, duration);
    case HW_CELL_REASON_UNPLAYABLE:
      return g_strdup (_("The server has no such stream (404)"));
    case HW_CELL_REASON_NOT_VIDEO:
      return g_strdup_printf (_("Not a playable video: %s"), detail ? detail : _("unknown error"));
    case HW_CELL_REASON_NO_VIDEO_TRACK:
      return g_strdup (_("Not a playable video: no video stream"));
    case HW_CELL_REASON_NO_ITEM:
      return g_strdup ("no item to load");
    case HW_CELL_REASON_WATCHDOG:
      return g_strdup (_("watchdog stopped"));
    case HW_CELL_REASON_MESSAGE:
      return g_strdup (detail);
    case HW_CELL_REASON_NONE:
    default:
      return NULL;
    }
}

char *
hw_cell_reason_text (HwCellReason  reason,
                     const char   *detail,
                     double        position,
                     double        duration)
{
  g_autofree char *text = unredacted_text (reason, detail, position, duration);

  return text ? hw_redact (text) : NULL;
}
