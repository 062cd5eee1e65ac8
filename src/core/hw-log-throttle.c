/* hw-log-throttle.c: log lines limited per source, with a summary.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-log-limit.h"
#include "hw-log-throttle.h"
#include "hw-units.h"

#define WINDOW_US  (60 * HW_USEC_PER_SEC)
#define MAX_LABELS 256
#define OTHER      "Other sources"

typedef struct
{
  char       *label;
  HwLogLimit  limit;
  guint       summary_source;
} Source;

struct _HwLogThrottle
{
  guint       burst;
  GHashTable *sources;  /* label → Source */
};

static void
source_free (Source *source)
{
  g_clear_handle_id (&source->summary_source, g_source_remove);
  g_free (source->label);
  g_free (source);
}

static gboolean summarize (gpointer user_data);

static void
schedule_summary (Source *source)
{
  gint64 due = hw_log_limit_summary_due (&source->limit);
  gint64 wait_us = MAX (0, due - g_get_monotonic_time ());

  if (due == 0 || source->summary_source != 0)
    return;
  /* Rounded up: a timer early by a millisecond would find the window open. */
  source->summary_source = g_timeout_add ((guint) ((wait_us + 999) / 1000) + 1, summarize,
                                          source);
}

static gboolean
summarize (gpointer user_data)
{
  Source *source = user_data;
  guint held_back;

  source->summary_source = 0;
  held_back = hw_log_limit_flush (&source->limit, g_get_monotonic_time ());
  if (held_back > 0)
    g_message ("%s: %u more in the last minute", source->label, held_back);
  else
    schedule_summary (source);
  return G_SOURCE_REMOVE;
}

HwLogThrottle *
hw_log_throttle_new (guint burst)
{
  HwLogThrottle *self = g_new0 (HwLogThrottle, 1);

  self->burst = burst;
  self->sources = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) source_free);
  return self;
}

void
hw_log_throttle_free (HwLogThrottle *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->sources);
  g_free (self);
}

gboolean
hw_log_throttle_allow (HwLogThrottle *self,
                       const char    *label)
{
  Source *source;
  guint held_back = 0;

  g_return_val_if_fail (self != NULL, TRUE);
  g_return_val_if_fail (label != NULL, TRUE);

  source = g_hash_table_lookup (self->sources, label);
  if (source == NULL && g_hash_table_size (self->sources) >= MAX_LABELS)
    {
      label = OTHER;
      source = g_hash_table_lookup (self->sources, label);
    }
  if (source == NULL)
    {
      source = g_new0 (Source, 1);
      source->label = g_strdup (label);
      source->limit = (HwLogLimit) HW_LOG_LIMIT_INIT (WINDOW_US, self->burst);
      g_hash_table_insert (self->sources, source->label, source);
    }

  if (hw_log_limit_check (&source->limit, g_get_monotonic_time (), &held_back))
    {
      /* The timer was late: the count goes in its own line, before. */
      if (held_back > 0)
        g_message ("%s: %u more in the last minute", source->label, held_back);
      return TRUE;
    }
  schedule_summary (source);
  return FALSE;
}
