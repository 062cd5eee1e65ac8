/* hw-offline-fetcher.c: fills the offline cache from an Emby server.
 *
 * One copy at a time: wishes → free space (a thread) → eviction → the
 * request → chunks read, paced and written → the size check and rename.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include <glib/gstdio.h>

#include "hw-emby-tls.h"
#include "hw-offline-fetcher.h"
#include "hw-offline-policy.h"
#include "hw-redact.h"
#include "hw-units.h"

/* The wall's next items and the last ones played: more would be fetched
 * long after they mattered. */
#define WISHES_MAX  32
#define CHUNK_BYTES (64 * 1024)
/* No byte for this long: the download failed (a whole-file deadline
 * would fail any big file on a slow link). */
#define STALL_MS    30000
/* Items whose copy failed lately, remembered. */
#define FAILED_MAX  256
/* How often a held-back download looks again. */
#define HOLD_MS     500
/* After a failed or finished copy, before the next one. */
#define PAUSE_MS    1000

typedef struct {
  char    *id;
  char    *title;
  double   duration;
  char    *source_id;
  gint64   size;
  char    *date_modified;
  gboolean can_download;
} Wish;

typedef struct {
  Wish          *wish;
  GCancellable  *cancellable;
  SoupMessage   *message;
  GInputStream  *in;
  GOutputStream *out;
  GBytes        *chunk;
  char          *partial;
  gint64         received;
  gint64         next_read_us;
  gboolean       stalled;
  guint          stall_id;
  guint          wait_id;
} Download;

struct _HwOfflineFetcher
{
  GObject         parent_instance;

  HwEmbyClient   *client;
  HwOfflineIndex *index;
  HwConfig       *config;
  GCancellable   *life;

  GQueue          wishes;         /* Wish, most wanted first */
  GHashTable     *failed;         /* id → monotonic time of its last failure (gint64 *) */
  Download       *download;       /* NULL when idle */
  gboolean        asking_space;
  gboolean        held_back;
  gint64          allowed;        /* the bytes the cache may hold, last asked */
  gint64          full_until_us;  /* resting after a full disk */
  gint64          full_cap;       /* what it may hold until then */
  guint           kick_id;
};

G_DEFINE_FINAL_TYPE (HwOfflineFetcher, hw_offline_fetcher, G_TYPE_OBJECT)

static void step (HwOfflineFetcher *self);

static void
wish_free (Wish *wish)
{
  g_free (wish->id);
  g_free (wish->title);
  g_free (wish->source_id);
  g_free (wish->date_modified);
  g_free (wish);
}

static Wish *
wish_copy (const Wish *wish)
{
  Wish *copy = g_new0 (Wish, 1);

  *copy = *wish;
  copy->id = g_strdup (wish->id);
  copy->title = g_strdup (wish->title);
  copy->source_id = g_strdup (wish->source_id);
  copy->date_modified = g_strdup (wish->date_modified);
  return copy;
}

static gint64
budget_bytes (HwOfflineFetcher *self)
{
  gint64 budget = (gint64) hw_config_get_int (self->config, "offline-cache-mb") * (gint64) HW_MIB;

  if (self->full_until_us > g_get_monotonic_time ())
    budget = MIN (budget, self->full_cap);
  return budget;
}

static gboolean
on_kick (gpointer user_data)
{
  HwOfflineFetcher *self = user_data;

  self->kick_id = 0;
  step (self);
  return G_SOURCE_REMOVE;
}

static void
kick (HwOfflineFetcher *self,
      guint             delay_ms)
{
  if (self->kick_id == 0)
    self->kick_id = g_timeout_add_full (G_PRIORITY_LOW, delay_ms, on_kick, self, NULL);
}

/* ------------------------------------------------------------------ */
/* One download                                                        */

