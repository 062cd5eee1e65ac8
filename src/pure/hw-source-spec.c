/* hw-source-spec.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include "hw-source-spec.h"

static const struct {
  HwSourceKind kind;
  const char  *name;
  gboolean     shuffles;
} kinds[] = {
  { HW_SOURCE_DEFAULT, "", FALSE },
  /* A library or collection is a heap, not a sequence: shuffled. A
   * playlist or a list of items was put in order by somebody. */
  { HW_SOURCE_LIBRARY, "library", TRUE },
  { HW_SOURCE_PLAYLIST, "playlist", FALSE },
  { HW_SOURCE_COLLECTION, "collection", TRUE },
  { HW_SOURCE_ITEMS, "items", FALSE },
  { HW_SOURCE_FOLDER, "folder", TRUE },
};

const char *
hw_source_kind_to_string (HwSourceKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (kinds[i].kind == kind)
      return kinds[i].name;

  g_return_val_if_reached ("");
}

gboolean
hw_source_kind_shuffles (HwSourceKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (kinds[i].kind == kind)
      return kinds[i].shuffles;

  g_return_val_if_reached (FALSE);
}

void
hw_source_spec_clear (HwSourceSpec *spec)
{
  g_return_if_fail (spec != NULL);

  g_clear_pointer (&spec->name, g_free);
  g_clear_pointer (&spec->items, g_strfreev);
  spec->kind = HW_SOURCE_DEFAULT;
  spec->shuffle = FALSE;
}

/* Emby ids are hex or decimal; letters, digits, '-' and '_' leave room
 * for other servers and never need quoting in a URL. */
static gboolean
is_item_id (const char *id)
{
  if (*id == '\0')
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;

  return TRUE;
}

static gboolean
parse_items (const char    *value,
             HwSourceSpec  *spec,
             HwSpecError   *error)
{
  g_auto(GStrv) ids = g_strsplit (value, ",", -1);
  guint n = g_strv_length (ids);

  if (n > HW_SOURCE_MAX_ITEMS)
    {
      g_autofree char *count = g_strdup_printf ("%u", n);

      hw_spec_error_set (error, HW_SPEC_ERROR_SOURCE_TOO_MANY, count, -1, NULL);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      g_strstrip (ids[i]);
      if (!is_item_id (ids[i]))
        {
          hw_spec_error_set (error, HW_SPEC_ERROR_SOURCE_ITEM, ids[i], -1, NULL);
          return FALSE;
        }
    }

  spec->items = g_steal_pointer (&ids);
  return TRUE;
}

/* A trailing ?shuffle or ?in-order. A folder's path may hold a '?' of its
 * own; anything else after a '?' is a mistyped option. */
static gboolean
split_option (char         *text,
              HwSourceKind  kind,
              int          *shuffle,
              HwSpecError  *error)
{
  char *mark = strrchr (text, '?');
  char *option;

  *shuffle = -1;
  if (mark == NULL)
    return TRUE;

  option = g_strstrip (mark + 1);
  if (g_ascii_strcasecmp (option, "shuffle") == 0)
    *shuffle = TRUE;
  else if (g_ascii_strcasecmp (option, "in-order") == 0)
    *shuffle = FALSE;
  else if (kind == HW_SOURCE_FOLDER)
    return TRUE;
  else
    {
      hw_spec_error_set (error, HW_SPEC_ERROR_SOURCE_OPTION, option, -1, NULL);
      return FALSE;
    }

  *mark = '\0';
  return TRUE;
}

static gboolean
parse_source (const char   *text,
              HwSourceSpec *spec,
              HwSpecError  *error)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  const char *colon = strchr (copy, ':');
  char *value;
  int shuffle;

  if (*copy == '\0')
    return TRUE;

  for (guint i = 1; colon != NULL && i < G_N_ELEMENTS (kinds); i++)
    if (strlen (kinds[i].name) == (gsize) (colon - copy) &&
        g_ascii_strncasecmp (kinds[i].name, copy, colon - copy) == 0)
      spec->kind = kinds[i].kind;
  if (spec->kind == HW_SOURCE_DEFAULT)
    {
      hw_spec_error_set (error, HW_SPEC_ERROR_SOURCE_KIND, copy,
                         colon != NULL ? colon - copy : -1, NULL);
      return FALSE;
    }

  value = copy + (colon - copy) + 1;   /* writable, unlike colon */
  if (!split_option (value, spec->kind, &shuffle, error))
    return FALSE;
  g_strstrip (value);
  if (*value == '\0')
    {
      hw_spec_error_set (error, HW_SPEC_ERROR_SOURCE_VALUE, copy, colon - copy + 1, NULL);
      return FALSE;
    }

  spec->shuffle = shuffle >= 0 ? shuffle : hw_source_kind_shuffles (spec->kind);
  if (spec->kind == HW_SOURCE_ITEMS)
    return parse_items (value, spec, error);

  spec->name = g_strdup (value);
  return TRUE;
}

gboolean
hw_source_spec_parse (const char   *text,
                      HwSourceSpec *spec,
                      HwSpecError  *error)
{
  g_return_val_if_fail (spec != NULL, FALSE);

  memset (spec, 0, sizeof *spec);
  hw_spec_error_clear (error);
  if (text != NULL && parse_source (text, spec, error))
    return TRUE;

  hw_source_spec_clear (spec);
  return text == NULL;
}

char *
hw_source_spec_to_string (const HwSourceSpec *spec)
{
  GString *text;

  g_return_val_if_fail (spec != NULL, NULL);

  if (spec->kind == HW_SOURCE_DEFAULT)
    return g_strdup ("");

  text = g_string_new (hw_source_kind_to_string (spec->kind));
  g_string_append_c (text, ':');
  if (spec->kind == HW_SOURCE_ITEMS && spec->items != NULL)
    {
      g_autofree char *ids = g_strjoinv (",", spec->items);

      g_string_append (text, ids);
    }
  else if (spec->name != NULL)
    g_string_append (text, spec->name);

  /* A name or path holding a '?' says its order, so that the last '?' is
   * read back as the option's. */
  if (spec->shuffle != hw_source_kind_shuffles (spec->kind) ||
      (spec->name != NULL && strchr (spec->name, '?') != NULL))
    g_string_append (text, spec->shuffle ? "?shuffle" : "?in-order");

  return g_string_free (text, FALSE);
}
