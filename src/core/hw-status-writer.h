/* hw-status-writer.h: the status file monitoring systems and tests read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _HwStatusWriter HwStatusWriter;

HwStatusWriter *hw_status_writer_new   (const char     *path);
/* Writes what was handed over, then stops the writer thread. */
void            hw_status_writer_free  (HwStatusWriter *self);
/* Serializes @root now and hands the text to the writer thread, which
 * atomically replaces the file (a temporary file, then rename) without
 * syncing it. Never waits for the disk: a snapshot not yet written is
 * replaced by a newer one. A failure is logged once (until a write
 * succeeds again) and never stops the wall. */
void            hw_status_writer_write (HwStatusWriter *self,
                                        JsonNode       *root);
/* Waits until everything handed over is written; FALSE if the last write
 * failed. For tests and shutdown, never for the running wall. */
gboolean        hw_status_writer_flush (HwStatusWriter *self);
/* Drops what was not written yet and removes the file. */
void            hw_status_writer_remove (HwStatusWriter *self);

/* What a scheduled write writes: a new snapshot, owned by the caller. */
typedef JsonNode *(*HwStatusBuildFunc) (gpointer user_data);
/* Sets what hw_status_writer_schedule () builds; @user_data must outlive
 * the writer or the writer's next hw_status_writer_unschedule (). */
void            hw_status_writer_set_builder (HwStatusWriter   *self,
                                              HwStatusBuildFunc build,
                                              gpointer          user_data);
/* Builds and writes a snapshot from an idle of the main loop, so that a
 * burst of changes costs one write. Main thread only. */
void            hw_status_writer_schedule   (HwStatusWriter   *self);
/* Drops a scheduled write that has not run yet. */
void            hw_status_writer_unschedule (HwStatusWriter   *self);

/* Temporaries of the status file older than this are left over from a
 * killed run; hw_status_writer_new() removes them. */
#define HW_STATUS_TEMP_MAX_AGE_S 3600
guint           hw_status_writer_sweep (HwStatusWriter *self,
                                        gint64          max_age_s);
/* Whether @name is a temporary of the status file named @base:
 * ".<base>.hyperwall-XXXXXX.tmp", the X filled in. Nothing else is ever
 * swept, whatever its age. */
gboolean        hw_status_writer_is_temp_name (const char *base,
                                               const char *name);
/* The g_mkstemp() template of a temporary next to @path. */
char           *hw_status_writer_temp_template (const char *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HwStatusWriter, hw_status_writer_free)

G_END_DECLS
