/* hw-render-thread.c: mpv's software render API on a thread of its own.
 *
 * Three threads touch it: mpv's (the update callback), the main thread
 * (size, wakeups, quit) and the render thread. Everything they share is
 * guarded by @lock; the render context is the render thread's once it
 * runs. The thread sleeps on @cond, or, for a surface that also waits for
 * a file descriptor, in poll() on it and an eventfd every wakeup writes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <errno.h>
#include <mpv/render.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "hw-render-thread.h"
#include "hw-video-surface.h"
#include "hw-workers.h"

#define MAX_WIDTH  1920
#define MAX_HEIGHT 1080

struct _HwRenderThread
{
  gatomicrefcount            ref;
  const HwRenderThreadClass *klass;
  gpointer                   data;
  GMutex                     lock;
  GCond                      cond;
  int                        wakeup_fd;  /* -1 unless the class polls */
  gboolean                   quit;
  gboolean                   update;     /* mpv said a frame may be ready */
  gboolean                   resized;
  gboolean                   woken;
  int                        width;      /* to render at */
  int                        height;
  mpv_render_context        *render;     /* the thread's once it runs */
  HwPlayer                  *player;     /* kept until the render context is freed */
  /* Set and cleared on the main thread, read only there: taking a
   * reference on the widget elsewhere could make that thread's unref the
   * last one, and dispose of the widget and its player off the main
   * thread. */
  GWeakRef                   owner;
  char                      *failure;    /* why the thread ended, if it failed */
};

HwRenderThread *
hw_render_thread_ref (HwRenderThread *self)
{
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
hw_render_thread_unref (HwRenderThread *self)
{
  if (!g_atomic_ref_count_dec (&self->ref))
    return;

  if (self->klass->free_data != NULL && self->data != NULL)
    self->klass->free_data (self->data);
  /* Only when the thread never started. */
  if (self->render != NULL)
    mpv_render_context_free (self->render);
  g_clear_object (&self->player);
  g_weak_ref_clear (&self->owner);
  if (self->wakeup_fd >= 0)
    close (self->wakeup_fd);
  g_free (self->failure);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}

static void
unref_notify (gpointer data)
{
  hw_render_thread_unref (data);
}

/* Any thread, with or without the lock. */
static void
kick (HwRenderThread *self)
{
  guint64 one = 1;

  if (self->wakeup_fd >= 0 && write (self->wakeup_fd, &one, sizeof one) < 0)
    g_debug ("render thread: cannot wake it");
}

/* Runs on an mpv thread. */
static void
update_cb (void *data)
{
  HwRenderThread *self = data;

  g_mutex_lock (&self->lock);
  self->update = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  kick (self);
}

/* Sleeps until mpv, the main thread or @fd has something. */
static void
poll_for_work (HwRenderThread *self,
               int             fd)
{
  struct pollfd fds[] = {
    { self->wakeup_fd, POLLIN, 0 },
    { fd, POLLIN, 0 },
  };
  guint64 count;

  if (poll (fds, G_N_ELEMENTS (fds), -1) > 0 && (fds[0].revents & POLLIN))
    if (read (self->wakeup_fd, &count, sizeof count) < 0)
      g_debug ("render thread: cannot read the wakeup counter");
}

/* Shows frames until told to quit (TRUE) or until nothing can be shown any
 * more (FALSE, @error set). */
static gboolean
run (HwRenderThread  *self,
     GError         **error)
{
  const HwRenderThreadClass *klass = self->klass;
  gboolean polls = self->wakeup_fd >= 0;
  int fd = polls ? klass->get_fd (self->data) : -1;
  gboolean redraw = FALSE;

  for (;;)
    {
      gboolean update, resized, woken;
      int width, height;

      g_mutex_lock (&self->lock);
      while (!polls && !self->quit && !self->update && !self->resized && !self->woken)
        g_cond_wait (&self->cond, &self->lock);
      if (self->quit)
        {
          g_mutex_unlock (&self->lock);
          return TRUE;
        }
      update = self->update;
      resized = self->resized;
      woken = self->woken;
      self->update = self->resized = self->woken = FALSE;
      width = self->width;
      height = self->height;
      g_mutex_unlock (&self->lock);

      if (woken && klass->sync != NULL)
        klass->sync (self, self->data);

      if (update || resized || redraw)
        {
          guint64 flags = mpv_render_context_update (self->render);

          if (((flags & MPV_RENDER_UPDATE_FRAME) || resized || redraw) && width > 0
              && height > 0 && !klass->frame (self, self->data, width, height, error))
            return FALSE;
          redraw = FALSE;
        }

      if (klass->dispatch != NULL && !klass->dispatch (self->data, &redraw, error))
        return FALSE;
      if (polls && !redraw)
        poll_for_work (self, fd);
    }
}

/* Main thread: the thread is done, and its reference comes with it. */
static gboolean
finish_idle (gpointer user_data)
{
  HwRenderThread *self = user_data;

  /* The render context is gone: mpv's handle may go now. */
  g_clear_object (&self->player);
  if (self->failure != NULL)
    {
      g_autoptr(GtkWidget) owner = hw_render_thread_dup_owner (self);

      /* Only now, so that the software surface the cell puts in the
       * owner's place can have the player's render context. */
      if (owner != NULL)
        hw_video_surface_render_failed (HW_VIDEO_SURFACE (owner), self->failure);
    }
  return G_SOURCE_REMOVE;
}

static gpointer
thread_main (gpointer data)
{
  HwRenderThread *self = data;
  const HwRenderThreadClass *klass = self->klass;
  g_autoptr(GError) error = NULL;
  gboolean shown = (klass->start == NULL || klass->start (self, self->data, &error))
                   && run (self, &error);

  if (klass->stop != NULL)
    klass->stop (self, self->data);
  /* Here, off the main thread: freeing the render context waits for mpv's
   * video output, and only after it may the handle go. */
  mpv_render_context_set_update_callback (self->render, NULL, NULL);
  g_clear_pointer (&self->render, mpv_render_context_free);
  if (!shown)
    self->failure = g_strdup (error != NULL ? error->message : "the render thread failed");
  /* The player and the thread's reference are let go on the main thread,
   * where a player's dispose belongs (an idle's destroy notify runs
   * there). */
  g_idle_add_full (G_PRIORITY_DEFAULT, finish_idle, self, unref_notify);
  return NULL;
}

HwRenderThread *
hw_render_thread_new (const HwRenderThreadClass  *klass,
                      HwPlayer                   *player,
                      GtkWidget                  *owner,
                      GError                    **error)
{
  mpv_handle *mpv = hw_player_get_handle (player);
  mpv_render_param params[] = {
    { MPV_RENDER_PARAM_API_TYPE, (void *) MPV_RENDER_API_TYPE_SW },
    { MPV_RENDER_PARAM_INVALID, NULL },
  };
  HwRenderThread *self;
  int wakeup_fd = -1;
  int rc;

  g_return_val_if_fail (klass != NULL && klass->frame != NULL, NULL);
  g_return_val_if_fail (HW_IS_VIDEO_SURFACE (owner), NULL);

  if (mpv == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "the player has no mpv handle");
      return NULL;
    }
  if (klass->get_fd != NULL)
    {
      wakeup_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
      if (wakeup_fd < 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "no eventfd: %s",
                       g_strerror (saved));
          return NULL;
        }
    }

  self = g_new0 (HwRenderThread, 1);
  g_atomic_ref_count_init (&self->ref);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_weak_ref_init (&self->owner, owner);
  self->klass = klass;
  self->wakeup_fd = wakeup_fd;
  self->player = g_object_ref (player);

  rc = mpv_render_context_create (&self->render, mpv, params);
  if (rc < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "software render context: %s",
                   mpv_error_string (rc));
      self->render = NULL;
      hw_render_thread_unref (self);
      return NULL;
    }
  return self;
}

