/* hw-spec-message.c
 *
 * The pure parsers hand over a code and the words at fault; the sentence
 * is made here, where gettext is, and shown on the command line or in the
 * journal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <glib/gi18n.h>

#include "hw-layout.h"
#include "hw-source-spec.h"
#include "hw-spec-message.h"

static char *
template_names (void)
{
  GString *names = g_string_new (NULL);

  for (const HwLayoutTemplate *t = hw_layout_get_templates (); t->name != NULL; t++)
    {
      if (names->len > 0)
        g_string_append (names, ", ");
      g_string_append (names, t->name);
    }
  return g_string_free (names, FALSE);
}

char *
hw_spec_error_describe (const HwSpecError *error)
{
  const char *token;
  const char *other;

  g_return_val_if_fail (error != NULL, NULL);

  token = error->token;
  other = error->other;

  switch (error->code)
    {
    case HW_SPEC_OK:
      return g_strdup (_("No error"));
    case HW_SPEC_ERROR_LAYOUT_EMPTY:
      return g_strdup (_("The layout is empty: expected COLUMNSxROWS, e.g. “3x3 0,0,2,2”"));
    case HW_SPEC_ERROR_LAYOUT_GRID:
      {
        g_autofree char *names = template_names ();

        /* TRANSLATORS: the last %s lists the template names. */
        return g_strdup_printf (_("“%s” is not a grid size like 3x3, nor a template (%s)"),
                                token, names);
      }
    case HW_SPEC_ERROR_LAYOUT_GRID_SIZE:
      return g_strdup_printf (_("Grid %s is not possible: 1 to %d columns and rows"), token,
                              HW_LAYOUT_MAX_SIDE);
    case HW_SPEC_ERROR_LAYOUT_SPAN:
      return g_strdup_printf (_("“%s” is not a span: expected X,Y,WIDTH,HEIGHT in grid squares, "
                                "like 0,0,2,2"), token);
    case HW_SPEC_ERROR_LAYOUT_SPAN_ZERO:
      return g_strdup_printf (_("Span %s is empty: its width and height must be at least 1"),
                              token);
    case HW_SPEC_ERROR_LAYOUT_SPAN_OUTSIDE:
      if (*other == '\0')
        return g_strdup_printf (_("Span %s does not fit in the grid"), token);
      return g_strdup_printf (_("Span %s reaches outside the %s grid (positions count from 0)"),
                              token, other);
    case HW_SPEC_ERROR_LAYOUT_SPAN_OVERLAP:
      return g_strdup_printf (_("Span %s overlaps span %s"), token, other);
    case HW_SPEC_ERROR_LAYOUT_TEMPLATE_SPANS:
      return g_strdup_printf (_("The template “%s” takes no spans: write its grid and spans "
                                "instead"), token);
    case HW_SPEC_ERROR_SOURCE_KIND:
      return g_strdup_printf (_("“%s” is not a source: expected library:, playlist:, "
                                "collection:, items: or folder:"), token);
    case HW_SPEC_ERROR_SOURCE_VALUE:
      return g_strdup_printf (_("“%s” needs a name, an id or a path after it"), token);
    case HW_SPEC_ERROR_SOURCE_ITEM:
      return g_strdup_printf (_("“%s” is not an item id (letters, digits, - and _)"), token);
    case HW_SPEC_ERROR_SOURCE_TOO_MANY:
      return g_strdup_printf (_("%s items are too many: at most %d"), token,
                              HW_SOURCE_MAX_ITEMS);
    case HW_SPEC_ERROR_SOURCE_OPTION:
      return g_strdup_printf (_("“?%s” is not an option: expected ?shuffle or ?in-order"), token);
    default:
      g_return_val_if_reached (g_strdup ("?"));
    }
}
