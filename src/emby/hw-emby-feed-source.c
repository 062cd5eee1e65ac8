/* hw-emby-feed-source.c: a feed's own source (the `sources` key) — a
 * library, playlist or collection found by name or id, or a list of
 * items — resolved and paged into the pool in place of the libraries.
 *
 * What cannot be resolved (a playlist renamed or deleted, an empty one)
 * fails the cell's request with a feed error naming the source: the cell
 * shows it on its card and asks again with backoff, as it does when the
 * server is away, and no media failure is counted. Nothing resolved is
 * kept then, so each retry looks again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "hw-emby-feed-private.h"
#include "hw-emby-libraries.h"
#include "hw-emby-protocol.h"
#include "hw-redact.h"
#include "hw-reliability.h"

/* A shuffled source pages like the libraries; one in order wants all of
 * it at once, in its order (the parser caps items: lists the same). */
#define SHUFFLED_PAGE 100

static const char *
ordered_limit (HwEmbyFeed *self)
{
  return self->source.shuffle ? G_STRINGIFY (SHUFFLED_PAGE) : G_STRINGIFY (HW_SOURCE_MAX_ITEMS);
}

/* ------------------------------------------------------------------ */
/* Why a source cannot play                                            */

static void
return_not_found (GTask *task)
{
  HwEmbyFeed *self = g_task_get_source_object (task);
  const char *name = self->source.name;
  g_autofree char *message = NULL;

  switch (self->source.kind)
    {
    case HW_SOURCE_LIBRARY:
      message = g_strdup_printf (_("Library “%s” not found"), name);
      break;
    case HW_SOURCE_PLAYLIST:
      message = g_strdup_printf (_("Playlist “%s” not found"), name);
      break;
    case HW_SOURCE_COLLECTION:
      message = g_strdup_printf (_("Collection “%s” not found"), name);
      break;
    case HW_SOURCE_ITEMS:
      message = g_strdup (_("None of the items of this cell's source exist"));
      break;
    case HW_SOURCE_DEFAULT:
    case HW_SOURCE_FOLDER:
    default:
      message = g_strdup (_("This source cannot play here"));
      break;
    }
  g_task_return_new_error (task, HW_FEED_ERROR, HW_FEED_ERROR_NOT_FOUND, "%s", message);
}

static void
return_empty (GTask *task)
{
  HwEmbyFeed *self = g_task_get_source_object (task);
  const char *name = self->source.name;
  g_autofree char *message = NULL;

  switch (self->source.kind)
    {
    case HW_SOURCE_LIBRARY:
      message = g_strdup_printf (_("Library “%s” holds no videos"), name);
      break;
    case HW_SOURCE_PLAYLIST:
      message = g_strdup_printf (_("Playlist “%s” is empty"), name);
      break;
    case HW_SOURCE_COLLECTION:
      message = g_strdup_printf (_("Collection “%s” is empty"), name);
      break;
    case HW_SOURCE_ITEMS:
    case HW_SOURCE_DEFAULT:
    case HW_SOURCE_FOLDER:
    default:
      return_not_found (task);
      return;
    }
  g_task_return_new_error (task, HW_FEED_ERROR, HW_FEED_ERROR_EMPTY, "%s", message);
}

/* Resolved again at the next request: the source may come back under the
 * same name (a playlist deleted and made again). */
static void
forget_source (HwEmbyFeed *self)
{
  g_clear_pointer (&self->library_ids, g_ptr_array_unref);
}

/* ------------------------------------------------------------------ */
/* Resolving                                                           */

static void
on_source_views (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HwEmbyFeed *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) views = hw_emby_client_get_views_finish (HW_EMBY_CLIENT (source), result,
                                                                 &error);
  const char *wanted[] = { self->source.name, NULL };
  GPtrArray *ids;

  if (views == NULL)
    {
      _hw_emby_feed_return_client_error (task, error);
      return;
    }
  ids = hw_emby_libraries_resolve (views, wanted, &error);
  if (ids == NULL)
    {
      return_not_found (task);
      return;
    }
  g_clear_pointer (&self->library_ids, g_ptr_array_unref);
  self->library_ids = ids;
  _hw_emby_feed_next_step (g_steal_pointer (&task));
}

