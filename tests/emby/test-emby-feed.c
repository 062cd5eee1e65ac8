/* test-emby-feed.c: HwEmbyFeed against tests/fake-emby.py: items, pages,
 * libraries, prefetch, reports, and stream URLs minted again when the
 * token changes. The fixture is fake-emby-fixture.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "fake-emby-fixture.h"
#include "hw-emby-feed.h"
#include "hw-emby-protocol.h"
#include "hw-emby-feed.h"

/* ------------------------------------------------------------------ */
/* The feed                                                            */

typedef struct {
  gboolean     done;
  HwMediaItem *item;
  GError      *error;
} ItemOutcome;

static void
on_next_item (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ItemOutcome *o = user_data;

  o->item = hw_feed_next_item_finish (HW_FEED (source), result, &o->error);
  o->done = TRUE;
}

static void
on_replayed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ItemOutcome *o = user_data;

  o->item = hw_feed_replay_item_finish (HW_FEED (source), result, &o->error);
  o->done = TRUE;
}

static HwMediaItem *
next_item (HwFeed  *feed,
           guint    cell,
           GError **error)
{
  ItemOutcome o = { 0 };

  hw_feed_next_item_async (feed, cell, NULL, on_next_item, &o);
  g_assert_true (spin_until (&o.done, 10));
  if (o.error != NULL)
    g_propagate_error (error, o.error);
  return o.item;
}

static void
test_feed_items (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(HwEmbyFeed) feed = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  HwMediaItem *items[4];
  g_autofree char *base = g_strconcat (f->origin, "/emby", NULL);
  g_autofree char *server_url = NULL;

  fixture_make_client (f);
  feed = hw_emby_feed_new_with_client (f->config, f->client);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_ONLINE, 10));
  g_assert_cmpint (hw_feed_get_server_state (HW_FEED (feed)), ==, HW_SERVER_STATE_ONLINE);
  server_url = hw_feed_dup_server_url (HW_FEED (feed));
  g_assert_cmpstr (server_url, ==, base);
  remember_token (f);

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *direct_prefix = NULL;
      g_autofree char *fallback_prefix = NULL;
      g_autofree char *source_id = NULL;
      const char *id;

      items[i] = next_item (HW_FEED (feed), i, &error);
      g_assert_no_error (error);
      id = hw_media_item_get_id (items[i]);
      g_assert_false (g_hash_table_contains (seen, id));
      g_hash_table_add (seen, (gpointer) id);

      direct_prefix = g_strdup_printf ("%s/Videos/%s/stream?Static=true&MediaSourceId=ms%s"
                                       "&PlaySessionId=", base, id, id);
      g_assert_true (g_str_has_prefix (hw_media_item_get_direct_url (items[i]), direct_prefix));
      g_assert_nonnull (strstr (hw_media_item_get_direct_url (items[i]), "&DeviceId="));
      g_assert_nonnull (strstr (hw_media_item_get_direct_url (items[i]), "&api_key="));
      /* TranscodingUrl is server-relative without /emby. */
      fallback_prefix = g_strdup_printf ("%s/videos/%s/master.m3u8?", base, id);
      g_assert_true (g_str_has_prefix (hw_media_item_get_fallback_url (items[i]), fallback_prefix));
      /* The media source's RunTimeTicks (30 s), not the item's (31 s). */
      g_assert_cmpfloat_with_epsilon (hw_media_item_get_duration (items[i]), 30.0, 0.01);
      g_assert_true (hw_media_item_get_is_network (items[i]));
      g_assert_nonnull (hw_media_item_get_session_id (items[i]));
      source_id = g_strconcat ("ms", id, NULL);
      g_assert_cmpstr (hw_media_item_get_source_id (items[i]), ==, source_id);
    }

  /* Paged once per library, with the contract's parameters. */
  g_assert_cmpuint (log_count (f, "GET", "Items$"), ==, 2);
  g_assert_cmpuint (log_count (f, "GET", "Views$"), ==, 1);

  /* The start shows the item; progress follows 10 s later, not sooner. */
  hw_feed_report (HW_FEED (feed), items[0], HW_FEED_REPORT_STARTED, 0.0);
  hw_feed_report (HW_FEED (feed), items[0], HW_FEED_REPORT_PROGRESS, 1.0);
  hw_feed_report (HW_FEED (feed), items[0], HW_FEED_REPORT_PROGRESS, 2.0);
  /* Answered before "stopped", which would replace a progress in flight. */
  spin_for (0.3);
  hw_feed_report (HW_FEED (feed), items[0], HW_FEED_REPORT_STOPPED, 3.0);
  hw_feed_release_item (HW_FEED (feed), 0, items[0]);
  spin_for (0.5);
  g_assert_cmpuint (log_count (f, "POST", "Sessions/Playing$"), ==, 1);
  g_assert_cmpuint (log_count (f, "POST", "Sessions/Playing/Progress$"), ==, 0);
  g_assert_cmpuint (log_count (f, "POST", "Sessions/Playing/Stopped$"), ==, 1);
  /* A direct play ran no transcode: nothing to stop on the server. */
  g_assert_cmpuint (log_count (f, "DELETE", "Videos/ActiveEncodings$"), ==, 0);

  /* One that played through its fallback (the transcode) stops it. */
  {
    const HwFeedPlayback transcoded = { .cell_index = 1, .position = 2.0, .fallback = TRUE };

    hw_feed_report_playback (HW_FEED (feed), items[1], HW_FEED_REPORT_STARTED, &transcoded);
    hw_feed_report_playback (HW_FEED (feed), items[1], HW_FEED_REPORT_STOPPED, &transcoded);
    spin_for (0.5);
    g_assert_cmpuint (log_count (f, "DELETE", "Videos/ActiveEncodings$"), ==, 1);
  }

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      if (i > 0)
        hw_feed_release_item (HW_FEED (feed), i, items[i]);
      g_object_unref (items[i]);
    }
}

