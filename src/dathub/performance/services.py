"""Writes: submissions (upload, processing, replacement), recomputation, prevalence, local
indicators and their figures, targets. Each user-facing write is audited; no client-level
value is ever written to the audit trail or a log (only counts, codes and line numbers).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from decimal import Decimal
from typing import Any

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from dathub.core import audit, clock
from dathub.core.services import audited_create, audited_update
from dathub.core.tracebacks import where_it_failed
from dathub.tenancy import permissions
from dathub.tenancy import roles as r
from dathub.tenancy.models import Organisation, Partnership

from . import store
from .engine.indicators import compute_windows, rate
from .engine.journeys import build_journeys
from .engine.records import CheckResult, RawRecords, RecordsFileError, check_records
from .models import (
    Computation,
    IndicatorResult,
    LocalFigure,
    LocalIndicator,
    PrevalenceEstimate,
    Submission,
    SubmissionData,
    Target,
)
from .periods import financial_year_bounds, quarter_window, standard_periods

log = logging.getLogger("dathub.performance")

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


# --- submissions ----------------------------------------------------------------------------


def agency_codes(partnership: Partnership) -> dict[str, Organisation]:
    """The partnership's provider agencies by code."""
    return {
        o.agency_code.strip().upper(): o
        for o in Organisation.objects.current().filter(partnership=partnership)
        if o.agency_code.strip()
    }


def agencies_for(actor: Any, partnership: Partnership) -> list[str]:
    """The agency codes ``actor`` may submit records for (providers: their own only)."""
    if not permissions.can(actor, partnership, r.SUBMIT_RECORDS):
        return []
    codes = agency_codes(partnership)
    scope = permissions.organisation_scope(actor, partnership)
    if scope is False:
        return sorted(codes)
    own = (scope.agency_code.strip().upper() if isinstance(scope, Organisation) else "") or None
    return [own] if own in codes else []


def clean_month(value: dt.date | str) -> dt.date:
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})(?:-\d{1,2})?\s*", value)
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise ValidationError({"month": "Enter the reporting month as YYYY-MM, e.g. 2026-10."})
        return dt.date(int(m.group(1)), int(m.group(2)), 1)
    return value.replace(day=1)


def file_format(filename: str) -> str:
    return "xlsx" if filename.lower().endswith((".xlsx", ".xlsm")) else "csv"


@transaction.atomic
def submission_create(
    *,
    actor: Any,
    partnership: Partnership,
    agency: str,
    month: dt.date | str,
    filename: str,
    data: bytes,
    as_of: dt.date | None = None,
    background: bool = True,
) -> Submission:
    """Receive a records file for one agency and reporting month; it is checked in the
    background (``background=False`` checks it now, for the command line and the demo)."""
    permissions.require(actor, partnership, r.SUBMIT_RECORDS)
    code = (agency or "").strip().upper()
    allowed = agencies_for(actor, partnership)
    if code not in allowed:
        if code in agency_codes(partnership):
            raise PermissionDenied("You may submit records only for your own agency.")
        raise ValidationError({"agency": "Choose one of the partnership's agencies."})
    as_of = as_of or clock.today()
    first = clean_month(month)
    if first > as_of.replace(day=1):
        raise ValidationError({"month": "The reporting month cannot be after the submission date."})
    if not data:
        raise ValidationError({"file": "The file is empty."})
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": "The file must be smaller than 200 MB."})
    sub = Submission.objects.create(
        partnership=partnership,
        agency=code,
        organisation=agency_codes(partnership)[code],
        month=first,
        filename=(filename or "records.csv")[-200:],
        as_of=as_of,
        submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
        stage="Waiting to be processed",
    )
    SubmissionData.objects.create(submission=sub, upload=data, upload_format=file_format(filename))
    audit.record(
        actor=actor,
        partnership=partnership,
        action="submission.create",
        obj=sub,
        changes={
            "agency": [None, code],
            "month": [None, first.isoformat()],
            "bytes": [None, len(data)],
        },
    )
    if background:
        from .tasks import process_submission

        # the task row is written in this transaction: a worker sees it only once the
        # submission is committed (the test backend runs it at once)
        process_submission.enqueue(sub.pk)
    return sub


def _progress(pk: int, percent: int, stage: str) -> None:
    Submission.objects.filter(pk=pk).update(progress=percent, stage=stage)


