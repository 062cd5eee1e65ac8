/* hw-local-feed.c: the video files in one folder.
 *
 * The folder is listed in a worker thread (a network mount may block), on
 * the first request and again whenever the pool has been used up, so files
 * copied in later join the next round and deleted ones leave it. Requests
 * that arrive while a listing runs wait for it, but not for ever: a hung
 * mount fails them after a deadline with a reason the card can show. A
 * file the player cannot play is set aside until it changes on disk (its
 * size or modification time). The shuffle, the "never on two cells" and
 * "no repeat within a round" rules are HwItemPool's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "hw-item-pool.h"
#include "hw-local-feed-private.h"

/* A listing that takes longer than this is hung (a dead network mount). */
#define LISTING_DEADLINE_MS (15 * 1000)

/* What a file looked like when listed: it "changed" when either differs. */
typedef struct {
  guint64 size;
  gint64  mtime_us;
} LocalStamp;

typedef struct {
  char       *path;
  LocalStamp  stamp;
} LocalEntry;

struct _HwLocalFeed
{
  GObject          parent_instance;

  char            *directory;
  HwItemPool      *pool;          /* id = path, data = path */
  GHashTable      *known;         /* path → LocalStamp: the paths in the pool */
  GHashTable      *unplayable;    /* path → LocalStamp: set aside until it changes */
  GQueue           waiting;       /* GTask*: requests waiting for the listing */
  GError          *scan_error;    /* the last listing failed (no folder) */
  GError          *overdue;       /* the listing running now passed its deadline */
  int              logged_code;   /* the last error logged, -1 for none */
  guint            cells;         /* cells seen asking: how many share the files */
  guint            deadline_ms;
  guint            deadline_id;
  GTaskThreadFunc  lister;
  guint            scanning : 1;
  guint            scanned : 1;
  guint            in_order : 1;
};

static void hw_local_feed_iface_init (HwFeedInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HwLocalFeed, hw_local_feed, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HW_TYPE_FEED, hw_local_feed_iface_init))

