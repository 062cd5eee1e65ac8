/* test-session-message.c: what arrives on the session socket, good and bad.
 *
 * A table of real-looking messages and what they must become, then a table
 * of malformed and hostile ones that must fail cleanly (no crash, no
 * partial message), then the socket URL and the capabilities body.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "hw-emby-protocol.h"
#include "hw-emby-session-socket.h"
#include "hw-session-message.h"

typedef struct
{
  const char          *name;
  const char          *json;
  HwSessionMessageKind kind;
  int                  sub;      /* play, playstate or general command; -1: unchecked */
  const char          *first_id; /* PLAY */
  guint                n_ids;
  gint64               number; /* seek ticks, volume, timeout ms, keep-alive s */
  const char          *text;   /* DISPLAY_MESSAGE text */
} GoodCase;

static const GoodCase good_cases[] = {
  { "play-now",
    "{\"MessageType\":\"Play\",\"Data\":{\"ItemIds\":[\"1001\",\"1002\"],"
    "\"PlayCommand\":\"PlayNow\",\"StartPositionTicks\":0}}",
    HW_SESSION_MESSAGE_PLAY, HW_PLAY_NOW, "1001", 2, 0, NULL },
  { "play-next",
    "{\"MessageType\":\"Play\",\"Data\":{\"ItemIds\":[\"7\"],\"PlayCommand\":\"PlayNext\"}}",
    HW_SESSION_MESSAGE_PLAY, HW_PLAY_NEXT, "7", 1, 0, NULL },
  { "play-last-lower-case",
    "{\"messagetype\":\"play\",\"data\":{\"itemids\":\"5, 6,7\",\"playcommand\":\"playlast\"}}",
    HW_SESSION_MESSAGE_PLAY, HW_PLAY_LAST, "5", 3, 0, NULL },
  { "play-numeric-ids", "{\"MessageType\":\"Play\",\"Data\":{\"ItemIds\":[61256]}}",
    HW_SESSION_MESSAGE_PLAY, HW_PLAY_NOW, "61256", 1, 0, NULL },
  { "pause",
    "{\"MessageType\":\"Playstate\",\"Data\":{\"Command\":\"Pause\",\"ControllingUserId\":\"u\"}}",
    HW_SESSION_MESSAGE_PLAYSTATE, HW_PLAYSTATE_PAUSE, NULL, 0, 0, NULL },
  { "unpause", "{\"MessageType\":\"Playstate\",\"Data\":{\"Command\":\"Unpause\"}}",
    HW_SESSION_MESSAGE_PLAYSTATE, HW_PLAYSTATE_UNPAUSE, NULL, 0, 0, NULL },
  { "next-track", "{\"MessageType\":\"Playstate\",\"Data\":{\"Command\":\"NextTrack\"}}",
    HW_SESSION_MESSAGE_PLAYSTATE, HW_PLAYSTATE_NEXT, NULL, 0, 0, NULL },
  { "seek",
    "{\"MessageType\":\"Playstate\",\"Data\":{\"Command\":\"Seek\",\"SeekPositionTicks\":600000000}"
    "}",
    HW_SESSION_MESSAGE_PLAYSTATE, HW_PLAYSTATE_SEEK, NULL, 0, 600000000, NULL },
  { "seek-string-ticks",
    "{\"MessageType\":\"Playstate\",\"Data\":{\"Command\":\"Seek\",\"SeekPositionTicks\":\"50\"}}",
    HW_SESSION_MESSAGE_PLAYSTATE, HW_PLAYSTATE_SEEK, NULL, 0, 50, NULL },
  { "seek-negative-clamped",
    "{\"MessageType\":\"Playstate\",\"Data\":{\"Command\":\"Seek\",\"SeekPositionTicks\":-5}}",
    HW_SESSION_MESSAGE_PLAYSTATE, HW_PLAYSTATE_SEEK, NULL, 0, 0, NULL },
  { "rewind-ignored", "{\"MessageType\":\"Playstate\",\"Data\":{\"Command\":\"Rewind\"}}",
    HW_SESSION_MESSAGE_IGNORED, -1, NULL, 0, 0, NULL },
  { "display-message",
    "{\"MessageType\":\"GeneralCommand\",\"Data\":{\"Name\":\"DisplayMessage\","
    "\"Arguments\":{\"Header\":\"Fire drill\",\"Text\":\"at 3 pm\",\"TimeoutMs\":\"5000\"}}}",
    HW_SESSION_MESSAGE_GENERAL_COMMAND, HW_GENERAL_DISPLAY_MESSAGE, NULL, 0, 5000, "at 3 pm" },
  { "display-message-default-timeout",
    "{\"MessageType\":\"GeneralCommand\",\"Data\":{\"Name\":\"DisplayMessage\","
    "\"Arguments\":{\"Text\":\"hello\"}}}",
    HW_SESSION_MESSAGE_GENERAL_COMMAND, HW_GENERAL_DISPLAY_MESSAGE, NULL, 0,
    HW_SESSION_MESSAGE_DEFAULT_TIMEOUT_MS, "hello" },
  { "display-message-control-chars",
    "{\"MessageType\":\"GeneralCommand\",\"Data\":{\"Name\":\"DisplayMessage\","
    "\"Arguments\":{\"Text\":\"a\\u0007b\\u001bc\",\"TimeoutMs\":999999999}}}",
    HW_SESSION_MESSAGE_GENERAL_COMMAND, HW_GENERAL_DISPLAY_MESSAGE, NULL, 0,
    HW_SESSION_MESSAGE_MAX_TIMEOUT_MS, "abc" },
  { "set-volume",
    "{\"MessageType\":\"GeneralCommand\",\"Data\":{\"Name\":\"SetVolume\",\"Arguments\":{"
    "\"Volume\":\"150\"}}}",
    HW_SESSION_MESSAGE_GENERAL_COMMAND, HW_GENERAL_SET_VOLUME, NULL, 0, 100, NULL },
  { "toggle-mute", "{\"MessageType\":\"GeneralCommand\",\"Data\":{\"Name\":\"ToggleMute\"}}",
    HW_SESSION_MESSAGE_GENERAL_COMMAND, HW_GENERAL_TOGGLE_MUTE, NULL, 0, 0, NULL },
  /* number: 1 for RepeatOne */
  { "repeat-one",
    "{\"MessageType\":\"GeneralCommand\",\"Data\":{\"Name\":\"SetRepeatMode\",\"Arguments\":{"
    "\"RepeatMode\":\"RepeatOne\"}}}",
    HW_SESSION_MESSAGE_GENERAL_COMMAND, HW_GENERAL_SET_REPEAT_MODE, NULL, 0, 1, NULL },
  { "repeat-none-lower-case",
    "{\"MessageType\":\"GeneralCommand\",\"Data\":{\"Name\":\"setrepeatmode\",\"Arguments\":{"
    "\"repeatmode\":\"repeatnone\"}}}",
    HW_SESSION_MESSAGE_GENERAL_COMMAND, HW_GENERAL_SET_REPEAT_MODE, NULL, 0, 0, NULL },
  { "repeat-all",
    "{\"MessageType\":\"GeneralCommand\",\"Data\":{\"Name\":\"SetRepeatMode\",\"Arguments\":{"
    "\"RepeatMode\":\"RepeatAll\"}}}",
    HW_SESSION_MESSAGE_GENERAL_COMMAND, HW_GENERAL_SET_REPEAT_MODE, NULL, 0, 0, NULL },
  { "unknown-general",
    "{\"MessageType\":\"GeneralCommand\",\"Data\":{\"Name\":\"GoHome\",\"Arguments\":null}}",
    HW_SESSION_MESSAGE_GENERAL_COMMAND, HW_GENERAL_UNKNOWN, NULL, 0, 0, NULL },
  { "force-keep-alive", "{\"MessageType\":\"ForceKeepAlive\",\"Data\":60}",
    HW_SESSION_MESSAGE_FORCE_KEEP_ALIVE, -1, NULL, 0, 60, NULL },
  { "force-keep-alive-string", "{\"MessageType\":\"ForceKeepAlive\",\"Data\":\"30\"}",
    HW_SESSION_MESSAGE_FORCE_KEEP_ALIVE, -1, NULL, 0, 30, NULL },
  { "library-changed", "{\"MessageType\":\"LibraryChanged\",\"Data\":{\"ItemsAdded\":[\"1\"]}}",
    HW_SESSION_MESSAGE_LIBRARY_CHANGED, -1, NULL, 0, 0, NULL },
  { "server-restarting", "{\"MessageType\":\"ServerRestarting\"}",
    HW_SESSION_MESSAGE_SERVER_RESTARTING, -1, NULL, 0, 0, NULL },
  { "server-shutting-down", "{\"MessageType\":\"ServerShuttingDown\",\"Data\":null}",
    HW_SESSION_MESSAGE_SERVER_SHUTTING_DOWN, -1, NULL, 0, 0, NULL },
  { "unknown-type", "{\"MessageType\":\"UserDataChanged\",\"Data\":{\"UserId\":\"x\"}}",
    HW_SESSION_MESSAGE_IGNORED, -1, NULL, 0, 0, NULL },
};