static void
test_feed_skips_missing (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(HwEmbyFeed) feed = NULL;
  g_autoptr(HwMediaItem) item = NULL;
  g_autoptr(GError) error = NULL;

  start_online (f);
  feed = hw_emby_feed_new_with_client (f->config, f->client);
  control (f, "{\"fault\": \"status\", \"match\": \"PlaybackInfo$\", \"status\": 404, \"count\": 2}");
  item = next_item (HW_FEED (feed), 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (item);
  g_assert_cmpuint (log_count (f, "POST", "PlaybackInfo$"), >=, 3);
}

/* Items asked for by id: no id twice, at most 100 waiting, and an id the
 * server does not have costs one request, is dropped, and the cell gets
 * the next item instead of an error. */
static void
test_feed_requested_queue (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(HwEmbyFeed) feed = NULL;
  g_autoptr(HwMediaItem) item = NULL;
  g_autoptr(HwMediaItem) second = NULL;
  g_autoptr(GError) error = NULL;
  const char *twice[] = { "ghost-a", "ghost-b", "ghost-a", NULL };
  const char *again[] = { "ghost-b", NULL };
  g_autoptr(GPtrArray) many = g_ptr_array_new_with_free_func (g_free);

  start_online (f);
  feed = hw_emby_feed_new_with_client (f->config, f->client);
  hw_emby_feed_request_items (feed, twice, TRUE);
  hw_emby_feed_request_items (feed, again, FALSE);
  for (guint i = 0; i < 120; i++)
    g_ptr_array_add (many, g_strdup_printf ("ghost-%03u", i));
  g_ptr_array_add (many, NULL);
  /* Two queued, 98 of these fit, 22 do not. */
  hw_emby_feed_request_items (feed, (const char * const *) many->pdata, FALSE);

  item = next_item (HW_FEED (feed), 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (item);
  g_assert_false (g_str_has_prefix (hw_media_item_get_id (item), "ghost-"));
  g_assert_cmpuint (log_count (f, "POST", "ghost-[^/]*/PlaybackInfo$"), ==, 100);
  g_assert_cmpuint (log_count (f, "POST", "ghost-a/PlaybackInfo$"), ==, 1);
  g_assert_cmpuint (log_count (f, "POST", "ghost-1[01][0-9]/PlaybackInfo$"), ==, 0);

  /* Known to be missing: not asked for again. */
  hw_emby_feed_request_items (feed, twice, TRUE);
  second = next_item (HW_FEED (feed), 1, &error);
  g_assert_no_error (error);
  g_assert_false (g_str_has_prefix (hw_media_item_get_id (second), "ghost-"));
  g_assert_cmpuint (log_count (f, "POST", "ghost-[^/]*/PlaybackInfo$"), ==, 100);
  hw_feed_release_item (HW_FEED (feed), 0, item);
  hw_feed_release_item (HW_FEED (feed), 1, second);
}

static void
test_feed_unknown_library (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(HwEmbyFeed) feed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HwMediaItem) item = NULL;

  g_setenv ("HYPERWALL_LIBRARIES", "Nope,Nada", TRUE);
  start_online (f);
  feed = hw_emby_feed_new_with_client (f->config, f->client);
  item = next_item (HW_FEED (feed), 0, &error);
  g_assert_null (item);
  g_assert_error (error, HW_FEED_ERROR, HW_FEED_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "Nope"));
  g_assert_nonnull (strstr (error->message, "Nada"));
}

