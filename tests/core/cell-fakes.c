/* cell-fakes.c: a player, a view and a feed that tests drive and read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "cell-fakes.h"

/* ------------------------------------------------------------------ */
/* A player the test drives                                            */

static void test_player_iface_init (HwCellPlayerInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (TestPlayer, test_player, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HW_TYPE_CELL_PLAYER, test_player_iface_init))

static void
test_player_finalize (GObject *object)
{
  g_ptr_array_unref (TEST_PLAYER (object)->loads);
  G_OBJECT_CLASS (test_player_parent_class)->finalize (object);
}

static void
test_player_class_init (TestPlayerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_player_finalize;
}

static void
reset_observed (TestPlayer *self)
{
  self->loaded = FALSE;
  self->position = -1;
  self->duration = 0;
  self->paused_for_cache = FALSE;
  self->seeking = FALSE;
  self->cache_eof = FALSE;
  self->cache_full = FALSE;
  self->cache_bytes = -1;
}

static void
test_player_init (TestPlayer *self)
{
  self->loads = g_ptr_array_new_with_free_func (g_free);
  reset_observed (self);
}

static gboolean
player_load (HwCellPlayer *player, const char *url, const char *options, GError **error)
{
  TestPlayer *self = TEST_PLAYER (player);

  reset_observed (self);
  g_ptr_array_add (self->loads, g_strdup (url));
  self->loaded = TRUE;
  return TRUE;
}

static void
player_forget (HwCellPlayer *player)
{
  TEST_PLAYER (player)->forgets++;
  reset_observed (TEST_PLAYER (player));
}

static void
player_stop (HwCellPlayer *player)
{
  TEST_PLAYER (player)->stops++;
  reset_observed (TEST_PLAYER (player));
}

static void
player_set_paused (HwCellPlayer *player, gboolean paused)
{
  TEST_PLAYER (player)->paused = paused;
}

static void
player_set_cache_limits (HwCellPlayer *player, guint64 forward, guint64 back)
{
  TEST_PLAYER (player)->forward_bytes = forward;
  TEST_PLAYER (player)->back_bytes = back;
}

static void
player_set_audible (HwCellPlayer *player, gboolean audible)
{
  TEST_PLAYER (player)->audible = audible;
}

#define GETTER(type, name, field) \
  static type name (HwCellPlayer *p) { return TEST_PLAYER (p)->field; }

GETTER (double, player_get_position, position)
GETTER (double, player_get_duration, duration)
GETTER (gboolean, player_get_paused_for_cache, paused_for_cache)
GETTER (gboolean, player_get_seeking, seeking)
GETTER (gboolean, player_get_cache_eof, cache_eof)
GETTER (gint64, player_get_cache_bytes, cache_bytes)
GETTER (gboolean, player_get_cache_full, cache_full)
GETTER (gboolean, player_get_video_missing, video_missing)
GETTER (gboolean, player_get_loaded, loaded)
GETTER (guint64, player_get_dropped_frames, dropped_frames)
GETTER (const char *, player_get_hwdec, hwdec)
GETTER (guint64, player_read_max_bytes, forward_bytes)
GETTER (guint64, player_read_max_back_bytes, back_bytes)

#undef GETTER

static void
test_player_iface_init (HwCellPlayerInterface *iface)
{
  iface->load = player_load;
  iface->stop = player_stop;
  iface->forget = player_forget;
  iface->set_paused = player_set_paused;
  iface->set_cache_limits = player_set_cache_limits;
  iface->set_audible = player_set_audible;
  iface->get_position = player_get_position;
  iface->get_duration = player_get_duration;
  iface->get_paused_for_cache = player_get_paused_for_cache;
  iface->get_seeking = player_get_seeking;
  iface->get_cache_eof = player_get_cache_eof;
  iface->get_cache_bytes = player_get_cache_bytes;
  iface->get_cache_full = player_get_cache_full;
  iface->get_video_missing = player_get_video_missing;
  iface->get_loaded = player_get_loaded;
  iface->get_dropped_frames = player_get_dropped_frames;
  iface->get_hwdec = player_get_hwdec;
  iface->read_demuxer_max_bytes = player_read_max_bytes;
  iface->read_demuxer_max_back_bytes = player_read_max_back_bytes;
}

/* ------------------------------------------------------------------ */
/* A view that makes test players                                      */

static void test_view_iface_init (HwCellViewInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (TestView, test_view, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HW_TYPE_CELL_VIEW, test_view_iface_init))

static void
test_view_finalize (GObject *object)
{
  TestView *self = TEST_VIEW (object);

  g_clear_object (&self->player);
  g_free (self->log_prefix);
  G_OBJECT_CLASS (test_view_parent_class)->finalize (object);
}

static void
test_view_class_init (TestViewClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_view_finalize;
}

static void
test_view_init (TestView *self)
{
}

static HwCellPlayer *
view_create_player (HwCellView *view, const HwPlayerOptions *options, GError **error)
{
  TestView *self = TEST_VIEW (view);

  g_assert_null (self->player);
  self->created++;
  self->audible = options->audible;
  self->forward_bytes = options->demuxer_max_bytes;
  g_free (self->log_prefix);
  self->log_prefix = g_strdup (options->log_prefix);
  self->player = g_object_new (TEST_TYPE_PLAYER, NULL);
  return g_object_ref (HW_CELL_PLAYER (self->player));
}

static void
view_release_player (HwCellView *view, HwCellPlayer *player)
{
  TestView *self = TEST_VIEW (view);

  g_assert_true ((gpointer) player == (gpointer) self->player);
  self->released++;
  g_clear_object (&self->player);
}

static guint64
view_get_frames (HwCellView *view)
{
  return TEST_VIEW (view)->frames;
}

