/* hw-emby-request.h: one HTTP exchange with an Emby server.
 *
 * Sends a message and reads its body within a hard deadline, enforced with
 * a GCancellable and a timeout source: libsoup's idle timeout never fires
 * on a half-open connection. Bodies are read with a cap (8 MiB for a 2xx,
 * 64 KiB of an error, which is never parsed): a bigger answer is a
 * transient error naming the request, never all of it in memory. The answer is classified with
 * hw_classify_response () into the body (2xx) or a HW_EMBY_ERROR, and what
 * the caller's policy needs besides (did anything answer? which status?
 * Retry-After?) comes back in an HwEmbyOutcome. Nothing here knows tokens,
 * the server gate or sign-in: those are the client's
 * (hw-emby-client-calls.c). Internal to the Emby client.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct {
  guint   status;           /* the HTTP status; 0 when nothing answered */
  char   *unreachable;      /* nothing answered (a transport error or the
                             * deadline, not a cancel): why, redacted */
  gboolean timed_out;       /* ... because the deadline passed */
  gint64  retry_after_s;    /* a transient answer's Retry-After, uncapped;
                             * -1 without one */
} HwEmbyOutcome;

void    hw_emby_outcome_clear        (HwEmbyOutcome        *outcome);

/* Retry-After as delta-seconds or an HTTP date (any of the three forms)
 * relative to @now: seconds, negative for a date already past, -1 when
 * absent or unparsable. Not capped: hw_retry_after_wait () is the rule. */
gint64  hw_emby_parse_retry_after    (const char           *value,
                                      GDateTime            *now);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HwEmbyOutcome, hw_emby_outcome_clear)

/* Sends @message on @session; the answer must come within @timeout_s.
 * @what names the request in logs and errors ("GET /System/Info/Public"):
 * an endpoint, never a URL with its query (that may hold a token).
 * Cancelling @cancellable cancels the exchange. */
void    hw_emby_request_send_async   (SoupSession          *session,
                                      SoupMessage          *message,
                                      const char           *what,
                                      guint                 timeout_s,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
/* Says whether a request may still go out; asked again each time libsoup
 * is about to put the message on the wire later than it was handed over
 * (a free connection, a new connection, a restart on a fresh one). */
typedef gboolean (*HwEmbyRequestGateFunc) (gpointer gate_data);

/* hw_emby_request_send_async (), but when @may_go (@gate_data) says no at
 * one of those moments the exchange stops before anything goes out and
 * fails with HW_EMBY_ERROR_OFFLINE, with no @outcome.unreachable.
 * @gate_data must outlive the exchange. */
void    hw_emby_request_send_gated_async (SoupSession          *session,
                                          SoupMessage          *message,
                                          const char           *what,
                                          guint                 timeout_s,
                                          HwEmbyRequestGateFunc may_go,
                                          gpointer              gate_data,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
/* The body of a 2xx answer; else NULL with G_IO_ERROR_CANCELLED (the
 * caller cancelled) or a HW_EMBY_ERROR: TRANSIENT (nothing answered, 5xx,
 * 429), SIGN_IN_REQUIRED (401), NOT_FOUND (404) or FORBIDDEN (any other
 * refusal). @outcome (cleared first) is filled in either way. */
GBytes *hw_emby_request_send_finish  (GAsyncResult         *result,
                                      HwEmbyOutcome        *outcome,
                                      GError              **error);

G_END_DECLS
