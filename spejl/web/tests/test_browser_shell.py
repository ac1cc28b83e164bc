"""Browser journey: a coordinator logs in, sees the dashboard, looks around, switches language.

Every page visited is scanned with axe-core at 320 px width.
"""

from __future__ import annotations

from typing import Any

import pytest

from spejl.conftest import World
from spejl.testing.browser import assert_accessible, log_in
from spejl.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_coordinator_logs_in_sees_dashboard_and_switches_to_english(
    live_server: Any, world: World, page: Any
) -> None:
    base = live_server.url
    log_in(page, base, world.coordinator_a.email, TEST_PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == "Velkommen, Anne Aarhus"
    assert page.locator("html").get_attribute("lang") == "da"
    assert_accessible(page)

    page.get_by_role("link", name="Organisationer").click()
    page.wait_for_url(f"{base}/organisations/")
    assert_accessible(page)
    page.get_by_role("link", name=world.org_a.name).click()
    assert_accessible(page)
    assert page.get_by_text(world.facilitator_a.full_name).is_visible()

    page.get_by_role("link", name="Personer").click()
    assert_accessible(page)

    page.get_by_label("Sprog").select_option("en")
    page.get_by_role("button", name="Skift sprog").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "People and roles"
    assert_accessible(page)
    page.get_by_role("link", name="Dashboard").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Anne Aarhus"
    assert_accessible(page)


def test_national_admin_browses_the_audit_log_and_adds_a_venue(
    live_server: Any, world: World, page: Any
) -> None:
    base = live_server.url
    log_in(page, base, world.national_admin.email, TEST_PASSWORD)
    assert_accessible(page)
    page.goto(f"{base}/organisations/{world.org_b.slug}/venues/new/")
    assert_accessible(page)
    page.get_by_label("Navn").fill("Borgerhuset")
    page.get_by_label("Gadeadresse").fill("Kongensgade 1")
    page.get_by_label("Postnummer").fill("0000")
    page.get_by_role("button", name="Gem").click()
    assert page.get_by_text("Vi kender ikke postnummeret 0000").is_visible()
    assert page.get_by_label("Navn").input_value() == "Borgerhuset"
    assert_accessible(page)
    page.get_by_label("Postnummer").fill("5000")
    page.get_by_role("button", name="Gem").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Borgerhuset"
    assert_accessible(page)

    page.goto(f"{base}/organisations/{world.org_a.slug}/")  # reads staff names → audited
    page.get_by_role("link", name="Adgangslog").click()
    assert_accessible(page)
    assert page.get_by_role("cell", name="organisation staff list").first.is_visible()
