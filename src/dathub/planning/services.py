"""Writes to plans, grids, objectives and actions; imports and roll-over. All audited."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from dathub.core import audit, clock
from dathub.core.services import audited_archive, audited_create, audited_update
from dathub.tenancy import permissions
from dathub.tenancy import roles as r
from dathub.tenancy.models import Partnership, Person, RoleName

from . import document
from .document.costs import read_cost as _read_cost_cell
from .document.dates import financial_year_start, read_by_when
from .document.owners import split_owners
from .models import Action, ActionOwner, Grid, Objective, Plan, PlanImport, Priority, SpendLine


def _manage(actor: Any, partnership: Partnership) -> None:
    permissions.require(actor, partnership, r.MANAGE_PLANS)


def known_roles(partnership: Partnership) -> list[str]:
    """The partnership's role names and abbreviations, consulted first when splitting owners."""
    names: list[str] = []
    for abbreviation, name in (
        RoleName.objects.current()
        .filter(partnership=partnership)
        .values_list("abbreviation", "name")
    ):
        names.append(abbreviation)
        if name:
            names.append(name)
    return names


# --- owners -----------------------------------------------------------------------------


def _resolve_party(partnership: Partnership, text: str, cache: dict[Any, Any]) -> dict[str, Any]:
    if not cache:
        for rn in RoleName.objects.current().filter(partnership=partnership):
            cache.setdefault(("role", rn.abbreviation.casefold()), rn)
            if rn.name:
                cache.setdefault(("role", rn.name.casefold()), rn)
        for person in Person.objects.current().filter(partnership=partnership):
            cache.setdefault(("person", person.full_name.casefold()), person)
        cache["_loaded"] = True
    key = text.casefold()
    return {
        "role_name": cache.get(("role", key)),
        "person": cache.get(("person", key)),
    }


def _set_owners(
    action: Action,
    owners_text: str,
    cache: dict[Any, Any] | None = None,
    parties: list[str] | None = None,
) -> None:
    cache = {} if cache is None else cache
    if parties is None:
        parties = split_owners(owners_text, known_roles(action.partnership))
    ActionOwner.objects.filter(action=action, archived_at__isnull=True).update(
        archived_at=clock.now()
    )
    for position, party in enumerate(parties):
        found = _resolve_party(action.partnership, party, cache)
        ActionOwner.objects.create(
            partnership=action.partnership,
            action=action,
            text=party,
            position=position,
            person=found["person"],
            role_name=found["role_name"],
        )


@transaction.atomic
def action_owners_set(
    *,
    actor: Any,
    action: Action,
    people: list[Person] | None = None,
    role_names: list[RoleName] | None = None,
) -> Action:
    """Assign owners from the partnership's people and roles; 'by whom' is rewritten."""
    _manage(actor, action.partnership)
    parties = [p for p in (people or []) if p.partnership_id == action.partnership_id]
    roles_ = [rn for rn in (role_names or []) if rn.partnership_id == action.partnership_id]
    before = action.owners_text
    action.owners_text = ", ".join(
        [rn.abbreviation for rn in roles_] + [p.full_name for p in parties]
    )
    action._history_user = actor  # type: ignore[attr-defined]
    action.save(update_fields=["owners_text", "updated_at"])
    ActionOwner.objects.filter(action=action, archived_at__isnull=True).update(
        archived_at=clock.now()
    )
    position = 0
    for rn in roles_:
        ActionOwner.objects.create(
            partnership=action.partnership,
            action=action,
            text=rn.abbreviation,
            role_name=rn,
            position=position,
        )
        position += 1
    for person in parties:
        ActionOwner.objects.create(
            partnership=action.partnership,
            action=action,
            text=person.full_name,
            person=person,
            position=position,
        )
        position += 1
    audit.record(
        actor=actor,
        partnership=action.partnership,
        action="action.owners",
        obj=action,
        changes={"owners": [before, action.owners_text]},
    )
    return action


# --- due and cost -----------------------------------------------------------------------


def _due_fields(due: dict[str, Any] | None) -> dict[str, Any]:
    if not due:
        return {
            "due_text": "",
            "due_start": None,
            "due_end": None,
            "due_recurrence": "",
            "due_ongoing": False,
        }
    return {
        "due_text": due.get("text") or "",
        "due_start": date.fromisoformat(due["start"]) if due.get("start") else None,
        "due_end": date.fromisoformat(due["end"]) if due.get("end") else None,
        "due_recurrence": due.get("recurrence") or "",
        "due_ongoing": bool(due.get("ongoing")),
    }


def read_due(text: str, financial_year: str) -> dict[str, Any]:
    """Model fields for a 'by when' typed in a form, read like an imported one."""
    text = (text or "").strip()
    return _due_fields(read_by_when(text, financial_year) if text else None)


