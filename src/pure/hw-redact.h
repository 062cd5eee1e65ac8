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

/* How many secrets a slot keeps masked: the current one and the two before
 * it. Counted in generations, not time (this layer reads no clock): a
 * line can carry an old token only until whoever minted it with that
 * token has minted again, which a token change itself triggers, so lines
 * with a token two changes old are not expected; a revoke, a refresh and
 * a second refresh in quick succession are still covered. */
#define HW_REDACT_SLOT_GENERATIONS 3

/* For a secret that replaces another (an access token): @secret becomes
 * the newest of @slot ("access-token"), and the oldest beyond
 * HW_REDACT_SLOT_GENERATIONS is no longer masked, unless
 * hw_redact_add_secret () registered it too. Keeps the registry, which
 * every log line scans under one lock, bounded however often tokens
 * change. The same rules for short secrets as hw_redact_add_secret (). */
void              hw_redact_rotate_secret     (const char          *slot,
                                               const char          *secret);
/* How many strings the registry masks (a secret and its URI-escaped form
 * count once each when they differ). */
guint             hw_redact_count_secrets     (void);
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
