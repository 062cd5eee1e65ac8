/* hw-application-private.h: shared by the application's files.
 *
 * hw-application.c owns the object and calls into its two part-files,
 * which never call it back: the actions (every command as an app.*
 * action) and the window's kiosk behaviour. The actions may use the kiosk
 * part's fullscreen toggle.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hw-application.h"
#include "hw-config.h"
#include "hw-feed.h"
#include "hw-sign-in-dialog.h"
#include "hw-wall-controller.h"
#include "hw-window.h"

G_BEGIN_DECLS

struct _HwApplication
{
  GtkApplication    parent_instance;

  HwConfig         *config;
  HwFeed           *feed;
  HwFeed           *router;         /* HwFeedRouter over feed: the cells' sources */
  HwWallController *controller;
  HwWindow         *window;
  char             *local_dir;
  char             *status_file;
  char             *password_file;
  HwSignInDialog   *sign_in_dialog;
  GObject          *remote;         /* HwRemoteControl: the session socket's commands */
  guint             banner_source;  /* hides the message banner */
  gboolean          demo;
  gboolean          fullscreen;
  guint             signal_ids[3];

  /* hw-application-kiosk.c */
  gboolean          kiosk;
  guint             inhibit_cookie;
  gboolean          inhibit_requested;
  gboolean          pointer_hidden;
  guint             pointer_timeout_id;
  double            pointer_x;
  double            pointer_y;
};

void _hw_application_add_actions     (HwApplication *self);

/* Sets the window up (kiosk or not) and follows the kiosk and monitor
 * keys and the monitors coming and going. */
void _hw_application_setup_window    (HwApplication *self);
/* Applies kiosk, fullscreen and monitor to the window as they are now. */
void _hw_application_apply_window    (HwApplication *self);
void _hw_application_toggle_fullscreen (HwApplication *self);
void _hw_application_inhibit         (HwApplication *self);
void _hw_application_teardown_window (HwApplication *self);

G_END_DECLS
