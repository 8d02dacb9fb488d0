"""Reading the product's own .xlsx layout (see xlsx_layout) back into a plan."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from . import xlsx_layout as layout
from .assembly import SCHEMA
from .containers import XML_ERRORS
from .costs import read_amount
from .dates import RECURRENCES, Due, financial_year_label, financial_year_start, parse_due
from .errors import PlanDocumentError, objective_where, position_of, where
from .lines import squash
from .owners import split_owners


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = squash(str(value))
    return text or None


def _multiline(value: Any) -> str | None:
    """Assessment keeps its paragraphs ("\\n"); each paragraph is whitespace-normalised."""
    if value is None:
        return None
    paragraphs = [squash(p) for p in str(value).split("\n")]
    return "\n".join(p for p in paragraphs if p) or None


def _first_value(cells: list[Any]) -> tuple[str, Any] | None:
    """The column letter and value of a row's first non-empty cell."""
    for column, value in enumerate(cells, 1):
        if _text(value) is not None:
            return get_column_letter(column), value
    return None


class _SheetReader:
    def __init__(self, sheet: Worksheet, fy: str | None, roles: list[str]) -> None:
        self.sheet = sheet
        self.fy = fy
        self.roles = roles
        self.issues: list[dict[str, Any]] = []
        # what the row being read belongs to, for saying where an issue is once the sheet's
        # objectives are all known: (objective, action number), or None for the grid's header
        self.place: tuple[dict[str, Any] | None, int | None] | None = None
        self.places: list[tuple[dict[str, Any] | None, int | None] | None] = []

    def issue(self, row: int, text: Any, why: str) -> None:
        self.issues.append(
            {
                "sheet": self.sheet.title,
                "row": row,
                "text": "" if text is None else str(text),
                "why": why,
            }
        )
        self.places.append(self.place)

    def say_where(self, grid: int, objectives: list[dict[str, Any]]) -> None:
        """Each issue's ``where``: the grid's terms, then the sheet's row to find it by."""
        numbers = [o["number"] for o in objectives]
        for issue, place in zip(self.issues, self.places, strict=True):
            objective, action = place or (None, None)
            if place is None:
                located = where(grid)
            elif objective is None:
                located = where(grid, "before the first objective")  # no action is numbered there
            else:
                position = position_of(objectives, objective)
                located = objective_where(grid, objective["number"], position, numbers, action)
            issue["where"] = f"{located} (sheet {issue['sheet']}, row {issue['row']})"

    def beyond(self, row: int, cells: list[Any], width: int) -> None:
        """Report every value in a column past the ``width`` the row's layout has headings
        (or a label and its values) for: left out, but never silently."""
        for column, value in enumerate(cells[width:], width + 1):
            if _text(value) is not None:
                letter = get_column_letter(column)
                self.issue(row, value, f"column {letter} has no heading, so this was left out")

    def day(self, row: int, value: Any) -> date | None:
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.issue(row, value, "not a date (YYYY-MM-DD)")
            return None

    def number(self, row: int, value: Any, why: str) -> int | float | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            self.issue(row, value, why)
            return None
        if isinstance(value, int | float):
            return int(value) if float(value).is_integer() else value
        amount = read_amount(str(value))
        if amount is None:
            self.issue(row, value, why)
        return amount

    def due(self, row: int, cells: list[Any]) -> dict[str, Any] | None:
        text, start, end, recurrence, ongoing = cells
        text = _text(text)
        if text is None:
            return None
        read = parse_due(text, self.fy)
        recurrence = _text(recurrence)
        if recurrence is not None and recurrence.lower() not in RECURRENCES:
            self.issue(row, recurrence, "recurrence must be monthly, quarterly or annual")
            recurrence = None
        is_ongoing = (_text(ongoing) or "").lower() in ("yes", "true", "y")
        if start is None and end is None and recurrence is None and not is_ongoing:
            if not read.is_readable:
                self.issue(row, text, "by-when not understood as a date or period")
            return read.to_json()
        kept = Due(
            text,
            self.day(row, start),
            self.day(row, end),
            recurrence.lower() if recurrence else None,  # type: ignore[arg-type]
            is_ongoing,
        )
        if kept != read:
            self.issue(
                row,
                text,
                "by-when reads differently from Start/End/Recurrence/Ongoing; "
                "the sheet's dates were kept",
            )
        return kept.to_json()

    def read(self, index: int) -> dict[str, Any]:
        grid: dict[str, Any] = {
            "number": index, "title": "", "rating": None, "assessment": None,
            "priorities": [], "spend": [], "objectives": [],
        }  # fmt: skip
        objective: dict[str, Any] | None = None
        in_table = False
        for row_number, row in enumerate(self.sheet.iter_rows(values_only=True), 1):
            cells = list(row) + [None] * (len(layout.TABLE_HEADER) - len(row))
            label = _text(cells[0])
            if label is None:
                if in_table and (first := _first_value(cells)) is not None:
                    self.place = (objective, None)
                    why = "row has no label (Objective, Action or Note) in column A"
                    self.issue(row_number, first[1], f"{why}, so column {first[0]} was left out")
                continue
            if in_table:
                self.place = (objective, None)
            # a label row holds a label and up to two values; the table, its headings
            table_row = in_table or label == layout.TABLE_HEADER[0]
            self.beyond(row_number, cells, len(layout.TABLE_HEADER) if table_row else 3)
            if not in_table:
                if label == "Planning grid":
                    number = self.number(row_number, cells[1], "grid number is not a number")
                    grid["number"] = int(number) if number is not None else index
                elif label == "Title":
                    grid["title"] = _text(cells[1]) or ""
                elif label == "Rating":
                    grid["rating"] = _text(cells[1])
                    grid["rating"] = grid["rating"].lower() if grid["rating"] else None
                elif label == "Assessment":
                    grid["assessment"] = _multiline(cells[1])
                elif label.startswith(layout.PRIORITY_LABEL):
                    if (priority := _text(cells[1])) is not None:
                        grid["priorities"].append(priority)
                elif label == layout.SPEND_LABEL:
                    amount = self.number(row_number, cells[2], "spend is not an amount")
                    if amount is not None:
                        grid["spend"].append({"label": _text(cells[1]) or "", "amount": amount})
                elif label == layout.TABLE_HEADER[0]:
                    in_table = True
                else:
                    self.issue(row_number, label, "row label not part of the layout")
                continue
            self.place = (objective, None)
            if label == layout.OBJECTIVE:
                objective = {"number": None, "title": _text(cells[2]) or ""}
                grid["objectives"].append(objective)
                self.place = (objective, None)
                number = self.number(row_number, cells[1], "objective number is not a number")
                objective.update(
                    number=int(number) if number is not None else None,
                    due=self.due(row_number, [cells[3], *cells[7:11]]),
                    owners=_text(cells[4]),
                    notes=[],
                    actions=[],
                )
            elif label in (layout.ACTION, layout.NOTE) and objective is None:
                self.issue(row_number, cells[2], f"{label.lower()} before any objective")
            elif label == layout.ACTION and objective is not None:
                self.place = (objective, len(objective["actions"]) + 1)
                owners = _text(cells[4])
                parties = _text(cells[6])
                cost_text = _text(cells[5])
                cost = None
                if cost_text is not None:
                    amount = self.number(row_number, cells[11], "amount is not a number")
                    if cells[11] is None or cells[11] == "":
                        amount = read_amount(cost_text)
                    cost = {"text": cost_text, "amount": amount}
                objective["actions"].append(
                    {
                        "text": _text(cells[2]) or "",
                        "due": self.due(row_number, [cells[3], *cells[7:11]]),
                        "owners": owners,
                        "owner_list": (
                            [p for p in (squash(x) for x in parties.split(";")) if p]
                            if parties
                            else split_owners(owners, self.roles)
                        ),
                        "cost": cost,
                    }
                )
            elif label == layout.NOTE and objective is not None:
                if (note := _text(cells[2])) is not None:
                    objective["notes"].append(note)
            else:
                self.issue(row_number, label, "row is not an objective, action or note")
        self.say_where(grid["number"], grid["objectives"])
        return grid


