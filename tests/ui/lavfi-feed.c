/* lavfi-feed.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "hw-media-item.h"
#include "hw-types.h"
#include "lavfi-feed.h"

struct _LavfiFeed
{
  GObject parent_instance;
  char   *id;
  char   *title;
  char   *url;
  double  duration;
};

#define LAVFI_TYPE_FEED (lavfi_feed_get_type ())
G_DECLARE_FINAL_TYPE (LavfiFeed, lavfi_feed, LAVFI, FEED, GObject)
static void lavfi_feed_iface_init (HwFeedInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (LavfiFeed, lavfi_feed, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HW_TYPE_FEED, lavfi_feed_iface_init))

enum { PROP_0, PROP_SERVER_STATE, PROP_SERVER_URL };

static void
lavfi_feed_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  if (prop_id == PROP_SERVER_STATE)
    g_value_set_int (value, HW_SERVER_STATE_NONE);
  else
    g_value_set_string (value, NULL);
}

static void
lavfi_feed_finalize (GObject *object)
{
  LavfiFeed *self = LAVFI_FEED (object);

  g_free (self->id);
  g_free (self->title);
  g_free (self->url);
  G_OBJECT_CLASS (lavfi_feed_parent_class)->finalize (object);
}

static void
lavfi_feed_class_init (LavfiFeedClass *klass)
{
  G_OBJECT_CLASS (klass)->get_property = lavfi_feed_get_property;
  G_OBJECT_CLASS (klass)->finalize = lavfi_feed_finalize;
  g_object_class_override_property (G_OBJECT_CLASS (klass), PROP_SERVER_STATE, "server-state");
  g_object_class_override_property (G_OBJECT_CLASS (klass), PROP_SERVER_URL, "server-url");
}

static void
lavfi_feed_init (LavfiFeed *self)
{
}

static void
lavfi_feed_next_item_async (HwFeed *feed, guint cell, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  LavfiFeed *self = LAVFI_FEED (feed);
  g_autoptr(GTask) task = g_task_new (feed, cancellable, callback, user_data);
  HwMediaItem *item = hw_media_item_new (self->id, self->title, self->duration);

  hw_media_item_set_direct_url (item, self->url);
  g_task_return_pointer (task, item, g_object_unref);
}

static HwMediaItem *
lavfi_feed_next_item_finish (HwFeed *feed, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
lavfi_feed_iface_init (HwFeedInterface *iface)
{
  iface->next_item_async = lavfi_feed_next_item_async;
  iface->next_item_finish = lavfi_feed_next_item_finish;
}

HwFeed *
lavfi_feed_new (const char *id,
                const char *title,
                const char *url,
                double      duration)
{
  LavfiFeed *self = g_object_new (LAVFI_TYPE_FEED, NULL);

  self->id = g_strdup (id);
  self->title = g_strdup (title);
  self->url = g_strdup (url);
  self->duration = duration;
  return HW_FEED (self);
}