static void
test_view_iface_init (HwCellViewInterface *iface)
{
  iface->create_player = view_create_player;
  iface->release_player = view_release_player;
  iface->get_frames = view_get_frames;
}

/* ------------------------------------------------------------------ */
/* A feed that hands numbered items and records what it was told       */

static void test_feed_iface_init (HwFeedInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (TestFeed, test_feed, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HW_TYPE_FEED, test_feed_iface_init))

enum { PROP_0, PROP_SERVER_STATE, PROP_SERVER_URL };

static void
test_feed_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  if (prop_id == PROP_SERVER_STATE)
    g_value_set_enum (value, HW_SERVER_STATE_NONE);
  else
    g_value_set_string (value, NULL);
}

static void
test_feed_finalize (GObject *object)
{
  TestFeed *self = TEST_FEED (object);

  g_clear_error (&self->error);
  g_free (self->checked_url);
  g_free (self->last_play_session_id);
  g_ptr_array_unref (self->set_aside);
  G_OBJECT_CLASS (test_feed_parent_class)->finalize (object);
}

static void
test_feed_class_init (TestFeedClass *klass)
{
  G_OBJECT_CLASS (klass)->get_property = test_feed_get_property;
  G_OBJECT_CLASS (klass)->finalize = test_feed_finalize;
  g_object_class_override_property (G_OBJECT_CLASS (klass), PROP_SERVER_STATE, "server-state");
  g_object_class_override_property (G_OBJECT_CLASS (klass), PROP_SERVER_URL, "server-url");
}

static void
test_feed_init (TestFeed *self)
{
  self->has_fallback = TRUE;
  self->set_aside = g_ptr_array_new_with_free_func (g_free);
}

static void
feed_next_item_async (HwFeed *feed, guint cell, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
  TestFeed *self = TEST_FEED (feed);
  g_autoptr(GTask) task = g_task_new (feed, cancellable, callback, user_data);
  g_autofree char *id = NULL;
  g_autofree char *title = NULL;
  g_autofree char *url = NULL;
  HwMediaItem *item;

  self->requests++;
  if (self->error != NULL)
    {
      g_task_return_error (task, g_error_copy (self->error));
      return;
    }

  id = g_strdup_printf ("item-%u", self->requests);
  title = g_strdup_printf ("Item %u", self->requests);
  item = hw_media_item_new (id, title, 60);
  url = g_strdup_printf ("direct://%s", id);
  hw_media_item_set_direct_url (item, url);
  if (self->has_fallback)
    {
      g_free (url);
      url = g_strdup_printf ("fallback://%s", id);
      hw_media_item_set_fallback_url (item, url);
    }
  hw_media_item_set_is_network (item, !self->local);
  self->handed++;
  g_task_return_pointer (task, item, g_object_unref);
}

static void
feed_replay_item_async (HwFeed *feed, guint cell, HwMediaItem *item, GCancellable *cancellable,
                        GAsyncReadyCallback callback, gpointer user_data)
{
  TestFeed *self = TEST_FEED (feed);
  g_autoptr (GTask) task = g_task_new (feed, cancellable, callback, user_data);
  g_autofree char *session = g_strdup_printf ("replay-%u", ++self->replays);
  HwMediaItem     *again
      = hw_media_item_new (hw_media_item_get_id (item), hw_media_item_get_title (item),
                           hw_media_item_get_duration (item));

  hw_media_item_set_direct_url (again, hw_media_item_get_direct_url (item));
  hw_media_item_set_fallback_url (again, hw_media_item_get_fallback_url (item));
  hw_media_item_set_is_network (again, hw_media_item_get_is_network (item));
  hw_media_item_set_session_id (again, session);
  g_task_return_pointer (task, again, g_object_unref);
}

static void
feed_release_item (HwFeed *feed, guint cell, HwMediaItem *item)
{
  TEST_FEED (feed)->released++;
}

static void
feed_report (HwFeed *feed, HwMediaItem *item, HwFeedReport report, const HwFeedPlayback *playback)
{
  TestFeed *self = TEST_FEED (feed);

  self->reports[report]++;
  self->last_playback = *playback;
  g_free (self->last_play_session_id);
  self->last_play_session_id = g_strdup (hw_media_item_get_session_id (item));
  if (report == HW_FEED_REPORT_STOPPED)
    self->stopped_position = playback->position;
}

static void
feed_check_stream_async (HwFeed *feed, HwMediaItem *item, const char *url,
                         GCancellable *cancellable, GAsyncReadyCallback callback,
                         gpointer user_data)
{
  TestFeed *self = TEST_FEED (feed);
  g_autoptr(GTask) task = g_task_new (feed, cancellable, callback, user_data);

  self->checks++;
  g_free (self->checked_url);
  self->checked_url = g_strdup (url);
  g_task_return_boolean (task, self->stream_gone);
}

static gboolean
feed_check_stream_finish (HwFeed *feed, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
feed_set_aside (HwFeed *feed, HwMediaItem *item, HwItemVerdict verdict)
{
  g_ptr_array_add (TEST_FEED (feed)->set_aside,
                   g_strdup_printf ("%s:%s", hw_media_item_get_id (item),
                                    verdict == HW_ITEM_VERDICT_UNPLAYABLE ? "gone" : "failed"));
}

static void
test_feed_iface_init (HwFeedInterface *iface)
{
  iface->next_item_async = feed_next_item_async;
  iface->release_item = feed_release_item;
  iface->replay_item_async = feed_replay_item_async;
  iface->report = feed_report;
  iface->check_stream_async = feed_check_stream_async;
  iface->check_stream_finish = feed_check_stream_finish;
  iface->set_aside = feed_set_aside;
}
