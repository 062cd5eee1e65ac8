/* hw-reliability.h: every rule that keeps an unattended wall alive, in one
 * include.
 *
 * Each rule has its own header and its own tests; this one only gathers
 * them, so code that weighs several rules at once (a cell, the wall
 * controller, the HTTP client) needs a single include. A file that uses one
 * rule is better off including just that rule's header. How long an item a
 * cell gave up on sits out is the item pool's rule, so its header is here too.
 *
 * Pure C on GLib's basic types only: no GTK, no mpv, no libsoup, and no
 * clock. Time always comes in as an argument (microseconds, monotonic), and
 * so does randomness (a jitter unit in [-1, 1]). The rules and their
 * defaults are in docs/reliability.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hw-units.h"

#include "hw-backoff.h"
#include "hw-cell-machine.h"
#include "hw-http-status.h"
#include "hw-item-pool.h"
#include "hw-stall.h"
#include "hw-wall-rules.h"
