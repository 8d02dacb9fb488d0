"""Writing plans as .docx/.xlsx and reading them back; reading a .docx made by hand."""

import io
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from dathub.planning.document import export_docx, export_xlsx, parse_document

SHARED = Path(__file__).resolve().parents[4].parent / "shared"
SOURCES = [
    SHARED / "examples" / "northshire-2009-10-grids.txt",
    SHARED / "seeds" / "ealing-daat-treatment-plan-2007-08-grids.txt",
    SHARED / "seeds" / "sandwell-daat-commissioning-framework-2009-12.txt",
    Path(__file__).resolve().parent / "data" / "hostile-grids.txt",
]


def without_issues(plan: dict) -> dict:
    return {key: value for key, value in plan.items() if key != "issues"}


@pytest.fixture(scope="module", params=SOURCES, ids=lambda p: p.stem)
def plan(request) -> dict:
    path: Path = request.param
    return parse_document(path.read_bytes(), path.name)


def test_docx_round_trip(plan):
    again = parse_document(export_docx(plan), "plan.docx")
    assert without_issues(again) == without_issues(plan)


def test_xlsx_round_trip(plan):
    again = parse_document(export_xlsx(plan), "plan.xlsx")
    assert without_issues(again) == without_issues(plan)


def test_docx_is_in_the_national_grid_layout(plan):
    document = Document(io.BytesIO(export_docx(plan)))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [f"Planning grid {g['number']}: {g['title']}" for g in plan["grids"]]
    headers = [t.rows[0].cells[0].text for t in document.tables]
    assert headers.count("Actions and milestones") == sum(
        len(g["objectives"]) for g in plan["grids"]
    )


def test_xlsx_has_a_summary_and_one_sheet_per_grid(plan):
    workbook = load_workbook(io.BytesIO(export_xlsx(plan)))
    grids = [name for name in workbook.sheetnames if name.startswith("Grid ")]
    assert workbook.sheetnames[0] == "Summary"
    assert len(grids) == len(plan["grids"])
    assert workbook["Summary"]["B2"].value == "dathub.plan/1"


def find_row(sheet, text: str) -> int:
    for row in sheet.iter_rows():
        if row[2].value == text:
            return row[0].row
    raise AssertionError(text)


def test_xlsx_keeps_the_sheets_dates_and_reports_a_changed_by_when():
    path = SOURCES[0]
    plan = parse_document(path.read_bytes(), path.name)
    workbook = load_workbook(io.BytesIO(export_xlsx(plan)))
    sheet = workbook["Grid 1"]
    row = find_row(sheet, "Secure premises in the Eastgate health centre")
    sheet.cell(row, 4).value = "Oct 2009"  # By when changed, Start/End left as they were
    changed = find_row(sheet, "Recruit two recovery workers for the satellite clinic")
    sheet.cell(changed, 4).value = "Nov 2009"
    for column in range(8, 12):
        sheet.cell(changed, column).value = None  # cleared: worked out again from the text
    buffer = io.BytesIO()
    workbook.save(buffer)
    again = parse_document(buffer.getvalue(), "edited.xlsx")
    secure, recruit = again["grids"][0]["objectives"][1]["actions"]
    assert secure["due"]["text"] == "Oct 2009" and secure["due"]["end"] == "2009-09-30"
    assert recruit["due"]["end"] == "2009-11-30"
    assert again["issues"] == [
        {
            "sheet": "Grid 1",
            "row": row,
            "text": "Oct 2009",
            "why": "by-when reads differently from Start/End/Recurrence/Ongoing; "
            "the sheet's dates were kept",
            "where": f"grid 1, objective 2, action 1 (sheet Grid 1, row {row})",
        }
    ]


def test_xlsx_text_that_looks_like_a_formula_stays_text():
    path = SOURCES[0]
    plan = parse_document(path.read_bytes(), path.name)
    plan["grids"][0]["objectives"][0]["actions"][0]["text"] = '=HYPERLINK("x")'
    again = parse_document(export_xlsx(plan), "plan.xlsx")
    assert again["grids"][0]["objectives"][0]["actions"][0]["text"] == '=HYPERLINK("x")'


def test_workbook_that_is_not_a_plan():
    from openpyxl import Workbook

    from dathub.planning.document import PlanDocumentError

    buffer = io.BytesIO()
    Workbook().save(buffer)
    with pytest.raises(PlanDocumentError, match="no 'Summary' sheet"):
        parse_document(buffer.getvalue(), "budget.xlsx")


def test_reading_a_docx_made_in_word():
    """A partnership's own .docx: template tables, a header glued to its first row, a cell of
    several paragraphs, guidance text and a note spanning the table."""
    document = Document()
    document.add_paragraph("Partnership name Southby")
    document.add_paragraph("Adult drug treatment plan 2008/09 Part 3: Planning grids")
    document.add_paragraph("Date published: 1 February 2008")
    document.add_paragraph("Planning grid 5: Carer involvement")
    document.add_paragraph("Please see checklist at Appendix 1 of the guidance")
    document.add_paragraph("Identification of key priorities following needs assessment:")
    document.add_paragraph("1. Set up a carers' forum")
    box = document.add_table(rows=1, cols=3)
    box_cells = ["Objective 1 Set up a carers' forum", "", ""]
    for cell, text in zip(box.rows[0].cells, box_cells, strict=True):
        cell.text = text
    table = document.add_table(rows=2, cols=3)
    rows = [
        ["Delivery Plan: Actions and milestones Recruit a carer lead", "Q1 08", "Carer Lead & JCG"],
        ["Hold the first forum", "June 2008", "Carer Lead"],
    ]
    for row, values in zip(table.rows, rows, strict=True):
        for cell, text in zip(row.cells, values, strict=True):
            cell.text = text
    note_cells = table.add_row().cells
    table.rows[1].cells[0].add_paragraph("with a crèche for children")
    note = note_cells[0].merge(note_cells[2])
    note.text = "Forum minutes go to the JCG"
    buffer = io.BytesIO()
    document.save(buffer)

    plan = parse_document(buffer.getvalue(), "southby.docx", known_roles=["Carer Lead"])
    assert plan["partnership"] == "Southby"
    assert plan["published"] == "2008-02-01"
    (grid,) = plan["grids"]
    assert grid["priorities"] == ["Set up a carers' forum"]
    (objective,) = grid["objectives"]
    assert objective["notes"] == ["Forum minutes go to the JCG"]
    recruit, forum = objective["actions"]
    assert recruit["text"] == "Recruit a carer lead"
    assert recruit["due"]["start"] == "2008-04-01"
    assert recruit["owner_list"] == ["Carer Lead", "JCG"]
    assert forum["text"] == "Hold the first forum with a crèche for children"
    assert "issues" not in plan
