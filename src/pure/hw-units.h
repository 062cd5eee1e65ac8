/* hw-units.h: the units every layer counts in.
 *
 * Time is a gint64 of monotonic microseconds, what g_get_monotonic_time ()
 * returns, so a reading of the clock goes into the rules unconverted. Sizes
 * are bytes; settings speak MiB.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HW_USEC_PER_SEC G_GINT64_CONSTANT (1000000)
#define HW_MIB          (G_GUINT64_CONSTANT (1) << 20)

G_END_DECLS
