/* hw-emby-libraries.h: which of the server's libraries a wall plays.
 *
 * The `libraries` setting names them by name (any case) or id; empty means
 * every library that may hold videos. A pure function of the server's
 * views, so it is unit-tested without a server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "hw-emby-replies.h"

G_BEGIN_DECLS

/* The ids of the views (HwEmbyView) to page, in the order @wanted names
 * them, or NULL with a HW_FEED_ERROR: EMPTY when the server has no video
 * library, NOT_FOUND when nothing in @wanted exists. Names in @wanted that
 * do not exist beside ones that do are ignored with a warning. */
GPtrArray *hw_emby_libraries_resolve (GPtrArray           *views,
                                      const char * const  *wanted,
                                      GError             **error);

G_END_DECLS
