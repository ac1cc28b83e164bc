"""Playwright fixtures: Debian's Chromium, an axe-core scan and a 320 px check for each page.

Browsers cannot be downloaded on this project's machines, so Playwright drives
``/usr/bin/chromium`` (``apt-get install chromium``) with the flags that keep it off the
network. Import the fixtures from a test module's ``conftest`` or directly.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("SPEJL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself (fixtures, assertions) are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) at phone width: 320 × 640 CSS pixels."""
    context = chromium.new_context(viewport={"width": 320, "height": 640}, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def assert_accessible(page: Any) -> None:
    """No axe-core violations (WCAG 2.1 A/AA and best practice) and no horizontal scrolling."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Error as PlaywrightError

    # A click just before may have started a navigation: scan the page that arrives, not the
    # one leaving (axe fails on a document being torn down).
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
            break
        except PlaywrightError:
            if attempt == 2:
                raise
            page.wait_for_timeout(250)
    violations = results.response["violations"]
    assert not violations, f"axe on {page.url}:\n" + results.generate_report()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 320px width"


def log_in(page: Any, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    assert_accessible(page)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind", exact=True).click()
    page.wait_for_url(f"{base_url}/")
