#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The shipped systemd unit and config, checked: systemd-analyze verify finds
# nothing to say about the unit (pointed at this build's netdmad), the
# config it names passes netdmad's --check-config, and ExecStart's command
# line is one netdmad accepts.  On a machine whose PID 1 is systemd (and as
# root) the unit also runs: active, a client copies, reload, stop.
#   check-unit.sh UNIT NETDMAD CONFIG [NETDMA_COPY]
set -eu
unit=$1 netdmad=$(readlink -f "$2") config=$(readlink -f "$3") copy=${4:+$(readlink -f "$4")}
work=$(mktemp -d /tmp/netdma-unit-XXXXXX)
trap 'rm -rf "$work"' EXIT

command -v systemd-analyze >/dev/null || { echo "no systemd-analyze: skipped"; exit 77; }
sed -e "s#^ExecStart=[^ ]*#ExecStart=$netdmad#" \
    -e "s#--config [^ ]*#--config $config#" "$unit" > "$work/netdmad.service"
systemd-analyze verify "$work/netdmad.service" > "$work/verify.out" 2>&1 || true
if [ -s "$work/verify.out" ]; then
    echo "systemd-analyze verify says:"; cat "$work/verify.out"; exit 1
fi
grep -q '^Type=notify$' "$work/netdmad.service"
grep -q '^RuntimeDirectory=netdma' "$work/netdmad.service"

# ExecStart, with --check-config added: netdmad parses that very command line
exec_line=$(sed -n 's/^ExecStart=//p' "$work/netdmad.service")
# shellcheck disable=SC2086
$exec_line --check-config "$config" > "$work/effective.ini"
grep -q '^\[socket\]' "$work/effective.ini"
echo "unit verified; ExecStart and $config accepted"

if [ -d /run/systemd/system ] && [ "$(id -u)" -eq 0 ]; then
    name=netdmad-test-$$
    cp "$work/netdmad.service" "/run/systemd/system/$name.service"
    getent group netdma >/dev/null || groupadd -r netdma
    systemctl daemon-reload
    systemctl start "$name"
    systemctl is-active --quiet "$name"
    if [ -n "$copy" ]; then
        "$copy" --socket /run/netdma/netdmad.sock --size 1048576
    fi
    systemctl reload "$name"
    systemctl is-active --quiet "$name"
    systemctl stop "$name"
    rm -f "/run/systemd/system/$name.service"
    systemctl daemon-reload
    echo "unit ran under systemd: started, served, reloaded, stopped"
else
    echo "PID 1 is not systemd here: checked with systemd-analyze only"
fi
