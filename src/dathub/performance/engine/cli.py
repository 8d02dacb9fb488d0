"""``dathub records ...`` and ``dathub kpi ...`` on files, without a database.

``records check`` exits 0 when every row is accepted, 1 when some are rejected (the report
says which), 2 for a usage or file error. ``kpi compute`` exits 0, or 2 for a usage or file
error. Nothing client-level is printed: only the report (line numbers, fields, codes) and
aggregate figures; rejected rows go only to the file named by ``--rejected``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import generate as gen
from .check_result import write_rejected_csv
from .indicators import COUNT_INDICATORS, compute_indicators, value_text
from .journeys import build_journeys
from .prevalence import read_prevalence
from .reading import RecordsFileError
from .records import check_records
from .suppression import suppress


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """Raise instead of exiting, so the main functions can return 2."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: {message}")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD: {text!r}") from None


def _existing(text: str) -> Path:
    p = Path(text)
    if not p.is_file():
        raise argparse.ArgumentTypeError(f"file not found: {text}")
    return p


def _run(parser: argparse.ArgumentParser, argv: Sequence[str]) -> int:
    try:
        args = parser.parse_args(list(argv))
    except _UsageError as exc:
        print(parser.format_usage().rstrip(), file=sys.stderr)
        print(str(exc), file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    try:
        result: int = args.func(args)
        return result
    except (RecordsFileError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


# ---------------------------------------------------------------------------------------------
# records


def _records_check(args: argparse.Namespace) -> int:
    result = check_records(args.file, as_of=args.as_of)
    if args.rejected:
        write_rejected_csv(result, args.rejected)
    print(json.dumps(result.report(), indent=None))
    return 1 if result.rejected.height else 0


def _records_generate(args: argparse.Namespace) -> int:
    if args.national:
        partnerships = gen.national_partnerships()
        people = args.people or gen.NATIONAL_PEOPLE
    else:
        partnerships = [p.strip().upper() for p in args.partnerships.split(",") if p.strip()]
        people = args.people or 200
    if not partnerships:
        raise ValueError("no partnership codes given")
    if people < 1 or args.years < 1:
        raise ValueError("--people and --years must be at least 1")
    rows = gen.write_csv(
        args.out,
        partnerships,
        people_per_partnership=people,
        years=args.years,
        seed=args.seed,
        as_of=args.as_of,
    )
    print(f"wrote {rows} rows for {len(partnerships)} partnership(s) to {args.out}")
    return 0


def records_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dathub records", description="Check or generate treatment records.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = sub.add_parser("check", help="check a records file; JSON report on stdout")
    check.add_argument("file", type=_existing, help="records file (.csv or .xlsx)")
    check.add_argument("--as-of", type=_date, default=None, help="submission date (default today)")
    check.add_argument(
        "--rejected", type=Path, default=None, help="also write the rejected rows to this CSV"
    )
    check.set_defaults(func=_records_check)
    make = sub.add_parser("generate", help="write synthetic records (no real people)")
    which = make.add_mutually_exclusive_group()
    which.add_argument("--partnerships", default="N01A,E02B", help="comma-separated DAT codes")
    which.add_argument(
        "--national", action="store_true", help="150 partnerships, about 1.5 million rows"
    )
    make.add_argument("--people", type=int, default=None, help="people per partnership")
    make.add_argument("--years", type=int, default=3)
    make.add_argument("--seed", type=int, default=0)
    make.add_argument("--as-of", type=_date, default=None, help="last date in the data")
    make.add_argument("--out", type=Path, required=True)
    make.set_defaults(func=_records_generate)
    return parser


def records_main(argv: list[str]) -> int:
    """``dathub records check|generate ...``; ``argv`` is what follows ``dathub records``."""
    return _run(records_parser(), argv)


# ---------------------------------------------------------------------------------------------
# kpi


def _json_value(row: dict[str, Any]) -> int | float | str | None:
    value = row["value"]
    if value is None:
        return None
    if row["indicator"] in COUNT_INDICATORS:
        return int(row["numerator"])
    assert isinstance(value, Decimal)
    return float(value)  # one decimal place: float's shortest repr prints it exactly


def _kpi_compute(args: argparse.Namespace) -> int:
    if args.to < args.from_:
        raise ValueError("--to is before --from")
    prevalence = read_prevalence(args.prevalence) if args.prevalence else None
    result = check_records(args.file, as_of=args.as_of)
    table = compute_indicators(build_journeys(result.used), args.from_, args.to, prevalence)
    if args.suppress:
        text = suppress(table)
    else:
        text = table.with_columns(value_text().alias("value"))
    if args.format == "json":
        if args.suppress:
            rows: list[dict[str, Any]] = text.to_dicts()
        else:
            rows = [{**r, "value": _json_value(r)} for r in table.to_dicts()]
        print(json.dumps(rows))
    else:
        sys.stdout.write(text.write_csv(line_terminator="\n"))
    return 0


def kpi_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dathub kpi", description="Compute performance indicators.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    comp = sub.add_parser("compute", help="indicators for a window [--from, --to]")
    comp.add_argument("file", type=_existing, help="records file (.csv or .xlsx)")
    comp.add_argument("--from", dest="from_", type=_date, required=True)
    comp.add_argument("--to", type=_date, required=True)
    comp.add_argument("--as-of", type=_date, default=None, help="submission date (default today)")
    comp.add_argument("--prevalence", type=_existing, default=None, help="DAT,FINYEAR,OCU_ESTIMATE")
    comp.add_argument("--format", choices=("csv", "json"), default="csv")
    comp.add_argument(
        "--suppress", action="store_true", help="suppress small numbers, as for publication"
    )
    comp.set_defaults(func=_kpi_compute)
    return parser


def kpi_main(argv: list[str]) -> int:
    """``dathub kpi compute ...``; ``argv`` is what follows ``dathub kpi``."""
    return _run(kpi_parser(), argv)
