/* hw-http-status.c: what an answer from the server means for the caller.
 *
 * The status decides first; PlaybackInfo's ErrorCode only counts inside a
 * 2xx, because that is where Emby puts a refusal to play an item.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-http-status.h"

const char *
hw_error_class_to_string (HwErrorClass klass)
{
  switch (klass)
    {
    case HW_ERROR_CLASS_OK: return "ok";
    case HW_ERROR_CLASS_TRANSIENT: return "transient";
    case HW_ERROR_CLASS_REAUTH: return "reauth";
    case HW_ERROR_CLASS_FATAL: return "fatal";
    case HW_ERROR_CLASS_UNPLAYABLE: return "unplayable";
    default: return "unknown";
    }
}

/* ------------------------------------------------------------------ */
/* Error classification                                                */

static HwErrorClass
classify_error_code (const char *error_code)
{
  if (g_ascii_strcasecmp (error_code, "RateLimitExceeded") == 0)
    return HW_ERROR_CLASS_TRANSIENT;

  /* NotAllowed, NoCompatibleStream and whatever comes next: this item
   * will not play, another one may. */
  return HW_ERROR_CLASS_UNPLAYABLE;
}

HwErrorClass
hw_classify_response (guint       status,
                      const char *error_code,
                      gboolean    body_ok)
{
  if (status >= 200 && status < 300)
    {
      if (error_code != NULL && *error_code != '\0')
        return classify_error_code (error_code);
      return body_ok ? HW_ERROR_CLASS_OK : HW_ERROR_CLASS_TRANSIENT;
    }

  if (status == 0 || status == 408 || status == 429 || (status >= 500 && status < 600))
    return HW_ERROR_CLASS_TRANSIENT;

  switch (status)
    {
    case 401:
      return HW_ERROR_CLASS_REAUTH;
    case 404:
      return HW_ERROR_CLASS_UNPLAYABLE;
    default:
      /* 403, the other 4xx, and anything a server should not send (an
       * unfollowed 3xx, a nonsense code): retrying will not change it. */
      return HW_ERROR_CLASS_FATAL;
    }
}

/* ------------------------------------------------------------------ */
/* Retry-After                                                         */

gint64
hw_retry_after_wait (gint64 seconds,
                     gint64 max_s)
{
  /* A server's "come back in an hour" must not silence a wall for an
   * hour: the wall's own backoff-max bounds every wait. */
  return CLAMP (seconds, 0, MAX (max_s, 0));
}
