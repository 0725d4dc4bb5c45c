#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""
Checks usertools/netdma-perf-plot.py on plot-sample.csv, a real
test-netdma-perf --result file trimmed (case 4 dropped) with case 1's
latency cells blanked as a case that does not measure latency now writes
them (case 2 keeps the older 0.00).

  plot_check.py PLOT_SCRIPT SAMPLE_CSV

The figures read back from the sample (Summary rows, blank and 0.00
latency, worker counts), then the script itself: the four PNG files, the
same with two unknown trailing columns, a CSV with no latency and one worker
(two plots, two skip messages), and bad input (exit 2 and a message).
Exit 0 when all holds, 77 (skip) when matplotlib is not importable by the
script's interpreter, otherwise each failure on stderr and exit 1.
"""
import importlib.util
import os
import subprocess
import sys
import tempfile

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MIN_PNG = 10000          # a plot with axes and text; an empty figure is ~2 KB
failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)


def interpreter(script):
    with open(script) as f:
        first = f.readline()
    return first[2:].split() if first.startswith("#!") else [sys.executable]


def load(script):
    spec = importlib.util.spec_from_file_location("netdma_perf_plot", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_parsing(plot, sample):
    _, cases = plot.read_cases(sample)
    by_number = {c.number: c for c in cases}
    check(sorted(by_number) == [1, 2, 3, 5, 6, 7, 8, 9, 10], "cases read: %s" % sorted(by_number))
    for case in cases:
        if case.has_sizes():
            plot.derive_points(case)
    check(not by_number[10].has_sizes(), "the idle case taken for a copy case")
    raw, cpu, netdma, multi = by_number[1], by_number[2], by_number[3], by_number[6]
    check([p.size for p in raw.points] == [64, 512, 4096], "case 1 sizes")
    check(raw.points[2].gbps == 62.571 and raw.points[2].mops == 1.91, "case 1 4 KiB figures")
    check(all(v is None for p in raw.points + cpu.points for v in p.latency.values()),
          "blank or 0.00 latency read as measured")
    check(netdma.points[0].latency == {"p50": 2.02, "p99": 4.95, "p999": 10.34},
          "case 3 64 B latency: %s" % netdma.points[0].latency)
    check(multi.nb_workers() == 2 and [p.size for p in multi.points] == [64, 4096],
          "case 6: 2 workers at 64 and 4096 B")
    # the aggregate is the Summary row's, not a worker's or a sum of rows
    check(multi.points[0].mops == 27.314 and multi.points[0].gbps == 13.985,
          "case 6 64 B aggregate: %s" % multi.points[0].mops)
    check(multi.points[0].worker_mops == [13.279, 14.035], "case 6 64 B worker MOps")
    check(multi.points[0].latency == {"p50": 2.11, "p99": 2.87, "p999": 41.11},
          "case 6 64 B latency, the worst worker's: %s" % multi.points[0].latency)
    check(by_number[9].nb_workers() == 4 and by_number[9].points[0].mops == 6.54,
          "case 9: 4 workers, 6.54 MOps")
    series = plot.worker_series([c for c in cases if c.has_sizes()])
    check(sorted(series) == [("NETDMA_MEM_COPY", "cpu", 64), ("NETDMA_MEM_COPY", "cpu", 4096),
                             ("NETDMA_MEM_COPY", "dma_skeleton", 64)],
          "series against N (only where N varies): %s" % sorted(series))
    check(series.get(("NETDMA_MEM_COPY", "dma_skeleton", 64)) == {1: 6.838, 2: 6.312, 4: 6.54},
          "dma_skeleton 64 B against N: %s" % series)


def case6_64(plot, path):
    _, cases = plot.read_cases(path)
    case = next(c for c in cases if c.number == 6)
    plot.derive_points(case)
    return case.points[0]


def check_aggregates(plot, sample, tmp):
    """A Summary row's figures are taken over the workers' sum (they differ
    here), and the sum stands in where there is no Summary row."""
    edited = write_variant(sample, os.path.join(tmp, "summary.csv"), keep_cases={6},
                           edit=lambda l: l.replace(",13.985,27.314", ",20.000,40.000"))
    point = case6_64(plot, edited)
    check((point.gbps, point.mops) == (20.0, 40.0), "Summary row not taken: %s" % point.mops)
    dropped = write_variant(sample, os.path.join(tmp, "nosummary.csv"), keep_cases={6},
                            edit=lambda l: "" if "Summary" in l else l)
    point = case6_64(plot, dropped)
    check(point.mops is not None and abs(point.mops - (13.279 + 14.035)) < 1e-9,
          "no Summary row: the workers' sum: %s" % point.mops)


def run(script, *args):
    return subprocess.run([script] + list(args), capture_output=True, text=True)


def check_pngs(result, out_dir, stem, kinds, what):
    check(result.returncode == 0, "%s: exit %d: %s" % (what, result.returncode, result.stderr))
    expected = [os.path.join(out_dir, "%s-%s.png" % (stem, k)) for k in kinds]
    check(result.stdout.split() == expected, "%s: printed %r" % (what, result.stdout))
    for path in expected:
        data = open(path, "rb").read() if os.path.exists(path) else b""
        check(data[:8] == PNG_MAGIC, "%s: %s is not a PNG" % (what, path))
        check(len(data) >= MIN_PNG, "%s: %s has %d bytes" % (what, path, len(data)))


def write_variant(sample, path, keep_cases=None, extra=("", ""), edit=lambda line: line):
    """The sample with only some cases, extra cells on the Case and Scenario
    lines (extra[0], extra[1]), each line through edit()."""
    case, out = None, []
    with open(sample) as f:
        for line in f.read().splitlines():
            if line.startswith("Case "):
                case = int(line.split()[1])
            if keep_cases and case is not None and case not in keep_cases:
                continue
            if case is not None:
                line += extra[0] if line.startswith("Case ") else extra[1]
            out.append(edit(line))
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return path


def check_cli(script, sample, tmp):
    all_four = ("bandwidth", "mops", "latency", "scaling")
    check_pngs(run(script, "--out-dir", tmp, "--title", "sample", sample), tmp,
               "plot-sample", all_four, "the sample")
    # two new columns, and a third cell no header names
    extra = write_variant(sample, os.path.join(tmp, "extra.csv"),
                          extra=(",later(us),x", ",1.5,,overflow"))
    check_pngs(run(script, extra), tmp, "extra", all_four, "two extra columns")

    single = write_variant(sample, os.path.join(tmp, "single.csv"), keep_cases={1, 2})
    result = run(script, single)
    check_pngs(result, tmp, "single", ("bandwidth", "mops"), "raw and CPU only")
    check("no case measures latency" in result.stderr and "several workers" in result.stderr,
          "raw and CPU only: skip messages: %r" % result.stderr)
    check(not os.path.exists(os.path.join(tmp, "single-latency.png")), "a latency plot of nothing")

    notcsv = os.path.join(tmp, "notcsv.csv")
    with open(notcsv, "w") as f:
        f.write("name,value\na,1\n")
    idle = write_variant(sample, os.path.join(tmp, "idle.csv"), keep_cases={10})
    for path, message in ((os.path.join(tmp, "missing.csv"), "no such file"),
                          (notcsv, "not a test-netdma-perf CSV"),
                          (idle, "no case with figures")):
        result = run(script, path)
        check(result.returncode == 2 and message in result.stderr and path in result.stderr,
              "%s: exit %d, %r" % (path, result.returncode, result.stderr))
    result = run(script)
    check(result.returncode == 2, "no argument: exit %d" % result.returncode)


def main():
    script, sample = sys.argv[1], os.path.abspath(sys.argv[2])
    probe = subprocess.run(interpreter(script) + ["-c", "import matplotlib"], capture_output=True)
    if probe.returncode != 0:
        print("SKIP: matplotlib is not importable by %s" % " ".join(interpreter(script)))
        return 77
    plot = load(script)
    check_parsing(plot, sample)
    with tempfile.TemporaryDirectory(prefix="netdma-plot-") as tmp:
        check_aggregates(plot, sample, tmp)
        check_cli(script, sample, tmp)
    for what in failures:
        print("FAIL: " + what, file=sys.stderr)
    print("perf-plot: %d passed, %d failed" % (checks - len(failures), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