enum {
  PROP_0,
  PROP_DIRECTORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const video_extensions[] = {
  "mp4", "mkv", "webm", "mov", "avi", "ts", "m4v", "mpg", "ogv", NULL
};

gboolean
hw_local_feed_is_video_name (const char *basename)
{
  const char *dot;
  g_autofree char *ext = NULL;

  g_return_val_if_fail (basename != NULL, FALSE);

  dot = strrchr (basename, '.');
  if (dot == NULL || dot == basename || dot[1] == '\0')
    return FALSE;

  ext = g_ascii_strdown (dot + 1, -1);
  return g_strv_contains (video_extensions, ext);
}

/* ------------------------------------------------------------------ */
/* Listing, in a worker thread                                         */

static gboolean
hw_local_feed_is_video (GFileInfo *info)
{
  const char *content_type;
  g_autofree char *mime = NULL;

  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    return FALSE;
  if (hw_local_feed_is_video_name (g_file_info_get_name (info)))
    return TRUE;

  /* Guessed from the name only: sniffing every file would read them all. */
  content_type = g_file_info_get_attribute_string (info,
                                                   G_FILE_ATTRIBUTE_STANDARD_FAST_CONTENT_TYPE);
  if (content_type == NULL)
    return FALSE;
  mime = g_content_type_get_mime_type (content_type);
  return mime != NULL && g_str_has_prefix (mime, "video/");
}

void
_hw_local_feed_entry_free (gpointer data)
{
  LocalEntry *entry = data;

  g_free (entry->path);
  g_free (entry);
}

static LocalStamp *
local_stamp_dup (const LocalStamp *stamp)
{
  return g_memdup2 (stamp, sizeof *stamp);
}

static gboolean
local_stamp_equal (const LocalStamp *a,
                   const LocalStamp *b)
{
  return a->size == b->size && a->mtime_us == b->mtime_us;
}

/* Returns a GPtrArray of LocalEntry. */
static void
hw_local_feed_list_thread (GTask        *task,
                           gpointer      source_object,
                           gpointer      task_data,
                           GCancellable *cancellable)
{
  const char *directory = task_data;
  g_autoptr(GFile) folder = g_file_new_for_path (directory);
  g_autoptr(GFileEnumerator) enumerator = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (_hw_local_feed_entry_free);
  g_autoptr(GError) error = NULL;

  enumerator = g_file_enumerate_children (folder,
                                          G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                          G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                          G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                          G_FILE_ATTRIBUTE_TIME_MODIFIED ","
                                          G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC ","
                                          G_FILE_ATTRIBUTE_STANDARD_FAST_CONTENT_TYPE,
                                          G_FILE_QUERY_INFO_NONE, cancellable, &error);
  if (enumerator == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  for (;;)
    {
      GFileInfo *info = NULL;

      if (!g_file_enumerator_iterate (enumerator, &info, NULL, cancellable, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      if (info == NULL)
        break;
      if (hw_local_feed_is_video (info))
        {
          LocalEntry *entry = g_new0 (LocalEntry, 1);

          entry->path = g_build_filename (directory, g_file_info_get_name (info), NULL);
          entry->stamp.size = g_file_info_get_size (info);
          entry->stamp.mtime_us =
            (gint64) g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED)
            * G_USEC_PER_SEC
            + g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC);
          g_ptr_array_add (paths, entry);
        }
    }

  g_task_return_pointer (task, g_steal_pointer (&paths), (GDestroyNotify) g_ptr_array_unref);
}

/* ------------------------------------------------------------------ */
/* Serving requests                                                    */

/* Once per kind of trouble, until the folder has videos again. */
static void
hw_local_feed_log_once (HwLocalFeed  *self,
                        const GError *error)
{
  if (self->logged_code == error->code)
    return;

  self->logged_code = error->code;
  g_warning ("Local feed: %s", error->message);
}

static void
hw_local_feed_serve (HwLocalFeed *self,
                     GTask       *task)
{
  g_autoptr(HwMediaItem) item = NULL;
  g_autofree char *title = NULL;
  const char *path;
  const char *id = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (self->scan_error != NULL)
    {
      g_task_return_error (task, g_error_copy (self->scan_error));
      return;
    }

  if (hw_item_pool_size (self->pool) == 0)
    {
      g_autoptr(GError) error = NULL;

      if (g_hash_table_size (self->unplayable) > 0)
        error = g_error_new (HW_FEED_ERROR, HW_FEED_ERROR_EMPTY,
                             _("No playable videos in %s (%u files cannot be played)"),
                             self->directory, g_hash_table_size (self->unplayable));
      else
        error = g_error_new (HW_FEED_ERROR, HW_FEED_ERROR_EMPTY,
                             _("No videos in %s"), self->directory);
      hw_local_feed_log_once (self, error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  path = hw_item_pool_take (self->pool, &id);
  if (path == NULL)
    {
      /* Transient: a cell retries once another one lets go of a file, or
       * when the folder gains one (every request lists it again then). */
      g_task_return_new_error (task, HW_FEED_ERROR, HW_FEED_ERROR_UNAVAILABLE,
                               _("Nothing else to play: %u playable videos for %u cells"),
                               hw_item_pool_size (self->pool),
                               MAX (self->cells, hw_item_pool_size (self->pool) + 1));
      return;
    }

  title = g_filename_display_basename (path);
  item = hw_media_item_new (id, title, 0);
  hw_media_item_set_direct_url (item, path);
  hw_media_item_set_is_network (item, FALSE);
  g_task_return_pointer (task, g_steal_pointer (&item), g_object_unref);
}

static int
local_entry_compare (gconstpointer a,
                     gconstpointer b)
{
  const LocalEntry *x = *(const LocalEntry * const *) a;
  const LocalEntry *y = *(const LocalEntry * const *) b;

  return g_strcmp0 (x->path, y->path);
}

static void
hw_local_feed_merge (HwLocalFeed *self,
                     GPtrArray   *paths)
{
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key;
  guint added = 0;

  /* In order: by name, as a listing shows them (new files join the end
   * of the loop until the next start). */
  if (self->in_order)
    g_ptr_array_sort (paths, local_entry_compare);
  for (guint i = 0; i < paths->len; i++)
    {
      const LocalEntry *entry = g_ptr_array_index (paths, i);
      const LocalStamp *bad = g_hash_table_lookup (self->unplayable, entry->path);

      g_hash_table_add (listed, entry->path);
      if (bad != NULL)
        {
          if (local_stamp_equal (bad, &entry->stamp))
            continue;
          /* Rewritten (a copy finished, a file replaced): worth a try. */
          g_message ("Local feed: %s changed; trying it again", entry->path);
          g_hash_table_remove (self->unplayable, entry->path);
        }

      if (hw_item_pool_add (self->pool, entry->path, g_strdup (entry->path), g_free))
        added++;
      /* The stamp a later set-aside compares with is the newest listed. */
      g_hash_table_insert (self->known, g_strdup (entry->path), local_stamp_dup (&entry->stamp));
    }

  /* Deleted files leave the pool, and the set-aside ones, for good. */
  g_hash_table_iter_init (&iter, self->known);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (!g_hash_table_contains (listed, key))
        {
          hw_item_pool_remove (self->pool, key);
          g_hash_table_iter_remove (&iter);
        }
    }
  g_hash_table_iter_init (&iter, self->unplayable);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (listed, key))
      g_hash_table_iter_remove (&iter);

  if (added > 0)
    g_message (added == 1 ? "Local feed: %u new video in %s, %u in all"
                          : "Local feed: %u new videos in %s, %u in all",
               added, self->directory, hw_item_pool_size (self->pool));
}

static void
hw_local_feed_set_scan_error (HwLocalFeed *self,
                              GError      *error)
{
  g_autoptr(GError) owned = error;
  GHashTableIter iter;
  gpointer key;

  g_clear_error (&self->scan_error);
  if (g_error_matches (owned, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
      g_error_matches (owned, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY))
    self->scan_error = g_error_new (HW_FEED_ERROR, HW_FEED_ERROR_NOT_FOUND,
                                    _("Folder %s does not exist"), self->directory);
  else
    self->scan_error = g_error_new (HW_FEED_ERROR, HW_FEED_ERROR_FAILED,
                                    _("Cannot read folder %s: %s"), self->directory,
                                    owned->message);
  hw_local_feed_log_once (self, self->scan_error);

  g_hash_table_iter_init (&iter, self->known);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      hw_item_pool_remove (self->pool, key);
      g_hash_table_iter_remove (&iter);
    }
  g_hash_table_remove_all (self->unplayable);
}

static void
hw_local_feed_serve_waiting (HwLocalFeed *self)
{
  GTask *task;

  while ((task = g_queue_pop_head (&self->waiting)) != NULL)
    {
      if (self->overdue == NULL)
        hw_local_feed_serve (self, task);
      else if (!g_task_return_error_if_cancelled (task))
        g_task_return_error (task, g_error_copy (self->overdue));
      g_object_unref (task);
    }
}

/* The listing still runs at its deadline: whoever waits for it is told
 * why, and tries again later. The thread cannot be stopped (it is blocked
 * in the kernel), so it is left to finish; requests meanwhile fail at once
 * rather than stack up behind it. */
static gboolean
hw_local_feed_listing_overdue (gpointer user_data)
{
  HwLocalFeed *self = user_data;

  self->deadline_id = 0;
  g_clear_error (&self->overdue);
  self->overdue = g_error_new (HW_FEED_ERROR, HW_FEED_ERROR_FAILED,
                               _("Folder %s did not answer within %u s"),
                               self->directory, (self->deadline_ms + 999) / 1000);
  hw_local_feed_log_once (self, self->overdue);
  hw_local_feed_serve_waiting (self);
  return G_SOURCE_REMOVE;
}

static void
hw_local_feed_list_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(HwLocalFeed) self = user_data;
  g_autoptr(GPtrArray) paths = NULL;
  GError *error = NULL;

  self->scanning = FALSE;
  self->scanned = TRUE;
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  g_clear_error (&self->overdue);

  paths = g_task_propagate_pointer (G_TASK (result), &error);
  if (paths == NULL)
    {
      hw_local_feed_set_scan_error (self, error);
    }
  else
    {
      g_clear_error (&self->scan_error);
      hw_local_feed_merge (self, paths);
      if (paths->len > 0)
        self->logged_code = -1;
    }

  hw_local_feed_serve_waiting (self);
}

static void
hw_local_feed_start_listing (HwLocalFeed *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->scanning)
    return;

