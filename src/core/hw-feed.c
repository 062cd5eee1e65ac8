/* hw-feed.c: the HwFeed interface.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-core-enums.h"
#include "hw-feed.h"

G_DEFINE_QUARK (hw-feed-error-quark, hw_feed_error)

G_DEFINE_INTERFACE (HwFeed, hw_feed, G_TYPE_OBJECT)

enum {
  FEED_PROP_SERVER_STATE,
  FEED_PROP_SERVER_URL,
  N_FEED_PROPS
};

/* The interface's own param specs: an override forwards to these, so
 * hw_feed_get_property () recognises them whatever id a class gave. */
static GParamSpec *feed_properties[N_FEED_PROPS];

static HwMediaItem *
hw_feed_real_next_item_finish (HwFeed        *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  /* A request cancelled after the feed took its item still hands the item
   * over: only the caller can release it, and unreleased its slot in the
   * pool would stay taken for good. */
  g_task_set_check_cancellable (G_TASK (result), FALSE);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The same item once more: a file plays again as it is. */
static void
hw_feed_real_replay_item_async (HwFeed *self, guint cell_index, HwMediaItem *item,
                                GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, hw_feed_real_replay_item_async);
  g_task_return_pointer (task, g_object_ref (item), g_object_unref);
}

static gboolean
hw_feed_real_check_stream_finish (HwFeed        *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static HwServerState
hw_feed_real_get_server_state (HwFeed *self)
{
  return HW_SERVER_STATE_NONE;
}

static char *
hw_feed_real_dup_server_url (HwFeed *self)
{
  return NULL;
}

static void
hw_feed_default_init (HwFeedInterface *iface)
{
  iface->next_item_finish = hw_feed_real_next_item_finish;
  /* Both answer the same way: the item, from a GTask. */
  iface->replay_item_async = hw_feed_real_replay_item_async;
  iface->replay_item_finish = hw_feed_real_next_item_finish;
  iface->check_stream_finish = hw_feed_real_check_stream_finish;
  iface->get_server_state = hw_feed_real_get_server_state;
  iface->dup_server_url = hw_feed_real_dup_server_url;

  feed_properties[FEED_PROP_SERVER_STATE] =
    g_param_spec_enum ("server-state", NULL, NULL, HW_TYPE_SERVER_STATE, HW_SERVER_STATE_NONE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_interface_install_property (iface, feed_properties[FEED_PROP_SERVER_STATE]);
  feed_properties[FEED_PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_interface_install_property (iface, feed_properties[FEED_PROP_SERVER_URL]);
}

void
hw_feed_install_properties (GObjectClass *object_class,
                            guint         first_prop)
{
  g_return_if_fail (G_IS_OBJECT_CLASS (object_class));
  g_return_if_fail (first_prop > 0);

  g_object_class_override_property (object_class, first_prop + FEED_PROP_SERVER_STATE,
                                    "server-state");
  g_object_class_override_property (object_class, first_prop + FEED_PROP_SERVER_URL,
                                    "server-url");
}

void
hw_feed_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  if (pspec == feed_properties[FEED_PROP_SERVER_STATE])
    g_value_set_enum (value, hw_feed_get_server_state (HW_FEED (object)));
  else if (pspec == feed_properties[FEED_PROP_SERVER_URL])
    g_value_take_string (value, hw_feed_dup_server_url (HW_FEED (object)));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

void
hw_feed_next_item_async (HwFeed              *self,
                         guint                cell_index,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (HW_IS_FEED (self));

  HW_FEED_GET_IFACE (self)->next_item_async (self, cell_index, cancellable, callback, user_data);
}

HwMediaItem *
hw_feed_next_item_finish (HwFeed        *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (HW_IS_FEED (self), NULL);

  return HW_FEED_GET_IFACE (self)->next_item_finish (self, result, error);
}

void
hw_feed_replay_item_async (HwFeed *self, guint cell_index, HwMediaItem *item,
                           GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_return_if_fail (HW_IS_FEED (self));
  g_return_if_fail (HW_IS_MEDIA_ITEM (item));

  HW_FEED_GET_IFACE (self)->replay_item_async (self, cell_index, item, cancellable, callback,
                                               user_data);
}

HwMediaItem *
hw_feed_replay_item_finish (HwFeed *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (HW_IS_FEED (self), NULL);

  return HW_FEED_GET_IFACE (self)->replay_item_finish (self, result, error);
}

void
hw_feed_release_item (HwFeed      *self,
                      guint        cell_index,
                      HwMediaItem *item)
{
  HwFeedInterface *iface;

  g_return_if_fail (HW_IS_FEED (self));

  iface = HW_FEED_GET_IFACE (self);
  if (item != NULL && iface->release_item != NULL)
    iface->release_item (self, cell_index, item);
}

void
hw_feed_report (HwFeed       *self,
                HwMediaItem  *item,
                HwFeedReport  report,
                double        position)
{
  HwFeedPlayback playback = { .position = position };

  hw_feed_report_playback (self, item, report, &playback);
}

void
hw_feed_report_playback (HwFeed *self, HwMediaItem *item, HwFeedReport report,
                         const HwFeedPlayback *playback)
{
  HwFeedInterface *iface;

  g_return_if_fail (HW_IS_FEED (self));
  g_return_if_fail (playback != NULL);

  iface = HW_FEED_GET_IFACE (self);
  if (item != NULL && iface->report != NULL)
    iface->report (self, item, report, playback);
}

void
hw_feed_set_focused_cell (HwFeed *self, guint cell_index)
{
  HwFeedInterface *iface;

  g_return_if_fail (HW_IS_FEED (self));

  iface = HW_FEED_GET_IFACE (self);
  if (iface->set_focused_cell != NULL)
    iface->set_focused_cell (self, cell_index);
}

void
hw_feed_set_aside (HwFeed        *self,
                   HwMediaItem   *item,
                   HwItemVerdict  verdict)
{
  HwFeedInterface *iface;

  g_return_if_fail (HW_IS_FEED (self));

  iface = HW_FEED_GET_IFACE (self);
  if (item != NULL && iface->set_aside != NULL)
    iface->set_aside (self, item, verdict);
}

void
hw_feed_suspect_server (HwFeed *self)
{
  HwFeedInterface *iface;

  g_return_if_fail (HW_IS_FEED (self));

  iface = HW_FEED_GET_IFACE (self);
  if (iface->suspect_server != NULL)
    iface->suspect_server (self);
}

gboolean
hw_feed_has_offline_items (HwFeed *self)
{
  HwFeedInterface *iface;

  g_return_val_if_fail (HW_IS_FEED (self), FALSE);

  iface = HW_FEED_GET_IFACE (self);
  return iface->has_offline_items != NULL && iface->has_offline_items (self);
}

void
hw_feed_set_buffering (HwFeed   *self,
                       gboolean  buffering)
{
  HwFeedInterface *iface;

  g_return_if_fail (HW_IS_FEED (self));

  iface = HW_FEED_GET_IFACE (self);
  if (iface->set_buffering != NULL)
    iface->set_buffering (self, buffering);
}

void
hw_feed_add_status (HwFeed      *self,
                    JsonBuilder *builder)
{
  HwFeedInterface *iface;

  g_return_if_fail (HW_IS_FEED (self));

  iface = HW_FEED_GET_IFACE (self);
  if (iface->add_status != NULL)
    iface->add_status (self, builder);
}

gboolean
hw_feed_is_busy (HwFeed *self)
{
  HwFeedInterface *iface;

  g_return_val_if_fail (HW_IS_FEED (self), FALSE);

  iface = HW_FEED_GET_IFACE (self);
  return iface->is_busy != NULL && iface->is_busy (self);
}

gboolean
hw_feed_has_requests (HwFeed *self)
{
  HwFeedInterface *iface;

  g_return_val_if_fail (HW_IS_FEED (self), FALSE);

  iface = HW_FEED_GET_IFACE (self);
  return iface->has_requests != NULL && iface->has_requests (self);
}

gboolean
hw_feed_can_check_stream (HwFeed *self)
{
  g_return_val_if_fail (HW_IS_FEED (self), FALSE);
  return HW_FEED_GET_IFACE (self)->check_stream_async != NULL;
}

void
hw_feed_check_stream_async (HwFeed              *self,
                            HwMediaItem         *item,
                            const char          *url,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (hw_feed_can_check_stream (self));

  HW_FEED_GET_IFACE (self)->check_stream_async (self, item, url, cancellable, callback, user_data);
}

gboolean
hw_feed_check_stream_finish (HwFeed        *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (hw_feed_can_check_stream (self), FALSE);

  return HW_FEED_GET_IFACE (self)->check_stream_finish (self, result, error);
}

HwServerState
hw_feed_get_server_state (HwFeed *self)
{
  g_return_val_if_fail (HW_IS_FEED (self), HW_SERVER_STATE_NONE);

  return HW_FEED_GET_IFACE (self)->get_server_state (self);
}

char *
hw_feed_dup_server_url (HwFeed *self)
{
  g_return_val_if_fail (HW_IS_FEED (self), NULL);

  return HW_FEED_GET_IFACE (self)->dup_server_url (self);
}

const char *
hw_feed_get_server_reason (HwFeed *self)
{
  HwFeedInterface *iface;

  g_return_val_if_fail (HW_IS_FEED (self), NULL);

  iface = HW_FEED_GET_IFACE (self);
  return iface->get_server_reason != NULL ? iface->get_server_reason (self) : NULL;
}
