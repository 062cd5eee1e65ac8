/* hw-source-spec.h: what a cell plays, as text (the `sources` key).
 *
 *   library:NAME-or-ID     a library's items, shuffled
 *   playlist:NAME-or-ID    a playlist, in order, looping
 *   collection:NAME-or-ID  a collection (box set), shuffled
 *   items:ID,ID,…          these items, in order, looping
 *   folder:PATH            the videos in a folder, shuffled
 *   (empty)                the wall's own feed
 *
 * A `?shuffle` or `?in-order` suffix overrides the order; in order always
 * loops back to the first item.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "hw-spec-error.h"

G_BEGIN_DECLS

#define HW_SOURCE_MAX_ITEMS 1000

typedef enum {
  HW_SOURCE_DEFAULT,
  HW_SOURCE_LIBRARY,
  HW_SOURCE_PLAYLIST,
  HW_SOURCE_COLLECTION,
  HW_SOURCE_ITEMS,
  HW_SOURCE_FOLDER,
} HwSourceKind;

typedef struct {
  HwSourceKind  kind;
  char         *name;      /* library, playlist, collection: name or id; folder: path */
  char        **items;     /* items: the ids, in order; else NULL */
  gboolean      shuffle;   /* FALSE: in order, looping */
} HwSourceSpec;

/* Parses @text (NULL or blank: HW_SOURCE_DEFAULT). On failure @spec is
 * cleared and @error (may be NULL) says why. */
gboolean    hw_source_spec_parse     (const char         *text,
                                      HwSourceSpec       *spec,
                                      HwSpecError        *error);
/* Frees what @spec holds; it is HW_SOURCE_DEFAULT afterwards. */
void        hw_source_spec_clear     (HwSourceSpec       *spec);
/* The canonical text: the kind, the value, and a suffix only where the
 * order is not the kind's own. The default source is "". */
char       *hw_source_spec_to_string (const HwSourceSpec *spec);
const char *hw_source_kind_to_string (HwSourceKind        kind);
/* Whether @kind shuffles when the text does not say. */
gboolean    hw_source_kind_shuffles  (HwSourceKind        kind);

G_END_DECLS
