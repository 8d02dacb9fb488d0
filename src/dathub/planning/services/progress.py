"""Progress on actions: an update on one action, many from My actions or the progress
spreadsheet row by row, and the upload's report.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from dathub.core import audit, clock
from dathub.tenancy import permissions
from dathub.tenancy import roles as r
from dathub.tenancy.models import Partnership

from ..models import Action

EVIDENCE_EXTENSIONS = {
    "pdf", "doc", "docx", "odt", "xls", "xlsx", "ods", "csv", "txt", "png", "jpg", "jpeg",
    "ppt", "pptx",
}  # fmt: skip
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
NOTE_REQUIRED = {Action.Status.AT_RISK, Action.Status.OFF_TRACK, Action.Status.DROPPED}


def parse_status(value: Any) -> str | None:
    """A status from a form or a spreadsheet cell: its value or its label, any case."""
    text = " ".join(str(value or "").replace("_", " ").split()).casefold()
    if not text:
        return None
    aliases = {"completed": "complete", "done": "complete", "ontrack": "on_track"}
    text = aliases.get(text, text)
    for choice, label in Action.Status.choices:
        if text in {choice.replace("_", " "), label.casefold()}:
            return choice
    raise ValidationError(
        {
            "status": f"‘{value}’ is not a status: use one of "
            + ", ".join(label for _, label in Action.Status.choices)
            + "."
        }
    )


def parse_percent(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and 0 < value < 1:
        value = value * 100  # a cell formatted as a percentage
    text = str(value).strip().rstrip("%").strip()
    try:
        number = float(text)
    except ValueError:
        number = -1
    if number != int(number) or not 0 <= number <= 100:
        raise ValidationError(
            {"percent_complete": f"‘{value}’ is not a whole percentage from 0 to 100."}
        )
    return int(number)


def _check_evidence(evidence_file: Any, evidence_link: str) -> None:
    if evidence_link and not evidence_link.lower().startswith(("https://", "http://")):
        raise ValidationError({"evidence_link": "A link must start with https:// or http://."})
    if evidence_file is not None:
        ext = evidence_file.name.rsplit(".", 1)[-1].lower() if "." in evidence_file.name else ""
        if ext not in EVIDENCE_EXTENSIONS:
            raise ValidationError(
                {
                    "evidence_file": "The evidence must be a document, spreadsheet, "
                    "presentation, PDF or picture ("
                    + ", ".join(f".{e}" for e in sorted(EVIDENCE_EXTENSIONS))
                    + ")."
                }
            )
        if evidence_file.size > EVIDENCE_MAX_BYTES:
            raise ValidationError({"evidence_file": "The evidence must be smaller than 10 MB."})


def _sync_current(actor: Any, action: Action) -> tuple[str, int]:
    """Make the action's status and percentage those of its latest update."""
    from ..models import ProgressUpdate

    latest = (
        ProgressUpdate.objects.filter(action=action).order_by("-date", "-created_at", "-id").first()
    )
    if latest is not None and (
        action.status != latest.status or action.percent_complete != latest.percent_complete
    ):
        action.status = latest.status
        action.percent_complete = latest.percent_complete
        action._history_user = actor  # type: ignore[attr-defined]
        action.save(update_fields=["status", "percent_complete", "updated_at"])
    return action.status, action.percent_complete


@transaction.atomic
def progress_update_create(
    *,
    actor: Any,
    action: Action,
    status: str,
    percent_complete: int | None = None,
    note: str = "",
    decision_needed: str = "",
    date: date | None = None,
    evidence_file: Any = None,
    evidence_link: str = "",
    source: str = "page",
) -> Any:
    """Report progress on an action; its current status becomes that of the latest update."""
    from .. import selectors
    from ..models import ProgressUpdate

    if not selectors.action_can_update(actor=actor, action=action):
        raise PermissionDenied("You may not report progress on this action.")
    today = clock.today()
    date = date or today
    note, decision_needed = note.strip(), decision_needed.strip()
    evidence_link = (evidence_link or "").strip()
    errors: dict[str, str] = {}
    if status not in Action.Status.values:
        errors["status"] = "Choose a status."
    if date > today:
        errors["date"] = "The date of an update cannot be in the future."
    if percent_complete is None:
        percent_complete = 100 if status == Action.Status.COMPLETE else action.percent_complete
    if not 0 <= percent_complete <= 100:
        errors["percent_complete"] = "Enter a percentage from 0 to 100."
    elif status == Action.Status.COMPLETE and percent_complete != 100:
        errors["percent_complete"] = "A complete action is 100% complete."
    if status in NOTE_REQUIRED and not note:
        label = Action.Status(status).label.lower() if status in Action.Status.values else ""
        errors["note"] = f"Say why the action is {label}."
    if errors:
        raise ValidationError(errors)
    _check_evidence(evidence_file, evidence_link)
    person = permissions.person_of(actor, action.partnership)
    before = (action.status, action.percent_complete)
    update = ProgressUpdate(
        partnership=action.partnership,
        action=action,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        author_name=(person.full_name if person else str(actor or ""))[:150],
        date=date,
        status=status,
        percent_complete=percent_complete,
        note=note,
        decision_needed=decision_needed,
        evidence_link=evidence_link,
        evidence_name=(evidence_file.name[:255] if evidence_file is not None else ""),
        source=source,
    )
    if evidence_file is not None:
        update.evidence_file.save(evidence_file.name, evidence_file, save=False)
    update.full_clean(exclude=["evidence_file"])
    update.save()
    after = _sync_current(actor, action)
    audit.record(
        actor=actor,
        partnership=action.partnership,
        action="progressupdate.create",
        obj=action,
        changes={
            "date": [None, date.isoformat()],
            "status": [before[0], after[0]],
            "percent_complete": [before[1], after[1]],
            **({"note": [None, note]} if note else {}),
            **({"decision_needed": [None, decision_needed]} if decision_needed else {}),
            **(
                {"evidence": [None, update.evidence_name or evidence_link]}
                if update.evidence_name or evidence_link
                else {}
            ),
        },
    )
    return update