static void
download_free (Download *download)
{
  g_clear_handle_id (&download->stall_id, g_source_remove);
  g_clear_handle_id (&download->wait_id, g_source_remove);
  g_cancellable_cancel (download->cancellable);
  g_clear_object (&download->cancellable);
  g_clear_object (&download->message);
  g_clear_object (&download->in);
  if (download->out != NULL)
    g_output_stream_close (download->out, NULL, NULL);
  g_clear_object (&download->out);
  g_clear_pointer (&download->chunk, g_bytes_unref);
  if (download->partial != NULL)
    g_unlink (download->partial);
  g_free (download->partial);
  wish_free (download->wish);
  g_free (download);
}

/* Ends the download in progress; @why NULL for a plain stop (the gate
 * closed, the cache turned off), else it failed and waits its turn. */
static void
end_download (HwOfflineFetcher *self,
              const char       *why)
{
  Download *download = self->download;

  if (download == NULL)
    return;
  self->download = NULL;
  if (why != NULL)
    {
      gint64 *when = g_new (gint64, 1);

      *when = g_get_monotonic_time ();
      /* Forgotten all at once when many: a failure only delays a retry. */
      if (g_hash_table_size (self->failed) >= FAILED_MAX)
        g_hash_table_remove_all (self->failed);
      g_hash_table_insert (self->failed, g_strdup (download->wish->id), when);
      g_message ("Offline cache: copying item %s failed (%s); trying another later",
                 download->wish->id, why);
    }
  download_free (download);
  g_object_notify (G_OBJECT (self), "downloading");
  kick (self, PAUSE_MS);
}

static void
disk_full (HwOfflineFetcher *self)
{
  gint64 bytes = hw_offline_index_get_bytes (self->index);
  guint n;

  /* Never a failed cell: the cache makes room and rests instead. */
  self->full_cap = hw_offline_shrunk_budget (bytes);
  self->full_until_us = g_get_monotonic_time () + HW_OFFLINE_FULL_REST_US;
  self->allowed = MIN (self->allowed, self->full_cap);
  n = hw_offline_index_evict (self->index, 0, self->full_cap);
  g_message ("Offline cache: the disk is full; gave back %u copies and rests for %d minutes",
             n, (int) (HW_OFFLINE_FULL_REST_US / (60 * G_USEC_PER_SEC)));
  end_download (self, NULL);
}

static gboolean
on_stalled (gpointer user_data)
{
  Download *download = user_data;

  download->stall_id = 0;
  download->stalled = TRUE;
  g_cancellable_cancel (download->cancellable);
  return G_SOURCE_REMOVE;
}

static void
arm_stall (Download *download)
{
  g_clear_handle_id (&download->stall_id, g_source_remove);
  download->stall_id = g_timeout_add (STALL_MS, on_stalled, download);
}

static void
finish_download (HwOfflineFetcher *self)
{
  Download *download = self->download;
  Wish *wish = download->wish;
  HwOfflineCopy copy = {
    .id = wish->id,
    .title = wish->title,
    .duration = wish->duration,
    .date_modified = wish->date_modified,
    .size = wish->size,
  };
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&download->stall_id, g_source_remove);
  if (!g_output_stream_close (download->out, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
        disk_full (self);
      else
        end_download (self, error->message);
      return;
    }
  g_clear_object (&download->out);
  if (!hw_offline_index_add (self->index, &copy, &error))
    {
      end_download (self, error->message);
      return;
    }
  /* The partial file is the copy now. */
  g_clear_pointer (&download->partial, g_free);
  g_message ("Offline cache: kept a copy of “%s” (%" G_GINT64_FORMAT " MiB)",
             wish->title ? wish->title : wish->id, wish->size >> 20);
  end_download (self, NULL);
}

static void read_next (HwOfflineFetcher *self);

