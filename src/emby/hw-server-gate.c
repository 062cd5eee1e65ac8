/* hw-server-gate.c: whether the Emby server may be asked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include "hw-emby-enums.h"
#include "hw-emby-protocol.h"
#include "hw-gate-machine.h"
#include "hw-redact.h"
#include "hw-reliability.h"
#include "hw-server-gate.h"

/* The gate's state is the machine's, passed through. */
G_STATIC_ASSERT ((int) HW_SERVER_GATE_UNKNOWN == (int) HW_GATE_UNKNOWN);
G_STATIC_ASSERT ((int) HW_SERVER_GATE_OPEN == (int) HW_GATE_OPEN);
G_STATIC_ASSERT ((int) HW_SERVER_GATE_CLOSED == (int) HW_GATE_CLOSED);

typedef struct {
  HwServerGateWaitFunc func;
  gpointer             data;
} Waiter;

struct _HwServerGate
{
  GObject          parent_instance;

  HwGateMachine    machine;
  char            *reason;
  GNetworkMonitor *monitor;
  guint            timer;
  GCancellable    *probe;     /* the probe in flight; cancelled to drop it */
  GArray          *waiters;   /* Waiter */
};

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

enum {
  SIGNAL_PROBE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HwServerGate, hw_server_gate, G_TYPE_OBJECT)

static void execute (HwServerGate   *self,
                     HwGateDecision  decision,
                     HwGateState     before,
                     const GError   *error);

static void
on_timer (gpointer user_data)
{
  HwServerGate *self = user_data;
  HwGateState before = self->machine.state;

  self->timer = 0;
  execute (self, hw_gate_machine_timer (&self->machine), before, NULL);
}

static void
take_waiters (HwServerGate  *self,
              GArray       **taken)
{
  *taken = self->waiters;
  self->waiters = g_array_new (FALSE, FALSE, sizeof (Waiter));
}

static void
settle_waiters (HwServerGate *self,
                const GError *error)
{
  g_autoptr(GArray) waiters = NULL;

  if (self->waiters->len == 0)
    return;

  /* A waiter may wait again (a call resumed into a new probe): it joins
   * the next round, not this one. */
  take_waiters (self, &waiters);
  for (guint i = 0; i < waiters->len; i++)
    {
      Waiter *waiter = &g_array_index (waiters, Waiter, i);

      waiter->func (error, waiter->data);
    }
}

static void
start_probe (HwServerGate *self)
{
  g_autoptr(GCancellable) probe = g_cancellable_new ();
  gboolean started = FALSE;

  g_clear_object (&self->probe);
  self->probe = g_object_ref (probe);
  g_signal_emit (self, signals[SIGNAL_PROBE], 0, probe, &started);
  if (!started && self->probe == probe)
    {
      g_clear_object (&self->probe);
      hw_gate_machine_probe_refused (&self->machine);
    }
}

/* In this order: drop what is superseded, say the new state (whoever
 * follows it acts before the waiters go on), settle the waiters, then
 * probe or arm the timer. */
static void
execute (HwServerGate   *self,
         HwGateDecision  decision,
         HwGateState     before,
         const GError   *error)
{
  g_autoptr(GObject) hold = g_object_ref (G_OBJECT (self));

  if (decision.actions & HW_GATE_ACTION_CANCEL_PROBE)
    {
      if (self->probe != NULL)
        g_cancellable_cancel (self->probe);
      g_clear_object (&self->probe);
    }
  if (decision.actions & HW_GATE_ACTION_CANCEL_TIMER)
    g_clear_handle_id (&self->timer, g_source_remove);

  if (self->machine.state != before)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);

  if (decision.actions & HW_GATE_ACTION_FAIL_WAITERS)
    {
      g_autoptr(GError) offline = NULL;

      if (error == NULL)
        offline = g_error_new (HW_EMBY_ERROR, HW_EMBY_ERROR_OFFLINE, "Waiting for the server: %s",
                               self->reason != NULL ? self->reason : "");
      settle_waiters (self, error != NULL ? error : offline);
    }
  if (decision.actions & HW_GATE_ACTION_RESUME_WAITERS)
    settle_waiters (self, NULL);

  if (decision.actions & HW_GATE_ACTION_PROBE)
    start_probe (self);
  if (decision.actions & HW_GATE_ACTION_SCHEDULE)
    {
      g_debug ("Next probe of the server in %.1f s", decision.delay_us / (double) HW_USEC_PER_SEC);
      g_clear_handle_id (&self->timer, g_source_remove);
      self->timer = g_timeout_add_once (MAX (1, decision.delay_us / 1000), on_timer, self);
    }
}

