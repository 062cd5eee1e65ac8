/* hw-workers.c: counted worker threads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-thread-priority.h"
#include "hw-workers.h"

static GMutex lock;
static GCond  cond;
static guint  running;

typedef struct {
  GThreadFunc func;
  gpointer    data;
} Work;

static gpointer
run (gpointer user_data)
{
  Work *work = user_data;

  hw_thread_priority_lower_current ();
  work->func (work->data);
  g_free (work);

  g_mutex_lock (&lock);
  running--;
  g_cond_broadcast (&cond);
  g_mutex_unlock (&lock);
  return NULL;
}

void
hw_workers_spawn (const char  *name,
                  GThreadFunc  func,
                  gpointer     data)
{
  Work *work = g_new (Work, 1);

  work->func = func;
  work->data = data;
  g_mutex_lock (&lock);
  running++;
  g_mutex_unlock (&lock);
  g_thread_unref (g_thread_new (name, run, work));
}

guint
hw_workers_running (void)
{
  guint n;

  g_mutex_lock (&lock);
  n = running;
  g_mutex_unlock (&lock);
  return n;
}

gboolean
hw_workers_wait (gint64 deadline_us)
{
  gboolean done;

  g_mutex_lock (&lock);
  while (running > 0)
    if (!g_cond_wait_until (&cond, &lock, deadline_us))
      break;
  done = running == 0;
  g_mutex_unlock (&lock);
  return done;
}
