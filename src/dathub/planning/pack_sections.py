"""Planning's sections of the board pack: progress against the work plan, decisions needed.

Figures are as they stood on the pack's "as at" day, from the progress history: an action's
status then is that of its latest update on or before that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from . import delivery, selectors
from .document.dates import financial_year_label, financial_year_of
from .models import Action, Plan

STATUS_ORDER = [s for s, _ in Action.Status.choices]
STATUS_LABEL = dict(Action.Status.choices)
STATUS_TAG = {
    "not_started": "grey",
    "on_track": "blue",
    "at_risk": "orange",
    "off_track": "red",
    "complete": "green",
    "dropped": "grey",
}


@dataclass
class ActionThen:
    """An action as it stood on the as-at day."""

    action: Action
    status: str
    percent: int
    note: str
    note_date: date | None
    decision: str
    completed_on: date | None


def _tag(status: str) -> dict[str, str]:
    return {"text": STATUS_LABEL.get(status, status), "tag": STATUS_TAG.get(status, "grey")}


def _d(day: date | None) -> str:
    return f"{day.day} {day:%b %Y}" if day else ""


def plans_for(actor: Any, partnership: Any, as_at: date) -> list[Plan]:
    """The plans that were the partnership's live work on `as_at` (selectors.live_plans),
    as far as the actor may see them."""
    live = selectors.live_plans(partnership=partnership, as_at=as_at)
    return list(selectors.plan_list(actor=actor, partnership=partnership).filter(pk__in=live))


def _as_then(actions: list[Action], as_at: date) -> list[ActionThen]:
    from .models import ProgressUpdate

    ids = [a.pk for a in actions]
    latest = selectors.latest_updates(ids, as_at)
    has_any = set(
        ProgressUpdate.objects.filter(action_id__in=ids).values_list("action_id", flat=True)
    )
    completed: dict[int, date] = {}
    for action_id, day in (
        ProgressUpdate.objects.filter(
            action_id__in=ids, status=Action.Status.COMPLETE, date__lte=as_at
        )
        .order_by("action_id", "date")
        .values_list("action_id", "date")
    ):
        completed.setdefault(action_id, day)
    out = []
    for a in actions:
        u = latest.get(a.pk)
        if u is not None:
            status, percent = u.status, u.percent_complete
            note, note_date, decision = u.note, u.date, u.decision_needed
        elif a.pk in has_any:
            status, percent, note, note_date, decision = "not_started", 0, "", None, ""
        else:
            status, percent, note, note_date, decision = a.status, a.percent_complete, "", None, ""
        out.append(
            ActionThen(
                action=a,
                status=status,
                percent=percent,
                note=note,
                note_date=note_date,
                decision=decision,
                completed_on=completed.get(a.pk) if status == Action.Status.COMPLETE else None,
            )
        )
    return out


def counts(items: list[ActionThen]) -> dict[str, Any]:
    by_status = {s: 0 for s in STATUS_ORDER}
    for item in items:
        by_status[item.status] = by_status.get(item.status, 0) + 1
    total = len(items)
    in_scope = total - by_status["dropped"]
    rate = round(100 * by_status["complete"] / in_scope) if in_scope else 0
    return {"by_status": by_status, "total": total, "completion_rate": rate}


def _overdue(items: list[ActionThen], as_at: date) -> list[ActionThen]:
    late = [i for i in items if delivery.is_overdue(delivery.due_of(i.action), i.status, as_at)]
    return sorted(late, key=lambda i: (i.action.due_end or date.max, i.action.pk))


def _group_blocks(
    title: str, items: list[ActionThen], as_at: date, since: date | None
) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "heading", "text": title}]
    c = counts(items)
    overdue = _overdue(items, as_at)
    risky = [i for i in items if i.status in {"at_risk", "off_track"}]
    done = [
        i for i in items if i.completed_on and (since is None or since < i.completed_on <= as_at)
    ]
    blocks.append(
        {
            "type": "paragraph",
            "text": f"{c['total']} action{'s' if c['total'] != 1 else ''}: "
            f"{c['by_status']['complete']} complete ({c['completion_rate']}% of those not "
            f"dropped), {len(overdue)} overdue, {len(risky)} at risk or off track.",
        }
    )
    if done:
        blocks.append(
            {
                "type": "table",
                "caption": "Completed since the last meeting",
                "columns": ["Action", "By whom", "Completed"],
                "rows": [[i.action.text, i.action.owners_text, _d(i.completed_on)] for i in done],
            }
        )
    else:
        blocks.append(
            {"type": "paragraph", "text": "Nothing was completed since the last meeting."}
        )
    if overdue:
        blocks.append(
            {
                "type": "table",
                "caption": "Overdue",
                "columns": ["Action", "Deadline", "Days overdue", "By whom", "Status"],
                "numeric": [2],
                "rows": [
                    [
                        i.action.text,
                        f"{i.action.due_text} ({_d(i.action.due_end)})",
                        (as_at - i.action.due_end).days if i.action.due_end else "",
                        i.action.owners_text or "No owner",
                        _tag(i.status),
                    ]
                    for i in overdue
                ],
            }
        )
    if risky:
        blocks.append(
            {
                "type": "table",
                "caption": "At risk or off track",
                "columns": ["Action", "Status", "% complete", "Latest note", "By whom"],
                "numeric": [2],
                "rows": [
                    [
                        i.action.text,
                        _tag(i.status),
                        i.percent,
                        (f"{_d(i.note_date)}: {i.note}" if i.note else "No note"),
                        i.action.owners_text,
                    ]
                    for i in sorted(risky, key=lambda i: (i.status != "off_track", i.action.pk))
                ],
            }
        )
    return blocks


# What an edit of an action can change that the pack shows (and that decides "overdue").
AS_WRITTEN = (
    "text",
    "owners_text",
    "due_text",
    "due_start",
    "due_end",
    "due_recurrence",
    "due_ongoing",
)


def _as_written(actions: list[Action], as_at: date) -> list[Action]:
    """Each action's wording, owners and deadline as they stood at the end of the as-at day,
    from its history: a deadline moved after that day must not change what was overdue then.
    An action with no history by then (loaded in bulk) keeps what it says now."""
    day_after = timezone.make_aware(datetime.combine(as_at + timedelta(days=1), time.min))
    then: dict[int, Any] = {}
    for record in Action.history.filter(  # type: ignore[attr-defined]
        id__in=[a.pk for a in actions], history_date__lt=day_after
    ).order_by("id", "-history_date", "-history_id"):
        then.setdefault(record.id, record)
    for action in actions:
        record = then.get(action.pk)
        if record is not None:
            # only read for the pack, never saved
            for name in AS_WRITTEN:
                setattr(action, name, getattr(record, name))
    return actions


def _visible_actions(actor: Any, partnership: Any, plans: list[Plan], as_at: date) -> list[Action]:
    """The plans' actions and the meeting actions, as they existed on the as-at day."""
    actions = list(
        selectors.action_list(actor=actor, partnership=partnership)
        .filter(Q(objective__grid__plan__in=plans) | Q(objective__isnull=True))
        .filter(created_at__date__lte=as_at)
        .select_related("objective__grid__plan")
        .order_by(
            "objective__grid__plan",
            "objective__grid__position",
            "objective__position",
            "position",
            "id",
        )
    )
    return _as_written(actions, as_at)