static void
test_feed_library_filter (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(HwEmbyFeed) feed = NULL;

  g_setenv ("HYPERWALL_LIBRARIES", "clips", TRUE);
  start_online (f);
  feed = hw_emby_feed_new_with_client (f->config, f->client);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HwMediaItem) item = next_item (HW_FEED (feed), i, &error);

      g_assert_no_error (error);
    }
  /* Only the Clips library (id 2001) was paged, with the contract's query. */
  g_assert_cmpuint (log_count (f, "GET", "Items$"), ==, 1);
  g_assert_cmpuint (log_count_query (f, "GET", "Items$",
                                     "ParentId=2001&.*SortBy=Random&Limit=100"), ==, 1);
  /* Not a parameter of this endpoint in Emby's document. */
  g_assert_cmpuint (log_count_query (f, "GET", "Items$", "EnableTotalRecordCount"), ==, 0);
  /* Only what the parser reads: the offline cache's two fields, no images. */
  g_assert_cmpuint (log_count_query (f, "GET", "Items$", "(?i)ImageType"), ==, 0);
  g_assert_cmpuint (log_count_query (f, "GET", "Items$",
                                     "Fields=DateModified(,|%2C)CanDownload(&|$)"), ==, 1);
  g_assert_cmpuint (log_count_query (f, "GET", "Items$", "EnableImages=false"), ==, 1);
}

static void
test_feed_prefetch (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(HwEmbyFeed) feed = NULL;
  g_autoptr(HwMediaItem) first = NULL;
  g_autoptr(HwMediaItem) second = NULL;
  g_autoptr(HwMediaItem) third = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  Outcome o = { 0 };

  start_online (f);
  feed = hw_emby_feed_new_with_client (f->config, f->client);
  first = next_item (HW_FEED (feed), 0, &error);
  g_assert_no_error (error);
  spin_for (0.5);

  /* Two more are ready: the next cell does not wait on PlaybackInfo. */
  g_assert_cmpuint (log_count (f, "POST", "PlaybackInfo$"), ==, 3);
  second = next_item (HW_FEED (feed), 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log_count (f, "POST", "PlaybackInfo$"), ==, 3);

  /* A new sign-in makes the prepared URLs useless: they are not handed out. */
  control (f, "{\"fault\": \"revoke-token\"}");
  get_views (f, &o);
  g_assert_no_error (o.error);
  outcome_clear (&o);
  remember_token (f);
  token = g_strdup (hw_emby_client_get_access_token (f->client));
  third = next_item (HW_FEED (feed), 2, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (hw_media_item_get_direct_url (third), token));
  g_assert_cmpstr (hw_media_item_get_id (third), !=, hw_media_item_get_id (first));
  g_assert_cmpstr (hw_media_item_get_id (third), !=, hw_media_item_get_id (second));
}

typedef struct {
  gboolean done;
  gboolean gone;
  GError  *error;
} CheckOutcome;

static void
on_stream_checked (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CheckOutcome *o = user_data;

  o->gone = hw_feed_check_stream_finish (HW_FEED (source), result, &o->error);
  o->done = TRUE;
}

/* What mpv does with a stream URL: a plain GET, the token in api_key. */
static guint
fetch_status (const char *url)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, message, NULL, NULL);

  return soup_message_get_status (message);
}

