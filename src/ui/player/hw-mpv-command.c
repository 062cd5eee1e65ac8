/* hw-mpv-command.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall-player"

#include "config.h"

#include <mpv/client.h>

#include "hw-mpv-command.h"

G_STATIC_ASSERT (HW_MPV_API (2, 3) == MPV_MAKE_VERSION (2, 3));

guint
hw_mpv_loadfile_argv (unsigned long  api_version,
                      const char    *url,
                      const char    *options,
                      const char    *argv[HW_MPV_LOADFILE_ARGV_MAX])
{
  guint n = 0;

  g_return_val_if_fail (url != NULL, 0);
  g_return_val_if_fail (argv != NULL, 0);

  argv[n++] = "loadfile";
  argv[n++] = url;
  argv[n++] = "replace";
  if (options != NULL && *options != '\0')
    {
      /* From 0.38 the third argument is the playlist index; -1 is what
       * mpv documents for "none" when options follow. Given to 0.35, the
       * -1 would be taken for the options and fail the command. */
      if (api_version >= HW_MPV_API_LOADFILE_INDEX)
        argv[n++] = "-1";
      argv[n++] = options;
    }
  argv[n] = NULL;

  return n;
}

/* The built-in scripts of mpv's releases, with the release that added each
 * switch; checked against options/options.c of the tags v0.35.1 to v0.41.0. */
static const HwMpvOption options_2_0[] = {
  { "load-stats-overlay", "no", FALSE },
  { "load-osd-console",   "no", FALSE },
  { "load-auto-profiles", "no", FALSE },
};

static const HwMpvOption options_2_3[] = {
  { "load-stats-overlay", "no", FALSE },
  { "load-osd-console",   "no", FALSE },
  { "load-auto-profiles", "no", FALSE },
  { "load-select",        "no", TRUE },   /* 0.39; 0.38 has the same API version */
};

static const HwMpvOption options_2_5[] = {
  { "load-stats-overlay", "no", FALSE },
  { "load-console",       "no", FALSE },  /* was load-osd-console */
  { "load-auto-profiles", "no", FALSE },
  { "load-select",        "no", FALSE },
  { "load-positioning",   "no", FALSE },
  { "load-commands",      "no", FALSE },
  { "load-context-menu",  "no", TRUE },   /* 0.41; 0.40 has the same API version */
};

guint
hw_mpv_builtin_script_options (unsigned long       api_version,
                               const HwMpvOption **options)
{
  g_return_val_if_fail (options != NULL, 0);

  if (api_version >= HW_MPV_API_LOAD_CONSOLE)
    {
      *options = options_2_5;
      return G_N_ELEMENTS (options_2_5);
    }
  if (api_version >= HW_MPV_API (2, 3))
    {
      *options = options_2_3;
      return G_N_ELEMENTS (options_2_3);
    }
  *options = options_2_0;
  return G_N_ELEMENTS (options_2_0);
}

gboolean
hw_mpv_option_error_is_expected (const HwMpvOption *option,
                                 int                error)
{
  g_return_val_if_fail (option != NULL, FALSE);

  return option->may_be_missing && error == MPV_ERROR_OPTION_NOT_FOUND;
}
