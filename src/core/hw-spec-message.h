/* hw-spec-message.h: a refused layout or source SPEC, in words.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hw-spec-error.h"

G_BEGIN_DECLS

/* One translated sentence saying what is wrong and what was expected. */
char *hw_spec_error_describe (const HwSpecError *error);

G_END_DECLS
