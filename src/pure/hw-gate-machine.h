/* hw-gate-machine.h: the server gate's decisions (rule 5 in
 * docs/reliability.md).
 *
 * A request that gets no answer is a suspicion, not a verdict: one probe
 * decides, and only its failure closes the gate. While closed, one probe
 * at a time runs with backoff (a Retry-After on the probe holds the next
 * one back longer); an answer opens the gate. The network coming back
 * probes at once, superseding a probe that may hang in the dead network.
 *
 * The machine decides and HwServerGate executes: it never starts a probe
 * or a timer itself, and it reads no clock, so every rule can be tested
 * with made-up times.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  HW_GATE_UNKNOWN,   /* not probed since the start or a new identity */
  HW_GATE_OPEN,      /* the last probe was answered */
  HW_GATE_CLOSED,    /* the last probe failed, or the server said it is going away */
} HwGateState;

typedef enum {
  HW_GATE_ACTION_NONE           = 0,
  HW_GATE_ACTION_CANCEL_PROBE   = 1 << 0,  /* first: drop the probe in flight, ignore its answer */
  HW_GATE_ACTION_CANCEL_TIMER   = 1 << 1,
  HW_GATE_ACTION_FAIL_WAITERS   = 1 << 2,  /* calls waiting for the verdict fail */
  HW_GATE_ACTION_RESUME_WAITERS = 1 << 3,  /* calls waiting for the verdict go on */
  HW_GATE_ACTION_PROBE          = 1 << 4,  /* start a probe now */
  HW_GATE_ACTION_SCHEDULE       = 1 << 5,  /* arm the timer: a probe in delay_us */
} HwGateActions;

typedef struct {
  HwGateActions actions;
  gint64        delay_us;  /* with HW_GATE_ACTION_SCHEDULE */
} HwGateDecision;

typedef struct {
  HwGateState state;
  gboolean    started;       /* probes only once started */
  gboolean    probing;       /* a probe is in flight */
  gboolean    timer_armed;   /* a probe is scheduled */
  guint       attempt;       /* failed probes since the last answer: the backoff step */
  gint64      held_until_us; /* a Retry-After on the probe, in the caller's clock */
  gint64      initial_us;    /* backoff-initial */
  gint64      max_us;        /* backoff-max */
} HwGateMachine;

void           hw_gate_machine_init            (HwGateMachine *machine,
                                                gint64         initial_us,
                                                gint64         max_us);
void           hw_gate_machine_set_backoff     (HwGateMachine *machine,
                                                gint64         initial_us,
                                                gint64         max_us);

/* Probes from now on, starting now. */
HwGateDecision hw_gate_machine_start           (HwGateMachine *machine);
/* A new identity: everything in flight belongs to the old one. UNKNOWN,
 * no backoff, no Retry-After; waiters fail. No probe: the owner starts
 * again once the new identity is in place. */
HwGateDecision hw_gate_machine_reset           (HwGateMachine *machine);
/* A request got no answer: one probe, unless one runs or is due, or the
 * gate is closed already. */
HwGateDecision hw_gate_machine_suspect         (HwGateMachine *machine);
/* The server said it is going away: closed with no failure counted, and a
 * probe after the first backoff (it still answers for a moment).
 * @jitter: in [-1, 1]. */
HwGateDecision hw_gate_machine_close           (HwGateMachine *machine,
                                                double         jitter,
                                                gint64         now_us);
/* Many cells failed together: closed, and a probe now. */
HwGateDecision hw_gate_machine_close_and_probe (HwGateMachine *machine);
/* Back to UNKNOWN and a probe now, from the first backoff step (a new
 * attempt to sign in). */
HwGateDecision hw_gate_machine_recheck         (HwGateMachine *machine);
/* The network came back (or changed and is available). */
HwGateDecision hw_gate_machine_network_back    (HwGateMachine *machine);
/* The timer of HW_GATE_ACTION_SCHEDULE fired. */
HwGateDecision hw_gate_machine_timer           (HwGateMachine *machine);
/* The probe's answer carried a Retry-After of @wait_us (already capped). */
void           hw_gate_machine_retry_after     (HwGateMachine *machine,
                                                gint64         wait_us,
                                                gint64         now_us);
/* The probe of HW_GATE_ACTION_PROBE could not even start (no address). */
void           hw_gate_machine_probe_refused   (HwGateMachine *machine);
HwGateDecision hw_gate_machine_probe_answered  (HwGateMachine *machine);
HwGateDecision hw_gate_machine_probe_failed    (HwGateMachine *machine,
                                                double         jitter,
                                                gint64         now_us);

G_END_DECLS