def progress_bulk_apply(
    *, actor: Any, partnership: Partnership, rows: list[dict[str, Any]], source: str
) -> dict[str, Any]:
    """Apply many updates (from My actions or a spreadsheet), row by row.

    Each row: {"row": n, "action_id": ..., "status": ..., "percent": ..., "note": ...,
    "decision_needed": ..., "evidence_link": ...}. A row naming an action the actor may not
    update is rejected exactly like one naming no action at all. Rows with nothing new are
    skipped. Returns {"rows": [...], "applied": n, "rejected": n, "skipped": n}.
    """
    from .. import selectors

    permissions.require(actor, partnership, r.UPDATE_ACTIONS)
    ids = []
    for row in rows:
        try:
            ids.append(int(str(row.get("action_id") or "").strip()))
        except ValueError:
            continue
    updatable = {
        a.pk: a
        for a in selectors.action_updatable_list(actor=actor, partnership=partnership).filter(
            pk__in=ids
        )
    }
    report: dict[str, Any] = {"rows": [], "applied": 0, "rejected": 0, "skipped": 0}
    for row in rows:
        outcome = {
            "row": row.get("row"),
            "action_id": row.get("action_id"),
            "values": {
                k: ("" if row.get(k) is None else str(row.get(k)))
                for k in ("status", "percent", "note", "decision_needed", "evidence_link")
            },
        }
        try:
            action_id = int(str(row.get("action_id") or "").strip())
        except ValueError:
            action_id = None
        action = updatable.get(action_id) if action_id is not None else None
        try:
            if row.get("beyond"):
                raise ValidationError(
                    "There is something in "
                    + ", ".join(
                        f"column {letter} (‘{value[:60]}’)" for letter, value in row["beyond"]
                    )
                    + ", which has no heading, so the row was not read: move it into the "
                    "right column and upload the row again."
                )
            if action is None:
                raise ValidationError(
                    "No action with this id that you may update: check the Action id column."
                )
            outcome["action"] = action.text[:120]
            status = parse_status(row.get("status"))
            percent = parse_percent(row.get("percent"))
            note = str(row.get("note") or "").strip()
            decision = str(row.get("decision_needed") or "").strip()
            link = str(row.get("evidence_link") or "").strip()
            if status is None and percent is None and not note and not decision and not link:
                outcome.update(outcome="skipped", reason="Nothing new to record.")
                report["skipped"] += 1
                report["rows"].append(outcome)
                continue
            with transaction.atomic():
                update = progress_update_create(
                    actor=actor,
                    action=action,
                    status=status or action.status,
                    percent_complete=percent,
                    note=note,
                    decision_needed=decision,
                    evidence_link=link,
                    source=source,
                )
            outcome.update(
                outcome="applied",
                reason=f"{update.get_status_display()}, {update.percent_complete}% complete.",
            )
            report["applied"] += 1
        except ValidationError as exc:
            outcome.update(outcome="rejected", reason=" ".join(exc.messages))
            report["rejected"] += 1
        report["rows"].append(outcome)
    return report


@transaction.atomic
def progress_upload_apply(
    *, actor: Any, partnership: Partnership, filename: str, rows: list[dict[str, Any]]
) -> Any:
    """Apply an uploaded progress spreadsheet and keep its row-by-row report, in one
    transaction: the report saved is always the report of what was applied."""
    report = progress_bulk_apply(
        actor=actor, partnership=partnership, rows=rows, source="spreadsheet"
    )
    return progress_upload_record(
        actor=actor, partnership=partnership, filename=filename, report=report
    )


@transaction.atomic
def progress_upload_record(
    *, actor: Any, partnership: Partnership, filename: str, report: dict[str, Any]
) -> Any:
    from ..models import ProgressUpload

    permissions.require(actor, partnership, r.UPDATE_ACTIONS)
    upload = ProgressUpload.objects.create(
        partnership=partnership, uploaded_by=actor, filename=filename[:255], report=report
    )
    audit.record(
        actor=actor,
        partnership=partnership,
        action="progressupload.create",
        obj=upload,
        changes={
            "applied": [None, report.get("applied", 0)],
            "rejected": [None, report.get("rejected", 0)],
        },
    )
    return upload
