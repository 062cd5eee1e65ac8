/* hw-cell.h: one video cell of the wall, healing itself.
 *
 * A cell is two objects. HwCell is the widget: the video surface under a
 * card layer (title, buffering, waiting, media unavailable, sign-in
 * required). Its HwCellSupervisor (core layer, no GTK) does the healing:
 * player life cycle, items, watchdog, the machine's decisions, reports and
 * the status object. HwCell is the supervisor's HwCellView: it makes the
 * players so it can draw them, and follows what the supervisor says to show.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hw-cell-supervisor.h"
#include "hw-feed.h"
#include "hw-reliability.h"
#include "hw-renderer.h"

G_BEGIN_DECLS

typedef struct {
  HwCellPolicy  policy;
  HwStallParams stall;
  guint         watchdog_interval_ms;
  gint64        cycle_interval_us;    /* 0: play every item to its end */
  int           network_timeout_s;
  const char   *hwdec;                /* used when the player is created */
  HwRenderer    renderer;             /* resolved: GL or SOFTWARE */
} HwCellSettings;

#define HW_TYPE_CELL (hw_cell_get_type ())

G_DECLARE_FINAL_TYPE (HwCell, hw_cell, HW, CELL, GtkWidget)

HwCell      *hw_cell_new            (guint                 index,
                                     HwFeed               *feed,
                                     const HwCellSettings *settings,
                                     const HwCacheSplit   *cache);
/* The healing half: what the cell plays and how it is doing, the operator
 * commands, its notifications and signals (hw-cell-supervisor.h). */
HwCellSupervisor *hw_cell_get_supervisor (HwCell           *self);

void         hw_cell_set_settings   (HwCell               *self,
                                     const HwCellSettings *settings);
/* Shuts the supervisor down, and the cell draws nothing new; called
 * before it is removed. */
void         hw_cell_shutdown       (HwCell               *self);

/* For the session socket's Seek and SetVolume: straight to mpv,
 * asynchronously; nothing happens without a player. A seek shows as
 * mpv's "seeking", which the watchdog exempts. */
void         hw_cell_seek           (HwCell               *self,
                                     double                seconds);
void         hw_cell_set_volume     (HwCell               *self,
                                     int                   percent);

/* The focus ring (style.css draws it). */
void         hw_cell_set_focused    (HwCell               *self,
                                     gboolean              focused);
/* Whether the wall lets the focus ring fade (nobody used a key lately). */
void         hw_cell_set_ring_idle  (HwCell               *self,
                                     gboolean              idle);
/* A title card when an item starts, fading after a few seconds. */
void         hw_cell_set_show_titles (HwCell              *self,
                                      gboolean             show_titles);

guint64      hw_cell_get_frames     (HwCell               *self);

G_END_DECLS
