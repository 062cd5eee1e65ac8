/* hw-feed-router.c: each cell to the feed of its source.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-feed-router.h"
#include "hw-spec-message.h"

struct _HwFeedRouter
{
  GObject              parent_instance;

  HwConfig            *config;
  HwFeed              *fallback;
  HwFeedRouterFactory  factory;
  gpointer             factory_data;
  GPtrArray           *cells;     /* char *: canonical text per cell, NULL: the wall's feed */
  GHashTable          *feeds;     /* canonical text → HwFeed, the sources in use */
  GHashTable          *origin;    /* HwMediaItem → HwFeed that handed it, until released */
  GHashTable          *refused;   /* texts already logged as refused */
};

enum {
  PROP_0,
  N_PROPS
};

enum {
  SOURCE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void hw_feed_router_iface_init (HwFeedInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HwFeedRouter, hw_feed_router, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HW_TYPE_FEED, hw_feed_router_iface_init))

/* ------------------------------------------------------------------ */
/* Sources                                                             */

static void
refuse (HwFeedRouter *self,
        const char   *text,
        const char   *why)
{
  /* Once per text: a bad entry is read again at every change of the key. */
  if (g_hash_table_contains (self->refused, text))
    return;
  g_hash_table_add (self->refused, g_strdup (text));
  g_warning ("Ignoring the source “%s”: %s; the cell plays the wall's own feed", text, why);
}

/* The canonical text of @text, its feed made or found; NULL for the wall's
 * own feed (an empty entry or a refused one). */
static char *
resolve_entry (HwFeedRouter *self,
               const char   *text)
{
  HwSourceSpec spec = { 0 };
  HwSpecError problem = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *canonical = NULL;
  HwFeed *feed;

  if (!hw_source_spec_parse (text, &spec, &problem))
    {
      g_autofree char *why = hw_spec_error_describe (&problem);

      hw_spec_error_clear (&problem);
      refuse (self, text, why);
      return NULL;
    }
  if (spec.kind == HW_SOURCE_DEFAULT)
    return NULL;

  canonical = hw_source_spec_to_string (&spec);
  if (!g_hash_table_contains (self->feeds, canonical))
    {
      feed = self->factory (&spec, self->factory_data, &error);
      if (feed == NULL)
        {
          hw_source_spec_clear (&spec);
          refuse (self, text, error->message);
          return NULL;
        }
      g_debug ("Source %s: a feed of its own", canonical);
      g_hash_table_insert (self->feeds, g_strdup (canonical), feed);
    }
  hw_source_spec_clear (&spec);
  return g_steal_pointer (&canonical);
}

static void
read_sources (HwFeedRouter *self,
              gboolean      announce)
{
  g_auto(GStrv) texts = hw_config_dup_strv (self->config, "sources");
  guint n = texts != NULL ? g_strv_length (texts) : 0;
  g_autoptr(GPtrArray) old = g_steal_pointer (&self->cells);
  g_autoptr(GHashTable) in_use = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key;

  self->cells = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < n; i++)
    {
      char *canonical = resolve_entry (self, texts[i]);

      g_ptr_array_add (self->cells, canonical);
      if (canonical != NULL)
        g_hash_table_add (in_use, canonical);
    }

  /* A source no cell plays any more is dropped; items it handed keep it
   * alive (origin) until they are released. */
  g_hash_table_iter_init (&iter, self->feeds);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (in_use, key))
      g_hash_table_iter_remove (&iter);

  if (!announce || old == NULL)
    return;
  for (guint i = 0; i < MAX (old->len, self->cells->len); i++)
    {
      const char *before = i < old->len ? g_ptr_array_index (old, i) : NULL;
      const char *after = i < self->cells->len ? g_ptr_array_index (self->cells, i) : NULL;

      if (g_strcmp0 (before, after) == 0)
        continue;
      g_message ("cell %u: now playing %s", i, after != NULL ? after : "the wall's own feed");
      g_signal_emit (self, signals[SOURCE_CHANGED], 0, i);
    }
}

static void
on_config_changed (HwConfig   *config,
                   const char *key,
                   gpointer    user_data)
{
  if (g_str_equal (key, "sources"))
    read_sources (HW_FEED_ROUTER (user_data), TRUE);
}

static HwFeed *
feed_for_cell (HwFeedRouter *self,
               guint         cell_index)
{
  const char *canonical;
  HwFeed *feed;

  /* Items asked for by id (PlayNow) come first, whatever the source; the
   * cell goes back to its source with its next item. */
  if (hw_feed_has_requests (self->fallback))
    return self->fallback;
  if (cell_index >= self->cells->len)
    return self->fallback;
  canonical = g_ptr_array_index (self->cells, cell_index);
  if (canonical == NULL)
    return self->fallback;
  feed = g_hash_table_lookup (self->feeds, canonical);
  return feed != NULL ? feed : self->fallback;
}

/* The feed that handed @item: it gets the item back, whatever the cell
 * plays now. */