void
hw_render_thread_start (HwRenderThread *self,
                        gpointer        data,
                        int             width,
                        int             height)
{
  g_return_if_fail (self->data == NULL);

  self->data = data;
  self->width = width;
  self->height = height;
  self->resized = TRUE;
  mpv_render_context_set_update_callback (self->render, update_cb, self);
  /* The thread holds a reference until it is done. It is counted, so that
   * shutdown can wait for it (hw-workers.h). */
  hw_workers_spawn (self->klass->name, thread_main, hw_render_thread_ref (self));
}

void
hw_render_thread_quit (HwRenderThread *self)
{
  g_mutex_lock (&self->lock);
  self->quit = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  kick (self);
  hw_render_thread_unref (self);
}

gpointer
hw_render_thread_get_data (HwRenderThread *self)
{
  return self->data;
}

GtkWidget *
hw_render_thread_dup_owner (HwRenderThread *self)
{
  return g_weak_ref_get (&self->owner);
}

void
hw_render_thread_set_size (HwRenderThread *self,
                           int             width,
                           int             height)
{
  g_mutex_lock (&self->lock);
  self->width = width;
  self->height = height;
  self->resized = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  kick (self);
}

void
hw_render_thread_wake (HwRenderThread *self)
{
  g_mutex_lock (&self->lock);
  self->woken = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  kick (self);
}

void
hw_render_thread_lock (HwRenderThread *self)
{
  g_mutex_lock (&self->lock);
}

void
hw_render_thread_unlock (HwRenderThread *self)
{
  g_mutex_unlock (&self->lock);
}

gboolean
hw_render_thread_quitting (HwRenderThread *self)
{
  return self->quit;
}

gboolean
hw_render_thread_wait_until (HwRenderThread *self,
                             gint64          end_time)
{
  return g_cond_wait_until (&self->cond, &self->lock, end_time);
}

void
hw_render_thread_signal (HwRenderThread *self)
{
  g_cond_signal (&self->cond);
}

gboolean
hw_render_thread_render (HwRenderThread *self,
                         guint8         *pixels,
                         int             width,
                         int             height,
                         gsize           stride,
                         const char     *format)
{
  int size[2] = { width, height };
  mpv_render_param params[] = {
    { MPV_RENDER_PARAM_SW_SIZE, size },
    { MPV_RENDER_PARAM_SW_FORMAT, (void *) format },
    { MPV_RENDER_PARAM_SW_STRIDE, &stride },
    { MPV_RENDER_PARAM_SW_POINTER, pixels },
    { MPV_RENDER_PARAM_INVALID, NULL },
  };

  return mpv_render_context_render (self->render, params) >= 0;
}

/* Frames larger than MAX_WIDTH × MAX_HEIGHT are rendered smaller and
 * scaled up: both sides shrink by the same factor, so the picture keeps
 * its shape. */
void
hw_render_thread_clamp_size (int  width,
                             int  height,
                             int *out_width,
                             int *out_height)
{
  double factor = 1.0;

  if (width <= 0 || height <= 0)
    {
      *out_width = MAX (width, 0);
      *out_height = MAX (height, 0);
      return;
    }

  if (width > MAX_WIDTH)
    factor = MIN (factor, (double) MAX_WIDTH / width);
  if (height > MAX_HEIGHT)
    factor = MIN (factor, (double) MAX_HEIGHT / height);

  *out_width = CLAMP ((int) (width * factor + 0.5), 1, MAX_WIDTH);
  *out_height = CLAMP ((int) (height * factor + 0.5), 1, MAX_HEIGHT);
}
