/* hw-local-feed-private.h: what the tests change in a local feed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hw-local-feed.h"

G_BEGIN_DECLS

/* How long a folder listing may take before the requests waiting for it
 * fail, and what lists it: a GTaskThreadFunc whose task data is the
 * folder's path and whose result is a GPtrArray of entries, or an error
 * (tests return an empty array, freed with _hw_local_feed_entry_free).
 * NULL: the real listing. */
void _hw_local_feed_set_listing (HwLocalFeed     *self,
                                 guint            deadline_ms,
                                 GTaskThreadFunc  lister);
void _hw_local_feed_entry_free  (gpointer         entry);

G_END_DECLS
