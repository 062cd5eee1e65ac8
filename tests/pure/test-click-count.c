/* test-click-count.c: clicks counted from the events' timestamps.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hw-click-count.h"

static int cell_a, cell_b;

static void
test_single_and_double (void)
{
  HwClickCount state = { 0 };

  g_assert_cmpuint (hw_click_count_press (&state, &cell_a, 1000, 400), ==, 1);
  g_assert_cmpuint (hw_click_count_press (&state, &cell_a, 1080, 400), ==, 2);
  /* A third press in time is a triple click. */
  g_assert_cmpuint (hw_click_count_press (&state, &cell_a, 1300, 400), ==, 3);
  /* Too late after the last one: a new single click. */
  g_assert_cmpuint (hw_click_count_press (&state, &cell_a, 1701, 400), ==, 1);
}

static void
test_boundary (void)
{
  HwClickCount state = { 0 };

  hw_click_count_press (&state, &cell_a, 5000, 400);
  g_assert_cmpuint (hw_click_count_press (&state, &cell_a, 5400, 400), ==, 2);
  g_assert_cmpuint (hw_click_count_press (&state, &cell_a, 5801, 400), ==, 1);
}

static void
test_other_target (void)
{
  HwClickCount state = { 0 };

  hw_click_count_press (&state, &cell_a, 1000, 400);
  g_assert_cmpuint (hw_click_count_press (&state, &cell_b, 1050, 400), ==, 1);
  g_assert_cmpuint (hw_click_count_press (&state, &cell_b, 1100, 400), ==, 2);
}

static void
test_first_press_at_zero (void)
{
  HwClickCount state = { 0 };

  /* No press before: even at time 0 the first one is single. */
  g_assert_cmpuint (hw_click_count_press (&state, &cell_a, 0, 400), ==, 1);
  g_assert_cmpuint (hw_click_count_press (&state, &cell_a, 10, 400), ==, 2);
}

static void
test_wrap_around (void)
{
  HwClickCount state = { 0 };

  hw_click_count_press (&state, &cell_a, G_MAXUINT32 - 50, 400);
  g_assert_cmpuint (hw_click_count_press (&state, &cell_a, 30, 400), ==, 2);
}

static void
test_out_of_order (void)
{
  HwClickCount state = { 0 };

  /* A timestamp before the last one is not a quick second press. */
  hw_click_count_press (&state, &cell_a, 9000, 400);
  g_assert_cmpuint (hw_click_count_press (&state, &cell_a, 8900, 400), ==, 1);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/click-count/single-and-double", test_single_and_double);
  g_test_add_func ("/click-count/boundary", test_boundary);
  g_test_add_func ("/click-count/other-target", test_other_target);
  g_test_add_func ("/click-count/first-press-at-zero", test_first_press_at_zero);
  g_test_add_func ("/click-count/wrap-around", test_wrap_around);
  g_test_add_func ("/click-count/out-of-order", test_out_of_order);

  return g_test_run ();
}
