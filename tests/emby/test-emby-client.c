/* test-emby-client.c: HwEmbyClient's requests against tests/fake-emby.py:
 * deadlines, the server gate (a suspicion, then the probe decides),
 * best-effort reports, Retry-After, body caps, classification and shared
 * requests. The fixture is fake-emby-fixture.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "fake-emby-fixture.h"

static void
test_deadline (Fixture       *f,
               gconstpointer  data)
{
  Outcome o = { 0 };
  gint64 started;

  start_online (f);
  control (f, "{\"fault\": \"slow-headers\", \"match\": \"Views$\", \"delay\": 30, \"count\": 1}");

  started = g_get_monotonic_time ();
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  g_assert_cmpint (hw_emby_error_get_class (o.error), ==, HW_ERROR_CLASS_TRANSIENT);
  /* request-timeout is 2 s. */
  g_assert_cmpint (o.finished_us - started, >=, 2 * G_USEC_PER_SEC - 100000);
  g_assert_cmpint (o.finished_us - started, <=, 3 * G_USEC_PER_SEC);
  outcome_clear (&o);

  /* No answer is a suspicion: one probe, which answers, so the gate stays
   * open. */
  g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_ONLINE);
  get_views (f, &o);
  g_assert_no_error (o.error);
  outcome_clear (&o);
}

/* Only the probe decides that the server is unreachable. */
static void
test_suspicion_probe_decides (Fixture       *f,
                              gconstpointer  data)
{
  Outcome o = { 0 };
  guint probes;

  start_online (f);
  probes = log_count (f, "GET", "Info/Public$");
  control (f, "{\"fault\": \"slow-headers\", \"match\": \"Views$\", \"delay\": 30, \"count\": 1}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  outcome_clear (&o);
  for (guint i = 0; i < 10; i++)
    {
      g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_ONLINE);
      spin_for (0.1);
    }
  g_assert_cmpuint (log_count (f, "GET", "Info/Public$"), ==, probes + 1);

  /* A probe that gets no answer either closes the gate. */
  control (f, "{\"fault\": \"slow-headers\", \"match\": \"(Views|Info/Public)$\", "
              "\"delay\": 30, \"count\": 2}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  outcome_clear (&o);
  g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_ONLINE);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_OFFLINE, 5));
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_ONLINE, 10));
}

/* Reports to a slow endpoint: no gate closed, no probe, never more than
 * the latest one per PlaySessionId in flight. A report refused at the
 * socket does raise a suspicion. */
static void
test_reports_best_effort (Fixture       *f,
                          gconstpointer  data)
{
  Outcome o = { 0 };
  guint probes;

  start_online (f);
  probes = log_count (f, "GET", "Info/Public$");
  control (f, "{\"fault\": \"slow\", \"match\": \"Sessions/Playing\", \"delay\": 4}");
  control (f, "{\"fault\": \"slow\", \"match\": \"ActiveEncodings\", \"delay\": 4}");

  hw_emby_client_send (f->client, "POST", "/Sessions/Playing", "{}", "report s1");
  hw_emby_client_send (f->client, "POST", "/Sessions/Playing/Progress", "{}", "report s1");
  hw_emby_client_send (f->client, "POST", "/Sessions/Playing/Progress", "{}", "report s1");
  hw_emby_client_send (f->client, "POST", "/Sessions/Playing/Progress", "{}", "report s2");
  hw_emby_client_send (f->client, "DELETE", "/Videos/ActiveEncodings?PlaySessionId=s0", NULL,
                       NULL);
  spin_for (0.3);
  /* s1's latest, s2's, and the DELETE. */
  g_assert_cmpuint (hw_emby_client_get_reports_in_flight (f->client), ==, 3);
  g_assert_true (hw_emby_client_is_busy (f->client));

  /* request-timeout is 2 s: every one of them times out. */
  for (guint i = 0; i < 30; i++)
    {
      g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_ONLINE);
      spin_for (0.1);
    }
  g_assert_cmpuint (hw_emby_client_get_reports_in_flight (f->client), ==, 0);
  g_assert_cmpuint (log_count (f, "GET", "Info/Public$"), ==, probes);
  get_views (f, &o);
  g_assert_no_error (o.error);
  outcome_clear (&o);

  /* A report refused at the socket is a sign like any other: one probe,
   * which is refused too, closes the gate. */
  control (f, "{\"fault\": \"refuse\", \"delay\": 3}");
  spin_for (0.3);
  hw_emby_client_send (f->client, "POST", "/Sessions/Playing/Progress", "{}", "report s1");
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_OFFLINE, 5));
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_ONLINE, 10));
}

