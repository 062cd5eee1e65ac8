/* hw-offline-index.h: the copies of videos a wall keeps on disk.
 *
 * One folder (by default $XDG_CACHE_HOME/hyperwall/media) holds, per item
 * id, the video as "<id>.video" and what is known of it in "<id>.info" (a
 * key file: title, duration, the server's DateModified and size, when it
 * was last played). A copy is written as ".<id>.partial" and only
 * becomes one when it is complete (hw_offline_index_add ()). The index is
 * rebuilt from the folder when it is made: partial files, copies whose
 * size is not the size recorded (truncated) or that cannot be opened, and
 * anything else of its own naming that does not pair up are removed, so a
 * wall restarted while its server is away plays from what is there.
 * Nothing here talks to a server; downloading is the Emby side's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  char   *id;
  char   *title;
  double  duration;          /* seconds; 0 when unknown */
  char   *date_modified;     /* as the server said it; NULL when it did not */
  gint64  size;              /* bytes */
  gint64  last_played_us;    /* wall-clock time it was last handed to a cell; 0: never */
} HwOfflineCopy;

#define HW_TYPE_OFFLINE_INDEX (hw_offline_index_get_type ())

G_DECLARE_FINAL_TYPE (HwOfflineIndex, hw_offline_index, HW, OFFLINE_INDEX, GObject)

/* The folder's copies; the folder is made (0700) when missing. */
HwOfflineIndex      *hw_offline_index_new               (const char           *directory);
/* $XDG_CACHE_HOME/hyperwall/media. */
char                *hw_offline_index_default_directory (void);
/* An item id usable as a file name: letters, digits, '-' and '_', at most
 * 64 of them. Other ids are never kept. */
gboolean             hw_offline_index_id_is_valid       (const char           *id);

const char          *hw_offline_index_get_directory     (HwOfflineIndex       *self);
guint                hw_offline_index_get_n_items       (HwOfflineIndex       *self);
gint64               hw_offline_index_get_bytes         (HwOfflineIndex       *self);
/* NULL when there is no copy of @id. */
const HwOfflineCopy *hw_offline_index_lookup            (HwOfflineIndex       *self,
                                                         const char           *id);
/* A copy of @id with this @size and (unless either is NULL) this
 * @date_modified is on disk: nothing to fetch. */
gboolean             hw_offline_index_is_current        (HwOfflineIndex       *self,
                                                         const char           *id,
                                                         const char           *date_modified,
                                                         gint64                size);
/* The file of @id's copy, or NULL. */
char                *hw_offline_index_dup_path          (HwOfflineIndex       *self,
                                                         const char           *id);
/* Where a copy of @id is written before it is complete. */
char                *hw_offline_index_dup_partial_path  (HwOfflineIndex       *self,
                                                         const char           *id);
/* The ids of every copy (char *), played longest ago first. */
GPtrArray           *hw_offline_index_dup_play_order    (HwOfflineIndex       *self);
/* @id was handed to a cell at @real_now_us (wall-clock): it goes last. */
void                 hw_offline_index_mark_played       (HwOfflineIndex       *self,
                                                         const char           *id,
                                                         gint64                real_now_us);
/* The partial file of @copy->id becomes its copy when it holds exactly
 * @copy->size bytes, replacing an older copy; else it is removed and
 * G_IO_ERROR_PARTIAL_INPUT (or the file error) is set. */
gboolean             hw_offline_index_add               (HwOfflineIndex       *self,
                                                         const HwOfflineCopy  *copy,
                                                         GError              **error);
void                 hw_offline_index_remove            (HwOfflineIndex       *self,
                                                         const char           *id);
/* Removes copies, played longest ago first, until the copies and
 * @incoming_bytes fit in @allowed_bytes; returns how many went. */
guint                hw_offline_index_evict             (HwOfflineIndex       *self,
                                                         gint64                incoming_bytes,
                                                         gint64                allowed_bytes);

G_END_DECLS
