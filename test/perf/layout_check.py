#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""
Issue 14's checks of test-netdma-perf, run with --smoke:

  layout.ini       every case verifies every byte, in the default (mbuf)
                   layout and in buf_layout=contiguous; the CSV's latency
                   cells (p50, p99, p999) are empty for DMA_MEM_COPY and
                   CPU_MEM_COPY and numbers for the NETDMA cases; the printed
                   lines show latency only for the NETDMA cases.
  bad_layout.ini   an unknown buf_layout: exit 2, the key and value named.
  bad_mbuf_size.ini  64 KiB in mbufs: exit 2, buf_layout=contiguous named.

Usage: layout_check.py PERF_BINARY TEST_PERF_DIR.  Exit 0, or 1 with the
failures on stderr.
"""
import os
import subprocess
import sys
import tempfile

COLUMNS = 15                 # dpdk-test-dma-perf's 11, p50, p99, p999, verified
NO_LATENCY = ("DMA_MEM_COPY", "CPU_MEM_COPY")
# case -> (type, scenarios) as layout.ini has them
EXPECT = {1: ("DMA_MEM_COPY", 1), 2: ("CPU_MEM_COPY", 2), 3: ("NETDMA_MEM_COPY", 1),
          4: ("NETDMA_CLIENT_COPY", 1), 5: ("CPU_MEM_COPY", 2), 6: ("DMA_MEM_COPY", 1),
          7: ("NETDMA_MEM_COPY", 1), 8: ("NETDMA_CLIENT_COPY", 1)}

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def check_csv(path):
    seen = {}
    case = None
    with open(path) as f:
        for line in f:
            fields = line.rstrip("\n").split(",")
            if line.startswith("Case "):
                head = fields[0].split()      # "Case", N, ":", TYPE
                case = (int(head[1]), head[3])
                seen[case[0]] = [case[1], 0]
                if len(fields) != COLUMNS:
                    fail("case %d header has %d columns" % (case[0], len(fields)))
            elif line.startswith("Scenario ") and "Summary" not in fields[0]:
                num, typ = case
                seen[num][1] += 1
                if len(fields) != COLUMNS:
                    fail("case %d row has %d fields: %s" % (num, len(fields), line.strip()))
                    continue
                lat, verified = fields[11:14], fields[14]
                if verified != "yes":
                    fail("case %d (%s) not verified: %s" % (num, typ, line.strip()))
                if typ in NO_LATENCY:
                    if lat != ["", "", ""]:
                        fail("case %d (%s) latency cells not blank: %s" % (num, typ, lat))
                else:
                    try:
                        ok = all(float(x) > 0 for x in lat)
                    except ValueError:
                        ok = False
                    if not ok:
                        fail("case %d (%s) latency cells not numbers: %s" % (num, typ, lat))
    for num, (typ, n) in EXPECT.items():
        got = seen.get(num)
        if got is None or got[0] != typ or got[1] != n:
            fail("case %d: expected %s with %d scenario(s), CSV has %s" % (num, typ, n, got))


def check_stdout(out):
    case = None
    for line in out.splitlines():
        if line.startswith("Case "):
            case = line.split()[2].rstrip(",")
        elif line.strip().startswith("buf "):
            has = "latency" in line
            if has != (case not in NO_LATENCY):
                fail("%s line %s latency: %s" % (case, "shows" if has else "lacks", line))


def check_refused(perf, ini, words):
    r = subprocess.run([perf, "--config", ini, "--smoke"], capture_output=True, text=True,
                       timeout=60)
    if r.returncode != 2:
        fail("%s: exit %d, not 2" % (os.path.basename(ini), r.returncode))
    for w in words:
        if w not in r.stderr:
            fail("%s: '%s' not in the message: %r" % (os.path.basename(ini), w, r.stderr))


def main():
    perf, d = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        csv = os.path.join(tmp, "layout.csv")
        r = subprocess.run([perf, "--config", os.path.join(d, "layout.ini"), "--smoke",
                            "--result", csv], capture_output=True, text=True, timeout=240)
        sys.stdout.write(r.stdout)
        if r.returncode != 0:
            fail("layout.ini: exit %d\n%s" % (r.returncode, r.stderr))
        check_stdout(r.stdout)
        if os.path.exists(csv):
            check_csv(csv)
        else:
            fail("no CSV written")
    check_refused(perf, os.path.join(d, "bad_layout.ini"), ["buf_layout", "pages"])
    check_refused(perf, os.path.join(d, "bad_mbuf_size.ini"),
                  ["buf_size", "buf_layout=contiguous"])
    print("layout_check: %d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
