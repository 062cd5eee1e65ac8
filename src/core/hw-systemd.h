/* hw-systemd.h: sd_notify's datagram protocol, without libsystemd.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sends READY=1 and, when WATCHDOG_USEC is set (and WATCHDOG_PID, if set,
 * names this process), WATCHDOG=1 from the main
 * loop at half the period: a wedged main loop stops the pings and systemd
 * restarts the service. Does nothing outside systemd. */
void hw_systemd_start (void);
void hw_systemd_stop  (void);

/* The watchdog period from WATCHDOG_USEC (@usec) if it is this process's:
 * 0 when @usec is unset or invalid, or when WATCHDOG_PID (@watchdog_pid, may
 * be NULL) names another process than @own_pid. */
guint64 hw_systemd_watchdog_usec (const char *usec,
                                  const char *watchdog_pid,
                                  guint64     own_pid);

G_END_DECLS
