/* hw-cell-card.h: the words on a cell's card for its state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "hw-reliability.h"

G_BEGIN_DECLS

/* @headline: NULL when the video shows without a card; @detail: NULL when
 * there is nothing under the headline. @reason: why the cell is not
 * playing (already redacted) or NULL; @remaining_us: time left on the
 * retry or park countdown. @nothing_to_play: a retrying cell waits for the
 * feed to have an item (fewer playable items than cells), not for a stream. */
void hw_cell_card_texts (HwCellState   state,
                         gboolean      nothing_to_play,
                         gboolean      buffering,
                         const char   *reason,
                         gint64        remaining_us,
                         char        **headline,
                         char        **detail);

/* A cell that plays its own copy of an item while the server is away. */
void hw_cell_card_from_cache_texts (char **headline,
                                    char **detail);

G_END_DECLS
