/* hw-systemd.h: sd_notify's datagram protocol, without libsystemd.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sends READY=1 and, when WATCHDOG_USEC is set, WATCHDOG=1 from the main
 * loop at half the period: a wedged main loop stops the pings and systemd
 * restarts the service. Does nothing outside systemd. */
void hw_systemd_start (void);
void hw_systemd_stop  (void);

G_END_DECLS