def _fail(sub: Submission, message: str) -> Submission:
    Submission.objects.filter(pk=sub.pk).update(
        status=Submission.Status.FAILED,
        failure=message[:300],
        stage="Could not be read",
        progress=100,
        processed_at=clock.now(),
    )
    SubmissionData.objects.filter(submission=sub).update(upload=None)
    audit.record(
        actor=sub.submitted_by,
        partnership=sub.partnership,
        action="submission.fail",
        obj=sub,
        changes={"failure": [None, message[:300]]},
    )
    log.info("submission %s could not be read", sub.pk)
    sub.refresh_from_db()
    return sub


def submission_process(submission_id: int, *, recompute: bool = True) -> Submission:
    """Check a received submission with the engine and make it the current one for its
    agency and month, replacing the previous one as a whole in one transaction."""
    sub = Submission.objects.select_related("partnership", "submitted_by").get(pk=submission_id)
    if sub.status != Submission.Status.RECEIVED:
        return sub
    Submission.objects.filter(pk=sub.pk).update(status=Submission.Status.PROCESSING)
    _progress(sub.pk, 5, "Reading the file")
    data = SubmissionData.objects.get(submission=sub)
    try:
        raw = store.read_upload(bytes(data.upload or b""), data.upload_format)
    except RecordsFileError as exc:
        return _fail(sub, store.safe_file_error(exc))
    if "AGNCY" not in raw.columns:  # not a records file: it must not replace one that is
        return _fail(
            sub,
            "The file has no AGNCY column, so it does not look like a treatment records "
            "file. Check that its first row holds the column names (AGNCY, CLIENTID, "
            "EPISODID and so on). Nothing was stored.",
        )
    others = sorted(store.agencies_in(raw) - {sub.agency})
    if others:
        return _fail(
            sub,
            f"The file holds rows of agency {', '.join(others[:5])}; a submission holds the "
            f"rows of one agency ({sub.agency}). Nothing was stored.",
        )
    _progress(sub.pk, 25, f"Checking {raw.frame.height} rows")
    try:
        result = check_records(raw, as_of=sub.as_of)
        _progress(sub.pk, 70, "Storing the rows")
        accepted, rejected = store.accepted_bytes(result), store.rejected_bytes(result)
        sub = _make_current(sub, result, accepted, rejected)
    except Exception as exc:  # a programming error: where it failed, never the message
        log.error("submission %s failed: %s", sub.pk, where_it_failed(exc))
        return _fail(sub, "The file could not be processed. Nothing was stored.")
    log.info(
        "submission %s processed: %s rows, %s accepted, %s rejected",
        sub.pk,
        sub.rows,
        sub.accepted,
        sub.rejected,
    )
    if recompute:
        request_recompute()
    return sub


@transaction.atomic
def _make_current(
    sub: Submission, result: CheckResult, accepted: bytes, rejected: bytes, audited: bool = True
) -> Submission:
    sub = Submission.objects.select_for_update().get(pk=sub.pk)
    current = list(
        Submission.objects.select_for_update()
        .filter(
            partnership=sub.partnership,
            agency=sub.agency,
            month=sub.month,
            status=Submission.Status.CURRENT,
        )
        .exclude(pk=sub.pk)
    )
    newer = [c for c in current if c.pk > sub.pk]
    report = result.report()
    if newer:  # a later upload was processed first: this one goes straight to the history
        sub.status = Submission.Status.REPLACED
        sub.replaced_by = newer[0]
    else:
        for old in current:
            old.status = Submission.Status.REPLACED
            old.replaced_by = sub
            old.save(update_fields=["status", "replaced_by", "updated_at"])
        sub.status = Submission.Status.CURRENT
    sub.rows, sub.accepted, sub.rejected = report["rows"], report["accepted"], report["rejected"]
    sub.no_consent = report["no_consent"]
    sub.report = report
    sub.progress, sub.stage = 100, "Done"
    sub.processed_at = clock.now()
    sub.save()
    SubmissionData.objects.filter(submission=sub).update(
        upload=None, accepted=accepted, rejected=rejected
    )
    if not audited:
        return sub
    audit.record(
        actor=sub.submitted_by,
        partnership=sub.partnership,
        action="submission.accept",
        obj=sub,
        changes={
            "rows": [None, sub.rows],
            "accepted": [None, sub.accepted],
            "rejected": [None, sub.rejected],
            "no_consent": [None, sub.no_consent],
            "replaced": [None, [o.pk for o in current if not newer]],
        },
    )
    return sub


