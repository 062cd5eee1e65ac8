/* hw-emby-session-socket.c: the wall as a controllable Emby session.
 *
 * It talks to the server as the client does, through the client's public
 * API: its session, identity, certificate rule, backoff settings and
 * gate.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include <string.h>

#include "hw-emby-client.h"
#include "hw-emby-flood-watch.h"
#include "hw-emby-session-socket.h"
#include "hw-emby-tls.h"
#include "hw-log-limit.h"
#include "hw-redact.h"

#define DEFAULT_KEEP_ALIVE_S   30
#define MIN_KEEP_ALIVE_S       5
#define PING_INTERVAL_S        30
/* Without a socket on the server, try again this seldom. */
#define NO_SOCKET_RETRY_US     (10 * 60 * HW_USEC_PER_SEC)
/* A connection that lived this long clears the backoff. */
#define STABLE_US              (10 * HW_USEC_PER_SEC)
/* At most one line about bad messages per this interval. */
#define BAD_MESSAGE_LOG_US     (60 * HW_USEC_PER_SEC)
/* Bytes without a complete message before an older libsoup's socket is cut:
 * a larger message is refused anyway; the rest is room for control frames,
 * TLS records and what the kernel holds. */
#define FLOOD_LIMIT            (4 * HW_SESSION_MESSAGE_MAX_BYTES)

struct _HwEmbySessionSocket
{
  GObject                  parent_instance;

  HwEmbyClient            *client;
  SoupWebsocketConnection *connection;
  HwEmbyFloodWatch        *flood_watch;    /* NULL where libsoup bounds messages itself */
  GCancellable            *connecting;     /* the handshake in flight */
  guint                    deadline_source;
  guint                    retry_source;
  guint                    keep_alive_source;
  guint                    attempt;
  guint                    token_generation;  /* of the token the socket was opened with */
  gint64                   connected_us;
  gboolean                 no_socket;      /* the server refused the upgrade */
  gboolean                 no_socket_logged;
  HwLogLimit               bad_log;
};

enum {
  SIGNAL_MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HwEmbySessionSocket, hw_emby_session_socket, G_TYPE_OBJECT)

static void connect_now (HwEmbySessionSocket *self);

char *
hw_emby_session_socket_url (const char      *base_url,
                            const char      *token,
                            const char      *device_id,
                            HwServerProduct  product)
{
  gboolean jellyfin = product == HW_SERVER_PRODUCT_JELLYFIN;
  g_autofree char *escaped_token = NULL;
  g_autofree char *escaped_device = NULL;
  const char *scheme;
  const char *rest;

  if (base_url == NULL || token == NULL || device_id == NULL)
    return NULL;

  if (g_ascii_strncasecmp (base_url, "https://", 8) == 0)
    scheme = "wss://", rest = base_url + 8;
  else if (g_ascii_strncasecmp (base_url, "http://", 7) == 0)
    scheme = "ws://", rest = base_url + 7;
  else
    return NULL;

  escaped_token = g_uri_escape_string (token, NULL, FALSE);
  escaped_device = g_uri_escape_string (device_id, NULL, FALSE);
  return g_strdup_printf ("%s%s%s%s=%s&deviceId=%s", scheme, rest,
                          g_str_has_suffix (rest, "/") ? "" : "/",
                          jellyfin ? "socket?ApiKey" : "embywebsocket?api_key",
                          escaped_token, escaped_device);
}

/* ------------------------------------------------------------------ */
/* Retry                                                               */

static void
on_retry (gpointer user_data)
{
  HwEmbySessionSocket *self = user_data;

  self->retry_source = 0;
  connect_now (self);
}

static void
schedule_retry (HwEmbySessionSocket *self)
{
  gint64 delay_us;

  if (self->no_socket)
    delay_us = NO_SOCKET_RETRY_US;
  else
    {
      gint64 initial_us;
      gint64 max_us;

      hw_emby_client_get_backoff (self->client, &initial_us, &max_us);
      delay_us = hw_backoff_delay (self->attempt++, initial_us, max_us,
                                   g_random_double_range (-1.0, 1.0));
    }
  g_debug ("Session socket: next attempt in %.1f s", delay_us / (double) HW_USEC_PER_SEC);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->retry_source = g_timeout_add_once (MAX (1, delay_us / 1000), on_retry, self);
}

/* ------------------------------------------------------------------ */
/* The connection                                                      */

