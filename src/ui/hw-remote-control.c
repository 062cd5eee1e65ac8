/* hw-remote-control.c: the session socket's commands as app.* actions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-application-private.h"
#include "hw-cell.h"
#include "hw-log-throttle.h"
#include "hw-remote-control.h"

#define TICKS_PER_SECOND 10000000.0
/* Lines a minute for each kind of command. A server or a script can send
 * hundreds a second; an operator wants to see that commands came and
 * which, not each one. */
#define COMMAND_LOG_BURST 5

struct _HwRemoteControl
{
  GObject              parent_instance;

  HwApplication       *app;       /* owns us */
  HwEmbyFeed          *feed;
  HwEmbySessionSocket *socket;
  HwLogThrottle       *log;       /* one source per kind of command */
};

G_DEFINE_FINAL_TYPE (HwRemoteControl, hw_remote_control, G_TYPE_OBJECT)

static void
activate (HwRemoteControl *self,
          const char      *action,
          GVariant        *parameter)
{
  g_action_group_activate_action (G_ACTION_GROUP (self->app), action, parameter);
}

static HwCell *
focused_cell (HwRemoteControl *self)
{
  HwWallController *controller = self->app->controller;

  if (controller == NULL)
    return NULL;
  return hw_wall_controller_get_cell (controller, hw_wall_controller_get_focused (controller));
}

static void
set_focused_paused (HwRemoteControl *self,
                    gboolean         paused)
{
  HwCell *cell = focused_cell (self);

  if (cell != NULL && hw_cell_supervisor_get_wants_pause (hw_cell_get_supervisor (cell)) != paused)
    activate (self, "toggle-pause", g_variant_new_int32 (-1));
}

/* SetRepeatMode, like a Playstate command, acts on the focused cell: the
 * one the server's session shows, so the dashboard shows what it set. */
static void
set_focused_repeat (HwRemoteControl *self, gboolean repeat)
{
  HwCell *cell = focused_cell (self);

  if (cell != NULL && hw_cell_supervisor_get_repeat (hw_cell_get_supervisor (cell)) != repeat)
    activate (self, "repeat", g_variant_new_int32 (-1));
}

static void
play (HwRemoteControl        *self,
      const HwSessionMessage *message)
{
  HwWallController *controller = self->app->controller;
  guint n_items = g_strv_length (message->item_ids);
  guint n_cells;
  int focused;

  const char *command = message->play_command == HW_PLAY_NOW ? "PlayNow"
                        : message->play_command == HW_PLAY_NEXT ? "PlayNext" : "PlayLast";
  g_autofree char *source = g_strdup_printf ("Remote control: %s", command);

  if (hw_log_throttle_allow (self->log, source))
    g_message ("%s of %u item(s)", source, n_items);

  if (message->play_command != HW_PLAY_NOW || controller == NULL)
    {
      hw_emby_feed_request_items (self->feed, (const char * const *) message->item_ids,
                                  message->play_command != HW_PLAY_LAST);
      return;
    }

  n_cells = hw_wall_controller_get_n_cells (controller);
  if (n_cells == 0)
    return;
  n_items = MIN (n_items, n_cells);
  {
    g_auto(GStrv) wanted = g_new0 (char *, n_items + 1);

    for (guint i = 0; i < n_items; i++)
      wanted[i] = g_strdup (message->item_ids[i]);
    hw_emby_feed_request_items (self->feed, (const char * const *) wanted, TRUE);
  }
  focused = MAX (0, hw_wall_controller_get_focused (controller));
  for (guint i = 0; i < n_items; i++)
    activate (self, "next", g_variant_new_int32 ((focused + (int) i) % (int) n_cells));
}

static const char *
playstate_name (HwPlaystateCommand command)
{
  switch (command)
    {
    case HW_PLAYSTATE_PAUSE: return "Pause";
    case HW_PLAYSTATE_UNPAUSE: return "Unpause";
    case HW_PLAYSTATE_PLAY_PAUSE: return "PlayPause";
    case HW_PLAYSTATE_STOP: return "Stop";
    case HW_PLAYSTATE_NEXT: return "NextTrack";
    case HW_PLAYSTATE_PREVIOUS: return "PreviousTrack";
    case HW_PLAYSTATE_SEEK:
    default: return "Seek";
    }
}

static const char *
general_name (HwGeneralCommand command)
{
  switch (command)
    {
    case HW_GENERAL_DISPLAY_MESSAGE: return "DisplayMessage";
    case HW_GENERAL_SET_VOLUME: return "SetVolume";
    case HW_GENERAL_MUTE: return "Mute";
    case HW_GENERAL_UNMUTE: return "Unmute";
    case HW_GENERAL_TOGGLE_MUTE: return "ToggleMute";
    case HW_GENERAL_TOGGLE_PAUSE_WALL: return "TogglePauseWall";
    case HW_GENERAL_SET_REPEAT_MODE: return "SetRepeatMode";
    case HW_GENERAL_UNKNOWN:
    default: return NULL;
    }
}

/* One line per command, as long as its kind is not flooding: the label
 * is the source, from a closed set (never a name the server made up). */
