/* hw-status-writer.h: the status file monitoring systems and tests read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _HwStatusWriter HwStatusWriter;

HwStatusWriter *hw_status_writer_new   (const char     *path);
void            hw_status_writer_free  (HwStatusWriter *self);
/* Atomically replaces the file (a temporary file, then rename). A failure
 * is logged once per kind and never stops the wall. */
gboolean        hw_status_writer_write (HwStatusWriter *self,
                                        JsonNode       *root);
void            hw_status_writer_remove (HwStatusWriter *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HwStatusWriter, hw_status_writer_free)

G_END_DECLS
