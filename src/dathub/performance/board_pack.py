"""The performance section of the board pack and of the six-monthly management review.

``section(partnership, pack_context)`` builds the section as blocks of the reporting app's
vocabulary (see ``dathub.reporting.registry``); ``register()`` adds it to the registry (called
from ``PerformanceConfig.ready``). Board papers are usually published, so the section uses
the published figures (small numbers suppressed) and says so.
"""

from __future__ import annotations

from typing import Any

from . import selectors

_TAG = {
    "govuk-tag--green": "green",
    "govuk-tag--yellow": "yellow",
    "govuk-tag--red": "red",
    "govuk-tag--grey": "grey",
}


def _tag(word: str, tag_class: str) -> dict[str, str]:
    return {"text": word, "tag": _TAG.get(tag_class, "grey")}


def section(partnership: Any, pack_context: Any) -> dict[str, Any]:
    actor = getattr(pack_context, "actor", None)
    as_at = getattr(pack_context, "as_at", None)
    cards = selectors.dashboard(actor=actor, partnership=partnership, published=True, today=as_at)
    comp = selectors.latest_computation()
    cards = [c for c in cards if c.latest is not None]
    if not cards:
        return {
            "empty": True,
            "blocks": [
                {
                    "type": "paragraph",
                    "text": "No performance figures have been "
                    "computed yet: they appear once providers' records are submitted.",
                }
            ],
        }
    rows = []
    for c in cards:
        latest = c.latest
        assert latest is not None
        rating = (
            {"text": "Suppressed", "tag": "grey"}
            if latest.figure.suppressed
            else _tag(c.rating.word, c.rating.tag_class)
        )
        direction = (
            _tag(c.direction.word, c.direction.tag_class) if c.direction else "No earlier figure"
        )
        rows.append(
            [
                c.info.name,
                latest.figure.period,
                latest.figure.shown_value,
                latest.target_text or "None set",
                rating,
                direction,
                c.forecast_text or "No forecast",
                _tag(c.forecast_rating.word, c.forecast_rating.tag_class),
            ]
        )
    shown = [c for c in cards if c.latest is not None and not c.latest.figure.suppressed]
    missed = len([c for c in shown if c.rating.key == "missed"])
    met = len([c for c in shown if c.rating.key == "met"])
    blocks: list[dict[str, Any]] = [
        {
            "type": "figures",
            "items": [
                {"label": "Indicators meeting their target", "value": met},
                {"label": "Indicators missing their target", "value": missed},
            ],
        },
        {
            "type": "table",
            "caption": "Each indicator's latest quarter against its target",
            "columns": [
                "Indicator",
                "Quarter",
                "Figure",
                "Target",
                "Rating",
                "Direction of travel",
                f"Year-end forecast {cards[0].year}",
                "Forecast against target",
            ],
            "rows": rows,
            "numeric": [],
        },
        {
            "type": "note",
            "text": "Published figures: counts and rates from 1 to 4 people are "
            "shown as *. Direction of travel compares the latest quarter with the one before; "
            "the forecast extends the trend of this year's rolling 12-month figures to 31 March."
            + (
                f" Figures computed on {comp.finished_at:%d %B %Y}."
                if comp and comp.finished_at
                else ""
            ),
        },
    ]
    return {"blocks": blocks}


def register() -> None:
    try:
        from dathub.reporting.registry import BOARD_PACK, MANAGEMENT_REVIEW, register_section
    except ImportError:  # reporting not installed: nothing to add to
        return
    register_section(
        "performance",
        "Performance against targets",
        order=20,
        build=section,
        kinds=(BOARD_PACK, MANAGEMENT_REVIEW),
        review_heading="performance",
    )
