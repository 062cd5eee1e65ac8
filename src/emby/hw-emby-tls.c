/* hw-emby-tls.c: which server certificate a request accepts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-emby"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "hw-emby-tls.h"

#define PIN_KEY     "hw-emby-tls-pin"
#define REFUSED_KEY "hw-emby-tls-refused"

char *
hw_emby_tls_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_autofree char *hex = NULL;
  GString *out;

  if (certificate == NULL)
    return NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;

  hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
  out = g_string_sized_new (32 * 3);
  for (gsize i = 0; hex[i] != '\0' && hex[i + 1] != '\0'; i += 2)
    {
      if (out->len > 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, g_ascii_toupper (hex[i]));
      g_string_append_c (out, g_ascii_toupper (hex[i + 1]));
    }
  return g_string_free (out, FALSE);
}

char *
hw_emby_tls_normalize_pin (const char *text)
{
  const char *equals;
  GString *out;
  guint digits = 0;

  if (text == NULL)
    return NULL;

  /* What openssl prints, pasted whole. */
  equals = strchr (text, '=');
  if (equals != NULL)
    text = equals + 1;

  out = g_string_new (NULL);
  for (const char *c = text; *c != '\0'; c++)
    {
      if (*c == ':' || g_ascii_isspace (*c))
        continue;
      if (!g_ascii_isxdigit (*c))
        {
          g_string_free (out, TRUE);
          return NULL;
        }
      if (digits > 0 && digits % 2 == 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, g_ascii_toupper (*c));
      digits++;
    }

  if (digits != 64)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

static gboolean
on_accept_certificate (SoupMessage          *message,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  const char *pin = g_object_get_data (G_OBJECT (message), PIN_KEY);
  g_autofree char *fingerprint = hw_emby_tls_fingerprint (certificate);
  char *refusal;

  if (pin != NULL && fingerprint != NULL && g_str_equal (pin, fingerprint))
    return TRUE;

  if (fingerprint == NULL)
    refusal = g_strdup (_("The server's certificate could not be read"));
  else if (pin == NULL)
    refusal = g_strdup_printf (_("The server's certificate is not trusted (SHA-256 fingerprint "
                                 "%s). If this is your server's own certificate, set "
                                 "accept-certificate to that fingerprint"), fingerprint);
  else
    refusal = g_strdup_printf (_("The server's certificate changed: it is now %s, but "
                                 "accept-certificate pins %s. If the new certificate is your "
                                 "server's, set accept-certificate to its fingerprint"),
                               fingerprint, pin);

  g_object_set_data_full (G_OBJECT (message), REFUSED_KEY, refusal, g_free);
  return FALSE;
}

void
hw_emby_tls_watch (SoupMessage *message,
                   const char  *pin)
{
  g_return_if_fail (SOUP_IS_MESSAGE (message));

  g_object_set_data_full (G_OBJECT (message), PIN_KEY, g_strdup (pin), g_free);
  g_signal_connect (message, "accept-certificate", G_CALLBACK (on_accept_certificate), NULL);
}

char *
hw_emby_tls_dup_refusal (SoupMessage *message)
{
  return g_strdup (g_object_get_data (G_OBJECT (message), REFUSED_KEY));
}
