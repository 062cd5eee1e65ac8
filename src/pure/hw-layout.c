/* hw-layout.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include "hw-layout.h"

/* What people ask a wall for: one feature picture, the rest smaller. The
 * README lists them; a new one needs a line there too. */
static const HwLayoutTemplate templates[] = {
  { "spotlight", "3x3 0,0,2,2", "one large cell top-left, five small ones around it" },
  { "spotlight-4x4", "4x4 0,0,3,3", "one large cell top-left, seven small ones around it" },
  { "center", "4x4 1,1,2,2", "one large cell in the middle, twelve small ones around it" },
  { "main-side", "4x3 0,0,3,3", "a main picture with a column of three on its right" },
  { "main-bottom", "3x4 0,0,3,3", "a main picture with a row of three below it" },
  { NULL, NULL, NULL },
};

const HwLayoutTemplate *
hw_layout_get_templates (void)
{
  return templates;
}

void
hw_layout_init_uniform (HwLayout *layout,
                        guint     columns,
                        guint     rows)
{
  g_return_if_fail (layout != NULL);

  memset (layout, 0, sizeof *layout);
  layout->columns = CLAMP (columns, 1, HW_LAYOUT_MAX_SIDE);
  layout->rows = CLAMP (rows, 1, HW_LAYOUT_MAX_SIDE);
  for (guint y = 0; y < layout->rows; y++)
    for (guint x = 0; x < layout->columns; x++)
      layout->cells[layout->n_cells++] = (HwLayoutArea) { x, y, 1, 1 };
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */

/* The text's words, with no copy: an operator's spaces (any amount, tabs
 * from a shell script) separate them. */
typedef struct {
  const char *start;
  gsize       length;
} Word;

#define MAX_WORDS (HW_LAYOUT_MAX_CELLS + 2)

static guint
split_words (const char *text,
             Word       *words,
             guint       max_words)
{
  guint n = 0;

  while (*text != '\0')
    {
      const char *start;

      while (g_ascii_isspace (*text))
        text++;
      if (*text == '\0')
        break;
      start = text;
      while (*text != '\0' && !g_ascii_isspace (*text))
        text++;
      /* One over the limit is enough to report: the caller never reads it. */
      if (n < max_words)
        words[n] = (Word) { start, (gsize) (text - start) };
      n++;
    }

  return MIN (n, max_words);
}

/* Reads digits at *pos up to @end; more than three digits is "too large",
 * kept as 1000 so that it can never wrap. */
static gboolean
read_number (const char **pos,
             const char  *end,
             guint       *value)
{
  const char *p = *pos;
  guint v = 0;

  if (p >= end || !g_ascii_isdigit (*p))
    return FALSE;
  while (p < end && g_ascii_isdigit (*p))
    {
      if (v < 1000)
        v = v * 10 + (guint) (*p - '0');
      p++;
    }

  *pos = p;
  *value = MIN (v, 1000);
  return TRUE;
}

/* COLSxROWS; 'X' and '×' are read as 'x'. */
static gboolean
parse_grid (const Word *word,
            guint      *columns,
            guint      *rows)
{
  const char *p = word->start;
  const char *end = word->start + word->length;

  if (!read_number (&p, end, columns))
    return FALSE;
  if (p < end && (*p == 'x' || *p == 'X'))
    p++;
  else if (end - p >= 2 && (guchar) p[0] == 0xc3 && (guchar) p[1] == 0x97)
    p += 2;
  else
    return FALSE;
  if (!read_number (&p, end, rows))
    return FALSE;

  return p == end;
}

static gboolean
parse_span (const Word   *word,
            HwLayoutArea *area)
{
  const char *p = word->start;
  const char *end = word->start + word->length;
  guint values[4];

  for (guint i = 0; i < 4; i++)
    {
      if (i > 0)
        {
          if (p >= end || *p != ',')
            return FALSE;
          p++;
        }
      if (!read_number (&p, end, &values[i]))
        return FALSE;
    }
  if (p != end)
    return FALSE;

  *area = (HwLayoutArea) { values[0], values[1], values[2], values[3] };
  return TRUE;
}

static char *
area_to_string (const HwLayoutArea *area)
{
  return g_strdup_printf ("%u,%u,%u,%u", area->x, area->y, area->width, area->height);
}

static const HwLayoutTemplate *
find_template (const Word *word)
{
  for (const HwLayoutTemplate *t = templates; t->name != NULL; t++)
    if (strlen (t->name) == word->length &&
        g_ascii_strncasecmp (t->name, word->start, word->length) == 0)
      return t;

  return NULL;
}

/* The spans are checked in the order written, so an overlap names the
 * earlier of the two, the one the operator meant first. */
static gboolean
parse_words (const Word  *words,
             guint        n_words,
             HwLayout    *layout,
             HwSpecError *error)
{
  HwLayoutArea spans[HW_LAYOUT_MAX_CELLS];
  int owner[HW_LAYOUT_MAX_SIDE][HW_LAYOUT_MAX_SIDE];
  guint columns, rows;
  guint n_spans = n_words - 1;

  if (!parse_grid (&words[0], &columns, &rows))
    {
      hw_spec_error_set (error, HW_SPEC_ERROR_LAYOUT_GRID, words[0].start, words[0].length, NULL);
      return FALSE;
    }
  if (columns == 0 || rows == 0 || columns > HW_LAYOUT_MAX_SIDE || rows > HW_LAYOUT_MAX_SIDE)
    {
      hw_spec_error_set (error, HW_SPEC_ERROR_LAYOUT_GRID_SIZE, words[0].start, words[0].length,
                         NULL);
      return FALSE;
    }

  for (guint y = 0; y < rows; y++)
    for (guint x = 0; x < columns; x++)
      owner[y][x] = -1;

  for (guint s = 0; s < n_spans; s++)
    {
      const Word *word = &words[s + 1];
      HwLayoutArea *a = &spans[s];

      /* More spans than squares: one of them must overlap or be outside;
       * reported as the span that does not fit. */
      if (s >= HW_LAYOUT_MAX_CELLS)
        {
          hw_spec_error_set (error, HW_SPEC_ERROR_LAYOUT_SPAN_OUTSIDE, word->start, word->length,
                             NULL);
          return FALSE;
        }
      if (!parse_span (word, a))
        {
          hw_spec_error_set (error, HW_SPEC_ERROR_LAYOUT_SPAN, word->start, word->length, NULL);
          return FALSE;
        }
      if (a->width == 0 || a->height == 0)
        {
          hw_spec_error_set (error, HW_SPEC_ERROR_LAYOUT_SPAN_ZERO, word->start, word->length,
                             NULL);
          return FALSE;
        }
      if (a->x >= columns || a->y >= rows || a->width > columns - a->x ||
          a->height > rows - a->y)
        {
          g_autofree char *grid = g_strdup_printf ("%ux%u", columns, rows);

          hw_spec_error_set (error, HW_SPEC_ERROR_LAYOUT_SPAN_OUTSIDE, word->start, word->length,
                             grid);
          return FALSE;
        }
      for (guint y = a->y; y < a->y + a->height; y++)
        for (guint x = a->x; x < a->x + a->width; x++)
          {
            if (owner[y][x] >= 0)
              {
                g_autofree char *earlier = area_to_string (&spans[owner[y][x]]);

                hw_spec_error_set (error, HW_SPEC_ERROR_LAYOUT_SPAN_OVERLAP, word->start,
                                   word->length, earlier);
                return FALSE;
              }
            owner[y][x] = (int) s;
          }
    }

  /* Reading order of the top-left corners: walk the squares in reading
   * order and start a cell at each corner. */
  memset (layout, 0, sizeof *layout);
  layout->columns = columns;
  layout->rows = rows;
  for (guint y = 0; y < rows; y++)
    for (guint x = 0; x < columns; x++)
      {
        int s = owner[y][x];

        if (s < 0)
          layout->cells[layout->n_cells++] = (HwLayoutArea) { x, y, 1, 1 };
        else if (spans[s].x == x && spans[s].y == y)
          layout->cells[layout->n_cells++] = spans[s];
      }

  return TRUE;
}

gboolean
hw_layout_parse (const char  *text,
                 HwLayout    *layout,
                 HwSpecError *error)
{
  Word words[MAX_WORDS + 1];
  const HwLayoutTemplate *template;
  HwLayout parsed;
  guint n_words;

  g_return_val_if_fail (layout != NULL, FALSE);

  hw_spec_error_clear (error);
  n_words = split_words (text != NULL ? text : "", words, G_N_ELEMENTS (words));
  if (n_words == 0)
    {
      hw_spec_error_set (error, HW_SPEC_ERROR_LAYOUT_EMPTY, NULL, 0, NULL);
      return FALSE;
    }

  template = find_template (&words[0]);
  if (template != NULL)
    {
      if (n_words > 1)
        {
          hw_spec_error_set (error, HW_SPEC_ERROR_LAYOUT_TEMPLATE_SPANS, words[0].start,
                             words[0].length, NULL);
          return FALSE;
        }
      n_words = split_words (template->spec, words, G_N_ELEMENTS (words));
    }

  if (!parse_words (words, n_words, &parsed, error))
    return FALSE;

  *layout = parsed;
  return TRUE;
}

char *
hw_layout_to_string (const HwLayout *layout)
{
  GString *text;

  g_return_val_if_fail (layout != NULL, NULL);

  text = g_string_new (NULL);
  g_string_append_printf (text, "%ux%u", layout->columns, layout->rows);
  for (guint i = 0; i < layout->n_cells; i++)
    {
      const HwLayoutArea *a = &layout->cells[i];

      if (a->width * a->height > 1)
        g_string_append_printf (text, " %u,%u,%u,%u", a->x, a->y, a->width, a->height);
    }

  return g_string_free (text, FALSE);
}

static gboolean
area_equal (const HwLayoutArea *a,
            const HwLayoutArea *b)
{
  return a->x == b->x && a->y == b->y && a->width == b->width && a->height == b->height;
}

gboolean
hw_layout_equal (const HwLayout *a,
                 const HwLayout *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (a->columns != b->columns || a->rows != b->rows || a->n_cells != b->n_cells)
    return FALSE;
  for (guint i = 0; i < a->n_cells; i++)
    if (!area_equal (&a->cells[i], &b->cells[i]))
      return FALSE;

  return TRUE;
}

gboolean
hw_layout_is_uniform (const HwLayout *layout)
{
  g_return_val_if_fail (layout != NULL, FALSE);

  return layout->n_cells == layout->columns * layout->rows;
}

int
hw_layout_cell_at (const HwLayout *layout,
                   guint           column,
                   guint           row)
{
  g_return_val_if_fail (layout != NULL, -1);

  for (guint i = 0; i < layout->n_cells; i++)
    {
      const HwLayoutArea *a = &layout->cells[i];

      if (column >= a->x && column < a->x + a->width && row >= a->y && row < a->y + a->height)
        return (int) i;
    }

  return -1;
}

guint
hw_layout_cell_weight (const HwLayout *layout,
                       guint           cell)
{
  g_return_val_if_fail (layout != NULL, 0);

  if (cell >= layout->n_cells)
    return 0;
  return layout->cells[cell].width * layout->cells[cell].height;
}

/* ------------------------------------------------------------------ */
/* Focus                                                               */

HwLayoutFocus
hw_layout_focus_cell (const HwLayout *layout,
                      guint           cell)
{
  HwLayoutFocus focus = { 0, 0, 0 };

  g_return_val_if_fail (layout != NULL, focus);

  if (cell >= layout->n_cells)
    cell = 0;
  focus.cell = cell;
  focus.column = layout->cells[cell].x;
  focus.row = layout->cells[cell].y;
  return focus;
}

HwLayoutFocus
hw_layout_move_focus (const HwLayout    *layout,
                      HwLayoutFocus      from,
                      HwLayoutDirection  direction)
{
  const HwLayoutArea *a;
  guint column, row;
  int cell;

  g_return_val_if_fail (layout != NULL, from);

  if (layout->n_cells == 0)
    return from;
  if (from.cell >= layout->n_cells)
    return hw_layout_focus_cell (layout, 0);

  /* A ring that came by Tab or a click may remember a square outside its
   * cell: the nearest one inside stands in. */
  a = &layout->cells[from.cell];
  column = CLAMP (from.column, a->x, a->x + a->width - 1);
  row = CLAMP (from.row, a->y, a->y + a->height - 1);

  switch (direction)
    {
    case HW_LAYOUT_LEFT:
      column = (a->x + layout->columns - 1) % layout->columns;
      break;
    case HW_LAYOUT_RIGHT:
      column = (a->x + a->width) % layout->columns;
      break;
    case HW_LAYOUT_UP:
      row = (a->y + layout->rows - 1) % layout->rows;
      break;
    case HW_LAYOUT_DOWN:
      row = (a->y + a->height) % layout->rows;
      break;
    default:
      g_return_val_if_reached (from);
    }

  /* Every square has its cell, so the square beside the ring's row (or
   * column) names the nearest neighbour. */
  cell = hw_layout_cell_at (layout, column, row);
  g_return_val_if_fail (cell >= 0, from);

  return (HwLayoutFocus) { (guint) cell, column, row };
}

/* ------------------------------------------------------------------ */
/* Matching                                                            */

/* The same part of the wall: compared as fractions of each grid, by
 * cross-multiplying, so no rounding can make two cells look alike. */
static gboolean
same_part (const HwLayout     *la,
           const HwLayoutArea *a,
           const HwLayout     *lb,
           const HwLayoutArea *b)
{
  return a->x * lb->columns == b->x * la->columns &&
         a->width * lb->columns == b->width * la->columns &&
         a->y * lb->rows == b->y * la->rows &&
         a->height * lb->rows == b->height * la->rows;
}

void
hw_layout_match (const HwLayout *old_layout,
                 const HwLayout *new_layout,
                 int            *old_for_new)
{
  g_return_if_fail (old_layout != NULL && new_layout != NULL && old_for_new != NULL);

  /* Between uniform grids (+ and −, the rows and columns keys) a cell
   * keeps its index, as the wall has always done: adding a column moves
   * cells along but stops none. Matched by place, 2x2 to 3x3 would keep
   * one cell of four. */
  if (hw_layout_is_uniform (old_layout) && hw_layout_is_uniform (new_layout))
    {
      for (guint i = 0; i < new_layout->n_cells; i++)
        old_for_new[i] = i < old_layout->n_cells ? (int) i : -1;
      return;
    }

  /* Cells of one layout never overlap, so a new cell matches at most one
   * old cell, and no old cell matches two new ones. */
  for (guint i = 0; i < new_layout->n_cells; i++)
    {
      old_for_new[i] = -1;
      for (guint j = 0; j < old_layout->n_cells; j++)
        if (same_part (new_layout, &new_layout->cells[i], old_layout, &old_layout->cells[j]))
          {
            old_for_new[i] = (int) j;
            break;
          }
    }
}
