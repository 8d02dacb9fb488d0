"""Reading "by when" cells of a plan into the spec's Due object.

Financial years run 1 April to 31 March; quarters are financial (Q1 = April to June). Where a
cell leaves the year out, it is taken from the plan's financial year.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

Recurrence = Literal["monthly", "quarterly", "annual"]
RECURRENCES: tuple[Recurrence, ...] = ("monthly", "quarterly", "annual")

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}  # fmt: skip
MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))


@dataclass(frozen=True)
class Due:
    """When an action or objective is due, as the spec's Due object."""

    text: str
    start: date | None = None
    end: date | None = None
    recurrence: Recurrence | None = None
    ongoing: bool = False

    @property
    def is_readable(self) -> bool:
        """False when nothing could be read from the text (the import report lists it)."""
        return bool(self.start or self.end or self.recurrence or self.ongoing)

    def is_overdue(self, today: date) -> bool:
        """Past its deadline: ongoing and recurring work has no deadline to miss."""
        return self.end is not None and not self.ongoing and today > self.end

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "recurrence": self.recurrence,
            "ongoing": self.ongoing,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Due:
        recurrence = data.get("recurrence")
        if recurrence is not None and recurrence not in RECURRENCES:
            raise ValueError(f"unknown recurrence {recurrence!r}")
        return cls(
            text=str(data["text"]),
            start=date.fromisoformat(data["start"]) if data.get("start") else None,
            end=date.fromisoformat(data["end"]) if data.get("end") else None,
            recurrence=recurrence,
            ongoing=bool(data.get("ongoing", False)),
        )


# --- financial years ------------------------------------------------------------------


def financial_year_start(text: str | None) -> int | None:
    """The calendar year a financial year starts in: "2008/09", "0809", "2008-2009" -> 2008."""
    if not text:
        return None
    match = re.search(r"\b((?:19|20)\d\d)\s*[/\-–]\s*(\d{2}|(?:19|20)\d\d)\b", text)
    if match:
        first = int(match.group(1))
        if int(match.group(2)) % 100 == (first + 1) % 100:
            return first
    match = re.fullmatch(r"\s*(\d\d)\s*/?\s*(\d\d)\s*", text)
    if match and int(match.group(2)) == (int(match.group(1)) + 1) % 100:
        return 2000 + int(match.group(1))
    return None


def financial_year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def financial_year_span(start_year: int) -> tuple[date, date]:
    return date(start_year, 4, 1), date(start_year + 1, 3, 31)


def financial_year_of(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def quarter_span(start_year: int, quarter: int) -> tuple[date, date]:
    """Quarter 1..4 of the financial year starting in start_year."""
    first_month = 4 + 3 * (quarter - 1)
    year = start_year + (first_month - 1) // 12
    month = (first_month - 1) % 12 + 1
    return date(year, month, 1), month_span(year, month + 2)[1]


def month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


# --- reading ------------------------------------------------------------------------------


@dataclass
class _Atom:
    """One date expression found in the text; year None until resolved."""

    pos: int
    end_pos: int
    kind: str  # "month", "quarter", "fy", "day", "year"
    year: int | None = None
    month: int | None = None
    quarter: int | None = None
    day: int | None = None

    def span(self) -> tuple[date, date] | None:
        if self.year is None:
            return None
        if self.kind == "month" and self.month:
            return month_span(self.year, self.month)
        if self.kind == "quarter" and self.quarter:
            return quarter_span(self.year, self.quarter)
        if self.kind == "fy":
            return financial_year_span(self.year)
        if self.kind == "day" and self.month and self.day:
            day = date(self.year, self.month, self.day)
            return day, day
        if self.kind == "year":
            return date(self.year, 1, 1), date(self.year, 12, 31)
        return None


def _year(text: str) -> int:
    value = int(text.lstrip("'"))
    if value < 100:
        value += 2000 if value < 70 else 1900
    return value


_FY_TEXT = r"(?:19|20)\d\d\s*/\s*(?:\d\d){1,2}|\d\d\s*/\s*\d\d|\d{4}"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "quarter",
        re.compile(
            r"\b(?:q|quarter\s*)([1-4])\b\s*(?:of\s+)?(?:(?:fy|year)\s*)?"
            rf"(?P<fy>{_FY_TEXT}|'?\d\d\b)?"
        ),
    ),
    ("fy", re.compile(r"\b((?:19|20)\d\d)\s*/\s*(\d\d(?:\d\d)?)\b")),
    ("day", re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.]((?:19|20)?\d\d)\b")),
    ("monthnum", re.compile(r"\b(\d{1,2})\s*/\s*((?:19|20)\d\d|\d\d)\b(?!\s*/\s*\d)")),
    (
        "daymonth",
        re.compile(
            rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTH_RE})\b\.?,?\s*((?:19|20)\d\d|'?\d\d\b)?"
        ),
    ),
    ("month", re.compile(rf"\b({MONTH_RE})\b\.?,?\s*(?:((?:19|20)\d\d|'?\d\d)\b)?")),
    ("compactfy", re.compile(r"\b(\d\d)(\d\d)\b")),
    ("year", re.compile(r"\b((?:19|20)\d\d)\b")),
]