  self->scanning = TRUE;
  task = g_task_new (self, NULL, hw_local_feed_list_cb, g_object_ref (self));
  g_task_set_source_tag (task, hw_local_feed_start_listing);
  g_task_set_task_data (task, g_strdup (self->directory), g_free);
  g_task_run_in_thread (task, self->lister);
  self->deadline_id = g_timeout_add (self->deadline_ms, hw_local_feed_listing_overdue, self);
}

/* List (again) before the first item, and when this round is used up so
 * new files take part in the next one. */
static gboolean
hw_local_feed_needs_listing (HwLocalFeed *self)
{
  return !self->scanned || hw_item_pool_unplayed (self->pool) == 0;
}

static void
hw_local_feed_next_item_async (HwFeed              *feed,
                               guint                cell_index,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  HwLocalFeed *self = HW_LOCAL_FEED (feed);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, hw_local_feed_next_item_async);
  self->cells = MAX (self->cells, cell_index + 1);

  if (self->overdue != NULL)
    {
      g_task_return_error (task, g_error_copy (self->overdue));
      g_object_unref (task);
      return;
    }

  if (self->scanning || hw_local_feed_needs_listing (self))
    {
      g_queue_push_tail (&self->waiting, task);
      hw_local_feed_start_listing (self);
      return;
    }

  hw_local_feed_serve (self, task);
  g_object_unref (task);
}

