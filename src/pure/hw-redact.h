/* hw-redact.h: keep secrets out of everything Hyperwall prints.
 *
 * Two layers. Patterns mask the value after a key that names a secret
 * (api_key=, ApiKey=, Token="…", X-Emby-Token: …, "AccessToken":"…",
 * "Pw":"…", password=…; keys case-insensitive). A registry of known secret
 * strings (tokens, API keys, passwords) masks every occurrence of them,
 * wherever they show up: an mpv log line, a URL inside an error message.
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

/* Remembers @secret (and its URI-escaped form) so every later occurrence is
 * masked. Secrets shorter than 4 bytes are not registered (they would mask
 * ordinary words); the key patterns still catch them. NULL is ignored. */
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