def work_plan_progress(partnership: Any, ctx: Any) -> dict[str, Any]:
    """Progress against the work plan: per grid, counts by status and completion rate, what
    was completed since the last meeting, what is overdue (with owners), what is at risk or
    off track (with the latest notes)."""
    plans = plans_for(ctx.actor, partnership, ctx.as_at)
    if not plans:
        year = financial_year_label(financial_year_of(ctx.as_at))
        return {
            "empty": True,
            "blocks": [{"type": "paragraph", "text": f"There is no plan for {year} yet."}],
        }
    actions = _visible_actions(ctx.actor, partnership, plans, ctx.as_at)
    items = _as_then(actions, ctx.as_at)
    total = counts(items)
    blocks: list[dict[str, Any]] = [
        {
            "type": "paragraph",
            "text": "Plan: " + "; ".join(f"{p.title} ({p.financial_year})" for p in plans) + ".",
        },
        {
            "type": "figures",
            "items": [
                {"label": "actions in the plan and from meetings", "value": total["total"]},
                {"label": "complete", "value": total["by_status"]["complete"]},
                {"label": "completion rate", "value": f"{total['completion_rate']}%"},
                {"label": "overdue", "value": len(_overdue(items, ctx.as_at))},
                {"label": "at risk", "value": total["by_status"]["at_risk"]},
                {"label": "off track", "value": total["by_status"]["off_track"]},
            ],
        },
    ]
    groups: list[tuple[str, list[ActionThen]]] = []
    by_grid: dict[int, list[ActionThen]] = {}
    grid_titles: dict[int, str] = {}
    meeting: list[ActionThen] = []
    for item in items:
        objective = item.action.objective
        if objective is None:
            meeting.append(item)
            continue
        grid = objective.grid
        by_grid.setdefault(grid.pk, []).append(item)
        grid_titles[grid.pk] = f"Planning grid {grid.number}: {grid.title}"
    for grid_pk, grid_items in by_grid.items():
        groups.append((grid_titles[grid_pk], grid_items))
    if meeting:
        groups.append(("Actions from meetings and reviews", meeting))
    summary_rows = []
    for title, group_items in groups:
        c = counts(group_items)
        summary_rows.append(
            [title]
            + [c["by_status"][s] for s in STATUS_ORDER]
            + [c["total"], f"{c['completion_rate']}%"]
        )
    summary_rows.append(
        ["All"]
        + [total["by_status"][s] for s in STATUS_ORDER]
        + [total["total"], f"{total['completion_rate']}%"]
    )
    blocks.append(
        {
            "type": "table",
            "caption": "Actions by status",
            "columns": ["Grid"]
            + [STATUS_LABEL[s] for s in STATUS_ORDER]
            + ["Total", "Completion rate"],
            "numeric": list(range(1, len(STATUS_ORDER) + 3)),
            "row_headers": True,
            "rows": summary_rows,
        }
    )
    for title, group_items in groups:
        blocks.extend(_group_blocks(title, group_items, ctx.as_at, ctx.since))
    return {"blocks": blocks, "totals": total}


