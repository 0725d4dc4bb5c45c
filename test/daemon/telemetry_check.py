#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""
Reads a running netdmad's telemetry through the real dpdk-telemetry.py
(commands on its stdin, one JSON reply per line on its stdout) and checks it
against what the calling test set up (test/daemon/daemon_telemetry.c):

  channels  --prefix P --pids A,B,.. --per-client N
      every client (pid) holds N channels on provider "cpu"; channel k of a
      client copied 64 * (k + 1) bytes in one descriptor and is running.
  providers --prefix P --names cpu,dma_skeleton0,..
      exactly these providers, listed whole and from a start id.
  client-name --prefix P --pids PID --names HEX
      the client of PID shows the name HEX (hex of its UTF-8 bytes).

Exit 0 when all holds; otherwise each failure on stderr and exit 1.
"""
import argparse
import json
import shutil
import subprocess
import sys

LIST_MAX = 512          # ids per list reply (RTE_TEL_MAX_ARRAY_ENTRIES)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def telemetry(prefix, cmds):
    """Send @cmds through dpdk-telemetry.py; return {cmd: reply} in order."""
    tool = shutil.which('dpdk-telemetry.py') or '/usr/bin/dpdk-telemetry.py'
    out = subprocess.run([sys.executable, tool, '-f', prefix], input='\n'.join(cmds) + '\n',
                         capture_output=True, text=True, timeout=60)
    lines = [l for l in out.stdout.splitlines() if l.strip()]
    if len(lines) != len(cmds):
        sys.exit('dpdk-telemetry.py gave %d replies to %d commands:\n%s\n%s' %
                 (len(lines), len(cmds), out.stdout[-2000:], out.stderr[-2000:]))
    replies = []
    for cmd, line in zip(cmds, lines):
        obj = json.loads(line)
        name = cmd.split(',', 1)[0]
        if list(obj.keys()) != [name]:
            sys.exit('reply to %s names %s' % (cmd, list(obj.keys())))
        replies.append(obj[name])
    return replies


def whole_list(prefix, cmd):
    """Every id of a paged list: from 0, then from the last id + 1 while a page is full."""
    ids, start = [], 0
    while True:
        page = telemetry(prefix, ['%s,%d' % (cmd, start)])[0]
        check(isinstance(page, list) and len(page) <= LIST_MAX, '%s: not a list page' % cmd)
        ids += page
        if len(page) < LIST_MAX:
            return ids
        start = page[-1] + 1


def junk(prefix, base_cmds):
    """Hostile parameters: each gets the error reply (null); the daemon keeps answering."""
    params = ['abc', '-1', '+1', '0x1', '1,2', '99999999999', '4294967296', '1e3', '%s%n',
              '9' * 1000, '\u00e9', '1.0']
    cmds = ['%s,%s' % (c, p) for c in base_cmds for p in params]
    cmds += [c for c in base_cmds if c.endswith('/info')]      # info without an id
    for cmd, rep in zip(cmds, telemetry(prefix, cmds)):
        check(rep is None, 'junk %s answered %r' % (cmd[:60], rep))
    stats = telemetry(prefix, ['/netdmad/stats'])[0]
    check(isinstance(stats, dict) and 'clients' in stats, 'no /netdmad/stats after junk')


def check_channels(a):
    pids = [int(p) for p in a.pids.split(',')]
    total = len(pids) * a.per_client

    ids, lib_ids, clients, providers = telemetry(a.prefix, [
        '/netdmad/channel/list', '/netdma/channel/list', '/netdmad/client/list',
        '/netdmad/provider/list'])
    check(len(ids) == total, '/netdmad/channel/list: %d ids, want %d' % (len(ids), total))
    check(ids == sorted(set(ids)), '/netdmad/channel/list: not ascending and unique')
    check(whole_list(a.prefix, '/netdmad/channel/list') == ids, 'paged list differs')
    check(len(lib_ids) == total, '/netdma/channel/list (the library in netdmad): %d ids' % len(lib_ids))
    # from a start id: the rest of the list
    half = ids[len(ids) // 2]
    rest = telemetry(a.prefix, ['/netdmad/channel/list,%d' % half])[0]
    check(rest == [i for i in ids if i >= half], '/netdmad/channel/list,%d is not the rest' % half)

    pinfo = telemetry(a.prefix, ['/netdmad/provider/info,%d' % p for p in providers])
    cpu = [p for p in pinfo if p['name'] == 'cpu']
    check(len(cpu) == 1, 'no provider "cpu" in /netdmad/provider/info')
    cpu = cpu[0]
    check(cpu['channels_in_use'] == total, 'cpu: %d channels in use' % cpu['channels_in_use'])

    cinfo = telemetry(a.prefix, ['/netdmad/client/info,%d' % c for c in clients])
    client_of = {c['pid']: c['id'] for c in cinfo}
    check(sorted(client_of) == sorted(pids), 'clients %s, want pids %s' % (sorted(client_of), pids))
    for c in cinfo:
        check(c['channels'] == a.per_client, 'client %d: %d channels' % (c['id'], c['channels']))

    infos = telemetry(a.prefix, ['/netdmad/channel/info,%d' % i for i in ids])
    sizes = {p: [] for p in pids}
    for i, ch in zip(ids, infos):
        if not check(isinstance(ch, dict), 'channel %d: no info' % i):
            continue
        check(ch['id'] == i, 'channel %d: id %r' % (i, ch['id']))
        check(ch['pid'] in sizes, 'channel %d: pid %r is no client' % (i, ch['pid']))
        check(ch['client'] == client_of.get(ch['pid']), 'channel %d: client %r' % (i, ch['client']))
        check(ch['provider'] == cpu['id'], 'channel %d: provider %r' % (i, ch['provider']))
        check(ch['state'] == 'running', 'channel %d: state %r' % (i, ch['state']))
        check(ch['lcore'] == 1, 'channel %d: lcore %r' % (i, ch['lcore']))
        check(ch['version'] == '2.0', 'channel %d: version %r' % (i, ch['version']))
        check(ch['starts'] == 1 and ch['descriptors_retired'] == 1 and ch['outstanding'] == 0,
              'channel %d: starts %r retired %r outstanding %r' %
              (i, ch['starts'], ch['descriptors_retired'], ch['outstanding']))
        check(ch['commands'] == 1 and ch['bad_commands'] == 0, 'channel %d: commands %r/%r' %
              (i, ch['commands'], ch['bad_commands']))
        # status IDLE (1) in the low bits of a completion word that names a descriptor
        word = int(ch['completion_word'], 16)
        check(word & 0x7 == 1 and word >> 6 != 0, 'channel %d: completion word %s' %
              (i, ch['completion_word']))
        check(ch['last_error'] == '', 'channel %d: last error %r' % (i, ch['last_error']))
        sizes.setdefault(ch['pid'], []).append(ch['bytes_copied'])
    want = sorted(64 * (k + 1) for k in range(a.per_client))
    for p in pids:
        check(sorted(sizes[p]) == want, 'pid %d: bytes copied %s' % (p, sorted(sizes[p])[:8]))

    junk(a.prefix, ['/netdmad/channel/info', '/netdmad/client/info', '/netdmad/provider/info',
                    '/netdmad/poller/info', '/netdma/channel/info', '/netdmad/channel/list',
                    '/netdmad/client/list'])
    unknown = telemetry(a.prefix, ['/netdmad/channel/info,1023', '/netdmad/client/info,4000000000',
                                   '/netdmad/poller/info,0'])
    check(unknown == [None, None, None], 'unknown ids answered %r' % unknown)


def check_providers(a):
    names = a.names.split(',')
    ids = telemetry(a.prefix, ['/netdmad/provider/list'])[0]
    check(len(ids) == len(names), '/netdmad/provider/list: %d ids, want %d' % (len(ids), len(names)))
    infos = telemetry(a.prefix, ['/netdmad/provider/info,%d' % i for i in ids])
    check(sorted(p['name'] for p in infos) == sorted(names),
          'provider names %s' % sorted(p['name'] for p in infos))
    check([p['id'] for p in infos] == ids, 'provider ids differ from their info')
    rest = telemetry(a.prefix, ['/netdmad/provider/list,%d' % ids[len(ids) // 2]])[0]
    check(rest == ids[len(ids) // 2:], '/netdmad/provider/list from a start id: %s' % rest)
    # the library's own view in netdmad lists the same providers
    check(telemetry(a.prefix, ['/netdma/provider/list'])[0] == ids, '/netdma/provider/list differs')


def check_client_name(a):
    """The client of @a.pid, whose HELLO named it with bytes no JSON reader takes."""
    ids = telemetry(a.prefix, ['/netdmad/client/list'])[0]
    infos = telemetry(a.prefix, ['/netdmad/client/info,%d' % i for i in ids])
    mine = [c for c in infos if c['pid'] == int(a.pids)]
    if check(len(mine) == 1, 'no client of pid %s in %s' % (a.pids, infos)):
        want = bytes.fromhex(a.names).decode()
        check(mine[0]['name'] == want, 'client name %r, want %r' % (mine[0]['name'], want))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('what', choices=['channels', 'providers', 'client-name'])
    ap.add_argument('--prefix', required=True)
    ap.add_argument('--pids', default='')
    ap.add_argument('--per-client', type=int, default=0)
    ap.add_argument('--names', default='')
    a = ap.parse_args()
    {'channels': check_channels, 'providers': check_providers,
     'client-name': check_client_name}[a.what](a)
    for f in failures[:40]:
        print('telemetry_check: ' + f, file=sys.stderr)
    if len(failures) > 40:
        print('telemetry_check: ... %d more' % (len(failures) - 40), file=sys.stderr)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
