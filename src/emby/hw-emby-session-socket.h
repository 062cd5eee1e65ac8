/* hw-emby-session-socket.h: the wall as a controllable Emby session.
 *
 * Once the client is online, a websocket to <base>/embywebsocket?api_key=
 * …&deviceId=… (Jellyfin: <base>/socket?ApiKey=…), with the Authorization
 * header too, ws:// or wss:// as the base URL is http or https, on the
 * client's SoupSession; then the capabilities are posted. The server's
 * commands come out as the "message" signal (an HwSessionMessage, valid
 * during the emission); keep-alives, ServerRestarting and
 * ServerShuttingDown (the gate closes at once, no failure counted) are
 * handled here.
 *
 * The socket never holds up playback: it connects only while the gate is
 * open, reconnects with the client's backoff (backoff-initial →
 * backoff-max, with jitter), and a server that refuses the upgrade gets
 * one log line and a long interval between attempts. Malformed messages
 * are logged (rate-limited, redacted) and ignored.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hw-emby-client.h"
#include "hw-session-message.h"

G_BEGIN_DECLS

#define HW_TYPE_EMBY_SESSION_SOCKET (hw_emby_session_socket_get_type ())

G_DECLARE_FINAL_TYPE (HwEmbySessionSocket, hw_emby_session_socket, HW, EMBY_SESSION_SOCKET,
                      GObject)

HwEmbySessionSocket *hw_emby_session_socket_new          (HwEmbyClient        *client);
gboolean             hw_emby_session_socket_is_connected (HwEmbySessionSocket *self);
/* The URL for @base_url ("http://host:8096/emby"); NULL when unusable:
 * /embywebsocket?api_key= on Emby, /socket?ApiKey= on Jellyfin. Carries
 * the token: never log it. */
char                *hw_emby_session_socket_url          (const char          *base_url,
                                                          const char          *token,
                                                          const char          *device_id,
                                                          HwServerProduct      product);

G_END_DECLS