def _cost_fields(cost: dict[str, Any] | None) -> dict[str, Any]:
    if not cost:
        return {"cost_text": "", "cost_amount": None}
    amount = cost.get("amount")
    return {
        "cost_text": cost.get("text") or "",
        "cost_amount": Decimal(str(amount)) if amount is not None else None,
    }


def read_cost(text: str) -> dict[str, Any]:
    text = (text or "").strip()
    return _cost_fields(_read_cost_cell(text) if text else None)


# --- plans --------------------------------------------------------------------------------


def plan_create(
    *, actor: Any, partnership: Partnership, financial_year: str, title: str, **fields: Any
) -> Plan:
    _manage(actor, partnership)
    return audited_create(
        actor=actor,
        instance=Plan(
            partnership=partnership, financial_year=financial_year, title=title, **fields
        ),
    )


def plan_update(*, actor: Any, plan: Plan, **fields: Any) -> Plan:
    _manage(actor, plan.partnership)
    return audited_update(actor=actor, instance=plan, **fields)


def plan_archive(*, actor: Any, plan: Plan) -> Plan:
    _manage(actor, plan.partnership)
    return audited_archive(actor=actor, instance=plan)


_NEXT_STATUS = {
    Plan.Status.DRAFT: {Plan.Status.AGREED},
    Plan.Status.AGREED: {Plan.Status.PUBLISHED, Plan.Status.DRAFT},
    Plan.Status.PUBLISHED: set(),
}


def plan_set_status(*, actor: Any, plan: Plan, status: str) -> Plan:
    """Draft -> agreed (signed off by the actor) -> published; agreed may go back to draft."""
    _manage(actor, plan.partnership)
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
    _manage(actor, plan.partnership)
    return audited_update(actor=actor, instance=plan, marked_live=bool(live))


def _create(actor: Any, model: Any, **fields: Any) -> Any:
    """A new row whose first history entry names the person who made it."""
    instance = model(**fields)
    instance._history_user = actor
    instance.save()
    return instance


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
            _create(actor, Priority, grid=grid, text=text, position=ppos, **common)
        for spos, line in enumerate(g.get("spend", [])):
            _create(
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
                **_due_fields(o.get("due")),
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
                    **_due_fields(a.get("due")),
                    **_cost_fields(a.get("cost")),
                    **common,
                )
                action._history_user = actor  # type: ignore[attr-defined]
                action.save()
                counts["actions"] += 1
                parties = a.get("owner_list")
                if parties is None:
                    parties = split_owners(action.owners_text, roles_known)
                _set_owners(action, action.owners_text, cache, parties=parties)
    return counts


@transaction.atomic
def plan_from_json(
    *, actor: Any, partnership: Partnership, data: dict[str, Any], source_name: str = ""
) -> Plan:
    """Store a `dathub.plan/1` document as a new draft plan, all or nothing."""
    _manage(actor, partnership)
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
    _manage(actor, partnership)
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
    _manage(actor, plan_import.partnership)
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
    _manage(actor, plan_import.partnership)
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


def _next_year(financial_year: str) -> str:
    start = financial_year_start(financial_year)
    if start is None:
        raise ValidationError({"financial_year": "Enter the new plan's financial year."})
    return f"{start + 1}/{(start + 2) % 100:02d}"


@transaction.atomic
def plan_roll_over(*, actor: Any, plan: Plan, financial_year: str = "") -> Plan:
    """A new draft for the next year: same grids, priorities and objectives; the actions not
    yet complete (or dropped) carried forward with their status and owners; spend lines
    cleared, because next year's money is set afresh."""
    _manage(actor, plan.partnership)
    year = financial_year or _next_year(plan.financial_year)
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
    common = {"partnership": plan.partnership}
    for grid in plan.grids.current().order_by("position"):
        g2 = _create(
            actor,
            Grid,
            plan=new,
            number=grid.number,
            title=grid.title,
            rating=grid.rating,
            assessment=grid.assessment,
            position=grid.position,
            **common,
        )
        for p in grid.priorities.current():
            _create(actor, Priority, grid=g2, text=p.text, position=p.position, **common)
        for o in grid.objectives.current():
            o2 = _create(
                actor,
                Objective,
                grid=g2,
                number=o.number,
                title=o.title,
                owners_text=o.owners_text,
                notes=o.notes,
                position=o.position,
                due_text=o.due_text,
                due_start=o.due_start,
                due_end=o.due_end,
                due_recurrence=o.due_recurrence,
                due_ongoing=o.due_ongoing,
                **common,
            )
            for a in o.actions.current():
                if not a.is_open:
                    continue
                a2 = _create(
                    actor,
                    Action,
                    objective=o2,
                    text=a.text,
                    owners_text=a.owners_text,
                    cost_text=a.cost_text,
                    cost_amount=a.cost_amount,
                    status=a.status,
                    percent_complete=a.percent_complete,
                    position=a.position,
                    due_text=a.due_text,
                    due_start=a.due_start,
                    due_end=a.due_end,
                    due_recurrence=a.due_recurrence,
                    due_ongoing=a.due_ongoing,
                    **common,
                )
                for owner in a.owners.current():
                    _create(
                        actor,
                        ActionOwner,
                        action=a2,
                        text=owner.text,
                        person=owner.person,
                        role_name=owner.role_name,
                        position=owner.position,
                        **common,
                    )
                carried += 1
    audit.record(
        actor=actor,
        partnership=plan.partnership,
        action="plan.roll_over",
        obj=new,
        changes={"from": [None, str(plan)], "actions_carried": [None, carried]},
    )
    return new


