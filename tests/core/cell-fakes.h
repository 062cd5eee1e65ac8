/* cell-fakes.h: a player, a view and a feed for the supervisor's tests.
 *
 * TestPlayer does what it is told and records it; the test drives its
 * observed state and emits its signals. TestView makes TestPlayers.
 * TestFeed hands numbered items ("item-1": direct://item-1, and
 * fallback://item-1 unless has_fallback is cleared) and records requests,
 * items handed, releases, replays, reports, stream checks and set-aside
 * verdicts; it uses the interface's own next_item_finish. A replay hands a
 * new item of the same id and URLs, with a PlaySessionId of its own
 * ("replay-1"), as the Emby feed does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hw-cell-view.h"
#include "hw-feed.h"

G_BEGIN_DECLS

#define TEST_TYPE_PLAYER (test_player_get_type ())
G_DECLARE_FINAL_TYPE (TestPlayer, test_player, TEST, PLAYER, GObject)

struct _TestPlayer
{
  GObject    parent_instance;

  GPtrArray *loads;             /* every url asked for, in order */
  guint      stops;
  guint      forgets;
  gboolean   paused;
  gboolean   audible;
  guint64    forward_bytes;
  guint64    back_bytes;

  gboolean   loaded;
  double     position;
  double     duration;
  gboolean   paused_for_cache;
  gboolean   seeking;
  gboolean   cache_eof;
  gboolean   cache_full;
  gboolean   video_missing;
  gint64     cache_bytes;
  guint64    dropped_frames;
  const char *hwdec;
};

#define TEST_TYPE_VIEW (test_view_get_type ())
G_DECLARE_FINAL_TYPE (TestView, test_view, TEST, VIEW, GObject)

struct _TestView
{
  GObject     parent_instance;

  TestPlayer *player;           /* the one shown now */
  guint       created;
  guint       released;
  gboolean    audible;          /* as asked at creation */
  guint64     forward_bytes;
  char       *log_prefix;
  guint64     frames;
};

#define TEST_TYPE_FEED (test_feed_get_type ())
G_DECLARE_FINAL_TYPE (TestFeed, test_feed, TEST, FEED, GObject)

struct _TestFeed
{
  GObject    parent_instance;

  guint      requests;
  guint      handed;            /* items handed out (a request may fail instead) */
  guint      released;
  guint          replays; /* items handed again (repeat) */
  gboolean   has_fallback;
  gboolean   local;             /* items are local files, not network streams */
  GError    *error;             /* handed instead of an item while set */
  gboolean   stream_gone;       /* what check_stream answers */
  guint      checks;
  char      *checked_url;
  GPtrArray *set_aside;         /* "id:failed" or "id:gone" */
  guint      reports[3];        /* by HwFeedReport */
  double     stopped_position;
  HwFeedPlayback last_playback; /* of the latest report */
  char          *last_play_session_id;  /* the PlaySessionId of the latest report's item */
};

G_END_DECLS
