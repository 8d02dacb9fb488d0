"""Sign in, move through the main pages with the keyboard, check each with axe-core."""

from __future__ import annotations

import re

import pytest

from .conftest import active, assert_accessible, sign_in, tab_to

pytestmark = pytest.mark.browser


def test_sign_in_through_the_form(page, demo):
    page.goto("/p/N01A/bodies/")
    assert "/sign-in/?next=" in page.url
    assert_accessible(page)
    # A wrong password first: the error summary, then the right one.
    page.get_by_label("E-mail address").fill("coordinator@northshire.example")
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Enter a correct e-mail address and password").first.wait_for()
    assert_accessible(page)
    page.get_by_label("Password").fill(demo.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/p/N01A/bodies/$"))
    assert page.get_by_role("heading", name="Bodies", level=1).is_visible()


def test_keyboard_skip_link(page, demo):
    sign_in(page, "coordinator@northshire.example")
    page.goto("/p/N01A/")
    page.keyboard.press("Tab")
    assert active(page)["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'main-content'")
    assert page.url.endswith("#main-content")


MAIN_PAGES = [
    ("Organisations", "Organisations"),
    ("People", "People"),
    ("Bodies", "Bodies"),
    ("Role names", "Role names"),
    ("Audit trail", "Audit trail"),
]


def test_main_pages_by_keyboard_are_accessible(page, demo):
    sign_in(page, "coordinator@northshire.example")
    assert page.url.endswith("/p/N01A/")
    assert_accessible(page)  # partnership home
    for link, heading in MAIN_PAGES:
        page.goto("/p/N01A/")
        tab_to(page, link)
        page.keyboard.press("Enter")
        page.get_by_role("heading", name=heading, level=1).wait_for()
        assert_accessible(page)
        if link == "People":
            tab_to(page, "Alex Morgan")
            page.keyboard.press("Enter")
            page.get_by_role("heading", name="Alex Morgan", level=1).wait_for()
            assert_accessible(page)
        if link == "Bodies":
            tab_to(page, "Northshire Partnership Board")
            page.keyboard.press("Enter")
            page.get_by_role("heading", name="Northshire Partnership Board", level=1).wait_for()
            assert_accessible(page)
    # The account page from the header.
    tab_to(page, "coordinator@northshire.example")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your account", level=1).wait_for()
    assert_accessible(page)
    assert page.csp_violations == []


def test_other_pages_are_accessible(page, demo):
    sign_in(page, "admin@dathub.example")
    for path, heading in [
        ("/", "Your partnerships"),
        ("/accessibility/", "Accessibility statement for dathub"),
        ("/account/password/", "Change your password"),
        ("/p/N01A/organisations/999999/", "Page not found"),
    ]:
        page.goto(path)
        page.get_by_role("heading", name=heading, level=1).wait_for()
        assert_accessible(page)


def test_error_summary_takes_the_focus_and_is_accessible(page, demo):
    sign_in(page, "coordinator@northshire.example")
    page.goto("/p/N01A/organisations/")
    tab_to(page, "Add organisation")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Add organisation", level=1).wait_for()
    assert_accessible(page)
    tab_to(page, "Save")
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    page.wait_for_function("() => document.activeElement.classList.contains('govuk-error-summary')")
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    # The summary's link takes the keyboard to the field.
    page.keyboard.press("Tab")
    assert active(page)["text"] == "Enter name"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'id_name'")


def test_add_an_organisation_through_the_form(page, demo):
    from dathub.tenancy.models import Organisation

    sign_in(page, "coordinator@northshire.example")
    page.goto("/p/N01A/organisations/new/")
    page.get_by_label("Name").fill("Northshire Housing Trust")
    page.get_by_label("Kind").select_option(label="Voluntary sector provider")
    page.get_by_label("Agency code").fill("NHT09")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Organisation ‘Northshire Housing Trust’ added.").wait_for()
    assert re.search(r"/p/N01A/organisations/\d+/$", page.url)
    assert_accessible(page)
    org = Organisation.objects.get(name="Northshire Housing Trust")
    assert org.partnership.code == "N01A" and org.agency_code == "NHT09"


@pytest.mark.parametrize(
    "path",
    [
        "/p/N01A/organisations/",
        "/p/N01A/people/",
        "/p/N01A/bodies/",
        "/p/N01A/role-names/",
        "/p/N01A/audit/",
    ],
)
def test_phone_width_has_no_horizontal_scroll(page, demo, path):
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, "coordinator@northshire.example")
    page.goto(path)
    page.locator("h1").wait_for()
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{path} scrolls sideways at 375px: {widths}"


def test_pages_keep_to_the_content_security_policy(page, demo):
    sign_in(page, "provider@northshire.example")
    for path in ("/p/N01A/", "/p/N01A/organisations/", "/p/N01A/bodies/", "/account/"):
        page.goto(path)
        page.locator("h1").wait_for()
    # GOV.UK Frontend's script ran (it is a module loaded from the site itself).
    assert page.evaluate("() => document.body.classList.contains('govuk-frontend-supported')")
    assert page.csp_violations == []


def test_the_checks_themselves_catch_problems(page, demo):
    """The controls: axe fails a page with a serious violation; an inline script is refused
    by the CSP and reported."""
    page.goto("/accessibility/")
    page.evaluate(
        "() => { const i = document.createElement('img'); i.src = '/static/favicon.svg';"
        " document.querySelector('main').appendChild(i);"
        " const s = document.createElement('script'); s.textContent = 'window.pwned = 1';"
        " document.body.appendChild(s); }"
    )
    with pytest.raises(pytest.fail.Exception, match="image-alt"):
        assert_accessible(page)
    assert page.evaluate("() => window.pwned") is None
    page.wait_for_function("() => true")
    assert any("inline script" in v for v in page.csp_violations), page.csp_violations


def test_wide_tables_can_be_scrolled_by_keyboard_at_phone_width(page, demo):
    # A table wider than the screen sits in a box that scrolls; keyboard users must be
    # able to reach that box (axe: scrollable-region-focusable).
    from dathub.core.audit import record

    record(
        actor=demo.coordinator,
        partnership=demo.northshire,
        action="changed",
        obj=demo.northshire,
        changes={"name": ["Northshire Drug and Alcohol Action Team", "Northshire DAAT"]},
    )
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, "coordinator@northshire.example")
    page.goto("/p/N01A/audit/")
    wrap = page.locator(".dathub-table-wrap")
    wrap.wait_for()
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth"), "table fits: proves nothing"
    assert_accessible(page)
