"""Reading plans from extracted text: the golden example, the seeds, hostile variants."""

import json
from pathlib import Path

import pytest

from dathub.planning.document import PlanDocumentError, parse_document
from dathub.planning.document.text_reader import parse_text

SHARED = Path(__file__).resolve().parents[4].parent / "shared"
DATA = Path(__file__).resolve().parent / "data"
T = "\t"


def read_plan(path: Path) -> dict:
    return parse_document(path.read_bytes(), path.name)


def actions(plan: dict, grid: int, objective: int) -> list[dict]:
    return plan["grids"][grid]["objectives"][objective]["actions"]


def test_golden_example_equals_expected_json():
    plan = read_plan(SHARED / "examples" / "northshire-2009-10-grids.txt")
    expected = json.loads(
        (SHARED / "examples" / "northshire-2009-10-grids.expected.json").read_text("utf-8")
    )
    assert plan == expected


@pytest.fixture(scope="module")
def ealing() -> dict:
    return read_plan(SHARED / "seeds" / "ealing-daat-treatment-plan-2007-08-grids.txt")


@pytest.fixture(scope="module")
def sandwell() -> dict:
    return read_plan(SHARED / "seeds" / "sandwell-daat-commissioning-framework-2009-12.txt")


def test_ealing_plan_details(ealing):
    assert ealing["partnership"] == "Ealing DAAT"
    assert ealing["title"] == "Adult drug treatment plan 2007/08 Part 3: Planning grids"
    assert ealing["financial_year"] == "2007/08"
    assert ealing["published"] == "2006-12-01"
    assert [g["number"] for g in ealing["grids"]] == list(range(1, 12))
    assert [g["rating"] for g in ealing["grids"]] == [
        "amber/green", "green", "green", "green", "green", "amber", "amber", "green", "amber",
        "green", "n/a",
    ]  # fmt: skip
    assert ealing["grids"][10]["title"] == "Integrated drug treatment in prisons"
    assert ealing["grids"][10]["objectives"] == []


def test_ealing_actions_before_their_objective_heading(ealing):
    grid = ealing["grids"][0]
    assert grid["spend"] == [
        {"label": "Planned spend 2006/07", "amount": 420500},
        {"label": "Likely spend 2006/07", "amount": 395500},
        {"label": "Planned spend 2007/08", "amount": 385500},
    ]
    assert len(grid["objectives"]) == 1
    objective = grid["objectives"][0]
    assert objective["number"] == 1
    assert objective["title"].startswith("Ensure commissioning systems are robust")
    assert len(objective["actions"]) == 10
    first = objective["actions"][0]
    assert first["due"]["start"] == "2007-05-01" and first["due"]["end"] == "2007-05-31"
    assert first["owner_list"] == ["BM", "DPM"]
    assert first["cost"] == {"text": "Within role resource", "amount": None}
    assert grid["assessment"].count("\n") == 5


def test_ealing_costs_dates_and_wraps(ealing):
    workforce = actions(ealing, 1, 0)
    assert workforce[2]["cost"] == {"text": "£10k", "amount": 10000}
    assert workforce[4]["due"]["start"] == "2007-04-01"
    assert workforce[4]["due"]["end"] == "2008-03-31" and workforce[4]["due"]["ongoing"]
    assert actions(ealing, 2, 0)[1]["cost"]["amount"] == 39500
    assert actions(ealing, 6, 0)[0]["cost"] == {"text": "£600 000 approx", "amount": 600000}
    # a cell wrapped after a blank line, with its cost cell wrapped too; the table rule dropped
    last = actions(ealing, 5, 0)[-1]
    assert last["text"].endswith("Awareness training (includes screening and referral "
                                 "procedures) to all Tier 1 staff in Ealing")  # fmt: skip
    assert last["cost"]["text"] == "Within training programme budget"
    literature = actions(ealing, 5, 0)[0]
    assert literature["due"]["text"] == "03/07 – ongoing throughout the year"
    assert literature["due"]["start"] == "2007-03-01" and literature["due"]["ongoing"]
    aftercare = actions(ealing, 7, 0)[0]
    assert aftercare["text"].endswith("case management for ETE and housing")
    assert len(actions(ealing, 7, 0)) == 9


def test_ealing_objective_without_title_is_an_issue(ealing):
    assert ealing["grids"][5]["objectives"][0]["title"] == ""
    assert {
        "line": 184,
        "grid": 6,
        "objective": 1,
        "where": "grid 6, objective 1",
        "text": "",
        "why": "objective has no title",
    } in ealing["issues"]


