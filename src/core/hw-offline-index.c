/* hw-offline-index.c: the copies of videos a wall keeps on disk.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "hw-offline-index.h"
#include "hw-offline-policy.h"

#define VIDEO_SUFFIX   ".video"
#define INFO_SUFFIX    ".info"
#define PARTIAL_SUFFIX ".partial"
#define INFO_GROUP     "Copy"
#define ID_MAX         64

struct _HwOfflineIndex
{
  GObject     parent_instance;

  char       *directory;
  GHashTable *copies;        /* id → HwOfflineCopy */
  gint64      bytes;
};

G_DEFINE_FINAL_TYPE (HwOfflineIndex, hw_offline_index, G_TYPE_OBJECT)

static void
copy_free (HwOfflineCopy *copy)
{
  g_free (copy->id);
  g_free (copy->title);
  g_free (copy->date_modified);
  g_free (copy);
}

static HwOfflineCopy *
copy_dup (const HwOfflineCopy *copy)
{
  HwOfflineCopy *dup = g_new0 (HwOfflineCopy, 1);

  *dup = *copy;
  dup->id = g_strdup (copy->id);
  dup->title = g_strdup (copy->title);
  dup->date_modified = g_strdup (copy->date_modified);
  return dup;
}

gboolean
hw_offline_index_id_is_valid (const char *id)
{
  gsize n = 0;

  if (id == NULL)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++, n++)
    if (n >= ID_MAX || !(g_ascii_isalnum (*p) || *p == '-' || *p == '_'))
      return FALSE;
  return n > 0;
}

char *
hw_offline_index_default_directory (void)
{
  return g_build_filename (g_get_user_cache_dir (), "hyperwall", "media", NULL);
}

static char *
file_of (HwOfflineIndex *self,
         const char     *id,
         const char     *suffix)
{
  g_autofree char *name = g_strconcat (id, suffix, NULL);

  return g_build_filename (self->directory, name, NULL);
}

char *
hw_offline_index_dup_partial_path (HwOfflineIndex *self,
                                   const char     *id)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (HW_IS_OFFLINE_INDEX (self), NULL);
  g_return_val_if_fail (hw_offline_index_id_is_valid (id), NULL);

  name = g_strconcat (".", id, PARTIAL_SUFFIX, NULL);
  return g_build_filename (self->directory, name, NULL);
}

/* The info file, written in place on the main thread: no temporary and
 * rename, which GLib would sync to disk. A record torn by a power cut
 * no longer reads, and the copy goes at the next start: that costs one
 * download, never a blocked wall. */
static void
write_info (HwOfflineIndex      *self,
            const HwOfflineCopy *copy)
{
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  g_autofree char *path = file_of (self, copy->id, INFO_SUFFIX);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  g_key_file_set_string (keys, INFO_GROUP, "Title", copy->title ? copy->title : copy->id);
  g_key_file_set_double (keys, INFO_GROUP, "Duration", copy->duration);
  if (copy->date_modified != NULL)
    g_key_file_set_string (keys, INFO_GROUP, "DateModified", copy->date_modified);
  g_key_file_set_int64 (keys, INFO_GROUP, "Size", copy->size);
  g_key_file_set_int64 (keys, INFO_GROUP, "LastPlayed", copy->last_played_us);
  data = g_key_file_to_data (keys, &length, NULL);
  if (!g_file_set_contents_full (path, data, (gssize) length, G_FILE_SET_CONTENTS_NONE,
                                 0600, &error))
    g_message ("Offline cache: could not write %s: %s", path, error->message);
}

/* A copy whose info file reads, whose video has the recorded size and
 * opens; NULL otherwise. */
static HwOfflineCopy *
read_copy (HwOfflineIndex *self,
           const char     *id)
{
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  g_autofree char *info = file_of (self, id, INFO_SUFFIX);
  g_autofree char *video = file_of (self, id, VIDEO_SUFFIX);
  g_autoptr(GError) error = NULL;
  HwOfflineCopy *copy;
  GStatBuf st;
  int fd;

  if (!g_key_file_load_from_file (keys, info, G_KEY_FILE_NONE, &error))
    return NULL;

  copy = g_new0 (HwOfflineCopy, 1);
  copy->id = g_strdup (id);
  copy->title = g_key_file_get_string (keys, INFO_GROUP, "Title", NULL);
  copy->duration = MAX (0.0, g_key_file_get_double (keys, INFO_GROUP, "Duration", NULL));
  copy->date_modified = g_key_file_get_string (keys, INFO_GROUP, "DateModified", NULL);
  copy->size = g_key_file_get_int64 (keys, INFO_GROUP, "Size", NULL);
  copy->last_played_us = g_key_file_get_int64 (keys, INFO_GROUP, "LastPlayed", NULL);

  fd = g_open (video, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0 || fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || copy->size <= 0 ||
      (gint64) st.st_size != copy->size)
    {
      if (fd >= 0)
        close (fd);
      copy_free (copy);
      return NULL;
    }
  close (fd);
  return copy;
}

