/* hw-http-status.c: what an answer from the server means for the caller.
 *
 * The status decides first; PlaybackInfo's ErrorCode only counts inside a
 * 2xx, because that is where Emby puts a refusal to play an item.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <stdio.h>
#include <string.h>

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

#define HW_RETRY_AFTER_MAX_S 3600

static int
parse_month (const char *name)
{
  static const char months[][4] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  };

  for (guint i = 0; i < G_N_ELEMENTS (months); i++)
    {
      if (g_ascii_strcasecmp (name, months[i]) == 0)
        return (int) i + 1;
    }

  return 0;
}

static gboolean
is_gmt (const char *zone)
{
  return g_ascii_strcasecmp (zone, "GMT") == 0 || g_ascii_strcasecmp (zone, "UTC") == 0;
}

/* The three forms RFC 9110 requires a recipient to accept. Returns the
 * time as Unix seconds, or FALSE. */
static gboolean
parse_http_date (const char *value,
                 gint64     *unix_out)
{
  g_autoptr(GDateTime) date = NULL;
  char wday[16], mon[4], zone[4];
  int day, year, hh, mm, ss;
  int used = 0;
  int month;

  /* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
  if (sscanf (value, "%15[A-Za-z], %d %3[A-Za-z] %d %d:%d:%d %3[A-Za-z]%n",
              wday, &day, mon, &year, &hh, &mm, &ss, zone, &used) == 8
      && value[used] == '\0' && is_gmt (zone))
    ;
  /* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT" */
  else if (sscanf (value, "%15[A-Za-z], %d-%3[A-Za-z]-%d %d:%d:%d %3[A-Za-z]%n",
                   wday, &day, mon, &year, &hh, &mm, &ss, zone, &used) == 8
           && value[used] == '\0' && is_gmt (zone))
    ;
  /* asctime: "Sun Nov  6 08:49:37 1994" */
  else if (sscanf (value, "%15[A-Za-z] %3[A-Za-z] %d %d:%d:%d %d%n",
                   wday, mon, &day, &hh, &mm, &ss, &year, &used) == 7
           && value[used] == '\0')
    ;
  else
    return FALSE;

  month = parse_month (mon);
  if (month == 0)
    return FALSE;

  /* Two-digit years (RFC 850) are read the way RFC 9110 suggests, close
   * enough for a header that only matters within the hour. */
  if (year >= 0 && year < 70)
    year += 2000;
  else if (year >= 70 && year < 100)
    year += 1900;

  /* GDateTime validates every field (31 February, hour 25) for us. */
  date = g_date_time_new_utc (year, month, day, hh, mm, ss);
  if (date == NULL)
    return FALSE;

  *unix_out = g_date_time_to_unix (date);
  return TRUE;
}

static gboolean
is_all_digits (const char *s)
{
  if (*s == '\0')
    return FALSE;

  for (; *s != '\0'; s++)
    {
      if (!g_ascii_isdigit (*s))
        return FALSE;
    }

  return TRUE;
}

gint64
hw_parse_retry_after (const char *value,
                      gint64      now_unix)
{
  g_autofree char *trimmed = NULL;
  gint64 when_unix;

  if (value == NULL)
    return -1;

  trimmed = g_strstrip (g_strdup (value));

  if (is_all_digits (trimmed))
    {
      /* Too many digits for a guint64 is still "a very long time". */
      if (strlen (trimmed) > 10)
        return HW_RETRY_AFTER_MAX_S;
      return MIN (g_ascii_strtoll (trimmed, NULL, 10), HW_RETRY_AFTER_MAX_S);
    }

  if (!parse_http_date (trimmed, &when_unix))
    return -1;

  return CLAMP (when_unix - now_unix, 0, HW_RETRY_AFTER_MAX_S);
}