def submission_store_checked(
    *,
    partnership: Partnership,
    agency: str,
    month: dt.date,
    as_of: dt.date,
    raw: RawRecords | pl.DataFrame,
    submitted_by: Any = None,
    filename: str = "",
) -> Submission:
    """Check rows and store them as the current submission, without the upload step.

    For the demo loader and test fixtures, which make many submissions at once and
    recompute once at the end; it applies the same checks and the same replacement, and
    writes no audit event (there is no person acting).
    """
    result = check_records(raw, as_of=as_of)
    sub = Submission.objects.create(
        partnership=partnership,
        agency=agency,
        organisation=agency_codes(partnership).get(agency),
        month=month.replace(day=1),
        as_of=as_of,
        filename=filename,
        submitted_by=submitted_by,
        status=Submission.Status.PROCESSING,
    )
    SubmissionData.objects.create(submission=sub)
    return _make_current(
        sub, result, store.accepted_bytes(result), store.rejected_bytes(result), audited=False
    )


# --- recomputation ---------------------------------------------------------------------------


def current_records() -> pl.DataFrame | None:
    """Every current submission's accepted rows; see ``store`` for the episode rule."""
    pairs = []
    for month, blob in SubmissionData.objects.filter(
        submission__status=Submission.Status.CURRENT,
        submission__archived_at__isnull=True,
        accepted__isnull=False,
    ).values_list("submission__month", "accepted"):
        frame = store.accepted_frame(blob)
        if frame is not None:
            pairs.append((month, frame))
    return store.latest_episodes(pairs)


def prevalence_table() -> pl.DataFrame:
    rows = [
        (code.upper(), fy, est)
        for code, fy, est in PrevalenceEstimate.objects.current().values_list(
            "partnership__code", "financial_year", "ocu_estimate"
        )
    ]
    return pl.DataFrame(
        rows, schema={"dat": pl.String, "finyear": pl.String, "estimate": pl.Int64}, orient="row"
    )


def recompute(today: dt.date | None = None) -> Computation:
    """Run the engine on every current submission's accepted rows for the standard periods
    (see ``periods``) and keep the figures of each partnership.

    The engine runs over all partnerships' records at once because a person's journeys may
    cross partnerships: the spec counts each person once, in the partnership of their
    reference journey. Readers use the latest finished computation only, so a page never
    sees half of one run.
    """
    today = today or clock.today()
    comp = Computation.objects.create(as_of=today)
    try:
        rows = current_records()
        partnerships = {p.code.upper(): p for p in Partnership.objects.all()}
        periods = standard_periods(today)
        kinds = {p.window.label: p.kind for p in periods}
        rows_out: list[tuple[Any, ...]] = []
        used = 0
        if rows is not None and rows.height:
            used = int((rows["CONSENT"] == "Y").sum())
            journeys = build_journeys(rows)
            if journeys.height:
                table = compute_windows(
                    journeys, [p.window for p in periods], prevalence_table()
                ).filter(pl.col("dat").is_in(list(partnerships)))
                rows_out = [
                    (
                        partnerships[dat].pk,
                        comp.pk,
                        ind,
                        brk,
                        per,
                        kinds[per],
                        start,
                        end,
                        num,
                        den,
                        value,
                    )
                    for per, start, end, dat, ind, brk, num, den, value in table.select(
                        "period",
                        "period_start",
                        "period_end",
                        "dat",
                        "indicator",
                        "breakdown",
                        "numerator",
                        "denominator",
                        "value",
                    ).iter_rows()
                ]
        with transaction.atomic():
            _insert_results(rows_out)
            comp.status = Computation.Status.DONE
            comp.finished_at = clock.now()
            comp.rows_used = used
            comp.results = len(rows_out)
            comp.save()
            IndicatorResult.objects.filter(computation__lt=comp.pk).delete()
    except Exception as exc:
        Computation.objects.filter(pk=comp.pk).update(
            status=Computation.Status.FAILED,
            finished_at=clock.now(),
            failure=type(exc).__name__,
        )
        log.error("indicator computation %s failed: %s", comp.pk, where_it_failed(exc))
        raise
    log.info("indicator computation %s: %s rows used, %s figures", comp.pk, used, len(rows_out))
    return comp


