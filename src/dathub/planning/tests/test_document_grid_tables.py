"""Hostile planning grids of the 2008/09 template: headers repeated after a page break, cells
wrapped onto rows of their own, notes under an objective, and where each issue is."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from docx.enum.text import WD_BREAK
from openpyxl import load_workbook

from dathub.planning.document import export_docx, export_xlsx, parse_document
from dathub.planning.document.text_reader import parse_text
from dathub.planning.models import PlanImport

SHARED = Path(__file__).resolve().parents[4].parent / "shared"
DATA = Path(__file__).resolve().parent / "data"
T = "\t"
HEADER = f"Delivery Plan: Actions and milestones{T}By when{T}By whom"


def grid(*rows: str, number: int = 6) -> str:
    return "\n".join(
        [
            "Partnership name Westmere",
            "Adult drug treatment plan 2009/10 Part 3: Planning grids",
            f"Planning grid {number}: Criminal justice",
            *rows,
        ]
    )


def only_objective(plan: dict) -> dict:
    (g,) = plan["grids"]
    (objective,) = g["objectives"]
    return objective


def texts(objective: dict) -> list[str]:
    return [a["text"] for a in objective["actions"]]


def docx_bytes(blocks: list[Any]) -> bytes:
    """A .docx from paragraphs (str), page breaks (None) and tables (lists of rows); a row of
    one value spans the table."""
    document = Document()
    for block in blocks:
        if block is None:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif isinstance(block, str):
            document.add_paragraph(block)
        else:
            width = max(len(row) for row in block)
            table = document.add_table(rows=0, cols=width)
            for row in block:
                cells = table.add_row().cells
                if len(row) == 1:
                    cells = [cells[0].merge(cells[-1])]
                for cell, value in zip(cells, row, strict=False):
                    paragraphs = value if isinstance(value, list) else [value]
                    cell.text = paragraphs[0]
                    for more in paragraphs[1:]:
                        cell.add_paragraph(more)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- 1. a header row repeated after a page break -------------------------------------------


@pytest.mark.parametrize(
    "repeated",
    [
        # the 2008/09 header with "Delivery plan" extracted as a cell of its own
        f"DELIVERY PLAN{T}ACTIONS AND MILESTONES{T}BY WHEN{T}BY WHOM",
        f"Delivery plan{T}Actions  and  Milestones{T}By When?{T}By Whom",
        HEADER,
        f"Actions & milestones (continued){T}Timescale{T}Lead",
        f"Action/ milestone{T}Target date{T}Responsible officer",
        f"{T}By when{T}By whom",
        f"By When{T}By Whom",  # the empty cell over the actions lost
        "Delivery plan",
    ],
)
def test_header_repeated_mid_objective_is_not_an_action(repeated):
    plan = parse_text(
        grid(
            "Objective 1 Raise DIP engagement",
            HEADER,
            f"Agree the referral protocol with custody suites{T}Q1 09{T}DIP Lead",
            f"Audit every required assessment, reporting to the{T}Quarterly{T}",
            "Page 6 of 12",
            repeated,
            f"board{T}{T}DIP Lead",
            f"Run an awareness session for magistrates{T}Sept 2009{T}DIP Lead/ Courts",
        )
    )
    objective = only_objective(plan)
    assert texts(objective) == [
        "Agree the referral protocol with custody suites",
        "Audit every required assessment, reporting to the board",
        "Run an awareness session for magistrates",
    ]
    audit, session = objective["actions"][1:]
    assert audit["due"]["recurrence"] == "quarterly" and audit["owners"] == "DIP Lead"
    assert session["due"]["end"] == "2009-09-30"
    assert session["owner_list"] == ["DIP Lead", "Courts"]
    assert objective["notes"] == []
    assert "issues" not in plan


@pytest.mark.parametrize("indent", ["", T], ids=["rows-one-cell-short", "rows-as-wide"])
def test_rows_after_a_wider_repeated_header_follow_its_columns(indent):
    # Rows one cell short of a "Delivery plan | Actions ..." header: the header cell was split
    # in two by the extractor. Rows as wide: the table has a column of its own on the left.
    plan = parse_text(
        grid(
            "Objective 1 Raise DIP engagement",
            HEADER,
            f"Agree the referral protocol{T}Q1 09{T}DIP Lead",
            f"Delivery plan{T}Actions and milestones{T}By when{T}By whom",
            f"{indent}Review required assessments{T}Quarterly{T}CJIT Manager",
            f"{indent}Train custody staff{T}June 2009{T}DIP Lead",
        )
    )
    objective = only_objective(plan)
    review, train = objective["actions"][1:]
    assert review["text"] == "Review required assessments"
    assert review["due"]["recurrence"] == "quarterly"
    assert review["owners"] == "CJIT Manager"
    assert train["due"]["end"] == "2009-06-30" and train["owners"] == "DIP Lead"
    assert "issues" not in plan


def test_repeated_header_in_another_order_and_with_a_cost_column():
    plan = parse_text(
        grid(
            "Objective 2 Cut waits",
            HEADER,
            f"Review waiting lists{T}Monthly{T}JCG",
            f"Actions and milestones (continued){T}By whom{T}By when{T}Costs/budget",
            f"Publish waits{T}Data Lead{T}Quarterly{T}£2,000",
            f"Actions and milestones{T}By when{T}By whom",  # the cost column left off the end
            f"Fund a waiting list worker{T}Q3 09{T}Commissioner{T}£18k",
        )
    )
    review, publish, fund = only_objective(plan)["actions"]
    assert (review["owners"], review["cost"]) == ("JCG", None)
    assert publish["owners"] == "Data Lead"
    assert publish["due"]["recurrence"] == "quarterly"
    assert publish["cost"] == {"text": "£2,000", "amount": 2000}
    assert fund["due"]["end"] == "2009-12-31"
    assert fund["cost"] == {"text": "£18k", "amount": 18000}
    assert "issues" not in plan


def test_a_row_of_action_text_is_not_taken_for_a_header():
    plan = parse_text(
        grid(
            "Objective 1 Cut waits",
            HEADER,
            f"Actions from the audit{T}By when agreed{T}Lead",
            f"Date of the next review{T}Q2 09{T}Data Lead",
        )
    )
    assert texts(only_objective(plan)) == ["Actions from the audit", "Date of the next review"]


def test_objective_box_header_and_box_repeated_after_a_page_break():
    plan = parse_text(
        grid(
            f"Objective 2{T}By when{T}By whom",
            f"Open a satellite clinic{T}March 2010{T}Commissioner",
            HEADER,
            f"Secure premises{T}Sept 2009{T}PCT Estates",
            "Page 7 of 12",
            "Objective 2 (continued)",
            HEADER,
            f"Recruit two workers{T}Q3 09{T}Tier 3 Provider",
        )
    )
    objective = only_objective(plan)
    assert objective["title"] == "Open a satellite clinic"
    assert objective["due"]["end"] == "2010-03-31" and objective["owners"] == "Commissioner"
    assert texts(objective) == ["Secure premises", "Recruit two workers"]


def test_docx_table_split_by_a_page_break_repeats_its_header():
    data = docx_bytes(
        [
            "Adult drug treatment plan 2009/10 Part 3: Planning grids",
            "Planning grid 6: Criminal justice",
            "Objective 1 Raise DIP engagement",
            [
                ["Delivery Plan: Actions and milestones", "By when", "By whom"],
                ["Agree the referral protocol", "Q1 09", "DIP Lead"],
            ],
            None,
            "Delivery plan",
            [
                # the header cell in two paragraphs, the other columns the other way round
                [["Delivery Plan:", "Actions and milestones"], "By whom", "By when"],
                ["Run joint case reviews", "Police,", "Monthly"],
                ["", "Probation and CJIT.", ""],
                ["Train custody staff", "DIP Lead", "June 2009"],
            ],
        ]
    )
    plan = parse_document(data, "westmere.docx")
    objective = only_objective(plan)
    assert texts(objective) == [
        "Agree the referral protocol",
        "Run joint case reviews",
        "Train custody staff",
    ]
    reviews, train = objective["actions"][1:]
    assert reviews["owners"] == "Police, Probation and CJIT."
    assert reviews["owner_list"] == ["Police", "Probation", "CJIT"]
    assert reviews["due"]["recurrence"] == "monthly"
    assert train["owners"] == "DIP Lead" and train["due"]["end"] == "2009-06-30"
    assert objective["notes"] == []
    assert "issues" not in plan


# --- 2. a cell wrapped onto a row of its own -----------------------------------------------


def test_by_whom_wrapped_onto_a_row_of_its_own():
    plan = parse_text(
        grid(
            "Objective 1 Reduce re-offending",
            HEADER,
            f"Run joint case reviews{T}Monthly{T}Police,",
            "",
            f"{T}{T}Probation and CJIT.",
            f"Weekly review of every client waiting over 15 working{T}Monthly/{T}CJIT Manager",
            f"days{T}Quarterly{T}",
        )
    )
    reviews, weekly = only_objective(plan)["actions"]
    assert reviews["owners"] == "Police, Probation and CJIT."
    assert reviews["owner_list"] == ["Police", "Probation", "CJIT"]
    assert weekly["text"].endswith("over 15 working days")
    assert weekly["due"]["text"] == "Monthly/ Quarterly"


PUNCTUATED = [
    "Objective 1 Cut drug-related deaths",
    HEADER,
    f"Agree a protocol with the coroner.{T}Q1 09{T}DRD Panel",
    f"Audit every death, reporting to the Safer{T}Quarterly{T}DRD Panel",
    f"Northshire Board.{T}{T}",
    f"Publish the annual audit.{T}March 2010{T}Data Lead",
]


def test_fragment_ending_an_unfinished_sentence_continues_the_action():
    # the author ends every action with a full stop: one without is unfinished, even when
    # the rest starts with a capital
    objective = only_objective(parse_text(grid(*PUNCTUATED)))
    assert texts(objective) == [
        "Agree a protocol with the coroner.",
        "Audit every death, reporting to the Safer Northshire Board.",
        "Publish the annual audit.",
    ]


@pytest.mark.parametrize(
    ("row", "new_text"),
    [
        # its own by-when: a new action even after an unfinished one
        (f"Train staff in naloxone.{T}June 2009{T}", "Train staff in naloxone."),
        # numbered: a new entry
        (f"2. Train staff in naloxone.{T}{T}", "2. Train staff in naloxone."),
        (f"• Train staff in naloxone.{T}{T}", "Train staff in naloxone."),
        # lower case, but its own by-when that does not carry on the one above
        (f"review the naloxone stock.{T}Sept 2009{T}Pharmacy Lead", "review the naloxone stock."),
    ],
)
def test_rows_of_their_own_stay_new_actions(row, new_text):
    rows = [*PUNCTUATED[:3], f"Audit every death, reporting to the Safer{T}Quarterly{T}Panel"]
    objective = only_objective(parse_text(grid(*rows, row)))
    assert texts(objective) == [
        "Agree a protocol with the coroner.",
        "Audit every death, reporting to the Safer",
        new_text,
    ]


def test_without_full_stops_a_capitalised_row_is_a_new_action():
    # this author never ends actions with a full stop, so a missing one says nothing
    plan = parse_text(
        grid(
            "Objective 1 Cut waits",
            HEADER,
            f"Review waiting lists{T}Monthly{T}JCG",
            f"Map the referral pathway{T}May 2009{T}JCG",
            f"Publish waits{T}{T}",
            f"with the GP practices{T}{T}",
        )
    )
    assert texts(only_objective(plan)) == [
        "Review waiting lists",
        "Map the referral pathway",
        "Publish waits with the GP practices",
    ]


def test_docx_rows_holding_only_the_end_of_a_cell():
    data = docx_bytes(
        [
            "Adult drug treatment plan 2009/10 Part 3: Planning grids",
            "Planning grid 6: Criminal justice",
            "Objective 1 Reduce re-offending",
            [
                ["Delivery Plan: Actions and milestones", "By when", "By whom"],
                ["Run joint case reviews with the police and", "Monthly", "Police,"],
                ["", "", "Probation and CJIT."],
                ["probation teams", "", ""],
                ["Train custody staff", "June 2009", "DIP Lead"],
                ["Publish the review", "", ""],
            ],
        ]
    )
    plan = parse_document(data, "westmere.docx")
    objective = only_objective(plan)
    assert texts(objective) == [
        "Run joint case reviews with the police and probation teams",
        "Train custody staff",
        "Publish the review",  # a row of a Word table: its own action, capital and no by-when
    ]
    assert objective["actions"][0]["owners"] == "Police, Probation and CJIT."
    assert "issues" not in plan


def test_hostile_plans_round_trip_through_word_and_excel():
    # the rows of an exported table are whole: none may be merged when read back
    plan = parse_text(
        grid(
            *PUNCTUATED,
            f"Review the audit with the{T}Q1 10{T}DRD Panel",
            f"coroner.{T}Q2 10{T}Coroner",
            f"review the naloxone stock.{T}Sept 2009{T}Pharmacy Lead",
            "NB the audit is shared with grid 4",
        )
    )
    assert len(only_objective(plan)["actions"]) == 6
    for exported, name in ((export_docx(plan), "plan.docx"), (export_xlsx(plan), "plan.xlsx")):
        again = parse_document(exported, name)
        assert again["grids"] == plan["grids"]


# --- 3. notes under an objective -----------------------------------------------------------


def test_notes_under_an_objective_are_not_actions():
    plan = parse_text(
        grid(
            "Objective 3 Reduce re-offending",
            "Note: the actions for this objective are shared with grid 3",
            HEADER,
            f"Agree the IOM cohort with the police and{T}Q2 09{T}IOM Board",
            "NB the cohort is reviewed by the board each quarter",
            f"Publish the cohort{T}Q3 09{T}IOM Board",
            f"Please note this objective is also reported under grid 3 of the{T}{T}",
            f"adult plan.{T}{T}",
            f"N.B. figures are provisional{T}{T}{T}{T}stray",
            f"Note the board's decision in the minutes{T}May 2009{T}JCG",
        )
    )
    objective = only_objective(plan)
    assert objective["notes"] == [
        "Note: the actions for this objective are shared with grid 3",
        "NB the cohort is reviewed by the board each quarter",
        "Please note this objective is also reported under grid 3 of the adult plan.",
        "N.B. figures are provisional",
    ]
    assert [(i["where"], i["text"]) for i in plan["issues"]] == [("grid 6, objective 3", "stray")]
    # "Note" as a verb, with a by-when of its own, is an action
    assert texts(objective) == [
        "Agree the IOM cohort with the police and",
        "Publish the cohort",
        "Note the board's decision in the minutes",
    ]


def test_objective_with_only_a_note_and_a_wrapped_note():
    plan = parse_text(
        grid(
            "Objective 4 Links with the prison",
            "NB: the actions for this objective are in the prison",
            "plan, grid 11.",
            HEADER,
            "Objective 5 Raise DIP engagement",
            "Please note: see grid 3",
            HEADER,
            f"Agree the protocol{T}Q1 09{T}DIP Lead",
        )
    )
    prison, dip = plan["grids"][0]["objectives"]
    assert prison["notes"] == [
        "NB: the actions for this objective are in the prison plan, grid 11."
    ]
    assert prison["actions"] == []
    assert dip["notes"] == ["Please note: see grid 3"]
    assert texts(dip) == ["Agree the protocol"]


def test_docx_note_paragraph_between_box_and_table():
    data = docx_bytes(
        [
            "Adult drug treatment plan 2009/10 Part 3: Planning grids",
            "Planning grid 6: Criminal justice",
            [["Objective 1 Reduce re-offending", "March 2010", "IOM Board"]],
            "Please note the actions for this objective are shared with grid 3",
            [
                ["Delivery Plan: Actions and milestones", "By when", "By whom"],
                ["Agree the IOM cohort with the police and", "Q2 09", "IOM Board"],
                ["N.B. the cohort is reviewed each quarter"],
            ],
            # after an action that ends on "and", yet a note of its own
            "NB the board sees the cohort at each meeting",
        ]
    )
    objective = only_objective(parse_document(data, "westmere.docx"))
    assert objective["notes"] == [
        "Please note the actions for this objective are shared with grid 3",
        "N.B. the cohort is reviewed each quarter",
        "NB the board sees the cohort at each meeting",
    ]
    assert texts(objective) == ["Agree the IOM cohort with the police and"]


# --- 4. where each issue is ----------------------------------------------------------------


def test_issues_say_where_they_are_in_the_grids_terms():
    plan = parse_text(
        "\n".join(
            [
                "Partnership name Westmere",
                "Adult drug treatment plan Part 3: Planning grids",
                "Financial year: sometime soon",
                "Planning grid 6: Criminal justice",
                f"Planned spend 2008/09{T}Planned spend 2009/10",
                f"12,000{T}to be agreed",
                "Objective 1 Raise DIP engagement",
                f"Actions and milestones{T}By when{T}By whom{T}Costs/budget",
                f"{T}Q1 09{T}DIP Lead",
                f"Agree the protocol{T}Q1 2009{T}DIP Lead{T}£ tbc",
                f"Train custody staff{T}when possible{T}DIP Lead{T}{T}spare",
                "Objective",
                "",
                f"Actions and milestones{T}By when{T}By whom",
                "Objective 1 Review DIP engagement",
                f"Review the protocol{T}later{T}JCG",
            ]
        )
    )
    first = "grid 6, the 1st objective (numbered 1)"  # two objectives are numbered 1
    assert [(i["where"], i["why"], i["text"]) for i in plan["issues"]] == [
        ("plan details", "financial year not understood", "sometime soon"),
        ("grid 6 header", "spend for 'Planned spend 2009/10' is not an amount", "to be agreed"),
        (f"{first}, action 1", "by-when/by-whom cells with no action", "Q1 09 DIP Lead"),
        (f"{first}, action 1", "action has no text", ""),
        (f"{first}, action 2", "cost names pounds but no amount", "£ tbc"),
        (f"{first}, action 3", "cells beyond the table's columns", "spare"),
        (f"{first}, action 3", "by-when not understood as a date or period", "when possible"),
        ("grid 6, the 2nd objective", "objective has no title", ""),
        (
            "grid 6, the 3rd objective (numbered 1), action 1",
            "by-when not understood as a date or period",
            "later",
        ),
    ]
    assert all("line" not in i["where"] for i in plan["issues"])


def test_strategic_plan_issues_name_key_priorities_and_activities():
    plan = parse_text(
        "\n".join(
            [
                "Sandwell Drug & Alcohol Action Team",
                "10. Strategic Commissioning Plan 2009 - 2012",
                f"Key Priorities{T}Activity{T}Time Frame",
                f"{T}Map the pathway{T}Q1 09",
                f"Improve recovery{T}Open a recovery café{T}Q2 09",
                f"{T}{T}Q4 09",
            ]
        )
    )
    assert [(i["where"], i["why"]) for i in plan["issues"]] == [
        ("grid 10, key priority 1", "objective has no title"),
        ("grid 10, key priority 1, activity 1", "activity with no key priority"),
        ("grid 10, key priority 2", "time frame with no activity to belong to"),
    ]


@pytest.mark.parametrize(
    "path",
    [
        SHARED / "seeds" / "ealing-daat-treatment-plan-2007-08-grids.txt",
        DATA / "hostile-grids.txt",
    ],
    ids=lambda p: p.stem,
)
def test_every_issue_of_a_real_plan_carries_where(path):
    plan = parse_document(path.read_bytes(), path.name)
    assert plan["issues"]
    for issue in plan["issues"]:
        assert issue["where"].startswith(f"grid {issue['grid']}, ")


def test_xlsx_issues_say_where_and_which_row_of_the_sheet():
    path = SHARED / "examples" / "northshire-2009-10-grids.txt"
    plan = parse_document(path.read_bytes(), path.name)
    workbook = load_workbook(io.BytesIO(export_xlsx(plan)))
    sheet = workbook["Grid 1"]
    rows = {row[2].value: row[0].row for row in sheet.iter_rows() if row[2].value}
    objective_row = rows["Cut waits over 3 weeks for structured treatment to zero"]
    sheet.cell(objective_row, 2).value = "one"
    action_row = rows["Secure premises in the Eastgate health centre"]
    sheet.cell(action_row, 4).value = "whenever"
    for column in range(8, 12):
        sheet.cell(action_row, column).value = None
    workbook.create_sheet("Notes")
    buffer = io.BytesIO()
    workbook.save(buffer)
    again = parse_document(buffer.getvalue(), "edited.xlsx")
    assert [(i["where"], i["why"]) for i in again["issues"]] == [
        (
            f"grid 1, the 1st objective (sheet Grid 1, row {objective_row})",
            "objective number is not a number",
        ),
        (
            f"grid 1, objective 2, action 1 (sheet Grid 1, row {action_row})",
            "by-when not understood as a date or period",
        ),
        ("sheet Notes", "sheet is not a planning grid; left out"),
    ]


def test_import_preview_shows_where_not_a_line_number(demo: Any, client_for: Any) -> None:
    path = SHARED / "seeds" / "ealing-daat-treatment-plan-2007-08-grids.txt"
    client = client_for(demo.coordinator)
    client.post(
        reverse("planning:plan-import", args=["N01A"]),
        {"document": SimpleUploadedFile(path.name, path.read_bytes())},
    )
    staged = PlanImport.objects.get()
    assert any(i["where"] == "grid 6, objective 1" for i in staged.issues)
    page = client.get(
        reverse("planning:plan-import-preview", args=["N01A", staged.pk])
    ).content.decode()
    assert "Grid 6, objective 1" in page
    assert "Line 184" not in page and "Line " not in page
