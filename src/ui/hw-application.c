/* hw-application.c: command line, start-up and clean shutdown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>

#include "hw-application-private.h"
#include "hw-cell.h"
#include "hw-config.h"
#include "hw-demo-feed.h"
#include "hw-emby-feed.h"
#include "hw-feed.h"
#include "hw-feed-router.h"
#include "hw-gl-surface.h"
#include "hw-local-feed.h"
#include "hw-remote-control.h"
#include "hw-sign-in-dialog.h"
#include "hw-systemd.h"
#include "hw-renderer.h"
#include "hw-wall-controller.h"
#include "hw-window.h"
#include "hw-workers.h"

/* Exit status for a bad command line or configuration, as sysexits' EX_USAGE
 * is too obscure for kiosk scripts: 2 is what shells use. */
#define EXIT_BAD_USAGE 2

G_DEFINE_FINAL_TYPE (HwApplication, hw_application, GTK_TYPE_APPLICATION)

/* Options that map 1:1 onto settings keys; parsed as strings so that our
 * own validation gives the one-line error and exit status 2. */
static const struct {
  const char *option;
  const char *key;
} setting_options[] = {
  { "rows", "rows" },
  { "columns", "columns" },
  { "layout", "layout" },
  { "renderer", "renderer" },
  { "server", "server-url" },
  { "username", "username" },
};

