/* hw-session-message.c: parsing what arrives on the Emby session socket.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "hw-json-guard.h"
#include "hw-session-message.h"

G_DEFINE_QUARK (hw-session-message-error-quark, hw_session_message_error)

static gboolean
fail (GError    **error,
      const char *what)
{
  g_set_error_literal (error, HW_SESSION_MESSAGE_ERROR, 0, what);
  return FALSE;
}

void
hw_session_message_free (HwSessionMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->type);
  g_strfreev (message->item_ids);
  g_free (message->name);
  g_free (message->header);
  g_free (message->text);
  g_free (message);
}

/* A member looked up without regard to case, or NULL. */
static JsonNode *
member (JsonObject *object,
        const char *name)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *node;

  if (object == NULL)
    return NULL;
  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &key, &node))
    if (g_ascii_strcasecmp (key, name) == 0)
      return node;
  return NULL;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* An integer sent as a number or as a string of digits. */
static gboolean
member_int (JsonObject *object,
            const char *name,
            gint64      min,
            gint64      max,
            gint64     *out)
{
  JsonNode *node = member (object, name);
  gint64 value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    value = json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      if (!(d >= (double) G_MININT64 && d <= (double) G_MAXINT64))
        return FALSE;
      value = (gint64) d;
    }
  else if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      if (!g_ascii_string_to_signed (json_node_get_string (node), 10, G_MININT64, G_MAXINT64,
                                     &value, NULL))
        return FALSE;
    }
  else
    return FALSE;

  *out = CLAMP (value, min, max);
  return TRUE;
}

/* Text for the screen: bounded, no control characters but newlines. */
static char *
screen_text (const char *text)
{
  GString *out;
  const char *p;

  if (text == NULL)
    return NULL;

  out = g_string_new (NULL);
  for (p = text; *p != '\0' && out->len < HW_SESSION_MESSAGE_MAX_TEXT; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n' || !g_unichar_iscntrl (c))
        g_string_append_unichar (out, c);
    }
  g_strstrip (out->str);
  if (out->str[0] == '\0')
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

static gboolean
id_ok (const char *id)
{
  gsize n = strlen (id);

  if (n == 0 || n > 64)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isalnum (id[i]) && id[i] != '-' && id[i] != '_')
      return FALSE;
  return TRUE;
}

static gboolean
parse_item_ids (JsonObject        *data,
                HwSessionMessage  *message,
                GError           **error)
{
  JsonNode *node = member (data, "ItemIds");
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (element))
            return fail (error, "an item id is not a value");
          if (json_node_get_value_type (element) == G_TYPE_STRING)
            g_ptr_array_add (ids, g_strdup (json_node_get_string (element)));
          else if (json_node_get_value_type (element) == G_TYPE_INT64)
            g_ptr_array_add (ids, g_strdup_printf ("%" G_GINT64_FORMAT,
                                                   json_node_get_int (element)));
          else
            return fail (error, "an item id is neither a string nor a number");
          if (ids->len > HW_SESSION_MESSAGE_MAX_ITEMS)
            return fail (error, "too many item ids");
        }
    }
  else if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
           json_node_get_value_type (node) == G_TYPE_STRING)
    {
      g_auto(GStrv) parts = g_strsplit (json_node_get_string (node), ",", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_strstrip (parts[i]);
          if (parts[i][0] != '\0')
            g_ptr_array_add (ids, g_strdup (parts[i]));
          if (ids->len > HW_SESSION_MESSAGE_MAX_ITEMS)
            return fail (error, "too many item ids");
        }
    }
  else
    return fail (error, "Play without ItemIds");

  if (ids->len == 0)
    return fail (error, "Play with no item id");
  for (guint i = 0; i < ids->len; i++)
    if (!id_ok (g_ptr_array_index (ids, i)))
      return fail (error, "an item id that is not an id");

  g_ptr_array_add (ids, NULL);
  message->item_ids = (char **) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
  return TRUE;
}

static gboolean
parse_play (JsonObject        *data,
            HwSessionMessage  *message,
            GError           **error)
{
  const char *command = member_string (data, "PlayCommand");

  if (!parse_item_ids (data, message, error))
    return FALSE;

  if (command == NULL || g_ascii_strcasecmp (command, "PlayNow") == 0)
    message->play_command = HW_PLAY_NOW;
  else if (g_ascii_strcasecmp (command, "PlayNext") == 0)
    message->play_command = HW_PLAY_NEXT;
  else if (g_ascii_strcasecmp (command, "PlayLast") == 0)
    message->play_command = HW_PLAY_LAST;
  else
    return fail (error, "an unknown PlayCommand");
  return TRUE;
}

