/* test-log-limit.c: one source of log lines, limited per window, with
 * the lines held back counted for a summary.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hw-log-limit.h"

#define S (G_USEC_PER_SEC)

static void
test_burst_then_held_back (void)
{
  HwLogLimit limit = HW_LOG_LIMIT_INIT (60 * S, 3);
  guint held_back = 99;
  guint passed = 0;

  for (int i = 0; i < 315; i++)
    passed += hw_log_limit_check (&limit, 1000 * S + i * 10000, NULL);
  g_assert_cmpuint (passed, ==, 3);
  g_assert_cmpint (hw_log_limit_summary_due (&limit), ==, 1060 * S);

  /* The next line after the window opens a new one and carries the count. */
  g_assert_true (hw_log_limit_check (&limit, 1060 * S, &held_back));
  g_assert_cmpuint (held_back, ==, 312);
  g_assert_true (hw_log_limit_check (&limit, 1061 * S, &held_back));
  g_assert_cmpuint (held_back, ==, 0);
  g_assert_cmpint (hw_log_limit_summary_due (&limit), ==, 0);
}

static void
test_flush_at_window_end (void)
{
  HwLogLimit limit = HW_LOG_LIMIT_INIT (60 * S, 1);
  guint held_back = 99;

  g_assert_true (hw_log_limit_check (&limit, 5 * S, NULL));
  g_assert_false (hw_log_limit_check (&limit, 6 * S, NULL));
  g_assert_false (hw_log_limit_check (&limit, 7 * S, NULL));

  /* Too early: nothing is said and nothing forgotten. */
  g_assert_cmpuint (hw_log_limit_flush (&limit, 64 * S), ==, 0);
  g_assert_cmpint (hw_log_limit_summary_due (&limit), ==, 65 * S);
  g_assert_cmpuint (hw_log_limit_flush (&limit, 65 * S), ==, 2);
  /* Said once: the next line is not a summary again. */
  g_assert_cmpuint (hw_log_limit_flush (&limit, 66 * S), ==, 0);
  g_assert_true (hw_log_limit_check (&limit, 70 * S, &held_back));
  g_assert_cmpuint (held_back, ==, 0);
}

static void
test_quiet_source_always_speaks (void)
{
  HwLogLimit limit = HW_LOG_LIMIT_INIT (60 * S, 2);

  /* A line every 40 s never reaches the burst of two a minute. */
  for (int i = 0; i < 20; i++)
    {
      guint held_back = 99;

      g_assert_true (hw_log_limit_check (&limit, (1 + i * 40) * S, &held_back));
      g_assert_cmpuint (held_back, ==, 0);
    }
}

static void
test_clock_at_zero_and_backwards (void)
{
  HwLogLimit limit = HW_LOG_LIMIT_INIT (60 * S, 1);
  guint held_back = 0;

  /* A clock that starts at 0 still opens a window... */
  g_assert_true (hw_log_limit_check (&limit, 0, NULL));
  g_assert_false (hw_log_limit_check (&limit, 10, NULL));
  /* ...and one that goes back closes it rather than keeping it shut. */
  g_assert_false (hw_log_limit_check (&limit, 30 * S, NULL));
  g_assert_true (hw_log_limit_check (&limit, 20 * S - 1000 * S, &held_back));
  g_assert_cmpuint (held_back, ==, 2);
}

static void
test_sources_independent (void)
{
  HwLogLimit a = HW_LOG_LIMIT_INIT (60 * S, 1);
  HwLogLimit b = HW_LOG_LIMIT_INIT (60 * S, 1);

  g_assert_true (hw_log_limit_check (&a, S, NULL));
  g_assert_false (hw_log_limit_check (&a, 2 * S, NULL));
  g_assert_true (hw_log_limit_check (&b, 2 * S, NULL));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/log-limit/burst-then-held-back", test_burst_then_held_back);
  g_test_add_func ("/log-limit/flush-at-window-end", test_flush_at_window_end);
  g_test_add_func ("/log-limit/quiet-source-always-speaks", test_quiet_source_always_speaks);
  g_test_add_func ("/log-limit/clock-at-zero-and-backwards", test_clock_at_zero_and_backwards);
  g_test_add_func ("/log-limit/sources-independent", test_sources_independent);

  return g_test_run ();
}