def test_sandwell_strategic_commissioning_plan(sandwell):
    assert sandwell["partnership"] == "Sandwell Drug & Alcohol Action Team"
    assert sandwell["financial_year"] == "2009/10"
    assert "issues" not in sandwell
    (grid,) = sandwell["grids"]
    assert (grid["number"], grid["title"]) == (10, "Strategic Commissioning Plan 2009 - 2012")
    objectives = grid["objectives"]
    assert len(objectives) == 8
    assert [len(o["actions"]) for o in objectives] == [5, 4, 3, 4, 2, 3, 3, 8]
    assert grid["priorities"] == [o["title"] for o in objectives]
    assert objectives[1]["title"].startswith("Develop a structure for cross thematic/agenda")
    safeguarding = objectives[1]["actions"][0]
    assert safeguarding["text"].startswith("Develop safeguarding vulnerable adults' processes")
    assert safeguarding["due"]["text"] == "Q1 09"
    assert objectives[1]["actions"][3]["due"]["end"] == "2010-03-31"
    assert objectives[0]["actions"][2]["due"] == {
        "text": "End of Q1 2009",
        "start": None,
        "end": "2009-06-30",
        "recurrence": None,
        "ongoing": False,
    }
    metro = objectives[4]
    assert metro["title"].endswith("drop-in sessions for clients by a range of non-treatment "
                                   "agencies.")  # fmt: skip
    assert [a["due"]["text"] for a in metro["actions"]] == ["Ongoing", "Q1 09"]
    hcc = objectives[7]["actions"]
    assert hcc[2]["due"]["start"] == "2009-04-01" and hcc[2]["due"]["ongoing"]
    assert hcc[6]["text"].endswith("returning from residential or inpatient placements.")
    assert hcc[7]["text"] == "Implement local action plan from HCC review findings"
    assert all("<" not in a["text"] for o in objectives for a in o["actions"])


# --- hostile variants ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile() -> dict:
    return read_plan(DATA / "hostile-grids.txt")


def test_hostile_plan_structure(hostile):
    assert hostile["partnership"] == "Westmere"
    assert hostile["published"] == "2008-03-03"
    # grids keep document order; priorities came after the first objective
    assert [g["number"] for g in hostile["grids"]] == [4, 2]
    harm = hostile["grids"][0]
    assert harm["priorities"] == ["Cut drug-related deaths", "Raise hepatitis B vaccination"]
    assert harm["spend"] == [] and harm["rating"] is None
    assert [o["number"] for o in harm["objectives"]] == [1, 10]
    assert harm["objectives"][1]["title"] == "Raise hepatitis B vaccination"


def test_hostile_split_header_rule_furniture_and_wraps(hostile):
    first = actions(hostile, 0, 0)
    assert len(first) == 3  # repeated header row added no action; furniture dropped
    assert first[0]["text"] == "Run naloxone training for “family” members"
    assert first[0]["owner_list"] == ["Harm Reduction Lead", "Carers’ Group"]
    assert first[0]["due"]["start"] == "2008-07-01"
    assert first[1]["text"].endswith("reporting to the board")
    assert first[1]["owners"] == "DRD Panel"
    assert first[2]["due"]["text"] == "Sept 2008 – ongoing"
    assert first[2]["due"]["start"] == "2008-09-01" and first[2]["due"]["ongoing"]
    texts = json.dumps(hostile, ensure_ascii=False)
    assert "WESTMERE" not in texts and "Page 4" not in texts and "--" not in texts


def test_hostile_glued_header_and_unreadable_due(hostile):
    vaccination = actions(hostile, 0, 1)
    assert vaccination[0]["text"] == "Offer vaccination at every tier 3 assessment"
    assert vaccination[0]["due"]["end"] == "2008-12-31"
    assert vaccination[1]["due"]["start"] is None
    assert hostile["issues"] == [
        {
            "line": 32,
            "grid": 4,
            "objective": 2,
            "action": 2,
            "where": "grid 4, objective 10, action 2",  # the objective as printed, not index 2
            "text": "Whenever possible",
            "why": "by-when not understood as a date or period",
        }
    ]


def test_hostile_objective_box_and_header_over_two_lines(hostile):
    workforce = hostile["grids"][1]
    assert workforce["rating"] == "red/amber"
    assert workforce["assessment"] == "Too few staff hold the competence qualification."
    (objective,) = workforce["objectives"]
    assert objective["title"] == "Train all tier 3 staff to the competence standard"
    assert objective["due"]["end"] == "2009-03-31"
    assert objective["owners"] == "Workforce Lead"
    assert [a["cost"] for a in objective["actions"]] == [
        {"text": "£12,500", "amount": 12500},
        {"text": "Within role resource", "amount": None},
    ]


