/* hw-status-writer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "hw-redact.h"
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
  return self;
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
  g_autofree char *clean = NULL;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  /* Titles and reasons come from servers and mpv: mask secrets anyway. */
  clean = hw_redact (text);

  if (!g_file_set_contents_full (self->path, clean, -1, G_FILE_SET_CONTENTS_CONSISTENT,
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
