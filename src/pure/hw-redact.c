/* hw-redact.c: keep secrets out of everything Hyperwall prints.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include "hw-redact.h"

/* Keys whose value is a secret. The look-behind stands in for \b, which
 * would treat "_" as part of a word and miss HYPERWALL_PASSWORD=. */
#define SECRET_KEYS \
  "(?<![A-Za-z0-9])(api_?key|access_?token|x-emby-token|x-mediabrowser-token|token" \
  "|pw|passwd|password)"

/* key"?  :  "value" — JSON, header parameters (Token="…"). */
#define QUOTED_RE   SECRET_KEYS "([\"']?\\s*[:=]\\s*)([\"'])((?:\\\\.|(?!\\3).)*)\\3"
/* key=value — query strings, X-Emby-Token: value, bare JSON numbers. */
/* scheme://user:password@host — the password part of a URL's user info. */
#define USERINFO_RE "([a-z][a-z0-9+.-]*://[^/@\\s:]*:)([^/@\\s]+)(@)"
#define UNQUOTED_RE SECRET_KEYS "([\"']?\\s*[:=]\\s*)([^\"'\\s&,;<>]+)"

static GMutex     secrets_lock;
static GPtrArray *secrets;       /* longest first, so a secret containing another is masked whole */

static GRegex *
compile_once (GRegex    **slot,
              const char *pattern)
{
  if (g_once_init_enter (slot))
    {
      g_autoptr(GError) error = NULL;
      GRegex *regex = g_regex_new (pattern, G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, &error);

      /* The patterns are constant: failing to compile them is a bug. */
      g_assert_no_error (error);
      g_once_init_leave (slot, regex);
    }

  return *slot;
}

static char *
redact_patterns (const char *text)
{
  static GRegex *quoted;
  static GRegex *unquoted;
  static GRegex *userinfo;
  g_autofree char *pass1 = NULL;
  g_autofree char *pass2 = NULL;

  pass1 = g_regex_replace (compile_once (&quoted, QUOTED_RE), text, -1, 0,
                           "\\1\\2\\3" HW_REDACTED "\\3", 0, NULL);
  if (pass1 == NULL)
    return g_strdup (HW_REDACTED);   /* never print what could not be checked */
  pass2 = g_regex_replace (compile_once (&userinfo, USERINFO_RE), pass1, -1, 0,
                           "\\1" HW_REDACTED "\\3", 0, NULL);
  if (pass2 == NULL)
    return g_strdup (HW_REDACTED);

  return g_regex_replace (compile_once (&unquoted, UNQUOTED_RE), pass2, -1, 0,
                          "\\1\\2" HW_REDACTED, 0, NULL);
}

static char *
replace_all (const char *text,
             const char *needle)
{
  GString *out = g_string_new (NULL);
  gsize needle_len = strlen (needle);
  const char *p = text;
  const char *hit;

  while ((hit = strstr (p, needle)) != NULL)
    {
      g_string_append_len (out, p, hit - p);
      g_string_append (out, HW_REDACTED);
      p = hit + needle_len;
    }
  g_string_append (out, p);

  return g_string_free (out, FALSE);
}

static char *
redact_registry (const char *text)
{
  char *result = g_strdup (text);

  g_mutex_lock (&secrets_lock);
  for (guint i = 0; secrets != NULL && i < secrets->len; i++)
    {
      const char *secret = g_ptr_array_index (secrets, i);

      if (strstr (result, secret) != NULL)
        {
          char *replaced = replace_all (result, secret);

          g_free (result);
          result = replaced;
        }
    }
  g_mutex_unlock (&secrets_lock);

  return result;
}

char *
hw_redact (const char *text)
{
  g_autofree char *masked = NULL;

  if (text == NULL)
    return NULL;

  masked = redact_registry (text);
  return redact_patterns (masked);
}

static int
compare_longest_first (gconstpointer a,
                       gconstpointer b)
{
  gsize la = strlen (*(const char * const *) a);
  gsize lb = strlen (*(const char * const *) b);

  return (la < lb) - (la > lb);
}

static gboolean
registry_contains (const char *secret)
{
  for (guint i = 0; i < secrets->len; i++)
    if (g_str_equal (g_ptr_array_index (secrets, i), secret))
      return TRUE;
  return FALSE;
}

static void
registry_add_locked (const char *secret)
{
  if (secrets == NULL)
    secrets = g_ptr_array_new_with_free_func (g_free);
  if (!registry_contains (secret))
    g_ptr_array_add (secrets, g_strdup (secret));
}

void
hw_redact_add_secret (const char *secret)
{
  g_autofree char *escaped = NULL;

  if (secret == NULL || strlen (secret) < HW_REDACT_MIN_SECRET_LEN)
    return;

  /* The same secret inside a URL is percent-encoded. */
  escaped = g_uri_escape_string (secret, NULL, FALSE);

  g_mutex_lock (&secrets_lock);
  registry_add_locked (secret);
  registry_add_locked (escaped);
  g_ptr_array_sort (secrets, compare_longest_first);
  g_mutex_unlock (&secrets_lock);
}

void
hw_redact_remove_secret (const char *secret)
{
  g_autofree char *escaped = NULL;

  if (secret == NULL)
    return;

  escaped = g_uri_escape_string (secret, NULL, FALSE);

  g_mutex_lock (&secrets_lock);
  for (guint i = 0; secrets != NULL && i < secrets->len;)
    {
      const char *s = g_ptr_array_index (secrets, i);

      if (g_str_equal (s, secret) || g_str_equal (s, escaped))
        g_ptr_array_remove_index (secrets, i);
      else
        i++;
    }
  g_mutex_unlock (&secrets_lock);
}

void
hw_redact_clear_secrets (void)
{
  g_mutex_lock (&secrets_lock);
  g_clear_pointer (&secrets, g_ptr_array_unref);
  g_mutex_unlock (&secrets_lock);
}

GLogWriterOutput
hw_redact_log_writer (GLogLevelFlags   log_level,
                      const GLogField *fields,
                      gsize            n_fields,
                      gpointer         user_data)
{
  g_autofree GLogField *copy = g_new (GLogField, n_fields);
  g_autofree char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      copy[i] = fields[i];

      if (message == NULL && g_str_equal (fields[i].key, "MESSAGE") && fields[i].value != NULL)
        {
          g_autofree char *raw = fields[i].length < 0
                                   ? g_strdup (fields[i].value)
                                   : g_strndup (fields[i].value, fields[i].length);

          message = hw_redact (raw);
          copy[i].value = message;
          copy[i].length = -1;
        }
    }

  return g_log_writer_default (log_level, copy, n_fields, NULL);
}

void
hw_redact_install_log_writer (void)
{
  g_log_set_writer_func (hw_redact_log_writer, NULL, NULL);
}
