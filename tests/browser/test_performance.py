"""A provider submits a records file in the browser and reads the report; the analyst reads
the dashboard (charts beside their tables). axe-core on every page, the site's CSP on."""

from __future__ import annotations

from typing import Any

import pytest

from dathub.performance.tests.site_helpers import csv_bytes, records, spoil

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_submit_records_then_read_the_dashboard(page: Any, tmp_path: Any) -> None:
    path = tmp_path / "nrt01.csv"
    path.write_bytes(csv_bytes(spoil(records(people=40, seed=31), [2], "SEX", "X")))
    sign_in(page, "provider@northshire.example")
    page.goto("/p/N01A/performance/submissions/")
    assert_accessible(page)
    page.get_by_role("link", name="Submit records").click()
    assert_accessible(page)
    page.get_by_label("Records file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/performance/submissions/*/")
    assert page.locator("#report-rejected").inner_text() == "1"
    assert page.get_by_role("cell", name="bad_code").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="View the rejected rows with their reasons").click()
    assert page.get_by_text("This view has been recorded in the audit trail").is_visible()
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, "analyst@northshire.example")
    page.goto("/p/N01A/performance/")
    assert page.get_by_text("Not for publication").first.is_visible()
    chart = page.get_by_role("img", name="Line chart of people in treatment")
    chart.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.images].filter(i => i.src.includes('chart.png'))"
        ".slice(0, 2).every(i => i.complete && i.naturalWidth > 0)"
    )
    assert page.get_by_role("table", name="People in treatment by quarter").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Show as published").first.click()
    assert page.get_by_text("Published figures").first.is_visible()
    assert_accessible(page)
    assert not page.csp_violations  # type: ignore[attr-defined]
