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

/* Sun, 06 Nov 1994 08:49:37 GMT */
#define RFC_NOW 784111777

typedef struct {
  const char *value;
  gint64      seconds;
} RetryAfterCase;

static const RetryAfterCase retry_after_cases[] = {
  { NULL, -1 },
  { "", -1 },
  { "   ", -1 },
  { "120", 120 },
  { "0", 0 },
  { " 30 ", 30 },
  { "3600", 3600 },
  { "3601", 3600 },
  { "99999999999999999999999", 3600 },
  { "-5", -1 },
  { "+5", -1 },
  { "1.5", -1 },
  { "12abc", -1 },
  { "soon", -1 },
  { "Sun, 06 Nov 1994 08:51:07 GMT", 90 },
  { "Sun, 06 Nov 1994 08:49:37 GMT", 0 },
  { "Sun, 06 Nov 1994 08:00:00 GMT", 0 },
  { "Mon, 07 Nov 1994 08:49:37 GMT", 3600 },
  { "Sunday, 06-Nov-94 08:51:07 GMT", 90 },
  { "Sun Nov  6 08:51:07 1994", 90 },
  { "sun, 06 nov 1994 08:51:07 gmt", 90 },
  { "Sun, 31 Feb 1994 08:51:07 GMT", -1 },
  { "Sun, 06 Nov 1994 25:51:07 GMT", -1 },
  { "Sun, 06 Nov 1994 08:51:07 PST", -1 },
  { "Sun, 06 Foo 1994 08:51:07 GMT", -1 },
  { "Sun, 06 Nov 1994 08:51:07 GMT trailing", -1 },
};

static void
test_retry_after (gconstpointer data)
{
  const RetryAfterCase *c = data;

  g_assert_cmpint (hw_parse_retry_after (c->value, RFC_NOW), ==, c->seconds);
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
