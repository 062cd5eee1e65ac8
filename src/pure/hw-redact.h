/* hw-redact.h: keep secrets out of everything Hyperwall prints.
 *
 * Redaction is applied to values where secrets can enter — URLs, headers,
 * query strings, error texts from outside — before they are put into a log
 * line, a card or the status file; never across finished output, where a
 * masked word could cut through a number or a JSON key.
 *
 * Two layers. Patterns mask the value after a key that names a secret
 * (api_key=, ApiKey=, Token="…", X-Emby-Token: …, "AccessToken":"…",
 * "Pw":"…", password=…; keys case-insensitive). A registry of known
 * machine-made secrets (access tokens, API keys) masks every occurrence of
 * them, wherever they show up: an mpv log line, a URL inside an error text.
 * A person's password is never registered: it may be "1234", "true" or a
 * word of a title, and masking it everywhere would mangle ordinary text.
 * Passwords stay out of output by never being put into it.
 * GLib only; thread-safe.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HW_REDACTED "***"

/* A newly allocated copy of @text with every secret replaced by "***".
 * NULL gives NULL. */
char             *hw_redact                   (const char          *text);

/* Remembers a machine-made @secret (an access token, an API key) and its
 * URI-escaped form, so every later occurrence is masked. Anything shorter
 * than HW_REDACT_MIN_SECRET_LEN bytes is refused: that is not a token but a
 * word, and would mask ordinary text (the key patterns still catch it after
 * its key). Never pass a person's password. NULL is ignored. */
#define HW_REDACT_MIN_SECRET_LEN 16

void              hw_redact_add_secret        (const char          *secret);
void              hw_redact_remove_secret     (const char          *secret);
/* Forgets every registered secret (tests). */
void              hw_redact_clear_secrets     (void);

/* A GLogWriterFunc: redacts the MESSAGE field, then hands the record to
 * g_log_writer_default (). @user_data is ignored. */
GLogWriterOutput  hw_redact_log_writer        (GLogLevelFlags       log_level,
                                               const GLogField     *fields,
                                               gsize                n_fields,
                                               gpointer             user_data);
/* Installs hw_redact_log_writer for the whole process. GLib allows one
 * writer per process, so call this once, early in main (). */
void              hw_redact_install_log_writer (void);

G_END_DECLS
