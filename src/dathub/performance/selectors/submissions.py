"""Reads of submissions and their client-level rows, scoped to the actor.

Submissions (their reports: counts, line numbers, fields and codes, never cell values)
are seen by whoever may view performance or submit records; a provider user sees only
their own agency's. Another agency's or another partnership's submission is "not found".
Client-level rows (accepted and rejected) need ``view_client_records`` on top, and every
read of them is written to the audit trail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db.models import QuerySet
from django.http import Http404

from dathub.core import audit, clock, recovery
from dathub.core.selectors import object_in
from dathub.tenancy import permissions
from dathub.tenancy import roles as r
from dathub.tenancy.models import Organisation, Partnership

from .. import store
from ..engine.fields import FIELDS
from ..models import (
    Submission,
    SubmissionData,
)
from .figures import latest_computation

ROWS_PER_PAGE = 50
ERRORS_PER_PAGE = 100  # reasons on a page of the site
MAX_ERRORS_LIMIT = 1000  # the most reasons one API response holds


# --- submissions ----------------------------------------------------------------------------


def submission_list(*, actor: Any, partnership: Partnership) -> QuerySet[Submission]:
    qs = Submission.objects.filter(partnership=partnership, archived_at__isnull=True)
    if not (
        permissions.can(actor, partnership, r.VIEW_PERFORMANCE)
        or permissions.can(actor, partnership, r.SUBMIT_RECORDS)
    ):
        return qs.none()
    scope = permissions.organisation_scope(actor, partnership)
    if scope is not False:
        code = (
            scope.agency_code.strip().upper() if isinstance(scope, Organisation) else ""
        ) or None
        qs = qs.filter(agency=code) if code else qs.none()
    return qs.defer("report")  # lists show the counts; ``report`` is read with one submission


def submission_get(*, actor: Any, partnership: Partnership, pk: Any) -> Submission:
    return object_in(submission_list(actor=actor, partnership=partnership), pk)


def submission_for_rows(*, actor: Any, partnership: Partnership, pk: Any) -> Submission:
    """A submission whose client-level rows ``actor`` may see; otherwise not found."""
    if not permissions.can(actor, partnership, r.VIEW_CLIENT_RECORDS):
        raise Http404("No submission found")
    return submission_get(actor=actor, partnership=partnership, pk=pk)


def _audit_rows(actor: Any, sub: Submission, what: str) -> None:
    audit.record(
        actor=actor,
        partnership=sub.partnership,
        action="submission.rows_view",
        obj=sub,
        changes={"viewed": [None, what]},
    )


@dataclass
class RowsPage:
    columns: list[str]
    rows: list[list[Any]]
    total: int
    page: int
    pages: int


def submission_rows(*, actor: Any, submission: Submission, kind: str, page: int = 1) -> RowsPage:
    """One page of the submission's accepted or rejected rows (audited)."""
    data = SubmissionData.objects.filter(submission=submission).first()
    if kind == "rejected":
        frame = store.rejected_frame(data.rejected if data else None)
        columns = list(frame.columns)
    else:
        kind = "accepted"
        accepted = store.accepted_frame(data.accepted if data else None)
        frame = accepted.sort("line") if accepted is not None else pl.DataFrame()
        columns = ["line", *FIELDS] if frame.height else []
    total = frame.height
    pages = max(1, -(-total // ROWS_PER_PAGE))
    page = min(max(1, page), pages)
    chunk = frame.slice((page - 1) * ROWS_PER_PAGE, ROWS_PER_PAGE)
    rows = [[("" if v is None else v) for v in row] for row in chunk.select(columns).iter_rows()]
    _audit_rows(actor, submission, f"{kind} rows, page {page} ({len(rows)} rows)")
    return RowsPage(columns=columns, rows=rows, total=total, page=page, pages=pages)


def submission_rejected_csv(*, actor: Any, submission: Submission) -> bytes:
    """The rejected rows as the correction file (audited). Cells a spreadsheet would run as
    a formula are guarded with an apostrophe, which the records reader takes off again."""
    from ..engine.formula_guard import guard_csv

    data = SubmissionData.objects.filter(submission=submission).first()
    blob = guard_csv(bytes(data.rejected)) if data and data.rejected else b""
    _audit_rows(actor, submission, f"rejected rows downloaded ({submission.rejected or 0} rows)")
    return blob


@dataclass
class ErrorsPage:
    """One page of a submission's reasons for rejection (line, field, code, message)."""

    errors: list[dict[str, Any]]
    total: int
    offset: int
    limit: int

    @property
    def page(self) -> int:
        return self.offset // self.limit + 1 if self.limit else 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit)) if self.limit else 1


def submission_errors(
    *, actor: Any, submission: Submission, offset: int = 0, limit: int = 100
) -> ErrorsPage:
    """Reasons ``offset`` to ``offset + limit`` of the submission's report (``limit`` at most
    ``MAX_ERRORS_LIMIT``). The report holds no cell value, so it is read by whoever may see
    the submission, like its counts, and the read is not audited."""
    submission_get(actor=actor, partnership=submission.partnership, pk=submission.pk)
    total = submission.error_count or 0
    limit = min(max(0, limit), MAX_ERRORS_LIMIT)
    offset = min(max(0, offset), total)
    blob = (
        SubmissionData.objects.filter(submission=submission)
        .values_list("errors", flat=True)
        .first()
    )
    errors = store.errors_page(blob, offset, limit) if offset < total else []
    return ErrorsPage(errors=errors, total=total, offset=offset, limit=limit)


def submission_stalled(submission: Submission, now: dt.datetime | None = None) -> bool:
    """In progress, but with no progress for ``recovery.stale_after()``: the page stops
    polling and says so (the recoverer will queue it again or fail it)."""
    if not submission.in_progress:
        return False
    moved = submission.progress_at or submission.submitted_at
    return moved < (now or clock.now()) - recovery.stale_after()


def home_panel_context(user: Any, partnership: Partnership) -> dict[str, Any] | None:
    comp = latest_computation()
    current = submission_list(actor=user, partnership=partnership).filter(
        status=Submission.Status.CURRENT
    )
    return {
        "computed_at": comp.finished_at if comp else None,
        "current_submissions": current.count(),
        "partnership": partnership,
    }
