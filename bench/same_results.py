"""Check that two versions of the engine give exactly the same results on the same files.

    # export the older engine (read-only git): a tree with dathub/performance/engine/*.py
    .venv/bin/python bench/same_results.py dump --src /tmp/old_src --out /tmp/old FILE.csv ...
    .venv/bin/python bench/same_results.py dump --out /tmp/new FILE.csv ...
    .venv/bin/python bench/same_results.py compare /tmp/old /tmp/new

``dump`` writes, per file, the accepted, rejected and error tables, the report, the journeys
and the indicators of two financial years with their quarters and three rolling years (also
from a shuffled copy of the journeys) as Parquet/JSON; ``compare`` asserts every table equal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2011, 3, 31)


def dump(files: list[Path], out: Path) -> None:
    from dathub.performance.engine import indicators as ind
    from dathub.performance.engine.journeys import build_journeys
    from dathub.performance.engine.records import check_records

    windows = (
        ind.financial_year_windows(2009)
        + ind.financial_year_windows(2010)
        + ind.rolling_12_months(dt.date(2010, 12, 31), 3)
    )
    for path in files:
        target = out / path.stem
        target.mkdir(parents=True, exist_ok=True)
        result = check_records(path, as_of=AS_OF)
        result.accepted.write_parquet(target / "accepted.parquet")
        result.rejected.write_parquet(target / "rejected.parquet")
        result.errors.write_parquet(target / "errors.parquet")
        (target / "report.json").write_text(json.dumps(result.report()))
        journeys = build_journeys(result.used)
        journeys.write_parquet(target / "journeys.parquet")
        ind.compute_windows(journeys, windows).write_parquet(target / "indicators.parquet")
        shuffled = journeys.sample(fraction=1.0, shuffle=True, seed=1)
        ind.compute_windows(shuffled, windows).write_parquet(target / "shuffled.parquet")
        print(f"{path}: {result.rows} rows, {journeys.height} journeys")


def compare(a: Path, b: Path) -> int:
    import polars as pl
    from polars.testing import assert_frame_equal

    failed = 0
    for left in sorted(p for p in a.iterdir() if p.is_dir()):
        right = b / left.name
        for table in sorted(left.iterdir()):
            other = right / table.name
            try:
                if table.suffix == ".json":
                    assert json.loads(table.read_text()) == json.loads(other.read_text())
                else:
                    assert_frame_equal(pl.read_parquet(table), pl.read_parquet(other))
            except (AssertionError, FileNotFoundError) as exc:
                failed += 1
                print(f"DIFFERENT {left.name}/{table.name}: {str(exc)[:300]}")
        print(f"compared {left.name}")
    print("same results" if not failed else f"{failed} table(s) differ")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--src", default=None, help="src tree to import the engine from")
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("files", type=Path, nargs="+")
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        sys.path.insert(0, args.src or os.environ.get("BENCH_SRC") or str(ROOT / "src"))
        dump(args.files, args.out)
        return 0
    return compare(args.a, args.b)


if __name__ == "__main__":
    raise SystemExit(main())
