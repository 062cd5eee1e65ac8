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

/* Temporaries of the status file older than this are left over from a
 * killed run; hw_status_writer_new() removes them. */
#define HW_STATUS_TEMP_MAX_AGE_S 3600
guint           hw_status_writer_sweep (HwStatusWriter *self,
                                        gint64          max_age_s);
gboolean        hw_status_writer_is_temp_name (const char *base,
                                               const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HwStatusWriter, hw_status_writer_free)

G_END_DECLS
