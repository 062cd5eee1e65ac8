/* hw-emby-flood-watch.c: bytes without a message, counted by the kernel.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#ifdef __linux__
#include <linux/tcp.h>
#endif

#include <gio/gio.h>

#include "hw-emby-flood-watch.h"

/* Short, so that a sender at loopback speed adds little before the cut. */
#define POLL_INTERVAL_US (50 * G_TIME_SPAN_MILLISECOND)

struct _HwEmbyFloodWatch
{
  GThread *thread;
  GMutex   lock;
  GCond    wake;
  int      fd;          /* a duplicate: stays valid whatever libsoup closes */
  guint64  limit;
  guint64  baseline;    /* bytes received when the last message came */
  gboolean stop;
  gboolean tripped;
};

gboolean
hw_emby_websocket_limit_message (SoupWebsocketConnection *connection,
                                 guint64                  limit)
{
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (connection),
                                    "max-total-message-size") == NULL)
    return FALSE;
  g_object_set (connection, "max-total-message-size", limit, NULL);
  return TRUE;
}

static gboolean
received_bytes (int      fd,
                guint64 *out)
{
#if defined(__linux__) && defined(TCP_INFO)
  struct tcp_info info;
  socklen_t length = sizeof info;

  memset (&info, 0, sizeof info);
  if (getsockopt (fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0)
    return FALSE;
  /* Older kernels fill a shorter struct, without the byte counts. */
  if (length < offsetof (struct tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received)
    return FALSE;
  *out = info.tcpi_bytes_received;
  return TRUE;
#else
  (void) fd;
  (void) out;
  return FALSE;
#endif
}

/* The TCP socket under the websocket: a SoupIOStream ("base-iostream") over
 * a GTlsConnection ("base-io-stream") over a GSocketConnection, or fewer. */
static GSocket *
find_socket (GIOStream *top)
{
  g_autoptr(GIOStream) stream = g_object_ref (top);

  for (guint hops = 0; hops < 4; hops++)
    {
      static const char *const names[] = { "base-iostream", "base-io-stream" };
      GIOStream *base = NULL;

      if (G_IS_SOCKET_CONNECTION (stream))
        return g_object_ref (g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream)));

      for (gsize i = 0; i < G_N_ELEMENTS (names) && base == NULL; i++)
        {
          GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (stream), names[i]);

          if (pspec != NULL && (pspec->flags & G_PARAM_READABLE) &&
              g_type_is_a (pspec->value_type, G_TYPE_IO_STREAM))
            g_object_get (stream, names[i], &base, NULL);
        }
      if (base == NULL)
        return NULL;
      g_object_unref (stream);
      stream = base;
    }
  return NULL;
}

static gpointer
watch_thread (gpointer data)
{
  HwEmbyFloodWatch *self = data;

  g_mutex_lock (&self->lock);
  while (!self->stop)
    {
      gint64 until = g_get_monotonic_time () + POLL_INTERVAL_US;
      guint64 now_bytes;

      while (!self->stop && g_cond_wait_until (&self->wake, &self->lock, until))
        ;
      if (self->stop)
        break;
      if (!received_bytes (self->fd, &now_bytes))
        break;   /* the socket is gone: nothing left to bound */
      if (now_bytes - self->baseline > self->limit)
        {
          /* Acts on the socket, not the descriptor: libsoup's own reads
           * end as if the server had closed. */
          if (shutdown (self->fd, SHUT_RDWR) == 0 || errno == ENOTCONN)
            self->tripped = TRUE;
          break;
        }
    }
  g_mutex_unlock (&self->lock);
  return NULL;
}

HwEmbyFloodWatch *
hw_emby_flood_watch_new (SoupWebsocketConnection *connection,
                         guint64                  limit)
{
  g_autoptr(GSocket) socket = NULL;
  HwEmbyFloodWatch *self;
  guint64 bytes;
  int fd;

  socket = find_socket (soup_websocket_connection_get_io_stream (connection));
  if (socket == NULL)
    return NULL;
  fd = dup (g_socket_get_fd (socket));
  if (fd < 0)
    return NULL;
  if (!received_bytes (fd, &bytes))
    {
      close (fd);
      return NULL;
    }

  self = g_new0 (HwEmbyFloodWatch, 1);
  g_mutex_init (&self->lock);
  g_cond_init (&self->wake);
  self->fd = fd;
  self->limit = limit;
  self->baseline = bytes;
  self->thread = g_thread_new ("hw-flood-watch", watch_thread, self);
  return self;
}

void
hw_emby_flood_watch_message (HwEmbyFloodWatch *self)
{
  guint64 bytes;

  g_mutex_lock (&self->lock);
  if (received_bytes (self->fd, &bytes))
    self->baseline = bytes;
  g_mutex_unlock (&self->lock);
}

gboolean
hw_emby_flood_watch_tripped (HwEmbyFloodWatch *self)
{
  gboolean tripped;

  g_mutex_lock (&self->lock);
  tripped = self->tripped;
  g_mutex_unlock (&self->lock);
  return tripped;
}

void
hw_emby_flood_watch_free (HwEmbyFloodWatch *self)
{
  if (self == NULL)
    return;
  g_mutex_lock (&self->lock);
  self->stop = TRUE;
  g_cond_signal (&self->wake);
  g_mutex_unlock (&self->lock);
  g_thread_join (self->thread);
  close (self->fd);
  g_cond_clear (&self->wake);
  g_mutex_clear (&self->lock);
  g_free (self);
}