# --- grids, objectives, actions ---------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@transaction.atomic
def grid_save(
    *,
    actor: Any,
    plan: Plan,
    grid: Grid | None = None,
    priorities: str = "",
    spend: list[tuple[str, Decimal]] | None = None,
    **fields: Any,
) -> Grid:
    """Create or change a grid; key priorities and spend lines are replaced as a whole."""
    _manage(actor, plan.partnership)
    if grid is None:
        position = plan.grids.count()
        grid = audited_create(
            actor=actor,
            instance=Grid(partnership=plan.partnership, plan=plan, position=position, **fields),
        )
    else:
        grid = audited_update(actor=actor, instance=grid, **fields)
    new_priorities = _lines(priorities)
    if [p.text for p in grid.priorities.current()] != new_priorities:
        grid.priorities.current().update(archived_at=clock.now())
        for i, text in enumerate(new_priorities):
            _create(actor, Priority, partnership=plan.partnership, grid=grid, text=text, position=i)
        audit.record(
            actor=actor,
            partnership=plan.partnership,
            action="grid.priorities",
            obj=grid,
            changes={"priorities": [None, new_priorities]},
        )
    if spend is not None:
        old = [(s.label, s.amount) for s in grid.spend_lines.current()]
        if old != spend:
            grid.spend_lines.current().update(archived_at=clock.now())
            for i, (label, amount) in enumerate(spend):
                _create(
                    actor,
                    SpendLine,
                    partnership=plan.partnership,
                    grid=grid,
                    label=label,
                    amount=amount,
                    position=i,
                )
            audit.record(
                actor=actor,
                partnership=plan.partnership,
                action="grid.spend",
                obj=grid,
                changes={"spend": [[f"{a} {b}" for a, b in old], [f"{a} {b}" for a, b in spend]]},
            )
    return grid


def grid_archive(*, actor: Any, grid: Grid) -> Grid:
    _manage(actor, grid.partnership)
    return audited_archive(actor=actor, instance=grid)


def objective_create(*, actor: Any, grid: Grid, **fields: Any) -> Objective:
    _manage(actor, grid.partnership)
    position = grid.objectives.count()
    return audited_create(
        actor=actor,
        instance=Objective(partnership=grid.partnership, grid=grid, position=position, **fields),
    )


def objective_update(*, actor: Any, objective: Objective, **fields: Any) -> Objective:
    _manage(actor, objective.partnership)
    return audited_update(actor=actor, instance=objective, **fields)


def objective_archive(*, actor: Any, objective: Objective) -> Objective:
    _manage(actor, objective.partnership)
    return audited_archive(actor=actor, instance=objective)


@transaction.atomic
def action_create(
    *, actor: Any, partnership: Partnership, objective: Objective | None = None, **fields: Any
) -> Action:
    _manage(actor, partnership)
    if objective is not None and objective.partnership_id != partnership.pk:
        raise ValidationError({"objective": "Choose an objective of this partnership."})
    if objective is None and not fields.get("source"):
        raise ValidationError({"source": "Say where an action outside the plan came from."})
    position = objective.actions.count() if objective else 0
    action = audited_create(
        actor=actor,
        instance=Action(partnership=partnership, objective=objective, position=position, **fields),
    )
    if action.owners_text:
        _set_owners(action, action.owners_text)
    return action


@transaction.atomic
def action_update(*, actor: Any, action: Action, **fields: Any) -> Action:
    _manage(actor, action.partnership)
    owners_changed = "owners_text" in fields and fields["owners_text"] != action.owners_text
    action = audited_update(actor=actor, instance=action, **fields)
    if owners_changed:
        _set_owners(action, action.owners_text)
    return action


def action_archive(*, actor: Any, action: Action) -> Action:
    _manage(actor, action.partnership)
    return audited_archive(actor=actor, instance=action)


# --- delivery tracking: progress updates ------------------------------------------------

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
    from .models import ProgressUpdate

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
    from . import selectors
    from .models import ProgressUpdate

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
    from . import selectors

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
    from .models import ProgressUpload

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