static void
test_stalled_body (Fixture       *f,
                   gconstpointer  data)
{
  Outcome o = { 0 };
  gint64 started;

  start_online (f);
  control (f, "{\"fault\": \"stall-body\", \"match\": \"Views$\", \"after_bytes\": 5, "
              "\"delay\": 30, \"count\": 1}");
  started = g_get_monotonic_time ();
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  g_assert_cmpint (o.finished_us - started, <=, 3 * G_USEC_PER_SEC);
  outcome_clear (&o);
}

static void
test_status_500 (Fixture       *f,
                 gconstpointer  data)
{
  Outcome o = { 0 };

  start_online (f);
  control (f, "{\"fault\": \"status\", \"match\": \"Views$\", \"status\": 500, \"count\": 1}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  g_assert_cmpint (hw_emby_error_get_class (o.error), ==, HW_ERROR_CLASS_TRANSIENT);
  g_assert_nonnull (strstr (o.error->message, "500"));
  /* A 5xx on a request is not an unreachable server. */
  g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_ONLINE);

  get_views (f, &o);
  g_assert_no_error (o.error);
  outcome_clear (&o);
}

/* Retry-After holds back what sent it (that kind of request), for at most
 * backoff-max (2 s here), whether it comes as delta-seconds or a date. */
static void
test_retry_after (Fixture       *f,
                  gconstpointer  data)
{
  Outcome o = { 0 };
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) in_an_hour = g_date_time_add_hours (now, 1);
  g_autofree char *date = soup_date_time_to_string (in_an_hour, SOUP_DATE_HTTP);
  g_autofree char *fault = NULL;

  start_online (f);
  control (f, "{\"fault\": \"status\", \"match\": \"Views$\", \"status\": 503, "
              "\"retry_after\": 2, \"count\": 1}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);

  /* Inside the window no Views request goes out ... */
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  g_assert_cmpuint (log_count (f, "GET", "Views$"), ==, 1);
  /* ... but other requests do. */
  get_items (f, &o);
  g_assert_no_error (o.error);

  spin_for (2.2);
  get_views (f, &o);
  g_assert_no_error (o.error);
  g_assert_cmpuint (log_count (f, "GET", "Views$"), ==, 2);

  /* An hour, as delta-seconds: capped at backoff-max. */
  control (f, "{\"fault\": \"status\", \"match\": \"Items$\", \"status\": 503, "
              "\"retry_after\": 3600, \"count\": 1}");
  get_items (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  get_items (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  get_views (f, &o);
  g_assert_no_error (o.error);
  spin_for (2.2);
  get_items (f, &o);
  g_assert_no_error (o.error);

  /* An hour, as an HTTP date: the same. */
  fault = g_strdup_printf ("{\"fault\": \"status\", \"match\": \"Views$\", \"status\": 429, "
                           "\"retry_after\": \"%s\", \"count\": 1}", date);
  control (f, fault);
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  g_assert_cmpuint (log_count (f, "GET", "Views$"), ==, 4);
  spin_for (2.2);
  get_views (f, &o);
  g_assert_no_error (o.error);
  outcome_clear (&o);
  g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_ONLINE);
}

static void
test_not_found (Fixture       *f,
                gconstpointer  data)
{
  Outcome o = { 0 };

  start_online (f);
  control (f, "{\"fault\": \"status\", \"match\": \"Views$\", \"status\": 404, \"count\": 1}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_NOT_FOUND);
  g_assert_cmpint (hw_emby_error_get_class (o.error), ==, HW_ERROR_CLASS_UNPLAYABLE);
  outcome_clear (&o);

  control (f, "{\"fault\": \"status\", \"match\": \"Views$\", \"status\": 403, \"count\": 1}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_FORBIDDEN);
  g_assert_cmpint (hw_emby_error_get_class (o.error), ==, HW_ERROR_CLASS_FATAL);
  outcome_clear (&o);
}

static void
test_malformed (Fixture       *f,
                gconstpointer  data)
{
  Outcome o = { 0 };

  start_online (f);
  control (f, "{\"fault\": \"malformed-json\", \"match\": \"Views$\", \"count\": 1}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_MALFORMED);
  g_assert_cmpint (hw_emby_error_get_class (o.error), ==, HW_ERROR_CLASS_TRANSIENT);
  g_assert_nonnull (strstr (o.error->message, "Views"));

  control (f, "{\"fault\": \"html\", \"match\": \"Views$\", \"count\": 1}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_HTML);

  get_views (f, &o);
  g_assert_no_error (o.error);
  outcome_clear (&o);
}

/* A body over the cap is a transient error naming the endpoint, whether
 * it announces its length or not; a huge error body is just an error. */
static void
test_body_cap (Fixture       *f,
               gconstpointer  data)
{
  Outcome o = { 0 };

  start_online (f);
  control (f, "{\"fault\": \"big-body\", \"match\": \"Views$\", \"count\": 1}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (o.error->message, "GET /Users/{UserId}/Views"));
  g_assert_nonnull (strstr (o.error->message, "8 MiB"));

  control (f, "{\"fault\": \"big-body\", \"match\": \"Views$\", \"no_length\": true, "
              "\"count\": 1}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (o.error->message, "8 MiB"));

  control (f, "{\"fault\": \"big-body\", \"match\": \"Views$\", \"status\": 500, "
              "\"no_length\": true, \"count\": 1}");
  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (o.error->message, "500"));

  /* Just under the cap is fine. */
  control (f, "{\"fault\": \"big-body\", \"match\": \"Views$\", \"size\": 8000000, "
              "\"count\": 1}");
  get_views (f, &o);
  g_assert_no_error (o.error);
  g_assert_cmpuint (((GPtrArray *) o.result)->len, ==, 0);

  get_views (f, &o);
  g_assert_no_error (o.error);
  outcome_clear (&o);
  g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_ONLINE);
}

static void
test_coalesce (Fixture       *f,
               gconstpointer  data)
{
  Outcome o[3] = { 0 };

  start_online (f);
  for (guint i = 0; i < G_N_ELEMENTS (o); i++)
    hw_emby_client_get_items_async (f->client, "2000", 100, NULL, on_items, &o[i]);
  for (guint i = 0; i < G_N_ELEMENTS (o); i++)
    {
      g_assert_true (spin_until (&o[i].done, 10));
      g_assert_no_error (o[i].error);
      g_assert_cmpuint (((GPtrArray *) o[i].result)->len, ==, 3);
      outcome_clear (&o[i]);
    }
  g_assert_cmpuint (log_count (f, "GET", "Items$"), ==, 1);
}

static void
test_coalesce_cancel (Fixture       *f,
                      gconstpointer  data)
{
  Outcome a = { 0 }, b = { 0 }, c = { 0 };
  g_autoptr(GCancellable) cancel_a = g_cancellable_new ();
  g_autoptr(GCancellable) cancel_c = g_cancellable_new ();

  start_online (f);
  control (f, "{\"fault\": \"slow-headers\", \"match\": \"Items$\", \"delay\": 1, \"count\": 1}");

  /* One caller goes away: the others still get the reply. */
  hw_emby_client_get_items_async (f->client, "2000", 100, cancel_a, on_items, &a);
  hw_emby_client_get_items_async (f->client, "2000", 100, NULL, on_items, &b);
  g_cancellable_cancel (cancel_a);
  g_assert_true (spin_until (&a.done, 5));
  g_assert_error (a.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (b.done);
  g_assert_true (spin_until (&b.done, 10));
  g_assert_no_error (b.error);
  g_assert_cmpuint (log_count (f, "GET", "Items$"), ==, 1);

  /* The last caller goes away: the request is cancelled, a new one starts fresh. */
  control (f, "{\"fault\": \"slow-headers\", \"match\": \"Items$\", \"delay\": 1, \"count\": 1}");
  hw_emby_client_get_items_async (f->client, "2000", 100, cancel_c, on_items, &c);
  spin_for (0.2);
  g_cancellable_cancel (cancel_c);
  g_assert_true (spin_until (&c.done, 5));
  g_assert_error (c.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  outcome_clear (&b);
  hw_emby_client_get_items_async (f->client, "2000", 100, NULL, on_items, &b);
  g_assert_true (spin_until (&b.done, 10));
  g_assert_no_error (b.error);
  g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_ONLINE);

  outcome_clear (&a);
  outcome_clear (&b);
  outcome_clear (&c);
}

static void
test_gate (Fixture       *f,
           gconstpointer  data)
{
  Outcome o = { 0 };
  guint views_before;

  start_online (f);
  control (f, "{\"fault\": \"refuse\", \"delay\": 3}");
  spin_for (0.3);

  get_views (f, &o);
  g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT);
  /* The probe that follows is refused too: the gate closes. */
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_OFFLINE, 5));

  /* While the gate is closed nothing but the probe goes out. */
  views_before = log_count (f, "GET", "Views$");
  for (guint i = 0; i < 5; i++)
    {
      get_views (f, &o);
      g_assert_error (o.error, HW_EMBY_ERROR, HW_EMBY_ERROR_OFFLINE);
    }
  outcome_clear (&o);

  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_ONLINE, 10));
  g_assert_cmpuint (log_count (f, "GET", "Views$"), ==, views_before);
  get_views (f, &o);
  g_assert_no_error (o.error);
  outcome_clear (&o);
}

/* An address where something answers, but not Emby: the reason says to
 * check server-url, and the gate keeps probing until Emby answers. */
static void
test_not_emby (Fixture       *f,
               gconstpointer  data)
{
  const char *reason;

  control (f, "{\"fault\": \"status\", \"match\": \"Info/Public$\", \"status\": 404, "
              "\"count\": 1}");
  control (f, "{\"fault\": \"html\", \"match\": \"Info/Public$\", \"count\": 1}");
  fixture_make_client (f);
  hw_emby_client_start (f->client);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_OFFLINE, 5));
  reason = hw_emby_client_get_state_reason (f->client);
  g_assert_nonnull (reason);
  g_assert_nonnull (strstr (reason, "check server-url"));
  g_assert_nonnull (strstr (reason, "404"));

  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_ONLINE, 10));
  g_assert_cmpuint (log_count (f, "GET", "Info/Public$"), >=, 3);
}