static void
test_good (gconstpointer data)
{
  const GoodCase *c = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (HwSessionMessage) m = hw_session_message_parse (c->json, strlen (c->json), &error);

  g_assert_no_error (error);
  g_assert_nonnull (m);
  g_assert_cmpint (m->kind, ==, c->kind);

  switch (m->kind)
    {
    case HW_SESSION_MESSAGE_PLAY:
      g_assert_cmpint (m->play_command, ==, c->sub);
      g_assert_cmpuint (g_strv_length (m->item_ids), ==, c->n_ids);
      g_assert_cmpstr (m->item_ids[0], ==, c->first_id);
      break;
    case HW_SESSION_MESSAGE_PLAYSTATE:
      g_assert_cmpint (m->playstate, ==, c->sub);
      if (m->playstate == HW_PLAYSTATE_SEEK)
        g_assert_cmpint (m->seek_ticks, ==, c->number);
      break;
    case HW_SESSION_MESSAGE_GENERAL_COMMAND:
      g_assert_cmpint (m->general, ==, c->sub);
      if (m->general == HW_GENERAL_DISPLAY_MESSAGE)
        {
          g_assert_cmpuint (m->timeout_ms, ==, c->number);
          g_assert_cmpstr (m->text, ==, c->text);
        }
      if (m->general == HW_GENERAL_SET_VOLUME)
        g_assert_cmpint (m->volume, ==, c->number);
      if (m->general == HW_GENERAL_SET_REPEAT_MODE)
        g_assert_cmpint (m->repeat_one, ==, c->number);
      break;
    case HW_SESSION_MESSAGE_FORCE_KEEP_ALIVE:
      g_assert_cmpuint (m->keep_alive_s, ==, c->number);
      break;
    case HW_SESSION_MESSAGE_IGNORED:
    case HW_SESSION_MESSAGE_LIBRARY_CHANGED:
    case HW_SESSION_MESSAGE_SERVER_RESTARTING:
    case HW_SESSION_MESSAGE_SERVER_SHUTTING_DOWN:
    default:
      break;
    }
}