static gboolean
on_wait_over (gpointer user_data)
{
  HwOfflineFetcher *self = user_data;

  if (self->download != NULL)
    self->download->wait_id = 0;
  read_next (self);
  return G_SOURCE_REMOVE;
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(HwOfflineFetcher) self = user_data;
  g_autoptr(GError) error = NULL;
  Download *download;
  gsize written = 0;
  gint64 rate;
  gint64 now;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &written, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          self->download == NULL || self->download->out != G_OUTPUT_STREAM (source))
        return;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
        disk_full (self);
      else
        end_download (self, error->message);
      return;
    }
  download = self->download;
  if (download == NULL || download->out != G_OUTPUT_STREAM (source))
    return;

  g_clear_pointer (&download->chunk, g_bytes_unref);
  download->received += (gint64) written;
  if (download->received > download->wish->size)
    {
      end_download (self, "more bytes than the server said");
      return;
    }

  /* Paced to offline-cache-rate: each chunk buys the time it is worth. */
  rate = (gint64) hw_config_get_int (self->config, "offline-cache-rate") * 1024;
  now = g_get_monotonic_time ();
  if (rate > 0)
    download->next_read_us = MAX (download->next_read_us, now - G_USEC_PER_SEC) +
                             (gint64) written * G_USEC_PER_SEC / rate;
  read_next (self);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(HwOfflineFetcher) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                              &error);
  Download *download = self->download;

  if (download == NULL || download->in != G_INPUT_STREAM (source))
    return;
  if (bytes == NULL)
    {
      end_download (self, download->stalled ? "the server sent nothing for 30 s"
                                            : error->message);
      return;
    }
  g_clear_handle_id (&download->stall_id, g_source_remove);
  if (g_bytes_get_size (bytes) == 0)
    {
      finish_download (self);
      return;
    }

  download->chunk = g_steal_pointer (&bytes);
  g_output_stream_write_all_async (download->out, g_bytes_get_data (download->chunk, NULL),
                                   g_bytes_get_size (download->chunk), G_PRIORITY_LOW,
                                   download->cancellable, on_written, g_object_ref (self));
}

static void
read_next (HwOfflineFetcher *self)
{
  Download *download = self->download;
  gint64 now = g_get_monotonic_time ();
  guint wait_ms = 0;

  if (download == NULL || download->wait_id != 0)
    return;
  /* A cell buffering needs the link more than the cache does. */
  if (self->held_back)
    wait_ms = HOLD_MS;
  else if (download->next_read_us > now)
    wait_ms = (guint) MAX (1, (download->next_read_us - now) / 1000);
  if (wait_ms > 0)
    {
      download->wait_id = g_timeout_add_full (G_PRIORITY_LOW, wait_ms, on_wait_over, self, NULL);
      return;
    }

  arm_stall (download);
  g_input_stream_read_bytes_async (download->in, CHUNK_BYTES, G_PRIORITY_LOW,
                                   download->cancellable, on_read, g_object_ref (self));
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(HwOfflineFetcher) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) in = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  g_autoptr(GFile) file = NULL;
  Download *download = self->download;
  guint status;

  if (download == NULL || (in == NULL && g_error_matches (error, G_IO_ERROR,
                                                          G_IO_ERROR_CANCELLED) &&
                           !download->stalled))
    return;
  if (in == NULL)
    {
      end_download (self, download->stalled ? "the server did not answer" : error->message);
      return;
    }
  g_clear_handle_id (&download->stall_id, g_source_remove);

  status = soup_message_get_status (download->message);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autofree char *why = g_strdup_printf ("HTTP %u", status);

      if (download->wish->can_download)
        {
          /* Not this user's to download after all: the static stream
           * sends the same file. */
          Wish *again = wish_copy (download->wish);

          g_debug ("Offline cache: /Items/%s/Download answered %u; using the stream",
                   again->id, status);
          again->can_download = FALSE;
          g_queue_push_head (&self->wishes, again);
          end_download (self, NULL);
          return;
        }
      end_download (self, why);
      return;
    }

  file = g_file_new_for_path (download->partial);
  download->out = G_OUTPUT_STREAM (g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE,
                                                   download->cancellable, &error));
  if (download->out == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
        disk_full (self);
      else
        end_download (self, error->message);
      return;
    }
  download->in = g_steal_pointer (&in);
  download->next_read_us = g_get_monotonic_time ();
  read_next (self);
}

