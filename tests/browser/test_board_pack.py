"""The co-ordinator builds a board pack and downloads it; owners report progress. With axe
on the main pages of delivery tracking and board reporting."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.calendar]


@pytest.fixture
def delivery_demo(demo: Any) -> Any:
    """The full demo plan, its year of progress and its two issued packs."""
    from dathub.planning import demo as planning_demo
    from dathub.reporting import demo as reporting_demo

    planning_demo.load(demo.partnerships)
    reporting_demo.load(demo.partnerships)
    return demo


def test_build_and_download_a_board_pack(page: Any, delivery_demo: Any) -> None:
    from django.utils import timezone

    sign_in(page, "coordinator@northshire.example")
    page.goto("/p/N01A/board-packs/")
    assert (
        page.get_by_role("link", name="Northshire Partnership Board: board pack for").count() == 2
    )
    assert_accessible(page)

    page.get_by_role("link", name="Build a board pack or review").click()
    assert_accessible(page)
    page.get_by_label("Board pack").check()
    page.get_by_label("For which body").select_option(label="Northshire Partnership Board")
    meeting = timezone.localdate() + timedelta(days=10)
    page.get_by_label("Meeting date").fill(meeting.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/board-packs/*/")
    # the build runs in the background: the page shows progress until the pack is ready
    page.get_by_role("link", name="Download PDF").wait_for()
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .startswith("Northshire Partnership Board: board pack for")
    )
    assert page.get_by_role("heading", name="1. Progress against the work plan").is_visible()
    assert page.get_by_role("heading", name="2. Decisions needed").is_visible()
    assert page.get_by_role("table", name="Actions by status").is_visible()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(path, "rb") as f:
        assert f.read(5) == b"%PDF-"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download Word (.docx)").click()
    assert download.value.suggested_filename.endswith(".docx")

    page.get_by_role("link", name="Issue the pack").click()
    page.get_by_role("button", name="Issue the pack").click()
    assert page.get_by_text("Pack issued.").is_visible()
    assert page.get_by_text("This is the copy the board received").is_visible()
    assert page.get_by_role("button", name="Build again with today’s figures").count() == 0
    assert not page.csp_violations  # type: ignore[attr-defined]


def test_owner_reports_progress_from_my_actions_and_the_action_page(
    page: Any, delivery_demo: Any
) -> None:
    sign_in(page, "provider@northshire.example")
    page.goto("/p/N01A/my-actions/")
    assert page.get_by_role("heading", name="My actions").is_visible()
    assert_accessible(page)
    first = page.locator("table tbody tr").first
    first.get_by_role("link").first.click()
    page.wait_for_url("**/actions/*/")
    assert_accessible(page)
    page.get_by_label("On track").check()
    page.get_by_label("Percentage complete").fill("65")
    page.get_by_label("Progress note").fill("Sessions running in both towns.")
    page.get_by_role("button", name="Record progress").click()
    # htmx swaps the progress region in place
    page.get_by_text("Progress recorded: on track, 65% complete.").wait_for()
    assert page.get_by_text("Sessions running in both towns.").is_visible()
    assert_accessible(page)
    assert not page.csp_violations  # type: ignore[attr-defined]
