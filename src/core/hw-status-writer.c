/* hw-status-writer.c: the status file, replaced atomically, written off
 * the main loop.
 *
 * The main thread serializes a snapshot and hands the text over; one
 * worker thread writes it to ".<file>.hyperwall-XXXXXX.tmp" next to the
 * file (hidden, and named so no one else's file looks like it) and renames
 * that over the file. At most one write is in flight; a snapshot handed
 * over meanwhile waits, and a newer one replaces it (the newest wins). No
 * fsync: the file is a snapshot replaced every second, and syncing it each
 * time wore out kiosk flash for nothing; the rename keeps it whole.
 *
 * A run killed between the write and the rename leaves the temporary
 * behind. Those are the only temporary files Hyperwall makes, so they are
 * what the start-up sweep (docs/reliability.md, rule 10) removes once they
 * are an hour old. Only that exact name: the earlier "<file>.XXXXXX" is
 * also what a person's "wall.json.backup" looks like, so files of that
 * shape are never touched, even if an old version left them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "hw-status-writer.h"
#include "hw-thread-priority.h"

/* A temporary is ".<file>" TEMP_MIDDLE "XXXXXX" TEMP_END. */
#define TEMP_MIDDLE ".hyperwall-"
#define TEMP_END    ".tmp"

struct _HwStatusWriter
{
  char     *path;

  GMutex    lock;
  GCond     cond;
  GThread  *thread;      /* started with the first write */
  char     *pending;     /* the newest snapshot not yet taken by the worker */
  gboolean  writing;     /* the worker is writing one */
  gboolean  quit;
  gboolean  last_ok;     /* the last write succeeded */
  gboolean  warned;      /* a failure was reported and none succeeded since */

  /* Main thread only. */
  HwStatusBuildFunc build;
  gpointer          build_data;
  guint             idle_id;
};

HwStatusWriter *
hw_status_writer_new (const char *path)
{
  HwStatusWriter *self = g_new0 (HwStatusWriter, 1);

  self->path = g_strdup (path);
  self->last_ok = TRUE;
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  hw_status_writer_sweep (self, HW_STATUS_TEMP_MAX_AGE_S);
  return self;
}

char *
hw_status_writer_temp_template (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = g_strconcat (".", base, TEMP_MIDDLE, "XXXXXX", TEMP_END, NULL);

  return g_build_filename (dir, name, NULL);
}

/* A temporary next to the file, then a rename over it. */
static gboolean
replace_file (const char  *path,
              const char  *text,
              GError     **error)
{
  g_autofree char *temp = hw_status_writer_temp_template (path);
  gsize length = strlen (text);
  gsize done = 0;
  int fd;

  fd = g_mkstemp_full (temp, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "cannot create a file next to %s: %s", path, g_strerror (saved));
      return FALSE;
    }

  while (done < length)
    {
      gssize n = write (fd, text + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = n < 0 ? errno : ENOSPC;

          close (fd);
          g_unlink (temp);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       "cannot write %s: %s", temp, g_strerror (saved));
          return FALSE;
        }
      done += n;
    }

  if (close (fd) != 0 || g_rename (temp, path) != 0)
    {
      int saved = errno;

      g_unlink (temp);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "cannot replace %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static gpointer
writer_thread (gpointer data)
{
  HwStatusWriter *self = data;

  hw_thread_priority_lower_current ();
  g_mutex_lock (&self->lock);
  for (;;)
    {
      g_autofree char *text = NULL;
      g_autoptr(GError) error = NULL;
      gboolean ok;

      while (self->pending == NULL && !self->quit)
        g_cond_wait (&self->cond, &self->lock);
      if (self->pending == NULL)
        break;

      text = g_steal_pointer (&self->pending);
      self->writing = TRUE;
      g_mutex_unlock (&self->lock);

      ok = replace_file (self->path, text, &error);

      g_mutex_lock (&self->lock);
      self->writing = FALSE;
      self->last_ok = ok;
      /* One warning per failure, however many writes fail after it. */
      if (!ok && !self->warned)
        g_warning ("Cannot write the status file: %s", error->message);
      else if (ok && self->warned)
        g_message ("The status file %s is written again", self->path);
      self->warned = !ok;
      g_cond_broadcast (&self->cond);
    }
  g_mutex_unlock (&self->lock);

  return NULL;
}

/* ".<base>.hyperwall-XXXXXX.tmp" as g_mkstemp() fills it: six ASCII
 * letters or digits. */
gboolean
hw_status_writer_is_temp_name (const char *base,
                               const char *name)
{
  size_t len = strlen (base);
  const char *rest;

  if (name[0] != '.' || strncmp (name + 1, base, len) != 0)
    return FALSE;
  rest = name + 1 + len;
  if (!g_str_has_prefix (rest, TEMP_MIDDLE))
    return FALSE;
  rest += strlen (TEMP_MIDDLE);
  for (int i = 0; i < 6; i++)
    if (!g_ascii_isalnum (rest[i]))
      return FALSE;
  return g_str_equal (rest + 6, TEMP_END);
}

guint
hw_status_writer_sweep (HwStatusWriter *self,
                        gint64          max_age_s)
{
  g_autofree char *dir_path = g_path_get_dirname (self->path);
  g_autofree char *base = g_path_get_basename (self->path);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  gint64 now_s = g_get_real_time () / G_USEC_PER_SEC;
  const char *name;
  guint removed = 0;

  if (dir == NULL)
    return 0;  /* the first write says what is wrong with the folder */

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      GStatBuf st;

      if (!hw_status_writer_is_temp_name (base, name))
        continue;
      path = g_build_filename (dir_path, name, NULL);
      if (g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode) || now_s - st.st_mtime < max_age_s)
        continue;
      if (g_unlink (path) == 0)
        {
          g_message ("Removed %s, left half-written by an earlier run", path);
          removed++;
        }
    }

  return removed;
}

