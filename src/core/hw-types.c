/* hw-types.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include "hw-types.h"

const char *
hw_server_state_to_string (HwServerState state)
{
  switch (state)
    {
    case HW_SERVER_STATE_NONE:             return "none";
    case HW_SERVER_STATE_CONNECTING:       return "connecting";
    case HW_SERVER_STATE_ONLINE:           return "online";
    case HW_SERVER_STATE_OFFLINE:          return "offline";
    case HW_SERVER_STATE_SIGN_IN_REQUIRED: return "sign-in-required";
    default:                               return "unknown";
    }
}
