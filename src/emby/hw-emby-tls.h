/* hw-emby-tls.h: which server certificate a request accepts.
 *
 * By default libsoup verifies against the system's certificate
 * authorities, and so do we. Many Emby servers show a self-signed
 * certificate: for those the setting accept-certificate pins one
 * certificate by its SHA-256 fingerprint, and then only that one is
 * accepted (the session then has no TLS database, so every certificate,
 * trusted by an authority or not, comes to us). Never a switch that
 * ignores TLS errors. A refusal is explained in words a person can act on:
 * the fingerprint of what the server showed and the setting that accepts
 * it. Internal to the Emby client.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* "AA:BB:…" (upper case, as openssl x509 -fingerprint -sha256 prints
 * it) of @certificate's DER, or NULL. */
char    *hw_emby_tls_fingerprint         (GTlsCertificate *certificate);
/* @text as a fingerprint in that form ("sha256 Fingerprint=…", lower
 * case and missing colons are fine), or NULL when it is not one. */
char    *hw_emby_tls_normalize_pin       (const char      *text);
/* Decides on the certificates @message is shown (@pin: a normalised
 * fingerprint, or NULL for the system's authorities only). */
void     hw_emby_tls_watch               (SoupMessage     *message,
                                          const char      *pin);
/* Why @message's server certificate was refused, for the log and the
 * cards; NULL when it was not. */
char    *hw_emby_tls_dup_refusal         (SoupMessage     *message);

G_END_DECLS