static HwFeed *
origin_of (HwFeedRouter *self,
           HwMediaItem  *item)
{
  HwFeed *feed = g_hash_table_lookup (self->origin, item);

  return feed != NULL ? feed : self->fallback;
}

static void
remember (HwFeedRouter *self,
          HwMediaItem  *item,
          HwFeed       *feed)
{
  if (feed != self->fallback)
    g_hash_table_insert (self->origin, g_object_ref (item), g_object_ref (feed));
}

/* ------------------------------------------------------------------ */
/* HwFeed                                                              */

static void
on_item (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HwFeedRouter *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  HwMediaItem *item;

  if (g_task_get_source_tag (task) == hw_feed_replay_item_async)
    item = hw_feed_replay_item_finish (HW_FEED (source), result, &error);
  else
    item = hw_feed_next_item_finish (HW_FEED (source), result, &error);
  if (item == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  remember (self, item, HW_FEED (source));
  g_task_return_pointer (task, item, g_object_unref);
}

static void
hw_feed_router_next_item_async (HwFeed              *feed,
                                guint                cell_index,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  HwFeedRouter *self = HW_FEED_ROUTER (feed);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, hw_feed_next_item_async);
  hw_feed_next_item_async (feed_for_cell (self, cell_index), cell_index, cancellable, on_item,
                           task);
}

static void
hw_feed_router_replay_item_async (HwFeed *feed, guint cell_index, HwMediaItem *item,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  HwFeedRouter *self = HW_FEED_ROUTER (feed);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(HwFeed) origin = g_object_ref (origin_of (self, item));

  g_task_set_source_tag (task, hw_feed_replay_item_async);
  /* The hold passes to what comes back (or the origin released @item). */
  g_hash_table_remove (self->origin, item);
  hw_feed_replay_item_async (origin, cell_index, item, cancellable, on_item, task);
}

static void
hw_feed_router_release_item (HwFeed      *feed,
                             guint        cell_index,
                             HwMediaItem *item)
{
  HwFeedRouter *self = HW_FEED_ROUTER (feed);
  g_autoptr(HwFeed) origin = g_object_ref (origin_of (self, item));

  g_hash_table_remove (self->origin, item);
  hw_feed_release_item (origin, cell_index, item);
}

static void
hw_feed_router_report (HwFeed *feed, HwMediaItem *item, HwFeedReport report,
                       const HwFeedPlayback *playback)
{
  hw_feed_report_playback (origin_of (HW_FEED_ROUTER (feed), item), item, report, playback);
}

static void
hw_feed_router_set_aside (HwFeed        *feed,
                          HwMediaItem   *item,
                          HwItemVerdict  verdict)
{
  hw_feed_set_aside (origin_of (HW_FEED_ROUTER (feed), item), item, verdict);
}

static void
hw_feed_router_set_focused_cell (HwFeed *feed,
                                 guint   cell_index)
{
  hw_feed_set_focused_cell (HW_FEED_ROUTER (feed)->fallback, cell_index);
}

static void
hw_feed_router_suspect_server (HwFeed *feed)
{
  hw_feed_suspect_server (HW_FEED_ROUTER (feed)->fallback);
}

static gboolean
hw_feed_router_is_busy (HwFeed *feed)
{
  HwFeedRouter *self = HW_FEED_ROUTER (feed);
  GHashTableIter iter;
  gpointer value;

  if (hw_feed_is_busy (self->fallback))
    return TRUE;
  g_hash_table_iter_init (&iter, self->feeds);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (hw_feed_is_busy (value))
      return TRUE;
  return FALSE;
}

static gboolean
hw_feed_router_has_requests (HwFeed *feed)
{
  return hw_feed_has_requests (HW_FEED_ROUTER (feed)->fallback);
}

/* The copies on disk are the wall's, whichever source a cell has: its
 * own feed holds and fetches them. */
static gboolean
hw_feed_router_has_offline_items (HwFeed *feed)
{
  return hw_feed_has_offline_items (HW_FEED_ROUTER (feed)->fallback);
}

static void
hw_feed_router_set_buffering (HwFeed   *feed,
                              gboolean  buffering)
{
  hw_feed_set_buffering (HW_FEED_ROUTER (feed)->fallback, buffering);
}

static void
hw_feed_router_add_status (HwFeed      *feed,
                           JsonBuilder *builder)
{
  hw_feed_add_status (HW_FEED_ROUTER (feed)->fallback, builder);
}

static void
on_checked (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  gboolean gone = hw_feed_check_stream_finish (HW_FEED (source), result, &error);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, gone);
}

static void
hw_feed_router_check_stream_async (HwFeed              *feed,
                                   HwMediaItem         *item,
                                   const char          *url,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  HwFeedRouter *self = HW_FEED_ROUTER (feed);
  HwFeed *origin = origin_of (self, item);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, hw_feed_router_check_stream_async);
  if (!hw_feed_can_check_stream (origin))
    {
      /* A file: no status to ask for, so inconclusive. */
      g_task_return_boolean (task, FALSE);
      g_object_unref (task);
      return;
    }
  hw_feed_check_stream_async (origin, item, url, cancellable, on_checked, task);
}

