"""A year of progress for the demo's actions: each story told as dated updates, written in
bulk by the people who own the actions, then each action's current status."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from dathub.tenancy.models import Person, User

from ..models import Action, ProgressUpdate
from .dates import month_day, stamp
from .notes import NOTES


def _updates_for(
    index: int, story: Any, deadline_offset: int | None, recurring: str | None, today: date
) -> list[dict[str, Any]]:
    """The progress history of one demo action, oldest first."""
    day = 5 + (index * 7) % 20
    out: list[dict[str, Any]] = []
    if story == "new":
        return out
    if story == "recurring":
        step = 3 if recurring == "quarterly" else 1
        for k, month_offset in enumerate(range(-11, 1, step)):
            out.append(
                {
                    "date": month_day(today, month_offset, day),
                    "status": "on_track",
                    "percent": 0 if k == 0 else min(10 + 8 * k, 90),
                    "note": NOTES["recurring"][(index + k) % 3],
                }
            )
        return out
    if isinstance(story, tuple) and story[0] == "done":
        end = story[1]
    else:
        end = 0
    start = max(min((deadline_offset if deadline_offset is not None else end) - 4, end - 1), -11)
    months = list(range(start, end + 1))
    final = {
        "on": ("on_track", 70),
        "risk": ("at_risk", 45),
        "off": ("off_track", 25),
        "drop": ("dropped", 20),
        "done": ("complete", 100),
    }[story if isinstance(story, str) else story[0]]
    for k, m in enumerate(months):
        last = k == len(months) - 1
        percent = final[1] if last else int(final[1] * (k + 1) / len(months) * 0.85)
        status = final[0] if last else ("on_track" if k else "not_started")
        if not last and final[0] in {"at_risk", "off_track"} and k >= len(months) - 3:
            status = "at_risk"  # trouble shows a few months before the latest update
        note = NOTES["start"][index % 3] if k == 0 else NOTES["middle"][(index + k) % 4]
        decision = ""
        if status == "at_risk" and isinstance(story, tuple) and len(story) > 2:
            decision = story[2]  # asked for since the trouble began
        if last:
            if final[0] == "complete":
                note = NOTES["done"][index % 3]
            elif isinstance(story, tuple) and story[0] in {"risk", "off", "drop"}:
                note = story[1]
                decision = story[2] if len(story) > 2 else ""
        date_ = month_day(today, m, day)
        if last and m == 0:
            date_ = min(date_, today)
        out.append(
            {
                "date": date_,
                "status": status,
                "percent": percent,
                "note": note,
                "decision": decision,
            }
        )
    # the same day twice (start of month clipped to today) keeps only the later one
    seen: dict[date, dict[str, Any]] = {}
    for u in out:
        seen[u["date"]] = u
    return sorted(seen.values(), key=lambda u: u["date"])


def seed_progress(
    actions: list[Action],
    stories: list[tuple[Any, Any]],
    today: date,
    authors: dict[str, tuple[User | None, str]],
) -> None:
    """The year of progress: bulk-created updates, then each action's current status."""
    rows = []
    for index, (action, (story, when)) in enumerate(zip(actions, stories, strict=True)):
        deadline = when[1] if isinstance(when, tuple) and when[0] in {"m", "q", "endq"} else None
        recurring = action.due_recurrence or None
        user, name = authors.get(action.owners_text.split("/")[0].strip(), authors["*"])
        for u in _updates_for(index, story, deadline, recurring, today):
            rows.append(
                ProgressUpdate(
                    partnership=action.partnership,
                    action=action,
                    author=user,
                    author_name=name,
                    date=u["date"],
                    status=u["status"],
                    percent_complete=u["percent"],
                    note=u["note"],
                    decision_needed=u.get("decision", ""),
                    source="page",
                    created_at=stamp(u["date"], time(10, 0)),
                )
            )
    ProgressUpdate.objects.bulk_create(rows)
    latest: dict[int, ProgressUpdate] = {}
    for row in rows:
        current = latest.get(row.action_id)
        if current is None or row.date >= current.date:
            latest[row.action_id] = row
    for action in actions:
        newest = latest.get(action.pk)
        if newest is not None:
            Action.objects.filter(pk=action.pk).update(
                status=newest.status, percent_complete=newest.percent_complete
            )


def update_authors(partnership: Any) -> dict[str, tuple[User | None, str]]:
    """Who writes an action's updates, by the first owner it names; "*" for any other."""
    people = {p.email.split("@")[0]: p for p in Person.objects.filter(partnership=partnership)}

    def who(local: str) -> tuple[User | None, str]:
        p = people.get(local)
        return (p.user if p else None, p.full_name if p else "")

    return {
        "DPM": who("analyst"),
        "NDAT Data Lead": who("analyst"),
        "JCG Chair": who("commissioning"),
        "NDAT Commissioner": who("commissioning"),
        "NDAT Contracts & Performance Officer": who("commissioning"),
        "BM": who("admin"),
        "DIP PM": who("cjlead"),
        "Northshire Recovery Trust": who("provider"),
        "Jamie Lewis": who("engagement"),
        "Alex Morgan": who("coordinator"),
        "Robin Hughes": who("finance"),
        "*": who("coordinator"),
    }