/* Each must fail with an error and nothing else. */
static const char *const bad_cases[][2] = {
  { "empty", "" },
  { "not-json", "hello" },
  { "truncated", "{\"MessageType\":\"Play\",\"Data\":{\"ItemIds\":[" },
  { "array-root", "[\"MessageType\",\"Play\"]" },
  { "string-root", "\"Play\"" },
  { "no-type", "{\"Data\":{}}" },
  { "type-number", "{\"MessageType\":7}" },
  { "type-object", "{\"MessageType\":{\"a\":1}}" },
  { "type-empty", "{\"MessageType\":\"\"}" },
  { "play-no-data", "{\"MessageType\":\"Play\"}" },
  { "play-data-string", "{\"MessageType\":\"Play\",\"Data\":\"1001\"}" },
  { "play-no-ids", "{\"MessageType\":\"Play\",\"Data\":{}}" },
  { "play-empty-ids", "{\"MessageType\":\"Play\",\"Data\":{\"ItemIds\":[]}}" },
  { "play-null-id", "{\"MessageType\":\"Play\",\"Data\":{\"ItemIds\":[null]}}" },
  { "play-object-id", "{\"MessageType\":\"Play\",\"Data\":{\"ItemIds\":[{\"Id\":1}]}}" },
  { "play-path-id",
    "{\"MessageType\":\"Play\",\"Data\":{\"ItemIds\":[\"../../System/Restart\"]}}" },
  { "play-query-id", "{\"MessageType\":\"Play\",\"Data\":{\"ItemIds\":[\"1?api_key=x\"]}}" },
  { "play-bad-command",
    "{\"MessageType\":\"Play\",\"Data\":{\"ItemIds\":[\"1\"],\"PlayCommand\":\"PlayShuffle\"}}" },
  { "playstate-no-command", "{\"MessageType\":\"Playstate\",\"Data\":{}}" },
  { "playstate-command-number", "{\"MessageType\":\"Playstate\",\"Data\":{\"Command\":1}}" },
  { "seek-no-ticks", "{\"MessageType\":\"Playstate\",\"Data\":{\"Command\":\"Seek\"}}" },
  { "seek-text-ticks", "{\"MessageType\":\"Playstate\",\"Data\":{\"Command\":\"Seek\","
                       "\"SeekPositionTicks\":\"soon\"}}" },
  { "seek-huge-double",
    "{\"MessageType\":\"Playstate\",\"Data\":{\"Command\":\"Seek\",\"SeekPositionTicks\":1e300}}" },
  { "general-no-name", "{\"MessageType\":\"GeneralCommand\",\"Data\":{\"Arguments\":{}}}" },
  { "general-arguments-array", "{\"MessageType\":\"GeneralCommand\",\"Data\":{\"Name\":"
                               "\"DisplayMessage\",\"Arguments\":[1]}}" },
  { "message-nothing-to-show", "{\"MessageType\":\"GeneralCommand\",\"Data\":{\"Name\":"
                               "\"DisplayMessage\",\"Arguments\":{\"Text\":\"\\u0007 \"}}}" },
  { "volume-missing", "{\"MessageType\":\"GeneralCommand\",\"Data\":{\"Name\":\"SetVolume\"}}" },
  { "repeat-mode-missing",
    "{\"MessageType\":\"GeneralCommand\",\"Data\":{\"Name\":\"SetRepeatMode\"}}" },
  { "repeat-mode-unknown", "{\"MessageType\":\"GeneralCommand\",\"Data\":{\"Name\":"
                           "\"SetRepeatMode\",\"Arguments\":{\"RepeatMode\":\"Shuffle\"}}}" },
  { "whitespace-only", " \r\n" },
  { "nul-inside", "{\"MessageType\":\"Play\0\"}" },
};

