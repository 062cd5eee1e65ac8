/* test-backoff.c: retry delays and the escalation chain.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <math.h>

#include "hw-backoff.h"
#include "hw-units.h"

#define SEC(s) ((gint64) ((s) * HW_USEC_PER_SEC))

static void
assert_jitter_in_bounds (gint64 base_us,
                         double unit)
{
  gint64 d = hw_backoff_jitter (base_us, unit);

  g_assert_cmpint (d, >=, base_us * 3 / 4);
  g_assert_cmpint (d, <=, base_us * 5 / 4);
}

static void
test_backoff_jitter_bounds (void)
{
  gint64 base = SEC (8);

  g_assert_cmpint (hw_backoff_jitter (base, -1.0), ==, SEC (6));
  g_assert_cmpint (hw_backoff_jitter (base, 0.0), ==, base);
  g_assert_cmpint (hw_backoff_jitter (base, 1.0), ==, SEC (10));
  g_assert_cmpint (hw_backoff_jitter (base, 0.5), ==, SEC (9));

  for (int i = -100; i <= 100; i++)
    assert_jitter_in_bounds (base, i / 100.0);

  for (int i = 0; i < 1000; i++)
    assert_jitter_in_bounds (base, g_test_rand_double_range (-1.0, 1.0));

  /* Out of range and NaN units are clamped, never trusted. */
  g_assert_cmpint (hw_backoff_jitter (base, 7.0), ==, SEC (10));
  g_assert_cmpint (hw_backoff_jitter (base, -7.0), ==, SEC (6));
  g_assert_cmpint (hw_backoff_jitter (base, NAN), ==, base);
}

static void
test_backoff_exponential (void)
{
  static const int expected_s[] = { 2, 4, 8, 16, 30, 30, 30 };

  for (guint i = 0; i < G_N_ELEMENTS (expected_s); i++)
    g_assert_cmpint (hw_backoff_delay (i, SEC (2), SEC (30), 0.0), ==, SEC (expected_s[i]));

  g_assert_cmpint (hw_backoff_delay (1000, SEC (2), SEC (30), 0.0), ==, SEC (30));
  g_assert_cmpint (hw_backoff_delay (G_MAXUINT, SEC (2), G_MAXINT64, 0.0), ==, G_MAXINT64);
  g_assert_cmpint (hw_backoff_delay (G_MAXUINT, 0, SEC (30), 0.0), ==, 0);

  /* The cap is applied before the jitter. */
  g_assert_cmpint (hw_backoff_delay (10, SEC (2), SEC (30), 1.0), ==, SEC (37.5));
}

typedef struct {
  guint        failures;
  gboolean     has_fallback;
  gboolean     skip;
  HwStreamKind stream;
  int          delay_s;
} EscalationCase;

static const EscalationCase escalation_cases[] = {
  { 1, TRUE,  FALSE, HW_STREAM_DIRECT,   2 },
  { 2, TRUE,  FALSE, HW_STREAM_FALLBACK, 4 },
  { 3, TRUE,  FALSE, HW_STREAM_FALLBACK, 8 },
  { 4, TRUE,  TRUE,  HW_STREAM_DIRECT,   0 },
  { 5, TRUE,  TRUE,  HW_STREAM_DIRECT,   0 },
  { 1, FALSE, FALSE, HW_STREAM_DIRECT,   2 },
  { 2, FALSE, FALSE, HW_STREAM_DIRECT,   4 },
  { 3, FALSE, FALSE, HW_STREAM_DIRECT,   8 },
  { 4, FALSE, TRUE,  HW_STREAM_DIRECT,   0 },
};

static void
test_escalation_step (gconstpointer data)
{
  const EscalationCase *c = data;
  HwEscalationStep step;

  step = hw_escalation_step (c->failures, c->has_fallback, SEC (2), SEC (30), 0.0);

  g_assert_cmpint (step.skip, ==, c->skip);
  if (c->skip)
    return;
  g_assert_cmpint (step.stream, ==, c->stream);
  g_assert_cmpint (step.delay_us, ==, SEC (c->delay_s));
}

static void
test_escalation_cap_and_jitter (void)
{
  HwEscalationStep step;

  step = hw_escalation_step (3, TRUE, SEC (10), SEC (15), 0.0);
  g_assert_cmpint (step.delay_us, ==, SEC (15));

  step = hw_escalation_step (2, TRUE, SEC (2), SEC (30), -1.0);
  g_assert_cmpint (step.delay_us, ==, SEC (3));
  step = hw_escalation_step (2, TRUE, SEC (2), SEC (30), 1.0);
  g_assert_cmpint (step.delay_us, ==, SEC (5));
}
int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hyperwall/pure/backoff/jitter-bounds", test_backoff_jitter_bounds);
  g_test_add_func ("/hyperwall/pure/backoff/exponential", test_backoff_exponential);
  g_test_add_func ("/hyperwall/pure/backoff/escalation/cap-and-jitter",
                   test_escalation_cap_and_jitter);

  for (guint i = 0; i < G_N_ELEMENTS (escalation_cases); i++)
    {
      const EscalationCase *c = &escalation_cases[i];
      g_autofree char *path = g_strdup_printf ("/hyperwall/pure/backoff/escalation/%s/%u",
                                               c->has_fallback ? "fallback" : "direct-only",
                                               c->failures);
      g_test_add_data_func (path, c, test_escalation_step);
    }

  return g_test_run ();
}
