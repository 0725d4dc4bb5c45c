#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# /usr/bin/python3: the interpreter Debian's python3-matplotlib is installed for.
"""Plot a test-netdma-perf result CSV (--result OUT.csv) as PNG files.

For each CSV, next to it (or in --out-dir), named after its stem:
  STEM-bandwidth.png  Gbps against buffer size, one line per case
  STEM-mops.png       MOps against buffer size, one line per case
  STEM-latency.png    p50/p99/p999 against buffer size, one panel per case
                      that measures latency (NetDMA cases)
  STEM-scaling.png    cases with several workers: each worker's part of the
                      aggregate MOps; and aggregate MOps against the number
                      of workers where one type/device ran at several counts

Columns are found by their header names, so blank cells (a figure a case
does not measure) and extra columns are tolerated.  Needs python3-matplotlib.
"""

import argparse
import csv
import math
import os
import re
import sys

PROG = "netdma-perf-plot"
CASE_RE = re.compile(r"^Case\s+(\d+)\s*:\s*(\S+)$")
SCENARIO_RE = re.compile(r"^Scenario\s+(\d+)(\s+Summary)?$", re.IGNORECASE)
PERCENTILES = ("p50", "p99", "p999")

# How each case type is drawn: legend name, colour map (one shade per case
# of that type), marker, short name under a bar.
KINDS = {
    "DMA_MEM_COPY": ("raw dmadev", "Blues", "s", "raw"),
    "CPU_MEM_COPY": ("CPU copy", "Oranges", "^", "CPU"),
    "NETDMA_MEM_COPY": ("NetDMA in-process", "Greens", "o", "in-process"),
    "NETDMA_CLIENT_COPY": ("NetDMA through netdmad", "Reds", "D", "netdmad"),
}
OTHER_KIND = ("other", "Greys", "x", "other")


class CsvError(Exception):
    """The file cannot be plotted; the message says why."""


class Case:
    """One "Case N : TYPE" block: its columns and its Scenario rows."""

    def __init__(self, number, kind, columns):
        self.number = number
        self.kind = kind
        self.columns = [column_key(c) for c in columns]
        self.workers = {}   # scenario number -> [row dict, one per worker]
        self.summary = {}   # scenario number -> row dict
        self.points = []    # Point list, by buffer size, filled by derive_points()

    def add_row(self, scenario, is_summary, cells):
        row = dict(zip(self.columns, cells))   # extra cells dropped, missing absent
        if is_summary:
            self.summary[scenario] = row
        else:
            self.workers.setdefault(scenario, []).append(row)

    def has_sizes(self):
        return "buffersize(b)" in self.columns and "mops" in self.columns

    def nb_workers(self):
        return max((len(rows) for rows in self.workers.values()), default=0)

    def device(self):
        for rows in self.workers.values():
            for row in rows:
                if row.get("dma"):
                    return row["dma"]
        return ""

    def verified(self):
        return all(row.get("verified", "yes") in ("yes", "")
                   for rows in self.workers.values() for row in rows)

    def label(self):
        text = "case %d: %s" % (self.number, KINDS.get(self.kind, (self.kind,))[0])
        if self.device():
            text += ", " + self.device()
        if self.nb_workers() > 1:
            text += ", %d workers" % self.nb_workers()
        return text if self.verified() else text + " [NOT VERIFIED]"


class Point:
    """One buffer size of a case: the aggregate and each worker's figures."""

    def __init__(self, size, gbps, mops, worker_mops, latency):
        self.size = size
        self.gbps = gbps
        self.mops = mops
        self.worker_mops = worker_mops
        self.latency = latency   # percentile -> us, None where not measured


def column_key(name):
    """'buffer size(B)' -> 'buffersize(b)': spacing and case do not matter."""
    return re.sub(r"\s+", "", name).lower()


