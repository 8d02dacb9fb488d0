"""The `dathub.plan/1` document of a demo plan, built from its grids for today's financial
year, and each action's story in the same order as the document's actions."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..document.dates import financial_year_label, financial_year_of, read_by_when
from .dates import month_day, when_text


def plan_document(
    grids: list[dict[str, Any]], title: str, partnership_name: str, today: date
) -> dict[str, Any]:
    """The `dathub.plan/1` document of a demo plan, and each action's story by position."""
    fy = financial_year_label(financial_year_of(today))
    out_grids = []
    n = 0
    for number, g in enumerate(grids, start=1):
        objectives = []
        for onum, (otitle, actions) in enumerate(g["objectives"], start=1):
            acts = []
            for text, when, owners, _story in actions:
                due_text = when_text(when, today, n)
                acts.append(
                    {
                        "text": text,
                        "due": read_by_when(due_text, fy),
                        "owners": owners,
                        "cost": None,
                    }
                )
                n += 1
            objectives.append(
                {
                    "number": onum,
                    "title": otitle,
                    "due": None,
                    "owners": None,
                    "actions": acts,
                    "notes": [],
                }
            )
        out_grids.append(
            {
                "number": number,
                "title": g["title"],
                "rating": g["rating"],
                "assessment": g["assessment"],
                "priorities": g["priorities"],
                "spend": [
                    {
                        "label": label.replace("last year", f"{_prev(fy)}").replace(
                            "this year", fy
                        ),
                        "amount": amount,
                    }
                    for label, amount in g["spend"]
                ],
                "objectives": objectives,
            }
        )
    return {
        "schema": "dathub.plan/1",
        "partnership": partnership_name,
        "title": title,
        "financial_year": fy,
        "published": month_day(today, -8, 1).isoformat(),
        "grids": out_grids,
    }


def _prev(fy: str) -> str:
    start = int(fy[:4]) - 1
    return financial_year_label(start)


def plan_stories(grids: list[dict[str, Any]]) -> list[tuple[Any, Any]]:
    """Each action's (story, by when), in the order the plan document lists its actions."""
    return [
        (story, when)
        for g in grids
        for _title, actions in g["objectives"]
        for _text, when, _owners, story in actions
    ]
