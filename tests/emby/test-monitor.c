/* test-monitor.c: a GNetworkMonitor the test drives, for the tests of the
 * server gate and of the client on a network that comes and goes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "test-monitor.h"

struct _TestMonitor
{
  GObject  parent_instance;
  gboolean available;
};

enum {
  MONITOR_PROP_0,
  MONITOR_PROP_NETWORK_AVAILABLE,
  MONITOR_PROP_NETWORK_METERED,
  MONITOR_PROP_CONNECTIVITY,
};

static void test_monitor_initable_iface_init (GInitableIface *iface);
static void test_monitor_network_iface_init (GNetworkMonitorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestMonitor, test_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      test_monitor_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR,
                                                      test_monitor_network_iface_init))

static gboolean
test_monitor_initable_init (GInitable     *initable,
                                     GCancellable  *cancellable,
                                     GError       **error)
{
  return TRUE;
}

static void
test_monitor_initable_iface_init (GInitableIface *iface)
{
  iface->init = test_monitor_initable_init;
}

static gboolean
test_monitor_can_reach (GNetworkMonitor     *monitor,
                        GSocketConnectable  *connectable,
                        GCancellable        *cancellable,
                        GError             **error)
{
  TestMonitor *self = TEST_MONITOR (monitor);

  if (!self->available)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE,
                         "The test network is down");
  return self->available;
}

static void
test_monitor_network_iface_init (GNetworkMonitorInterface *iface)
{
  iface->can_reach = test_monitor_can_reach;
}

static void
test_monitor_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TestMonitor *self = TEST_MONITOR (object);

  switch (prop_id)
    {
    case MONITOR_PROP_NETWORK_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case MONITOR_PROP_NETWORK_METERED:
      g_value_set_boolean (value, FALSE);
      break;
    case MONITOR_PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL
                                               : G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_monitor_class_init (TestMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_monitor_get_property;
  g_object_class_override_property (object_class, MONITOR_PROP_NETWORK_AVAILABLE,
                                    "network-available");
  g_object_class_override_property (object_class, MONITOR_PROP_NETWORK_METERED,
                                    "network-metered");
  g_object_class_override_property (object_class, MONITOR_PROP_CONNECTIVITY, "connectivity");
}

static void
test_monitor_init (TestMonitor *self)
{
  self->available = TRUE;
}

/* Flips the availability (with property notifications) and, when @emit,
 * emits "network-changed" as GNetworkMonitorBase does. */
void
test_monitor_set_available (TestMonitor *self,
                            gboolean     available,
                            gboolean     emit)
{
  if (self->available != available)
    {
      self->available = available;
      g_object_notify (G_OBJECT (self), "network-available");
      g_object_notify (G_OBJECT (self), "connectivity");
    }
  if (emit)
    g_signal_emit_by_name (self, "network-changed", available);
}