static void
send_text (HwEmbySessionSocket *self,
           const char          *text)
{
  if (self->connection != NULL &&
      soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (self->connection, text);
}

static void drop_connection (HwEmbySessionSocket *self);

/* A new sign-in while online (a 401 elsewhere) does not change the state:
 * the socket still carries the old token. Checked at every keep-alive and
 * state change; the server may also close it, which retries anyway. */
static gboolean
token_is_stale (HwEmbySessionSocket *self)
{
  if (self->connection == NULL ||
      self->token_generation == hw_emby_client_get_token_generation (self->client))
    return FALSE;
  g_debug ("Session socket: the token changed, connecting again");
  drop_connection (self);
  self->attempt = 0;
  connect_now (self);
  return TRUE;
}

static gboolean
on_keep_alive (gpointer user_data)
{
  HwEmbySessionSocket *self = user_data;

  if (token_is_stale (self))
    return G_SOURCE_REMOVE;
  send_text (self, "{\"MessageType\":\"KeepAlive\"}");
  return G_SOURCE_CONTINUE;
}

static void
set_keep_alive (HwEmbySessionSocket *self,
                guint                interval_s)
{
  g_clear_handle_id (&self->keep_alive_source, g_source_remove);
  self->keep_alive_source = g_timeout_add_seconds (MAX (MIN_KEEP_ALIVE_S, interval_s),
                                                   on_keep_alive, self);
}

static void
drop_connection (HwEmbySessionSocket *self)
{
  /* May run inside the keep-alive source's own dispatch: destroying a
   * source while it dispatches is allowed. */
  g_clear_handle_id (&self->keep_alive_source, g_source_remove);
  g_clear_pointer (&self->flood_watch, hw_emby_flood_watch_free);
  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      if (soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->connection);
    }
}

static void
cancel_connecting (HwEmbySessionSocket *self)
{
  g_clear_handle_id (&self->deadline_source, g_source_remove);
  if (self->connecting != NULL)
    g_cancellable_cancel (self->connecting);
  g_clear_object (&self->connecting);
}

static void
log_bad_message (HwEmbySessionSocket *self,
                 const char          *why)
{
  g_autofree char *safe = NULL;
  guint held_back = 0;

  if (!hw_log_limit_check (&self->bad_log, g_get_monotonic_time (), &held_back))
    return;
  safe = hw_redact (why);
  if (held_back > 0)
    g_message ("Session socket: ignored %s (and %u more since the last such line)", safe,
               held_back);
  else
    g_message ("Session socket: ignored %s", safe);
}

static void
handle (HwEmbySessionSocket *self,
        HwSessionMessage    *message)
{
  switch (message->kind)
    {
    case HW_SESSION_MESSAGE_FORCE_KEEP_ALIVE:
      /* Emby's own clients answer at half the server's timeout. */
      set_keep_alive (self, message->keep_alive_s > 0 ? message->keep_alive_s / 2
                                                      : DEFAULT_KEEP_ALIVE_S);
      on_keep_alive (self);
      return;
    case HW_SESSION_MESSAGE_SERVER_RESTARTING:
    case HW_SESSION_MESSAGE_SERVER_SHUTTING_DOWN:
      g_message ("The server says it is %s: waiting for it",
                 message->kind == HW_SESSION_MESSAGE_SERVER_RESTARTING ? "restarting"
                                                                      : "shutting down");
      /* Closing the gate is no failure: cells wait, streams play on. */
      if (hw_emby_client_get_state (self->client) == HW_SERVER_STATE_ONLINE)
        hw_server_gate_close (hw_emby_client_get_gate (self->client),
                              message->kind == HW_SESSION_MESSAGE_SERVER_RESTARTING
                                ? "the server is restarting"
                                : "the server is shutting down");
      break;
    case HW_SESSION_MESSAGE_IGNORED:
      g_debug ("Session socket: %s ignored", message->type);
      return;
    case HW_SESSION_MESSAGE_PLAY:
    case HW_SESSION_MESSAGE_PLAYSTATE:
    case HW_SESSION_MESSAGE_GENERAL_COMMAND:
    case HW_SESSION_MESSAGE_LIBRARY_CHANGED:
    default:
      break;
    }

  g_debug ("Session socket: %s", message->type);
  g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, message);
}

static void
on_message (SoupWebsocketConnection *connection,
            int                      type,
            GBytes                  *bytes,
            gpointer                 user_data)
{
  HwEmbySessionSocket *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HwSessionMessage) message = NULL;
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);

  if (self->flood_watch != NULL)
    hw_emby_flood_watch_message (self->flood_watch);

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      log_bad_message (self, "a binary message");
      return;
    }

  message = hw_session_message_parse (data, length, &error);
  if (message == NULL)
    {
      log_bad_message (self, error->message);
      return;
    }

  /* The handler may close us (a new identity): keep self alive. */
  g_object_ref (self);
  handle (self, message);
  g_object_unref (self);
}

