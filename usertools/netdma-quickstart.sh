#!/usr/bin/env bash
# Install what netdma needs on Debian (if missing), build it, and run the
# main job on the embedded default (software engine and dma_skeleton, no
# hardware, no hugepages): netdma-demo in-process, then netdmad with
# netdma-copy clients.  --build-only stops after the build.
set -euo pipefail
cd "$(dirname "$0")/.."

# libsystemd-dev: netdmad's sd_notify, and `pkg-config --static libdpdk`
# names -lsystemd (libpcap -> dbus-1) for the install test's static link;
# python3-matplotlib: usertools/netdma-perf-plot.py and its test
packages=(dpdk dpdk-dev libdpdk-dev meson ninja-build libbsd-dev python3-pyelftools
          pkg-config libcunit1-dev build-essential python3 libsystemd-dev python3-matplotlib)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "netdma: installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ -f build/build.ninja ] || meson setup build
ninja -C build

[ "${1:-}" = "--build-only" ] && exit 0
# in-process: the library embedded in a DPDK program
./build/app/netdma-demo/netdma-demo
# as a service: netdmad with netdma-copy clients
exec ./usertools/netdma-daemon-demo.sh build