def number(row, key):
    """The cell as a float, or None if absent, blank or not a finite number."""
    try:
        value = float((row or {}).get(key, ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_cases(path):
    """Parse one CSV into (CPU frequency text, [Case]); CsvError if it is not one."""
    try:
        with open(path, newline="") as f:
            rows = [[cell.strip() for cell in row] for row in csv.reader(f)]
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise CsvError("cannot read: %s" % e) from e
    rows = [row for row in rows if any(row)]
    if not rows or not rows[0][0].startswith("Test Environment"):
        raise CsvError("not a test-netdma-perf CSV (it does not start with 'Test Environment:')")
    freq, cases = "", []
    for line, row in enumerate(rows[1:], start=2):
        head = row[0]
        case = CASE_RE.match(head)
        scenario = SCENARIO_RE.match(head)
        if head.startswith("CPU frequency") and len(row) > 1:
            freq = row[1]
        elif case:
            cases.append(Case(int(case.group(1)), case.group(2), row[1:]))
        elif scenario and cases:
            cases[-1].add_row(int(scenario.group(1)), bool(scenario.group(2)), row[1:])
        elif scenario:
            print("%s: %s: a Scenario row before any Case header, ignored" % (PROG, path),
                  file=sys.stderr)
    if not cases:
        raise CsvError("no cases found")
    return freq, cases


def aggregate(summary, rows, key):
    """The Summary row's figure, else the workers' sum (None if any is missing)."""
    value = number(summary, key)
    if value is not None:
        return value
    values = [number(row, key) for row in rows]
    return sum(values) if values and None not in values else None


def worst_latency(rows, key):
    """The highest of the workers' figures; 0 or blank means not measured."""
    values = [v for v in (number(row, key) for row in rows) if v is not None and v > 0]
    return max(values) if values else None


def derive_points(case):
    """One Point per scenario (buffer size) of the case, in size order."""
    points = []
    for scenario, rows in case.workers.items():
        size = next((s for s in (number(r, "buffersize(b)") for r in rows) if s), None)
        if size is None or size <= 0:
            continue
        summary = case.summary.get(scenario)
        gbps = aggregate(summary, rows, "bandwidth(gbps)")
        mops = aggregate(summary, rows, "mops")
        if gbps is None and mops is None:
            continue
        latency = {p: worst_latency(rows, p + "(us)") for p in PERCENTILES}
        points.append(Point(size, gbps, mops, [number(r, "mops") for r in rows], latency))
    case.points = sorted(points, key=lambda p: p.size)


def case_styles(cases, colormaps):
    """Colour and marker by type (a shade per case), dashed on a dmadev."""
    styles, seen = {}, {}
    for case in cases:
        seen.setdefault(case.kind, []).append(case)
    for kind, members in seen.items():
        _, cmap, marker, _ = KINDS.get(kind, OTHER_KIND)
        for i, case in enumerate(members):
            shade = 0.75 if len(members) == 1 else 0.45 + 0.5 * i / (len(members) - 1)
            solid = case.device() in ("", "cpu")
            styles[case.number] = dict(color=colormaps[cmap](shade), marker=marker,
                                       linestyle="-" if solid else "--")
    return styles


def size_text(size):
    for unit, scale in (("M", 1 << 20), ("K", 1 << 10)):
        if size >= scale and size % scale == 0:
            return "%d%s" % (size // scale, unit)
    return "%d" % size


def log2_axis(ax, values, fmt=size_text):
    """A log2 x axis labelled at the values plotted."""
    ax.set_xscale("log", base=2)
    ticks = sorted(set(values))
    ax.set_xticks(ticks)
    ax.set_xticklabels([fmt(int(t)) for t in ticks])
    ax.minorticks_off()


def plot_against_size(plt, cases, styles, attr, ylabel, logy, title, path):
    """One line per case of a Point attribute against buffer size; False if empty."""
    fig, ax = plt.subplots(figsize=(8, 5))
    sizes = []
    for case in cases:
        xy = [(p.size, getattr(p, attr)) for p in case.points if getattr(p, attr) is not None]
        if xy:
            ax.plot(*zip(*xy), label=case.label(), **styles[case.number])
            sizes += [x for x, _ in xy]
    if sizes:
        log2_axis(ax, sizes)
        ax.set_xlabel("buffer size (B)")
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize="medium")
        if logy:
            ax.set_yscale("log")
        else:
            ax.set_ylim(bottom=0)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
        fig.tight_layout()
        fig.savefig(path, dpi=100)
    plt.close(fig)
    return bool(sizes)


def plot_latency(plt, cases, title, path):
    """A panel per case that measures latency; False if no case does."""
    measured = [c for c in cases if any(v for p in c.points for v in p.latency.values())]
    if not measured:
        return False
    ncols = min(3, len(measured))
    nrows = math.ceil(len(measured) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3.4 * nrows),
                             sharey=True, squeeze=False)
    for ax, case in zip(axes.flat, measured):
        for pct, style in zip(PERCENTILES, ("o-", "s--", "^:")):
            xy = [(p.size, p.latency[pct]) for p in case.points if p.latency[pct]]
            if xy:
                ax.plot(*zip(*xy), style, label=pct)
        log2_axis(ax, [p.size for p in case.points])
        ax.set_yscale("log")
        ax.set_title(case.label(), fontsize="small")
        ax.set_xlabel("buffer size (B)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="x-small")
    for ax in axes.flat[len(measured):]:
        ax.set_visible(False)
    for row in axes:
        row[0].set_ylabel("latency (us, worst worker)")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def worker_series(cases):
    """(type, device, size) -> {workers: aggregate MOps}, kept where the count varies."""
    series = {}
    for case in cases:
        for p in case.points:
            if p.mops is not None:
                key = (case.kind, case.device(), p.size)
                series.setdefault(key, {}).setdefault(case.nb_workers(), p.mops)
    return {k: v for k, v in series.items() if len(v) > 1}


def draw_shares(ax, multi):
    """Stacked bars: each worker's MOps, its share of the sum written on it."""
    labels = []
    for x, (case, p) in enumerate(multi):
        bottom, total = 0.0, sum(m for m in p.worker_mops if m)
        for w, mops in enumerate(p.worker_mops):
            if not mops:
                continue
            ax.bar(x, mops, bottom=bottom, color="C%d" % (w % 10), edgecolor="white")
            if mops > 0.06 * total:
                ax.text(x, bottom + mops / 2, "%.0f%%" % (100 * mops / total),
                        ha="center", va="center", fontsize="x-small")
            bottom += mops
        if p.mops is not None:
            ax.text(x, bottom, "%.2f" % p.mops, ha="center", va="bottom", fontsize="small")
        labels.append("case %d %s\n%s\n%s B" % (case.number, KINDS.get(case.kind, OTHER_KIND)[3],
                                                case.device() or "CPU", size_text(int(p.size))))
    ax.set_xticks(range(len(multi)))
    ax.set_xticklabels(labels, fontsize="x-small")
    ax.set_ylabel("MOps (stacked per worker; % of the sum)")
    ax.set_title("several workers: aggregate and each worker's part", fontsize="medium")
    ax.margins(y=0.12)


def draw_series(ax, series):
    """Aggregate MOps against the number of workers, one line per type/device/size."""
    counts = []
    for (kind, dev, size), by_n in sorted(series.items()):
        ns = sorted(by_n)
        name, _, marker, _ = KINDS.get(kind, OTHER_KIND)
        ax.plot(ns, [by_n[n] for n in ns], marker=marker,
                label="%s, %s, %s B" % (name, dev or "CPU", size_text(int(size))))
        counts += ns
    log2_axis(ax, counts, fmt=str)
    ax.set_xlabel("workers (channels or clients)")
    ax.set_ylabel("aggregate MOps")
    ax.set_ylim(bottom=0)
    ax.set_title("aggregate against worker count", fontsize="medium")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")


def plot_scaling(plt, cases, title, path):
    """Worker shares and, where there is one, the aggregate-against-N panel.

    Returns (written, message about what was left out or None)."""
    multi = [(c, p) for c in cases if c.nb_workers() > 1 for p in c.points]
    if not multi:
        return False, "no case with several workers: no scaling plot"
    series = worker_series(cases)
    fig, axes = plt.subplots(1, 2 if series else 1, squeeze=False,
                             figsize=(max(6.0, 1.4 * len(multi) + 2) + (6 if series else 0), 5))
    draw_shares(axes[0][0], multi)
    if series:
        draw_series(axes[0][1], series)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    note = None if series else "no type/device at several worker counts: no aggregate-against-N panel"
    return True, note


def load_pyplot():
    try:
        import matplotlib
        matplotlib.use("Agg")   # files only, no display
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise CsvError("needs matplotlib (Debian: apt-get install python3-matplotlib): %s" % e)
    return plt


def plot_file(plt, path, out_dir, title):
    """Every plot for one CSV; returns the paths written.  CsvError if none can be."""
    freq, cases = read_cases(path)
    copies = [c for c in cases if c.has_sizes()]
    for case in copies:
        derive_points(case)
    copies = [c for c in copies if c.points]
    if not copies:
        raise CsvError("no case with figures per buffer size (idle cases only, or every scenario failed)")
    stem = os.path.splitext(os.path.basename(path))[0]
    out_dir = out_dir or os.path.dirname(os.path.abspath(path))
    os.makedirs(out_dir, exist_ok=True)
    title = (title or stem) + (" (TSC %s)" % freq if freq else "")
    styles = case_styles(copies, plt.colormaps)
    target = lambda what: os.path.join(out_dir, "%s-%s.png" % (stem, what))
    written = []
    for attr, what, ylabel, logy in (("gbps", "bandwidth", "bandwidth (Gbps)", False),
                                     ("mops", "mops", "MOps", True)):
        if plot_against_size(plt, copies, styles, attr, ylabel, logy,
                             "%s: %s against buffer size" % (title, ylabel), target(what)):
            written.append(target(what))
    if plot_latency(plt, copies, "%s: latency, Append to completion" % title, target("latency")):
        written.append(target("latency"))
    else:
        print("%s: %s: no case measures latency: no latency plot" % (PROG, path), file=sys.stderr)
    done, note = plot_scaling(plt, copies, "%s: scaling" % title, target("scaling"))
    if done:
        written.append(target("scaling"))
    if note:
        print("%s: %s: %s" % (PROG, path, note), file=sys.stderr)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="netdma-perf-plot.py",
        description="Plot test-netdma-perf result CSVs (--result OUT.csv) as PNG files "
                    "next to each CSV: STEM-bandwidth.png, STEM-mops.png, "
                    "STEM-latency.png, STEM-scaling.png.")
    parser.add_argument("csv", nargs="+", metavar="CSV", help="a test-netdma-perf --result file")
    parser.add_argument("--out-dir", metavar="DIR", help="write the PNG files here instead")
    parser.add_argument("--title", metavar="T", help="title of the plots (default: the CSV's stem)")
    args = parser.parse_args(argv)
    status = 0
    try:
        plt = load_pyplot()
    except CsvError as e:
        print("%s: %s" % (PROG, e), file=sys.stderr)
        return 2
    for path in args.csv:
        try:
            if not os.path.isfile(path):
                raise CsvError("no such file")
            for png in plot_file(plt, path, args.out_dir, args.title):
                print(png)
        except (CsvError, OSError) as e:
            print("%s: %s: %s" % (PROG, path, e), file=sys.stderr)
            status = 2
    return status


if __name__ == "__main__":
    sys.exit(main())
