/* test-layout.c: layout SPECs, templates, spatial focus and matching
 * cells across a live change.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include "hw-layout.h"

static HwLayout
parse_ok (const char *text)
{
  HwLayout layout;
  HwSpecError error;

  if (!hw_layout_parse (text, &layout, &error))
    g_error ("“%s” did not parse: code %d at “%s”", text, error.code, error.token);
  g_assert_cmpint (error.code, ==, HW_SPEC_OK);
  return layout;
}

static void
assert_area (const HwLayout *layout,
             guint           cell,
             guint           x,
             guint           y,
             guint           w,
             guint           h)
{
  const HwLayoutArea *a;

  g_assert_cmpuint (cell, <, layout->n_cells);
  a = &layout->cells[cell];
  g_assert_cmpuint (a->x, ==, x);
  g_assert_cmpuint (a->y, ==, y);
  g_assert_cmpuint (a->width, ==, w);
  g_assert_cmpuint (a->height, ==, h);
}

/* Every square belongs to exactly one cell, and the cells come in reading
 * order of their top-left corners. */
static void
assert_tiles (const HwLayout *layout)
{
  guint covered = 0;

  for (guint i = 0; i < layout->n_cells; i++)
    {
      const HwLayoutArea *a = &layout->cells[i];

      covered += a->width * a->height;
      if (i > 0)
        {
          const HwLayoutArea *b = &layout->cells[i - 1];

          g_assert_true (a->y > b->y || (a->y == b->y && a->x > b->x));
        }
      for (guint y = a->y; y < a->y + a->height; y++)
        for (guint x = a->x; x < a->x + a->width; x++)
          g_assert_cmpint (hw_layout_cell_at (layout, x, y), ==, i);
    }
  g_assert_cmpuint (covered, ==, layout->columns * layout->rows);
}

static void
test_parse_example (void)
{
  HwLayout layout = parse_ok ("3x3 0,0,2,2");

  g_assert_cmpuint (layout.columns, ==, 3);
  g_assert_cmpuint (layout.rows, ==, 3);
  g_assert_cmpuint (layout.n_cells, ==, 6);
  assert_area (&layout, 0, 0, 0, 2, 2);
  assert_area (&layout, 1, 2, 0, 1, 1);
  assert_area (&layout, 2, 2, 1, 1, 1);
  assert_area (&layout, 3, 0, 2, 1, 1);
  assert_area (&layout, 4, 1, 2, 1, 1);
  assert_area (&layout, 5, 2, 2, 1, 1);
  assert_tiles (&layout);
  g_assert_cmpuint (hw_layout_cell_weight (&layout, 0), ==, 4);
  g_assert_cmpuint (hw_layout_cell_weight (&layout, 5), ==, 1);
  g_assert_cmpuint (hw_layout_cell_weight (&layout, 6), ==, 0);
  g_assert_false (hw_layout_is_uniform (&layout));
}

static void
test_parse_spans (void)
{
  HwLayout layout;
  HwLayout uniform;

  /* Spans in any order; numbering follows the grid, not the text. */
  layout = parse_ok ("4x3 1,2,3,1 0,0,1,3");
  g_assert_cmpuint (layout.n_cells, ==, 8);
  assert_area (&layout, 0, 0, 0, 1, 3);
  assert_area (&layout, 1, 1, 0, 1, 1);
  assert_area (&layout, 7, 1, 2, 3, 1);
  assert_tiles (&layout);

  /* The whole grid as one cell. */
  layout = parse_ok ("8x8 0,0,8,8");
  g_assert_cmpuint (layout.n_cells, ==, 1);
  assert_tiles (&layout);

  /* Without spans it is the uniform grid the rows and columns keys give. */
  layout = parse_ok ("3x2");
  hw_layout_init_uniform (&uniform, 3, 2);
  g_assert_true (hw_layout_equal (&layout, &uniform));
  g_assert_true (hw_layout_is_uniform (&layout));
  assert_tiles (&layout);

  layout = parse_ok ("8x8");
  g_assert_cmpuint (layout.n_cells, ==, 64);

  /* Spaces and tabs as the operator typed them, 'X' and '×'. */
  layout = parse_ok ("  3X3 \t 0,0,2,2  ");
  g_assert_cmpuint (layout.n_cells, ==, 6);
  layout = parse_ok ("3×3 0,0,2,2");
  g_assert_cmpuint (layout.n_cells, ==, 6);
  layout = parse_ok ("03x03 00,0,2,2");
  g_assert_cmpuint (layout.n_cells, ==, 6);
}

