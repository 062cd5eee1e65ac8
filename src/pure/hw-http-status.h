/* hw-http-status.h: what an HTTP answer means for the request that got it
 * (docs/emby-api.md, "Errors"; rule 6 in docs/reliability.md).
 *
 * Kept apart from the client that speaks HTTP so the classification is
 * tested without a server, and so callers act on a class, never on a
 * status code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  HW_ERROR_CLASS_OK,
  HW_ERROR_CLASS_TRANSIENT,     /* back off and retry */
  HW_ERROR_CLASS_REAUTH,        /* 401: sign in again once */
  HW_ERROR_CLASS_FATAL,         /* 403 and the like: not for this request */
  HW_ERROR_CLASS_UNPLAYABLE,          /* 404 on an item or stream, ErrorCode: skip the item */
} HwErrorClass;

const char  *hw_error_class_to_string (HwErrorClass klass);

/* @status: the HTTP status, or 0 for a transport error or timeout.
 * @error_code: PlaybackInfo's ErrorCode or NULL. @body_ok: FALSE when a 2xx
 * body was malformed (transient). */
HwErrorClass hw_classify_response     (guint       status,
                                       const char *error_code,
                                       gboolean    body_ok);

/* How long to hold back what got a Retry-After of @seconds (parsed by the
 * HTTP layer; negative for none or a date already past): @seconds, at
 * least 0, at most @max_s (backoff-max). */
gint64       hw_retry_after_wait      (gint64      seconds,
                                       gint64      max_s);

G_END_DECLS
