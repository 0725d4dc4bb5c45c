#!/usr/bin/env bash
# The daemon path of the main job: start netdmad on config/netdmad.ini,
# copy through it with netdma-copy (two clients at once), show the telemetry
# summary, stop the daemon with SIGTERM and check it exits cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build}
work=$(mktemp -d /tmp/netdma-demo.XXXXXX)
sock=$work/netdmad.sock
daemon_pid=
cleanup() {
    [ -n "$daemon_pid" ] && kill -9 "$daemon_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

echo "== netdmad (config/netdmad.ini, socket $sock)"
"$build/app/netdmad/netdmad" -- --config config/netdmad.ini --socket "$sock" >"$work/netdmad.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 100); do
    [ -S "$sock" ] && break
    kill -0 "$daemon_pid" 2>/dev/null || { cat "$work/netdmad.log"; exit 1; }
    sleep 0.1
done
[ -S "$sock" ] || { echo "netdmad did not come up"; cat "$work/netdmad.log"; exit 1; }
grep -E "engine|ready|IOVA" "$work/netdmad.log" | sed 's/^/   /'

copy="$build/app/netdma-copy/netdma-copy --socket $sock"
echo "== netdma-copy: providers"
$copy --list | sed 's/^/   /'
echo "== netdma-copy: 64 MiB on the software engine, polling the completion word"
$copy --size 64M
echo "== netdma-copy: 16 MiB on dma_skeleton, interrupts"
$copy --provider dma_skeleton --size 16M --interrupt
echo "== two clients at once, telemetry while they run"
$copy --size 32M --desc-size 4K --chain 16 --repeat 48 --quiet >"$work/c1.log" 2>&1 &
c1=$!
$copy --size 32M --desc-size 4K --chain 16 --repeat 48 --quiet >"$work/c2.log" 2>&1 &
c2=$!
telemetry() {
    # dpdk-telemetry.py reads commands from stdin; it talks to the daemon's
    # EAL telemetry socket (file prefix "rte")
    printf '%s\n' "$@" | timeout 10 dpdk-telemetry.py -f netdmad 2>/dev/null | grep '^{' | sed 's/^/   /' || true
}
# "/netdmad/channel" -> the info command of each id its list gives (doc/telemetry.rst)
infos() {
    printf '%s/list\n' "$1" | timeout 10 dpdk-telemetry.py -f netdmad 2>/dev/null | grep -o '\[.*\]' |
        tr -d '[] ' | tr ',' '\n' | sed "s|^|$1/info,|"
}
# both clients hold a running channel for a few seconds: catch them at it
for _ in $(seq 100); do
    [ "$(telemetry $(infos /netdmad/channel) | grep -o '"state": "running"' | wc -l)" -ge 2 ] && break
    sleep 0.05
done
telemetry $(infos /netdmad/client) $(infos /netdmad/channel)
wait "$c1" && wait "$c2"
sed 's/^/   client 1: /' "$work/c1.log"
sed 's/^/   client 2: /' "$work/c2.log"
telemetry $(infos /netdmad/provider)
# connections, refusals, suppressed log lines, regions in use (doc/security.rst)
telemetry /netdmad/stats

echo "== SIGTERM"
kill -TERM "$daemon_pid"
rc=0
wait "$daemon_pid" || rc=$?
daemon_pid=
tail -2 "$work/netdmad.log" | sed 's/^/   /'
[ ! -e "$sock" ] || { echo "socket left behind"; exit 1; }
echo "netdmad exited with status $rc"
exit "$rc"