typedef struct {
  const char      *text;
  HwSpecErrorCode  code;
  const char      *token;
  const char      *other;
} BadCase;

static const BadCase bad_cases[] = {
  { "", HW_SPEC_ERROR_LAYOUT_EMPTY, "", "" },
  { "   ", HW_SPEC_ERROR_LAYOUT_EMPTY, "", "" },
  { "3by3", HW_SPEC_ERROR_LAYOUT_GRID, "3by3", "" },
  { "3x", HW_SPEC_ERROR_LAYOUT_GRID, "3x", "" },
  { "x3", HW_SPEC_ERROR_LAYOUT_GRID, "x3", "" },
  { "3x3x3", HW_SPEC_ERROR_LAYOUT_GRID, "3x3x3", "" },
  { "-3x3", HW_SPEC_ERROR_LAYOUT_GRID, "-3x3", "" },
  { "spotlite", HW_SPEC_ERROR_LAYOUT_GRID, "spotlite", "" },
  { "0,0,2,2 3x3", HW_SPEC_ERROR_LAYOUT_GRID, "0,0,2,2", "" },
  { "9x3", HW_SPEC_ERROR_LAYOUT_GRID_SIZE, "9x3", "" },
  { "3x0", HW_SPEC_ERROR_LAYOUT_GRID_SIZE, "3x0", "" },
  { "99999999999999x2", HW_SPEC_ERROR_LAYOUT_GRID_SIZE, "99999999999999x2", "" },
  { "3x3 0,0,2", HW_SPEC_ERROR_LAYOUT_SPAN, "0,0,2", "" },
  { "3x3 0,0,2,2,", HW_SPEC_ERROR_LAYOUT_SPAN, "0,0,2,2,", "" },
  { "3x3 0;0;2;2", HW_SPEC_ERROR_LAYOUT_SPAN, "0;0;2;2", "" },
  { "3x3 0, 0, 2, 2", HW_SPEC_ERROR_LAYOUT_SPAN, "0,", "" },
  { "3x3 0,0,-1,2", HW_SPEC_ERROR_LAYOUT_SPAN, "0,0,-1,2", "" },
  { "3x3 0,0,0,2", HW_SPEC_ERROR_LAYOUT_SPAN_ZERO, "0,0,0,2", "" },
  { "3x3 1,1,2,0", HW_SPEC_ERROR_LAYOUT_SPAN_ZERO, "1,1,2,0", "" },
  { "3x3 2,2,2,1", HW_SPEC_ERROR_LAYOUT_SPAN_OUTSIDE, "2,2,2,1", "3x3" },
  { "3x3 3,0,1,1", HW_SPEC_ERROR_LAYOUT_SPAN_OUTSIDE, "3,0,1,1", "3x3" },
  { "3x3 0,1,1,3", HW_SPEC_ERROR_LAYOUT_SPAN_OUTSIDE, "0,1,1,3", "3x3" },
  { "3x3 0,0,9999999999,1", HW_SPEC_ERROR_LAYOUT_SPAN_OUTSIDE, "0,0,9999999999,1", "3x3" },
  { "3x3 0,0,2,2 1,1,2,2", HW_SPEC_ERROR_LAYOUT_SPAN_OVERLAP, "1,1,2,2", "0,0,2,2" },
  { "3x3 0,0,1,1 0,0,1,1", HW_SPEC_ERROR_LAYOUT_SPAN_OVERLAP, "0,0,1,1", "0,0,1,1" },
  { "spotlight 2,2,1,1", HW_SPEC_ERROR_LAYOUT_TEMPLATE_SPANS, "spotlight", "" },
};

static void
test_parse_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      const BadCase *c = &bad_cases[i];
      HwLayout layout;
      HwSpecError error;

      hw_layout_init_uniform (&layout, 2, 2);
      g_test_message ("%s", c->text);
      g_assert_false (hw_layout_parse (c->text, &layout, &error));
      g_assert_cmpint (error.code, ==, c->code);
      g_assert_cmpstr (error.token, ==, c->token);
      g_assert_cmpstr (error.other, ==, c->other);
      /* A refused SPEC leaves the layout in force alone. */
      g_assert_cmpuint (layout.n_cells, ==, 4);
    }

  /* NULL is empty; the error may be NULL. */
  {
    HwLayout layout;

    g_assert_false (hw_layout_parse (NULL, &layout, NULL));
    g_assert_false (hw_layout_parse ("3x3 1,1,5,5", &layout, NULL));
  }
}