static const char *
hw_feed_router_get_server_reason (HwFeed *feed)
{
  return hw_feed_get_server_reason (HW_FEED_ROUTER (feed)->fallback);
}

static HwServerState
hw_feed_router_get_server_state (HwFeed *feed)
{
  return hw_feed_get_server_state (HW_FEED_ROUTER (feed)->fallback);
}

static char *
hw_feed_router_dup_server_url (HwFeed *feed)
{
  return hw_feed_dup_server_url (HW_FEED_ROUTER (feed)->fallback);
}

static void
hw_feed_router_iface_init (HwFeedInterface *iface)
{
  iface->next_item_async = hw_feed_router_next_item_async;
  iface->replay_item_async = hw_feed_router_replay_item_async;
  iface->release_item = hw_feed_router_release_item;
  iface->report = hw_feed_router_report;
  iface->set_aside = hw_feed_router_set_aside;
  iface->set_focused_cell = hw_feed_router_set_focused_cell;
  iface->suspect_server = hw_feed_router_suspect_server;
  iface->is_busy = hw_feed_router_is_busy;
  iface->has_requests = hw_feed_router_has_requests;
  iface->has_offline_items = hw_feed_router_has_offline_items;
  iface->set_buffering = hw_feed_router_set_buffering;
  iface->add_status = hw_feed_router_add_status;
  iface->check_stream_async = hw_feed_router_check_stream_async;
  iface->get_server_reason = hw_feed_router_get_server_reason;
  iface->get_server_state = hw_feed_router_get_server_state;
  iface->dup_server_url = hw_feed_router_dup_server_url;
}

/* ------------------------------------------------------------------ */
/* Object                                                              */

static void
on_fallback_notify (GObject    *fallback,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  g_object_notify (G_OBJECT (user_data), g_param_spec_get_name (pspec));
}

HwFeedRouter *
hw_feed_router_new (HwConfig            *config,
                    HwFeed              *fallback,
                    HwFeedRouterFactory  factory,
                    gpointer             user_data)
{
  HwFeedRouter *self;

  g_return_val_if_fail (HW_IS_CONFIG (config), NULL);
  g_return_val_if_fail (HW_IS_FEED (fallback), NULL);
  g_return_val_if_fail (factory != NULL, NULL);

  self = g_object_new (HW_TYPE_FEED_ROUTER, NULL);
  self->config = g_object_ref (config);
  self->fallback = g_object_ref (fallback);
  self->factory = factory;
  self->factory_data = user_data;
  g_signal_connect_object (fallback, "notify::server-state", G_CALLBACK (on_fallback_notify),
                           self, 0);
  g_signal_connect_object (fallback, "notify::server-url", G_CALLBACK (on_fallback_notify),
                           self, 0);
  g_signal_connect_object (config, "changed", G_CALLBACK (on_config_changed), self, 0);
  read_sources (self, FALSE);
  return self;
}

char *
hw_feed_router_dup_source (HwFeedRouter *self,
                           guint         cell_index)
{
  g_return_val_if_fail (HW_IS_FEED_ROUTER (self), NULL);

  if (cell_index >= self->cells->len)
    return NULL;
  return g_strdup (g_ptr_array_index (self->cells, cell_index));
}

HwFeed *
hw_feed_router_get_fallback (HwFeedRouter *self)
{
  g_return_val_if_fail (HW_IS_FEED_ROUTER (self), NULL);
  return self->fallback;
}

static void
hw_feed_router_dispose (GObject *object)
{
  HwFeedRouter *self = HW_FEED_ROUTER (object);

  if (self->origin != NULL)
    g_hash_table_remove_all (self->origin);
  if (self->feeds != NULL)
    g_hash_table_remove_all (self->feeds);
  g_clear_object (&self->fallback);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (hw_feed_router_parent_class)->dispose (object);
}

static void
hw_feed_router_finalize (GObject *object)
{
  HwFeedRouter *self = HW_FEED_ROUTER (object);

  g_clear_pointer (&self->cells, g_ptr_array_unref);
  g_clear_pointer (&self->feeds, g_hash_table_unref);
  g_clear_pointer (&self->origin, g_hash_table_unref);
  g_clear_pointer (&self->refused, g_hash_table_unref);

  G_OBJECT_CLASS (hw_feed_router_parent_class)->finalize (object);
}

static void
hw_feed_router_class_init (HwFeedRouterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hw_feed_router_dispose;
  object_class->finalize = hw_feed_router_finalize;
  object_class->get_property = hw_feed_get_property;

  hw_feed_install_properties (object_class, N_PROPS);

  signals[SOURCE_CHANGED] = g_signal_new ("source-changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
hw_feed_router_init (HwFeedRouter *self)
{
  self->cells = g_ptr_array_new_with_free_func (g_free);
  self->feeds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->origin = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref,
                                        g_object_unref);
  self->refused = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}
