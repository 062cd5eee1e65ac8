/* hw-emby-feed-library.c: what the feed plays from — the user's views
 * resolved to the libraries asked for, and pages of their items in the
 * shuffled pool — and how a client error reaches a cell.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include "hw-emby-feed-private.h"
#include "hw-emby-libraries.h"
#include "hw-reliability.h"

#define PAGE_LIMIT      100
#define PAGE_REFRESH_US (30 * HW_USEC_PER_SEC)

/* ------------------------------------------------------------------ */
/* Errors                                                              */

void
_hw_emby_feed_return_client_error (GTask        *task,
                     const GError *error)
{
  HwFeedError code;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_error_copy (error));
      return;
    }

  switch (hw_emby_error_get_class (error))
    {
    case HW_ERROR_CLASS_REAUTH:
      code = HW_FEED_ERROR_SIGN_IN_REQUIRED;
      break;
    case HW_ERROR_CLASS_FATAL:
      code = HW_FEED_ERROR_FAILED;
      break;
    case HW_ERROR_CLASS_UNPLAYABLE:
      code = HW_FEED_ERROR_NOT_FOUND;
      break;
    case HW_ERROR_CLASS_TRANSIENT:
    case HW_ERROR_CLASS_OK:
    default:
      code = HW_FEED_ERROR_UNAVAILABLE;
      break;
    }

  g_task_return_new_error (task, HW_FEED_ERROR, code, "%s", error->message);
}

/* ------------------------------------------------------------------ */
/* Views                                                               */

static void
on_views (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HwEmbyFeed *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) views = hw_emby_client_get_views_finish (HW_EMBY_CLIENT (source), result, &error);
  g_auto(GStrv) wanted = NULL;
  GPtrArray *ids;

  if (views == NULL)
    {
      _hw_emby_feed_return_client_error (task, error);
      return;
    }

  if (self->library_ids == NULL)
    {
      wanted = hw_config_dup_strv (self->config, "libraries");
      ids = hw_emby_libraries_resolve (views, (const char * const *) wanted, &error);
      if (ids == NULL)
        {
          g_warning ("%s", error->message);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_debug ("Playing from %u librar%s", ids->len, ids->len == 1 ? "y" : "ies");
      self->library_ids = ids;
    }

  _hw_emby_feed_next_step (g_steal_pointer (&task));
}

/* ------------------------------------------------------------------ */
/* Pages                                                               */

static guint
add_items (HwEmbyFeed *self,
           GPtrArray  *items)
{
  guint added = 0;

  for (guint i = 0; i < items->len; i++)
    {
      HwEmbyItem *item = g_ptr_array_index (items, i);

      if (item->is_folder)
        continue;
      /* The pool owns its data: steal the entry from the page. */
      g_ptr_array_index (items, i) = NULL;
      if (hw_item_pool_add (self->pool, item->id, item, (GDestroyNotify) hw_emby_item_free))
        added++;
    }

  return added;
}

static void
on_page (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HwEmbyFeed *self = g_task_get_source_object (task);
  HwEmbyFeedNext *next = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = hw_emby_client_get_items_finish (HW_EMBY_CLIENT (source), result, &error);

  if (items != NULL)
    {
      guint added = add_items (self, items);

      g_debug ("A page of %u items, %u new; %u in the pool", items->len, added,
               hw_item_pool_size (self->pool));
    }
  else if (next->page_error == NULL)
    next->page_error = g_steal_pointer (&error);

  if (--next->pending_pages > 0)
    return;

  next->pages_loaded = TRUE;
  if (hw_item_pool_size (self->pool) == 0 && next->page_error != NULL)
    {
      _hw_emby_feed_return_client_error (task, next->page_error);
      return;
    }
  _hw_emby_feed_next_step (g_steal_pointer (&task));
}

gboolean
_hw_emby_feed_pool_needs_page (HwEmbyFeed *self,
                 HwEmbyFeedNext   *next)
{
  if (next->pages_loaded)
    return FALSE;
  if (self->refresh_pages)
    return TRUE;
  if (hw_item_pool_size (self->pool) == 0)
    return TRUE;
  /* A round is over: a big library has more to offer than this page. */
  return hw_item_pool_unplayed (self->pool) == 0 &&
         g_get_monotonic_time () - self->last_page_us > PAGE_REFRESH_US;
}

void
_hw_emby_feed_load_pages (GTask *task)
{
  HwEmbyFeed *self = g_task_get_source_object (task);
  HwEmbyFeedNext *next = g_task_get_task_data (task);

  if (self->source.kind != HW_SOURCE_DEFAULT)
    {
      _hw_emby_feed_load_source_items (task);
      return;
    }

  self->last_page_us = g_get_monotonic_time ();
  self->refresh_pages = FALSE;
  next->pending_pages = self->library_ids->len;
  for (guint i = 0; i < self->library_ids->len; i++)
    hw_emby_client_get_items_async (self->client, g_ptr_array_index (self->library_ids, i),
                                    PAGE_LIMIT, g_task_get_cancellable (task), on_page,
                                    g_object_ref (task));
  g_object_unref (task);
}

void
_hw_emby_feed_load_views (GTask *task)
{
  HwEmbyFeed *self = g_task_get_source_object (task);

  if (self->source.kind != HW_SOURCE_DEFAULT)
    {
      _hw_emby_feed_resolve_source (task);
      return;
    }

  hw_emby_client_get_views_async (self->client, g_task_get_cancellable (task), on_views, task);
}