static gboolean
parse_playstate (JsonObject        *data,
                 HwSessionMessage  *message,
                 GError           **error)
{
  static const struct { const char *name; HwPlaystateCommand command; } commands[] = {
    { "Pause", HW_PLAYSTATE_PAUSE },
    { "Unpause", HW_PLAYSTATE_UNPAUSE },
    { "PlayPause", HW_PLAYSTATE_PLAY_PAUSE },
    { "Stop", HW_PLAYSTATE_STOP },
    { "NextTrack", HW_PLAYSTATE_NEXT },
    { "PreviousTrack", HW_PLAYSTATE_PREVIOUS },
    { "Seek", HW_PLAYSTATE_SEEK },
  };
  const char *command = member_string (data, "Command");

  if (command == NULL)
    return fail (error, "Playstate without Command");

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_ascii_strcasecmp (command, commands[i].name) == 0)
      {
        message->playstate = commands[i].command;
        if (message->playstate == HW_PLAYSTATE_SEEK &&
            !member_int (data, "SeekPositionTicks", 0, G_MAXINT64, &message->seek_ticks))
          return fail (error, "Seek without SeekPositionTicks");
        return TRUE;
      }

  /* Rewind, FastForward and the like: known to Emby, not handled here. */
  message->kind = HW_SESSION_MESSAGE_IGNORED;
  return TRUE;
}

/* RepeatAll is what a wall does anyway: every cell moves on. */
static gboolean
parse_repeat_mode (JsonObject *arguments, HwSessionMessage *message, GError **error)
{
  const char *mode = member_string (arguments, "RepeatMode");

  if (mode == NULL)
    return fail (error, "SetRepeatMode without RepeatMode");
  if (g_ascii_strcasecmp (mode, "RepeatOne") == 0)
    message->repeat_one = TRUE;
  else if (g_ascii_strcasecmp (mode, "RepeatNone") != 0
           && g_ascii_strcasecmp (mode, "RepeatAll") != 0)
    return fail (error, "an unknown RepeatMode");
  message->general = HW_GENERAL_SET_REPEAT_MODE;
  return TRUE;
}

static gboolean
parse_general (JsonObject        *data,
               HwSessionMessage  *message,
               GError           **error)
{
  const char *name = member_string (data, "Name");
  JsonNode *arguments_node = member (data, "Arguments");
  JsonObject *arguments = NULL;
  gint64 value;

  if (name == NULL || *name == '\0' || strlen (name) > 64)
    return fail (error, "GeneralCommand without a usable Name");
  message->name = g_strdup (name);

  if (arguments_node != NULL && JSON_NODE_HOLDS_OBJECT (arguments_node))
    arguments = json_node_get_object (arguments_node);
  else if (arguments_node != NULL && !JSON_NODE_HOLDS_NULL (arguments_node))
    return fail (error, "GeneralCommand Arguments is not an object");

  if (g_ascii_strcasecmp (name, "DisplayMessage") == 0)
    {
      message->general = HW_GENERAL_DISPLAY_MESSAGE;
      message->header = screen_text (member_string (arguments, "Header"));
      message->text = screen_text (member_string (arguments, "Text"));
      if (message->header == NULL && message->text == NULL)
        return fail (error, "DisplayMessage with nothing to show");
      if (member_int (arguments, "TimeoutMs", 0, HW_SESSION_MESSAGE_MAX_TIMEOUT_MS, &value) &&
          value > 0)
        message->timeout_ms = MAX (1000, (guint) value);
      else
        message->timeout_ms = HW_SESSION_MESSAGE_DEFAULT_TIMEOUT_MS;
    }
  else if (g_ascii_strcasecmp (name, "SetVolume") == 0)
    {
      if (!member_int (arguments, "Volume", 0, 100, &value))
        return fail (error, "SetVolume without Volume");
      message->general = HW_GENERAL_SET_VOLUME;
      message->volume = (int) value;
    }
  else if (g_ascii_strcasecmp (name, "Mute") == 0)
    message->general = HW_GENERAL_MUTE;
  else if (g_ascii_strcasecmp (name, "Unmute") == 0)
    message->general = HW_GENERAL_UNMUTE;
  else if (g_ascii_strcasecmp (name, "ToggleMute") == 0)
    message->general = HW_GENERAL_TOGGLE_MUTE;
  else if (g_ascii_strcasecmp (name, "TogglePauseWall") == 0)
    message->general = HW_GENERAL_TOGGLE_PAUSE_WALL;
  else if (g_ascii_strcasecmp (name, "SetRepeatMode") == 0)
    return parse_repeat_mode (arguments, message, error);
  else
    message->general = HW_GENERAL_UNKNOWN;
  return TRUE;
}

