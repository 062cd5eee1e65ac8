/* hw-layout.h: which cell covers which part of the wall.
 *
 * A layout is a grid of COLS × ROWS squares, some of them joined into
 * larger cells by spans; every square belongs to exactly one cell. As
 * text (the `layout` key), a SPEC:
 *
 *   COLSxROWS [X,Y,W,H …]
 *
 * spans in grid squares, zero-based, separated by spaces; the squares no
 * span covers are cells of their own. Cells are numbered in reading order
 * of their top-left corners: `3x3 0,0,2,2` is six cells, cell 0 the 2×2
 * top-left, cell 1 at (2,0), cell 2 at (2,1), cells 3–5 the bottom row.
 * A template name (hw_layout_get_templates()) stands for its SPEC.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "hw-spec-error.h"

G_BEGIN_DECLS

#define HW_LAYOUT_MAX_SIDE  8
#define HW_LAYOUT_MAX_CELLS (HW_LAYOUT_MAX_SIDE * HW_LAYOUT_MAX_SIDE)

typedef struct {
  guint x;
  guint y;
  guint width;
  guint height;
} HwLayoutArea;

typedef struct {
  guint        columns;
  guint        rows;
  guint        n_cells;
  HwLayoutArea cells[HW_LAYOUT_MAX_CELLS];   /* index order */
} HwLayout;

typedef struct {
  const char *name;
  const char *spec;
  const char *description;   /* English, for the documentation */
} HwLayoutTemplate;

/* Every square its own cell; @columns and @rows are clamped to 1..8. */
void        hw_layout_init_uniform (HwLayout       *layout,
                                    guint           columns,
                                    guint           rows);
/* Parses a SPEC or a template name. On failure @layout is untouched and
 * @error (may be NULL) says why. */
gboolean    hw_layout_parse        (const char     *text,
                                    HwLayout       *layout,
                                    HwSpecError    *error);
/* The canonical SPEC: `COLSxROWS` then the cells larger than one square,
 * in index order; what hw_layout_parse() reads back to an equal layout. */
char       *hw_layout_to_string    (const HwLayout *layout);
gboolean    hw_layout_equal        (const HwLayout *a,
                                    const HwLayout *b);
/* TRUE when every cell is one square. */
gboolean    hw_layout_is_uniform   (const HwLayout *layout);
/* The cell covering square (@column, @row); -1 outside the grid. */
int         hw_layout_cell_at      (const HwLayout *layout,
                                    guint           column,
                                    guint           row);
/* Squares @cell covers: its share of anything split by area. */
guint       hw_layout_cell_weight  (const HwLayout *layout,
                                    guint           cell);

/* NULL-terminated by a NULL name. */
const HwLayoutTemplate *hw_layout_get_templates (void);

/* Spatial focus. The ring remembers, besides its cell, the square it last
 * passed through: moving right from a tall cell keeps to that row, so
 * Right, Right, Left comes back along the same row. Moves wrap at the
 * edges of the grid; Tab and Shift+Tab go by index instead. */
typedef enum {
  HW_LAYOUT_LEFT,
  HW_LAYOUT_RIGHT,
  HW_LAYOUT_UP,
  HW_LAYOUT_DOWN,
} HwLayoutDirection;

typedef struct {
  guint cell;
  guint column;   /* the square passed through, inside the cell */
  guint row;
} HwLayoutFocus;

/* The focus on @cell at its top-left square (Tab, a click, a new layout). */
HwLayoutFocus hw_layout_focus_cell (const HwLayout    *layout,
                                    guint              cell);
/* The neighbour of @from's cell in @direction: of the cells beside it,
 * the one on the ring's row (left, right) or column (up, down). */
HwLayoutFocus hw_layout_move_focus (const HwLayout    *layout,
                                    HwLayoutFocus      from,
                                    HwLayoutDirection  direction);

/* Live rebuild: @old_for_new[i] is the cell of @old_layout that new cell
 * i keeps, or -1 for a new cell. When either layout has spans, a cell is
 * kept when it covers the same part of the wall: the same rectangle as a
 * fraction of the grid, so a 2×2 square in 4x4 is the 1×1 one in 2x2.
 * Between two uniform grids cells keep their index instead, the first
 * min(old, new) of them. @old_for_new has room for @new_layout->n_cells
 * entries. */
void        hw_layout_match        (const HwLayout *old_layout,
                                    const HwLayout *new_layout,
                                    int            *old_for_new);

G_END_DECLS
