/* hw-emby-request.c: one HTTP exchange with an Emby server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include <glib/gi18n.h>

#include "hw-emby-protocol.h"
#include "hw-emby-request.h"
#include "hw-emby-tls.h"
#include "hw-redact.h"
#include "hw-reliability.h"

typedef struct {
  SoupMessage   *message;
  char          *what;
  guint          timeout_s;
  GCancellable  *caller;      /* the caller's cancellable, or NULL */
  gulong         cancel_id;
  GCancellable  *attempt;     /* cancelled by the caller or the deadline */
  guint          deadline;
  gboolean       timed_out;
  gint64         started_us;
  HwEmbyOutcome  outcome;
  GInputStream  *body_stream;
  GByteArray    *body;
  gsize          cap;         /* the most of this body we read */
  gboolean       too_large;
  HwEmbyRequestGateFunc may_go;  /* asked again whenever libsoup is about to send */
  gpointer       gate_data;
  gboolean       held;        /* may_go said no: nothing went out */
} Exchange;

/* JSON replies a wall needs are a few hundred KiB at most (a page of 100
 * items); anything bigger is a misbehaving server or proxy and must not
 * take the kiosk's memory. Error bodies are never parsed: read a little,
 * so the connection can be kept, and drop it. */
#define BODY_CAP        (8 * 1024 * 1024)
#define ERROR_BODY_CAP  (64 * 1024)
#define READ_CHUNK      (64 * 1024)

void
hw_emby_outcome_clear (HwEmbyOutcome *outcome)
{
  g_clear_pointer (&outcome->unreachable, g_free);
  outcome->status = 0;
  outcome->retry_after_s = -1;
  outcome->timed_out = FALSE;
}

static void
exchange_free (Exchange *exchange)
{
  g_warn_if_fail (exchange->deadline == 0);
  g_warn_if_fail (exchange->cancel_id == 0);
  g_clear_object (&exchange->message);
  g_free (exchange->what);
  g_clear_object (&exchange->caller);
  g_clear_object (&exchange->attempt);
  g_clear_object (&exchange->body_stream);
  g_clear_pointer (&exchange->body, g_byte_array_unref);
  hw_emby_outcome_clear (&exchange->outcome);
  g_free (exchange);
}

static gboolean
on_deadline (gpointer user_data)
{
  Exchange *exchange = user_data;

  /* Idle and read timeouts never fire on a half-open connection: this does. */
  exchange->deadline = 0;
  exchange->timed_out = TRUE;
  g_cancellable_cancel (exchange->attempt);
  return G_SOURCE_REMOVE;
}

static void
on_caller_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

/* Too many digits for a gint64 is still "a very long time": the caller
 * caps it anyway (hw_retry_after_wait ()). */
#define RETRY_AFTER_LONG_S (G_GINT64_CONSTANT (86400) * 365)

gint64
hw_emby_parse_retry_after (const char *value,
                           GDateTime  *now)
{
  g_autofree char *trimmed = NULL;
  g_autoptr(GDateTime) when = NULL;
  const char *c;

  if (value == NULL)
    return -1;

  trimmed = g_strstrip (g_strdup (value));
  if (*trimmed == '\0')
    return -1;

  /* delta-seconds: 1*DIGIT, nothing else (no sign, no fraction). */
  for (c = trimmed; g_ascii_isdigit (*c); c++)
    ;
  if (*c == '\0')
    return c - trimmed > 12 ? RETRY_AFTER_LONG_S
                            : MIN (g_ascii_strtoll (trimmed, NULL, 10), RETRY_AFTER_LONG_S);

  /* IMF-fixdate, RFC 850 and asctime: libsoup reads all three. */
  when = soup_date_time_new_from_http_string (trimmed);
  if (when == NULL)
    return -1;

  return g_date_time_difference (when, now) / G_TIME_SPAN_SECOND;
}

static gint64
retry_after_s (SoupMessage *message)
{
  const char *value = soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                    "Retry-After");
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return hw_emby_parse_retry_after (value, now);
}

/* The server answered with a status that is not a success. */
static GError *
http_error (Exchange *exchange)
{
  guint status = exchange->outcome.status;
  const char *phrase;

  switch (hw_classify_response (status, NULL, TRUE))
    {
    case HW_ERROR_CLASS_REAUTH:
      return g_error_new (HW_EMBY_ERROR, HW_EMBY_ERROR_SIGN_IN_REQUIRED, "%s: HTTP %u",
                          exchange->what, status);
    case HW_ERROR_CLASS_TRANSIENT:
      exchange->outcome.retry_after_s = retry_after_s (exchange->message);
      phrase = soup_status_get_phrase (status);
      return g_error_new (HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT, "%s: HTTP %u (%s)",
                          exchange->what, status, phrase ? phrase : "");
    case HW_ERROR_CLASS_UNPLAYABLE:
      return g_error_new (HW_EMBY_ERROR, HW_EMBY_ERROR_NOT_FOUND, "%s: not found (HTTP %u)",
                          exchange->what, status);
    case HW_ERROR_CLASS_FATAL:
    case HW_ERROR_CLASS_OK:
    default:
      return g_error_new (HW_EMBY_ERROR, HW_EMBY_ERROR_FORBIDDEN, "%s: refused (HTTP %u)",
                          exchange->what, status);
    }
}

