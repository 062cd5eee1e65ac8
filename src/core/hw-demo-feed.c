/* hw-demo-feed.c: built-in moving test patterns, the default feed.
 *
 * Each item is an ffmpeg lavfi graph that mpv opens as "av://lavfi:…":
 * 640x360 at 30 fps, finite (so a cell moves on when it ends), moving, and
 * bright. The sources were picked for cost: each takes under 6 % of one
 * core to generate (measured with ffmpeg 5.1 on the 2-core kiosk), so four
 * cells leave the CPU to rendering. mandelbrot looked nice but grows
 * without bound as it zooms; gradients is rendered at a quarter of the
 * pixels and scaled up for the same reason.
 *
 * A wall can hold 64 cells but there are only ten patterns, so the item
 * space is patterns × hue variants: slot s is pattern s % N with its hues
 * turned by (s / N) × 45°. Slots are what cells hold; no slot is ever on
 * two cells at once. A cell starts at the slot of its own index and then
 * walks forward, skipping slots other cells hold, so neighbours show
 * different patterns and each cell moves on to a new one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <glib/gi18n.h>

#include "hw-demo-feed.h"

typedef struct {
  const char *name;
  const char *graph;   /* "@D@" stands for the duration in seconds */
} HwDemoPattern;

/* Names marked N_() are translated where they become a title; the two
 * named after their lavfi source stay as they are. */
static const HwDemoPattern patterns[] = {
  { "testsrc2", "testsrc2=s=640x360:r=30:d=@D@" },
  { N_("SMPTE bars"),
    "smptehdbars=s=640x360:r=30:d=@D@[bars];"
    "color=c=white:s=64x64:r=30:d=@D@[box];"
    "[bars][box]overlay=x=288+250*sin(t*1.5):y=148+120*cos(t)" },
  { N_("Life"),
    "life=s=640x360:r=30:ratio=0.25:mold=10:life_color=#ffdd00:death_color=#1a3a7a:"
    "mold_color=#3a6ad0,trim=duration=@D@" },
  { "testsrc", "testsrc=s=640x360:r=30:d=@D@" },
  { N_("Cellular automaton"),
    "cellauto=s=640x360:r=30:rule=30:ratio=0.5,format=rgb24,"
    "lutrgb=r=val*0.9+20:g=negval*0.5+60:b=val*0.3+90,trim=duration=@D@" },
  { N_("Rotating bars"), "pal100bars=s=640x360:r=30:d=@D@,hue=H=2*PI*t/6" },
  { N_("Spectrum"), "colorspectrum=s=640x360:r=30:d=@D@:type=all,scroll=h=0.004" },
  { N_("Sierpinski carpet"), "sierpinski=s=640x360:r=30:type=carpet,trim=duration=@D@" },
  { N_("YUV ramps"), "yuvtestsrc=s=640x360:r=30:d=@D@,scroll=v=0.005" },
  { N_("Spiral gradients"),
    "gradients=s=320x180:r=30:d=@D@:speed=0.03:n=5:type=spiral,scale=640:360" },
};

#define N_PATTERNS  G_N_ELEMENTS (patterns)
#define N_VARIANTS  8
#define N_SLOTS     (N_PATTERNS * N_VARIANTS)

struct _HwDemoFeed
{
  GObject     parent_instance;

  GHashTable *in_use;       /* the ids of the slots cells hold (a set) */
  GArray     *last_slot;    /* per cell index: int, -1 before the first item */
};

static void hw_demo_feed_iface_init (HwFeedInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HwDemoFeed, hw_demo_feed, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HW_TYPE_FEED, hw_demo_feed_iface_init))

static char *
hw_demo_feed_slot_id (guint slot)
{
  return g_strdup_printf ("demo-%u", slot);
}

static char *
hw_demo_feed_slot_url (guint slot)
{
  const HwDemoPattern *pattern = &patterns[slot % N_PATTERNS];
  guint variant = slot / N_PATTERNS;
  g_autofree char *seconds = g_strdup_printf ("%u", (guint) HW_DEMO_FEED_ITEM_SECONDS);
  GString *url = g_string_new ("av://lavfi:");

  g_string_append (url, pattern->graph);
  g_string_replace (url, "@D@", seconds, 0);
  if (variant > 0)
    g_string_append_printf (url, ",hue=h=%u", variant * 45);
  /* The pixel format mpv converts from most cheaply. */
  g_string_append (url, ",format=yuv420p");

  return g_string_free (url, FALSE);
}

