/* cell-fixture.h: the supervisor tests' fixture: a supervisor over the
 * fakes of cell-fakes.h, a clock that only moves when a test moves it, and
 * the functions every test uses.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cell-fakes.h"
#include "hw-cell-supervisor.h"

G_BEGIN_DECLS

#define MS (G_GINT64_CONSTANT (1000))
#define S  HW_USEC_PER_SEC

typedef struct {
  gint64            now;        /* the supervisor's clock: moves when a test moves it */
  double            jitter;
  TestFeed         *feed;
  TestView         *view;
  HwCellSupervisor *supervisor;
  HwCellSupervisorSettings settings;
  guint             failures;   /* "failure" signals */
} Fixture;

#define STATE(fx) hw_cell_supervisor_get_state ((fx)->supervisor)
#define PLAYER(fx) ((fx)->view->player)
#define LOADS(fx) (PLAYER (fx) ? PLAYER (fx)->loads->len : 0)
#define LAST_LOAD(fx) \
  ((const char *) g_ptr_array_index (PLAYER (fx)->loads, PLAYER (fx)->loads->len - 1))

/* Runs the main context until @cond holds; fails after two seconds. */
#define WAIT_FOR(cond)                                                  \
  G_STMT_START {                                                        \
    gint64 _deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;    \
    while (!(cond) && g_get_monotonic_time () < _deadline)              \
      g_main_context_iteration (NULL, TRUE);                            \
    if (!(cond))                                                        \
      g_error ("timed out waiting for %s", #cond);                      \
  } G_STMT_END

/* The supervisor's clock: fx->now. */
gint64 fixture_now (gpointer user_data);
void fixture_set_up (Fixture *fx, gconstpointer data);
void fixture_tear_down (Fixture *fx, gconstpointer data);
void assert_state (Fixture *fx, HwCellState state);
void advance (Fixture *fx, gint64 us);
void wait_for_load (Fixture *fx, guint n);
void first_frame (Fixture *fx);
void play (Fixture *fx);
void end_with_error (Fixture *fx);
void end_before_first_frame (Fixture *fx);

G_END_DECLS
