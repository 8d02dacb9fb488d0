"""A small Northshire plan with known owners, deadlines and progress, relative to today,
shared by the delivery tracking and board pack tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from dathub.core import clock


def due(
    end: date | None, text: str = "", recurrence: str | None = None, ongoing: bool = False
) -> dict[str, Any]:
    return {
        "text": text or (f"{end:%d/%m/%Y}" if end else "Ongoing"),
        "start": None,
        "end": end.isoformat() if end else None,
        "recurrence": recurrence,
        "ongoing": ongoing,
    }


def action(text: str, owners: str, due_: dict[str, Any] | None) -> dict[str, Any]:
    return {"text": text, "owners": owners, "due": due_, "cost": None}


@dataclass
class Delivery:
    today: date
    plan: Any
    actions: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        from dathub.planning.models import Action

        return Action.objects.get(pk=self.actions[key].pk)


def build(demo: Any, today: date | None = None) -> Delivery:
    from dathub.planning import services
    from dathub.planning.document.dates import financial_year_label, financial_year_of
    from dathub.planning.models import Action

    t = today or clock.today()
    fy = financial_year_label(financial_year_of(t))
    data = {
        "schema": "dathub.plan/1",
        "title": f"Test treatment plan {fy}",
        "financial_year": fy,
        "grids": [
            {
                "number": 1,
                "title": "Harm reduction",
                "rating": "amber",
                "priorities": [],
                "spend": [],
                "objectives": [
                    {
                        "number": 1,
                        "title": "Reduce blood-borne viruses",
                        "actions": [
                            action(
                                "Trust overdue: train staff in naloxone",
                                "Northshire Recovery Trust",
                                due(t - timedelta(days=10)),
                            ),
                            action(
                                "Trust due soon: open the needle exchange",
                                "Northshire Recovery Trust",
                                due(t + timedelta(days=7)),
                            ),
                            action(
                                "DPM complete: audit return rates",
                                "DPM",
                                due(t - timedelta(days=20)),
                            ),
                            action(
                                "Police at risk: custody suite testing",
                                "Northshire Police",
                                due(t + timedelta(days=40)),
                            ),
                            action(
                                "DPM complete long ago: map pharmacies",
                                "DPM",
                                due(t - timedelta(days=35)),
                            ),
                        ],
                        "notes": [],
                    },
                ],
            },
            {
                "number": 2,
                "title": "Criminal justice",
                "rating": "green",
                "priorities": [],
                "spend": [],
                "objectives": [
                    {
                        "number": 1,
                        "title": "Continuity of care",
                        "actions": [
                            action(
                                "DIP off track: prison protocol",
                                "DIP PM",
                                due(t - timedelta(days=3)),
                            ),
                            action(
                                "DPM quarterly report to the JCG",
                                "DPM",
                                due(None, "Quarterly", "quarterly", True),
                            ),
                            action(
                                "BM dropped: transition worker", "BM", due(t + timedelta(days=5))
                            ),
                            action(
                                "Not started: retender the day programme",
                                "NDAT Commissioner",
                                due(t + timedelta(days=100)),
                            ),
                        ],
                        "notes": [],
                    },
                ],
            },
        ],
    }
    plan = services.plan_from_json(actor=demo.coordinator, partnership=demo.northshire, data=data)
    # the year's agreed plan, so its actions are the partnership's live work
    plan = services.plan_set_status(actor=demo.coordinator, plan=plan, status="agreed")
    # the plan has been in use for a while: its actions existed before the updates below
    Action.objects.filter(objective__grid__plan=plan).update(
        created_at=clock.now() - timedelta(days=90)
    )
    by_text = {a.text.split(":")[0]: a for a in Action.objects.filter(objective__grid__plan=plan)}
    keys = {
        "trust_overdue": "Trust overdue",
        "trust_soon": "Trust due soon",
        "dpm_done": "DPM complete",
        "police_risk": "Police at risk",
        "dpm_done_early": "DPM complete long ago",
        "dip_off": "DIP off track",
        "dpm_quarterly": "DPM quarterly report to the JCG",
        "bm_dropped": "BM dropped",
        "not_started": "Not started",
    }
    d = Delivery(today=t, plan=plan, actions={k: by_text[v] for k, v in keys.items()})
    c = demo.coordinator

    def update(key: str, status: str, days_ago: int, **kw: Any) -> None:
        services.progress_update_create(
            actor=c, action=d[key], status=status, date=t - timedelta(days=days_ago), **kw
        )

    update("trust_overdue", "on_track", 30, percent_complete=40, note="Trainer booked.")
    update("dpm_done", "on_track", 25, percent_complete=50, note="Half the pharmacies audited.")
    update("dpm_done", "complete", 5, note="All audited.")
    update(
        "police_risk",
        "at_risk",
        2,
        percent_complete=30,
        note="Police note: no budget.",
        decision_needed="Decide whether to fund the second suite.",
    )
    update("dpm_done_early", "complete", 30, note="Mapped.")
    update("dip_off", "off_track", 1, percent_complete=10, note="Prison has not signed.")
    update("bm_dropped", "dropped", 4, note="Children's services fund it.")
    return d


@pytest.fixture
def delivery(demo: Any) -> Delivery:
    return build(demo)