static void
test_suspect_server (Fixture       *f,
                     gconstpointer  data)
{
  guint probes;

  start_online (f);
  probes = log_count (f, "GET", "Info/Public$");
  hw_emby_client_suspect_server (f->client);
  g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_OFFLINE);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_ONLINE, 5));
  g_assert_cmpuint (log_count (f, "GET", "Info/Public$"), ==, probes + 1);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  fixture_main_init (&argc, &argv);

#define ADD(path, func, data) \
  g_test_add ("/hyperwall/emby/" path, Fixture, data, fixture_setup, func, fixture_teardown)

  ADD ("client/deadline-slow-headers", test_deadline, NULL);
  ADD ("client/deadline-stalled-body", test_stalled_body, NULL);
  ADD ("client/no-answer-suspicion-probe-decides", test_suspicion_probe_decides, NULL);
  ADD ("client/reports-best-effort", test_reports_best_effort, NULL);
  ADD ("client/status-500-transient", test_status_500, NULL);
  ADD ("client/retry-after", test_retry_after, NULL);
  ADD ("client/404-403", test_not_found, NULL);
  ADD ("client/malformed-json-and-html", test_malformed, NULL);
  ADD ("client/body-cap", test_body_cap, NULL);
  ADD ("client/coalesce", test_coalesce, NULL);
  ADD ("client/coalesce-cancel", test_coalesce_cancel, NULL);
  ADD ("client/gate-refused", test_gate, NULL);
  ADD ("client/suspect-server", test_suspect_server, NULL);
  ADD ("client/not-emby", test_not_emby, NULL);

#undef ADD

  ret = g_test_run ();
  fixture_main_cleanup ();
  return ret;
}