def _find_atoms(text: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    taken = [False] * len(text)

    def free(start: int, end: int) -> bool:
        return not any(taken[start:end])

    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if not free(m.start(), m.end()):
                continue
            atom = _atom_from_match(kind, m, text)
            if atom is None:
                continue
            atoms.append(atom)
            for i in range(m.start(), m.end()):
                taken[i] = True
    return sorted(atoms, key=lambda a: a.pos)


def _atom_from_match(kind: str, m: re.Match[str], text: str) -> _Atom | None:
    start, end = m.start(), m.end()
    if kind == "quarter":
        atom = _Atom(start, end, "quarter", quarter=int(m.group(1)))
        fy = m.group("fy")
        if fy:
            fy_start = financial_year_start(fy)
            if fy_start is not None and ("/" in fy or len(fy) == 4 and not fy.startswith("20")):
                atom.year = fy_start
            elif re.fullmatch(r"'?\d\d|(?:19|20)\d\d", fy):
                # "Q1 09": the quarter of the financial year starting in 2009; Q4 is settled
                # against the plan's year later (see _settle_q4)
                atom.year = _year(fy)
                atom.day = -1  # marks a bare calendar year, for _settle_q4
            else:
                return None
        return atom
    if kind == "fy":
        first, second = int(m.group(1)), int(m.group(2))
        if second % 100 != (first + 1) % 100:
            return None
        return _Atom(start, end, "fy", year=first)
    if kind == "day":
        day, month, year = int(m.group(1)), int(m.group(2)), _year(m.group(3))
        if not _valid_day(year, month, day):
            return None
        return _Atom(start, end, "day", year=year, month=month, day=day)
    if kind == "monthnum":
        month, year_text = int(m.group(1)), m.group(2)
        if not 1 <= month <= 12:
            return None
        year = _year(year_text)
        if "throughout" in text[:start] and len(year_text) == 2 and year % 100 == (month + 1) % 100:
            return _Atom(start, end, "fy", year=2000 + month)  # "Throughout 07/08"
        return _Atom(start, end, "month", year=year, month=month)
    if kind == "daymonth":
        day, month = int(m.group(1)), MONTHS[m.group(2)]
        day_year = _year(m.group(3)) if m.group(3) else None
        if day_year is not None and not _valid_day(day_year, month, day):
            return None
        if day_year is None and not 1 <= day <= 31:
            return None
        return _Atom(start, end, "day", year=day_year, month=month, day=day)
    if kind == "month":
        name = m.group(1)
        if m.group(2) is None and name == "may" and text.strip(" .") != "may":
            return None  # "may" without a year is the verb, not the month
        month_year = _year(m.group(2)) if m.group(2) else None
        return _Atom(start, end, "month", year=month_year, month=MONTHS[name])
    if kind == "compactfy":
        first, second = int(m.group(1)), int(m.group(2))
        if second != (first + 1) % 100 or m.group(0) == "2021":
            return None  # "2021" is the calendar year, not 2020/21
        return _Atom(start, end, "fy", year=2000 + first if first < 70 else 1900 + first)
    if kind == "year":
        return _Atom(start, end, "year", year=int(m.group(1)))
    return None


def _valid_day(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def _normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    return " ".join(text.split())


def _settle_years(atoms: list[_Atom], hints: list[_Atom], plan_year: int | None) -> None:
    """Give yearless atoms a year from their neighbours in the cell, else the plan's year."""
    for i, atom in enumerate(atoms):
        if atom.year is not None:
            continue
        later = next((a for a in atoms[i + 1 :] if a.year is not None and a.span()), None)
        earlier = next((a for a in reversed(atoms[:i]) if a.year is not None and a.span()), None)
        hint = next((a for a in hints if a.year is not None and a.span()), None)
        if atom.kind == "quarter":
            anchor = later or earlier or hint
            span = anchor.span() if anchor else None
            if span:
                atom.year = financial_year_of(span[0] if anchor is not earlier else span[1])
            elif plan_year is not None:
                atom.year = plan_year
            continue
        assert atom.month is not None
        if later and (later_span := later.span()):
            ref = later_span[0]
            atom.year = ref.year if atom.month <= ref.month else ref.year - 1
        elif earlier and (earlier_span := earlier.span()):
            ref = earlier_span[1]
            atom.year = ref.year if atom.month >= ref.month else ref.year + 1
        elif hint and (hint_span := hint.span()):
            atom.year = hint_span[0].year
        elif plan_year is not None:
            atom.year = plan_year if atom.month >= 4 else plan_year + 1
        if atom.kind == "day" and atom.year and atom.month and atom.day:
            if not _valid_day(atom.year, atom.month, atom.day):
                atom.year = None


def _settle_q4(atoms: list[_Atom], plan_year: int | None) -> None:
    """ "Q4 09" in a 2008/09 plan is January to March 2009, the plan's own Q4; otherwise a
    bare year names the financial year starting in it ("Q4 09" = January to March 2010)."""
    for atom in atoms:
        if atom.kind == "quarter" and atom.day == -1:
            atom.day = None
            if atom.quarter == 4 and plan_year is not None and atom.year == plan_year + 1:
                atom.year = plan_year


_RECURRENCE_WORDS: list[tuple[str, Recurrence | None]] = [
    (r"\bmonthly\b|\bevery month\b|\bbi-?monthly\b", "monthly"),
    (r"\bquarterly\b|\bevery quarter\b|\beach quarter\b", "quarterly"),
    (r"\bannual(?:ly)?\b|\byearly\b|\bevery year\b|\beach year\b", "annual"),
    (r"\bweekly\b|\bfortnightly\b|\bdaily\b", None),
]
_ONGOING = re.compile(r"\bon\s*-?\s*going\b|\bthroughout\b|\bcontinu(?:ous|ing|al|ally)\b")
_THROUGHOUT_YEAR = re.compile(r"\bthroughout\s+(?:the\s+)?(?:financial\s+)?year\b")
_DEADLINE = re.compile(r"\b(?:by|before|end|until|till|deadline|latest|no later than)\b")
_FROM = re.compile(r"\b(?:from|starting|commencing|beginning|begin|start)\b")
_UNTIL = re.compile(r"\b(?:until|till|to|by|end)\b|-\s*$")


def parse_due(text: str, financial_year: str | None = None) -> Due:
    """Read a by-when cell; unreadable text gives a Due whose ``is_readable`` is False."""
    written = " ".join(text.split())
    norm = _normalise(written)
    plan_year = financial_year_start(financial_year)

    # the most frequent rhythm named wins ("Monthly/ Quarterly" -> monthly); weekly work has
    # no recurrence value in the spec but is still ongoing
    rhythms = [value for pattern, value in _RECURRENCE_WORDS if re.search(pattern, norm)]
    repeats = bool(rhythms)
    recurrence = next((value for value in rhythms if value is not None), None)
    ongoing = bool(_ONGOING.search(norm)) or repeats

    # a bracket gives the date when the main text does not ("end of Q2 (Sept 09)")
    main = re.sub(r"\([^)]*\)", lambda m: " " * len(m.group(0)), norm)
    hints = _find_atoms(" ".join(re.findall(r"\(([^)]*)\)", norm)))
    atoms = _find_atoms(main)
    if not atoms:
        atoms, hints = hints, []
    if not atoms and _THROUGHOUT_YEAR.search(norm) and plan_year is not None:
        # "Throughout year": the whole of the plan's year
        year_start, year_end = financial_year_span(plan_year)
        return Due(written, year_start, year_end, recurrence, True)
    _settle_q4(atoms, plan_year)
    _settle_years(atoms, hints, plan_year)

    spans = [s for s in (a.span() for a in atoms) if s]
    start: date | None = None
    end: date | None = None
    if spans and len(spans) == len(atoms):
        first_atom, last_atom = atoms[0], atoms[-1]
        before = main[: first_atom.pos]
        between = main[first_atom.end_pos : last_atom.pos] if len(atoms) > 1 else ""
        after = main[last_atom.end_pos :]
        if ongoing and re.search(r"\bthroughout\s*(?:the\s*)?$", before):
            start, end = spans[0][0], spans[-1][1]  # "Throughout 0708"
        elif ongoing:
            start = spans[0][0]
            if len(spans) > 1 and _UNTIL.search(between):
                end = spans[-1][1]
            elif _THROUGHOUT_YEAR.search(after) and plan_year is not None:
                end = financial_year_span(plan_year)[1]
        elif _DEADLINE.search(before):
            end = spans[-1][1]  # "End of Q1 2009": a deadline only
        elif _FROM.search(before) and len(spans) == 1:
            start = spans[0][0]
        else:
            start, end = spans[0][0], spans[-1][1]
        if start and end and start > end:
            return Due(written)
    elif atoms:
        # a date we could not place (no year anywhere): the deadline is unknown
        if not ongoing:
            return Due(written)
    return Due(written, start, end, recurrence, ongoing)


def read_by_when(text: str, financial_year: str | None = None) -> dict[str, Any]:
    """The spec's Due object for a by-when cell, dates as ISO strings."""
    return parse_due(text, financial_year).to_json()
