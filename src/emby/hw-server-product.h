/* hw-server-product.h: which server answers, Emby or Jellyfin.
 *
 * The two share most of the contract (docs/emby-api.md) but not all of
 * it: Jellyfin refuses the legacy ways to send a token, has its own
 * library and socket paths, and names its stream-URL key ApiKey. The
 * client learns the product from /System/Info/Public (Jellyfin sends
 * ProductName "Jellyfin Server", Emby sends none); nothing is configured.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  HW_SERVER_PRODUCT_EMBY,
  HW_SERVER_PRODUCT_JELLYFIN,
} HwServerProduct;

G_END_DECLS
