"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live_server.

One browser for the whole session; a fresh context (cookies, storage) for every test. The
site's own CSP stays on: axe-core is served to the page from the site's origin by a Playwright
route, so nothing needs `bypass_csp` and a CSP violation by the site itself is caught.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).with_name("axe.min.js")
AXE_PATH = "/__tests__/axe.min.js"  # answered by the route below, never by the site


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; Django refuses ORM calls
    # when it sees one unless told that this is deliberate (the tests call the ORM between
    # browser steps, never concurrently with it).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any, demo: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    script = AXE.read_text()
    context.route(
        f"**{AXE_PATH}",
        lambda route: route.fulfill(status=200, content_type="text/javascript", body=script),
    )
    page = context.new_page()
    page.csp_violations = []  # type: ignore[attr-defined]
    page.on(
        "console",
        lambda msg: page.csp_violations.append(msg.text)  # type: ignore[attr-defined]
        if "Content Security Policy" in msg.text
        else None,
    )
    yield page
    context.close()


def sign_in(page: Any, email: str, password: str = "demo-password-1") -> None:
    page.goto("/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in/" not in url)


def assert_accessible(page: Any) -> None:
    """Run axe-core on the page; fail on any serious or critical violation, listing them."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_PATH)
        page.wait_for_function("() => typeof window.axe !== 'undefined'")
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    if bad:
        report = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in bad
        ]
        print(json.dumps(report, indent=2))
        pytest.fail(
            f"axe found {len(bad)} serious or critical violation(s) on {page.url}: "
            + json.dumps(report)
        )


def active(page: Any) -> dict[str, str]:
    """What has the keyboard focus."""
    return page.evaluate(
        "() => { const e = document.activeElement; return {tag: e.tagName, id: e.id || '', "
        "text: (e.innerText || e.value || '').trim(), cls: e.className || ''}; }"
    )


def tab_to(page: Any, text: str, limit: int = 60) -> None:
    """Press Tab until the focused element's text is `text`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if active(page)["text"] == text:
            return
    pytest.fail(f"Tab never reached {text!r} on {page.url}")
