/* hw-player.h: one mpv handle, its events turned into GObject signals.
 *
 * mpv calls back from its own threads; those callbacks only set a flag and
 * schedule one drain on the main context at G_PRIORITY_DEFAULT. Everything
 * else runs on the main thread, and nothing there waits for mpv: commands
 * and settings are asynchronous, values are observed. A load learns its
 * playlist_entry_id from loadfile's reply; end-of-file events are matched
 * to it, and first frames, positions and cache state count only while mpv
 * plays that entry: nothing of a replaced item is ever reported.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <mpv/client.h>

#include "hw-cell-player.h"

G_BEGIN_DECLS

#define HW_TYPE_PLAYER (hw_player_get_type ())

G_DECLARE_FINAL_TYPE (HwPlayer, hw_player, HW, PLAYER, GObject)

/* Implements HwCellPlayer: load, stop, forget, the observed state and the
 * "started" and "ended" signals go through that interface. */
HwPlayer     *hw_player_new              (const HwPlayerOptions *options,
                                          GError               **error);
mpv_handle   *hw_player_get_handle       (HwPlayer              *self);
/* mpv plays nothing and holds no video output ("idle", observed). */
gboolean      hw_player_get_idle         (HwPlayer              *self);

/* Frees the handle on a worker thread (mpv_terminate_destroy blocks up to a
 * second); call only after every render context on it was freed. */
void          hw_player_destroy_async    (HwPlayer              *self);

G_END_DECLS
