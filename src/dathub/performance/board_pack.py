"""The performance section of the board pack and of the six-monthly management review.

``section(partnership, pack_context)`` builds the section as blocks of the reporting app's
vocabulary (see ``dathub.reporting.registry``); ``register()`` adds it to the registry (called
from ``PerformanceConfig.ready``). Board papers are usually published, so the section uses
the published figures (small numbers suppressed) and says so.

The pack's figures are as at ``pack_context.as_at``: a period (quarter, year to date,
rolling 12 months) ending after that day is left out, and the rating, direction of travel
and forecast are those the figures up to that day give.
"""

from __future__ import annotations

import base64
from collections import Counter
from typing import Any

from django.utils import timezone

from . import charts, numbers, selectors

_TAG = {
    "govuk-tag--green": "green",
    "govuk-tag--yellow": "yellow",
    "govuk-tag--red": "red",
    "govuk-tag--grey": "grey",
}

SUPPRESSED = "suppressed"
WITHHELD = "withheld"
# The summary cards, one per rating the table can show, in the table's words' order. Met,
# within and missed are always shown (0 is news); the others only when some row has them.
RATING_CARDS: list[tuple[str, str, bool]] = [
    ("met", "Indicators meeting their target", True),
    ("within", "Indicators within tolerance of their target", True),
    ("missed", "Indicators missing their target", True),
    ("no_target", "Indicators with no target set for the quarter", False),
    ("no_figure", "Indicators with no figure for the quarter", False),
    (SUPPRESSED, "Indicators whose figure is suppressed (1 to 4 people)", False),
    (WITHHELD, "Indicators whose figure is withheld (would disclose another provider's)", False),
]


def _tag(word: str, tag_class: str) -> dict[str, str]:
    return {"text": word, "tag": _TAG.get(tag_class, "grey")}


def _forecast_text(c: selectors.Card) -> str:
    """ "1,527 against a target of 1,425", or why there is no forecast."""
    if c.forecast is None:
        return c.forecast_text or "No forecast"
    if c.year_target is None:
        return f"{c.forecast_text} (no target set)"
    target = c.year_target_text or numbers.format_value(c.year_target.value, c.info.is_count)
    return f"{c.forecast_text} against a target of {target}"


def _chart(c: selectors.Card) -> dict[str, Any]:
    """The indicator's quarters as the dashboard's chart, followed by its figures."""
    info = c.info
    png = charts.quarters_chart(
        info.name,
        [p.figure.period for p in c.series],
        [p.figure.value for p in c.series],
        [p.target for p in c.series],
        is_count=info.is_count,
    )
    first, last = c.series[0].figure.period, c.series[-1].figure.period
    has_target = any(p.target is not None for p in c.series)
    alt = (
        f"Line chart of {info.name} for each quarter from {first} to {last}"
        + (", with the target line" if has_target else "")
        + ". The figures are in the table below the chart."
    )
    columns = ["Quarter", "Figure"] + ([] if info.is_count else ["Of"]) + ["Target"]
    rows = []
    for p in c.series:
        fig = p.figure
        shown = (
            fig.shown_value
            if info.is_count or fig.withheld
            else f"{fig.shown_value} ({fig.shown_numerator})"
        )
        rows.append(
            [fig.period, shown]
            + ([] if info.is_count else [fig.shown_denominator])
            + [p.target_text or "None set"]
        )
    return {
        "type": "chart",
        "png": base64.b64encode(png).decode("ascii"),
        "alt": alt,
        "width": 640,
        "height": 320,
        "table": {
            "caption": f"{info.name} by quarter",
            "columns": columns,
            "rows": rows,
            "numeric": list(range(1, len(columns))),
            "row_headers": True,
        },
    }


def section(partnership: Any, pack_context: Any) -> dict[str, Any]:
    actor = getattr(pack_context, "actor", None)
    as_at = getattr(pack_context, "as_at", None)
    # the dashboard as it stood on the as-at day: nothing that ended after it
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
    rated: list[tuple[str, str]] = []  # (rating key, word) of each row, for the cards
    for c in cards:
        latest = c.latest
        assert latest is not None
        if latest.figure.withheld:
            # built for someone who sees only one provider's figures (disclosure.py)
            rating = {"text": "Withheld", "tag": "grey"}
            rated.append((WITHHELD, "Withheld"))
        elif latest.figure.suppressed:
            rating = {"text": "Suppressed", "tag": "grey"}
            rated.append((SUPPRESSED, "Suppressed"))
        else:
            rating = _tag(c.rating.word, c.rating.tag_class)
            rated.append((c.rating.key, c.rating.word))
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
                _forecast_text(c),
                _tag(c.forecast_rating.word, c.forecast_rating.tag_class),
            ]
        )
    # the cards count the table's Rating column, so they always add up to its rows
    counted = Counter(key for key, _ in rated)
    known = {key for key, _, _ in RATING_CARDS}
    figures_items = [
        {"label": label, "value": counted[key]}
        for key, label, always in RATING_CARDS
        if always or counted[key]
    ]
    for key, word in dict(rated).items():
        if key not in known:  # a rating added later still gets its card
            figures_items.append({"label": f"Indicators rated ‘{word}’", "value": counted[key]})
    note = (
        "Published figures: counts and rates from 1 to 4 people are "
        "shown as *. Direction of travel compares the latest quarter with the one before; "
        "the year-end forecast is worked out from this year's figures so far, as on the "
        "performance dashboard."
    )
    withheld = next(
        (p.figure.withheld_reason for c in cards for p in c.series if p.figure.withheld), ""
    )
    if withheld:
        note += (
            f" {withheld}. Taken with the reader’s own agency’s figures, a figure marked "
            "“withheld” would give another provider’s."
        )
    computed = timezone.localtime(comp.finished_at).date() if comp and comp.finished_at else None
    if as_at is not None:
        note += f" Only periods ended by {as_at.day} {as_at:%B %Y} are used."
    if computed and as_at is not None and computed > as_at:
        # a pack for a past day says no later date, but does not hide that it came later
        note += " They were computed after that day, so may include records sent in later."
    elif computed:
        note += f" Figures computed on {computed.day} {computed:%B %Y}."
    blocks: list[dict[str, Any]] = [
        {"type": "figures", "items": figures_items},
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
        {"type": "note", "text": note},
        {"type": "heading", "text": "Each indicator by quarter"},
    ]
    blocks.extend(_chart(c) for c in cards)
    return {"blocks": blocks}


def register() -> None:
    try:
        from dathub.reporting.registry import (
            BOARD_PACK,
            MANAGEMENT_REVIEW,
            SECTION_PERFORMANCE,
            register_section,
        )
    except ImportError:  # reporting not installed: nothing to add to
        return
    register_section(
        "performance",
        "Performance against targets",
        order=SECTION_PERFORMANCE,
        build=section,
        kinds=(BOARD_PACK, MANAGEMENT_REVIEW),
        review_heading="performance",
    )
