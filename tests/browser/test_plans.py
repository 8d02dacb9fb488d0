"""A co-ordinator imports a plan document, checks the preview, confirms, and works with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import assert_accessible, sign_in

EXAMPLE = (
    Path(__file__).resolve().parents[2]
    / "src/dathub/planning/tests/data/northshire-2009-10-grids.txt"
)

pytestmark = pytest.mark.browser


def test_import_preview_confirm_and_find_actions(page: Any) -> None:
    sign_in(page, "coordinator@northshire.example")
    page.goto("/p/N01A/plans/")
    assert_accessible(page)
    page.get_by_role("link", name="Import a plan document").click()
    assert_accessible(page)
    page.get_by_label("Plan document").set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url("**/plans/imports/**")
    assert page.get_by_text("2 planning grids, 6 objectives, 9 actions").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Import as a draft plan").click()
    page.wait_for_url("**/plans/*/")
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Adult drug treatment plan 2009/10 Part 3: Planning grids"
    assert page.get_by_role("heading", name="Planning grid 1: Access and engagement").is_visible()
    assert_accessible(page)

    # Download the plan as Word.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download Word (.docx)").click()
    assert download.value.suggested_filename.endswith(".docx")

    # Find the overdue actions of grid 2 through the filters, by keyboard-operable form.
    page.goto("/p/N01A/actions/")
    page.get_by_label("Text").fill("satellite")
    page.get_by_role("button", name="Apply filters").click()
    assert page.get_by_text("2 actions found.").is_visible()
    assert_accessible(page)


def test_plan_page_on_a_phone_has_no_sideways_scroll(page: Any) -> None:
    from dathub.planning import services
    from dathub.tenancy.models import Partnership, User

    services.plan_from_json(
        actor=User.objects.get(email="coordinator@northshire.example"),
        partnership=Partnership.objects.get(code="N01A"),
        data={
            "schema": "dathub.plan/1",
            "financial_year": "2009/10",
            "title": "Phone plan",
            "grids": [
                {
                    "number": 1,
                    "title": "Access",
                    "rating": "amber/green",
                    "priorities": ["Cut waits"],
                    "spend": [],
                    "objectives": [
                        {
                            "number": 1,
                            "title": "Cut waits",
                            "actions": [
                                {
                                    "text": "A long action " * 12,
                                    "due": None,
                                    "owners": "NDAT Contracts & Performance Officer",
                                    "cost": None,
                                }
                            ],
                            "notes": [],
                        }
                    ],
                }
            ],
        },
    )
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, "board@northshire.example")
    page.goto("/p/N01A/plans/")
    page.get_by_role("link", name="Phone plan").click()
    assert page.get_by_text("Amber/green").is_visible()  # the rating says its word
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375
    assert_accessible(page)
