#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build the tree with AddressSanitizer + UBSan (gcc) and run the whole test
# suite under it.  Exit 0 only if every test passed and no process - test
# binaries, the netdmad daemons they start, forked clients - reported a
# sanitizer finding.
#
# Usage: test/run-sanitized.sh [BUILD_DIR]     (default: build-asan in the tree)
#
# What it takes with DPDK 22.11 (Debian's shared libraries, not instrumented):
#  - -Db_lundef=false: the sanitizer runtimes are linked into the executables
#    and the DPDK shared objects are not, so the link may not insist on every
#    symbol of a shared object being defined.
#  - No hugepages: every EAL here runs --no-huge --iova-mode=va, so DPDK's
#    VA reservations are ordinary anonymous mappings and do not collide with
#    ASan's shadow.  rte_malloc()'d memory (and the memfd regions clients
#    share) are not ASan-instrumented: overflows inside them go unseen.
#  - Findings go to files (log_path), one per process, because the daemon's
#    stderr is a log file the tests delete, and a forked child that _exit()s
#    has no stderr anyone reads.  Any such file fails the run; they are
#    printed at the end.  UBSan's file always holds its SUMMARY line
#    (file:line:col); with gcc 12 the full diagnostic and stack of a process
#    whose stderr is redirected (netdmad) may not reach the file: rerun that
#    test with UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 to see them.
#  - UBSan halts on the first finding (halt_on_error=1), so a finding fails
#    the test that triggered it instead of scrolling by.
#  - LeakSanitizer runs at every normal exit: test binaries, netdmad after
#    SIGTERM (it then exits 23 and the tests check for 0), good clients.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build-asan}

if [ -f "$build/build.ninja" ]; then
    meson configure "$build" -Db_sanitize=address,undefined -Db_lundef=false
else
    meson setup "$build" "$src" -Db_sanitize=address,undefined -Db_lundef=false
fi
meson compile -C "$build"

logdir=$(mktemp -d /tmp/netdma-sanitized.XXXXXX)
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:print_summary=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:log_path=$logdir/asan:log_exe_name=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:print_summary=1:log_path=$logdir/ubsan:log_exe_name=1"
export LSAN_OPTIONS="print_suppressions=0"

set +e
meson test -C "$build" --print-errorlogs --timeout-multiplier 3
rc=$?
set -e

if compgen -G "$logdir/*" > /dev/null; then
    echo "=== sanitizer findings ($logdir) ==="
    for f in "$logdir"/*; do
        echo "--- $f"
        cat "$f"
    done
    [ "$rc" -ne 0 ] || rc=1
else
    echo "sanitizers: no findings"
    rmdir "$logdir"
fi
exit "$rc"
