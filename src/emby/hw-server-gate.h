/* hw-server-gate.h: whether the Emby server may be asked (rule 5 in
 * docs/reliability.md).
 *
 * A request that gets no answer is a suspicion: one probe decides, and
 * only its failure closes the gate. While closed, calls fail at once and
 * one probe at a time runs with backoff (backoff-initial → backoff-max, a
 * Retry-After on the probe holds the next one longer); an answer opens the
 * gate. GNetworkMonitor saying the network is back probes at once.
 *
 * The gate speaks no HTTP: it asks for a probe with the "probe" signal
 * and is told the outcome with hw_server_gate_probe_done (). Its
 * decisions are hw-gate-machine.c's. Its one change channel is
 * notify::state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  HW_SERVER_GATE_UNKNOWN,   /* not probed since the start or a new identity */
  HW_SERVER_GATE_OPEN,      /* the last probe was answered */
  HW_SERVER_GATE_CLOSED,    /* the last probe failed, or the server said it is going away */
} HwServerGateState;

#define HW_TYPE_SERVER_GATE (hw_server_gate_get_type ())

G_DECLARE_FINAL_TYPE (HwServerGate, hw_server_gate, HW, SERVER_GATE, GObject)

/* Called once per waiter: @error NULL when the gate opened, else why the
 * call cannot go. */
typedef void (*HwServerGateWaitFunc) (const GError *error,
                                      gpointer      data);

/* @monitor: followed for "network-changed"; NULL for none. */
HwServerGate      *hw_server_gate_new            (GNetworkMonitor      *monitor);
void               hw_server_gate_set_backoff    (HwServerGate         *self,
                                                  gint64                initial_us,
                                                  gint64                max_us);

HwServerGateState  hw_server_gate_get_state      (HwServerGate         *self);
/* Why it is closed (for the log and the cards), or NULL. */
const char        *hw_server_gate_get_reason     (HwServerGate         *self);
/* TRUE while a probe is in flight. */
gboolean           hw_server_gate_is_probing     (HwServerGate         *self);

/* Probes from now on, starting now (unless a probe is in flight). */
void               hw_server_gate_start          (HwServerGate         *self);
/* A new identity: UNKNOWN, no backoff, the probe in flight dropped,
 * waiters failed with @error. hw_server_gate_start () probes again. */
void               hw_server_gate_reset          (HwServerGate         *self,
                                                  const GError         *error);
/* A request got no answer (@reason, for the log): one probe decides. */
void               hw_server_gate_suspect        (HwServerGate         *self,
                                                  const char           *reason);
/* The server said it is going away: closed now, no failure counted, a
 * probe after the first backoff (it still answers for a moment). */
void               hw_server_gate_close          (HwServerGate         *self,
                                                  const char           *reason);
/* Many requests failed together: closed now, and a probe now. */
void               hw_server_gate_close_and_probe (HwServerGate        *self,
                                                   const char          *reason);
/* Back to UNKNOWN and a probe now (calls wait for it). */
void               hw_server_gate_recheck        (HwServerGate         *self);

/* The answer to a probe carried a Retry-After: the next probe waits at
 * least @wait_us. Before hw_server_gate_probe_done (). */
void               hw_server_gate_retry_after    (HwServerGate         *self,
                                                  gint64                wait_us);
/* The outcome of the probe asked for with @probe (the "probe" signal's
 * cancellable): @answered, or failed because of @reason. A probe the gate
 * dropped meanwhile is ignored. */
void               hw_server_gate_probe_done     (HwServerGate         *self,
                                                  GCancellable         *probe,
                                                  gboolean              answered,
                                                  const char           *reason);

/* Holds a call until the verdict of the probe in flight. */
void               hw_server_gate_wait           (HwServerGate         *self,
                                                  HwServerGateWaitFunc  func,
                                                  gpointer              data);
/* Fails every waiter with @error (a sign-in required, the owner going). */
void               hw_server_gate_fail_waiters   (HwServerGate         *self,
                                                  const GError         *error);

G_END_DECLS
