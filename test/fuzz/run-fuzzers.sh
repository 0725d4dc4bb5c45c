#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run each libFuzzer harness of a -Dfuzz=true build for SECONDS (default 60),
# starting from a temporary copy of its seed corpus (test/fuzz/corpus/), and
# report executions per second and in total.  Exits 1 if any harness found a
# crash, a leak or a timeout; the input that did it is kept in
# $FUZZ_ARTIFACTS (default BUILD_DIR/fuzz-artifacts) and dumped in hex here.
#
#   test/fuzz/run-fuzzers.sh BUILD_DIR [SECONDS]
set -uo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 BUILD_DIR [SECONDS]" >&2
	exit 2
fi
build=$(cd "$1" && pwd) || exit 2
secs=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
artifacts=${FUZZ_ARTIFACTS:-$build/fuzz-artifacts}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"

# undefined behaviour is a finding too, not a line in a log
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=0
for h in fuzz_client fuzz_chain fuzz_config; do
	exe=$build/test/fuzz/$h
	if [ ! -x "$exe" ]; then
		echo "$h: not built (configure with -Dfuzz=true)" >&2
		failed=1
		continue
	fi
	mkdir -p "$work/$h/corpus" "$work/$h/art"
	cp "$here/corpus/$h/"* "$work/$h/corpus/"
	# the client sessions may wait up to 10 s for the reaper: a 30 s timeout,
	# and only over that is an input slow (a loaded machine stretches 10 s)
	"$exe" -max_total_time="$secs" -timeout=30 -report_slow_units=30 -print_final_stats=1 \
		-artifact_prefix="$work/$h/art/" "$work/$h/corpus" > "$work/$h/log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$h/log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$h/log")
	printf '%-12s %8s exec/s %10s executions in %s s' "$h" "${rate:-?}" "${runs:-?}" "$secs"
	found=$(find "$work/$h/art" -type f | head -n 1)
	if [ $rc -eq 0 ] && [ -z "$found" ]; then
		echo "  ok"
		continue
	fi
	failed=1
	echo "  FAILED (exit $rc)"
	grep -E 'ERROR|SUMMARY|fuzz_[a-z]+: |runtime error|^    #[0-9]+ ' "$work/$h/log" | head -n 40
	for f in "$work/$h/art/"*; do
		[ -f "$f" ] || continue
		cp "$f" "$artifacts/$h-$(basename "$f")"
		echo "input kept as $artifacts/$h-$(basename "$f"); reproduce: $exe $artifacts/$h-$(basename "$f")"
		od -A d -t x1 "$f" | head -n 64
	done
done
exit $failed
