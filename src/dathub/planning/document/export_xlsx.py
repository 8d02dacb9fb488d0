"""Writing a plan as the product's own .xlsx (see xlsx_layout)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from . import xlsx_layout as layout

_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_DATE_FORMAT = "yyyy-mm-dd"


def _put(sheet: Worksheet, row: int, column: int, value: Any, bold: bool = False) -> None:
    if isinstance(value, str) and value.startswith("="):
        cell = sheet.cell(row, column, value)
        cell.data_type = "s"  # text, never a formula
    else:
        cell = sheet.cell(row, column, value)
    if isinstance(value, date):
        cell.number_format = _DATE_FORMAT
    cell.alignment = _WRAP
    if bold:
        cell.font = _BOLD


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _due_cells(due: dict[str, Any] | None) -> list[Any]:
    """By when, then Start, End, Recurrence, Ongoing."""
    if not due:
        return [None, None, None, None, None]
    return [
        due["text"],
        _day(due.get("start")),
        _day(due.get("end")),
        due.get("recurrence"),
        "Yes" if due.get("ongoing") else "No",
    ]


def sheet_names(grids: list[dict[str, Any]]) -> list[str]:
    names: list[str] = []
    for grid in grids:
        base = f"Grid {grid['number']}"[:28]
        name, n = base, 2
        while name in names or name == layout.SUMMARY_SHEET:
            name, n = f"{base} ({n})", n + 1
        names.append(name)
    return names


def _summary(sheet: Worksheet, plan: dict[str, Any], names: list[str]) -> None:
    _put(sheet, 1, 1, layout.PLAN_HEADING, bold=True)
    values = [
        plan.get("schema"),
        plan.get("partnership"),
        plan.get("title"),
        plan.get("financial_year"),
        _day(plan.get("published")),
    ]
    for row, (label, value) in enumerate(zip(layout.SUMMARY_LABELS, values, strict=True), 2):
        _put(sheet, row, 1, label, bold=True)
        _put(sheet, row, 2, value)
    row = len(layout.SUMMARY_LABELS) + 3
    for column, label in enumerate(layout.GRID_LIST_HEADER, 1):
        _put(sheet, row, column, label, bold=True)
    for name, grid in zip(names, plan.get("grids", []), strict=True):
        row += 1
        objectives = grid.get("objectives", [])
        for column, value in enumerate(
            (
                name,
                grid["number"],
                grid.get("title"),
                grid.get("rating"),
                len(objectives),
                sum(len(o.get("actions", [])) for o in objectives),
            ),
            1,
        ):
            _put(sheet, row, column, value)
    _put(sheet, row + 2, 1, layout.READ_BACK_NOTE)
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 70


def _grid(sheet: Worksheet, grid: dict[str, Any]) -> None:
    row = 0
    for label, value in zip(
        layout.GRID_LABELS,
        (grid["number"], grid.get("title"), grid.get("rating"), grid.get("assessment")),
        strict=True,
    ):
        row += 1
        _put(sheet, row, 1, label, bold=True)
        _put(sheet, row, 2, value)
    for number, priority in enumerate(grid.get("priorities", []), 1):
        row += 1
        _put(sheet, row, 1, f"{layout.PRIORITY_LABEL} {number}", bold=True)
        _put(sheet, row, 2, priority)
    for spend in grid.get("spend", []):
        row += 1
        _put(sheet, row, 1, layout.SPEND_LABEL, bold=True)
        _put(sheet, row, 2, spend["label"])
        _put(sheet, row, 3, spend["amount"])
    row += 2
    for column, label in enumerate(layout.TABLE_HEADER, 1):
        _put(sheet, row, column, label, bold=True)
    sheet.freeze_panes = sheet.cell(row + 1, 1)
    for objective in grid.get("objectives", []):
        row += 1
        due = _due_cells(objective.get("due"))
        values = [layout.OBJECTIVE, objective.get("number"), objective.get("title"), due[0]]
        values += [objective.get("owners"), None, None, *due[1:], None]
        for column, value in enumerate(values, 1):
            _put(sheet, row, column, value, bold=True)
        for action in objective.get("actions", []):
            row += 1
            due = _due_cells(action.get("due"))
            cost = action.get("cost") or {}
            values = [
                layout.ACTION,
                None,
                action.get("text"),
                due[0],
                action.get("owners"),
                cost.get("text"),
                layout.PARTY_SEPARATOR.join(action.get("owner_list", [])) or None,
                *due[1:],
                cost.get("amount"),
            ]
            for column, value in enumerate(values, 1):
                _put(sheet, row, column, value)
        for note in objective.get("notes", []):
            row += 1
            _put(sheet, row, 1, layout.NOTE)
            _put(sheet, row, 3, note)
    widths = {"A": 14, "B": 40, "C": 70, "D": 18, "E": 24, "F": 22, "G": 24}
    widths.update(dict.fromkeys("HIJKL", 12))
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width


def _issues(sheet: Worksheet, issues: list[dict[str, Any]]) -> None:
    header = ("Line", "Grid", "Objective", "Action", "Text", "Why")
    for column, label in enumerate(header, 1):
        _put(sheet, 1, column, label, bold=True)
    for row, issue in enumerate(issues, 2):
        for column, key in enumerate(("line", "grid", "objective", "action", "text", "why"), 1):
            _put(sheet, row, column, issue.get(key))


def export_xlsx(plan: dict[str, Any]) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = layout.SUMMARY_SHEET
    grids = plan.get("grids", [])
    names = sheet_names(grids)
    _summary(summary, plan, names)
    for name, grid in zip(names, grids, strict=True):
        _grid(workbook.create_sheet(name), grid)
    if plan.get("issues"):
        _issues(workbook.create_sheet(layout.ISSUES_SHEET), plan["issues"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
