"""``dathub plans parse FILE [--format json]``: a plan document printed as dathub.plan/1 JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import PlanDocumentError, parse_document


def _issue_line(issue: dict[str, object]) -> str:
    # where the cell is in the grid's own terms ("grid 6, objective 1, action 3")
    where = str(issue.get("where") or "") or ", ".join(
        f"{key} {issue[key]}"
        for key in ("sheet", "row", "line", "grid", "objective", "action")
        if issue.get(key) is not None
    )
    return f"{where}: {issue.get('why')}: {issue.get('text')!r}"


def main(argv: list[str]) -> int:
    """argv is what follows ``dathub plans``. Exit 0 with the JSON (even with issues), 2 when
    the file cannot be read as a plan."""
    parser = argparse.ArgumentParser(prog="dathub plans", description="Treatment plan documents")
    commands = parser.add_subparsers(dest="command", required=True)
    parse = commands.add_parser("parse", help="read a plan (.txt, .docx, .xlsx) and print JSON")
    parse.add_argument("file", type=Path)
    parse.add_argument("--format", choices=["json"], default="json")
    parse.add_argument("--financial-year", help="the plan's year when the file does not say")
    parse.add_argument(
        "--role", action="append", default=[], help="a role name of the partnership (repeatable)"
    )
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)

    path: Path = args.file
    try:
        data = path.read_bytes()
    except OSError as error:
        print(f"dathub plans parse: cannot read {path}: {error.strerror or error}", file=sys.stderr)
        return 2
    try:
        plan = parse_document(
            data, path.name, known_roles=args.role, financial_year=args.financial_year
        )
    except PlanDocumentError as error:
        print(f"dathub plans parse: {error}", file=sys.stderr)
        return 2
    print(json.dumps(plan, indent=2, ensure_ascii=False))
    for issue in plan.get("issues", []):
        print(f"issue: {_issue_line(issue)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
