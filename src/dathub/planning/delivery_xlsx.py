"""The progress spreadsheet: the product's own layout for updating many actions at once.

Downloaded with the open actions the person may update; they fill in the "New ..." columns
and upload it back. A file is accepted only when it is this layout: the sheet named
SHEET, the marker in its first cell naming LAYOUT and the partnership's code, and the header
row exactly HEADERS (a trailing "Why it was rejected" column, as in the rejected-rows file,
is allowed). Anything else is refused as a whole, before any row is read.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

LAYOUT = "dathub.progress/1"
SHEET = "Progress"
HEADER_ROW = 3
HEADERS = [
    "Action id",
    "Plan or source",
    "Grid",
    "Action",
    "By when",
    "Deadline",
    "By whom",
    "Current status",
    "Current % complete",
    "New status",
    "New % complete",
    "Progress note",
    "Decision or help needed",
    "Evidence link",
]
REASON_HEADER = "Why it was rejected"
EDITABLE = {
    "New status",
    "New % complete",
    "Progress note",
    "Decision or help needed",
    "Evidence link",
}
STATUS_LABELS = ["Not started", "On track", "At risk", "Off track", "Complete", "Dropped"]
# row dict key for each editable column
FIELD_OF = {
    "New status": "status",
    "New % complete": "percent",
    "Progress note": "note",
    "Decision or help needed": "decision_needed",
    "Evidence link": "evidence_link",
}


class NotOurLayout(ValueError):
    """The upload is not the product's progress spreadsheet: nothing is applied."""


def _marker(code: str) -> str:
    return f"{LAYOUT} {code}"


