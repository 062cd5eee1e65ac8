/* hw-cell-player.c: the HwCellPlayer interface.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-cell-player.h"

G_DEFINE_INTERFACE (HwCellPlayer, hw_cell_player, G_TYPE_OBJECT)

enum {
  STARTED,
  ENDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
hw_cell_player_default_init (HwCellPlayerInterface *iface)
{
  signals[STARTED] = g_signal_new ("started", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* (HwPlayerEnd end, const char *message) */
  signals[ENDED] = g_signal_new ("ended", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                 G_TYPE_INT, G_TYPE_STRING);
}

#define IFACE(self) HW_CELL_PLAYER_GET_IFACE (self)

gboolean
hw_cell_player_load (HwCellPlayer  *self,
                     const char    *url,
                     const char    *options,
                     GError       **error)
{
  g_return_val_if_fail (HW_IS_CELL_PLAYER (self), FALSE);
  g_return_val_if_fail (url != NULL, FALSE);

  return IFACE (self)->load (self, url, options, error);
}

void
hw_cell_player_stop (HwCellPlayer *self)
{
  g_return_if_fail (HW_IS_CELL_PLAYER (self));
  IFACE (self)->stop (self);
}

void
hw_cell_player_forget (HwCellPlayer *self)
{
  g_return_if_fail (HW_IS_CELL_PLAYER (self));
  IFACE (self)->forget (self);
}

void
hw_cell_player_set_paused (HwCellPlayer *self,
                           gboolean      paused)
{
  g_return_if_fail (HW_IS_CELL_PLAYER (self));
  IFACE (self)->set_paused (self, paused);
}

void
hw_cell_player_set_cache_limits (HwCellPlayer *self,
                                 guint64       forward_bytes,
                                 guint64       back_bytes)
{
  g_return_if_fail (HW_IS_CELL_PLAYER (self));
  IFACE (self)->set_cache_limits (self, forward_bytes, back_bytes);
}

void
hw_cell_player_set_audible (HwCellPlayer *self,
                            gboolean      audible)
{
  g_return_if_fail (HW_IS_CELL_PLAYER (self));
  IFACE (self)->set_audible (self, audible);
}

double
hw_cell_player_get_position (HwCellPlayer *self)
{
  g_return_val_if_fail (HW_IS_CELL_PLAYER (self), -1);
  return IFACE (self)->get_position (self);
}

double
hw_cell_player_get_duration (HwCellPlayer *self)
{
  g_return_val_if_fail (HW_IS_CELL_PLAYER (self), 0);
  return IFACE (self)->get_duration (self);
}

gboolean
hw_cell_player_get_paused_for_cache (HwCellPlayer *self)
{
  g_return_val_if_fail (HW_IS_CELL_PLAYER (self), FALSE);
  return IFACE (self)->get_paused_for_cache (self);
}

gboolean
hw_cell_player_get_seeking (HwCellPlayer *self)
{
  g_return_val_if_fail (HW_IS_CELL_PLAYER (self), FALSE);
  return IFACE (self)->get_seeking (self);
}

gboolean
hw_cell_player_get_cache_eof (HwCellPlayer *self)
{
  g_return_val_if_fail (HW_IS_CELL_PLAYER (self), FALSE);
  return IFACE (self)->get_cache_eof (self);
}

gint64
hw_cell_player_get_cache_bytes (HwCellPlayer *self)
{
  g_return_val_if_fail (HW_IS_CELL_PLAYER (self), -1);
  return IFACE (self)->get_cache_bytes (self);
}

gboolean
hw_cell_player_get_cache_full (HwCellPlayer *self)
{
  g_return_val_if_fail (HW_IS_CELL_PLAYER (self), FALSE);
  return IFACE (self)->get_cache_full (self);
}

gboolean
hw_cell_player_get_video_missing (HwCellPlayer *self)
{
  g_return_val_if_fail (HW_IS_CELL_PLAYER (self), FALSE);
  return IFACE (self)->get_video_missing != NULL && IFACE (self)->get_video_missing (self);
}

guint64
hw_cell_player_get_dropped_frames (HwCellPlayer *self)
{
  g_return_val_if_fail (HW_IS_CELL_PLAYER (self), 0);
  return IFACE (self)->get_dropped_frames != NULL ? IFACE (self)->get_dropped_frames (self) : 0;
}

const char *
hw_cell_player_get_hwdec (HwCellPlayer *self)
{
  g_return_val_if_fail (HW_IS_CELL_PLAYER (self), NULL);
  return IFACE (self)->get_hwdec != NULL ? IFACE (self)->get_hwdec (self) : NULL;
}

gboolean
hw_cell_player_get_loaded (HwCellPlayer *self)
{
  g_return_val_if_fail (HW_IS_CELL_PLAYER (self), FALSE);
  return IFACE (self)->get_loaded (self);
}

guint64
hw_cell_player_read_demuxer_max_bytes (HwCellPlayer *self)
{
  g_return_val_if_fail (HW_IS_CELL_PLAYER (self), 0);
  return IFACE (self)->read_demuxer_max_bytes (self);
}

guint64
hw_cell_player_read_demuxer_max_back_bytes (HwCellPlayer *self)
{
  g_return_val_if_fail (HW_IS_CELL_PLAYER (self), 0);
  return IFACE (self)->read_demuxer_max_back_bytes (self);
}

void
hw_cell_player_emit_started (HwCellPlayer *self)
{
  g_return_if_fail (HW_IS_CELL_PLAYER (self));
  g_signal_emit (self, signals[STARTED], 0);
}

void
hw_cell_player_emit_ended (HwCellPlayer *self,
                           HwPlayerEnd   end,
                           const char   *message)
{
  g_return_if_fail (HW_IS_CELL_PLAYER (self));
  g_signal_emit (self, signals[ENDED], 0, (int) end, message);
}