static char *
download_url (HwOfflineFetcher *self,
              const Wish       *wish)
{
  const char *base = hw_emby_client_get_base_url (self->client);
  g_autofree char *escaped = g_uri_escape_string (wish->id, NULL, FALSE);
  g_autofree char *path = NULL;

  if (wish->can_download)
    {
      path = g_strdup_printf ("/Items/%s/Download", escaped);
      return hw_emby_build_url (base, path, NULL, NULL);
    }
  path = g_strdup_printf ("/Videos/%s/stream", escaped);
  return hw_emby_build_url (base, path, "static", "true", "MediaSourceId", wish->source_id,
                            "DeviceId", hw_emby_client_get_device_id (self->client), NULL);
}

static void
start_download (HwOfflineFetcher *self,
                Wish             *wish)
{
  Download *download = g_new0 (Download, 1);
  const char *token = hw_emby_client_get_access_token (self->client);
  g_autofree char *url = download_url (self, wish);
  g_autofree char *auth = NULL;
  SoupMessageHeaders *headers;

  download->wish = wish;
  download->cancellable = g_cancellable_new ();
  download->partial = hw_offline_index_dup_partial_path (self->index, wish->id);
  download->message = soup_message_new ("GET", url);
  self->download = download;
  g_object_notify (G_OBJECT (self), "downloading");
  if (download->message == NULL)
    {
      end_download (self, "no usable URL");
      return;
    }

  auth = hw_emby_authorization_header (hw_emby_client_get_device_name (self->client),
                                       hw_emby_client_get_device_id (self->client),
                                       PACKAGE_VERSION, token);
  headers = soup_message_get_request_headers (download->message);
  soup_message_headers_replace (headers, "X-Emby-Authorization", auth);
  soup_message_headers_replace (headers, "X-Emby-Token", token);
  hw_emby_tls_watch (download->message,
                     hw_emby_client_get_accept_certificate (self->client));

  g_debug ("Offline cache: copying item %s (%" G_GINT64_FORMAT " bytes) through %s", wish->id,
           wish->size, wish->can_download ? "/Items/{Id}/Download" : "the static stream");
  arm_stall (download);
  soup_session_send_async (hw_emby_client_get_session (self->client), download->message,
                           G_PRIORITY_LOW, download->cancellable, on_sent, g_object_ref (self));
}

/* ------------------------------------------------------------------ */
/* What to copy next                                                   */

static gboolean
may_fetch (HwOfflineFetcher *self)
{
  return self->download == NULL && !self->asking_space &&
         hw_config_get_int (self->config, "offline-cache-mb") > 0 &&
         hw_emby_client_get_state (self->client) == HW_SERVER_STATE_ONLINE &&
         hw_emby_client_get_access_token (self->client) != NULL &&
         !g_queue_is_empty (&self->wishes);
}