_RESULT_COLUMNS = (
    "partnership_id",
    "computation_id",
    "indicator",
    "breakdown",
    "period",
    "kind",
    "period_start",
    "period_end",
    "numerator",
    "denominator",
    "value",
)


def _insert_results(rows: list[tuple[Any, ...]]) -> None:
    """One prepared INSERT for every figure: tens of thousands of rows per computation,
    which ``bulk_create`` would send in batches of a few dozen on SQLite."""
    if not rows:
        return
    qn = connection.ops.quote_name
    # identifiers from the model's own metadata, values as parameters
    table = qn(IndicatorResult._meta.db_table)
    columns = ", ".join(qn(c) for c in _RESULT_COLUMNS)
    marks = ", ".join(["%s"] * len(_RESULT_COLUMNS))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


@transaction.atomic
def computation_request(*, actor: Any, partnership: Partnership) -> None:
    """A person asks for the figures to be recomputed now (the Recompute page)."""
    permissions.require(actor, partnership, r.MANAGE_PERFORMANCE)
    audit.record(actor=actor, partnership=partnership, action="computation.request")
    # queued once the request's transaction commits, so a worker never runs ahead of it
    transaction.on_commit(request_recompute)


def request_recompute() -> None:
    """Queue a recomputation, unless one is already waiting: that one has not started, so
    it will read this change too. A month's uploads from every provider then cost one
    recomputation instead of one each."""
    from .tasks import recompute_indicators

    if not _recompute_waiting(recompute_indicators):
        recompute_indicators.enqueue()


def _recompute_waiting(task: Any) -> bool:
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task.get_backend(), DatabaseBackend):
        return False  # other backends (tests run tasks at once) keep nothing waiting
    return DBTaskResult.objects.ready().filter(task_path=task.module_path).exists()


# --- prevalence -----------------------------------------------------------------------------


def clean_financial_year(text: str) -> str:
    """A financial year typed in a form (``2026/27``, ``2026/2027`` or ``2026-27``) as
    ``2026/27``. (The prevalence file is read by the engine's own reader.)"""
    m = re.fullmatch(r"\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*", text or "")
    if not m or int(m.group(2)) % 100 != (int(m.group(1)) + 1) % 100:
        raise ValidationError({"financial_year": "Enter the financial year as 2026/27."})
    first = int(m.group(1))
    return f"{first}/{(first + 1) % 100:02d}"


@transaction.atomic
def prevalence_set(
    *,
    actor: Any,
    partnership: Partnership,
    financial_year: str,
    ocu_estimate: int,
    source: str = "",
    recompute_after: bool = True,
) -> PrevalenceEstimate:
    permissions.require(actor, partnership, r.MANAGE_PERFORMANCE)
    fy = clean_financial_year(financial_year)
    if ocu_estimate is None or int(ocu_estimate) < 1:
        raise ValidationError({"ocu_estimate": "Enter an estimate of 1 or more."})
    existing = (
        PrevalenceEstimate.objects.current()
        .filter(partnership=partnership, financial_year=fy)
        .first()
    )
    if existing:
        est = audited_update(
            actor=actor, instance=existing, ocu_estimate=int(ocu_estimate), source=source
        )
    else:
        est = audited_create(
            actor=actor,
            instance=PrevalenceEstimate(
                partnership=partnership,
                financial_year=fy,
                ocu_estimate=int(ocu_estimate),
                source=source,
            ),
        )
    if recompute_after:
        request_recompute()
    return est


def prevalence_import(*, actor: Any, partnership: Partnership, data: bytes) -> int:
    """Read the spec's prevalence file (``DAT,FINYEAR,OCU_ESTIMATE``) with the engine's reader;
    every row must be this partnership's. All or nothing."""
    import tempfile
    from pathlib import Path

    from .engine.indicators import read_prevalence

    permissions.require(actor, partnership, r.MANAGE_PERFORMANCE)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "prevalence.csv"
        path.write_bytes(data)
        try:
            table = read_prevalence(path)
        except (ValueError, pl.exceptions.PolarsError) as exc:
            message = str(exc) if isinstance(exc, ValueError) else "The file cannot be read."
            raise ValidationError({"file": message}) from exc
    others = sorted(set(table["dat"].to_list()) - {partnership.code.upper()})
    if others:
        raise ValidationError(
            {
                "file": f"The file has estimates for {', '.join(others)}; only "
                f"{partnership.code}'s can be loaded here. Nothing was loaded."
            }
        )
    if table.height == 0:
        raise ValidationError({"file": "The file has no estimates."})
    with transaction.atomic():
        for row in table.iter_rows(named=True):
            prevalence_set(
                actor=actor,
                partnership=partnership,
                financial_year=row["finyear"],
                ocu_estimate=row["estimate"],
                source="Prevalence file",
                recompute_after=False,
            )
    request_recompute()
    return table.height


