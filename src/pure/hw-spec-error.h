/* hw-spec-error.h: why a layout or source SPEC was refused.
 *
 * The pure parsers say what is wrong and where, never in words: the words
 * are translated where they are shown (hw_spec_error_describe() in the
 * core layer), so the rules stay free of gettext and their tests compare
 * codes, not sentences.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  HW_SPEC_OK,
  /* Layouts */
  HW_SPEC_ERROR_LAYOUT_EMPTY,         /* nothing but spaces */
  HW_SPEC_ERROR_LAYOUT_GRID,          /* @token is neither COLSxROWS nor a template */
  HW_SPEC_ERROR_LAYOUT_GRID_SIZE,     /* @token: a side is 0 or over HW_LAYOUT_MAX_SIDE */
  HW_SPEC_ERROR_LAYOUT_SPAN,          /* @token is not X,Y,W,H */
  HW_SPEC_ERROR_LAYOUT_SPAN_ZERO,     /* @token has a width or height of 0 */
  HW_SPEC_ERROR_LAYOUT_SPAN_OUTSIDE,  /* @token reaches past the grid @other */
  HW_SPEC_ERROR_LAYOUT_SPAN_OVERLAP,  /* @token overlaps the earlier span @other */
  HW_SPEC_ERROR_LAYOUT_TEMPLATE_SPANS,/* spans after the template name @token */
  /* Sources */
  HW_SPEC_ERROR_SOURCE_KIND,          /* @token is not library:, playlist:, … */
  HW_SPEC_ERROR_SOURCE_VALUE,         /* nothing after the kind @token */
  HW_SPEC_ERROR_SOURCE_ITEM,          /* @token is not an item id */
  HW_SPEC_ERROR_SOURCE_TOO_MANY,      /* more item ids than HW_SOURCE_MAX_ITEMS */
  HW_SPEC_ERROR_SOURCE_OPTION,        /* @token after ? is neither shuffle nor in-order */
} HwSpecErrorCode;

/* Long enough for any valid token; a longer one is cut (with "…"). */
#define HW_SPEC_TOKEN_MAX 48

typedef struct {
  HwSpecErrorCode code;
  char            token[HW_SPEC_TOKEN_MAX];  /* the part of the text at fault */
  char            other[HW_SPEC_TOKEN_MAX];  /* what it collides with, or "" */
} HwSpecError;

/* Fills @error (which may be NULL): @token_length bytes of @token (-1: up
 * to its end), and @other (NULL: none). */
void hw_spec_error_set   (HwSpecError     *error,
                          HwSpecErrorCode  code,
                          const char      *token,
                          gssize           token_length,
                          const char      *other);
void hw_spec_error_clear (HwSpecError     *error);

G_END_DECLS
