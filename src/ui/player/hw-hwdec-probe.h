/* hw-hwdec-probe.h: which hardware video decoders this machine has, found
 * once per wall.
 *
 * Left to itself mpv tries the hardware decoders again at every load; on a
 * machine without them each try fails again, costs time at the load, and
 * libvdpau prints a line on stderr each time ("Failed to open VDPAU
 * backend"). So the wall looks once, off the main thread: a GPU device
 * node (/dev/dri, /dev/nvidia*) and, where libavutil is at hand, whether a
 * VA-API, VDPAU or CUDA device opens on it. It looks again only when the
 * hwdec setting changes or a GPU device appears. Players give mpv what
 * hw_hwdec_probe_resolve() says and follow "changed".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HW_TYPE_HWDEC_PROBE (hw_hwdec_probe_get_type ())

G_DECLARE_FINAL_TYPE (HwHwdecProbe, hw_hwdec_probe, HW, HWDEC_PROBE, GObject)

/* The wall's one probe (main thread only). */
HwHwdecProbe *hw_hwdec_probe_get_default (void);
/* What to give mpv's hwdec option for @setting (the hwdec setting; NULL is
 * "auto-safe"): "no" until the first probe answered and when it found no
 * hardware decoder that @setting could use, else @setting. For a new
 * player: a @setting other than the last one asked for starts a probe. */
const char   *hw_hwdec_probe_resolve     (HwHwdecProbe *self,
                                          const char   *setting);
/* The same answer without starting anything: for a player that follows
 * "changed" (emitted when a probe's answer differs from the last one). */
const char   *hw_hwdec_probe_answer      (HwHwdecProbe *self,
                                          const char   *setting);

G_END_DECLS