static void
stop_timers (Exchange *exchange)
{
  if (exchange->may_go != NULL)
    g_signal_handlers_disconnect_by_data (exchange->message, exchange);
  exchange->may_go = NULL;
  g_clear_handle_id (&exchange->deadline, g_source_remove);
  if (exchange->cancel_id != 0)
    g_cancellable_disconnect (exchange->caller, exchange->cancel_id);
  exchange->cancel_id = 0;
}

/* Sending or reading failed: the caller cancelled, the deadline passed,
 * or the transport broke. */
static void
return_failure (GTask  *task,
                GError *error)
{
  Exchange *exchange = g_task_get_task_data (task);
  g_autofree char *refusal = hw_emby_tls_dup_refusal (exchange->message);

  stop_timers (exchange);
  if (refusal != NULL)
    {
      /* Nothing answered that we may talk to: the gate's probe will meet
       * the same certificate and show this on the cards. */
      exchange->outcome.unreachable = g_strdup (refusal);
      g_message ("%s: %s", exchange->what, refusal);
      g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT, "%s: %s",
                               exchange->what, refusal);
      g_error_free (error);
      return;
    }
  if (exchange->held)
    {
      /* Not a failure of the server: nothing went out. */
      g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_OFFLINE,
                               "%s", _("Waiting for the server"));
      g_error_free (error);
      return;
    }
  if (!exchange->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, error);
      return;
    }

  exchange->outcome.timed_out = exchange->timed_out;
  exchange->outcome.unreachable =
    exchange->timed_out
      ? g_strdup_printf ("%s: no answer within %u s", exchange->what, exchange->timeout_s)
      : hw_redact (error->message);
  g_debug ("%s failed: %s", exchange->what, exchange->outcome.unreachable);
  g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT, "%s: %s",
                           exchange->what,
                           exchange->timed_out ? _("the server did not answer in time")
                                               : exchange->outcome.unreachable);
  g_error_free (error);
}

/* The whole body is in (or as much of it as we read). */
static void
return_answer (GTask *task)
{
  Exchange *exchange = g_task_get_task_data (task);
  GBytes *body;

  stop_timers (exchange);
  g_debug ("%s -> %u in %" G_GINT64_FORMAT " ms", exchange->what, exchange->outcome.status,
           (g_get_monotonic_time () - exchange->started_us) / 1000);

  if (hw_classify_response (exchange->outcome.status, NULL, TRUE) != HW_ERROR_CLASS_OK)
    {
      g_task_return_error (task, http_error (exchange));
      return;
    }
  if (exchange->too_large)
    {
      /* An answer, so the server is up: transient for this request. */
      g_task_return_new_error (task, HW_EMBY_ERROR, HW_EMBY_ERROR_TRANSIENT,
                               _("%s: the answer is larger than %u MiB"), exchange->what,
                               (guint) (BODY_CAP / (1024 * 1024)));
      return;
    }

  body = g_byte_array_free_to_bytes (g_steal_pointer (&exchange->body));
  g_task_return_pointer (task, body, (GDestroyNotify) g_bytes_unref);
}

static void read_more (GTask *task);

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Exchange *exchange = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                              &error);

  if (chunk == NULL)
    {
      return_failure (task, error);
      return;
    }
  if (g_bytes_get_size (chunk) == 0)
    {
      return_answer (task);
      return;
    }
  if (exchange->body->len + g_bytes_get_size (chunk) > exchange->cap)
    {
      /* Never more than the cap in memory: stop reading, the connection
       * is dropped with the stream. */
      exchange->too_large = TRUE;
      g_byte_array_set_size (exchange->body, 0);
      return_answer (task);
      return;
    }

  g_byte_array_append (exchange->body, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  read_more (g_steal_pointer (&task));
}

static void
read_more (GTask *task)
{
  Exchange *exchange = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (exchange->body_stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   exchange->attempt, on_read, task);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Exchange *exchange = g_task_get_task_data (task);
  GError *error = NULL;
  SoupMessageHeaders *headers;
  goffset length;

  exchange->body_stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (exchange->body_stream == NULL)
    {
      return_failure (task, error);
      g_object_unref (task);
      return;
    }

  exchange->outcome.status = soup_message_get_status (exchange->message);
  exchange->cap = hw_classify_response (exchange->outcome.status, NULL, TRUE) == HW_ERROR_CLASS_OK
                    ? BODY_CAP : ERROR_BODY_CAP;
  exchange->body = g_byte_array_new ();

  /* Announced too big: no need to read any of it. */
  headers = soup_message_get_response_headers (exchange->message);
  length = soup_message_headers_get_content_length (headers);
  if (length > (goffset) exchange->cap)
    {
      if (exchange->cap == BODY_CAP)
        exchange->too_large = TRUE;
      return_answer (task);
      g_object_unref (task);
      return;
    }

  /* The read keeps the deadline: a body that stalls halfway still ends. */
  read_more (task);
}