static void
test_error_token_cut (void)
{
  g_autofree char *long_span = g_strnfill (200, '7');
  g_autofree char *text = g_strdup_printf ("3x3 %s", long_span);
  HwLayout layout;
  HwSpecError error;

  g_assert_false (hw_layout_parse (text, &layout, &error));
  g_assert_cmpint (error.code, ==, HW_SPEC_ERROR_LAYOUT_SPAN);
  g_assert_true (g_str_has_suffix (error.token, "…"));
  g_assert_true (g_str_has_prefix (error.token, "7777"));
  g_assert_cmpuint (strlen (error.token), <, HW_SPEC_TOKEN_MAX);

  /* Whatever bytes came in, the token shown is valid UTF-8. */
  g_assert_false (hw_layout_parse ("3x3 \xff\xfe,1", &layout, &error));
  g_assert_true (g_utf8_validate (error.token, -1, NULL));
}

static void
test_templates (void)
{
  const HwLayoutTemplate *t = hw_layout_get_templates ();
  guint n = 0;

  for (; t->name != NULL; t++, n++)
    {
      HwLayout by_name = parse_ok (t->name);
      HwLayout by_spec = parse_ok (t->spec);
      g_autofree char *upper = g_ascii_strup (t->name, -1);
      HwLayout by_upper = parse_ok (upper);
      g_autofree char *canonical = hw_layout_to_string (&by_name);

      g_assert_true (hw_layout_equal (&by_name, &by_spec));
      g_assert_true (hw_layout_equal (&by_name, &by_upper));
      g_assert_cmpstr (canonical, ==, t->spec);
      g_assert_false (hw_layout_is_uniform (&by_name));
      g_assert_nonnull (t->description);
      assert_tiles (&by_name);
    }
  g_assert_cmpuint (n, >=, 4);

  /* A big feature top-left, small cells around it. */
  {
    HwLayout spotlight = parse_ok ("spotlight");
    HwLayout main_side = parse_ok ("main-side");

    assert_area (&spotlight, 0, 0, 0, 2, 2);
    g_assert_cmpuint (spotlight.n_cells, ==, 6);
    assert_area (&main_side, 0, 0, 0, 3, 3);
    g_assert_cmpuint (main_side.n_cells, ==, 4);
  }
}

