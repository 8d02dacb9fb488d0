"""Writing a plan as a .docx in the national planning-grid layout.

Read back with the .docx reader it gives the same plan: the objective's own by-when/by-whom
sit beside its title, notes span the whole actions table, and the plan's financial year is
written out so dates without a year read the same.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.table import Table

from .costs import format_amount

SUMMARY_HEADING = (
    "Summary of self-assessment (Baseline position narrative with key gaps clearly set out)"
)
PRIORITIES_HEADING = "Identification of key priorities following needs assessment:"


def _rating_text(rating: str) -> str:
    if rating == "n/a":
        return "N/A"
    return "/".join(part.capitalize() for part in rating.split("/"))


def _objective_heading(objective: dict[str, Any]) -> str:
    number = objective.get("number")
    title = objective.get("title") or ""
    label = f"Objective {number}" if number is not None else "Objective"
    return f"{label}: {title}" if title else label


def _table(document: DocumentObject, rows: list[list[str]], header: bool = False) -> Table:
    table = document.add_table(rows=0, cols=len(rows[0]))
    table.style = "Table Grid"
    for index, values in enumerate(rows):
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
            if header and index == 0:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
    return table


def export_docx(plan: dict[str, Any]) -> bytes:
    document = Document()
    if plan.get("partnership"):
        document.add_paragraph(f"Partnership name: {plan['partnership']}")
    if plan.get("title"):
        document.add_heading(plan["title"], level=0)
    if plan.get("financial_year"):
        document.add_paragraph(f"Financial year: {plan['financial_year']}")
    if plan.get("published"):
        published = date.fromisoformat(plan["published"])
        document.add_paragraph(f"Date published: {published.day} {published:%B %Y}")
    with_costs = any(
        action.get("cost")
        for grid in plan.get("grids", [])
        for objective in grid.get("objectives", [])
        for action in objective.get("actions", [])
    )
    for grid in plan.get("grids", []):
        title = grid.get("title") or ""
        heading = f"Planning grid {grid['number']}"
        document.add_heading(f"{heading}: {title}" if title else heading, level=1)
        if grid.get("rating") or grid.get("assessment"):
            document.add_heading(SUMMARY_HEADING, level=2)
            if grid.get("rating"):
                document.add_paragraph(_rating_text(grid["rating"]))
            for paragraph in (grid.get("assessment") or "").split("\n"):
                if paragraph:
                    document.add_paragraph(paragraph)
        if grid.get("priorities"):
            document.add_heading(PRIORITIES_HEADING, level=2)
            for number, priority in enumerate(grid["priorities"], 1):
                document.add_paragraph(f"{number}. {priority}")
        if grid.get("spend"):
            spend = grid["spend"]
            _table(
                document,
                [[s["label"] for s in spend], [format_amount(s["amount"]) for s in spend]],
                header=True,
            )
        for objective in grid.get("objectives", []):
            due = (objective.get("due") or {}).get("text") or ""
            owners = objective.get("owners") or ""
            if due or owners:
                _table(document, [[_objective_heading(objective), due, owners]])
            else:
                document.add_heading(_objective_heading(objective), level=3)
            header = ["Actions and milestones", "By when", "By whom"]
            if with_costs:
                header.append("Costs/budget")
            rows = [header]
            for action in objective.get("actions", []):
                row = [
                    action.get("text") or "",
                    (action.get("due") or {}).get("text") or "",
                    action.get("owners") or "",
                ]
                if with_costs:
                    row.append((action.get("cost") or {}).get("text") or "")
                rows.append(row)
            table = _table(document, rows, header=True)
            for note in objective.get("notes", []):
                cells = table.add_row().cells
                merged = cells[0].merge(cells[-1])  # a note spans the table: it is not an action
                merged.text = note
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