static const GOptionEntry entries[] = {
  { "demo", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Play built-in test patterns; needs no server"), NULL },
  { "local", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_("Play the videos in a folder"), N_("DIR") },
  { "rows", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Rows of cells (1–8)"), N_("N") },
  { "columns", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Columns of cells (1–8)"), N_("N") },
  { "layout", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Cells of different sizes, e.g. “3x3 0,0,2,2” or spotlight (see README)"), N_("SPEC") },
  { "renderer", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Video renderer: auto, gl, software or x11"), N_("NAME") },
  { "server", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Emby or Jellyfin server URL"), N_("URL") },
  { "username", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Emby or Jellyfin user name"), N_("NAME") },
  { "password-file", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_("Read the server password from a file"), N_("FILE") },
  { "fullscreen", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Start fullscreen"), NULL },
  { "kiosk", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Kiosk mode: fullscreen, no decorations, only Ctrl+Alt+Shift+Q quits"), NULL },
  { "instance", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Run a wall of its own next to the usual one (another screen or user)"), N_("NAME") },
  { "status-file", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_("Write the wall's state as JSON to a file"), N_("PATH") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
  { NULL }
};

static int
usage_error (const char *message)
{
  g_printerr ("hyperwall: %s\n", message);
  return EXIT_BAD_USAGE;
}

static int
apply_setting_options (HwApplication *self,
                       GVariantDict  *options)
{
  for (guint i = 0; i < G_N_ELEMENTS (setting_options); i++)
    {
      g_autoptr(GError) error = NULL;
      const char *text = NULL;

      if (!g_variant_dict_lookup (options, setting_options[i].option, "&s", &text))
        continue;
      if (!hw_config_set_from_string (self->config, setting_options[i].key, text, &error))
        {
          g_autofree char *message = g_strdup_printf ("--%s: %s", setting_options[i].option,
                                                      error->message);
          return usage_error (message);
        }
    }
  return -1;
}

/* With mpv's software renderer every frame is already a CPU buffer; GTK's
 * GL renderer on a software rasterizer would upload and composite it again.
 * Measured on a 2×2 wall (no GPU): 88 % → 52 % of a core at the same 30
 * fps per cell. Never overrides a GSK_RENDERER the user chose.
 *
 * GTK reads GSK_RENDERER when it makes a window's renderer, so setting it
 * takes setenv(), which is safe only while the process has one thread:
 * creating the configuration already starts GDBus's and GSettings'
 * threads (measured: 1 → 3), GTK's start-up more. So this runs first, from
 * what is known without them: --renderer, HYPERWALL_RENDERER, and whether
 * GL can only be a software rasterizer here (hw_renderer_guess: no GL
 * context, no display). A renderer chosen in GSettings alone cannot be read
 * yet; the cells still follow it, and where GL might be a GPU, "auto"
 * probes a GL context later and leaves GTK's renderer to GTK. */
static void
choose_gsk_renderer (GVariantDict *options)
{
  const char *name = NULL;
  HwRenderer renderer;

  if (g_getenv ("GSK_RENDERER") != NULL)
    return;
  if (!g_variant_dict_lookup (options, "renderer", "&s", &name))
    name = g_getenv ("HYPERWALL_RENDERER");
  renderer = hw_renderer_from_string (name);
  if (renderer == HW_RENDERER_AUTO)
    renderer = hw_renderer_guess ();
  if (renderer == HW_RENDERER_SOFTWARE || renderer == HW_RENDERER_X11)
    g_setenv ("GSK_RENDERER", "cairo", TRUE);
}

/* Paths are resolved here: a forwarded command line is read by a wall
 * that may run in another directory. */
static void
make_absolute (GVariantDict *options,
               const char   *name)
{
  const char *path = NULL;

  if (g_variant_dict_lookup (options, name, "^&ay", &path) && !g_path_is_absolute (path))
    {
      g_autofree char *absolute = g_canonicalize_filename (path, NULL);

      g_variant_dict_insert_value (options, name, g_variant_new_bytestring (absolute));
    }
}

/* Runs in the process that was started, before it knows whether a wall
 * already runs: --version, --help and every usage error stay here (exit
 * status 2); the rest goes to the wall's command_line. */
static int
hw_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  HwApplication *self = HW_APPLICATION (app);
  const char *path = NULL;
  const char *instance = NULL;
  int status;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("hyperwall %s\n", PACKAGE_VERSION);
      return 0;
    }

  /* Before the configuration: creating it starts threads. */
  choose_gsk_renderer (options);
  if (g_variant_dict_lookup (options, "instance", "&s", &instance))
    {
      g_autofree char *id = g_strconcat (APP_ID, ".", instance, NULL);

      if (!g_application_id_is_valid (id))
        {
          g_autofree char *message = g_strdup_printf (
            _("--instance: “%s” is not a valid name (letters, digits and _)"), instance);
          return usage_error (message);
        }
      /* Its own bus name: a wall of its own, reached under that name. */
      g_application_set_application_id (app, id);
    }

  /* Validated with a configuration of our own; a wall that turns out to
   * run already applies the options to its own. */
  self->config = hw_config_new ();
  status = apply_setting_options (self, options);
  if (status >= 0)
    return status;

  if (g_variant_dict_lookup (options, "server", "&s", &path))
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *base = hw_emby_normalize_base_url (path, &error);

      if (base == NULL)
        {
          g_autofree char *message = g_strdup_printf ("--server: %s", error->message);
          return usage_error (message);
        }
    }

  if (g_variant_dict_lookup (options, "local", "^&ay", &path) &&
      !g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *message = g_strdup_printf (_("--local: folder %s does not exist"), path);
      return usage_error (message);
    }

  if (g_variant_dict_lookup (options, "password-file", "^&ay", &path) &&
      !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *message = g_strdup_printf (_("--password-file: %s is not a readable file"),
                                                  path);
      return usage_error (message);
    }

  make_absolute (options, "local");
  make_absolute (options, "password-file");
  make_absolute (options, "status-file");

  return G_APPLICATION_CLASS (hw_application_parent_class)->handle_local_options (app, options);
}

/* A second `hyperwall …` while this wall runs: its grid, server, kiosk
 * and fullscreen apply here; what chooses the feed cannot change. */
static int
apply_forwarded (HwApplication           *self,
                 GApplicationCommandLine *cmdline,
                 GVariantDict            *options)
{
  const char *path = NULL;
  int status = apply_setting_options (self, options);

  if (status >= 0)
    return status;

  if (g_variant_dict_contains (options, "demo") || g_variant_dict_contains (options, "local") ||
      g_variant_dict_contains (options, "password-file"))
    g_application_command_line_printerr (cmdline, "hyperwall: %s\n",
                                         _("The wall already runs: --demo, --local and "
                                           "--password-file apply when it starts"));
  if (g_variant_dict_contains (options, "kiosk"))
    hw_config_set_from_string (self->config, "kiosk", "true", NULL);
  if (g_variant_dict_lookup (options, "status-file", "^&ay", &path) && self->controller != NULL)
    hw_wall_controller_set_status_file (self->controller, path);
  if (g_variant_dict_contains (options, "fullscreen"))
    {
      self->fullscreen = TRUE;
      _hw_application_apply_window (self);
    }
  g_message ("A second launch handed its command line to this wall");
  if (self->window != NULL)
    gtk_window_present (GTK_WINDOW (self->window));
  return 0;
}

static int
hw_application_command_line (GApplication            *app,
                             GApplicationCommandLine *cmdline)
{
  HwApplication *self = HW_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (cmdline);
  const char *path = NULL;

  if (self->window != NULL)
    return apply_forwarded (self, cmdline, options);

  /* The first command line: it starts the wall. */
  self->demo = g_variant_dict_contains (options, "demo");
  self->fullscreen = g_variant_dict_contains (options, "fullscreen");
  if (g_variant_dict_contains (options, "kiosk"))
    hw_config_set_from_string (self->config, "kiosk", "true", NULL);
  if (g_variant_dict_lookup (options, "local", "^&ay", &path))
    self->local_dir = g_strdup (path);
  if (g_variant_dict_lookup (options, "password-file", "^&ay", &path))
    self->password_file = g_strdup (path);
  if (g_variant_dict_lookup (options, "status-file", "^&ay", &path))
    self->status_file = g_strdup (path);

  g_application_activate (app);
  return 0;
}

/* A cell's own source: a folder plays on any wall, the rest needs the
 * server of an Emby wall. */
static HwFeed *
create_source_feed (const HwSourceSpec  *spec,
                    gpointer             user_data,
                    GError             **error)
{
  HwApplication *self = user_data;

  if (spec->kind == HW_SOURCE_FOLDER)
    {
      HwLocalFeed *folder = hw_local_feed_new (spec->name);

      hw_local_feed_set_in_order (folder, !spec->shuffle);
      return HW_FEED (folder);
    }
  if (HW_IS_EMBY_FEED (self->feed))
    return HW_FEED (hw_emby_feed_new_for_source (HW_EMBY_FEED (self->feed), spec));
  g_set_error (error, HW_FEED_ERROR, HW_FEED_ERROR_FAILED,
               "a %s source needs an Emby server", hw_source_kind_to_string (spec->kind));
  return NULL;
}

static HwFeed *
create_feed (HwApplication *self)
{
  g_autofree char *server = hw_config_dup_string (self->config, "server-url");

  if (self->local_dir != NULL)
    {
      g_message ("Playing the videos in %s", self->local_dir);
      return HW_FEED (hw_local_feed_new (self->local_dir));
    }

  if (!self->demo && server != NULL && *server != '\0')
    {
      g_autoptr(HwEmbyClient) client = hw_emby_client_new (self->config);

      const char *password_file = self->password_file;

      /* For service files, the environment can name the file too. */
      if (password_file == NULL)
        password_file = g_getenv ("HYPERWALL_PASSWORD_FILE");
      if (password_file != NULL && *password_file != '\0')
        hw_emby_client_set_password_file (client, password_file);
      return HW_FEED (hw_emby_feed_new_with_client (self->config, client));
    }

  g_message ("Playing the built-in demo patterns");
  return HW_FEED (hw_demo_feed_new ());
}

static void
on_sign_in_submit (HwApplication  *self,
                   const char     *server,
                   const char     *username,
                   const char     *password,
                   HwSignInDialog *dialog)
{
  HwEmbyClient *client = hw_emby_feed_get_client (HW_EMBY_FEED (self->feed));
  g_autofree char *old_server = hw_config_dup_string (self->config, "server-url");
  g_autofree char *old_username = hw_config_dup_string (self->config, "username");

  /* The password first: a changed address or name restarts the client,
   * which then signs in with it. Only the token is ever stored. */
  hw_emby_client_sign_in_with_password (client, password);
  if (g_strcmp0 (old_server, server) != 0)
    hw_config_store (self->config, "server-url", g_variant_new_string (server));
  if (g_strcmp0 (old_username, username) != 0)
    hw_config_store (self->config, "username", g_variant_new_string (username));
}

static void
on_sign_in_closed (HwApplication *self)
{
  self->sign_in_dialog = NULL;
}

/* Asks only when somebody may be there to answer: not in kiosk mode, and
 * not when a password, file or API key was configured (then a person
 * typing would not fix it; the log and the card say what failed). */
static void
maybe_ask_for_sign_in (HwApplication *self)
{
  HwEmbyClient *client;
  g_autofree char *server = NULL;
  g_autofree char *username = NULL;

  if (!HW_IS_EMBY_FEED (self->feed) || self->window == NULL)
    return;

  client = hw_emby_feed_get_client (HW_EMBY_FEED (self->feed));
  if (hw_feed_get_server_state (self->feed) != HW_SERVER_STATE_SIGN_IN_REQUIRED)
    {
      if (self->sign_in_dialog != NULL && hw_feed_get_server_state (self->feed) == HW_SERVER_STATE_ONLINE)
        gtk_window_destroy (GTK_WINDOW (self->sign_in_dialog));
      return;
    }

  if (hw_config_get_boolean (self->config, "kiosk") || hw_emby_client_has_credentials (client))
    return;

  if (self->sign_in_dialog != NULL)
    {
      const char *reason = hw_emby_client_get_state_reason (client);

      hw_sign_in_dialog_set_error (self->sign_in_dialog,
                                   reason != NULL ? reason : _("Signing in failed."));
      return;
    }

  server = hw_config_dup_string (self->config, "server-url");
  username = hw_config_dup_string (self->config, "username");
  self->sign_in_dialog = hw_sign_in_dialog_new (GTK_WINDOW (self->window), server, username);
  /* Sign-in is required only after a probe answered: the product is known. */
  hw_sign_in_dialog_set_product (self->sign_in_dialog,
                                 hw_emby_server_product_name (
                                   hw_emby_client_get_server_product (client)));
  g_signal_connect_object (self->sign_in_dialog, "submit",
                           G_CALLBACK (on_sign_in_submit), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sign_in_dialog, "destroy",
                           G_CALLBACK (on_sign_in_closed), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (self->sign_in_dialog));
}

static gboolean
on_unix_signal (gpointer user_data)
{
  GApplication *app = user_data;

  g_message ("Signal received; shutting down");
  g_application_quit (app);
  return G_SOURCE_CONTINUE;
}

static void
load_css (void)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (provider, "/org/example/Hyperwall/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
hw_application_startup (GApplication *app)
{
  HwApplication *self = HW_APPLICATION (app);
  static const int signals[] = { SIGTERM, SIGINT, SIGHUP };

  G_APPLICATION_CLASS (hw_application_parent_class)->startup (app);

  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    self->signal_ids[i] = g_unix_signal_add (signals[i], on_unix_signal, app);

  /* Started by D-Bus activation, handle_local_options may not have run. */
  if (self->config == NULL)
    self->config = hw_config_new ();
  load_css ();
}

static void
hw_application_activate (GApplication *app)
{
  HwApplication *self = HW_APPLICATION (app);

  if (self->window != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->window));
      return;
    }

  if (self->config == NULL)
    self->config = hw_config_new ();
  /* Also when D-Bus started the wall: then there is no command line. */
  if (self->status_file == NULL && g_getenv ("HYPERWALL_STATUS_FILE") != NULL)
    self->status_file = g_strdup (g_getenv ("HYPERWALL_STATUS_FILE"));

  self->window = hw_window_new (GTK_APPLICATION (app));
  self->feed = create_feed (self);
  self->router = HW_FEED (hw_feed_router_new (self->config, self->feed, create_source_feed, self));
  self->controller = hw_wall_controller_new (self->config, self->router,
                                             hw_window_get_wall (self->window));
  hw_wall_controller_set_status_file (self->controller, self->status_file);

  _hw_application_setup_window (self);
  gtk_window_present (GTK_WINDOW (self->window));
  _hw_application_inhibit (self);

  /* Every wall an Emby session the server can control. */
  if (HW_IS_EMBY_FEED (self->feed))
    self->remote = G_OBJECT (hw_remote_control_new (GTK_APPLICATION (self),
                                                    HW_EMBY_FEED (self->feed)));

  g_signal_connect_object (self->feed, "notify::server-state",
                           G_CALLBACK (maybe_ask_for_sign_in), self, G_CONNECT_SWAPPED);

  hw_wall_controller_start (self->controller);
  hw_systemd_start ();
  maybe_ask_for_sign_in (self);
}

/* Lets "playback stopped" reach the server, within a bound: a kiosk that
 * is being shut down must not hang on a dead server. */
static void
flush_feed (HwFeed *feed)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  while (feed != NULL && hw_feed_is_busy (feed) && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (10000);
}

/* Render threads and mpv destroy workers still running are waited for,
 * within a bound, so that none is cut off mid-teardown at exit. Render
 * threads hand their player back to the main loop, whose release may start
 * a destroy worker: so the loop runs meanwhile. */
static void
join_workers (void)
{
  gint64 deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;

  for (;;)
    {
      gboolean dispatched = FALSE;

      while (g_main_context_iteration (NULL, FALSE))
        dispatched = TRUE;
      if (hw_workers_running () == 0 && !dispatched)
        return;
      if (g_get_monotonic_time () >= deadline)
        break;
      hw_workers_wait (MIN (deadline, g_get_monotonic_time () + 20 * 1000));
    }

  g_message ("%u mpv threads still running at exit", hw_workers_running ());
}

static void
hw_application_shutdown (GApplication *app)
{
  HwApplication *self = HW_APPLICATION (app);

  hw_systemd_stop ();
  g_clear_object (&self->remote);
  g_clear_handle_id (&self->banner_source, g_source_remove);
  /* Cells go before the window, so each is disposed once, by its owner. */
  if (self->controller != NULL)
    hw_wall_controller_shutdown (self->controller);
  g_clear_object (&self->controller);
  /* The sources' feeds report through the same client: it waits for all. */
  flush_feed (self->router != NULL ? self->router : self->feed);
  for (guint i = 0; i < G_N_ELEMENTS (self->signal_ids); i++)
    g_clear_handle_id (&self->signal_ids[i], g_source_remove);

  _hw_application_teardown_window (self);
  /* GL render contexts waiting for their stopped players: before the
   * window and its GL contexts go. */
  hw_gl_surface_finish_retired (G_USEC_PER_SEC);
  if (self->window != NULL)
    gtk_window_destroy (GTK_WINDOW (self->window));
  self->window = NULL;
  join_workers ();

  G_APPLICATION_CLASS (hw_application_parent_class)->shutdown (app);
}

static void
hw_application_dispose (GObject *object)
{
  HwApplication *self = HW_APPLICATION (object);

  g_clear_object (&self->remote);
  g_clear_handle_id (&self->banner_source, g_source_remove);
  g_clear_object (&self->controller);
  g_clear_object (&self->router);
  g_clear_object (&self->feed);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (hw_application_parent_class)->dispose (object);
}

static void
hw_application_finalize (GObject *object)
{
  HwApplication *self = HW_APPLICATION (object);

  g_free (self->local_dir);
  g_free (self->status_file);
  g_free (self->password_file);

  G_OBJECT_CLASS (hw_application_parent_class)->finalize (object);
}

static void
hw_application_class_init (HwApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = hw_application_dispose;
  object_class->finalize = hw_application_finalize;
  app_class->handle_local_options = hw_application_handle_local_options;
  app_class->startup = hw_application_startup;
  app_class->activate = hw_application_activate;
  app_class->command_line = hw_application_command_line;
  app_class->shutdown = hw_application_shutdown;
}

static void
hw_application_init (HwApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("A self-healing video wall for Emby and Jellyfin."));
  _hw_application_add_actions (self);
}

HwApplication *
hw_application_new (void)
{
  /* One wall per session: a second `hyperwall …` hands its command line
   * to it and exits, scripts reach its actions over D-Bus. --instance
   * gives a wall of its own (hw_application_handle_local_options). */
  return g_object_new (HW_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       NULL);
}