/* An admin signs the device out while cells play. The cell's stream fails
 * with 401 in mpv and it asks the feed whether the stream is gone: that
 * check meets the revocation, the client signs in once more, and the URLs
 * of every item handed out or prepared are minted again with the new
 * token. Nothing minted with the old token counts against the new one. */
static void
test_feed_revoked_token (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(HwEmbyFeed) feed = NULL;
  g_autoptr(HwMediaItem) playing = NULL;
  g_autoptr(HwMediaItem) next = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old_token = NULL;
  g_autofree char *old_url = NULL;
  const char *token;
  CheckOutcome check = { 0 };

  start_online (f);
  feed = hw_emby_feed_new_with_client (f->config, f->client);
  playing = next_item (HW_FEED (feed), 0, &error);
  g_assert_no_error (error);
  spin_for (0.5);   /* two more prepared */
  old_token = g_strdup (hw_emby_client_get_access_token (f->client));
  old_url = g_strdup (hw_media_item_get_direct_url (playing));
  g_assert_cmpuint (fetch_status (old_url), ==, 200);

  control (f, "{\"fault\": \"revoke-token\"}");
  g_assert_cmpuint (fetch_status (old_url), ==, 401);

  hw_feed_check_stream_async (HW_FEED (feed), playing, old_url, NULL, on_stream_checked, &check);
  g_assert_true (spin_until (&check.done, 10));
  g_assert_no_error (check.error);
  g_assert_false (check.gone);
  remember_token (f);

  g_assert_cmpint (hw_emby_client_get_state (f->client), ==, HW_SERVER_STATE_ONLINE);
  g_assert_cmpuint (log_count (f, "POST", "AuthenticateByName"), ==, 2);
  token = hw_emby_client_get_access_token (f->client);
  g_assert_cmpstr (token, !=, old_token);

  /* The item the cell holds: its next load uses the new token. */
  g_assert_true (hw_emby_url_carries_token (hw_media_item_get_direct_url (playing), token));
  g_assert_false (hw_emby_url_carries_token (hw_media_item_get_direct_url (playing), old_token));
  g_assert_true (hw_emby_url_carries_token (hw_media_item_get_fallback_url (playing), token));
  g_assert_false (hw_emby_url_carries_token (hw_media_item_get_fallback_url (playing), old_token));
  g_assert_cmpuint (fetch_status (hw_media_item_get_direct_url (playing)), ==, 200);

  /* A prepared item is minted again rather than thrown away. */
  next = next_item (HW_FEED (feed), 1, &error);
  g_assert_no_error (error);
  g_assert_true (hw_emby_url_carries_token (hw_media_item_get_direct_url (next), token));
  g_assert_cmpuint (log_count (f, "POST", "PlaybackInfo$"), ==, 3);
  g_assert_cmpuint (log_count (f, "POST", "AuthenticateByName"), ==, 2);

  hw_feed_release_item (HW_FEED (feed), 0, playing);
  hw_feed_release_item (HW_FEED (feed), 1, next);
}

static void
test_feed_sign_in_required (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(HwEmbyFeed) feed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HwMediaItem) item = NULL;

  g_setenv ("HYPERWALL_PASSWORD", "wrong", TRUE);
  fixture_make_client (f);
  feed = hw_emby_feed_new_with_client (f->config, f->client);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_SIGN_IN_REQUIRED, 10));
  item = next_item (HW_FEED (feed), 0, &error);
  g_assert_error (error, HW_FEED_ERROR, HW_FEED_ERROR_SIGN_IN_REQUIRED);
  g_assert_cmpint (hw_feed_get_server_state (HW_FEED (feed)), ==, HW_SERVER_STATE_SIGN_IN_REQUIRED);
}

/* ------------------------------------------------------------------ */
/* What the server's session shows                                     */

static void
on_sessions (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Outcome *o = user_data;

  o->result = hw_emby_client_request_finish (HW_EMBY_CLIENT (source), result, &o->error);
  o->done = TRUE;
}

/* GET /Sessions: the wall's one session (the fake server keeps one per
 * DeviceId, as Emby does). */
static JsonObject *
wall_session (Fixture *f)
{
  Outcome o = { 0 };
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonArray *sessions;

  hw_emby_client_request_async (f->client, "GET", "/Sessions", NULL, HW_EMBY_REQUEST_NONE, NULL,
                                on_sessions, &o);
  g_assert_true (spin_until (&o.done, 10));
  g_assert_no_error (o.error);
  body = o.result;
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             (gssize)g_bytes_get_size (body), NULL));
  sessions = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (sessions), ==, 1);
  return json_object_ref (json_array_get_object_element (sessions, 0));
}