static void
test_canonical (void)
{
  static const char * const cases[][2] = {
    { "3x3 0,0,2,2", "3x3 0,0,2,2" },
    { "  3X3   0,0,2,2 ", "3x3 0,0,2,2" },
    { "3x3 1,2,2,1 0,0,2,2", "3x3 0,0,2,2 1,2,2,1" },
    { "3x3 2,2,1,1", "3x3" },                 /* a 1×1 span is no span */
    { "2x2", "2x2" },
    { "spotlight", "3x3 0,0,2,2" },
    { "8x8 0,0,8,8", "8x8 0,0,8,8" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      HwLayout layout = parse_ok (cases[i][0]);
      g_autofree char *text = hw_layout_to_string (&layout);
      HwLayout again = parse_ok (text);

      g_assert_cmpstr (text, ==, cases[i][1]);
      g_assert_true (hw_layout_equal (&layout, &again));
    }
}

/* Every layout of one span in grids up to 4×4 reads back from its text. */
static void
test_round_trip_sweep (void)
{
  guint n = 0;

  for (guint cols = 1; cols <= 4; cols++)
    for (guint rows = 1; rows <= 4; rows++)
      for (guint x = 0; x < cols; x++)
        for (guint y = 0; y < rows; y++)
          for (guint w = 1; x + w <= cols; w++)
            for (guint h = 1; y + h <= rows; h++)
              {
                g_autofree char *spec = g_strdup_printf ("%ux%u %u,%u,%u,%u", cols, rows,
                                                         x, y, w, h);
                HwLayout layout = parse_ok (spec);
                g_autofree char *text = hw_layout_to_string (&layout);
                HwLayout again = parse_ok (text);

                g_assert_true (hw_layout_equal (&layout, &again));
                g_assert_cmpuint (layout.n_cells, ==, cols * rows - w * h + 1);
                assert_tiles (&layout);
                n++;
              }
  g_assert_cmpuint (n, >, 100);
}

static void
test_uniform_init (void)
{
  HwLayout layout;

  hw_layout_init_uniform (&layout, 3, 2);
  g_assert_cmpuint (layout.n_cells, ==, 6);
  assert_area (&layout, 4, 1, 1, 1, 1);
  assert_tiles (&layout);

  /* Clamped like the keys. */
  hw_layout_init_uniform (&layout, 0, 20);
  g_assert_cmpuint (layout.columns, ==, 1);
  g_assert_cmpuint (layout.rows, ==, 8);
  g_assert_cmpint (hw_layout_cell_at (&layout, 1, 0), ==, -1);
}

/* ------------------------------------------------------------------ */
/* Focus                                                               */

static guint
move (const HwLayout    *layout,
      HwLayoutFocus     *focus,
      HwLayoutDirection  direction)
{
  *focus = hw_layout_move_focus (layout, *focus, direction);
  /* The square the ring passed through is always inside its cell. */
  g_assert_cmpint (hw_layout_cell_at (layout, focus->column, focus->row), ==, focus->cell);
  return focus->cell;
}

/* On a uniform grid the arrows do what they always did: a step in the
 * row or column, wrapping at the edges. */
static void
test_focus_uniform (void)
{
  static const guint sizes[][2] = { { 3, 3 }, { 4, 2 }, { 1, 5 }, { 8, 8 } };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      guint cols = sizes[s][0];
      guint rows = sizes[s][1];
      HwLayout layout;

      hw_layout_init_uniform (&layout, cols, rows);
      for (guint i = 0; i < cols * rows; i++)
        {
          guint row = i / cols;
          guint col = i % cols;
          HwLayoutFocus f;

          f = hw_layout_focus_cell (&layout, i);
          g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_LEFT), ==,
                            row * cols + (col + cols - 1) % cols);
          f = hw_layout_focus_cell (&layout, i);
          g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_RIGHT), ==,
                            row * cols + (col + 1) % cols);
          f = hw_layout_focus_cell (&layout, i);
          g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_UP), ==,
                            ((row + rows - 1) % rows) * cols + col);
          f = hw_layout_focus_cell (&layout, i);
          g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_DOWN), ==,
                            ((row + 1) % rows) * cols + col);
        }
    }
}

static void
test_focus_spans (void)
{
  HwLayout layout = parse_ok ("3x3 0,0,2,2");
  HwLayoutFocus f;

  /* Right from the large cell goes beside it, on the ring's row. */
  f = hw_layout_focus_cell (&layout, 0);
  g_assert_cmpuint (f.column, ==, 0);
  g_assert_cmpuint (f.row, ==, 0);
  g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_RIGHT), ==, 1);
  g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_DOWN), ==, 2);
  /* Left from cell 2 enters the large cell on row 1 ... */
  g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_LEFT), ==, 0);
  g_assert_cmpuint (f.row, ==, 1);
  /* ... so Right comes back to cell 2, not cell 1. */
  g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_RIGHT), ==, 2);
  /* Down from the large cell keeps the column it was entered by. */
  g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_LEFT), ==, 0);
  g_assert_cmpuint (f.column, ==, 1);
  g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_DOWN), ==, 4);
  g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_UP), ==, 0);
  g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_DOWN), ==, 4);
  g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_LEFT), ==, 3);
  g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_UP), ==, 0);
  g_assert_cmpuint (f.column, ==, 0);

  /* Wrapping: left from the large cell on row 0 is cell 1 at the far
   * right; up from it on column 0 is the bottom row's cell 3. */
  f = hw_layout_focus_cell (&layout, 0);
  g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_LEFT), ==, 1);
  f = hw_layout_focus_cell (&layout, 0);
  g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_UP), ==, 3);

  /* A remembered square outside the cell (Tab got there) is clamped in. */
  f = (HwLayoutFocus) { 5, 0, 0 };
  g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_UP), ==, 2);
  /* A cell that does not exist starts over at cell 0. */
  f = (HwLayoutFocus) { 40, 0, 0 };
  g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_UP), ==, 0);
}

