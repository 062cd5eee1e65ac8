/* hw-gate-machine.c: the server gate's decisions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-backoff.h"
#include "hw-gate-machine.h"

static const HwGateDecision nothing = { HW_GATE_ACTION_NONE, 0 };

void
hw_gate_machine_init (HwGateMachine *machine,
                      gint64         initial_us,
                      gint64         max_us)
{
  *machine = (HwGateMachine) { 0, };
  machine->state = HW_GATE_UNKNOWN;
  hw_gate_machine_set_backoff (machine, initial_us, max_us);
}

void
hw_gate_machine_set_backoff (HwGateMachine *machine,
                             gint64         initial_us,
                             gint64         max_us)
{
  machine->initial_us = MAX (1, initial_us);
  machine->max_us = MAX (machine->initial_us, max_us);
}

/* One probe at a time: a probe already under way decides for this one. */
static HwGateDecision
probe_now (HwGateMachine *machine)
{
  HwGateDecision decision = { HW_GATE_ACTION_PROBE | HW_GATE_ACTION_CANCEL_TIMER, 0 };

  if (machine->probing)
    return nothing;
  machine->probing = TRUE;
  machine->timer_armed = FALSE;
  return decision;
}

static HwGateDecision
schedule (HwGateMachine *machine,
          double         jitter,
          gint64         now_us)
{
  HwGateDecision decision = { HW_GATE_ACTION_SCHEDULE, 0 };

  decision.delay_us = hw_backoff_delay (machine->attempt++, machine->initial_us,
                                        machine->max_us, jitter);
  decision.delay_us = MAX (decision.delay_us, machine->held_until_us - now_us);
  machine->timer_armed = TRUE;
  return decision;
}

HwGateDecision
hw_gate_machine_start (HwGateMachine *machine)
{
  machine->started = TRUE;
  return probe_now (machine);
}

HwGateDecision
hw_gate_machine_reset (HwGateMachine *machine)
{
  HwGateDecision decision = { HW_GATE_ACTION_CANCEL_PROBE | HW_GATE_ACTION_CANCEL_TIMER |
                              HW_GATE_ACTION_FAIL_WAITERS, 0 };

  machine->state = HW_GATE_UNKNOWN;
  machine->probing = FALSE;
  machine->timer_armed = FALSE;
  machine->attempt = 0;
  machine->held_until_us = 0;
  return decision;
}

HwGateDecision
hw_gate_machine_suspect (HwGateMachine *machine)
{
  /* Closed: the gate probes already. */
  if (machine->state == HW_GATE_CLOSED)
    return nothing;
  if (machine->probing || machine->timer_armed)
    return nothing;
  return probe_now (machine);
}

HwGateDecision
hw_gate_machine_close (HwGateMachine *machine,
                       double         jitter,
                       gint64         now_us)
{
  machine->state = HW_GATE_CLOSED;
  machine->attempt = 0;
  if (machine->probing || machine->timer_armed)
    return nothing;
  return schedule (machine, jitter, now_us);
}

HwGateDecision
hw_gate_machine_close_and_probe (HwGateMachine *machine)
{
  machine->state = HW_GATE_CLOSED;
  machine->attempt = 0;
  return probe_now (machine);
}

HwGateDecision
hw_gate_machine_recheck (HwGateMachine *machine)
{
  machine->state = HW_GATE_UNKNOWN;
  machine->attempt = 0;
  return probe_now (machine);
}

HwGateDecision
hw_gate_machine_network_back (HwGateMachine *machine)
{
  HwGateDecision decision = { HW_GATE_ACTION_CANCEL_PROBE, 0 };

  if (machine->state != HW_GATE_CLOSED || !machine->started)
    return nothing;

  /* A probe sent while the network was down may hang until its deadline:
   * a fresh one answers sooner. */
  machine->attempt = 0;
  machine->probing = FALSE;
  decision.actions |= probe_now (machine).actions;
  return decision;
}

HwGateDecision
hw_gate_machine_timer (HwGateMachine *machine)
{
  machine->timer_armed = FALSE;
  return probe_now (machine);
}

void
hw_gate_machine_retry_after (HwGateMachine *machine,
                             gint64         wait_us,
                             gint64         now_us)
{
  if (wait_us > 0)
    machine->held_until_us = MAX (machine->held_until_us, now_us + wait_us);
}

void
hw_gate_machine_probe_refused (HwGateMachine *machine)
{
  machine->probing = FALSE;
}

HwGateDecision
hw_gate_machine_probe_answered (HwGateMachine *machine)
{
  HwGateDecision decision = { HW_GATE_ACTION_RESUME_WAITERS, 0 };

  machine->probing = FALSE;
  machine->attempt = 0;
  machine->state = HW_GATE_OPEN;
  return decision;
}

HwGateDecision
hw_gate_machine_probe_failed (HwGateMachine *machine,
                              double         jitter,
                              gint64         now_us)
{
  HwGateDecision decision;

  machine->probing = FALSE;
  machine->state = HW_GATE_CLOSED;
  decision = schedule (machine, jitter, now_us);
  decision.actions |= HW_GATE_ACTION_FAIL_WAITERS | HW_GATE_ACTION_CANCEL_TIMER;
  return decision;
}
