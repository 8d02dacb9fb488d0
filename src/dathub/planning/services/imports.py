"""Storing a plan document: a dathub.plan/1 document as a new draft, all or nothing, and the
upload, preview, confirmation and cancellation of a plan import.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from dathub.core import audit
from dathub.core.services import audited_archive
from dathub.tenancy.models import Partnership

from .. import document
from ..document.owners import split_owners
from ..models import Action, Grid, Objective, Plan, PlanImport, Priority, SpendLine
from .cells import (
    cost_fields,
    create_versioned,
    due_fields,
    known_roles,
    require_manage,
    set_owners,
)


def _build(
    actor: Any, partnership: Partnership, data: dict[str, Any], plan: Plan
) -> dict[str, int]:
    """Create the grids, objectives and actions of `data` under `plan`."""
    counts = {"grids": 0, "objectives": 0, "actions": 0}
    cache: dict[Any, Any] = {}
    roles_known = known_roles(partnership)
    common = {"partnership": partnership}
    for gpos, g in enumerate(data.get("grids", [])):
        grid = Grid(
            plan=plan,
            number=g["number"],
            title=g.get("title") or "",
            rating=g.get("rating") or "",
            assessment=g.get("assessment") or "",
            position=gpos,
            **common,
        )
        grid._history_user = actor  # type: ignore[attr-defined]
        grid.save()
        counts["grids"] += 1
        for ppos, text in enumerate(g.get("priorities", [])):
            create_versioned(actor, Priority, grid=grid, text=text, position=ppos, **common)
        for spos, line in enumerate(g.get("spend", [])):
            create_versioned(
                actor,
                SpendLine,
                grid=grid,
                label=line["label"],
                amount=Decimal(str(line["amount"])),
                position=spos,
                **common,
            )
        for opos, o in enumerate(g.get("objectives", [])):
            objective = Objective(
                grid=grid,
                number=o.get("number"),
                title=o.get("title") or "",
                owners_text=o.get("owners") or "",
                notes=o.get("notes") or [],
                position=opos,
                **due_fields(o.get("due")),
                **common,
            )
            objective._history_user = actor  # type: ignore[attr-defined]
            objective.save()
            counts["objectives"] += 1
            for apos, a in enumerate(o.get("actions", [])):
                action = Action(
                    objective=objective,
                    text=a.get("text") or "",
                    owners_text=a.get("owners") or "",
                    position=apos,
                    status=a.get("status") or Action.Status.NOT_STARTED,
                    percent_complete=a.get("percent_complete") or 0,
                    **due_fields(a.get("due")),
                    **cost_fields(a.get("cost")),
                    **common,
                )
                action._history_user = actor  # type: ignore[attr-defined]
                action.save()
                counts["actions"] += 1
                parties = a.get("owner_list")
                if parties is None:
                    parties = split_owners(action.owners_text, roles_known)
                set_owners(action, action.owners_text, cache, parties=parties)
    return counts


@transaction.atomic
def plan_from_json(
    *, actor: Any, partnership: Partnership, data: dict[str, Any], source_name: str = ""
) -> Plan:
    """Store a `dathub.plan/1` document as a new draft plan, all or nothing."""
    require_manage(actor, partnership)
    if data.get("schema") != "dathub.plan/1":
        raise ValidationError("This is not a dathub.plan/1 document.")
    year = data.get("financial_year") or ""
    if not year:
        raise ValidationError(
            {
                "financial_year": "The plan does not say its financial year; "
                "enter it before importing."
            }
        )
    published = data.get("published")
    plan = Plan(
        partnership=partnership,
        financial_year=year,
        title=data.get("title") or f"Treatment plan {year}",
        partnership_name_text=data.get("partnership") or "",
        published_on=date.fromisoformat(published) if published else None,
        source_name=source_name[:255],
    )
    plan.full_clean()
    plan._history_user = actor  # type: ignore[attr-defined]
    plan.save()
    counts = _build(actor, partnership, data, plan)
    audit.record(
        actor=actor,
        partnership=partnership,
        action="plan.import",
        obj=plan,
        changes={"source": [None, source_name], **{k: [None, v] for k, v in counts.items()}},
    )
    return plan


def plan_import_stage(
    *, actor: Any, partnership: Partnership, filename: str, data: bytes, financial_year: str = ""
) -> PlanImport:
    """Read an uploaded document and keep it, with what was understood, for a preview."""
    require_manage(actor, partnership)
    try:
        parsed = document.parse_document(
            data,
            filename,
            known_roles=known_roles(partnership),
            financial_year=financial_year or None,
        )
    except document.PlanDocumentError as exc:
        raise ValidationError({"document": str(exc)}) from exc
    if financial_year:
        parsed["financial_year"] = financial_year
    staged = PlanImport(
        partnership=partnership,
        uploaded_by=actor,
        filename=filename[:255],
        document=data,
        digest=hashlib.sha256(data).hexdigest(),
        parsed=parsed,
    )
    staged.save()
    audit.record(
        actor=actor,
        partnership=partnership,
        action="planimport.upload",
        obj=staged,
        changes={"issues": [None, len(parsed.get("issues", []))]},
    )
    return staged


@transaction.atomic
def plan_import_confirm(
    *, actor: Any, plan_import: PlanImport, replace: Plan | None = None
) -> Plan:
    """Save the previewed import as a new draft plan; with `replace`, that draft (the same
    document or year imported before) is archived in the same transaction."""
    require_manage(actor, plan_import.partnership)
    if plan_import.status != PlanImport.Status.PENDING:
        raise ValidationError("This import has already been confirmed or cancelled.")
    if replace is not None:
        if (
            replace.partnership_id != plan_import.partnership_id
            or replace.status != Plan.Status.DRAFT
            or replace.archived_at is not None
        ):
            raise ValidationError({"replace": "Only a draft plan can be replaced by an import."})
        audited_archive(actor=actor, instance=replace)
    plan = plan_from_json(
        actor=actor,
        partnership=plan_import.partnership,
        data=plan_import.parsed,
        source_name=plan_import.filename,
    )
    plan_import.status = PlanImport.Status.CONFIRMED
    plan_import.plan = plan
    plan_import.save(update_fields=["status", "plan", "updated_at"])
    return plan


def plan_import_cancel(*, actor: Any, plan_import: PlanImport) -> PlanImport:
    require_manage(actor, plan_import.partnership)
    if plan_import.status == PlanImport.Status.PENDING:
        plan_import.status = PlanImport.Status.CANCELLED
        plan_import.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            partnership=plan_import.partnership,
            action="planimport.cancel",
            obj=plan_import,
        )
    return plan_import
