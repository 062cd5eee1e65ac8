#!/bin/sh
# run-fuzz.sh TARGET SEEDS BUILDDIR SECONDS: one bounded libFuzzer run.
# New inputs go to BUILDDIR/corpus-NAME (the seeds in the source tree stay
# as they are); a crash is saved as BUILDDIR/NAME-crash-<hash> (or -leak-,
# -timeout-, -oom-) and fails the test.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
target=$1 seeds=$2 builddir=$3 seconds=$4
name=$(basename "$target")
scratch="$builddir/corpus-$name"
mkdir -p "$scratch"
# Leaks count: a parser that leaks on hostile input leaks on every reply.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
exec "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$builddir/$name-" "$scratch" "$seeds"
