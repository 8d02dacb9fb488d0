"""/api/v1 for performance: submit records files, read submissions' reports and figures.

Client-level rows are not served by the API: a submission's report names each rejected
row by its line in the file, field and check code, which is what a provider's system needs
to correct and resend; people read the rows themselves in the site (audited).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from dathub.api.pagination import LimitOffsetPagination
from dathub.tenancy import permissions
from dathub.tenancy import roles as r
from dathub.tenancy import selectors as tenancy_selectors

from . import selectors, services
from .disclosure import WITHHELD

router = Router(tags=["performance"])


class SubmissionOut(Schema):
    id: int
    partnership: str
    agency: str
    month: str
    status: str
    submitted_at: dt.datetime
    processed_at: dt.datetime | None
    progress: int
    rows: int | None
    accepted: int | None
    rejected: int | None
    no_consent: int | None
    replaced_by: int | None
    failure: str

    @staticmethod
    def resolve_partnership(obj: Any) -> str:
        return str(obj.partnership.code)

    @staticmethod
    def resolve_month(obj: Any) -> str:
        return f"{obj.month:%Y-%m}"

    @staticmethod
    def resolve_replaced_by(obj: Any) -> int | None:
        return obj.replaced_by_id


class SubmissionDetailOut(SubmissionOut):
    """``report`` is the spec's report with one page of its ``errors`` (``errors_offset``,
    at most ``errors_limit``, of ``errors_total``)."""

    report: dict[str, Any]
    errors_total: int
    errors_offset: int
    errors_limit: int


class ErrorsQuery(Schema):
    offset: int = Field(0, ge=0, le=2**31, description="first reason of the report to return")
    limit: int = Field(100, ge=0, le=1000, description="how many reasons (at most 1000)")


def _submission_detail(request: HttpRequest, sub: Any, offset: int = 0, limit: int = 100) -> Any:
    page = selectors.submission_errors(
        actor=request.user, submission=sub, offset=offset, limit=limit
    )
    counts = {k: getattr(sub, k) for k in ("rows", "accepted", "rejected", "no_consent")}
    # the response only (never saved): the report with one page of its reasons
    sub.report = {**counts, "errors": page.errors}
    sub.errors_total, sub.errors_offset, sub.errors_limit = page.total, page.offset, page.limit
    return sub


class FigureOut(Schema):
    indicator: str
    breakdown: str
    period: str
    kind: str
    period_start: dt.date
    period_end: dt.date
    numerator: str
    denominator: str | None
    value: str | None
    withheld: str | None = None  # why the figure is "withheld", else null


class FiguresOut(Schema):
    partnership: str
    published: bool
    note: str
    computed_at: dt.datetime | None
    figures: list[FigureOut]


@router.get("/partnerships/{code}/submissions", response=list[SubmissionOut])
@paginate(LimitOffsetPagination)
def submission_list(request: HttpRequest, code: str) -> Any:
    """Record submissions, newest month first (a provider sees their own agency's only)."""
    p = tenancy_selectors.partnership_get(actor=request.user, code=code)
    if not permissions.can(request.user, p, r.VIEW_PERFORMANCE):
        raise PermissionDenied("You may not view performance.")
    return selectors.submission_list(actor=request.user, partnership=p).select_related(
        "partnership"
    )


@router.get("/partnerships/{code}/submissions/{pk}", response=SubmissionDetailOut)
def submission_detail(request: HttpRequest, code: str, pk: int, page: Query[ErrorsQuery]) -> Any:
    """A submission with the spec's report: rows, accepted, rejected, no_consent, and its
    errors a page at a time (`offset`, `limit` up to 1000; `errors_total` says how many)."""
    p = tenancy_selectors.partnership_get(actor=request.user, code=code)
    sub = selectors.submission_get(actor=request.user, partnership=p, pk=pk)
    return _submission_detail(request, sub, page.offset, page.limit)


@router.post("/partnerships/{code}/submissions", response={202: SubmissionDetailOut})
def submission_create(
    request: HttpRequest,
    code: str,
    file: File[UploadedFile],
    month: Form[str],
    agency: Form[str] = "",
) -> Any:
    """Send one agency's records file (CSV or .xlsx) for a reporting month (YYYY-MM). It is
    checked in the background: poll the submission until its status is no longer
    `received` or `processing`. A provider user's agency is their own (`agency` optional)."""
    p = tenancy_selectors.partnership_get(actor=request.user, code=code)
    permissions.require(request.user, p, r.SUBMIT_RECORDS)
    allowed = services.agencies_for(request.user, p)
    if not agency and len(allowed) == 1:
        agency = allowed[0]
    if file.size and file.size > services.MAX_UPLOAD_BYTES:
        raise HttpError(413, "The file must be smaller than 200 MB.")
    sub = services.submission_create(
        actor=request.user,
        partnership=p,
        agency=agency,
        month=month,
        filename=file.name or "records.csv",
        data=file.read(),
    )
    sub.refresh_from_db()
    return Status(202, _submission_detail(request, sub))


@router.get("/partnerships/{code}/indicators", response=FiguresOut)
def indicator_figures(
    request: HttpRequest,
    code: str,
    indicator: str | None = None,
    period: str | None = None,
    breakdowns: bool = False,
    published: bool = False,
) -> Any:
    """Stored figures of the latest computation (`breakdown` "all" unless `breakdowns=true`,
    which needs `indicator` and `period`). Callers without the right to true figures, and
    `published=true`, get small numbers suppressed as "*". A caller who sees only its own
    provider's figures gets "withheld" (with the reason in `withheld`) for a partnership
    figure that would disclose another provider's figure."""
    p = tenancy_selectors.partnership_get(actor=request.user, code=code)
    if not permissions.can(request.user, p, r.VIEW_PERFORMANCE):
        raise PermissionDenied("You may not view performance.")
    if breakdowns and not (indicator and period):
        raise HttpError(422, "Breakdowns need one indicator and one period.")
    true = selectors.shows_true_figures(request.user, p, published)
    figs = selectors.national_figures(
        actor=request.user,
        partnership=p,
        published=not true,
        indicator=indicator,
        period=period,
        all_breakdowns=breakdowns,
    )
    comp = selectors.latest_computation()

    def text(value: Any, shown: str) -> str | None:
        if shown in ("*", WITHHELD):
            return shown
        return None if value is None else str(value)

    return {
        "partnership": p.code,
        "published": not true,
        "note": "true figures: not for publication" if true else "small numbers suppressed",
        "computed_at": comp.finished_at if comp else None,
        "figures": [
            {
                "indicator": f.indicator,
                "breakdown": f.breakdown,
                "period": f.period,
                "kind": f.kind,
                "period_start": f.period_start,
                "period_end": f.period_end,
                "numerator": text(f.numerator, f.shown_numerator) or "0",
                "denominator": text(f.denominator, f.shown_denominator),
                "value": WITHHELD
                if f.withheld
                else "*"
                if f.suppressed
                else (None if f.value is None else str(f.value)),
                "withheld": f.withheld_reason or None,
            }
            for f in figs
        ],
    }
