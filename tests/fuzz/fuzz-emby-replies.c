/* fuzz-emby-replies.c: every parser of an Emby server's replies on the same
 * bytes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "fuzz-common.h"
#include "hw-emby-protocol.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_common_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *text = (const char *) data;
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  g_autoptr(GError) e3 = NULL;
  g_autoptr(GError) e4 = NULL;
  g_autoptr(GError) e5 = NULL;
  g_autoptr(HwEmbyAuth) auth = hw_emby_parse_auth (text, (gssize) size, &e1);
  g_autoptr(HwEmbyServerInfo) info = hw_emby_parse_server_info (text, (gssize) size, &e2);
  g_autoptr(GPtrArray) views = hw_emby_parse_views (text, (gssize) size, &e3);
  g_autoptr(GPtrArray) items = hw_emby_parse_items (text, (gssize) size, &e4);
  g_autoptr(HwEmbyPlaybackInfo) playback = hw_emby_parse_playback_info (text, (gssize) size, &e5);

  g_assert ((auth == NULL) != (e1 == NULL));
  g_assert ((info == NULL) != (e2 == NULL));
  g_assert ((views == NULL) != (e3 == NULL));
  g_assert ((items == NULL) != (e4 == NULL));
  g_assert ((playback == NULL) != (e5 == NULL));
  if (auth != NULL)
    g_assert (auth->access_token != NULL && auth->user_id != NULL);
  for (guint i = 0; views != NULL && i < views->len; i++)
    {
      HwEmbyView *view = g_ptr_array_index (views, i);

      g_assert (view->id != NULL && view->name != NULL);
      (void) hw_emby_view_is_video (view);
    }
  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      g_autoptr(HwEmbyItem) copy = hw_emby_item_copy (g_ptr_array_index (items, i));

      g_assert (copy->id != NULL && copy->name != NULL && copy->run_time_ticks >= 0);
    }
  if (playback != NULL && playback->error_code == NULL)
    g_assert (playback->media_sources->len > 0);
  return 0;
}
