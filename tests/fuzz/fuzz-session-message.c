/* fuzz-session-message.c: anything on the session socket.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "fuzz-common.h"
#include "hw-session-message.h"

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
  g_autoptr(GError) error = NULL;
  g_autoptr(HwSessionMessage) message = NULL;

  message = hw_session_message_parse ((const char *) data, size, &error);
  /* Exactly one of the two, always. */
  g_assert ((message == NULL) != (error == NULL));
  if (message != NULL && message->item_ids != NULL)
    g_assert (g_strv_length (message->item_ids) > 0);
  return 0;
}
