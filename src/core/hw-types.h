/* hw-types.h: forward declarations of the core types, shared by every
 * layer above.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _HwCellPlayer     HwCellPlayer;
typedef struct _HwCellSupervisor HwCellSupervisor;
typedef struct _HwCellView       HwCellView;
typedef struct _HwConfig         HwConfig;
typedef struct _HwDemoFeed       HwDemoFeed;
typedef struct _HwFeed           HwFeed;
typedef struct _HwLocalFeed      HwLocalFeed;
typedef struct _HwMediaItem      HwMediaItem;
typedef struct _HwStatusWriter   HwStatusWriter;

/* Server reachability as the status file names it. */
typedef enum {
  HW_SERVER_STATE_NONE,             /* demo or local feed: there is no server */
  HW_SERVER_STATE_CONNECTING,
  HW_SERVER_STATE_ONLINE,
  HW_SERVER_STATE_OFFLINE,          /* the gate is closed, a probe is pending */
  HW_SERVER_STATE_SIGN_IN_REQUIRED, /* a fatal 401: nothing is requested until config changes */
} HwServerState;

const char *hw_server_state_to_string (HwServerState state);

G_END_DECLS
