"""The board pack is made of sections that the apps contribute. The pack's own code knows
nothing about plans, performance, money or risks: each app registers its sections here from
its AppConfig.ready(), and every pack built afterwards includes them.

How to add a section (for example, performance, finance, risks, recommendations)::

    # dathub/finance/apps.py
    def ready(self):
        from dathub.reporting import registry as packs
        from .pack_sections import budget_section
        packs.register_section(
            "finance",                      # unique key, kept in the frozen content
            "Budget, spend and forecast outturn",
            order=packs.SECTION_FINANCE,    # its place in the pack (one per section)
            build=budget_section,           # build(partnership, context) -> dict
            kinds=(packs.BOARD_PACK, packs.MANAGEMENT_REVIEW),
            review_heading="resources",     # where it sits in the six-monthly review
        )

`build(partnership, context)` receives the partnership and a `PackContext` (the actor who
asked for the build, the body, the meeting date, the date the figures are "as at", the date
of the body's previous meeting, the pack kind) and returns a JSON-able dict with a list of
`blocks` in the small vocabulary below. The blocks are what is frozen when the pack is
issued, and what the web page, the PDF and the Word document are all rendered from, so a
section needs no code for any output format. A section may give its own `template` (a Django
template receiving `section`) to change how it looks on the web page and in the PDF; the Word
document always renders the blocks.

Blocks (every one a dict with "type"):
- {"type": "heading", "text": str}                     a sub-heading inside the section
- {"type": "paragraph", "text": str}
- {"type": "note", "text": str}                        set apart (inset)
- {"type": "list", "items": [str]}
- {"type": "figures", "items": [{"label": str, "value": str | int}]}   headline numbers
- {"type": "table", "caption": str, "columns": [str], "rows": [[cell]], "numeric": [int]}
  where a cell is a str or number, or {"text": str, "tag": colour} for a status shown as a
  coloured tag (the word is always there: colour is never the only signal). Colours: green,
  blue, orange, red, grey, yellow. Optional "row_headers": true makes each row's first cell
  its header. Numbers are shown as people write them (1,527; 750 not 750.0): see numbers.py.
- {"type": "chart", "png": str, "alt": str, "width": int, "height": int,
   "table": {"caption": str, "columns": [...], "rows": [...], "numeric": [...]}}
  a chart as a base64 PNG (no file is fetched) with its alt text, always followed by the
  table of the figures it draws, in every output format.

A section may also return {"empty": True, "blocks": [...]} to say it has nothing to report
(it is still shown, with its blocks explaining why).

As at: every pack says "Figures as at <ctx.as_at>", so a section must show nothing that
happened after that day: no update, note, completion or status change dated later, no
action created later, no figure of a period ending later.

Management reviews: the six-monthly review has fixed headings (REVIEW_HEADINGS). Each
heading has a narrative written in the site and kept with the review; under it come the
generated blocks of every section registered with that `review_heading` (and with
MANAGEMENT_REVIEW in its kinds).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

BOARD_PACK = "board_pack"
MANAGEMENT_REVIEW = "management_review"

# (key, heading, what the narrative should cover)
REVIEW_HEADINGS: list[tuple[str, str, str]] = [
    (
        "progress",
        "Overview of progress and achievement of targets",
        "How delivery of the plan and the national and local targets stand after six months.",
    ),
    (
        "resources",
        "Use of resources",
        "How the pooled budget and other funding have been used, and any under-spend.",
    ),
    (
        "performance",
        "Performance overview",
        "Treatment numbers, retention, waiting times and the Drug Interventions Programme.",
    ),
    (
        "issues",
        "Issues needing resolution",
        "What the board is asked to resolve, and what is blocking delivery.",
    ),
    (
        "community_links",
        "Links with community groups",
        "Work with service user and carer groups, the voluntary sector and neighbourhoods.",
    ),
    (
        "community_events",
        "Important events in the community",
        "Events in the area that affect the partnership's work.",
    ),
]


@dataclass(frozen=True)
class PackContext:
    """What a section's build function is told about the pack being built."""

    actor: Any  # the person who asked for the build: sections read through selectors with it
    body: Any  # tenancy.Body the pack is for
    meeting_date: date
    as_at: date  # figures as they stood on this day (the meeting, or today if earlier)
    since: date | None  # the body's previous meeting: "completed since the last meeting"
    kind: str  # BOARD_PACK or MANAGEMENT_REVIEW
    extra: dict[str, Any] = field(default_factory=dict)


Build = Callable[[Any, PackContext], dict[str, Any]]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    order: int
    build: Build
    template: str = "reporting/sections/blocks.html"
    kinds: tuple[str, ...] = (BOARD_PACK,)
    review_heading: str | None = None


_sections: dict[str, Section] = {}

# Where each app's section sits in a pack: named, so that two apps never take one place.
SECTION_WORK_PLAN = 10
SECTION_DECISIONS = 20
SECTION_PERFORMANCE = 30
SECTION_GOVERNANCE = 40
SECTION_RECOMMENDATIONS = 50
SECTION_STRATEGY = 60
SECTION_FINANCE = 70
SECTION_COMMISSIONING = 80
SECTION_RISKS = 90
SECTION_ENGAGEMENT = 100


def register_section(
    key: str,
    title: str,
    order: int,
    build: Build,
    template: str | None = None,
    *,
    kinds: tuple[str, ...] | list[str] = (BOARD_PACK,),
    review_heading: str | None = None,
) -> Section:
    """Add (or replace, by key) a section of the board pack and the management review.
    Two sections of one kind of pack may not share an order (the pack's sequence would
    then depend on their keys): take one of the SECTION_ constants."""
    if review_heading is not None and review_heading not in {k for k, _, _ in REVIEW_HEADINGS}:
        raise ValueError(f"unknown review heading {review_heading!r}")
    clash = [
        s.key
        for s in _sections.values()
        if s.key != key and s.order == order and set(s.kinds) & set(kinds)
    ]
    if clash:
        raise ValueError(f"section {key!r} takes order {order}, already {clash[0]!r}'s")
    section = Section(
        key=key,
        title=title,
        order=order,
        build=build,
        template=template or "reporting/sections/blocks.html",
        kinds=tuple(kinds),
        review_heading=review_heading,
    )
    _sections[key] = section
    return section


def unregister_section(key: str) -> None:
    _sections.pop(key, None)


def sections_for(kind: str) -> list[Section]:
    return sorted(
        (s for s in _sections.values() if kind in s.kinds), key=lambda s: (s.order, s.key)
    )