static void
hw_local_feed_release_item (HwFeed      *feed,
                            guint        cell_index,
                            HwMediaItem *item)
{
  HwLocalFeed *self = HW_LOCAL_FEED (feed);

  hw_item_pool_release (self->pool, hw_media_item_get_id (item));
}

static void
hw_local_feed_set_aside (HwFeed        *feed,
                         HwMediaItem   *item,
                         HwItemVerdict  verdict)
{
  HwLocalFeed *self = HW_LOCAL_FEED (feed);
  const char *path = hw_media_item_get_id (item);
  const LocalStamp *stamp = g_hash_table_lookup (self->known, path);

  /* A file the player cannot read stays out until it changes on disk:
   * waiting some rounds would only show it failing again. */
  if (verdict == HW_ITEM_VERDICT_UNPLAYABLE && stamp != NULL)
    {
      g_message ("Local feed: %s cannot be played; set aside until it changes", path);
      g_hash_table_insert (self->unplayable, g_strdup (path), local_stamp_dup (stamp));
      hw_item_pool_remove (self->pool, path);
      g_hash_table_remove (self->known, path);
      return;
    }

  hw_item_pool_set_aside (self->pool, path, verdict);
}

static void
hw_local_feed_iface_init (HwFeedInterface *iface)
{
  iface->next_item_async = hw_local_feed_next_item_async;
  iface->release_item = hw_local_feed_release_item;
  iface->set_aside = hw_local_feed_set_aside;
}

/* ------------------------------------------------------------------ */
/* The object                                                          */

static void
hw_local_feed_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  HwLocalFeed *self = HW_LOCAL_FEED (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_value_set_string (value, self->directory);
      break;

    default:
      hw_feed_get_property (object, prop_id, value, pspec);
    }
}

static void
hw_local_feed_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  HwLocalFeed *self = HW_LOCAL_FEED (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_free (self->directory);
      self->directory = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hw_local_feed_finalize (GObject *object)
{
  HwLocalFeed *self = HW_LOCAL_FEED (object);

  /* Nothing can wait here: a listing holds a reference until it is served. */
  g_warn_if_fail (g_queue_is_empty (&self->waiting));
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  g_clear_pointer (&self->pool, hw_item_pool_free);
  g_clear_pointer (&self->known, g_hash_table_unref);
  g_clear_pointer (&self->unplayable, g_hash_table_unref);
  g_clear_error (&self->scan_error);
  g_clear_error (&self->overdue);
  g_free (self->directory);

  G_OBJECT_CLASS (hw_local_feed_parent_class)->finalize (object);
}

static void
hw_local_feed_class_init (HwLocalFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = hw_local_feed_get_property;
  object_class->set_property = hw_local_feed_set_property;
  object_class->finalize = hw_local_feed_finalize;

  properties[PROP_DIRECTORY] =
    g_param_spec_string ("directory", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_property (object_class, PROP_DIRECTORY, properties[PROP_DIRECTORY]);
  hw_feed_install_properties (object_class, N_PROPS);
}

static void
hw_local_feed_init (HwLocalFeed *self)
{
  self->pool = hw_item_pool_new (g_random_int ());
  self->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->unplayable = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_queue_init (&self->waiting);
  self->logged_code = -1;
  self->deadline_ms = LISTING_DEADLINE_MS;
  self->lister = hw_local_feed_list_thread;
}

HwLocalFeed *
hw_local_feed_new (const char *directory)
{
  g_return_val_if_fail (directory != NULL, NULL);

  return g_object_new (HW_TYPE_LOCAL_FEED, "directory", directory, NULL);
}

const char *
hw_local_feed_get_directory (HwLocalFeed *self)
{
  g_return_val_if_fail (HW_IS_LOCAL_FEED (self), NULL);

  return self->directory;
}

void
hw_local_feed_set_in_order (HwLocalFeed *self,
                            gboolean     in_order)
{
  g_return_if_fail (HW_IS_LOCAL_FEED (self));

  self->in_order = !!in_order;
  hw_item_pool_set_in_order (self->pool, in_order);
}

void
_hw_local_feed_set_listing (HwLocalFeed     *self,
                            guint            deadline_ms,
                            GTaskThreadFunc  lister)
{
  g_return_if_fail (HW_IS_LOCAL_FEED (self));

  self->deadline_ms = MAX (deadline_ms, 1);
  self->lister = lister != NULL ? lister : hw_local_feed_list_thread;
}
