/* hw-emby-libraries.c: which of the server's libraries a wall plays.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include <glib/gi18n.h>

#include "hw-emby-libraries.h"
#include "hw-feed.h"

/* By id, or by name as a person would type it. */
static gboolean
name_matches (const HwEmbyView *view,
              const char       *wanted)
{
  return g_strcmp0 (view->id, wanted) == 0 ||
         (view->name != NULL && g_utf8_collate (view->name, wanted) == 0) ||
         (view->name != NULL && g_ascii_strcasecmp (view->name, wanted) == 0);
}

GPtrArray *
hw_emby_libraries_resolve (GPtrArray           *views,
                           const char * const  *wanted,
                           GError             **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) unknown = g_string_new (NULL);

  if (wanted == NULL || wanted[0] == NULL)
    {
      for (guint i = 0; i < views->len; i++)
        {
          const HwEmbyView *view = g_ptr_array_index (views, i);

          if (hw_emby_view_is_video (view))
            g_ptr_array_add (ids, g_strdup (view->id));
        }
      if (ids->len == 0)
        {
          g_set_error (error, HW_FEED_ERROR, HW_FEED_ERROR_EMPTY,
                       _("The server has no video library"));
          return NULL;
        }
      return g_steal_pointer (&ids);
    }

  for (guint w = 0; wanted[w] != NULL; w++)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < views->len && !found; i++)
        {
          const HwEmbyView *view = g_ptr_array_index (views, i);

          if (name_matches (view, wanted[w]))
            {
              g_ptr_array_add (ids, g_strdup (view->id));
              found = TRUE;
            }
        }
      if (!found)
        g_string_append_printf (unknown, "%s“%s”", unknown->len ? ", " : "", wanted[w]);
    }

  if (ids->len == 0)
    {
      g_set_error (error, HW_FEED_ERROR, HW_FEED_ERROR_NOT_FOUND,
                   _("No library on the server is called %s"), unknown->str);
      return NULL;
    }
  if (unknown->len > 0)
    g_warning ("Libraries not found on the server, ignored: %s", unknown->str);

  return g_steal_pointer (&ids);
}
