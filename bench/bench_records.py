"""Benchmark the records engine on a national-scale synthetic file.

    .venv/bin/python bench/bench_records.py [--regenerate] [--repeat N] [--src DIR]

Generates (once, cached as ``bench/data/national.csv``) 150 partnerships, about 1.5 million
rows, then measures, each run in a fresh process so that peak memory (ru_maxrss) is its own:

- Python's ``csv`` module only reading the file (the yardstick);
- ``records check``: read + every check + the report, as the command does it;
- ``kpi compute`` for a financial year and its four quarters with every breakdown:
  read + check + journeys + indicators, each phase timed on its own.

Every step runs ``--repeat`` times (default 3, alternating steps so that a burst of load on a
shared machine spreads over all of them); the table shows the median wall-clock time, and the
process CPU time (user + system, all threads) of the same run, which a busy machine inflates
much less than wall-clock time. ``--src`` measures another copy of the ``src`` tree (e.g. an
older commit exported with ``git archive``) on the same file, for before/after figures.

Prints a markdown table.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "national.csv"
AS_OF = dt.date(2011, 3, 31)
SEED = 2011
sys.path.insert(0, os.environ.get("BENCH_SRC") or str(ROOT / "src"))


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class _Clock:
    """Wall-clock and CPU seconds of consecutive phases."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = _cpu()
        self.out: dict[str, float] = {}

    def lap(self, name: str) -> None:
        wall, cpu = time.perf_counter(), _cpu()
        self.out[f"{name}_wall"] = wall - self.wall
        self.out[f"{name}_cpu"] = cpu - self.cpu
        self.wall, self.cpu = wall, cpu


def step_generate() -> dict[str, float]:
    from dathub.performance.engine.generate import national_partnerships, write_csv

    DATA.parent.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    rows = write_csv(DATA, national_partnerships(), 5300, years=3, seed=SEED, as_of=AS_OF)
    return {"seconds": time.perf_counter() - t, "rows": rows, "peak_mib": _peak_mib()}


def step_csv() -> dict[str, float]:
    clock = _Clock()
    n = 0
    with DATA.open(encoding="utf-8", newline="") as fh:
        for _ in csv.reader(fh):
            n += 1
    clock.lap("total")
    return {**clock.out, "rows": n - 1, "peak_mib": _peak_mib()}


def step_check() -> dict[str, float]:
    from dathub.performance.engine.records import check_records, read_records

    clock = _Clock()
    raw = read_records(DATA)
    clock.lap("read")
    result = check_records(raw, as_of=AS_OF)
    del raw  # as when check_records reads the file itself
    report = result.report()
    clock.lap("check")
    out = clock.out
    return {
        **out,
        "total_wall": out["read_wall"] + out["check_wall"],
        "total_cpu": out["read_cpu"] + out["check_cpu"],
        "rows": report["rows"],
        "rejected": report["rejected"],
        "errors": len(report["errors"]),
        "peak_mib": _peak_mib(),
    }


def step_kpi() -> dict[str, float]:
    from dathub.performance.engine.indicators import compute_windows, financial_year_windows
    from dathub.performance.engine.journeys import build_journeys
    from dathub.performance.engine.records import check_records, read_records

    clock = _Clock()
    raw = read_records(DATA)
    clock.lap("read")
    result = check_records(raw, as_of=AS_OF)
    del raw
    clock.lap("check")
    journeys = build_journeys(result.used)
    clock.lap("journeys")
    out = compute_windows(journeys, financial_year_windows(2010))
    clock.lap("indicators")
    t = clock.out
    phases = ("read", "check", "journeys", "indicators")
    return {
        **t,
        "total_wall": sum(t[f"{p}_wall"] for p in phases),
        "total_cpu": sum(t[f"{p}_cpu"] for p in phases),
        "journeys": journeys.height,
        "output_rows": out.height,
        "partnerships": out["dat"].n_unique(),
        "peak_mib": _peak_mib(),
    }


