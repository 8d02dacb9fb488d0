"""Plans as a whole: create, edit, archive, sign off and publish, mark as live work, and
roll over to the next year. All audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from dathub.core import audit, clock
from dathub.core.services import audited_archive, audited_create, audited_update
from dathub.tenancy.models import Partnership

from ..document.dates import financial_year_start
from ..models import DueFields, Plan
from .cells import create_versioned, require_manage


def plan_create(
    *, actor: Any, partnership: Partnership, financial_year: str, title: str, **fields: Any
) -> Plan:
    require_manage(actor, partnership)
    return audited_create(
        actor=actor,
        instance=Plan(
            partnership=partnership, financial_year=financial_year, title=title, **fields
        ),
    )


def plan_update(*, actor: Any, plan: Plan, **fields: Any) -> Plan:
    require_manage(actor, plan.partnership)
    return audited_update(actor=actor, instance=plan, **fields)


def plan_archive(*, actor: Any, plan: Plan) -> Plan:
    require_manage(actor, plan.partnership)
    return audited_archive(actor=actor, instance=plan)


_NEXT_STATUS = {
    Plan.Status.DRAFT: {Plan.Status.AGREED},
    Plan.Status.AGREED: {Plan.Status.PUBLISHED, Plan.Status.DRAFT},
    Plan.Status.PUBLISHED: set(),
}


def next_statuses(plan: Plan) -> list[Plan.Status]:
    """The statuses the plan may move to next, in the order the page offers them."""
    return [s for s in Plan.Status if s in _NEXT_STATUS[Plan.Status(plan.status)]]


def plan_set_status(*, actor: Any, plan: Plan, status: str) -> Plan:
    """Draft -> agreed (signed off by the actor) -> published; agreed may go back to draft."""
    require_manage(actor, plan.partnership)
    if status not in _NEXT_STATUS[Plan.Status(plan.status)]:
        raise ValidationError(
            {
                "status": f"A {plan.get_status_display().lower()} plan cannot "
                f"become {Plan.Status(status).label.lower()}."
            }
        )
    fields: dict[str, Any] = {"status": status}
    if status == Plan.Status.AGREED:
        fields.update(signed_off_by=actor, signed_off_at=clock.now())
    elif status == Plan.Status.DRAFT:
        fields.update(signed_off_by=None, signed_off_at=None)
    elif status == Plan.Status.PUBLISHED and plan.published_on is None:
        fields["published_on"] = clock.today()
    return audited_update(actor=actor, instance=plan, **fields)


def plan_set_live(*, actor: Any, plan: Plan, live: bool) -> Plan:
    """Mark a plan as live work whatever its year or status (or take the mark off): its
    actions then count in My actions, overdue counts, reminders and board packs."""
    require_manage(actor, plan.partnership)
    return audited_update(actor=actor, instance=plan, marked_live=bool(live))


def next_year(financial_year: str) -> str:
    start = financial_year_start(financial_year)
    if start is None:
        raise ValidationError({"financial_year": "Enter the new plan's financial year."})
    return f"{start + 1}/{(start + 2) % 100:02d}"


DUE = tuple(f.name for f in DueFields._meta.fields)  # the 'by when' cell, as written and read
ACTION_CARRIED = (
    "text", "owners_text", "cost_text", "cost_amount", "status", "percent_complete", "position",
    *DUE,
)  # fmt: skip


def _carry(actor: Any, source: Any, names: tuple[str, ...], **fields: Any) -> Any:
    """A copy of `source` in the new plan: the named fields as they are, `fields` anew."""
    kept = {n: getattr(source, n) for n in names}
    return create_versioned(actor, type(source), partnership=source.partnership, **kept, **fields)


@transaction.atomic
def plan_roll_over(*, actor: Any, plan: Plan, financial_year: str = "") -> Plan:
    """A new draft for the next year: same grids, priorities and objectives; the actions not
    yet complete (or dropped) carried forward with their status and owners; spend lines
    cleared, because next year's money is set afresh."""
    require_manage(actor, plan.partnership)
    year = financial_year or next_year(plan.financial_year)
    old_year = plan.financial_year
    title = (
        plan.title.replace(old_year, year) if old_year in plan.title else f"{plan.title} ({year})"
    )
    new = Plan(
        partnership=plan.partnership,
        financial_year=year,
        title=title,
        partnership_name_text=plan.partnership_name_text,
        rolled_over_from=plan,
    )
    new.full_clean()
    new._history_user = actor  # type: ignore[attr-defined]
    new.save()
    carried = 0
    for grid in plan.grids.current().order_by("position"):
        g2 = _carry(actor, grid, ("number", "title", "rating", "assessment", "position"), plan=new)
        for p in grid.priorities.current():
            _carry(actor, p, ("text", "position"), grid=g2)
        for o in grid.objectives.current():
            o2 = _carry(
                actor, o, ("number", "title", "owners_text", "notes", "position", *DUE), grid=g2
            )
            for a in o.actions.current():
                if not a.is_open:
                    continue
                a2 = _carry(actor, a, ACTION_CARRIED, objective=o2)
                for owner in a.owners.current():
                    _carry(actor, owner, ("text", "person", "role_name", "position"), action=a2)
                carried += 1
    audit.record(
        actor=actor,
        partnership=plan.partnership,
        action="plan.roll_over",
        obj=new,
        changes={"from": [None, str(plan)], "actions_carried": [None, carried]},
    )
    return new
