/* test-status-writer.c: the status file and the sweep of its leftovers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <string.h>
#include <utime.h>
#include <glib/gstdio.h>

#include "hw-loop-monitor.h"
#include "hw-redact.h"
#include "hw-status-writer.h"

typedef struct {
  char *dir;
  char *path;
} Folder;

static void
folder_setup (Folder        *folder,
              gconstpointer  data)
{
  folder->dir = g_dir_make_tmp ("hw-status-XXXXXX", NULL);
  g_assert_nonnull (folder->dir);
  folder->path = g_build_filename (folder->dir, "status.json", NULL);
}

static void
folder_teardown (Folder        *folder,
                 gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (folder->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (folder->dir);
  g_free (folder->path);
  g_free (folder->dir);
}

/* Writes @name in the folder, @age_s seconds old. */
static char *
plant (Folder     *folder,
       const char *name,
       gint64      age_s)
{
  char *path = g_build_filename (folder->dir, name, NULL);
  struct utimbuf times;

  g_assert_true (g_file_set_contents (path, "{", -1, NULL));
  times.actime = times.modtime = g_get_real_time () / G_USEC_PER_SEC - age_s;
  g_assert_cmpint (utime (path, &times), ==, 0);
  return path;
}

static void
test_temp_names (void)
{
  g_assert_true (hw_status_writer_is_temp_name ("status.json",
                                                ".status.json.hyperwall-Ab3xY9.tmp"));
  g_assert_false (hw_status_writer_is_temp_name ("status.json", "status.json"));
  g_assert_false (hw_status_writer_is_temp_name ("status.json",
                                                 ".status.json.hyperwall-Ab3xY.tmp"));
  g_assert_false (hw_status_writer_is_temp_name ("status.json",
                                                 ".status.json.hyperwall-Ab3xY9Z.tmp"));
  g_assert_false (hw_status_writer_is_temp_name ("status.json",
                                                 ".status.json.hyperwall-Ab-xY9.tmp"));
  g_assert_false (hw_status_writer_is_temp_name ("status.json",
                                                 ".status.json.hyperwall-Ab3xY9.tmp~"));
  g_assert_false (hw_status_writer_is_temp_name ("status.json",
                                                 "status.json.hyperwall-Ab3xY9.tmp"));
  g_assert_false (hw_status_writer_is_temp_name ("status.json",
                                                 ".other.json.hyperwall-Ab3xY9.tmp"));
  /* The shape of an earlier version's temporaries, and of people's files. */
  g_assert_false (hw_status_writer_is_temp_name ("status.json", "status.json.Ab3xY9"));
  g_assert_false (hw_status_writer_is_temp_name ("status.json", "status.json.backup"));
}

/* Only our own temporaries, and only old ones: a fresh one may belong to
 * another running wall, anything else to somebody else, however much its
 * name looks like a temporary ("wall.json.backup" was once taken for one). */