static void
test_focus_center (void)
{
  HwLayout layout = parse_ok ("center");
  HwLayoutFocus f;
  guint centre;

  /* 4x4 1,1,2,2: cells 0–3 the top row, 4 (0,1), the centre 5 at (1,1). */
  centre = (guint) hw_layout_cell_at (&layout, 1, 1);
  g_assert_cmpuint (centre, ==, 5);
  f = hw_layout_focus_cell (&layout, 4);
  g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_RIGHT), ==, centre);
  g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_RIGHT), ==,
                    (guint) hw_layout_cell_at (&layout, 3, 1));

  /* Entering the centre from below on column 2, Up leaves on column 2. */
  f = hw_layout_focus_cell (&layout, (guint) hw_layout_cell_at (&layout, 2, 3));
  g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_UP), ==, centre);
  g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_UP), ==, 2);

  /* A cell as wide as the grid wraps onto itself. */
  layout = parse_ok ("2x2 0,0,2,1");
  f = hw_layout_focus_cell (&layout, 0);
  g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_RIGHT), ==, 0);
  g_assert_cmpuint (move (&layout, &f, HW_LAYOUT_DOWN), ==, 1);
}

/* ------------------------------------------------------------------ */
/* Matching                                                            */

static void
test_match (void)
{
  HwLayout uniform, bottom, big, fine;
  int map[HW_LAYOUT_MAX_CELLS];

  hw_layout_init_uniform (&uniform, 2, 2);
  bottom = parse_ok ("2x2 0,1,2,1");

  /* 2x2 to a layout joining the bottom row: the top two stay. */
  hw_layout_match (&uniform, &bottom, map);
  g_assert_cmpint (map[0], ==, 0);
  g_assert_cmpint (map[1], ==, 1);
  g_assert_cmpint (map[2], ==, -1);

  /* And back: the top two stay, the bottom row is new. */
  hw_layout_match (&bottom, &uniform, map);
  g_assert_cmpint (map[0], ==, 0);
  g_assert_cmpint (map[1], ==, 1);
  g_assert_cmpint (map[2], ==, -1);
  g_assert_cmpint (map[3], ==, -1);

  /* Same part of the wall in a finer grid; a kept cell may change index. */
  big = parse_ok ("2x2 0,0,1,2");
  fine = parse_ok ("4x4 0,0,2,4 2,2,2,2");
  hw_layout_match (&big, &fine, map);
  g_assert_cmpuint (fine.n_cells, ==, 6);
  g_assert_cmpint (map[0], ==, 0);    /* the left column */
  for (guint i = 1; i <= 4; i++)
    g_assert_cmpint (map[i], ==, -1);
  g_assert_cmpint (map[5], ==, 2);    /* bottom right: cell 2 of big */
  hw_layout_match (&uniform, &big, map);
  g_assert_cmpint (map[0], ==, -1);
  g_assert_cmpint (map[1], ==, 1);
  g_assert_cmpint (map[2], ==, 3);

  /* Uniform to uniform keeps indices, as + and − always did. */
  {
    HwLayout three;

    hw_layout_init_uniform (&three, 3, 3);
    hw_layout_match (&uniform, &three, map);
    for (guint i = 0; i < 9; i++)
      g_assert_cmpint (map[i], ==, i < 4 ? (int) i : -1);
    hw_layout_match (&three, &uniform, map);
    for (guint i = 0; i < 4; i++)
      g_assert_cmpint (map[i], ==, (int) i);
  }

  /* The same layout keeps every cell where it is. */
  hw_layout_match (&fine, &fine, map);
  for (guint i = 0; i < fine.n_cells; i++)
    g_assert_cmpint (map[i], ==, (int) i);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hyperwall/pure/layout/parse/example", test_parse_example);
  g_test_add_func ("/hyperwall/pure/layout/parse/spans", test_parse_spans);
  g_test_add_func ("/hyperwall/pure/layout/parse/errors", test_parse_errors);
  g_test_add_func ("/hyperwall/pure/layout/parse/error-token-cut", test_error_token_cut);
  g_test_add_func ("/hyperwall/pure/layout/templates", test_templates);
  g_test_add_func ("/hyperwall/pure/layout/canonical", test_canonical);
  g_test_add_func ("/hyperwall/pure/layout/round-trip-sweep", test_round_trip_sweep);
  g_test_add_func ("/hyperwall/pure/layout/uniform", test_uniform_init);
  g_test_add_func ("/hyperwall/pure/layout/focus/uniform", test_focus_uniform);
  g_test_add_func ("/hyperwall/pure/layout/focus/spans", test_focus_spans);
  g_test_add_func ("/hyperwall/pure/layout/focus/center", test_focus_center);
  g_test_add_func ("/hyperwall/pure/layout/match", test_match);

  return g_test_run ();
}
