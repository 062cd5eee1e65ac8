/* hw-render-thread.h: mpv's software render API on a thread of its own, for
 * the surfaces that show its frames without a GPU (hw-sw-surface.h,
 * hw-x11-surface.h).
 *
 * mpv_render_context_render() for the software API blocks about one frame,
 * so it never runs on the main thread. The thread owns the render context:
 * it renders when mpv says a frame may be ready, when the main thread hands
 * it a new size, or when the surface asks for it again, and it ends when
 * told to quit. How a frame gets on screen is the surface's
 * (HwRenderThreadClass).
 *
 * The thread outlives the widget: it frees the render context itself, so
 * the main thread never waits for mpv's video output. It never holds a
 * reference on the widget, so the widget and its player are always
 * disposed of on the main thread; once done it hands the player back to
 * the main loop, and reports there why it could not show frames, if so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hw-player.h"

G_BEGIN_DECLS

typedef struct _HwRenderThread HwRenderThread;

/* What a surface adds. Every callback but free_data runs on the render
 * thread, without the lock; @data is what hw_render_thread_start() was
 * given. Only frame is required. */
typedef struct {
  const char *name;          /* of the thread */
  /* Once, before the first frame. FALSE, @error set, when nothing can be
   * shown. */
  gboolean  (*start)    (HwRenderThread  *thread,
                         gpointer         data,
                         GError         **error);
  /* When set, the thread sleeps in poll() on this descriptor as well as
   * on its wakeups (an eventfd), and calls dispatch after each round. */
  int       (*get_fd)   (gpointer         data);
  /* FALSE, @error set, when nothing can be shown any more; *@redraw set
   * when the last frame must be shown again. */
  gboolean  (*dispatch) (gpointer         data,
                         gboolean        *redraw,
                         GError         **error);
  /* After hw_render_thread_wake(): takes what the main thread handed over
   * (under hw_render_thread_lock()). */
  void      (*sync)     (HwRenderThread  *thread,
                         gpointer         data);
  /* Renders the frame at @width × @height with hw_render_thread_render()
   * and shows it. FALSE, @error set, when nothing can be shown any more; a
   * frame mpv did not render is not that. */
  gboolean  (*frame)    (HwRenderThread  *thread,
                         gpointer         data,
                         int              width,
                         int              height,
                         GError         **error);
  /* Once, when the thread is done, before the render context goes. */
  void      (*stop)     (HwRenderThread  *thread,
                         gpointer         data);
  /* With the last reference (in practice on the main thread). */
  GDestroyNotify free_data;
} HwRenderThreadClass;

/* A software render context on @player's handle, for @owner (an
 * HwVideoSurface, which is sent "render-failed" when the thread cannot
 * show frames), or NULL with @error set. Main thread, at realize. */
HwRenderThread *hw_render_thread_new       (const HwRenderThreadClass *klass,
                                            HwPlayer                  *player,
                                            GtkWidget                 *owner,
                                            GError                   **error);
/* Starts the thread on @data, at @width × @height. Main thread. */
void            hw_render_thread_start     (HwRenderThread            *self,
                                            gpointer                   data,
                                            int                        width,
                                            int                        height);
/* Tells the thread to end and drops the caller's reference. Main thread,
 * at unrealize. */
void            hw_render_thread_quit      (HwRenderThread            *self);

HwRenderThread *hw_render_thread_ref       (HwRenderThread            *self);
void            hw_render_thread_unref     (HwRenderThread            *self);
gpointer        hw_render_thread_get_data  (HwRenderThread            *self);
/* The widget, or NULL once it is gone. Main thread only: the reference
 * returned is the last one when the widget was unparented meanwhile. */
GtkWidget      *hw_render_thread_dup_owner (HwRenderThread            *self);

/* Frames are rendered at @width × @height device pixels from now on
 * (hw_render_thread_clamp_size()). Main thread. */
void            hw_render_thread_set_size  (HwRenderThread            *self,
                                            int                        width,
                                            int                        height);
/* Runs the sync callback and a round of the loop soon. Any thread,
 * without the lock. */
void            hw_render_thread_wake      (HwRenderThread            *self);

/* The lock that guards the thread's state, and the surface's own state
 * shared by both threads. */
void            hw_render_thread_lock      (HwRenderThread            *self);
void            hw_render_thread_unlock    (HwRenderThread            *self);
/* With the lock held: whether the thread was told to quit. */
gboolean        hw_render_thread_quitting  (HwRenderThread            *self);
/* With the lock held: waits for hw_render_thread_signal(), a wakeup or
 * @end_time (monotonic); FALSE once @end_time passed. */
gboolean        hw_render_thread_wait_until (HwRenderThread           *self,
                                             gint64                    end_time);
/* With the lock held: wakes hw_render_thread_wait_until(). */
void            hw_render_thread_signal    (HwRenderThread            *self);

/* On the render thread: renders the current frame into @pixels, @width ×
 * @height in mpv's @format ("bgr0", "bgra", ...) with rows @stride bytes
 * apart; blocks until the frame's display time. FALSE when mpv rendered
 * nothing. */
gboolean        hw_render_thread_render    (HwRenderThread            *self,
                                            guint8                    *pixels,
                                            int                        width,
                                            int                        height,
                                            gsize                      stride,
                                            const char                *format);

/* The size frames are rendered at for a widget of @width × @height device
 * pixels: at most 1920 × 1080, shrunk by one factor so the aspect stays. */
void            hw_render_thread_clamp_size (int                       width,
                                             int                       height,
                                             int                      *out_width,
                                             int                      *out_height);

G_END_DECLS
