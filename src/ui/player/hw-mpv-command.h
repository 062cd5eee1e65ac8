/* hw-mpv-command.h: what differs between the libmpv releases we run on.
 *
 * One code base for libmpv 0.35 (Debian 12, client API 2.0) up to 0.41
 * (the Flatpak, client API 2.5). Pure functions of the client API version
 * (mpv_client_api_version() at run time): no handle, no I/O.
 *
 * Client API versions by release, from each tag's client.h:
 *   0.35 → 2.0, 0.36 → 2.1, 0.37 → 2.2, 0.38 → 2.3, 0.39 → 2.3,
 *   0.40 → 2.5, 0.41 → 2.5.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Same packing as MPV_MAKE_VERSION, usable without mpv's header. */
#define HW_MPV_API(major, minor) ((((unsigned long) (major)) << 16) | (minor))

/* mpv 0.38: `loadfile <url> [<flags> [<index> [<options>]]]`; before it,
 * the options were the third argument. */
#define HW_MPV_API_LOADFILE_INDEX HW_MPV_API (2, 3)
/* mpv 0.40: --load-osd-console became --load-console (the old name is a
 * deprecated alias there), and --load-positioning, --load-commands came. */
#define HW_MPV_API_LOAD_CONSOLE   HW_MPV_API (2, 5)

/* Room for the longest argv, its NULL included. */
#define HW_MPV_LOADFILE_ARGV_MAX 6

/* Fills @argv (NULL-terminated; the strings are borrowed, not copied) with a
 * `loadfile` that replaces whatever plays with @url and applies @options
 * ("key=value,…", or NULL) to that file only. Returns the number of
 * arguments. */
guint hw_mpv_loadfile_argv (unsigned long  api_version,
                            const char    *url,
                            const char    *options,
                            const char    *argv[HW_MPV_LOADFILE_ARGV_MAX]);

typedef struct {
  const char *name;
  const char *value;
  /* Unknown to some releases with this client API version (0.38 and 0.39
   * share 2.3, 0.40 and 0.41 share 2.5): MPV_ERROR_OPTION_NOT_FOUND from
   * mpv_set_option_string() is expected then, not a warning. */
  gboolean    may_be_missing;
} HwMpvOption;

/* The options that keep mpv's built-in scripts (each costs a thread) and
 * auto profiles out of a cell, for this client API version. Returns how
 * many; *@options points to static storage. */
guint hw_mpv_builtin_script_options (unsigned long       api_version,
                                     const HwMpvOption **options);

/* TRUE when @error (an mpv_error from setting @option) means only that this
 * release lacks an option listed as may_be_missing. */
gboolean hw_mpv_option_error_is_expected (const HwMpvOption *option,
                                          int                error);

G_END_DECLS
