"""Demo plans: Northshire's treatment plan for the current financial year with a year of
progress and two issued board packs; a smaller Eastvale plan.

Every date is worked out from today (`clock.today()`), so the demo always has work
overdue, due soon and complete. The plans go in through the planning services (as a
`dathub.plan/1` document); the progress history is seeded directly, in bulk, then each
action's status is set from its latest update as the service would. Loading again changes
nothing: a partnership that already has the demo plan is left alone.

The written content is data only (`northshire`, `eastvale`, `meeting_actions`, `notes`);
`dates` works out days from today, `document` builds the plan document and `progress` seeds
the history. This module loads them.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from dathub.core import clock
from dathub.tenancy.models import Body, User

from ..document.dates import financial_year_label, financial_year_of
from ..models import Action, Plan
from .dates import meeting_day, stamp, when_text
from .document import plan_document, plan_stories
from .eastvale import EASTVALE_GRIDS
from .meeting_actions import NORTHSHIRE_MEETING_ACTIONS
from .northshire import NORTHSHIRE_GRIDS
from .progress import seed_progress, update_authors

DEMO_SOURCE = "dathub demo"


def _load_plan(partnership: Any, grids: list[dict[str, Any]], title: str, today: date) -> Plan:
    from .. import services

    coordinator = User.objects.get(email=f"coordinator@{_domain(partnership)}")
    data = plan_document(grids, title, partnership.name, today)
    plan = services.plan_from_json(
        actor=coordinator, partnership=partnership, data=data, source_name=DEMO_SOURCE
    )
    services.plan_set_status(actor=coordinator, plan=plan, status=Plan.Status.AGREED)
    services.plan_set_status(actor=coordinator, plan=plan, status=Plan.Status.PUBLISHED)
    # the plan has been in use since it was published: its actions date from then
    published = timezone.make_aware(
        datetime.combine(date.fromisoformat(data["published"]), time(9))
    )
    Action.objects.filter(objective__grid__plan=plan).update(created_at=published)
    actions = list(
        Action.objects.filter(objective__grid__plan=plan).order_by(
            "objective__grid__position", "objective__position", "position"
        )
    )
    seed_progress(actions, plan_stories(grids), today, update_authors(partnership))
    return plan


def _domain(partnership: Any) -> str:
    return "northshire.example" if partnership.code == "N01A" else "eastvale.example"


def _load_meeting_actions(partnership: Any, board: Body, today: date) -> None:
    from .. import services

    coordinator = User.objects.get(email=f"coordinator@{_domain(partnership)}")
    fy = financial_year_label(financial_year_of(today))
    actions = []
    stories = []
    for n, (ago, text, when, owners, story) in enumerate(NORTHSHIRE_MEETING_ACTIONS):
        meeting = meeting_day(today, -ago)
        actions.append(
            services.action_create(
                actor=coordinator,
                partnership=partnership,
                objective=None,
                text=text,
                source=f"{board.name} meeting {meeting.day} {meeting:%B %Y}",
                owners_text=owners,
                **services.read_due(when_text(when, today, n + 1), fy),
            )
        )
        stories.append((story, when))
        Action.objects.filter(pk=actions[-1].pk).update(created_at=stamp(meeting, time(18)))
    seed_progress(actions, stories, today, update_authors(partnership))


def load(partnerships_by_code: dict[str, Any]) -> None:
    today = clock.today()
    fy = financial_year_label(financial_year_of(today))
    northshire = partnerships_by_code.get("N01A")
    if (
        northshire is not None
        and not Plan.objects.filter(partnership=northshire, source_name=DEMO_SOURCE).exists()
    ):
        _load_plan(
            northshire,
            NORTHSHIRE_GRIDS,
            f"Adult drug treatment plan {fy} Part 3: Planning grids",
            today,
        )
        board = Body.objects.get(partnership=northshire, name="Northshire Partnership Board")
        _load_meeting_actions(northshire, board, today)
    eastvale = partnerships_by_code.get("E02B")
    if (
        eastvale is not None
        and not Plan.objects.filter(partnership=eastvale, source_name=DEMO_SOURCE).exists()
    ):
        _load_plan(eastvale, EASTVALE_GRIDS, f"Eastvale treatment plan {fy}", today)