def read_xlsx(
    data: bytes,
    *,
    known_roles: Iterable[str] = (),
    financial_year: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """The plan in the product's .xlsx layout. ``progress`` is told the percentage of the
    grid sheets read so far. XML the parser refuses is a PlanDocumentError."""
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise PlanDocumentError(f"This is not a readable Excel (.xlsx) file: {error}") from error
    except XML_ERRORS as error:
        raise PlanDocumentError(
            "This Excel (.xlsx) file holds XML that cannot be read safely "
            f"({type(error).__name__}): save it again from Excel and upload that copy."
        ) from error
    if layout.SUMMARY_SHEET not in workbook.sheetnames:
        raise PlanDocumentError(
            "This workbook is not a plan exported by dathub: it has no 'Summary' sheet."
        )
    summary = workbook[layout.SUMMARY_SHEET]
    details: dict[str, Any] = {}
    for row in summary.iter_rows(min_row=2, max_row=len(layout.SUMMARY_LABELS) + 1):
        label = _text(row[0].value)
        if label in layout.SUMMARY_LABELS:
            details[label] = row[1].value if len(row) > 1 else None
    if _text(details.get("Schema")) != SCHEMA:
        raise PlanDocumentError(
            f"This workbook is not a plan exported by dathub: its Summary has no '{SCHEMA}'."
        )
    fy = _text(details.get("Financial year"))
    fy_start = financial_year_start(fy or financial_year)
    fy = financial_year_label(fy_start) if fy_start is not None else fy
    issues: list[dict[str, Any]] = []
    published_value = details.get("Published")
    published: date | None = None
    if isinstance(published_value, datetime):
        published = published_value.date()
    elif isinstance(published_value, date):
        published = published_value
    elif published_value not in (None, ""):
        try:
            published = date.fromisoformat(str(published_value).strip())
        except ValueError:
            issues.append(
                {
                    "sheet": layout.SUMMARY_SHEET,
                    "row": 6,
                    "text": str(published_value),
                    "why": "not a date (YYYY-MM-DD)",
                    "where": f"{where(None)} (sheet {layout.SUMMARY_SHEET}, row 6)",
                }
            )
    roles = list(known_roles)
    grids = []
    for index, name in enumerate(workbook.sheetnames, 1):
        if progress is not None:
            progress((index - 1) * 100 // len(workbook.sheetnames))
        sheet = workbook[name]
        if name in (layout.SUMMARY_SHEET, layout.ISSUES_SHEET):
            continue
        if _text(sheet.cell(1, 1).value) != layout.GRID_LABELS[0]:
            issues.append(
                {
                    "sheet": name,
                    "row": 1,
                    "text": "",
                    "why": "sheet is not a planning grid; left out",
                    "where": f"sheet {name}",
                }
            )
            continue
        reader = _SheetReader(sheet, fy, roles)
        grids.append(reader.read(index - 1))
        issues.extend(reader.issues)
    plan: dict[str, Any] = {
        "schema": SCHEMA,
        "partnership": _text(details.get("Partnership")),
        "title": _text(details.get("Title")),
        "financial_year": fy,
        "published": published.isoformat() if published else None,
        "grids": grids,
    }
    if issues:
        plan["issues"] = issues
    return plan
