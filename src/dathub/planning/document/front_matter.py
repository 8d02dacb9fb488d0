"""The plan's details in the lines before its first grid: partnership, title, financial
year and date published, labelled ("Financial year: 2008/09") or not."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from .dates import MONTH_RE, MONTHS, financial_year_label, financial_year_start
from .lines import Line, plain, squash

_TITLE_WORDS = re.compile(r"\b(?:plan|framework|strategy|planning\s+grids?)\b", re.I)
_PARTNERSHIP_WORDS = re.compile(
    r"\b(?:D\s*&?\s*A?AT|Drug\s+(?:and|&)\s+Alcohol\s+Action\s+Team|Drug\s+Action\s+Team"
    r"|Partnership)\b",
    re.I,
)
_LABELLED = re.compile(
    r"^(?P<label>partnership(?:\s+name)?|financial\s+year|(?:date\s+)?published|author)\b"
    r"\s*[:\-–]?\s*(?P<value>.*)$",
    re.I,
)


def read_published(text: str) -> date | None:
    """A publication date: "14 November 2008", "December 2006" (first of the month),
    "01/10/2007", "2007-10-01"."""
    t = squash(text).lower().rstrip(".")
    try:
        return date.fromisoformat(t)
    except ValueError:
        pass
    try:
        m = re.fullmatch(rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTH_RE})\.?,?\s+(\d{{4}})", t)
        if m:
            return date(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1)))
        m = re.fullmatch(rf"({MONTH_RE})\.?,?\s+(\d{{4}})", t)
        if m:
            return date(int(m.group(2)), MONTHS[m.group(1)], 1)
        m = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", t)
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None
    return None


def _plan_year(text: str) -> str | None:
    """The financial year a title names; a multi-year plan ("2009-12") gives its first."""
    start = financial_year_start(text)
    if start is None:
        m = re.search(r"\b((?:19|20)\d\d)\s*[-/–]\s*(?:\d\d|(?:19|20)\d\d)\b", text)
        if not m:
            return None
        start = int(m.group(1))
    return financial_year_label(start)


def front_matter(
    preamble: Sequence[Line],
    financial_year: str | None,
    issue: Callable[[int, str, str], None],
) -> dict[str, Any]:
    """The plan's partnership, title, financial year and published date from the lines
    before the first grid; ``financial_year`` when the document names none. A labelled
    value that cannot be read is told to ``issue`` (line, text, why)."""
    partnership = title = fy = None
    published: date | None = None
    candidates = [line for line in preamble if not line.is_row][:15]
    unlabelled: list[str] = []
    for line in candidates:
        text = plain(line.text)
        m = _LABELLED.match(text)
        if m:
            label, value = m.group("label").lower(), squash(m.group("value"))
            if label.startswith("partnership") and value and partnership is None:
                partnership = value
            elif label.startswith("financial") and value and fy is None:
                start = financial_year_start(value)
                fy = financial_year_label(start) if start is not None else None
                if fy is None:
                    issue(line.number, value, "financial year not understood")
            elif "published" in label and value and published is None:
                published = read_published(value)
                if published is None:
                    issue(line.number, value, "publication date not understood")
            continue
        unlabelled.append(text)
    for text in unlabelled:
        if title is None and len(text) <= 200 and _TITLE_WORDS.search(text):
            title = text
    for text in unlabelled:
        if partnership is None and text != title and len(text) <= 80:
            if _PARTNERSHIP_WORDS.search(text) and not _TITLE_WORDS.search(text):
                partnership = text
    if title is None:
        title = next((t for t in unlabelled if t != partnership), None)
    if fy is None and title:
        fy = _plan_year(title)
    if fy is None:
        fy = next((y for y in (_plan_year(t) for t in unlabelled) if y), None)
    if fy is None and financial_year:
        start = financial_year_start(financial_year)
        fy = financial_year_label(start) if start is not None else None
    return {
        "partnership": partnership,
        "title": title,
        "financial_year": fy,
        "published": published.isoformat() if published else None,
    }
