/* hw-emby-flood-watch.h: a bound on a whole websocket message where
 * libsoup bounds only its frames.
 *
 * libsoup before 3.8 limits each frame (max-incoming-payload-size) but
 * keeps every continuation frame of a message that never ends, for ever.
 * libsoup 3.8 has max-total-message-size; hw_emby_websocket_limit_message ()
 * sets it when present. Otherwise a watch counts what the TCP socket
 * received since the last complete message (the kernel's count, TCP_INFO
 * on Linux): no data message can come between the frames of a fragmented
 * one (RFC 6455, 5.4), so many bytes without a message mean a message that
 * does not end. Past the limit the watch shuts the socket down, which the
 * connection sees as the server going away.
 *
 * The count runs on a thread of its own: libsoup reads a socket until it
 * would block, so a fast sender can keep the main loop in one read for as
 * long as it sends. What libsoup holds stays under about twice the limit
 * plus what arrives in one poll interval.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _HwEmbyFloodWatch HwEmbyFloodWatch;

/* Sets max-total-message-size to @limit when this libsoup has it (3.8 and
 * later): TRUE, and no watch is needed. */
gboolean          hw_emby_websocket_limit_message (SoupWebsocketConnection *connection,
                                                   guint64                  limit);

/* Starts watching @connection's socket; NULL when it has none that can be
 * counted (not TCP, not Linux, a kernel before 4.1). */
HwEmbyFloodWatch *hw_emby_flood_watch_new         (SoupWebsocketConnection *connection,
                                                   guint64                  limit);
/* A complete message arrived: the count starts again from here. */
void              hw_emby_flood_watch_message     (HwEmbyFloodWatch        *watch);
/* Whether the watch shut the socket down. */
gboolean          hw_emby_flood_watch_tripped     (HwEmbyFloodWatch        *watch);
/* Stops the thread (waits for it); the socket stays as it is. */
void              hw_emby_flood_watch_free        (HwEmbyFloodWatch        *watch);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HwEmbyFloodWatch, hw_emby_flood_watch_free)

G_END_DECLS
