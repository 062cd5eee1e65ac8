/* hw-sign-in-dialog.h: asks a person for the Emby server and credentials.
 *
 * Shown only when somebody may be at the screen (not in kiosk mode) and no
 * credential is stored or given. The password goes to the client once and
 * is never kept; the client keeps only the access token (libsecret).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define HW_TYPE_SIGN_IN_DIALOG (hw_sign_in_dialog_get_type ())

G_DECLARE_FINAL_TYPE (HwSignInDialog, hw_sign_in_dialog, HW, SIGN_IN_DIALOG, GtkWindow)

HwSignInDialog *hw_sign_in_dialog_new       (GtkWindow      *parent,
                                             const char     *server_url,
                                             const char     *username);
/* Names the server's product ("Emby", "Jellyfin") in the title and the
 * introduction, once a probe has told it. */
void            hw_sign_in_dialog_set_product (HwSignInDialog *self,
                                               const char     *product);
/* Shows why the last attempt failed; re-enables the form. */
void            hw_sign_in_dialog_set_error (HwSignInDialog *self,
                                             const char     *message);

G_END_DECLS
