#!/usr/bin/env bash
# netdma-fwd at full rate between two net_null ports (one forwarding lcore):
# Mpps and Gbps for 64, 256 and 1518 B frames and a mixed profile (simple
# IMIX, 64/594/1518 B as 7:4:1), each with copy-break off (every packet
# through the engine), copy-break auto, and CPU only, side by side.  The
# modes alternate within each round and every figure is the median of the
# rounds.  Prints an RST table (doc/perf.rst has one) and the single runs.
#
#   usertools/netdma-fwd-bench.sh [-b BUILD] [-r ROUNDS] [-t SECONDS] [-p PROVIDER] [-s]
#     -b  build directory (default build)
#     -r  rounds (default 3)
#     -t  seconds per run, after 1 s of warm-up (default 3)
#     -p  engine: dma_skeleton (default) or cpu
#     -s  the channels on a service lcore (--service; CPU 0, beside the skeleton)
set -euo pipefail
cd "$(dirname "$0")/.."

build=build rounds=3 secs=3 provider=dma_skeleton service=0
while getopts "b:r:t:p:sh" o; do
    case $o in
    b) build=$OPTARG ;;
    r) rounds=$OPTARG ;;
    t) secs=$OPTARG ;;
    p) provider=$OPTARG ;;
    s) service=1 ;;
    *) sed -n '2,15p' "$0"; exit 2 ;;
    esac
done
bin=$build/app/netdma-fwd/netdma-fwd
[ -x "$bin" ] || { echo "no $bin: build first (meson setup $build && ninja -C $build)" >&2; exit 1; }

# lcore 1 forwards; the skeleton's thread on CPU 0 beside the main lcore
lcores=(-l 0-1)
[ "$service" = 1 ] && lcores=(--lcores=0@0,1@1,2@0 -S 2)
# the skeleton's thread spins while idle: only when it is the engine
skeleton=()
[ "$provider" = dma_skeleton ] && skeleton=(--vdev=dma_skeleton,lcore=0)
profiles=(64 256 1518 mix)
modes=(dma auto cpu)
work=$(mktemp -d /tmp/netdma-fwd-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

run_one() {   # profile mode round
    local size=$1 extra=()
    if [ "$1" = mix ]; then
        size=1518
        extra=(--mix '64*7,594*4,1518')
    fi
    case $2 in
    dma) extra+=(--copy-break off) ;;
    auto) extra+=(--copy-break auto) ;;
    cpu) extra+=(--cpu-only) ;;
    esac
    [ "$service" = 1 ] && [ "$2" != cpu ] && extra+=(--service)
    "$bin" "${lcores[@]}" --no-huge -m 512 --no-shconf --iova-mode=va --no-pci \
        --file-prefix="fwdbench$$" --vdev=net_null0,size="$size" --vdev=net_null1,size="$size" \
        "${skeleton[@]}" --log-level=lib.eal:error -- \
        --provider "$provider" "${extra[@]}" --time $((secs + 1)) --warmup 1 --stats 0 \
        >"$work/$1.$2.$3.log" 2>&1 || { echo "run $1 $2 $3 failed:" >&2; tail -5 "$work/$1.$2.$3.log" >&2; }
    sed -n 's/.*rate \([0-9.]*\) Mpps \([0-9.]*\) Gbps.*/\1 \2/p' "$work/$1.$2.$3.log" >"$work/$1.$2.$3.rate"
    sed -n 's/.*copy-break auto: \([0-9]* B\|the CPU copies every size\).*/\1/p' \
        "$work/$1.$2.$3.log" >"$work/$1.$2.$3.cb"
}

for ((r = 0; r < rounds; r++)); do
    for p in "${profiles[@]}"; do
        for ((k = 0; k < ${#modes[@]}; k++)); do
            m=${modes[$(((k + r) % ${#modes[@]}))]}   # a different mode first each round
            run_one "$p" "$m" "$r"
            echo "round $((r + 1)) $p B $m: $(cat "$work/$p.$m.$r.rate") $(cat "$work/$p.$m.$r.cb" 2>/dev/null)" >&2
        done
    done
done

median() {   # field (1 Mpps, 2 Gbps) of the rate files given
    local f=$1
    shift
    cat "$@" | awk -v f="$f" '{ print $f }' | sort -g | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "-" }'
}

echo ".. list-table:: netdma-fwd, $provider$([ "$service" = 1 ] && echo ' on a service lcore'), medians of $rounds alternating rounds (Mpps / Gbps)"
echo "   :header-rows: 1"
echo
echo "   * - frames"
echo "     - copy-break off (all DMA)"
echo "     - copy-break auto"
echo "     - CPU only"
echo "     - auto chose"
for p in "${profiles[@]}"; do
    [ "$p" = mix ] && label="IMIX 64/594/1518 (7:4:1)" || label="$p B"
    echo "   * - $label"
    for m in "${modes[@]}"; do
        echo "     - $(median 1 "$work/$p.$m".*.rate) / $(median 2 "$work/$p.$m".*.rate)"
    done
    echo "     - $(cat "$work/$p.auto".*.cb | sort | uniq -c | awk '{ $1 = $1 "x"; print }' | paste -sd, -)"
done
echo
echo "single runs (Mpps):"
for p in "${profiles[@]}"; do
    for m in "${modes[@]}"; do
        echo "  $p $m: $(awk '{ print $1 }' "$work/$p.$m".*.rate | paste -sd' ' -)"
    done
done