static void
test_bad (gconstpointer data)
{
  const char *const *c = data;
  g_autoptr (GError) error = NULL;
  /* The NUL case is 20 bytes with the NUL inside: use sizeof via strlen +
   * the tail for it, the string length for the rest. */
  gsize length = g_str_equal (c[0], "nul-inside") ? 20 : strlen (c[1]);
  g_autoptr (HwSessionMessage) m = hw_session_message_parse (c[1], length, &error);

  g_assert_null (m);
  g_assert_error (error, HW_SESSION_MESSAGE_ERROR, 0);
}

static void
test_hostile_sizes (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) deep = g_string_new ("{\"MessageType\":\"Play\",\"Data\":");
  g_autoptr (GString) ids = g_string_new ("{\"MessageType\":\"Play\",\"Data\":{\"ItemIds\":[");
  g_autoptr (GString) text
      = g_string_new ("{\"MessageType\":\"GeneralCommand\",\"Data\":"
                      "{\"Name\":\"DisplayMessage\",\"Arguments\":{\"Text\":\"");
  g_autofree char  *big = g_malloc (HW_SESSION_MESSAGE_MAX_BYTES + 2);
  const char        invalid_utf8[] = "{\"MessageType\":\"\xff\xfe\"}";
  HwSessionMessage *m;

  /* Nesting that would take json-glib's recursive parser deep. */
  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  m = hw_session_message_parse (deep->str, deep->len, &error);
  g_assert_null (m);
  g_assert_error (error, HW_SESSION_MESSAGE_ERROR, 0);
  g_clear_error (&error);

  /* Brackets inside strings do not count as nesting. */
  {
    const char *quoted
        = "{\"MessageType\":\"GeneralCommand\",\"Data\":{\"Name\":\"DisplayMessage\","
          "\"Arguments\":{\"Text\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ \\\" {{{{\"}}}";

    m = hw_session_message_parse (quoted, strlen (quoted), &error);
    g_assert_no_error (error);
    g_assert_nonnull (m);
    hw_session_message_free (m);
  }

  /* Too many ids. */
  for (int i = 0; i < HW_SESSION_MESSAGE_MAX_ITEMS + 1; i++)
    g_string_append_printf (ids, "%s\"%d\"", i ? "," : "", i);
  g_string_append (ids, "]}}");
  m = hw_session_message_parse (ids->str, ids->len, &error);
  g_assert_null (m);
  g_assert_error (error, HW_SESSION_MESSAGE_ERROR, 0);
  g_clear_error (&error);

  /* A long text is cut, not refused. */
  for (int i = 0; i < 10000; i++)
    g_string_append (text, "é");
  g_string_append (text, "\"}}}");
  m = hw_session_message_parse (text->str, text->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (m->text), <=, HW_SESSION_MESSAGE_MAX_TEXT + 4);
  g_assert_true (g_utf8_validate (m->text, -1, NULL));
  hw_session_message_free (m);

  /* Larger than the cap. */
  memset (big, ' ', HW_SESSION_MESSAGE_MAX_BYTES + 1);
  big[HW_SESSION_MESSAGE_MAX_BYTES + 1] = '\0';
  m = hw_session_message_parse (big, HW_SESSION_MESSAGE_MAX_BYTES + 1, &error);
  g_assert_null (m);
  g_clear_error (&error);

  m = hw_session_message_parse (invalid_utf8, sizeof invalid_utf8 - 1, &error);
  g_assert_null (m);
  g_assert_error (error, HW_SESSION_MESSAGE_ERROR, 0);
  g_clear_error (&error);

  m = hw_session_message_parse (NULL, 0, &error);
  g_assert_null (m);
}