static void
on_closed (SoupWebsocketConnection *connection,
           gpointer                 user_data)
{
  HwEmbySessionSocket *self = user_data;
  gushort code = soup_websocket_connection_get_close_code (connection);

  g_debug ("Session socket closed (code %u)", code);
  if (self->flood_watch != NULL && hw_emby_flood_watch_tripped (self->flood_watch))
    g_message ("Session socket: the server sent more than %u KiB without completing a message; "
               "dropped it, connecting again", FLOOD_LIMIT / 1024);
  if (g_get_monotonic_time () - self->connected_us >= STABLE_US)
    self->attempt = 0;
  drop_connection (self);
  schedule_retry (self);
}

static void
on_error (SoupWebsocketConnection *connection,
          GError                  *error,
          gpointer                 user_data)
{
  g_autofree char *safe = hw_redact (error->message);

  /* Invalid frames and the like: the connection closes after this. */
  if (g_error_matches (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_TOO_BIG))
    g_message ("Session socket: %s; dropped it, connecting again", safe);
  else
    g_debug ("Session socket: %s", safe);
}

static gboolean
is_refusal (SoupMessage  *message,
            const GError *error)
{
  guint status = message != NULL ? soup_message_get_status (message) : 0;

  if (error != NULL && error->domain == SOUP_WEBSOCKET_ERROR)
    return TRUE;   /* answered, but not with an upgrade: a server or proxy without it */
  return status >= 400 && status < 500 && status != 401 && status != 408 && status != 429;
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GCancellable) attempt = user_data;
  SoupMessage *message = g_object_get_data (G_OBJECT (attempt), "message");
  HwEmbySessionSocket *self = g_object_get_data (G_OBJECT (attempt), "socket");
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  g_autofree char *capabilities = NULL;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (g_cancellable_is_cancelled (attempt))
    return;   /* dropped, superseded, or past its deadline (then retried there) */

  g_clear_handle_id (&self->deadline_source, g_source_remove);
  g_clear_object (&self->connecting);

  if (connection == NULL)
    {
      g_autofree char *safe = hw_redact (error->message);

      if (is_refusal (message, error))
        {
          if (!self->no_socket_logged)
            g_message ("The server offers no session socket (%s, HTTP %u): the wall plays on "
                       "without remote control and asks again now and then",
                       safe, soup_message_get_status (message));
          else
            g_debug ("Session socket still refused: %s", safe);
          self->no_socket = TRUE;
          self->no_socket_logged = TRUE;
        }
      else
        g_debug ("Session socket: cannot connect: %s", safe);
      schedule_retry (self);
      return;
    }

  g_message ("Session socket connected: the server can control this wall");
  self->no_socket = FALSE;
  self->connection = g_steal_pointer (&connection);
  self->connected_us = g_get_monotonic_time ();
  /* The frame limit alone lets a message of endless continuation frames
   * grow without bound (libsoup before 3.8). */
  soup_websocket_connection_set_max_incoming_payload_size (self->connection,
                                                           HW_SESSION_MESSAGE_MAX_BYTES);
  if (!hw_emby_websocket_limit_message (self->connection, HW_SESSION_MESSAGE_MAX_BYTES))
    {
      self->flood_watch = hw_emby_flood_watch_new (self->connection, FLOOD_LIMIT);
      if (self->flood_watch == NULL)
        g_debug ("Session socket: no byte count on this socket; a message that never ends "
                 "is not bounded");
    }
  soup_websocket_connection_set_keepalive_interval (self->connection, PING_INTERVAL_S);
  g_signal_connect (self->connection, "message", G_CALLBACK (on_message), self);
  g_signal_connect (self->connection, "closed", G_CALLBACK (on_closed), self);
  g_signal_connect (self->connection, "error", G_CALLBACK (on_error), self);
  set_keep_alive (self, DEFAULT_KEEP_ALIVE_S);

  capabilities = hw_session_capabilities_body (hw_emby_client_get_server_product (self->client));
  hw_emby_client_send (self->client, "POST", "/Sessions/Capabilities/Full", capabilities, NULL);
}