/* The moments libsoup puts a message on the wire later than it was
 * handed over: it waited for a free connection ("starting"), it opens a
 * connection ("network-event"), or it sends an idempotent request again
 * after a kept-alive connection died under it ("restarted"). Whoever
 * closed the gate meanwhile must be heard: cancelling here stops the
 * connect and the write before they touch the network. */
static void
recheck_gate (Exchange *exchange)
{
  if (exchange->held || exchange->may_go == NULL || g_cancellable_is_cancelled (exchange->attempt))
    return;
  if (exchange->may_go (exchange->gate_data))
    return;

  g_debug ("%s: held back, the server gate closed before it went out", exchange->what);
  exchange->held = TRUE;
  g_cancellable_cancel (exchange->attempt);
}

static void
on_message_network_event (SoupMessage        *message,
                          GSocketClientEvent  event,
                          GIOStream          *connection,
                          gpointer            user_data)
{
  if (event == G_SOCKET_CLIENT_RESOLVING)
    recheck_gate (user_data);
}

void
hw_emby_request_send_async (SoupSession         *session,
                            SoupMessage         *message,
                            const char          *what,
                            guint                timeout_s,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  hw_emby_request_send_gated_async (session, message, what, timeout_s, NULL, NULL, cancellable,
                                    callback, user_data);
}

void
hw_emby_request_send_gated_async (SoupSession           *session,
                                  SoupMessage           *message,
                                  const char            *what,
                                  guint                  timeout_s,
                                  HwEmbyRequestGateFunc  may_go,
                                  gpointer               gate_data,
                                  GCancellable          *cancellable,
                                  GAsyncReadyCallback    callback,
                                  gpointer               user_data)
{
  GTask *task;
  Exchange *exchange;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (SOUP_IS_MESSAGE (message));
  g_return_if_fail (what != NULL);

  /* Without a cancellable of its own: cancellation is the exchange's to
   * report, and a timeout must not look like the caller's cancel. */
  task = g_task_new (session, NULL, callback, user_data);
  g_task_set_source_tag (task, hw_emby_request_send_async);

  exchange = g_new0 (Exchange, 1);
  exchange->message = g_object_ref (message);
  exchange->what = g_strdup (what);
  exchange->timeout_s = MAX (1, timeout_s);
  exchange->attempt = g_cancellable_new ();
  exchange->started_us = g_get_monotonic_time ();
  exchange->outcome.retry_after_s = -1;
  exchange->may_go = may_go;
  exchange->gate_data = gate_data;
  g_task_set_task_data (task, exchange, (GDestroyNotify) exchange_free);

  if (may_go != NULL)
    {
      /* Disconnected in stop_timers (): the exchange may end before the
       * message does. */
      g_signal_connect_swapped (message, "starting", G_CALLBACK (recheck_gate), exchange);
      g_signal_connect_swapped (message, "restarted", G_CALLBACK (recheck_gate), exchange);
      g_signal_connect (message, "network-event", G_CALLBACK (on_message_network_event),
                        exchange);
    }

  if (cancellable != NULL)
    {
      exchange->caller = g_object_ref (cancellable);
      exchange->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled),
                                                   g_object_ref (exchange->attempt),
                                                   g_object_unref);
    }

  /* Not g_timeout_add_seconds (): it rounds to whole seconds and may fire
   * up to a quarter second early (the unit test of the deadline caught it). */
  exchange->deadline = g_timeout_add (exchange->timeout_s * 1000, on_deadline, exchange);
  soup_session_send_async (session, message, G_PRIORITY_DEFAULT, exchange->attempt,
                           on_sent, task);
}

GBytes *
hw_emby_request_send_finish (GAsyncResult   *result,
                             HwEmbyOutcome  *outcome,
                             GError        **error)
{
  Exchange *exchange;

  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == hw_emby_request_send_async,
                        NULL);
  g_return_val_if_fail (outcome != NULL, NULL);

  exchange = g_task_get_task_data (G_TASK (result));
  hw_emby_outcome_clear (outcome);
  outcome->status = exchange->outcome.status;
  outcome->retry_after_s = exchange->outcome.retry_after_s;
  outcome->timed_out = exchange->outcome.timed_out;
  outcome->unreachable = g_steal_pointer (&exchange->outcome.unreachable);

  return g_task_propagate_pointer (G_TASK (result), error);
}
