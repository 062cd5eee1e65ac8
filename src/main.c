/* main.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <malloc.h>

#include "hw-application.h"
#include "hw-redact.h"
#include "hw-resources.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(HwApplication) app = NULL;

  /* Many render threads fragment glibc's per-thread arenas; two kept the
   * resident size flat over create/destroy cycles (docs/architecture.md). */
  mallopt (M_ARENA_MAX, 2);

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* mpv needs a '.' decimal separator. */
  setlocale (LC_NUMERIC, "C");

  hw_redact_install_log_writer ();
  hw_register_resource ();

  app = hw_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