static HwMediaItem *
hw_demo_feed_make_item (guint slot)
{
  g_autofree char *id = hw_demo_feed_slot_id (slot);
  g_autofree char *url = hw_demo_feed_slot_url (slot);
  /* Translators: a demo pattern's title; %u is a number, %s the pattern's name. */
  g_autofree char *title = g_strdup_printf (_("Test card %u — %s"), slot + 1,
                                            _(patterns[slot % N_PATTERNS].name));
  HwMediaItem *item = hw_media_item_new (id, title, HW_DEMO_FEED_ITEM_SECONDS);

  hw_media_item_set_direct_url (item, url);
  hw_media_item_set_is_network (item, FALSE);

  return item;
}

static int *
hw_demo_feed_last_slot (HwDemoFeed *self,
                        guint       cell_index)
{
  while (self->last_slot->len <= cell_index)
    {
      int none = -1;

      g_array_append_val (self->last_slot, none);
    }

  return &g_array_index (self->last_slot, int, cell_index);
}

/* The first free slot from the cell's next one on; -1 when all are held. */
static int
hw_demo_feed_pick_slot (HwDemoFeed *self,
                        guint       cell_index)
{
  int *last = hw_demo_feed_last_slot (self, cell_index);
  guint start = *last < 0 ? cell_index % N_SLOTS : (guint) (*last + 1) % N_SLOTS;

  for (guint i = 0; i < N_SLOTS; i++)
    {
      guint slot = (start + i) % N_SLOTS;
      g_autofree char *id = hw_demo_feed_slot_id (slot);

      if (!g_hash_table_contains (self->in_use, id))
        {
          g_hash_table_add (self->in_use, g_steal_pointer (&id));
          *last = (int) slot;
          return (int) slot;
        }
    }

  return -1;
}

static void
hw_demo_feed_next_item_async (HwFeed              *feed,
                              guint                cell_index,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  HwDemoFeed *self = HW_DEMO_FEED (feed);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  int slot;

  g_task_set_source_tag (task, hw_demo_feed_next_item_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  slot = hw_demo_feed_pick_slot (self, cell_index);
  if (slot < 0)
    {
      g_task_return_new_error (task, HW_FEED_ERROR, HW_FEED_ERROR_UNAVAILABLE,
                               _("All %u test patterns are on screen already"),
                               (guint) N_SLOTS);
      return;
    }

  g_debug ("cell %u: demo pattern %d (%s)", cell_index, slot, patterns[slot % N_PATTERNS].name);
  g_task_return_pointer (task, hw_demo_feed_make_item ((guint) slot), g_object_unref);
}

static void
hw_demo_feed_release_item (HwFeed      *feed,
                           guint        cell_index,
                           HwMediaItem *item)
{
  HwDemoFeed *self = HW_DEMO_FEED (feed);

  g_hash_table_remove (self->in_use, hw_media_item_get_id (item));
}

static void
hw_demo_feed_iface_init (HwFeedInterface *iface)
{
  iface->next_item_async = hw_demo_feed_next_item_async;
  iface->release_item = hw_demo_feed_release_item;
}

static void
hw_demo_feed_finalize (GObject *object)
{
  HwDemoFeed *self = HW_DEMO_FEED (object);

  g_clear_pointer (&self->in_use, g_hash_table_unref);
  g_clear_pointer (&self->last_slot, g_array_unref);

  G_OBJECT_CLASS (hw_demo_feed_parent_class)->finalize (object);
}

static void
hw_demo_feed_class_init (HwDemoFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = hw_feed_get_property;
  object_class->finalize = hw_demo_feed_finalize;

  hw_feed_install_properties (object_class, 1);
}

static void
hw_demo_feed_init (HwDemoFeed *self)
{
  self->in_use = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->last_slot = g_array_new (FALSE, FALSE, sizeof (int));
}

HwDemoFeed *
hw_demo_feed_new (void)
{
  return g_object_new (HW_TYPE_DEMO_FEED, NULL);
}