def write_sheet(
    rows: list[dict[str, Any]],
    *,
    partnership_code: str,
    title: str,
    reasons: bool = False,
) -> bytes:
    """A workbook in the product's layout. Each row dict has the HEADERS as keys (the
    editable ones may be left out), plus REASON_HEADER when `reasons`."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws["A1"] = _marker(partnership_code)
    ws["A1"].font = Font(color="777777", size=8)
    ws["A2"] = title
    ws["A2"].font = Font(bold=True, size=13)
    headers = HEADERS + ([REASON_HEADER] if reasons else [])
    editable_fill = PatternFill("solid", fgColor="FFF7BF")
    for col, name in enumerate(headers, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if name in EDITABLE:
            cell.fill = editable_fill
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        for col, name in enumerate(headers, start=1):
            value = row.get(name)
            cell = ws.cell(row=r, column=col, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text as written, never a formula Excel would run
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
    widths = {
        "Action": 60,
        "Progress note": 45,
        "Decision or help needed": 35,
        "Plan or source": 25,
        "By whom": 22,
        REASON_HEADER: 45,
    }
    for col, name in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(row=HEADER_ROW, column=col).column_letter].width = widths.get(
            name, 14
        )
    last = HEADER_ROW + max(len(rows), 1) + 200
    status_col = ws.cell(row=HEADER_ROW, column=HEADERS.index("New status") + 1).column_letter
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(STATUS_LABELS) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Status",
        error="Choose a status from the list.",
    )
    dv.add(f"{status_col}{HEADER_ROW + 1}:{status_col}{last}")
    ws.add_data_validation(dv)
    pct_col = ws.cell(row=HEADER_ROW, column=HEADERS.index("New % complete") + 1).column_letter
    pv = DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        showErrorMessage=True,
        error="Enter a whole number from 0 to 100.",
    )
    pv.add(f"{pct_col}{HEADER_ROW + 1}:{pct_col}{last}")
    ws.add_data_validation(pv)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=2)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


MAX_ROWS = 1000  # applying a row takes about 8 ms in the request: 1,000 rows, about 8 s


def read_sheet(
    data: bytes,
    *,
    partnership_code: str,
    max_unzipped_bytes: int | None = None,
    max_rows: int = MAX_ROWS,
) -> list[dict[str, Any]]:
    """The filled-in rows of an uploaded progress spreadsheet.

    Raises NotOurLayout, naming what is wrong, when the file is not the product's layout
    or was downloaded for another partnership, unpacks to more than ``max_unzipped_bytes``
    (the plan cap by default), holds XML that cannot be read safely, or has more than
    ``max_rows`` filled-in rows (one row per open action). Rows whose every
    cell is empty are left out. A value in a column with no heading is never dropped: the
    row carries it in "beyond" (column letter and value) and is rejected for it.
    """
    from openpyxl.utils import get_column_letter

    from .document import MAX_UNZIPPED_BYTES, PlanDocumentError
    from .document.containers import XML_ERRORS, check_container

    try:
        check_container(
            data, "The file", max_unzipped_bytes=max_unzipped_bytes or MAX_UNZIPPED_BYTES
        )
    except PlanDocumentError as exc:
        if "unpacks" in str(exc):
            raise NotOurLayout(
                "The file unpacks to far more data than a progress spreadsheet."
            ) from exc
        if "entities" in str(exc):
            raise NotOurLayout(str(exc).replace("'The file'", "The file") + ".") from exc
        raise NotOurLayout("The file is not an Excel spreadsheet (.xlsx).") from exc
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for files that are not xlsx
        raise NotOurLayout("The file is not an Excel spreadsheet (.xlsx).") from exc
    try:
        if SHEET not in wb.sheetnames:
            raise NotOurLayout(
                f"The spreadsheet has no sheet called ‘{SHEET}’: upload the progress "
                "spreadsheet downloaded from this page."
            )
        ws = wb[SHEET]
        try:
            rows = list(ws.iter_rows(values_only=True))
        except XML_ERRORS as exc:  # read-only sheets are parsed as they are read
            raise NotOurLayout(
                "The spreadsheet holds XML that cannot be read safely: save it again from "
                "Excel and upload that copy."
            ) from exc
    finally:
        wb.close()
    marker = str(rows[0][0] or "").strip() if rows and rows[0] else ""
    if not marker.startswith(LAYOUT):
        raise NotOurLayout(
            "This is not the progress spreadsheet downloaded from dathub: its first cell "
            f"should read ‘{_marker(partnership_code)}’."
        )
    if marker != _marker(partnership_code):
        raise NotOurLayout("This progress spreadsheet was downloaded for another partnership.")
    header = (
        [str(v).strip() if v is not None else "" for v in rows[HEADER_ROW - 1]]
        if len(rows) >= HEADER_ROW
        else []
    )
    while header and header[-1] == "":
        header.pop()
    if header[: len(HEADERS)] != HEADERS or header[len(HEADERS) :] not in ([], [REASON_HEADER]):
        raise NotOurLayout(
            "The column headings have been changed: they must be, in order, "
            + ", ".join(f"‘{h}’" for h in HEADERS)
            + "."
        )
    width = len(header)  # the headed columns, with the rejected-rows reason if it is there
    out = []
    for index, values in enumerate(rows[HEADER_ROW:], start=HEADER_ROW + 1):
        cells = dict(zip(HEADERS, list(values) + [None] * len(HEADERS), strict=False))
        beyond = [
            (get_column_letter(column), str(value).strip())
            for column, value in enumerate(values[width:], width + 1)
            if value is not None and str(value).strip() != ""
        ]
        if not beyond and all(v is None or str(v).strip() == "" for v in cells.values()):
            continue
        row: dict[str, Any] = {"row": index, "action_id": cells["Action id"]}
        for header_name, key in FIELD_OF.items():
            value = cells[header_name]
            row[key] = value.strip() if isinstance(value, str) else value
        if beyond:
            row["beyond"] = beyond
        out.append(row)
        if len(out) > max_rows:
            raise NotOurLayout(
                f"The spreadsheet has more than {max_rows:,} filled-in rows: it has one row "
                "for each open action. Upload it in parts."
            )
    return out