static void
on_space (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(HwOfflineFetcher) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = g_file_query_filesystem_info_finish (G_FILE (source), result,
                                                                   &error);
  g_autoptr(GArray) candidates = NULL;
  gint64 free_bytes = 0;
  gint64 total_bytes = 0;
  GList *l;
  int pick;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->asking_space = FALSE;
  if (info != NULL)
    {
      free_bytes = (gint64) g_file_info_get_attribute_uint64 (info,
                                                              G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
      total_bytes = (gint64) g_file_info_get_attribute_uint64 (info,
                                                               G_FILE_ATTRIBUTE_FILESYSTEM_SIZE);
    }
  self->allowed = hw_offline_allowed_bytes (budget_bytes (self),
                                            hw_offline_index_get_bytes (self->index),
                                            free_bytes, total_bytes);
  /* Over what it may hold now (a smaller budget, a fuller disk): give
   * back before anything else. */
  hw_offline_index_evict (self->index, 0, self->allowed);
  if (!may_fetch (self))
    return;

  candidates = g_array_new (FALSE, FALSE, sizeof (HwOfflineCandidate));
  for (l = self->wishes.head; l != NULL; l = l->next)
    {
      Wish *wish = l->data;
      gint64 *failed = g_hash_table_lookup (self->failed, wish->id);
      HwOfflineCandidate c = {
        .id = wish->id,
        .size = wish->size,
        .cached = hw_offline_index_is_current (self->index, wish->id, wish->date_modified,
                                               wish->size),
        .failed_at_us = failed != NULL ? *failed : 0,
      };

      g_array_append_val (candidates, c);
    }
  pick = hw_offline_pick_fetch ((HwOfflineCandidate *) (gpointer) candidates->data,
                                candidates->len, self->allowed, g_get_monotonic_time ());
  if (pick < 0)
    return;

  l = g_queue_peek_nth_link (&self->wishes, (guint) pick);
  g_queue_unlink (&self->wishes, l);
  hw_offline_index_evict (self->index, ((Wish *) l->data)->size, self->allowed);
  start_download (self, l->data);
  g_list_free_1 (l);
}

static void
step (HwOfflineFetcher *self)
{
  g_autoptr(GFile) directory = NULL;

  if (!may_fetch (self) || self->full_until_us > g_get_monotonic_time ())
    return;

  self->asking_space = TRUE;
  directory = g_file_new_for_path (hw_offline_index_get_directory (self->index));
  g_file_query_filesystem_info_async (directory, G_FILE_ATTRIBUTE_FILESYSTEM_FREE ","
                                      G_FILE_ATTRIBUTE_FILESYSTEM_SIZE, G_PRIORITY_LOW,
                                      self->life, on_space, g_object_ref (self));
}

void
hw_offline_fetcher_want (HwOfflineFetcher      *self,
                         const HwOfflineWanted *wanted)
{
  Wish *wish;

  g_return_if_fail (HW_IS_OFFLINE_FETCHER (self));
  g_return_if_fail (wanted != NULL);

  if (!hw_offline_index_id_is_valid (wanted->id) || wanted->source_id == NULL)
    return;
  if (self->download != NULL && g_str_equal (self->download->wish->id, wanted->id))
    return;

  for (GList *l = self->wishes.head; l != NULL; l = l->next)
    if (g_str_equal (((Wish *) l->data)->id, wanted->id))
      {
        wish_free (l->data);
        g_queue_delete_link (&self->wishes, l);
        break;
      }
  while (g_queue_get_length (&self->wishes) >= WISHES_MAX)
    wish_free (g_queue_pop_tail (&self->wishes));

  wish = g_new0 (Wish, 1);
  wish->id = g_strdup (wanted->id);
  wish->title = g_strdup (wanted->title);
  wish->duration = wanted->duration;
  wish->source_id = g_strdup (wanted->source_id);
  wish->size = wanted->size;
  wish->date_modified = g_strdup (wanted->date_modified);
  wish->can_download = wanted->can_download;
  g_queue_push_head (&self->wishes, wish);
  kick (self, PAUSE_MS);
}

void
hw_offline_fetcher_set_held_back (HwOfflineFetcher *self,
                                  gboolean          held_back)
{
  g_return_if_fail (HW_IS_OFFLINE_FETCHER (self));
  self->held_back = !!held_back;
}

const char *
hw_offline_fetcher_get_downloading (HwOfflineFetcher *self)
{
  g_return_val_if_fail (HW_IS_OFFLINE_FETCHER (self), NULL);
  return self->download != NULL ? self->download->wish->id : NULL;
}

gint64
hw_offline_fetcher_get_budget (HwOfflineFetcher *self)
{
  g_return_val_if_fail (HW_IS_OFFLINE_FETCHER (self), 0);
  /* Until the disk was asked, the budget alone. */
  return self->allowed >= 0 ? self->allowed : budget_bytes (self);
}

void
hw_offline_fetcher_add_status (HwOfflineFetcher *self,
                               JsonBuilder      *builder)
{
  const char *downloading;

  g_return_if_fail (HW_IS_OFFLINE_FETCHER (self));

  downloading = hw_offline_fetcher_get_downloading (self);
  json_builder_set_member_name (builder, "offline_cache");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "bytes");
  json_builder_add_int_value (builder, hw_offline_index_get_bytes (self->index));
  json_builder_set_member_name (builder, "items");
  json_builder_add_int_value (builder, hw_offline_index_get_n_items (self->index));
  json_builder_set_member_name (builder, "budget_bytes");
  json_builder_add_int_value (builder, hw_offline_fetcher_get_budget (self));
  json_builder_set_member_name (builder, "downloading");
  if (downloading != NULL)
    json_builder_add_string_value (builder, downloading);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
}