static void
test_sweep (Folder        *folder,
            gconstpointer  data)
{
  g_autofree char *stale = plant (folder, ".status.json.hyperwall-Ab3xY9.tmp", 2 * 3600);
  g_autofree char *fresh = plant (folder, ".status.json.hyperwall-Qq7pL2.tmp", 60);
  g_autofree char *foreign = plant (folder, "notes.txt.Ab3xY9", 2 * 3600);
  g_autofree char *backup = plant (folder, "status.json.backup", 2 * 3600);
  g_autofree char *oldest = plant (folder, "status.json.oldest", 2 * 3600);
  g_autofree char *old_shape = plant (folder, "status.json.Ab3xY9", 2 * 3600);
  g_autofree char *other = plant (folder, ".notes.txt.hyperwall-Ab3xY9.tmp", 2 * 3600);
  g_autofree char *status = plant (folder, "status.json", 2 * 3600);
  g_autoptr(HwStatusWriter) writer = NULL;

  g_test_expect_message ("Hyperwall", G_LOG_LEVEL_MESSAGE,
                         "Removed *.status.json.hyperwall-Ab3xY9.tmp*");
  writer = hw_status_writer_new (folder->path);
  g_test_assert_expected_messages ();

  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (fresh, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (foreign, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (backup, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (oldest, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (old_shape, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (status, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (hw_status_writer_sweep (writer, HW_STATUS_TEMP_MAX_AGE_S), ==, 0);
}

/* What a write makes is what the sweep looks for, else a killed run's
 * temporary would stay for ever. */
static void
test_temp_is_ours (void)
{
  g_autofree char *template = hw_status_writer_temp_template ("/srv/wall/wall.json");
  g_autofree char *base = NULL;
  char *x = strstr (template, "XXXXXX");

  g_assert_nonnull (x);
  memcpy (x, "a1B2c3", 6);
  g_assert_true (g_str_has_prefix (template, "/srv/wall/"));
  base = g_path_get_basename (template);
  g_assert_true (hw_status_writer_is_temp_name ("wall.json", base));
}

/* Written whole and exactly as given, and a later write replaces it.
 * Redaction happens where a value enters, never over the finished text:
 * masking a registered word there once turned a number into "***225472"
 * and made the file invalid JSON. */
static void
test_write (Folder        *folder,
            gconstpointer  data)
{
  g_autoptr(HwStatusWriter) writer = hw_status_writer_new (folder->path);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char *given = "{\"version\":1,\"cache_budget_bytes\":3221225472,"
                      "\"state\":\"playing\",\"paused\":true,"
                      "\"title\":\"Lobby 0123456789abcdef\"}";
  JsonNode *root;

  /* Even a registered token in the text is left alone: the writer cannot
   * tell a secret from a title, the code that took the value in can. */
  hw_redact_add_secret ("0123456789abcdef");
  root = json_from_string (given, &error);
  g_assert_no_error (error);
  hw_status_writer_write (writer, root);
  json_node_unref (root);
  g_assert_true (hw_status_writer_flush (writer));

  g_assert_true (g_file_get_contents (folder->path, &text, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, given);
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  hw_redact_clear_secrets ();

  root = json_from_string ("{\"version\": 1}", NULL);
  hw_status_writer_write (writer, root);
  json_node_unref (root);
  g_assert_true (hw_status_writer_flush (writer));
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (folder->path, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "{\"version\":1}");

  hw_status_writer_remove (writer);
  g_assert_false (g_file_test (folder->path, G_FILE_TEST_EXISTS));
}

/* Snapshots handed over faster than the disk takes them: the caller never
 * waits, the newest one wins, the file is always whole and no temporary is
 * left behind. */
static void
test_newest_wins (Folder        *folder,
                  gconstpointer  data)
{
  g_autoptr(HwStatusWriter) writer = hw_status_writer_new (folder->path);
  g_autoptr(GDir) dir = NULL;
  g_autofree char *text = NULL;
  const char *name;
  guint files = 0;

  for (int i = 0; i <= 500; i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"n\":%d}", i);
      JsonNode *root = json_from_string (json, NULL);

      hw_status_writer_write (writer, root);
      json_node_unref (root);
      if (i % 50 == 0 && g_file_get_contents (folder->path, &text, NULL, NULL))
        {
          g_autoptr(JsonNode) read = json_from_string (text, NULL);

          g_assert_nonnull (read);   /* never half a file */
          g_clear_pointer (&text, g_free);
        }
    }
  g_assert_true (hw_status_writer_flush (writer));
  g_assert_true (g_file_get_contents (folder->path, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "{\"n\":500}");

  dir = g_dir_open (folder->dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    files++;
  g_assert_cmpuint (files, ==, 1);
}

/* Freeing the writer writes what was handed over. */
static void
test_free_writes (Folder        *folder,
                  gconstpointer  data)
{
  HwStatusWriter *writer = hw_status_writer_new (folder->path);
  JsonNode *root = json_from_string ("{\"last\":true}", NULL);
  g_autofree char *text = NULL;

  hw_status_writer_write (writer, root);
  json_node_unref (root);
  hw_status_writer_free (writer);
  g_assert_true (g_file_get_contents (folder->path, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "{\"last\":true}");
}

/* A folder that cannot be written: FALSE and one warning, never a crash;
 * the warning comes again only after a write succeeded. */
static void
test_write_fails (void)
{
  g_autoptr(HwStatusWriter) writer = hw_status_writer_new ("/nonexistent-dir/status.json");
  JsonNode *root = json_from_string ("{\"version\": 1}", NULL);

  g_test_expect_message ("Hyperwall", G_LOG_LEVEL_WARNING, "Cannot write the status file*");
  hw_status_writer_write (writer, root);
  g_assert_false (hw_status_writer_flush (writer));
  hw_status_writer_write (writer, root);
  g_assert_false (hw_status_writer_flush (writer));  /* no second warning */
  g_test_assert_expected_messages ();
  json_node_unref (root);
}

/* Gaps between turns of the main loop, as the status file reports them. */
static void
test_loop_monitor (void)
{
  g_autoptr(HwLoopMonitor) monitor = hw_loop_monitor_new ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  gint64 t = 1000000;

  hw_loop_monitor_note (monitor, t, 5000000);
  hw_loop_monitor_note (monitor, t += 10000, 5010000);
  hw_loop_monitor_note (monitor, t += 230000, 5250000);   /* kept */
  hw_loop_monitor_note (monitor, t += 49000, 5299000);    /* too short to keep */
  g_assert_cmpfloat (hw_loop_monitor_get_max_ms (monitor), ==, 230.0);

  json_builder_begin_object (builder);
  hw_loop_monitor_add_status (monitor, builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  g_assert_cmpstr (text, ==, "{\"main_loop\":{\"max_gap_ms\":230.0,\"gaps\":[[5.25,230.0]]}}");

}

static gboolean
hold_loop (gpointer user_data)
{
  g_usleep (100 * 1000);
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The monitor on a real loop: a callback that holds the loop shows as a
 * gap, time spent waiting does not, and watching wakes nobody up. */
static void
test_loop_monitor_live (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(HwLoopMonitor) monitor = NULL;
  GPollFD fds[8];
  GSource *source;
  gboolean done = FALSE;
  int max_priority;
  int timeout;

  g_main_context_push_thread_default (context);
  monitor = hw_loop_monitor_new ();

  /* Nothing else attached: the poll may wait for ever (a timer in the
   * monitor would make it wake up within milliseconds). */
  g_assert_true (g_main_context_acquire (context));
  g_main_context_prepare (context, &max_priority);
  g_main_context_query (context, max_priority, &timeout, fds, G_N_ELEMENTS (fds));
  g_assert_cmpint (timeout, ==, -1);
  g_main_context_check (context, max_priority, fds, 0);
  g_main_context_release (context);

  /* Waiting 150 ms for a timer is no gap. */
  source = g_timeout_source_new (150);
  g_source_set_callback (source, set_flag, &done, NULL);
  g_source_attach (source, context);
  g_source_unref (source);
  while (!done)
    g_main_context_iteration (context, TRUE);
  g_main_context_iteration (context, FALSE);
  g_assert_cmpfloat (hw_loop_monitor_get_max_ms (monitor), <, 50.0);

  /* A callback holding the loop for 100 ms is one. */
  done = FALSE;
  source = g_idle_source_new ();
  g_source_set_callback (source, hold_loop, &done, NULL);
  g_source_attach (source, context);
  g_source_unref (source);
  while (!done)
    g_main_context_iteration (context, TRUE);
  g_main_context_iteration (context, FALSE);
  g_assert_cmpfloat (hw_loop_monitor_get_max_ms (monitor), >=, 100.0);

  g_clear_pointer (&monitor, hw_loop_monitor_free);
  g_main_context_pop_thread_default (context);
}

/* A burst of scheduled writes is one snapshot, built on the next idle;
 * one dropped before it runs builds nothing. */
static JsonNode *
count_builds (gpointer user_data)
{
  guint *builds = user_data;

  (*builds)++;
  return json_from_string ("{\"version\": 1}", NULL);
}

static void
test_schedule (Folder        *folder,
               gconstpointer  data)
{
  g_autoptr(HwStatusWriter) writer = hw_status_writer_new (folder->path);
  guint builds = 0;

  hw_status_writer_set_builder (writer, count_builds, &builds);
  for (guint i = 0; i < 10; i++)
    hw_status_writer_schedule (writer);
  g_assert_cmpuint (builds, ==, 0);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (builds, ==, 1);
  g_assert_true (hw_status_writer_flush (writer));
  g_assert_true (g_file_test (folder->path, G_FILE_TEST_EXISTS));

  hw_status_writer_schedule (writer);
  hw_status_writer_unschedule (writer);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (builds, ==, 1);

  /* Freed with a write still scheduled: the idle goes with the writer. */
  hw_status_writer_schedule (writer);
  g_clear_pointer (&writer, hw_status_writer_free);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (builds, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hyperwall/status-writer/temp-names", test_temp_names);
  g_test_add ("/hyperwall/status-writer/sweep", Folder, NULL,
              folder_setup, test_sweep, folder_teardown);
  g_test_add_func ("/hyperwall/status-writer/temp-is-ours", test_temp_is_ours);
  g_test_add ("/hyperwall/status-writer/write", Folder, NULL,
              folder_setup, test_write, folder_teardown);
  g_test_add ("/hyperwall/status-writer/newest-wins", Folder, NULL,
              folder_setup, test_newest_wins, folder_teardown);
  g_test_add ("/hyperwall/status-writer/free-writes", Folder, NULL,
              folder_setup, test_free_writes, folder_teardown);
  g_test_add ("/hyperwall/status-writer/schedule", Folder, NULL,
              folder_setup, test_schedule, folder_teardown);
  g_test_add_func ("/hyperwall/status-writer/write-fails", test_write_fails);
  g_test_add_func ("/hyperwall/status-writer/main-loop-gaps", test_loop_monitor);
  g_test_add_func ("/hyperwall/status-writer/main-loop-gaps-live", test_loop_monitor_live);

  return g_test_run ();
}
