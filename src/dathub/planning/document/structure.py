"""Recognising the structural lines of the national planning-grid template: grid headings,
the self-assessment summary and rating, key priorities, objective boxes, actions tables."""

from __future__ import annotations

import re

from .lines import Line, squash

GRID = re.compile(r"^planning\s+grid\s+(\d+)\s*(?:[:.\-–]\s*(.*))?$", re.I)
SUMMARY = re.compile(r"^summary\s+of\s+(?:the\s+)?self[\s-]*assessment", re.I)
PRIORITIES = re.compile(r"^identification\s+of\s+(?:the\s+)?key\s+priorities", re.I)
OBJECTIVE = re.compile(
    r"^objective(?:\s*(?P<n>\d+)\b\s*[.:)\-–]?|\s*[:\-–]|(?=\s*$))\s*(?P<title>.*)$", re.I
)
ACTIONS = re.compile(
    r"^(?:delivery\s+plan\s*:?\s*)?actions?\s*(?:and|&|/)\s*milestones?"
    r"(?:\s+for\s+(?:the\s+)?objectives?(?:\s*(?P<n>\d+))?)?\s*[:.\-–]?\s*",
    re.I,
)
TEMPLATE_TEXT = re.compile(
    r"^(?:note\s*:?\s*)?please\s+cut\s+and\s+paste|^please\s+see\s+checklist"
    r"|^this\s+planning\s+grid\s+should",
    re.I,
)
# a numbered heading before the grids ("3. Strategic commissioning plan"): a strategic table
# has no grid heading of its own, so it takes its number and title from the last one
HEADING = re.compile(r"^(\d{1,2})\.?\s+([A-Z][^.]{2,100})$")
_RATING_PREFIX = re.compile(
    r"^(?:self[\s-]*assessment\s+)?(?:rag\s+)?(?:rating|status)\s*[:\-–]?\s*", re.I
)


def rating_of(text: str) -> str | None:
    """A self-assessment rating in the spec's form ("Amber/ Green" -> "amber/green")."""
    t = _RATING_PREFIX.sub("", squash(text).lower()).strip(" .:")
    if re.fullmatch(r"n\s*/?\s*a|not\s+applicable", t):
        return "n/a"
    parts = re.split(r"\s*(?:/|-|–|\band\b|&|\bto\b)\s*", t)
    if 1 <= len(parts) <= 3 and all(p in ("red", "amber", "green") for p in parts):
        return "/".join(parts)
    return None


def is_structural(line: Line) -> bool:
    """Whether a line is part of the template's structure (so never page furniture)."""
    first = line.first
    return bool(
        GRID.match(first)
        or SUMMARY.match(first)
        or OBJECTIVE.match(first)
        or ACTIONS.match(first)
        or PRIORITIES.match(first)
        or rating_of(first)
    )