static void
remove_files (HwOfflineIndex *self,
              const char     *id)
{
  g_autofree char *info = file_of (self, id, INFO_SUFFIX);
  g_autofree char *video = file_of (self, id, VIDEO_SUFFIX);

  g_unlink (video);
  g_unlink (info);
}

static void
remove_name (HwOfflineIndex *self,
             const char     *name,
             const char     *why)
{
  g_autofree char *path = g_build_filename (self->directory, name, NULL);

  if (g_unlink (path) == 0)
    g_message ("Offline cache: removed %s (%s)", name, why);
}

/* Rebuilds the index from the folder. Only names of its own making are
 * touched; anything else in the folder is left alone. */
static void
scan (HwOfflineIndex *self)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) stray = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *name;

  dir = g_dir_open (self->directory, 0, &error);
  if (dir == NULL)
    {
      g_message ("Offline cache: cannot read %s: %s", self->directory, error->message);
      return;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *id = NULL;

      if (name[0] == '.' && g_str_has_suffix (name, PARTIAL_SUFFIX))
        g_ptr_array_add (stray, g_strdup (name));
      else if (g_str_has_suffix (name, INFO_SUFFIX))
        {
          id = g_strndup (name, strlen (name) - strlen (INFO_SUFFIX));
          if (hw_offline_index_id_is_valid (id))
            {
              HwOfflineCopy *copy = read_copy (self, id);

              if (copy != NULL)
                {
                  self->bytes += copy->size;
                  g_hash_table_insert (self->copies, copy->id, copy);
                }
              else
                {
                  g_message ("Offline cache: the copy of item %s is damaged or incomplete; "
                             "removed", id);
                  remove_files (self, id);
                }
            }
        }
      else if (g_str_has_suffix (name, VIDEO_SUFFIX))
        g_ptr_array_add (stray, g_strdup (name));
    }

  for (guint i = 0; i < stray->len; i++)
    {
      const char *file = g_ptr_array_index (stray, i);
      g_autofree char *id = NULL;

      if (g_str_has_suffix (file, PARTIAL_SUFFIX))
        {
          remove_name (self, file, "an unfinished download");
          continue;
        }
      id = g_strndup (file, strlen (file) - strlen (VIDEO_SUFFIX));
      if (!g_hash_table_contains (self->copies, id))
        remove_name (self, file, "no record of it");
    }
}

HwOfflineIndex *
hw_offline_index_new (const char *directory)
{
  HwOfflineIndex *self;

  g_return_val_if_fail (directory != NULL, NULL);

  self = g_object_new (HW_TYPE_OFFLINE_INDEX, NULL);
  self->directory = g_strdup (directory);
  if (g_mkdir_with_parents (directory, 0700) != 0)
    g_message ("Offline cache: cannot make %s: %s", directory, g_strerror (errno));
  scan (self);
  if (g_hash_table_size (self->copies) > 0)
    g_message ("Offline cache: %u copies, %" G_GINT64_FORMAT " MiB",
               g_hash_table_size (self->copies), self->bytes >> 20);
  return self;
}

const char *
hw_offline_index_get_directory (HwOfflineIndex *self)
{
  g_return_val_if_fail (HW_IS_OFFLINE_INDEX (self), NULL);
  return self->directory;
}

guint
hw_offline_index_get_n_items (HwOfflineIndex *self)
{
  g_return_val_if_fail (HW_IS_OFFLINE_INDEX (self), 0);
  return g_hash_table_size (self->copies);
}

gint64
hw_offline_index_get_bytes (HwOfflineIndex *self)
{
  g_return_val_if_fail (HW_IS_OFFLINE_INDEX (self), 0);
  return self->bytes;
}

const HwOfflineCopy *
hw_offline_index_lookup (HwOfflineIndex *self,
                         const char     *id)
{
  g_return_val_if_fail (HW_IS_OFFLINE_INDEX (self), NULL);
  return id != NULL ? g_hash_table_lookup (self->copies, id) : NULL;
}

gboolean
hw_offline_index_is_current (HwOfflineIndex *self,
                             const char     *id,
                             const char     *date_modified,
                             gint64          size)
{
  const HwOfflineCopy *copy = hw_offline_index_lookup (self, id);

  if (copy == NULL || copy->size != size)
    return FALSE;
  return date_modified == NULL || copy->date_modified == NULL ||
         g_str_equal (date_modified, copy->date_modified);
}

char *
hw_offline_index_dup_path (HwOfflineIndex *self,
                           const char     *id)
{
  if (hw_offline_index_lookup (self, id) == NULL)
    return NULL;
  return file_of (self, id, VIDEO_SUFFIX);
}

