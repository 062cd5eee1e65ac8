/* hw-shared-requests.c: identical concurrent requests run once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include "hw-shared-requests.h"

struct _HwSharedRequests
{
  GObject     parent_instance;

  GHashTable *running;   /* key → Shared (borrowed) */
};

G_DEFINE_FINAL_TYPE (HwSharedRequests, hw_shared_requests, G_TYPE_OBJECT)

typedef struct _Shared Shared;

typedef struct {
  GTask        *task;
  GCancellable *cancellable;
  gulong        cancel_id;
  Shared       *shared;
  gboolean      finished;
} Waiter;

struct _Shared {
  HwSharedRequests *owner;
  char             *key;
  GCancellable     *cancellable;
  GPtrArray        *waiters;   /* Waiter (rc-boxed) */
  gboolean          detached;  /* no longer in the table */
};

static void
waiter_clear (Waiter *waiter)
{
  g_clear_object (&waiter->task);
  g_clear_object (&waiter->cancellable);
}

static void
waiter_release (Waiter *waiter)
{
  g_rc_box_release_full (waiter, (GDestroyNotify) waiter_clear);
}

static void
waiter_finish (Waiter *waiter)
{
  waiter->finished = TRUE;
  if (waiter->cancel_id != 0)
    g_cancellable_disconnect (waiter->cancellable, waiter->cancel_id);
  waiter->cancel_id = 0;
}

static void
shared_detach (Shared *shared)
{
  if (!shared->detached)
    g_hash_table_remove (shared->owner->running, shared->key);
  shared->detached = TRUE;
}

static gboolean
waiter_cancel_idle (gpointer user_data)
{
  Waiter *waiter = user_data;
  Shared *shared = waiter->shared;

  if (!waiter->finished)
    {
      waiter_finish (waiter);
      g_task_return_new_error (waiter->task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "The request was cancelled");
      g_ptr_array_remove (shared->waiters, waiter);
      if (shared->waiters->len == 0)
        {
          /* The last interested caller is gone. */
          g_debug ("Shared request %s: last caller gone, cancelling", shared->key);
          shared_detach (shared);
          g_cancellable_cancel (shared->cancellable);
        }
    }

  return G_SOURCE_REMOVE;
}

static void
on_waiter_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  Waiter *waiter = user_data;

  /* May run inside g_cancellable_cancel (): disconnecting here would
   * deadlock, so finish from an idle. */
  g_idle_add_full (G_PRIORITY_DEFAULT, waiter_cancel_idle,
                   g_rc_box_acquire (waiter), (GDestroyNotify) waiter_release);
}

static void
shared_free (Shared *shared)
{
  g_object_unref (shared->owner);
  g_free (shared->key);
  g_object_unref (shared->cancellable);
  g_ptr_array_unref (shared->waiters);
  g_free (shared);
}

static void
on_shared_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Shared *shared = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(GPtrArray) waiters = g_ptr_array_ref (shared->waiters);

  shared_detach (shared);
  for (guint i = 0; i < waiters->len; i++)
    {
      Waiter *waiter = g_ptr_array_index (waiters, i);

      if (waiter->finished)
        continue;
      waiter_finish (waiter);
      if (body != NULL)
        g_task_return_pointer (waiter->task, g_bytes_ref (body), (GDestroyNotify) g_bytes_unref);
      else
        g_task_return_error (waiter->task, g_error_copy (error));
    }

  shared_free (shared);
}

void
hw_shared_requests_run (HwSharedRequests         *self,
                        const char               *key,
                        gpointer                  source_object,
                        gpointer                  source_tag,
                        HwSharedRequestStartFunc  start,
                        gpointer                  start_data,
                        GCancellable             *cancellable,
                        GAsyncReadyCallback       callback,
                        gpointer                  user_data)
{
  Shared *shared;
  Waiter *waiter;

  g_return_if_fail (HW_IS_SHARED_REQUESTS (self));
  g_return_if_fail (key != NULL && start != NULL);

  shared = g_hash_table_lookup (self->running, key);

  if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
    {
      g_task_report_new_error (source_object, callback, user_data, source_tag, G_IO_ERROR,
                               G_IO_ERROR_CANCELLED, "The request was cancelled");
      return;
    }

  if (shared == NULL)
    {
      shared = g_new0 (Shared, 1);
      shared->owner = g_object_ref (self);
      shared->key = g_strdup (key);
      shared->cancellable = g_cancellable_new ();
      shared->waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) waiter_release);
      g_hash_table_insert (self->running, shared->key, shared);

      start (start_data, shared->cancellable, on_shared_done, shared);
      /* @start may have finished its task already; the callback runs from
       * the main loop either way (GTask defers it), so the waiter below is
       * always registered in time. */
    }
  else
    g_debug ("Shared request %s: joining (%u waiting)", key, shared->waiters->len + 1);

  waiter = g_rc_box_new0 (Waiter);
  waiter->task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (waiter->task, source_tag);
  waiter->shared = shared;
  if (cancellable != NULL)
    {
      waiter->cancellable = g_object_ref (cancellable);
      waiter->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_waiter_cancelled),
                                                 waiter, NULL);
    }
  g_ptr_array_add (shared->waiters, waiter);
}

HwSharedRequests *
hw_shared_requests_new (void)
{
  return g_object_new (HW_TYPE_SHARED_REQUESTS, NULL);
}

static void
hw_shared_requests_finalize (GObject *object)
{
  HwSharedRequests *self = HW_SHARED_REQUESTS (object);

  /* Every running request holds a reference: the table is empty here. */
  g_clear_pointer (&self->running, g_hash_table_unref);

  G_OBJECT_CLASS (hw_shared_requests_parent_class)->finalize (object);
}

static void
hw_shared_requests_class_init (HwSharedRequestsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hw_shared_requests_finalize;
}

static void
hw_shared_requests_init (HwSharedRequests *self)
{
  self->running = g_hash_table_new (g_str_hash, g_str_equal);
}
