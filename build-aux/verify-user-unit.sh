#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# verify-user-unit.sh UNIT: systemd-analyze --user verify, strictly.
# systemd-analyze exits 0 after a key it cannot parse or does not know (it
# only warns, as systemd itself would when loading the unit), so any output
# fails the check. A user manager needs XDG_RUNTIME_DIR: a private one here.
set -u
runtime=$(mktemp -d) || exit 1
trap 'rm -rf "$runtime"' EXIT
output=$(XDG_RUNTIME_DIR=$runtime SYSTEMD_LOG_COLOR=0 systemd-analyze --user verify "$1" 2>&1)
status=$?
if [ -n "$output" ]; then
  printf '%s\n' "$output" >&2
  [ "$status" -ne 0 ] || status=1
fi
[ "$status" -eq 0 ] && echo "$1: verified"
exit "$status"
