/* hw-cell-view.c: the HwCellView interface.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-cell-view.h"

G_DEFINE_INTERFACE (HwCellView, hw_cell_view, G_TYPE_OBJECT)

static void
hw_cell_view_default_init (HwCellViewInterface *iface)
{
}

HwCellPlayer *
hw_cell_view_create_player (HwCellView             *self,
                            const HwPlayerOptions  *options,
                            GError                **error)
{
  g_return_val_if_fail (HW_IS_CELL_VIEW (self), NULL);
  g_return_val_if_fail (options != NULL, NULL);

  return HW_CELL_VIEW_GET_IFACE (self)->create_player (self, options, error);
}

void
hw_cell_view_release_player (HwCellView   *self,
                             HwCellPlayer *player)
{
  g_return_if_fail (HW_IS_CELL_VIEW (self));
  g_return_if_fail (HW_IS_CELL_PLAYER (player));

  HW_CELL_VIEW_GET_IFACE (self)->release_player (self, player);
}

guint64
hw_cell_view_get_frames (HwCellView *self)
{
  HwCellViewInterface *iface;

  g_return_val_if_fail (HW_IS_CELL_VIEW (self), 0);

  iface = HW_CELL_VIEW_GET_IFACE (self);
  return iface->get_frames != NULL ? iface->get_frames (self) : 0;
}

const char *
hw_cell_view_get_renderer (HwCellView *self)
{
  HwCellViewInterface *iface;

  g_return_val_if_fail (HW_IS_CELL_VIEW (self), NULL);

  iface = HW_CELL_VIEW_GET_IFACE (self);
  return iface->get_renderer != NULL ? iface->get_renderer (self) : NULL;
}