static void
on_containers (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HwEmbyFeed *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = hw_emby_client_request_finish (HW_EMBY_CLIENT (source), result,
                                                          &error);
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *folded = NULL;
  const char *id = NULL;

  if (body != NULL)
    found = hw_emby_parse_items (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  if (found == NULL)
    {
      _hw_emby_feed_return_client_error (task, error);
      return;
    }

  /* An id first, then a name in any case: names are what an operator
   * types, ids what survives a rename. */
  folded = g_utf8_casefold (self->source.name, -1);
  for (guint i = 0; i < found->len && id == NULL; i++)
    {
      const HwEmbyItem *item = g_ptr_array_index (found, i);

      if (g_strcmp0 (item->id, self->source.name) == 0)
        id = item->id;
    }
  for (guint i = 0; i < found->len && id == NULL; i++)
    {
      const HwEmbyItem *item = g_ptr_array_index (found, i);
      g_autofree char *name = g_utf8_casefold (item->name, -1);

      if (g_strcmp0 (name, folded) == 0)
        id = item->id;
    }
  if (id == NULL)
    {
      return_not_found (task);
      return;
    }

  g_debug ("Source %s: item %s", hw_source_kind_to_string (self->source.kind), id);
  g_clear_pointer (&self->library_ids, g_ptr_array_unref);
  self->library_ids = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->library_ids, g_strdup (id));
  _hw_emby_feed_next_step (g_steal_pointer (&task));
}

/* The same query in both servers' forms: current Jellyfin has no
 * /Users/{id}/Items, the user goes in the query (its parameter names are
 * matched without regard to case). hw_emby_client_request_async () sends
 * the form of the server it talks to. */
static char *
with_jellyfin_form (char *emby)
{
  const char *prefix = "/Users/" HW_EMBY_USER_ID_PLACEHOLDER "/Items";
  char *both;

  if (!g_str_has_prefix (emby, prefix))
    return emby;
  both = g_strconcat (emby, HW_EMBY_PATH_FOR_JELLYFIN,
                      "/Items?userId=" HW_EMBY_USER_ID_PLACEHOLDER,
                      emby[strlen (prefix)] == '?' ? "&" : "",
                      emby[strlen (prefix)] == '?' ? emby + strlen (prefix) + 1 : "",
                      NULL);
  g_free (emby);
  return both;
}

/* The user's playlists or box sets, every one: a wall has a handful. */
static void
find_container (GTask      *task,
                const char *type)
{
  HwEmbyFeed *self = g_task_get_source_object (task);
  g_autofree char *path = NULL;

  path = hw_emby_build_url ("", "/Users/" HW_EMBY_USER_ID_PLACEHOLDER "/Items",
                            "IncludeItemTypes", type,
                            "Recursive", "true",
                            "Limit", G_STRINGIFY (HW_SOURCE_MAX_ITEMS),
                            "EnableImages", "false",
                            "EnableUserData", "false",
                            NULL);
  path = with_jellyfin_form (path);
  hw_emby_client_request_async (self->client, "GET", path, NULL, HW_EMBY_REQUEST_SHARED,
                                g_task_get_cancellable (task), on_containers, task);
}

void
_hw_emby_feed_resolve_source (GTask *task)
{
  HwEmbyFeed *self = g_task_get_source_object (task);

  switch (self->source.kind)
    {
    case HW_SOURCE_LIBRARY:
      hw_emby_client_get_views_async (self->client, g_task_get_cancellable (task),
                                      on_source_views, task);
      return;
    case HW_SOURCE_PLAYLIST:
      find_container (task, "Playlist");
      return;
    case HW_SOURCE_COLLECTION:
      find_container (task, "BoxSet");
      return;
    case HW_SOURCE_ITEMS:
      /* Nothing to resolve: the ids are the source. */
      self->library_ids = g_ptr_array_new_with_free_func (g_free);
      _hw_emby_feed_next_step (task);
      return;
    case HW_SOURCE_DEFAULT:
    case HW_SOURCE_FOLDER:
    default:
      return_not_found (task);
      g_object_unref (task);
      return;
    }
}

/* ------------------------------------------------------------------ */
/* Items                                                               */

/* items: in the order the source names them, whatever the server's. */
static void
sort_as_named (HwEmbyFeed *self,
               GPtrArray  *items)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();

  for (guint n = 0; self->source.items[n] != NULL; n++)
    for (guint i = 0; i < items->len; i++)
      {
        HwEmbyItem *item = g_ptr_array_index (items, i);

        if (item != NULL && g_strcmp0 (item->id, self->source.items[n]) == 0)
          {
            g_ptr_array_add (sorted, item);
            g_ptr_array_index (items, i) = NULL;
            break;
          }
      }
  for (guint i = 0; i < items->len; i++)
    if (g_ptr_array_index (items, i) != NULL)
      hw_emby_item_free (g_ptr_array_index (items, i));
  g_ptr_array_set_free_func (items, NULL);
  g_ptr_array_set_size (items, 0);
  g_ptr_array_set_free_func (items, (GDestroyNotify) hw_emby_item_free);
  g_ptr_array_extend_and_steal (items, g_steal_pointer (&sorted));
}

