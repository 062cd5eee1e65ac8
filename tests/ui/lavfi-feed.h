/* lavfi-feed.h: a feed for GTK tests that plays one lavfi source (no files,
 * no server): every cell asks, every cell gets the same picture.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hw-feed.h"

G_BEGIN_DECLS

/* A feed whose every item is @url (an "av://lavfi:…" source), called @id
 * and @title, @duration seconds long. */
HwFeed *lavfi_feed_new (const char *id,
                        const char *title,
                        const char *url,
                        double      duration);

G_END_DECLS