static void
on_deadline (gpointer user_data)
{
  HwEmbySessionSocket *self = user_data;

  self->deadline_source = 0;
  g_debug ("Session socket: no answer within the request timeout");
  cancel_connecting (self);
  schedule_retry (self);
}

static void
connect_now (HwEmbySessionSocket *self)
{
  HwEmbyClient *client = self->client;
  const char *token = hw_emby_client_get_access_token (client);
  const char *device_id = hw_emby_client_get_device_id (client);
  g_autofree char *url = NULL;
  g_autofree char *auth = NULL;
  g_autoptr(SoupMessage) message = NULL;
  GCancellable *attempt;

  if (self->connection != NULL || self->connecting != NULL || self->retry_source != 0)
    return;
  /* Never while the gate is closed: the gate opening brings us back. */
  if (hw_emby_client_get_state (client) != HW_SERVER_STATE_ONLINE || token == NULL)
    return;

  url = hw_emby_session_socket_url (hw_emby_client_get_base_url (client), token, device_id,
                                    hw_emby_client_get_server_product (client));
  message = url != NULL ? soup_message_new ("GET", url) : NULL;
  if (message == NULL)
    return;

  auth = hw_emby_authorization_header (hw_emby_client_get_device_name (client), device_id,
                                       PACKAGE_VERSION, token);
  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "Authorization", auth);
  /* The same certificate rule as every other request of the client. */
  hw_emby_tls_watch (message, hw_emby_client_get_accept_certificate (client));

  self->token_generation = hw_emby_client_get_token_generation (client);
  attempt = g_cancellable_new ();
  self->connecting = g_object_ref (attempt);
  g_object_set_data_full (G_OBJECT (attempt), "message", g_object_ref (message), g_object_unref);
  g_object_set_data (G_OBJECT (attempt), "socket", self);
  self->deadline_source = g_timeout_add_once (hw_emby_client_get_request_timeout (client) * 1000,
                                              on_deadline, self);
  soup_session_websocket_connect_async (hw_emby_client_get_session (client), message, NULL, NULL,
                                        G_PRIORITY_DEFAULT, attempt, on_connected, attempt);
}

static void
on_client_state (GObject    *client,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  HwEmbySessionSocket *self = user_data;

  switch (hw_emby_client_get_state (self->client))
    {
    case HW_SERVER_STATE_ONLINE:
      if (!token_is_stale (self))
        connect_now (self);
      break;
    case HW_SERVER_STATE_OFFLINE:
      /* An open socket may stay (it drops by itself when the server
       * goes); nothing new is tried until the gate opens. */
      cancel_connecting (self);
      g_clear_handle_id (&self->retry_source, g_source_remove);
      self->attempt = 0;
      break;
    case HW_SERVER_STATE_NONE:
    case HW_SERVER_STATE_CONNECTING:
    case HW_SERVER_STATE_SIGN_IN_REQUIRED:
    default:
      /* A new identity or none: the socket belonged to the old one. */
      cancel_connecting (self);
      g_clear_handle_id (&self->retry_source, g_source_remove);
      drop_connection (self);
      self->attempt = 0;
      self->no_socket = FALSE;
      break;
    }
}

gboolean
hw_emby_session_socket_is_connected (HwEmbySessionSocket *self)
{
  g_return_val_if_fail (HW_IS_EMBY_SESSION_SOCKET (self), FALSE);
  return self->connection != NULL;
}

HwEmbySessionSocket *
hw_emby_session_socket_new (HwEmbyClient *client)
{
  HwEmbySessionSocket *self;

  g_return_val_if_fail (HW_IS_EMBY_CLIENT (client), NULL);

  self = g_object_new (HW_TYPE_EMBY_SESSION_SOCKET, NULL);
  self->client = g_object_ref (client);
  g_signal_connect_object (client, "notify::state", G_CALLBACK (on_client_state), self, 0);
  connect_now (self);
  return self;
}

static void
hw_emby_session_socket_dispose (GObject *object)
{
  HwEmbySessionSocket *self = HW_EMBY_SESSION_SOCKET (object);

  cancel_connecting (self);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  drop_connection (self);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (hw_emby_session_socket_parent_class)->dispose (object);
}

static void
hw_emby_session_socket_class_init (HwEmbySessionSocketClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hw_emby_session_socket_dispose;

  /* (HwSessionMessage *message): valid during the emission only. */
  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
hw_emby_session_socket_init (HwEmbySessionSocket *self)
{
  self->bad_log = (HwLogLimit) HW_LOG_LIMIT_INIT (BAD_MESSAGE_LOG_US, 1);
}
