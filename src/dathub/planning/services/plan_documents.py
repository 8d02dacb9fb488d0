"""Storing a plan document: a dathub.plan/1 document as a new draft plan, all or nothing
(from an import, the API or the command line)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from dathub.core import audit
from dathub.tenancy.models import Partnership

from ..document.owners import split_owners
from ..models import Action, Grid, Objective, Plan, Priority, SpendLine
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