/* Random bytes and random cuts of good messages: never a crash. */
/* json-glib reads single-quoted strings and comments; a depth count that
 * knew only JSON would be turned off by them and let the nesting through. */
static void
test_dialect_tricks (void)
{
  static const char *const tricks[] = {
    "{\"MessageType\":\"Play\",\"x\":'\"',\"Data\":",
    "/*]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]*/"
    "{\"MessageType\":\"Play\",\"Data\":",
    "// ]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n"
    "{\"MessageType\":\"Play\",\"Data\":",
    "{\"MessageType\":'Play',\"Data\":",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (tricks); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GString) text = g_string_new (tricks[i]);
      HwSessionMessage *m;

      /* Within the size limit, deep enough to crash a recursive parser. */
      while (text->len < HW_SESSION_MESSAGE_MAX_BYTES - 1)
        g_string_append_c (text, '[');
      m = hw_session_message_parse (text->str, text->len, &error);
      g_assert_null (m);
      g_assert_error (error, HW_SESSION_MESSAGE_ERROR, 0);
    }
}

static void
test_fuzz (void)
{
  GRand *rand = g_rand_new_with_seed (20261130);

  for (guint round = 0; round < 20000; round++)
    {
      const GoodCase  *c = &good_cases[g_rand_int_range (rand, 0, G_N_ELEMENTS (good_cases))];
      g_autofree char *copy = g_strdup (c->json);
      gsize            length = strlen (copy);
      g_autoptr (GError) error = NULL;
      HwSessionMessage *m;

      for (guint flips = g_rand_int_range (rand, 0, 4); flips > 0; flips--)
        copy[g_rand_int_range (rand, 0, (gint32)length)] = (char)g_rand_int_range (rand, 1, 256);
      length = g_rand_int_range (rand, 0, (gint32)length + 1);
      m = hw_session_message_parse (copy, length, &error);
      g_assert_true ((m == NULL) != (error == NULL));
      hw_session_message_free (m);
    }
  g_rand_free (rand);
}

static void
test_url (void)
{
  const HwServerProduct emby = HW_SERVER_PRODUCT_EMBY;
  const HwServerProduct jellyfin = HW_SERVER_PRODUCT_JELLYFIN;
  g_autofree char *plain = hw_emby_session_socket_url ("http://host:8096/emby", "tok en", "dev/1",
                                                       emby);
  g_autofree char *tls = hw_emby_session_socket_url ("https://proxy/media/emby", "t", "d", emby);
  g_autofree char *jf = hw_emby_session_socket_url ("http://host:8096/emby", "tok en", "dev/1",
                                                    jellyfin);

  g_assert_cmpstr (plain, ==,
                   "ws://host:8096/emby/embywebsocket?api_key=tok%20en&deviceId=dev%2F1");
  g_assert_cmpstr (tls, ==, "wss://proxy/media/emby/embywebsocket?api_key=t&deviceId=d");
  /* Jellyfin 12 refuses api_key; its socket is /socket. */
  g_assert_cmpstr (jf, ==, "ws://host:8096/emby/socket?ApiKey=tok%20en&deviceId=dev%2F1");
  g_assert_null (hw_emby_session_socket_url ("ftp://x/emby", "t", "d", emby));
  g_assert_null (hw_emby_session_socket_url ("http://x/emby", NULL, "d", jellyfin));
}