/* NowPlayingItem.Id, or NULL when none. */
static char *
now_playing_id (Fixture *f)
{
  g_autoptr (JsonObject) session = wall_session (f);

  if (!json_object_has_member (session, "NowPlayingItem"))
    return NULL;
  return g_strdup (json_object_get_string_member (
      json_object_get_object_member (session, "NowPlayingItem"), "Id"));
}

static gboolean
play_state_flag (Fixture *f, const char *name)
{
  g_autoptr (JsonObject) session = wall_session (f);

  return json_object_get_boolean_member (json_object_get_object_member (session, "PlayState"),
                                         name);
}

static char *
play_state_string (Fixture *f, const char *name)
{
  g_autoptr (JsonObject) session = wall_session (f);

  return g_strdup (
      json_object_get_string_member (json_object_get_object_member (session, "PlayState"), name));
}

static HwMediaItem *
replay_item (HwFeed *feed, guint cell, HwMediaItem *item)
{
  ItemOutcome o = { 0 };

  hw_feed_replay_item_async (feed, cell, item, NULL, on_replayed, &o);
  g_assert_true (spin_until (&o.done, 10));
  g_assert_no_error (o.error);
  return o.item;
}

static void
report (HwEmbyFeed *feed, HwMediaItem *item, HwFeedReport kind, guint cell, double position,
        gboolean paused, gboolean fallback)
{
  HwFeedPlayback playback
      = { .cell_index = cell, .position = position, .paused = paused, .fallback = fallback };

  hw_feed_report_playback (HW_FEED (feed), item, kind, &playback);
  spin_for (0.3);
}

/* One session per DeviceId shows one cell: the focused one if it plays,
 * whatever the other cells report; pause, focus and stops as Emby would
 * show them. */
static void
test_feed_now_playing (Fixture *f, gconstpointer data)
{
  g_autoptr (HwEmbyFeed) feed = NULL;
  g_autoptr (HwMediaItem) a = NULL;
  g_autoptr (HwMediaItem) b = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *method = NULL;

  fixture_make_client (f);
  feed = hw_emby_feed_new_with_client (f->config, f->client);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_ONLINE, 10));
  remember_token (f);
  a = next_item (HW_FEED (feed), 0, NULL);
  b = next_item (HW_FEED (feed), 1, NULL);
  g_assert_nonnull (a);
  g_assert_nonnull (b);

  /* Cell 1 has the focus; cell 0 starts after it and is reported, but
   * the session ends on cell 1. */
  hw_feed_set_focused_cell (HW_FEED (feed), 1);
  report (feed, b, HW_FEED_REPORT_STARTED, 1, 0, FALSE, FALSE);
  report (feed, a, HW_FEED_REPORT_STARTED, 0, 0, FALSE, TRUE);
  g_assert_cmpuint (log_count (f, "POST", "Sessions/Playing$"), ==, 2);
  shown = now_playing_id (f);
  g_assert_cmpstr (shown, ==, hw_media_item_get_id (b));
  g_assert_false (play_state_flag (f, "IsPaused"));
  method = play_state_string (f, "PlayMethod");
  g_assert_cmpstr (method, ==, "DirectPlay");

  /* Another cell's progress is not sent; a pause of the shown one is, at once. */
  report (feed, a, HW_FEED_REPORT_PROGRESS, 0, 12, FALSE, TRUE);
  g_assert_cmpuint (log_count (f, "POST", "Sessions/Playing/Progress$"), ==, 1);
  report (feed, b, HW_FEED_REPORT_PROGRESS, 1, 3, TRUE, FALSE);
  g_assert_cmpuint (log_count (f, "POST", "Sessions/Playing/Progress$"), ==, 2);
  g_assert_true (play_state_flag (f, "IsPaused"));

  /* The focus moves: the session shows cell 0 at once, transcoded. */
  hw_feed_set_focused_cell (HW_FEED (feed), 0);
  spin_for (0.3);
  g_clear_pointer (&shown, g_free);
  shown = now_playing_id (f);
  g_assert_cmpstr (shown, ==, hw_media_item_get_id (a));
  g_assert_false (play_state_flag (f, "IsPaused"));
  g_clear_pointer (&method, g_free);
  method = play_state_string (f, "PlayMethod");
  g_assert_cmpstr (method, ==, "Transcode");

  /* Cell 1 stops: cell 0 stays shown. Then cell 0 stops: nothing plays. */
  report (feed, b, HW_FEED_REPORT_STOPPED, 1, 4, TRUE, FALSE);
  hw_feed_release_item (HW_FEED (feed), 1, b);
  g_clear_pointer (&shown, g_free);
  shown = now_playing_id (f);
  g_assert_cmpstr (shown, ==, hw_media_item_get_id (a));
  report (feed, a, HW_FEED_REPORT_STOPPED, 0, 14, FALSE, TRUE);
  hw_feed_release_item (HW_FEED (feed), 0, a);
  g_clear_pointer (&shown, g_free);
  shown = now_playing_id (f);
  g_assert_null (shown);
}