HwSessionMessage *
hw_session_message_parse (const char  *data,
                          gsize        length,
                          GError     **error)
{
  static const struct { const char *name; HwSessionMessageKind kind; } kinds[] = {
    { "ForceKeepAlive", HW_SESSION_MESSAGE_FORCE_KEEP_ALIVE },
    { "Play", HW_SESSION_MESSAGE_PLAY },
    { "Playstate", HW_SESSION_MESSAGE_PLAYSTATE },
    { "GeneralCommand", HW_SESSION_MESSAGE_GENERAL_COMMAND },
    { "LibraryChanged", HW_SESSION_MESSAGE_LIBRARY_CHANGED },
    { "ServerRestarting", HW_SESSION_MESSAGE_SERVER_RESTARTING },
    { "ServerShuttingDown", HW_SESSION_MESSAGE_SERVER_SHUTTING_DOWN },
  };
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(HwSessionMessage) message = NULL;
  g_autoptr(GError) local = NULL;
  JsonObject *root;
  JsonNode *data_node;
  JsonObject *object = NULL;
  HwJsonGuardResult guard;
  const char *type;

  if (data == NULL || length == 0)
    return (fail (error, "an empty message"), NULL);
  if (length > HW_SESSION_MESSAGE_MAX_BYTES)
    return (fail (error, "a message too large"), NULL);
  if (!g_utf8_validate_len (data, length, NULL))
    return (fail (error, "a message that is not UTF-8"), NULL);
  /* json-glib parses recursively: deep nesting must not reach it. */
  guard = hw_json_guard_check (data, length, HW_JSON_MAX_DEPTH);
  if (guard != HW_JSON_GUARD_OK)
    {
      g_set_error (error, HW_SESSION_MESSAGE_ERROR, 0, "a message that is %s",
                   hw_json_guard_describe (guard));
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, &local))
    return (fail (error, "a message that is not JSON"), NULL);
  /* Whitespace alone parses, to no root at all. */
  if (json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return (fail (error, "a message that is not a JSON object"), NULL);

  root = json_node_get_object (json_parser_get_root (parser));
  type = member_string (root, "MessageType");
  if (type == NULL || *type == '\0' || strlen (type) > 64)
    return (fail (error, "a message without a MessageType"), NULL);

  message = g_new0 (HwSessionMessage, 1);
  message->type = g_strdup (type);
  message->kind = HW_SESSION_MESSAGE_IGNORED;
  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_ascii_strcasecmp (type, kinds[i].name) == 0)
      message->kind = kinds[i].kind;

  data_node = member (root, "Data");
  if (data_node != NULL && JSON_NODE_HOLDS_OBJECT (data_node))
    object = json_node_get_object (data_node);

  switch (message->kind)
    {
    case HW_SESSION_MESSAGE_FORCE_KEEP_ALIVE:
      {
        /* Data is the server's timeout in seconds, a number. */
        g_autoptr(JsonObject) wrapper = json_object_new ();
        gint64 seconds = 0;

        if (data_node != NULL)
          {
            json_object_set_member (wrapper, "Data", json_node_copy (data_node));
            member_int (wrapper, "Data", 0, 3600, &seconds);
          }
        message->keep_alive_s = (guint) seconds;
        break;
      }
    case HW_SESSION_MESSAGE_PLAY:
      if (object == NULL)
        return (fail (error, "Play without Data"), NULL);
      if (!parse_play (object, message, error))
        return NULL;
      break;
    case HW_SESSION_MESSAGE_PLAYSTATE:
      if (object == NULL)
        return (fail (error, "Playstate without Data"), NULL);
      if (!parse_playstate (object, message, error))
        return NULL;
      break;
    case HW_SESSION_MESSAGE_GENERAL_COMMAND:
      if (object == NULL)
        return (fail (error, "GeneralCommand without Data"), NULL);
      if (!parse_general (object, message, error))
        return NULL;
      break;
    case HW_SESSION_MESSAGE_LIBRARY_CHANGED:
    case HW_SESSION_MESSAGE_SERVER_RESTARTING:
    case HW_SESSION_MESSAGE_SERVER_SHUTTING_DOWN:
    case HW_SESSION_MESSAGE_IGNORED:
    default:
      break;
    }

  return g_steal_pointer (&message);
}

char *
hw_session_capabilities_body (HwServerProduct product)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  static const char *const commands[] = {
    "DisplayMessage", "SetVolume",       "Mute",          "Unmute",
    "ToggleMute",     "TogglePauseWall", "SetRepeatMode",
  };

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "PlayableMediaTypes");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "Video");
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "SupportsMediaControl");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "SupportedCommands");
  json_builder_begin_array (builder);
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (product != HW_SERVER_PRODUCT_JELLYFIN || !g_str_equal (commands[i], "TogglePauseWall"))
      json_builder_add_string_value (builder, commands[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}