static void
set_reason (HwServerGate *self,
            const char   *reason)
{
  g_autofree char *redacted = hw_redact (reason);

  g_free (self->reason);
  self->reason = g_steal_pointer (&redacted);
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  HwServerGate *self = user_data;
  HwGateState before = self->machine.state;
  HwGateDecision decision;

  if (!available)
    return;
  decision = hw_gate_machine_network_back (&self->machine);
  if (decision.actions == HW_GATE_ACTION_NONE)
    return;
  g_message ("The network is back: probing the server now");
  execute (self, decision, before, NULL);
}

HwServerGate *
hw_server_gate_new (GNetworkMonitor *monitor)
{
  HwServerGate *self = g_object_new (HW_TYPE_SERVER_GATE, NULL);

  g_return_val_if_fail (monitor == NULL || G_IS_NETWORK_MONITOR (monitor), NULL);

  if (monitor != NULL)
    {
      self->monitor = g_object_ref (monitor);
      g_signal_connect_object (monitor, "network-changed", G_CALLBACK (on_network_changed),
                               self, 0);
    }
  return self;
}

void
hw_server_gate_set_backoff (HwServerGate *self,
                            gint64        initial_us,
                            gint64        max_us)
{
  g_return_if_fail (HW_IS_SERVER_GATE (self));
  hw_gate_machine_set_backoff (&self->machine, initial_us, max_us);
}

HwServerGateState
hw_server_gate_get_state (HwServerGate *self)
{
  g_return_val_if_fail (HW_IS_SERVER_GATE (self), HW_SERVER_GATE_UNKNOWN);
  return (HwServerGateState) self->machine.state;
}

const char *
hw_server_gate_get_reason (HwServerGate *self)
{
  g_return_val_if_fail (HW_IS_SERVER_GATE (self), NULL);
  return self->machine.state == HW_GATE_CLOSED ? self->reason : NULL;
}

gboolean
hw_server_gate_is_probing (HwServerGate *self)
{
  g_return_val_if_fail (HW_IS_SERVER_GATE (self), FALSE);
  return self->machine.probing;
}

void
hw_server_gate_start (HwServerGate *self)
{
  HwGateState before;

  g_return_if_fail (HW_IS_SERVER_GATE (self));

  before = self->machine.state;
  execute (self, hw_gate_machine_start (&self->machine), before, NULL);
}

void
hw_server_gate_reset (HwServerGate *self,
                      const GError *error)
{
  HwGateState before;

  g_return_if_fail (HW_IS_SERVER_GATE (self));
  g_return_if_fail (error != NULL);

  before = self->machine.state;
  g_clear_pointer (&self->reason, g_free);
  execute (self, hw_gate_machine_reset (&self->machine), before, error);
}

void
hw_server_gate_suspect (HwServerGate *self,
                        const char   *reason)
{
  HwGateState before;
  HwGateDecision decision;

  g_return_if_fail (HW_IS_SERVER_GATE (self));

  before = self->machine.state;
  decision = hw_gate_machine_suspect (&self->machine);
  if (decision.actions == HW_GATE_ACTION_NONE)
    return;
  g_message ("%s: checking the server", reason);
  execute (self, decision, before, NULL);
}

void
hw_server_gate_close (HwServerGate *self,
                      const char   *reason)
{
  HwGateState before;

  g_return_if_fail (HW_IS_SERVER_GATE (self));

  before = self->machine.state;
  set_reason (self, reason);
  execute (self, hw_gate_machine_close (&self->machine, g_random_double_range (-1.0, 1.0),
                                        g_get_monotonic_time ()),
           before, NULL);
}

