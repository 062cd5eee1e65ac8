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

static GMutex      secrets_lock;
static GPtrArray  *secrets;      /* longest first, so a secret containing another is masked whole */
static GHashTable *holders;      /* secret → how many registrations hold it (a guint) */
static GHashTable *slots;        /* slot name → GQueue of its secrets, newest first */

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
  guint held;

  if (secrets == NULL)
    {
      secrets = g_ptr_array_new_with_free_func (g_free);
      holders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    }
  if (!registry_contains (secret))
    g_ptr_array_add (secrets, g_strdup (secret));
  held = GPOINTER_TO_UINT (g_hash_table_lookup (holders, secret));
  g_hash_table_replace (holders, g_strdup (secret), GUINT_TO_POINTER (held + 1));
}

static void
registry_remove_locked (const char *secret)
{
  for (guint i = 0; secrets != NULL && i < secrets->len;)
    {
      if (g_str_equal (g_ptr_array_index (secrets, i), secret))
        g_ptr_array_remove_index (secrets, i);
      else
        i++;
    }
  if (holders != NULL)
    g_hash_table_remove (holders, secret);
}

/* One registration fewer; the secret goes with the last one. */
static void
registry_release_locked (const char *secret)
{
  guint held = holders != NULL ? GPOINTER_TO_UINT (g_hash_table_lookup (holders, secret)) : 0;

  if (held > 1)
    g_hash_table_replace (holders, g_strdup (secret), GUINT_TO_POINTER (held - 1));
  else
    registry_remove_locked (secret);
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
  registry_remove_locked (secret);
  registry_remove_locked (escaped);
  g_mutex_unlock (&secrets_lock);
}

static void
queue_free (gpointer queue)
{
  g_queue_free_full (queue, g_free);
}

void
hw_redact_rotate_secret (const char *slot,
                         const char *secret)
{
  g_autofree char *escaped = NULL;
  GQueue *held;

  g_return_if_fail (slot != NULL);

  if (secret == NULL || strlen (secret) < HW_REDACT_MIN_SECRET_LEN)
    return;

  escaped = g_uri_escape_string (secret, NULL, FALSE);

  g_mutex_lock (&secrets_lock);
  if (slots == NULL)
    slots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, queue_free);
  held = g_hash_table_lookup (slots, slot);
  if (held == NULL)
    {
      held = g_queue_new ();
      g_hash_table_replace (slots, g_strdup (slot), held);
    }

  /* The same token again (a reset that looked it up anew) is no new
   * generation: it would push out one that lines may still carry. */
  if (held->head == NULL || !g_str_equal (held->head->data, secret))
    {
      registry_add_locked (secret);
      registry_add_locked (escaped);
      g_queue_push_head (held, g_strdup (secret));
      while (held->length > HW_REDACT_SLOT_GENERATIONS)
        {
          g_autofree char *oldest = g_queue_pop_tail (held);
          g_autofree char *oldest_escaped = g_uri_escape_string (oldest, NULL, FALSE);

          registry_release_locked (oldest);
          registry_release_locked (oldest_escaped);
        }
      g_ptr_array_sort (secrets, compare_longest_first);
    }
  g_mutex_unlock (&secrets_lock);
}

guint
hw_redact_count_secrets (void)
{
  guint n;

  g_mutex_lock (&secrets_lock);
  n = secrets != NULL ? secrets->len : 0;
  g_mutex_unlock (&secrets_lock);
  return n;
}

void
hw_redact_clear_secrets (void)
{
  g_mutex_lock (&secrets_lock);
  g_clear_pointer (&secrets, g_ptr_array_unref);
  g_clear_pointer (&holders, g_hash_table_unref);
  g_clear_pointer (&slots, g_hash_table_unref);
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