static void
on_source_page (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HwEmbyFeed *self = g_task_get_source_object (task);
  HwEmbyFeedNext *next = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = hw_emby_client_request_finish (HW_EMBY_CLIENT (source), result,
                                                          &error);
  g_autoptr(GPtrArray) items = NULL;

  if (body != NULL)
    items = hw_emby_parse_items (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  if (items != NULL)
    {
      if (self->source.kind == HW_SOURCE_ITEMS)
        sort_as_named (self, items);
      for (guint i = 0; i < items->len; i++)
        {
          HwEmbyItem *item = g_ptr_array_index (items, i);

          if (item->is_folder)
            continue;
          g_ptr_array_index (items, i) = NULL;
          hw_item_pool_add (self->pool, item->id, item, (GDestroyNotify) hw_emby_item_free);
        }
    }
  else if (next->page_error == NULL)
    next->page_error = g_steal_pointer (&error);

  if (--next->pending_pages > 0)
    return;

  next->pages_loaded = TRUE;
  if (next->page_error != NULL &&
      hw_emby_error_get_class (next->page_error) == HW_ERROR_CLASS_UNPLAYABLE)
    {
      /* The playlist or collection went away since it was resolved. */
      forget_source (self);
      return_not_found (task);
      return;
    }
  if (hw_item_pool_size (self->pool) == 0)
    {
      forget_source (self);
      if (next->page_error != NULL)
        _hw_emby_feed_return_client_error (task, next->page_error);
      else
        return_empty (task);
      return;
    }
  _hw_emby_feed_next_step (g_steal_pointer (&task));
}

static char *
items_path (HwEmbyFeed *self,
            const char *container)
{
  const char *types = "Movie,Episode,Video";
  const char *order = self->source.shuffle ? "Random" : "SortName";
  g_autofree char *ids = NULL;

  switch (self->source.kind)
    {
    case HW_SOURCE_PLAYLIST:
      {
        /* The playlist's own order; UserId so the server filters what the
         * user may not see. */
        g_autofree char *escaped = g_uri_escape_string (container, NULL, FALSE);
        g_autofree char *base = g_strdup_printf ("/Playlists/%s/Items", escaped);
        g_autofree char *path = hw_emby_build_url ("", base,
                                                   "Limit", G_STRINGIFY (HW_SOURCE_MAX_ITEMS),
                                                   "EnableImages", "false",
                                                   "EnableUserData", "false",
                                                   NULL);

        return g_strconcat (path, "&UserId=", HW_EMBY_USER_ID_PLACEHOLDER, NULL);
      }
    case HW_SOURCE_ITEMS:
      ids = g_strjoinv (",", self->source.items);
      return hw_emby_build_url ("", "/Users/" HW_EMBY_USER_ID_PLACEHOLDER "/Items",
                                "Ids", ids,
                                "EnableImages", "false",
                                "EnableUserData", "false",
                                NULL);
    case HW_SOURCE_LIBRARY:
    case HW_SOURCE_COLLECTION:
    case HW_SOURCE_DEFAULT:
    case HW_SOURCE_FOLDER:
    default:
      return hw_emby_build_url ("", "/Users/" HW_EMBY_USER_ID_PLACEHOLDER "/Items",
                                "ParentId", container,
                                "Recursive", "true",
                                "IncludeItemTypes", types,
                                "SortBy", order,
                                "Limit", ordered_limit (self),
                                "EnableImages", "false",
                                "EnableUserData", "false",
                                NULL);
    }
}

void
_hw_emby_feed_load_source_items (GTask *task)
{
  HwEmbyFeed *self = g_task_get_source_object (task);
  HwEmbyFeedNext *next = g_task_get_task_data (task);
  guint n = self->source.kind == HW_SOURCE_ITEMS ? 1 : self->library_ids->len;

  self->last_page_us = g_get_monotonic_time ();
  self->refresh_pages = FALSE;
  next->pending_pages = n;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = with_jellyfin_form (
        items_path (self, self->source.kind == HW_SOURCE_ITEMS
                          ? NULL : g_ptr_array_index (self->library_ids, i)));

      hw_emby_client_request_async (self->client, "GET", path, NULL, HW_EMBY_REQUEST_SHARED,
                                    g_task_get_cancellable (task), on_source_page,
                                    g_object_ref (task));
    }
  g_object_unref (task);
}
