"""Benchmark the records engine on a national-scale synthetic file.

    .venv/bin/python bench/bench_records.py [--regenerate]

Generates (once, cached as ``bench/data/national.csv``) 150 partnerships, about 1.5 million
rows, then measures, each step in a fresh process so that peak memory (ru_maxrss) is its own:

- Python's ``csv`` module only reading the file (the yardstick);
- ``records check`` (read + every check);
- ``kpi compute`` for a financial year and its four quarters with every breakdown:
  read + check + journeys + indicators, with the part after checking shown separately.

Prints a markdown table.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "national.csv"
AS_OF = dt.date(2011, 3, 31)
SEED = 2011
sys.path.insert(0, str(ROOT / "src"))


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def step_generate() -> dict[str, float]:
    from dathub.performance.engine.generate import national_partnerships, write_csv

    DATA.parent.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    rows = write_csv(DATA, national_partnerships(), 5300, years=3, seed=SEED, as_of=AS_OF)
    return {"seconds": time.perf_counter() - t, "rows": rows, "peak_mib": _peak_mib()}


def step_csv() -> dict[str, float]:
    t = time.perf_counter()
    n = 0
    with DATA.open(encoding="utf-8", newline="") as fh:
        for _ in csv.reader(fh):
            n += 1
    return {"seconds": time.perf_counter() - t, "rows": n - 1, "peak_mib": _peak_mib()}


def step_check() -> dict[str, float]:
    from dathub.performance.engine.records import check_records

    t = time.perf_counter()
    result = check_records(DATA, as_of=AS_OF)
    report = result.report()
    return {
        "seconds": time.perf_counter() - t,
        "rows": report["rows"],
        "rejected": report["rejected"],
        "errors": len(report["errors"]),
        "peak_mib": _peak_mib(),
    }


def step_kpi() -> dict[str, float]:
    from dathub.performance.engine.indicators import compute_windows, financial_year_windows
    from dathub.performance.engine.journeys import build_journeys
    from dathub.performance.engine.records import check_records

    t0 = time.perf_counter()
    result = check_records(DATA, as_of=AS_OF)
    t1 = time.perf_counter()
    journeys = build_journeys(result.used)
    t2 = time.perf_counter()
    out = compute_windows(journeys, financial_year_windows(2010))
    t3 = time.perf_counter()
    return {
        "seconds": t3 - t0,
        "check_seconds": t1 - t0,
        "journeys_seconds": t2 - t1,
        "indicators_seconds": t3 - t2,
        "journeys": journeys.height,
        "output_rows": out.height,
        "partnerships": out["dat"].n_unique(),
        "peak_mib": _peak_mib(),
    }


STEPS = {"generate": step_generate, "csv": step_csv, "check": step_check, "kpi": step_kpi}


def run(step: str) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, __file__, "--step", step], capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step", choices=sorted(STEPS))
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    if args.step:
        print(json.dumps(STEPS[args.step]()))
        return
    if args.regenerate or not DATA.exists():
        gen = run("generate")
        print(f"generated {gen['rows']:,} rows in {gen['seconds']:.1f} s", file=sys.stderr)
    size = DATA.stat().st_size / 2**20
    yard = run("csv")
    check = run("check")
    kpi = run("kpi")
    rows = yard["rows"]
    after_check = kpi["journeys_seconds"] + kpi["indicators_seconds"]

    def line(name: str, seconds: float, peak: float | str) -> str:
        rate = f"{rows / seconds:,.0f}"
        ratio = f"{seconds / yard['seconds']:.2f}"
        peak_text = peak if isinstance(peak, str) else f"{peak:,.0f}"
        return f"| {name} | {seconds:.2f} | {rate} | {ratio} | {peak_text} |"

    print(
        f"File: {rows:,} rows, {size:,.0f} MiB, {kpi['partnerships']} partnerships; "
        f"{check['rejected']:,} rows rejected ({check['errors']:,} errors); "
        f"{kpi['journeys']:,} adult journeys; {kpi['output_rows']:,} indicator rows.\n"
    )
    print("| step | seconds | rows/s | × csv read | peak MiB |")
    print("|---|---:|---:|---:|---:|")
    print(line("Python `csv` module: read only", yard["seconds"], yard["peak_mib"]))
    print(line("`records check` (read + all checks)", check["seconds"], check["peak_mib"]))
    print(
        line(
            "`kpi compute` FY + 4 quarters, all breakdowns (total)", kpi["seconds"], kpi["peak_mib"]
        )
    )
    print(line("… of which journeys + indicators (after checking)", after_check, "—"))
    print(line("… of which journeys", kpi["journeys_seconds"], "—"))
    print(line("… of which indicators, 5 windows", kpi["indicators_seconds"], "—"))


if __name__ == "__main__":
    main()