/* Repeat: the item again with a PlaybackInfo of its own (a new play
 * session in its stream URL), and the session says RepeatOne at once. */
static void
test_feed_repeat (Fixture *f, gconstpointer data)
{
  g_autoptr (HwEmbyFeed) feed = NULL;
  g_autoptr (HwMediaItem) a = NULL;
  g_autoptr (HwMediaItem) again = NULL;
  g_autofree char *mode = NULL;
  HwFeedPlayback   playback = { .cell_index = 0, .position = 2 };

  fixture_make_client (f);
  feed = hw_emby_feed_new_with_client (f->config, f->client);
  g_assert_true (wait_for_state (f->client, HW_SERVER_STATE_ONLINE, 10));
  a = next_item (HW_FEED (feed), 0, NULL);
  g_assert_nonnull (a);
  report (feed, a, HW_FEED_REPORT_STARTED, 0, 0, FALSE, FALSE);
  mode = play_state_string (f, "RepeatMode");
  g_assert_cmpstr (mode, ==, "RepeatNone");

  playback.repeat = TRUE;
  hw_feed_report_playback (HW_FEED (feed), a, HW_FEED_REPORT_PROGRESS, &playback);
  spin_for (0.3);
  g_assert_cmpuint (log_count (f, "POST", "Sessions/Playing/Progress$"), ==, 1);
  g_clear_pointer (&mode, g_free);
  mode = play_state_string (f, "RepeatMode");
  g_assert_cmpstr (mode, ==, "RepeatOne");

  again = replay_item (HW_FEED (feed), 0, a);
  g_assert_nonnull (again);
  g_assert_cmpstr (hw_media_item_get_id (again), ==, hw_media_item_get_id (a));
  g_assert_cmpstr (hw_media_item_get_title (again), ==, hw_media_item_get_title (a));
  g_assert_nonnull (hw_media_item_get_session_id (again));
  g_assert_cmpstr (hw_media_item_get_session_id (again), !=, hw_media_item_get_session_id (a));
  g_assert_nonnull (
      strstr (hw_media_item_get_direct_url (again), hw_media_item_get_session_id (again)));
  hw_feed_release_item (HW_FEED (feed), 0, again);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  fixture_main_init (&argc, &argv);

#define ADD(path, func, data) \
  g_test_add ("/hyperwall/emby/" path, Fixture, data, fixture_setup, func, fixture_teardown)

  ADD ("feed/items", test_feed_items, NULL);
  ADD ("feed/skips-missing", test_feed_skips_missing, NULL);
  ADD ("feed/requested-queue", test_feed_requested_queue, NULL);
  ADD ("feed/unknown-library", test_feed_unknown_library, NULL);
  ADD ("feed/library-filter", test_feed_library_filter, NULL);
  ADD ("feed/sign-in-required", test_feed_sign_in_required, NULL);
  ADD ("feed/prefetch", test_feed_prefetch, NULL);
  ADD ("feed/revoked-token-urls-minted-again", test_feed_revoked_token, NULL);
  ADD ("feed/now-playing", test_feed_now_playing, NULL);
  ADD ("feed/repeat", test_feed_repeat, NULL);

#undef ADD

  ret = g_test_run ();
  fixture_main_cleanup ();
  return ret;
}