void
hw_server_gate_close_and_probe (HwServerGate *self,
                                const char   *reason)
{
  HwGateState before;

  g_return_if_fail (HW_IS_SERVER_GATE (self));

  before = self->machine.state;
  set_reason (self, reason);
  execute (self, hw_gate_machine_close_and_probe (&self->machine), before, NULL);
}

void
hw_server_gate_recheck (HwServerGate *self)
{
  HwGateState before;

  g_return_if_fail (HW_IS_SERVER_GATE (self));

  before = self->machine.state;
  execute (self, hw_gate_machine_recheck (&self->machine), before, NULL);
}

void
hw_server_gate_retry_after (HwServerGate *self,
                            gint64        wait_us)
{
  g_return_if_fail (HW_IS_SERVER_GATE (self));
  hw_gate_machine_retry_after (&self->machine, wait_us, g_get_monotonic_time ());
}

void
hw_server_gate_probe_done (HwServerGate *self,
                           GCancellable *probe,
                           gboolean      answered,
                           const char   *reason)
{
  HwGateState before;
  HwGateDecision decision;

  g_return_if_fail (HW_IS_SERVER_GATE (self));
  g_return_if_fail (G_IS_CANCELLABLE (probe));

  if (probe != self->probe || g_cancellable_is_cancelled (probe))
    return;   /* a reset or a fresh probe took over */

  g_clear_object (&self->probe);
  before = self->machine.state;
  if (answered)
    decision = hw_gate_machine_probe_answered (&self->machine);
  else
    {
      set_reason (self, reason);
      decision = hw_gate_machine_probe_failed (&self->machine, g_random_double_range (-1.0, 1.0),
                                               g_get_monotonic_time ());
    }
  execute (self, decision, before, NULL);
}

void
hw_server_gate_wait (HwServerGate         *self,
                     HwServerGateWaitFunc  func,
                     gpointer              data)
{
  Waiter waiter = { func, data };

  g_return_if_fail (HW_IS_SERVER_GATE (self));
  g_return_if_fail (func != NULL);

  g_array_append_val (self->waiters, waiter);
}

void
hw_server_gate_fail_waiters (HwServerGate *self,
                             const GError *error)
{
  g_return_if_fail (HW_IS_SERVER_GATE (self));
  g_return_if_fail (error != NULL);

  settle_waiters (self, error);
}

static void
hw_server_gate_dispose (GObject *object)
{
  HwServerGate *self = HW_SERVER_GATE (object);

  g_clear_handle_id (&self->timer, g_source_remove);
  if (self->probe != NULL)
    g_cancellable_cancel (self->probe);
  g_clear_object (&self->probe);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (hw_server_gate_parent_class)->dispose (object);
}

static void
hw_server_gate_finalize (GObject *object)
{
  HwServerGate *self = HW_SERVER_GATE (object);

  /* The owner fails its waiters before letting go: none may be left. */
  g_warn_if_fail (self->waiters->len == 0);
  g_array_unref (self->waiters);
  g_free (self->reason);

  G_OBJECT_CLASS (hw_server_gate_parent_class)->finalize (object);
}

static void
hw_server_gate_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  HwServerGate *self = HW_SERVER_GATE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, (HwServerGateState) self->machine.state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hw_server_gate_class_init (HwServerGateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hw_server_gate_dispose;
  object_class->finalize = hw_server_gate_finalize;
  object_class->get_property = hw_server_gate_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, HW_TYPE_SERVER_GATE_STATE, HW_SERVER_GATE_UNKNOWN,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * HwServerGate::probe:
   * @cancellable: cancelled when the gate drops this probe
   *
   * Asks for one probe of the server; its outcome goes to
   * hw_server_gate_probe_done () with @cancellable. Returns FALSE when no
   * probe can start (no usable address).
   */
  signals[SIGNAL_PROBE] =
    g_signal_new ("probe", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, G_TYPE_CANCELLABLE);
}

static void
hw_server_gate_init (HwServerGate *self)
{
  hw_gate_machine_init (&self->machine, 2 * HW_USEC_PER_SEC, 30 * HW_USEC_PER_SEC);
  self->waiters = g_array_new (FALSE, FALSE, sizeof (Waiter));
}
