"""`dathub records import FILE --partnership CODE [--agency CODE] [--month YYYY-MM] [--replace]`.

Stores the file as the submission of one agency for one reporting month (replacing the
current one as a whole), checks it now, recomputes the figures and prints the spec's report
as JSON (nothing client-level is printed). Exit status: 0 when every row was accepted, 1
when some were rejected (the report says which), 2 for a usage or file error, and 2 when
the file would replace the current submission although it accepts far fewer rows
(``services.CONFIRMATION_RULE``): it is then not used, unless ``--replace`` is given.

The run is a submission like any other: it is claimed and reports progress between its
steps, so the recoverer leaves it alone while it runs; killed half-way, it is a stale
submission that the recoverer queues again and a worker finishes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from dathub.core import clock


def _previous_month(today: dt.date) -> str:
    return f"{today.replace(day=1) - dt.timedelta(days=1):%Y-%m}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dathub records import")
    parser.add_argument("command", choices=["import"])
    parser.add_argument("file", type=Path)
    parser.add_argument("--partnership", required=True, help="partnership code, e.g. N01A")
    parser.add_argument(
        "--agency", default="", help="agency code (default: the one agency the file names)"
    )
    parser.add_argument("--month", default="", help="reporting month YYYY-MM (default: last month)")
    parser.add_argument("--as-of", default="", help="submission date YYYY-MM-DD (default: today)")
    parser.add_argument(
        "--as",
        dest="actor",
        default="",
        help="e-mail of the person submitting (default: a site administrator)",
    )
    parser.add_argument("--no-recompute", action="store_true", help="do not recompute figures")
    parser.add_argument(
        "--replace",
        action="store_true",
        help="replace the current submission even when this file accepts far fewer rows",
    )
    args = parser.parse_args(argv)

    from django.core.exceptions import PermissionDenied, ValidationError

    from dathub.tenancy.models import Partnership, User

    from . import services, store
    from .engine.reading import RecordsFileError

    def fail(message: str) -> int:
        print(f"dathub records import: {message}", file=sys.stderr)
        return 2

    if not args.file.is_file():
        return fail(f"no such file: {args.file}")
    partnership = Partnership.objects.filter(code__iexact=args.partnership).first()
    if partnership is None:
        return fail(f"no partnership with code {args.partnership}")
    actor = (
        User.objects.filter(email__iexact=args.actor).first()
        if args.actor
        else User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    )
    if actor is None:
        return fail("no such user; create a site administrator first or pass --as EMAIL")
    try:
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else clock.today()
    except ValueError:
        return fail("--as-of must be YYYY-MM-DD")
    data = args.file.read_bytes()
    agency = args.agency.strip().upper()
    if not agency:
        try:
            found = store.agencies_in(store.read_upload(data, services.file_format(args.file.name)))
        except RecordsFileError as exc:
            return fail(store.safe_file_error(exc))
        if len(found) != 1:
            return fail(
                "the file names "
                + (f"agencies {', '.join(sorted(found))}" if found else "no agency")
                + "; pass --agency CODE (a submission holds one agency's rows)"
            )
        agency = found.pop()
    try:
        sub = services.submission_create(
            actor=actor,
            partnership=partnership,
            agency=agency,
            month=args.month or _previous_month(as_of),
            filename=args.file.name,
            data=data,
            as_of=as_of,
            background=False,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        return fail("nothing was imported: " + " ".join(messages))
    sub = services.submission_process(sub.pk, recompute=False)
    if sub.status == sub.Status.FAILED:
        return fail(sub.failure)
    if sub.status == sub.Status.AWAITING:
        current = services.current_for(sub)
        if not args.replace:
            services.submission_keep_current(actor=actor, submission=sub)
            print(json.dumps(store.full_report(sub)))
            return fail(
                f"nothing was replaced: the file accepts {sub.accepted} of {sub.rows} rows, "
                f"fewer than half the {current.accepted if current else 0} accepted rows of "
                f"the current submission {current.pk if current else ''} for {sub.agency}, "
                f"{sub.month:%Y-%m}. Check the file, or pass --replace to replace it "
                f"anyway (stored as submission {sub.pk}, not used)."
            )
        sub = services.submission_replace_confirm(actor=actor, submission=sub)
    if not args.no_recompute:
        services.recompute()
    print(json.dumps(store.full_report(sub)))
    replaced = ", ".join(str(s.pk) for s in sub.replaces.all())
    print(
        f"Stored as submission {sub.pk} for {sub.agency}, {sub.month:%Y-%m} in "
        f"{partnership.code}" + (f", replacing submission {replaced}" if replaced else "") + ".",
        file=sys.stderr,
    )
    return 1 if sub.rejected else 0
