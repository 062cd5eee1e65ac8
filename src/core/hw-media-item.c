/* hw-media-item.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-media-item.h"

struct _HwMediaItem
{
  GObject  parent_instance;

  char    *id;
  char    *title;
  double   duration;
  char    *direct_url;
  char    *fallback_url;
  char    *mpv_options;
  char    *session_id;
  char    *source_id;
  gboolean is_network;
  gboolean from_cache;
};

G_DEFINE_FINAL_TYPE (HwMediaItem, hw_media_item, G_TYPE_OBJECT)

static void
hw_media_item_finalize (GObject *object)
{
  HwMediaItem *self = HW_MEDIA_ITEM (object);

  g_free (self->id);
  g_free (self->title);
  g_free (self->direct_url);
  g_free (self->fallback_url);
  g_free (self->mpv_options);
  g_free (self->session_id);
  g_free (self->source_id);

  G_OBJECT_CLASS (hw_media_item_parent_class)->finalize (object);
}

static void
hw_media_item_class_init (HwMediaItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hw_media_item_finalize;
}

static void
hw_media_item_init (HwMediaItem *self)
{
}

HwMediaItem *
hw_media_item_new (const char *id,
                   const char *title,
                   double      duration)
{
  HwMediaItem *self;

  g_return_val_if_fail (id != NULL, NULL);

  self = g_object_new (HW_TYPE_MEDIA_ITEM, NULL);
  self->id = g_strdup (id);
  self->title = g_strdup (title ? title : id);
  self->duration = MAX (duration, 0.0);

  return self;
}

#define STRING_ACCESSORS(field)                                         \
  const char *                                                          \
  hw_media_item_get_##field (HwMediaItem *self)                         \
  {                                                                     \
    g_return_val_if_fail (HW_IS_MEDIA_ITEM (self), NULL);               \
    return self->field;                                                 \
  }                                                                     \
  void                                                                  \
  hw_media_item_set_##field (HwMediaItem *self,                         \
                             const char  *value)                        \
  {                                                                     \
    g_return_if_fail (HW_IS_MEDIA_ITEM (self));                         \
    g_free (self->field);                                               \
    self->field = g_strdup (value);                                     \
  }

STRING_ACCESSORS (direct_url)
STRING_ACCESSORS (fallback_url)
STRING_ACCESSORS (mpv_options)
STRING_ACCESSORS (session_id)
STRING_ACCESSORS (source_id)

const char *
hw_media_item_get_id (HwMediaItem *self)
{
  g_return_val_if_fail (HW_IS_MEDIA_ITEM (self), NULL);
  return self->id;
}

const char *
hw_media_item_get_title (HwMediaItem *self)
{
  g_return_val_if_fail (HW_IS_MEDIA_ITEM (self), NULL);
  return self->title;
}

double
hw_media_item_get_duration (HwMediaItem *self)
{
  g_return_val_if_fail (HW_IS_MEDIA_ITEM (self), 0.0);
  return self->duration;
}

gboolean
hw_media_item_get_is_network (HwMediaItem *self)
{
  g_return_val_if_fail (HW_IS_MEDIA_ITEM (self), FALSE);
  return self->is_network;
}

void
hw_media_item_set_is_network (HwMediaItem *self,
                              gboolean     is_network)
{
  g_return_if_fail (HW_IS_MEDIA_ITEM (self));
  self->is_network = !!is_network;
}

gboolean
hw_media_item_get_from_cache (HwMediaItem *self)
{
  g_return_val_if_fail (HW_IS_MEDIA_ITEM (self), FALSE);
  return self->from_cache;
}

void
hw_media_item_set_from_cache (HwMediaItem *self,
                              gboolean     from_cache)
{
  g_return_if_fail (HW_IS_MEDIA_ITEM (self));
  self->from_cache = !!from_cache;
}