/* ------------------------------------------------------------------ */
/* Object                                                              */

static void
on_client_state (GObject    *client,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  HwOfflineFetcher *self = user_data;

  /* Nothing is fetched past a closed gate; what was begun starts over. */
  if (hw_emby_client_get_state (self->client) != HW_SERVER_STATE_ONLINE)
    end_download (self, NULL);
  else
    kick (self, PAUSE_MS);
}

static void
on_config_changed (HwConfig   *config,
                   const char *key,
                   gpointer    user_data)
{
  HwOfflineFetcher *self = user_data;

  if (!g_str_equal (key, "offline-cache-mb"))
    return;
  self->allowed = -1;
  if (hw_config_get_int (config, "offline-cache-mb") == 0)
    {
      end_download (self, NULL);
      hw_offline_index_evict (self->index, 0, 0);
    }
  kick (self, PAUSE_MS);
}

enum {
  PROP_0,
  PROP_DOWNLOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

HwOfflineFetcher *
hw_offline_fetcher_new (HwEmbyClient   *client,
                        HwOfflineIndex *index,
                        HwConfig       *config)
{
  HwOfflineFetcher *self;

  g_return_val_if_fail (HW_IS_EMBY_CLIENT (client), NULL);
  g_return_val_if_fail (HW_IS_OFFLINE_INDEX (index), NULL);
  g_return_val_if_fail (HW_IS_CONFIG (config), NULL);

  self = g_object_new (HW_TYPE_OFFLINE_FETCHER, NULL);
  self->client = g_object_ref (client);
  self->index = g_object_ref (index);
  self->config = g_object_ref (config);
  g_signal_connect_object (client, "notify::state", G_CALLBACK (on_client_state), self, 0);
  g_signal_connect_object (config, "changed", G_CALLBACK (on_config_changed), self, 0);
  /* Off: no copies are kept either. */
  if (hw_config_get_int (config, "offline-cache-mb") == 0)
    hw_offline_index_evict (index, 0, 0);
  return self;
}

static void
hw_offline_fetcher_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  HwOfflineFetcher *self = HW_OFFLINE_FETCHER (object);

  switch (prop_id)
    {
    case PROP_DOWNLOADING:
      g_value_set_string (value, hw_offline_fetcher_get_downloading (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hw_offline_fetcher_dispose (GObject *object)
{
  HwOfflineFetcher *self = HW_OFFLINE_FETCHER (object);

  g_cancellable_cancel (self->life);
  g_clear_handle_id (&self->kick_id, g_source_remove);
  if (self->download != NULL)
    {
      download_free (self->download);
      self->download = NULL;
    }
  g_queue_clear_full (&self->wishes, (GDestroyNotify) wish_free);
  g_clear_object (&self->client);
  g_clear_object (&self->index);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (hw_offline_fetcher_parent_class)->dispose (object);
}

static void
hw_offline_fetcher_finalize (GObject *object)
{
  HwOfflineFetcher *self = HW_OFFLINE_FETCHER (object);

  g_clear_object (&self->life);
  g_clear_pointer (&self->failed, g_hash_table_unref);

  G_OBJECT_CLASS (hw_offline_fetcher_parent_class)->finalize (object);
}

static void
hw_offline_fetcher_class_init (HwOfflineFetcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hw_offline_fetcher_dispose;
  object_class->finalize = hw_offline_fetcher_finalize;
  object_class->get_property = hw_offline_fetcher_get_property;

  properties[PROP_DOWNLOADING] =
    g_param_spec_string ("downloading", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hw_offline_fetcher_init (HwOfflineFetcher *self)
{
  self->life = g_cancellable_new ();
  self->failed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->allowed = -1;
  g_queue_init (&self->wishes);
}
