/* hw-session-message.h: what arrives on the Emby session socket.
 *
 * A text frame holds {"MessageType": "…", "Data": …}. The parser is liberal
 * in what it accepts (names in any case, numbers as strings, ids as numbers
 * or a comma-separated string) and strict in what it keeps: everything is
 * bounded (ids, text lengths, timeouts), control characters are dropped
 * from text meant for the screen, and anything it cannot use fails with an
 * error (never a crash) for the caller to log, rate-limited, and ignore.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "hw-server-product.h"

G_BEGIN_DECLS

#define HW_SESSION_MESSAGE_MAX_BYTES   (256 * 1024)
#define HW_SESSION_MESSAGE_MAX_ITEMS   64
#define HW_SESSION_MESSAGE_MAX_TEXT    512
#define HW_SESSION_MESSAGE_DEFAULT_TIMEOUT_MS  15000
#define HW_SESSION_MESSAGE_MAX_TIMEOUT_MS      (10 * 60 * 1000)

typedef enum {
  HW_SESSION_MESSAGE_IGNORED,            /* well-formed, nothing for a wall to do */
  HW_SESSION_MESSAGE_FORCE_KEEP_ALIVE,
  HW_SESSION_MESSAGE_PLAY,
  HW_SESSION_MESSAGE_PLAYSTATE,
  HW_SESSION_MESSAGE_GENERAL_COMMAND,
  HW_SESSION_MESSAGE_LIBRARY_CHANGED,
  HW_SESSION_MESSAGE_SERVER_RESTARTING,
  HW_SESSION_MESSAGE_SERVER_SHUTTING_DOWN,
} HwSessionMessageKind;

typedef enum {
  HW_PLAY_NOW,
  HW_PLAY_NEXT,
  HW_PLAY_LAST,
} HwPlayCommand;

typedef enum {
  HW_PLAYSTATE_PAUSE,
  HW_PLAYSTATE_UNPAUSE,
  HW_PLAYSTATE_PLAY_PAUSE,
  HW_PLAYSTATE_STOP,
  HW_PLAYSTATE_NEXT,
  HW_PLAYSTATE_PREVIOUS,
  HW_PLAYSTATE_SEEK,
} HwPlaystateCommand;

typedef enum
{
  HW_GENERAL_UNKNOWN, /* logged at debug level, ignored */
  HW_GENERAL_DISPLAY_MESSAGE,
  HW_GENERAL_SET_VOLUME,
  HW_GENERAL_MUTE,
  HW_GENERAL_UNMUTE,
  HW_GENERAL_TOGGLE_MUTE,
  HW_GENERAL_TOGGLE_PAUSE_WALL, /* ours: pause or resume every cell */
  HW_GENERAL_SET_REPEAT_MODE,
} HwGeneralCommand;

typedef struct {
  HwSessionMessageKind kind;
  char               *type;              /* MessageType as sent, for the debug log */

  guint               keep_alive_s;      /* FORCE_KEEP_ALIVE: the server's interval, 0: none */

  char              **item_ids;          /* PLAY: 1 … MAX_ITEMS ids */
  HwPlayCommand       play_command;

  HwPlaystateCommand  playstate;         /* PLAYSTATE */
  gint64              seek_ticks;        /* SEEK: ≥ 0 */

  HwGeneralCommand    general;           /* GENERAL_COMMAND */
  char               *name;              /* its Name as sent (bounded) */
  char               *header;            /* DISPLAY_MESSAGE: may be NULL */
  char               *text;              /* DISPLAY_MESSAGE: may be NULL, not both */
  guint               timeout_ms;        /* DISPLAY_MESSAGE: clamped */
  int                 volume;            /* SET_VOLUME: 0 … 100 */
  gboolean            repeat_one;        /* SET_REPEAT_MODE: RepeatOne (else RepeatNone,
                                          * RepeatAll) */
} HwSessionMessage;

#define HW_SESSION_MESSAGE_ERROR (hw_session_message_error_quark ())
GQuark            hw_session_message_error_quark (void);

/* NULL with @error when @data (not NUL-terminated) is not a message this
 * wall can use. */
HwSessionMessage *hw_session_message_parse      (const char             *data,
                                                 gsize                   length,
                                                 GError                **error);
void              hw_session_message_free       (HwSessionMessage       *message);

/* The capabilities body (POST /Sessions/Capabilities/Full): only what
 * this wall really handles, and only fields and command names @product's
 * document has (Jellyfin's SupportedCommands is an enum without
 * TogglePauseWall; Emby 4.8 has no SupportsPersistentIdentifier). */
char             *hw_session_capabilities_body  (HwServerProduct         product);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HwSessionMessage, hw_session_message_free)

G_END_DECLS
