/* hw-sign-in-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <glib/gi18n.h>

#include "hw-sign-in-dialog.h"

struct _HwSignInDialog
{
  GtkWindow  parent_instance;

  GtkWidget *server_entry;
  GtkWidget *username_entry;
  GtkWidget *password_entry;
  GtkWidget *error_label;
  GtkWidget *intro_label;
  GtkWidget *sign_in_button;
};

G_DEFINE_FINAL_TYPE (HwSignInDialog, hw_sign_in_dialog, GTK_TYPE_WINDOW)

enum {
  SUBMIT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
submit (GtkWidget  *widget,
        const char *action_name,
        GVariant   *parameter)
{
  HwSignInDialog *self = HW_SIGN_IN_DIALOG (widget);
  const char *server = gtk_editable_get_text (GTK_EDITABLE (self->server_entry));
  const char *username = gtk_editable_get_text (GTK_EDITABLE (self->username_entry));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_entry));

  if (*server == '\0' || *username == '\0')
    {
      hw_sign_in_dialog_set_error (self, _("Enter the server address and a user name."));
      return;
    }

  gtk_widget_set_visible (self->error_label, FALSE);
  gtk_widget_action_set_enabled (widget, "sign-in.submit", FALSE);
  g_signal_emit (self, signals[SUBMIT], 0, server, username, password);
  /* The password leaves the entry now; it must not linger in the widget. */
  gtk_editable_set_text (GTK_EDITABLE (self->password_entry), "");
}

static void
hw_sign_in_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), HW_TYPE_SIGN_IN_DIALOG);

  G_OBJECT_CLASS (hw_sign_in_dialog_parent_class)->dispose (object);
}

static void
hw_sign_in_dialog_class_init (HwSignInDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hw_sign_in_dialog_dispose;

  /* (const char *server, const char *username, const char *password) */
  signals[SUBMIT] = g_signal_new ("submit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                  G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/example/Hyperwall/ui/hw-sign-in-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, HwSignInDialog, server_entry);
  gtk_widget_class_bind_template_child (widget_class, HwSignInDialog, username_entry);
  gtk_widget_class_bind_template_child (widget_class, HwSignInDialog, password_entry);
  gtk_widget_class_bind_template_child (widget_class, HwSignInDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, HwSignInDialog, intro_label);
  gtk_widget_class_bind_template_child (widget_class, HwSignInDialog, sign_in_button);

  gtk_widget_class_install_action (widget_class, "sign-in.submit", NULL, submit);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
hw_sign_in_dialog_init (HwSignInDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

HwSignInDialog *
hw_sign_in_dialog_new (GtkWindow  *parent,
                       const char *server_url,
                       const char *username)
{
  HwSignInDialog *self = g_object_new (HW_TYPE_SIGN_IN_DIALOG,
                                       "transient-for", parent,
                                       NULL);

  gtk_editable_set_text (GTK_EDITABLE (self->server_entry), server_url ? server_url : "");
  gtk_editable_set_text (GTK_EDITABLE (self->username_entry), username ? username : "");
  if (server_url != NULL && *server_url != '\0' && username != NULL && *username != '\0')
    gtk_widget_grab_focus (self->password_entry);

  return self;
}

void
hw_sign_in_dialog_set_error (HwSignInDialog *self,
                             const char     *message)
{
  g_return_if_fail (HW_IS_SIGN_IN_DIALOG (self));

  gtk_label_set_text (GTK_LABEL (self->error_label), message);
  gtk_widget_set_visible (self->error_label, TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.submit", TRUE);
}

void
hw_sign_in_dialog_set_product (HwSignInDialog *self,
                               const char     *product)
{
  g_autofree char *title = NULL;
  g_autofree char *intro = NULL;

  g_return_if_fail (HW_IS_SIGN_IN_DIALOG (self));
  g_return_if_fail (product != NULL);

  /* TRANSLATORS: %s is the server's product, "Emby" or "Jellyfin". */
  title = g_strdup_printf (_("Sign in to %s"), product);
  /* TRANSLATORS: %s is the server's product, "Emby" or "Jellyfin". */
  intro = g_strdup_printf (_("This wall plays videos from the %s server. Sign in once; the "
                             "password is not stored, only the server's access token."),
                           product);
  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_label_set_text (GTK_LABEL (self->intro_label), intro);
}