static GArray *
entries_by_play (HwOfflineIndex *self)
{
  GArray *entries = g_array_sized_new (FALSE, FALSE, sizeof (HwOfflineEntry),
                                       g_hash_table_size (self->copies));
  GHashTableIter iter;
  HwOfflineCopy *copy;

  g_hash_table_iter_init (&iter, self->copies);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &copy))
    {
      HwOfflineEntry entry = { copy->id, copy->size, copy->last_played_us };

      g_array_append_val (entries, entry);
    }
  hw_offline_sort_by_play ((HwOfflineEntry *) (gpointer) entries->data, entries->len);
  return entries;
}

GPtrArray *
hw_offline_index_dup_play_order (HwOfflineIndex *self)
{
  g_autoptr(GArray) entries = NULL;
  GPtrArray *ids;

  g_return_val_if_fail (HW_IS_OFFLINE_INDEX (self), NULL);

  entries = entries_by_play (self);
  ids = g_ptr_array_new_full (entries->len, g_free);
  for (guint i = 0; i < entries->len; i++)
    g_ptr_array_add (ids, g_strdup (g_array_index (entries, HwOfflineEntry, i).id));
  return ids;
}

void
hw_offline_index_mark_played (HwOfflineIndex *self,
                              const char     *id,
                              gint64          real_now_us)
{
  HwOfflineCopy *copy;

  g_return_if_fail (HW_IS_OFFLINE_INDEX (self));

  copy = id != NULL ? g_hash_table_lookup (self->copies, id) : NULL;
  if (copy == NULL)
    return;
  copy->last_played_us = real_now_us;
  write_info (self, copy);
}

void
hw_offline_index_remove (HwOfflineIndex *self,
                         const char     *id)
{
  HwOfflineCopy *copy;

  g_return_if_fail (HW_IS_OFFLINE_INDEX (self));

  copy = id != NULL ? g_hash_table_lookup (self->copies, id) : NULL;
  if (copy == NULL)
    return;
  self->bytes -= copy->size;
  /* A cell may still play the file: it keeps its open descriptor. */
  remove_files (self, id);
  g_hash_table_remove (self->copies, id);
}

gboolean
hw_offline_index_add (HwOfflineIndex       *self,
                      const HwOfflineCopy  *copy,
                      GError              **error)
{
  g_autofree char *partial = NULL;
  g_autofree char *video = NULL;
  HwOfflineCopy *added;
  GStatBuf st;

  g_return_val_if_fail (HW_IS_OFFLINE_INDEX (self), FALSE);
  g_return_val_if_fail (copy != NULL && hw_offline_index_id_is_valid (copy->id), FALSE);

  partial = hw_offline_index_dup_partial_path (self, copy->id);
  video = file_of (self, copy->id, VIDEO_SUFFIX);
  if (g_stat (partial, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
      return FALSE;
    }
  if ((gint64) st.st_size != copy->size || copy->size <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                   "%" G_GINT64_FORMAT " bytes where the server said %" G_GINT64_FORMAT,
                   (gint64) st.st_size, copy->size);
      g_unlink (partial);
      return FALSE;
    }

  hw_offline_index_remove (self, copy->id);
  if (g_rename (partial, video) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
      g_unlink (partial);
      return FALSE;
    }
  added = copy_dup (copy);
  write_info (self, added);
  self->bytes += added->size;
  g_hash_table_insert (self->copies, added->id, added);
  return TRUE;
}

guint
hw_offline_index_evict (HwOfflineIndex *self,
                        gint64          incoming_bytes,
                        gint64          allowed_bytes)
{
  g_autoptr(GArray) entries = NULL;
  g_autoptr(GPtrArray) doomed = g_ptr_array_new_with_free_func (g_free);
  guint n;

  g_return_val_if_fail (HW_IS_OFFLINE_INDEX (self), 0);

  entries = entries_by_play (self);
  n = hw_offline_evictions_needed ((HwOfflineEntry *) (gpointer) entries->data, entries->len,
                                   self->bytes, incoming_bytes, allowed_bytes);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (doomed, g_strdup (g_array_index (entries, HwOfflineEntry, i).id));
  for (guint i = 0; i < doomed->len; i++)
    {
      g_debug ("Offline cache: gave back the copy of item %s", (char *) doomed->pdata[i]);
      hw_offline_index_remove (self, doomed->pdata[i]);
    }
  return n;
}

static void
hw_offline_index_finalize (GObject *object)
{
  HwOfflineIndex *self = HW_OFFLINE_INDEX (object);

  g_clear_pointer (&self->copies, g_hash_table_unref);
  g_clear_pointer (&self->directory, g_free);

  G_OBJECT_CLASS (hw_offline_index_parent_class)->finalize (object);
}

static void
hw_offline_index_class_init (HwOfflineIndexClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hw_offline_index_finalize;
}

static void
hw_offline_index_init (HwOfflineIndex *self)
{
  /* The key is the copy's own id. */
  self->copies = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) copy_free);
}
