/* hw-thread-priority.c: see the header for why.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-thread-priority.h"

#ifdef __linux__
#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/* Background threads sit HW_THREAD_BACKGROUND_NICE above the main thread
 * (whose thread id is the process id), whatever the process was started
 * with: a kiosk session may already run the wall niced. */
static int
main_thread_nice (void)
{
#ifdef __linux__
  int value;

  errno = 0;
  value = getpriority (PRIO_PROCESS, (id_t)getpid ());
  return errno == 0 ? value : 0;
#else
  return 0;
#endif
}

int
hw_thread_priority_get_current (void)
{
#ifdef __linux__
  int value;

  errno = 0;
  value = getpriority (PRIO_PROCESS, (id_t)syscall (SYS_gettid));
  return errno == 0 ? value : 0;
#else
  return 0;
#endif
}

void
hw_thread_priority_lower_current (void)
{
#ifdef __linux__
  int target = MIN (main_thread_nice () + HW_THREAD_BACKGROUND_NICE, 19);

  if (hw_thread_priority_get_current () >= target)
    return;
  /* Lowering one's own priority needs no privilege; should it fail all
   * the same, the thread runs as before, which only costs smoothness. */
  if (setpriority (PRIO_PROCESS, (id_t)syscall (SYS_gettid), target) != 0)
    g_debug ("Could not lower a background thread's priority: %s", g_strerror (errno));
#endif
}

typedef struct
{
  GThreadFunc func;
  gpointer    data;
} Call;

static gpointer
call_lowered (gpointer user_data)
{
  Call *call = user_data;

  hw_thread_priority_lower_current ();
  return call->func (call->data);
}

gpointer
hw_thread_priority_call_lowered (GThreadFunc func, gpointer data)
{
  Call call = { func, data };

  g_return_val_if_fail (func != NULL, NULL);

  return g_thread_join (g_thread_new ("hw-lowered", call_lowered, &call));
}
