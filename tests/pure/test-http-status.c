/* test-http-status.c: error classification and Retry-After.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-http-status.h"

typedef struct {
  guint        status;
  const char  *error_code;
  gboolean     body_ok;
  HwErrorClass klass;
} ClassifyCase;

static const ClassifyCase classify_cases[] = {
  { 200, NULL,                 TRUE,  HW_ERROR_CLASS_OK },
  { 204, NULL,                 TRUE,  HW_ERROR_CLASS_OK },
  { 206, NULL,                 TRUE,  HW_ERROR_CLASS_OK },
  { 200, NULL,                 FALSE, HW_ERROR_CLASS_TRANSIENT },
  { 200, "",                   TRUE,  HW_ERROR_CLASS_OK },
  { 200, "RateLimitExceeded",  TRUE,  HW_ERROR_CLASS_TRANSIENT },
  { 200, "NotAllowed",         TRUE,  HW_ERROR_CLASS_UNPLAYABLE },
  { 200, "NoCompatibleStream", TRUE,  HW_ERROR_CLASS_UNPLAYABLE },
  { 200, "SomethingNew",       TRUE,  HW_ERROR_CLASS_UNPLAYABLE },
  {   0, NULL,                 TRUE,  HW_ERROR_CLASS_TRANSIENT },
  { 408, NULL,                 TRUE,  HW_ERROR_CLASS_TRANSIENT },
  { 429, NULL,                 TRUE,  HW_ERROR_CLASS_TRANSIENT },
  { 500, NULL,                 TRUE,  HW_ERROR_CLASS_TRANSIENT },
  { 502, NULL,                 TRUE,  HW_ERROR_CLASS_TRANSIENT },
  { 503, NULL,                 TRUE,  HW_ERROR_CLASS_TRANSIENT },
  { 599, NULL,                 TRUE,  HW_ERROR_CLASS_TRANSIENT },
  { 401, NULL,                 TRUE,  HW_ERROR_CLASS_REAUTH },
  { 403, NULL,                 TRUE,  HW_ERROR_CLASS_FATAL },
  { 404, NULL,                 TRUE,  HW_ERROR_CLASS_UNPLAYABLE },
  { 400, NULL,                 TRUE,  HW_ERROR_CLASS_FATAL },
  { 410, NULL,                 TRUE,  HW_ERROR_CLASS_FATAL },
  { 499, NULL,                 TRUE,  HW_ERROR_CLASS_FATAL },
  { 500, "RateLimitExceeded",  TRUE,  HW_ERROR_CLASS_TRANSIENT },
  { 404, "NotAllowed",         TRUE,  HW_ERROR_CLASS_UNPLAYABLE },
};

static void
test_classify (gconstpointer data)
{
  const ClassifyCase *c = data;

  g_assert_cmpstr (hw_error_class_to_string (hw_classify_response (c->status, c->error_code,
                                                                   c->body_ok)),
                   ==, hw_error_class_to_string (c->klass));
}

/* ------------------------------------------------------------------ */
/* Retry-After                                                         */

typedef struct {
  gint64 seconds;
  gint64 max_s;
  gint64 wait;
} RetryAfterCase;

static const RetryAfterCase retry_after_cases[] = {
  { -1, 30, 0 },          /* none */
  { -90, 30, 0 },         /* a date already past */
  { 0, 30, 0 },
  { 5, 30, 5 },
  { 30, 30, 30 },
  { 3600, 30, 30 },       /* capped at backoff-max */
  { G_MAXINT64, 30, 30 },
  { 10, 0, 0 },
  { 10, -4, 0 },
};

static void
test_retry_after (gconstpointer data)
{
  const RetryAfterCase *c = data;

  g_assert_cmpint (hw_retry_after_wait (c->seconds, c->max_s), ==, c->wait);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (classify_cases); i++)
    {
      const ClassifyCase *c = &classify_cases[i];
      g_autofree char *path = g_strdup_printf ("/hyperwall/pure/http-status/classify/%u-%s%s",
                                               c->status,
                                               c->error_code ? c->error_code : "none",
                                               c->body_ok ? "" : "-malformed");
      g_test_add_data_func (path, c, test_classify);
    }

  for (guint i = 0; i < G_N_ELEMENTS (retry_after_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hyperwall/pure/http-status/retry-after/%u", i);
      g_test_add_data_func (path, &retry_after_cases[i], test_retry_after);
    }

  return g_test_run ();
}