static void
log_command (HwRemoteControl *self,
             const char      *kind,
             const char      *command)
{
  g_autofree char *source = g_strdup_printf ("Remote control: %s %s", kind, command);

  if (hw_log_throttle_allow (self->log, source))
    g_message ("%s", source);
}

static void
playstate (HwRemoteControl        *self,
           const HwSessionMessage *message)
{
  log_command (self, "Playstate", playstate_name (message->playstate));
  switch (message->playstate)
    {
    case HW_PLAYSTATE_PAUSE:
    case HW_PLAYSTATE_STOP:
      set_focused_paused (self, TRUE);
      break;
    case HW_PLAYSTATE_UNPAUSE:
      set_focused_paused (self, FALSE);
      break;
    case HW_PLAYSTATE_PLAY_PAUSE:
      activate (self, "toggle-pause", g_variant_new_int32 (-1));
      break;
    case HW_PLAYSTATE_NEXT:
      activate (self, "next", g_variant_new_int32 (-1));
      break;
    case HW_PLAYSTATE_PREVIOUS:
      activate (self, "previous", g_variant_new_int32 (-1));
      break;
    case HW_PLAYSTATE_SEEK:
    default:
      activate (self, "seek", g_variant_new ("(id)", -1, message->seek_ticks / TICKS_PER_SECOND));
      break;
    }
}

static void
general (HwRemoteControl        *self,
         const HwSessionMessage *message)
{
  int audible = hw_config_get_int (self->app->config, "audio-cell");

  if (general_name (message->general) != NULL)
    log_command (self, "GeneralCommand", general_name (message->general));
  switch (message->general)
    {
    case HW_GENERAL_DISPLAY_MESSAGE:
      activate (self, "show-message",
                g_variant_new ("(ssu)", message->header ? message->header : "",
                               message->text ? message->text : "", message->timeout_ms));
      break;
    case HW_GENERAL_SET_VOLUME:
      activate (self, "volume", g_variant_new_int32 (message->volume));
      break;
    case HW_GENERAL_MUTE:
      if (audible >= 0)
        activate (self, "audio", g_variant_new_int32 (audible));
      break;
    case HW_GENERAL_UNMUTE:
      if (audible < 0)
        activate (self, "audio", g_variant_new_int32 (-1));
      break;
    case HW_GENERAL_TOGGLE_MUTE:
      activate (self, "audio", g_variant_new_int32 (audible >= 0 ? audible : -1));
      break;
    case HW_GENERAL_TOGGLE_PAUSE_WALL:
      activate (self, "toggle-pause-wall", NULL);
      break;
    case HW_GENERAL_SET_REPEAT_MODE:
      set_focused_repeat (self, message->repeat_one);
      break;
    case HW_GENERAL_UNKNOWN:
    default:
      g_debug ("Remote control: command %s not handled", message->name);
      break;
    }
}

static void
on_message (HwEmbySessionSocket *socket,
            HwSessionMessage    *message,
            gpointer             user_data)
{
  HwRemoteControl *self = user_data;

  switch (message->kind)
    {
    case HW_SESSION_MESSAGE_PLAY:
      play (self, message);
      break;
    case HW_SESSION_MESSAGE_PLAYSTATE:
      playstate (self, message);
      break;
    case HW_SESSION_MESSAGE_GENERAL_COMMAND:
      general (self, message);
      break;
    case HW_SESSION_MESSAGE_LIBRARY_CHANGED:
      if (hw_log_throttle_allow (self->log, "Remote control: LibraryChanged"))
        g_message ("The server's library changed: reloading");
      hw_emby_feed_refresh (self->feed);
      break;
    case HW_SESSION_MESSAGE_IGNORED:
    case HW_SESSION_MESSAGE_FORCE_KEEP_ALIVE:
    case HW_SESSION_MESSAGE_SERVER_RESTARTING:
    case HW_SESSION_MESSAGE_SERVER_SHUTTING_DOWN:
    default:
      break;
    }
}

HwRemoteControl *
hw_remote_control_new (GtkApplication *application,
                       HwEmbyFeed     *feed)
{
  HwRemoteControl *self;

  g_return_val_if_fail (HW_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (HW_IS_EMBY_FEED (feed), NULL);

  self = g_object_new (HW_TYPE_REMOTE_CONTROL, NULL);
  self->app = HW_APPLICATION (application);
  self->feed = g_object_ref (feed);
  self->socket = hw_emby_session_socket_new (hw_emby_feed_get_client (feed));
  g_signal_connect_object (self->socket, "message", G_CALLBACK (on_message), self, 0);
  return self;
}

static void
hw_remote_control_dispose (GObject *object)
{
  HwRemoteControl *self = HW_REMOTE_CONTROL (object);

  if (self->socket != NULL)
    g_signal_handlers_disconnect_by_data (self->socket, self);
  g_clear_object (&self->socket);
  g_clear_object (&self->feed);
  g_clear_pointer (&self->log, hw_log_throttle_free);

  G_OBJECT_CLASS (hw_remote_control_parent_class)->dispose (object);
}

static void
hw_remote_control_class_init (HwRemoteControlClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = hw_remote_control_dispose;
}

static void
hw_remote_control_init (HwRemoteControl *self)
{
  self->log = hw_log_throttle_new (COMMAND_LOG_BURST);
}