STEPS: dict[str, Callable[[], dict[str, float]]] = {
    "generate": step_generate,
    "csv": step_csv,
    "check": step_check,
    "kpi": step_kpi,
}


def run(step: str, src: str | None = None) -> dict[str, float]:
    env = dict(os.environ)
    if src:
        env["BENCH_SRC"] = src
    proc = subprocess.run(
        [sys.executable, __file__, "--step", step],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run with the median total wall-clock time (its phases and CPU go with it)."""
    ordered = sorted(runs, key=lambda r: r["total_wall"])
    return ordered[(len(ordered) - 1) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--step", choices=sorted(STEPS))
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--src", default=None, help="another src tree to measure")
    parser.add_argument("--json", type=Path, default=None, help="also write every run here")
    args = parser.parse_args()
    if args.step:
        print(json.dumps(STEPS[args.step]()))
        return
    if args.regenerate or not DATA.exists():
        gen = run("generate")
        print(f"generated {gen['rows']:,} rows in {gen['seconds']:.1f} s", file=sys.stderr)
    size = DATA.stat().st_size / 2**20
    runs: dict[str, list[dict[str, float]]] = {"csv": [], "check": [], "kpi": []}
    for _ in range(max(1, args.repeat)):
        for step in runs:
            runs[step].append(run(step, args.src))
    if args.json:
        args.json.write_text(json.dumps(runs, indent=1))
    yard, check, kpi = (_median_run(runs[s]) for s in ("csv", "check", "kpi"))
    rows = yard["rows"]
    base = yard["total_wall"]

    def line(name: str, wall: float, cpu: float, peak: float | None = None) -> str:
        peak_text = "—" if peak is None else f"{peak:,.0f}"
        return (
            f"| {name} | {wall:.2f} | {cpu:.2f} | {rows / wall:,.0f} | {wall / base:.2f} "
            f"| {peak_text} |"
        )

    def spread(step: str) -> str:
        walls = sorted(r["total_wall"] for r in runs[step])
        return f"{walls[0]:.2f}–{walls[-1]:.2f}"

    after_check = ("journeys", "indicators")
    print(
        f"File: {rows:,} rows, {size:,.0f} MiB, {kpi['partnerships']:.0f} partnerships; "
        f"{check['rejected']:,.0f} rows rejected ({check['errors']:,.0f} errors); "
        f"{kpi['journeys']:,.0f} adult journeys; {kpi['output_rows']:,.0f} indicator rows. "
        f"Median of {len(runs['kpi'])} runs (wall-clock range: csv {spread('csv')} s, "
        f"check {spread('check')} s, kpi {spread('kpi')} s).\n"
    )
    print("| step | wall s | CPU s | rows/s (wall) | × csv read | peak MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    print(line("Python `csv` module: read only", base, yard["total_cpu"], yard["peak_mib"]))
    print(
        line(
            "`records check` (read + all checks + report)",
            check["total_wall"],
            check["total_cpu"],
            check["peak_mib"],
        )
    )
    print(line("… of which reading the file", check["read_wall"], check["read_cpu"]))
    print(line("… of which the checks", check["check_wall"], check["check_cpu"]))
    print(
        line(
            "`kpi compute` FY + 4 quarters, all breakdowns (total)",
            kpi["total_wall"],
            kpi["total_cpu"],
            kpi["peak_mib"],
        )
    )
    print(
        line(
            "… of which journeys + indicators (after checking)",
            sum(kpi[f"{p}_wall"] for p in after_check),
            sum(kpi[f"{p}_cpu"] for p in after_check),
        )
    )
    print(line("… of which journeys", kpi["journeys_wall"], kpi["journeys_cpu"]))
    print(line("… of which indicators, 5 windows", kpi["indicators_wall"], kpi["indicators_cpu"]))


if __name__ == "__main__":
    main()