static void
test_capabilities (void)
{
  g_autofree char *body = hw_session_capabilities_body (HW_SERVER_PRODUCT_EMBY);
  g_autofree char *jellyfin = hw_session_capabilities_body (HW_SERVER_PRODUCT_JELLYFIN);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray  *commands;

  g_assert_true (json_parser_load_from_data (parser, body, -1, NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_get_boolean_member (root, "SupportsMediaControl"));
  /* Not an Emby 4.8 ClientCapabilities field. */
  g_assert_false (json_object_has_member (root, "SupportsPersistentIdentifier"));
  g_assert_nonnull (strstr (body, "\"TogglePauseWall\""));
  /* Not a Jellyfin GeneralCommandType: the whole body would be refused. */
  g_assert_null (strstr (jellyfin, "TogglePauseWall"));
  g_assert_nonnull (strstr (jellyfin, "\"DisplayMessage\""));
  g_assert_cmpstr (
      json_array_get_string_element (json_object_get_array_member (root, "PlayableMediaTypes"), 0),
      ==, "Video");
  commands = json_object_get_array_member (root, "SupportedCommands");
  g_assert_cmpuint (json_array_get_length (commands), >, 0);
  for (guint i = 0; i < json_array_get_length (commands); i++)
    {
      /* Everything advertised is parsed into a known command. */
      const char      *name = json_array_get_string_element (commands, i);
      g_autofree char *json = g_strdup_printf ("{\"MessageType\":\"GeneralCommand\",\"Data\":"
                                               "{\"Name\":\"%s\",\"Arguments\":{\"Text\":\"x\","
                                               "\"Volume\":5,\"RepeatMode\":\"RepeatOne\"}}}",
                                               name);
      g_autoptr (HwSessionMessage) m = hw_session_message_parse (json, strlen (json), NULL);

      g_assert_nonnull (m);
      g_assert_cmpint (m->general, !=, HW_GENERAL_UNKNOWN);
    }
}

/* The audible cell's reports say unmuted; the others muted as before. */
static void
test_report_muted (void)
{
  HwEmbyPlayState state
      = { .item_id = "1", .media_source_id = "ms", .play_session_id = "ps", .position = 1.0 };
  g_autofree char *audible = hw_emby_report_body_state (&state);
  g_autofree char *muted = (state.muted = TRUE, hw_emby_report_body_state (&state));
  g_autoptr (JsonParser) a = json_parser_new ();
  g_autoptr (JsonParser) m = json_parser_new ();

  g_assert_true (json_parser_load_from_data (a, audible, -1, NULL));
  g_assert_true (json_parser_load_from_data (m, muted, -1, NULL));
  g_assert_false (
      json_object_get_boolean_member (json_node_get_object (json_parser_get_root (a)), "IsMuted"));
  g_assert_true (
      json_object_get_boolean_member (json_node_get_object (json_parser_get_root (m)), "IsMuted"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (good_cases); i++)
    {
      g_autofree char *path
          = g_strdup_printf ("/hyperwall/emby/session-message/good/%s", good_cases[i].name);
      g_test_add_data_func (path, &good_cases[i], test_good);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *path
          = g_strdup_printf ("/hyperwall/emby/session-message/bad/%s", bad_cases[i][0]);
      g_test_add_data_func (path, bad_cases[i], test_bad);
    }
  g_test_add_func ("/hyperwall/emby/session-message/hostile-sizes", test_hostile_sizes);
  g_test_add_func ("/hyperwall/emby/session-message/dialect-tricks", test_dialect_tricks);
  g_test_add_func ("/hyperwall/emby/session-message/fuzz", test_fuzz);
  g_test_add_func ("/hyperwall/emby/session-socket/url", test_url);
  g_test_add_func ("/hyperwall/emby/session-socket/capabilities", test_capabilities);
  g_test_add_func ("/hyperwall/emby/session-socket/report-muted", test_report_muted);

  return g_test_run ();
}
