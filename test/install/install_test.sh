#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Install the build into a temporary directory and use it as a user would,
# with pkg-config alone: the installed headers and .pc files, the libraries'
# symbols (check_symbols.py), examples/ built with its Makefile against the
# shared and then the static libraries and run, and the README's embedding
# example built and run.  One "ok N - " or "not ok N - " line per check
# (a failed one followed by its output), then the sums.
#
# Usage: install_test.sh BUILD_DIR SOURCE_DIR MESON
# Environment: CC (the build's compiler), NETDMA_TEST_CFLAGS (its
# sanitizer flags: a program linking instrumented libraries needs them).
set -u
build=$1 src=$2 meson=$3
cc=${CC:-cc}
cflags="-O1 -g -Wall -Wextra -Werror ${NETDMA_TEST_CFLAGS:-}"
work=$(mktemp -d /tmp/netdma-install.XXXXXX)
trap 'rm -rf "$work"' EXIT
dest=$work/dest
# a program that hangs fails its check instead of the whole test
run=(timeout 60)
eal=(--no-huge --no-shconf --iova-mode=va --no-pci -l 0-1 --log-level=lib.eal:notice)

n=0 failed=0
pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
# check NAME CMD...: one check; the command's output is shown if it fails
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
}
finish() {
	echo "install: $((n - failed)) passed, $failed failed"
	exit $((failed > 0))
}

if ! "$meson" install -C "$build" --no-rebuild --destdir "$dest" --quiet > "$work/install.log" 2>&1; then
	fail "meson install --destdir"
	sed 's/^/# /' "$work/install.log"
	finish
fi
pass "meson install --destdir"

# The .pc files say prefix=/usr/local (or whatever the build's is); copies
# say where the files are now.  (pkg-config --define-variable=prefix would
# move libdpdk.pc's prefix too, --define-prefix gets multiarch libdirs wrong.)
pcfile=$(find "$dest" -name libnetdma.pc)
mkdir -p "$work/pkgconfig"
for f in "$(dirname "$pcfile")"/*.pc; do
	sed -E "s|^prefix=(/.*)|prefix=$dest\1|" "$f" > "$work/pkgconfig/${f##*/}"
done
export PKG_CONFIG_PATH=$work/pkgconfig
libdir=$(pkg-config --variable=libdir libnetdma)
incdir=$(pkg-config --variable=includedir libnetdma)/netdma

# the installed headers, and no internal one
want="netdma.h netdma_chain.h netdma_checked.h netdma_client.h netdma_cpu.h netdma_dmadev.h netdma_engine.h
netdma_lcore.h netdma_provider.h netdma_soft_provider.h netdma_types.h netdma_wdk.h"
have=$(cd "$incdir" 2>/dev/null && ls)
check "installed headers: the public ones only" \
	diff <(echo $want | tr ' ' '\n') <(echo "$have")
have=$(cd "$(dirname "$pcfile")" && ls)
check "installed .pc files" \
	diff <(printf '%s\n' libnetdma-libs.pc libnetdma.pc libnetdma_client-libs.pc libnetdma_client.pc) \
	<(echo "$have")
check "symbols: netdma_ prefix; exports = installed headers" \
	python3 "$src/test/install/check_symbols.py" "$libdir" "$incdir"

# examples/ with its own Makefile, as a user would
ex=$work/examples
check "examples: make (shared libraries)" \
	make -s -C "$src/examples" O="$ex" CC="$cc" CFLAGS="$cflags" all
check "examples: make static (pkg-config --static)" \
	make -s -C "$src/examples" O="$ex" CC="$cc" CFLAGS="$cflags" static

# needs_netdma BINARY yes|no: does it load a libnetdma*.so?
needs_netdma() {
	local got=no
	readelf -d "$1" | grep -q 'NEEDED.*libnetdma' && got=yes
	[ "$got" = "$2" ] || { echo "$1: loads libnetdma*.so: $got, expected $2"; readelf -d "$1" | grep NEEDED; return 1; }
}
for kind in shared static; do
	[ "$kind" = shared ] && loads=yes || loads=no
	check "client_copy-$kind: links libnetdma_client $kind" needs_netdma "$ex/client_copy-$kind" "$loads"
	check "embed_copy-$kind: links libnetdma $kind" needs_netdma "$ex/embed_copy-$kind" "$loads"
done
export LD_LIBRARY_PATH=$libdir

# No daemon at the socket: the library's reason on stderr, exit 1.
no_daemon() {
	local rc=0 err
	err=$("${run[@]}" "$1" "$work/no-daemon.sock" 2>&1 >/dev/null) || rc=$?
	echo "exit $rc: $err"
	[ "$rc" -eq 1 ] || return 1
	# the library's reason names the socket and the fix
	case "$err" in
	"client_copy: cannot connect to netdmad: no netdmad at $work/no-daemon.sock"*"start it"*)
		return 0 ;;
	esac
	return 1
}
# In-process: the bytes and the completion word checked by the program.
embed() {
	local out
	out=$("${run[@]}" "$@" "${eal[@]}" 2>&1) || { echo "$out"; return 1; }
	echo "$out"
	grep -q "verified" <<< "$out"
}
for kind in shared static; do
	check "client_copy-$kind: no daemon: the library's error, exit 1" no_daemon "$ex/client_copy-$kind"
	check "embed_copy-$kind: copies through the cpu provider" embed "$ex/embed_copy-$kind"
done

# The README's embedding example, as written: the literal block that calls
# netdma_cpu_provider_create(), compiled with the README's own command.
readme_example() {
	python3 - "$src/README.rst" > "$work/readme_embed.c" <<'PY' || return 1
import re, sys
text = open(sys.argv[1]).read()
# literal blocks: a paragraph ending in '::', then lines indented by 4
for block in re.findall(r'::\n\n((?:(?: {4}.*)?\n)+)', text):
    if 'netdma_cpu_provider_create(' in block and 'main(' in block:
        print('\n'.join(l[4:] for l in block.split('\n')))
        sys.exit(0)
sys.exit('README.rst: no literal block with main() and netdma_cpu_provider_create()')
PY
	# shellcheck disable=SC2046  # the README's command: word splitting wanted
	$cc $cflags "$work/readme_embed.c" -o "$work/readme_embed" $(pkg-config --cflags --libs libnetdma) &&
		"${run[@]}" "$work/readme_embed" "${eal[@]}"
}
check "README's embedding example builds against the install and runs" readme_example
finish