def grid_text(*rows: str) -> str:
    return "\n".join(["Partnership name Eastvale", "Adult drug treatment plan 2009/10", *rows])


def test_reordered_sections_and_objective_heading_alone():
    plan = parse_text(
        grid_text(
            "Planning grid 3: Outcomes",
            "Objective 2",
            "",
            "Improve outcomes at exit",
            f"Delivery Plan: Actions and milestones{T}By when{T}By whom",
            f"Report TOP outcomes{T}Q2 09{T}Data Lead",
            f"Planned spend 2008/09{T}Planned spend 2009/10",
            f"12,000{T}14,500",
            "Summary of self-assessment",
            "Amber",
            "Exit outcomes are not yet recorded.",
            "Identification of key priorities following needs assessment:",
            "1. Record outcomes at exit",
        )
    )
    (grid,) = plan["grids"]
    assert grid["spend"][1] == {"label": "Planned spend 2009/10", "amount": 14500}
    assert grid["rating"] == "amber"
    assert grid["assessment"] == "Exit outcomes are not yet recorded."
    assert grid["priorities"] == ["Record outcomes at exit"]
    assert grid["objectives"][0]["title"] == "Improve outcomes at exit"
    assert actions(plan, 0, 0)[0]["due"]["end"] == "2009-09-30"
    assert "issues" not in plan


def test_header_repeated_and_left_dangling_before_next_objective():
    header = f"Delivery Plan: Actions and milestones{T}By when{T}By whom"
    plan = parse_text(
        grid_text(
            "Planning grid 1: Access",
            "Objective 1 Shorten waits",
            header,
            f"Review waiting lists{T}Monthly{T}JCG",
            header,
            f"Publish waits{T}Quarterly{T}Data Lead",
            header,
            "Objective 3 Open a clinic",
            header,
            f"Find premises{T}June 2009{T}Commissioner",
        )
    )
    objectives = plan["grids"][0]["objectives"]
    assert [(o["number"], len(o["actions"])) for o in objectives] == [(1, 2), (3, 1)]


def test_wrapped_by_whom_and_note_rows():
    plan = parse_text(
        grid_text(
            "Planning grid 1: Access",
            "Objective 1 Shorten waits",
            f"Delivery Plan: Actions and milestones{T}By when{T}By whom",
            f"Recruit two workers{T}Q3 09{T}Tier 3 Provider",
            f"{T}{T}Eastvale Recovery Trust",
            f"Please see Planning Grid 2 for shared care{T}{T}",
        )
    )
    objective = plan["grids"][0]["objectives"][0]
    assert objective["actions"][0]["owners"] == "Tier 3 Provider Eastvale Recovery Trust"
    assert objective["notes"] == ["Please see Planning Grid 2 for shared care"]


def test_spend_that_is_not_an_amount_is_an_issue():
    plan = parse_text(
        grid_text(
            "Planning grid 1: Access",
            f"Planned spend 2008/09{T}Planned spend 2009/10",
            f"12,000{T}to be agreed",
        )
    )
    assert plan["grids"][0]["spend"] == [{"label": "Planned spend 2008/09", "amount": 12000}]
    assert plan["issues"][0]["text"] == "to be agreed"
    assert plan["issues"][0]["why"] == "spend for 'Planned spend 2009/10' is not an amount"


def test_financial_year_argument_is_used_when_the_document_has_none():
    text = "\n".join(
        [
            "Planning grid 1: Access",
            "Objective 1 Shorten waits",
            f"Actions and milestones{T}By when{T}By whom",
            f"Review waits{T}March{T}JCG",
        ]
    )
    plan = parse_text(text, financial_year="2009/10")
    assert plan["financial_year"] == "2009/10"
    assert actions(plan, 0, 0)[0]["due"]["end"] == "2010-03-31"
    no_year = parse_text(text)
    assert no_year["financial_year"] is None
    assert no_year["issues"][0]["why"] == "by-when not understood as a date or period"


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "plan.txt", "empty"),
        (b"  \n\n", "plan.txt", "empty"),
        (b"Minutes of the board meeting\nApologies were received.", "m.txt", "no planning grids"),
        (b"%PDF-1.4 ...", "plan.pdf", "not a file type"),
        (b"not a zip", "plan.docx", "not a readable Word"),
        (b"not a zip", "plan.xlsx", "not a readable Excel"),
    ],
)
def test_files_that_are_not_plans(data, filename, message):
    with pytest.raises(PlanDocumentError, match=message):
        parse_document(data, filename)


def test_review_paper_seed_is_not_a_plan():
    path = SHARED / "seeds" / "birmingham-dat-review-2004.txt"
    with pytest.raises(PlanDocumentError):
        read_plan(path)
