"""`dathub plans import FILE --partnership CODE`: store a plan document as a draft plan."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dathub plans import")
    parser.add_argument("command", choices=["import"])
    parser.add_argument("file", type=Path)
    parser.add_argument("--partnership", required=True, help="partnership code, e.g. N01A")
    parser.add_argument("--financial-year", default="", help="when the document does not say")
    parser.add_argument(
        "--as",
        dest="actor",
        default="",
        help="e-mail of the person importing (default: a site administrator)",
    )
    args = parser.parse_args(argv)

    from django.core.exceptions import ValidationError

    from dathub.tenancy.models import Partnership, User

    from . import services

    if not args.file.is_file():
        print(f"dathub plans import: no such file: {args.file}", file=sys.stderr)
        return 2
    partnership = Partnership.objects.filter(code__iexact=args.partnership).first()
    if partnership is None:
        print(f"dathub plans import: no partnership with code {args.partnership}", file=sys.stderr)
        return 2
    actor = (
        User.objects.filter(email__iexact=args.actor).first()
        if args.actor
        else User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    )
    if actor is None:
        print(
            "dathub plans import: no such user; create a site administrator first "
            "(dathub createadmin) or pass --as EMAIL",
            file=sys.stderr,
        )
        return 2
    try:
        staged = services.plan_import_stage(
            actor=actor,
            partnership=partnership,
            filename=args.file.name,
            data=args.file.read_bytes(),
            financial_year=args.financial_year,
        )
        plan = services.plan_import_confirm(actor=actor, plan_import=staged)
    except ValidationError as exc:
        print(
            "dathub plans import: nothing was imported: " + " ".join(exc.messages), file=sys.stderr
        )
        return 1
    for issue in staged.issues:
        print(f"not understood: {issue}", file=sys.stderr)
    grids = plan.grids.count()
    print(
        f"Imported ‘{plan}’ ({plan.financial_year}) into {partnership.code} as draft plan "
        f"{plan.pk}: {grids} grid(s), {len(staged.issues)} cell(s) not understood."
    )
    return 0
