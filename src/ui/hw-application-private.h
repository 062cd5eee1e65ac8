/* hw-application-private.h: shared by the application's files.
 *
 * hw-application.c: the command line (local and forwarded), start-up and
 * clean shutdown; hw-application-actions.c: every command as an app.*
 * action; hw-application-kiosk.c: the window's kiosk behaviour, the
 * monitor it is shown on, the pointer and the inhibitor.
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
/* A message over the wall for @timeout_ms (app.show-message). */
void _hw_application_show_banner     (HwApplication *self,
                                      const char    *header,
                                      const char    *text,
                                      guint          timeout_ms);

/* Sets the window up (kiosk or not) and follows the kiosk and monitor
 * keys and the monitors coming and going. */
void _hw_application_setup_window    (HwApplication *self);
/* Applies kiosk, fullscreen and monitor to the window as they are now. */
void _hw_application_apply_window    (HwApplication *self);
void _hw_application_toggle_fullscreen (HwApplication *self);
void _hw_application_inhibit         (HwApplication *self);
void _hw_application_teardown_window (HwApplication *self);

G_END_DECLS
