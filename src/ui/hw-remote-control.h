/* hw-remote-control.h: the session socket's commands as the wall's own
 * app.* actions.
 *
 * Play: PlayNow puts the items on the focused cell and the cells after it
 * (one item per cell, as many cells as items, at most the whole wall);
 * PlayNext and PlayLast queue them in the Emby feed ahead of the shuffle.
 * Playstate acts on the focused cell: Pause, Unpause, PlayPause, Stop (a
 * wall never goes dark: Stop pauses), NextTrack, PreviousTrack, Seek.
 * GeneralCommand: DisplayMessage shows a banner for its TimeoutMs;
 * SetVolume acts on the audible cell; Mute, Unmute and ToggleMute move
 * audio-cell (Unmute makes the focused cell audible); TogglePauseWall, a
 * name of ours, pauses or resumes the whole wall; SetRepeatMode RepeatOne
 * makes the focused cell repeat its item, RepeatNone and RepeatAll make it
 * move on again. LibraryChanged reloads the feed's pages.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "hw-emby-feed.h"
#include "hw-emby-session-socket.h"

G_BEGIN_DECLS

#define HW_TYPE_REMOTE_CONTROL (hw_remote_control_get_type ())

G_DECLARE_FINAL_TYPE (HwRemoteControl, hw_remote_control, HW, REMOTE_CONTROL, GObject)

/* @application: a HwApplication, not referenced (it owns the result). */
HwRemoteControl *hw_remote_control_new (GtkApplication *application,
                                        HwEmbyFeed     *feed);

G_END_DECLS