def decisions_needed(partnership: Any, ctx: Any) -> dict[str, Any]:
    """Decisions needed: open actions whose latest update asks the board for a decision or
    help, with the action's owners and when it was asked."""
    plans = plans_for(ctx.actor, partnership, ctx.as_at)
    actions = _visible_actions(ctx.actor, partnership, plans, ctx.as_at)
    items = [i for i in _as_then(actions, ctx.as_at) if i.decision and delivery.is_open(i.status)]
    if not items:
        return {
            "empty": True,
            "blocks": [{"type": "paragraph", "text": "No decisions have been asked for."}],
        }
    return {
        "blocks": [
            {
                "type": "table",
                "caption": "The board is asked to decide",
                "columns": ["Decision or help needed", "Action", "By whom", "Asked on", "Status"],
                "rows": [
                    [
                        i.decision,
                        i.action.text,
                        i.action.owners_text,
                        _d(i.note_date),
                        _tag(i.status),
                    ]
                    for i in items
                ],
            }
        ]
    }


def register() -> None:
    from dathub.reporting.registry import (
        BOARD_PACK,
        MANAGEMENT_REVIEW,
        SECTION_DECISIONS,
        SECTION_WORK_PLAN,
        register_section,
    )

    register_section(
        "work_plan_progress",
        "Progress against the work plan",
        SECTION_WORK_PLAN,
        work_plan_progress,
        kinds=(BOARD_PACK, MANAGEMENT_REVIEW),
        review_heading="progress",
    )
    register_section(
        "decisions_needed",
        "Decisions needed",
        SECTION_DECISIONS,
        decisions_needed,
        kinds=(BOARD_PACK, MANAGEMENT_REVIEW),
        review_heading="issues",
    )
