/* fuzz-layout.c: the layout and source SPEC parsers on arbitrary bytes.
 *
 * Each input is read as both kinds of SPEC. Besides not crashing, what
 * parses must read back from its canonical text to the same thing, tile
 * the grid, and keep the focus inside it; a refusal must say why in valid
 * UTF-8. Any broken promise aborts, which the fuzzer reports.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hw-layout.h"
#include "hw-source-spec.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check_refusal (const HwSpecError *error)
{
  if (error->code == HW_SPEC_OK ||
      !g_utf8_validate (error->token, -1, NULL) || !g_utf8_validate (error->other, -1, NULL) ||
      strlen (error->token) >= HW_SPEC_TOKEN_MAX)
    abort ();
}

static void
check_layout (const char *text)
{
  static const HwLayoutDirection directions[] = {
    HW_LAYOUT_LEFT, HW_LAYOUT_RIGHT, HW_LAYOUT_UP, HW_LAYOUT_DOWN,
  };
  HwLayout layout, again;
  HwSpecError error;
  g_autofree char *canonical = NULL;
  int map[HW_LAYOUT_MAX_CELLS];
  guint covered = 0;

  if (!hw_layout_parse (text, &layout, &error))
    {
      check_refusal (&error);
      return;
    }

  canonical = hw_layout_to_string (&layout);
  if (!hw_layout_parse (canonical, &again, NULL) || !hw_layout_equal (&layout, &again))
    abort ();
  if (layout.n_cells == 0 || layout.n_cells > HW_LAYOUT_MAX_CELLS)
    abort ();

  for (guint i = 0; i < layout.n_cells; i++)
    {
      covered += hw_layout_cell_weight (&layout, i);
      for (guint d = 0; d < G_N_ELEMENTS (directions); d++)
        {
          HwLayoutFocus focus = hw_layout_move_focus (&layout, hw_layout_focus_cell (&layout, i),
                                                      directions[d]);

          if (hw_layout_cell_at (&layout, focus.column, focus.row) != (int) focus.cell)
            abort ();
        }
    }
  if (covered != layout.columns * layout.rows)
    abort ();

  hw_layout_match (&layout, &layout, map);
  for (guint i = 0; i < layout.n_cells; i++)
    if (map[i] != (int) i)
      abort ();
}

static void
check_source (const char *text)
{
  HwSourceSpec spec, again;
  HwSpecError error;
  g_autofree char *canonical = NULL;
  g_autofree char *canonical_again = NULL;

  if (!hw_source_spec_parse (text, &spec, &error))
    {
      check_refusal (&error);
      if (spec.name != NULL || spec.items != NULL)
        abort ();
      return;
    }

  canonical = hw_source_spec_to_string (&spec);
  if (!hw_source_spec_parse (canonical, &again, NULL))
    abort ();
  canonical_again = hw_source_spec_to_string (&again);
  if (strcmp (canonical, canonical_again) != 0 || again.kind != spec.kind ||
      again.shuffle != spec.shuffle)
    abort ();

  hw_source_spec_clear (&spec);
  hw_source_spec_clear (&again);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* The keys are strings: what follows a NUL never reaches a parser. */
  g_autofree char *text = g_strndup ((const char *) data, size);

  check_layout (text);
  check_source (text);
  return 0;
}
