/* hw-loop-monitor.c: gaps between turns of the main loop.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <math.h>

#include "hw-loop-monitor.h"

typedef struct {
  gint64 real_us;   /* when the gap ended */
  gint64 gap_us;
} Gap;

struct _HwLoopMonitor
{
  GSource *source;
  gint64   last_us;   /* monotonic time the loop last left its poll, 0: not since the
                       * last prepare */
  gint64   max_us;
  Gap      kept[HW_LOOP_MONITOR_KEPT];
  guint    n_kept;    /* total ever kept; the ring holds the last HW_LOOP_MONITOR_KEPT */
};

/* A source that is never ready: GLib calls its prepare at the start of
 * every iteration and its check right after the poll. From check to the
 * next prepare the loop was busy (dispatching, or held outside any
 * iteration); the time spent waiting in the poll is no gap. A timer every
 * 10 ms measured the same, and woke an idle wall 100 times a second. */
typedef struct {
  GSource        source;
  HwLoopMonitor *monitor;
} MonitorSource;

static gboolean
monitor_prepare (GSource *source,
                 int     *timeout)
{
  HwLoopMonitor *self = ((MonitorSource *) source)->monitor;

  *timeout = -1;
  /* GLib skips the checks when the poll's descriptors changed meanwhile:
   * then there is no end of the poll to measure from. */
  if (self->last_us != 0)
    hw_loop_monitor_note (self, g_get_monotonic_time (), g_get_real_time ());
  self->last_us = 0;
  return FALSE;
}

static gboolean
monitor_check (GSource *source)
{
  HwLoopMonitor *self = ((MonitorSource *) source)->monitor;

  self->last_us = g_get_monotonic_time ();
  return FALSE;
}

static gboolean
monitor_dispatch (GSource     *source,
                  GSourceFunc  callback,
                  gpointer     user_data)
{
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs monitor_funcs = {
  .prepare = monitor_prepare,
  .check = monitor_check,
  .dispatch = monitor_dispatch,
};

HwLoopMonitor *
hw_loop_monitor_new (void)
{
  HwLoopMonitor *self = g_new0 (HwLoopMonitor, 1);

  self->source = g_source_new (&monitor_funcs, sizeof (MonitorSource));
  ((MonitorSource *) self->source)->monitor = self;
  /* Before every other source: GLib stops preparing and checking at the
   * priority of the first source found ready. */
  g_source_set_priority (self->source, G_MININT);
  g_source_set_static_name (self->source, "hw-loop-monitor");
  g_source_attach (self->source, g_main_context_get_thread_default ());
  return self;
}

void
hw_loop_monitor_free (HwLoopMonitor *self)
{
  if (self == NULL)
    return;
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_source_unref (self->source);
    }
  g_free (self);
}

void
hw_loop_monitor_note (HwLoopMonitor *self,
                      gint64         now_us,
                      gint64         real_us)
{
  gint64 gap;

  g_return_if_fail (self != NULL);

  if (self->last_us == 0 || now_us < self->last_us)
    {
      self->last_us = now_us;
      return;
    }

  gap = now_us - self->last_us;
  self->last_us = now_us;
  self->max_us = MAX (self->max_us, gap);
  if (gap >= HW_LOOP_MONITOR_KEEP_MS * 1000)
    {
      self->kept[self->n_kept % HW_LOOP_MONITOR_KEPT] = (Gap) { real_us, gap };
      self->n_kept++;
      g_debug ("The main loop stood still for %.1f ms", gap / 1000.0);
    }
}

double
hw_loop_monitor_get_max_ms (HwLoopMonitor *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->max_us / 1000.0;
}

void
hw_loop_monitor_add_status (HwLoopMonitor *self,
                            JsonBuilder   *builder)
{
  guint first;

  g_return_if_fail (self != NULL);

  first = self->n_kept > HW_LOOP_MONITOR_KEPT ? self->n_kept - HW_LOOP_MONITOR_KEPT : 0;
  json_builder_set_member_name (builder, "main_loop");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "max_gap_ms");
  json_builder_add_double_value (builder, round (self->max_us / 100.0) / 10);
  json_builder_set_member_name (builder, "gaps");
  json_builder_begin_array (builder);
  for (guint i = first; i < self->n_kept; i++)
    {
      const Gap *gap = &self->kept[i % HW_LOOP_MONITOR_KEPT];

      json_builder_begin_array (builder);
      json_builder_add_double_value (builder, round (gap->real_us / 1000.0) / 1000);
      json_builder_add_double_value (builder, round (gap->gap_us / 100.0) / 10);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}
