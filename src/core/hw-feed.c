/* hw-feed.c: the HwFeed interface.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-feed.h"

G_DEFINE_QUARK (hw-feed-error-quark, hw_feed_error)

G_DEFINE_INTERFACE (HwFeed, hw_feed, G_TYPE_OBJECT)

static void
hw_feed_default_init (HwFeedInterface *iface)
{
  g_object_interface_install_property (iface,
    g_param_spec_int ("server-state", NULL, NULL,
                      HW_SERVER_STATE_NONE, HW_SERVER_STATE_SIGN_IN_REQUIRED,
                      HW_SERVER_STATE_NONE,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_interface_install_property (iface,
    g_param_spec_string ("server-url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
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
  HwFeedInterface *iface;

  g_return_if_fail (HW_IS_FEED (self));

  iface = HW_FEED_GET_IFACE (self);
  if (item != NULL && iface->report != NULL)
    iface->report (self, item, report, position);
}

void
hw_feed_set_aside (HwFeed        *self,
                   HwMediaItem   *item,
                   HwFeedVerdict  verdict)
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
hw_feed_is_busy (HwFeed *self)
{
  HwFeedInterface *iface;

  g_return_val_if_fail (HW_IS_FEED (self), FALSE);

  iface = HW_FEED_GET_IFACE (self);
  return iface->is_busy != NULL && iface->is_busy (self);
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
  int state = HW_SERVER_STATE_NONE;

  g_return_val_if_fail (HW_IS_FEED (self), HW_SERVER_STATE_NONE);

  g_object_get (self, "server-state", &state, NULL);
  return state;
}

char *
hw_feed_dup_server_url (HwFeed *self)
{
  char *url = NULL;

  g_return_val_if_fail (HW_IS_FEED (self), NULL);

  g_object_get (self, "server-url", &url, NULL);
  return url;
}

const char *
hw_feed_get_server_reason (HwFeed *self)
{
  HwFeedInterface *iface;

  g_return_val_if_fail (HW_IS_FEED (self), NULL);

  iface = HW_FEED_GET_IFACE (self);
  return iface->get_server_reason != NULL ? iface->get_server_reason (self) : NULL;
}