# --- local indicators -----------------------------------------------------------------------


def local_indicator_create(
    *, actor: Any, partnership: Partnership, **fields: Any
) -> LocalIndicator:
    permissions.require(actor, partnership, r.MANAGE_PERFORMANCE)
    return audited_create(actor=actor, instance=LocalIndicator(partnership=partnership, **fields))


def local_indicator_update(
    *, actor: Any, indicator: LocalIndicator, **fields: Any
) -> LocalIndicator:
    permissions.require(actor, indicator.partnership, r.MANAGE_PERFORMANCE)
    fields.pop("code", None)  # the code is how targets refer to it
    return audited_update(actor=actor, instance=indicator, **fields)


def period_for(financial_year: str, quarter: int | None) -> tuple[str, str, dt.date, dt.date]:
    """(label, kind, start, end) of a financial year or one of its quarters."""
    fy = clean_financial_year(financial_year)
    start, end = financial_year_bounds(fy)
    if quarter:
        w = quarter_window(start, int(quarter))
        return w.label, IndicatorResult.Kind.QUARTER, w.start, w.end
    return fy, IndicatorResult.Kind.YEAR, start, end


@transaction.atomic
def local_figure_set(
    *,
    actor: Any,
    indicator: LocalIndicator,
    financial_year: str,
    quarter: int | None,
    numerator: int,
    denominator: int | None,
) -> LocalFigure:
    """Enter (or correct) a local indicator's figure; the value is the engine's ``rate``."""
    permissions.require(actor, indicator.partnership, r.MANAGE_PERFORMANCE)
    label, kind, start, end = period_for(financial_year, quarter)
    if indicator.unit == LocalIndicator.Unit.PERCENT:
        if not denominator:
            raise ValidationError({"denominator": "Enter the denominator (more than 0)."})
        if numerator > denominator:
            raise ValidationError({"numerator": "The numerator cannot exceed the denominator."})
        value = rate(numerator, denominator)
    else:
        denominator = None
        value = Decimal(numerator)
    existing = LocalFigure.objects.current().filter(indicator=indicator, period=label).first()
    fields = {"numerator": numerator, "denominator": denominator, "value": value}
    if existing:
        return audited_update(actor=actor, instance=existing, **fields)
    return audited_create(
        actor=actor,
        instance=LocalFigure(
            partnership=indicator.partnership,
            indicator=indicator,
            period=label,
            kind=kind,
            period_start=start,
            period_end=end,
            **fields,
        ),
    )


# --- targets --------------------------------------------------------------------------------


def indicator_keys(partnership: Partnership) -> list[str]:
    from .engine.indicators import INDICATORS

    return list(INDICATORS) + [
        li.key for li in LocalIndicator.objects.current().filter(partnership=partnership)
    ]


@transaction.atomic
def target_set(
    *,
    actor: Any,
    partnership: Partnership,
    indicator: str,
    financial_year: str,
    value: Decimal,
    tolerance: Decimal = Decimal(0),
    q1: Decimal | None = None,
    q2: Decimal | None = None,
    q3: Decimal | None = None,
    q4: Decimal | None = None,
) -> Target:
    permissions.require(actor, partnership, r.MANAGE_PERFORMANCE)
    if indicator not in indicator_keys(partnership):
        raise ValidationError({"indicator": "Choose an indicator."})
    fy = clean_financial_year(financial_year)
    if tolerance is None or tolerance < 0:
        raise ValidationError({"tolerance": "The tolerance cannot be negative."})
    fields = {"value": value, "tolerance": tolerance, "q1": q1, "q2": q2, "q3": q3, "q4": q4}
    existing = (
        Target.objects.current()
        .filter(partnership=partnership, indicator=indicator, financial_year=fy)
        .first()
    )
    if existing:
        return audited_update(actor=actor, instance=existing, **fields)
    return audited_create(
        actor=actor,
        instance=Target(partnership=partnership, indicator=indicator, financial_year=fy, **fields),
    )
