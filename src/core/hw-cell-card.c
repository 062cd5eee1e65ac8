/* hw-cell-card.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <glib/gi18n.h>

#include "hw-cell-card.h"

static char *
format_countdown (gint64 remaining_us)
{
  gint64 seconds = MAX (0, (remaining_us + HW_USEC_PER_SEC - 1) / HW_USEC_PER_SEC);

  return g_strdup_printf ("%" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT, seconds / 60, seconds % 60);
}

void
hw_cell_card_texts (HwCellState   state,
                    gboolean      nothing_to_play,
                    gboolean      buffering,
                    const char   *reason,
                    gint64        remaining_us,
                    char        **headline,
                    char        **detail)
{
  g_autofree char *countdown = NULL;
  const char *title = NULL;
  char *text = NULL;

  g_return_if_fail (headline != NULL && detail != NULL);

  switch (state)
    {
    case HW_CELL_STATE_PLAYING:
      title = buffering ? _("Buffering…") : NULL;
      break;
    case HW_CELL_STATE_IDLE:
    case HW_CELL_STATE_LOADING:
    case HW_CELL_STATE_ENDED:
      title = _("Loading…");
      break;
    case HW_CELL_STATE_RETRYING:
      countdown = format_countdown (remaining_us);
      if (nothing_to_play)
        {
          /* No stream is in trouble: the feed has nothing for this cell. */
          title = _("Nothing to play");
          text = g_strdup_printf (_("%s — asking again in %s"), reason ? reason : "", countdown);
          break;
        }
      title = _("Trouble playing");
      text = g_strdup_printf (_("%s — retrying in %s"), reason ? reason : "", countdown);
      break;
    case HW_CELL_STATE_PARKED:
      countdown = format_countdown (remaining_us);
      title = _("Media unavailable");
      text = g_strdup_printf (_("%s\nTrying again in %s"), reason ? reason : "", countdown);
      break;
    case HW_CELL_STATE_WAITING:
      title = _("Waiting for server");
      text = g_strdup (reason ? reason : _("The wall starts again when it answers."));
      break;
    case HW_CELL_STATE_SIGN_IN_REQUIRED:
      title = _("Sign-in required");
      text = g_strdup (reason ? reason : _("The server refused the credentials. "
                                           "Check the user name and password."));
      break;
    case HW_CELL_STATE_PAUSED:
      title = _("Paused");
      break;
    default:
      break;
    }

  *headline = g_strdup (title);
  *detail = text;
}

void
hw_cell_card_from_cache_texts (char **headline,
                               char **detail)
{
  g_return_if_fail (headline != NULL && detail != NULL);

  *headline = g_strdup (_("Playing its own copy"));
  *detail = g_strdup (_("The server is away; the wall streams again when it answers."));
}