void
hw_status_writer_free (HwStatusWriter *self)
{
  if (self == NULL)
    return;

  g_clear_handle_id (&self->idle_id, g_source_remove);
  /* What was handed over is still written: the last snapshot of a run
   * says how it ended. */
  if (self->thread != NULL)
    {
      g_mutex_lock (&self->lock);
      self->quit = TRUE;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
      g_thread_join (self->thread);
    }
  g_free (self->pending);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self->path);
  g_free (self);
}

void
hw_status_writer_write (HwStatusWriter *self,
                        JsonNode       *root)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  char *text;

  g_return_if_fail (self != NULL);
  g_return_if_fail (root != NULL);

  /* Written as given: whoever puts a value from outside into @root redacts
   * it first. Masking the finished text cut through numbers and keys. */
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  g_mutex_lock (&self->lock);
  if (self->thread == NULL)
    self->thread = g_thread_new ("hw-status", writer_thread, self);
  g_free (self->pending);
  self->pending = text;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

gboolean
hw_status_writer_flush (HwStatusWriter *self)
{
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);

  g_mutex_lock (&self->lock);
  while (self->pending != NULL || self->writing)
    g_cond_wait (&self->cond, &self->lock);
  ok = self->last_ok;
  g_mutex_unlock (&self->lock);

  return ok;
}

void
hw_status_writer_remove (HwStatusWriter *self)
{
  g_return_if_fail (self != NULL);

  /* A write in flight would bring the file back. */
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->pending, g_free);
  g_mutex_unlock (&self->lock);
  hw_status_writer_flush (self);
  g_unlink (self->path);
}

void
hw_status_writer_set_builder (HwStatusWriter   *self,
                              HwStatusBuildFunc build,
                              gpointer          user_data)
{
  g_return_if_fail (self != NULL);

  self->build = build;
  self->build_data = user_data;
}

static gboolean
scheduled_write_cb (gpointer user_data)
{
  HwStatusWriter *self = user_data;
  g_autoptr(JsonNode) root = NULL;

  self->idle_id = 0;
  root = self->build (self->build_data);
  if (root != NULL)
    hw_status_writer_write (self, root);
  return G_SOURCE_REMOVE;
}

void
hw_status_writer_schedule (HwStatusWriter *self)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->build != NULL);

  if (self->idle_id == 0)
    self->idle_id = g_idle_add (scheduled_write_cb, self);
}

void
hw_status_writer_unschedule (HwStatusWriter *self)
{
  g_return_if_fail (self != NULL);

  g_clear_handle_id (&self->idle_id, g_source_remove);
}
