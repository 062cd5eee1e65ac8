/* hw-status-writer.c: the status file, replaced atomically.
 *
 * g_file_set_contents() writes "<file>.XXXXXX" next to the file and renames
 * it; a run killed between the two leaves that temporary behind. Those are
 * the only temporary files Hyperwall makes, so they are what the start-up
 * sweep (docs/reliability.md, rule 10) removes once they are an hour old.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "hw-status-writer.h"

struct _HwStatusWriter
{
  char     *path;
  gboolean  warned;
};

HwStatusWriter *
hw_status_writer_new (const char *path)
{
  HwStatusWriter *self = g_new0 (HwStatusWriter, 1);

  self->path = g_strdup (path);
  hw_status_writer_sweep (self, HW_STATUS_TEMP_MAX_AGE_S);
  return self;
}

/* "<base>.XXXXXX" as g_mkstemp() fills it: six ASCII letters or digits. */
gboolean
hw_status_writer_is_temp_name (const char *base,
                               const char *name)
{
  size_t len = strlen (base);

  if (strncmp (name, base, len) != 0 || name[len] != '.' || strlen (name + len + 1) != 6)
    return FALSE;
  for (const char *c = name + len + 1; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c))
      return FALSE;
  return TRUE;
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
  g_free (self->path);
  g_free (self);
}

gboolean
hw_status_writer_write (HwStatusWriter *self,
                        JsonNode       *root)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  /* Written as given: whoever puts a value from outside into @root redacts
   * it first. Masking the finished text cut through numbers and keys. */
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  if (!g_file_set_contents_full (self->path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0644, &error))
    {
      if (!self->warned)
        g_warning ("Cannot write the status file: %s", error->message);
      self->warned = TRUE;
      return FALSE;
    }

  if (self->warned)
    g_message ("The status file %s is written again", self->path);
  self->warned = FALSE;
  return TRUE;
}

void
hw_status_writer_remove (HwStatusWriter *self)
{
  g_unlink (self->path);
}
