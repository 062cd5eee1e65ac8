/* test-monitor.h: a GNetworkMonitor the test drives.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TEST_TYPE_MONITOR (test_monitor_get_type ())

G_DECLARE_FINAL_TYPE (TestMonitor, test_monitor, TEST, MONITOR, GObject)

/* Flips the availability (with property notifications) and, when @emit,
 * emits "network-changed" as GNetworkMonitorBase does. */
void test_monitor_set_available (TestMonitor *self,
                                 gboolean     available,
                                 gboolean     emit);

G_END_DECLS
