"""Browser journey: a facilitator marks attendance on a 320 px phone, reloads half-way, and
finds every mark kept. Every page visited passes axe."""

from __future__ import annotations

from typing import Any

import pytest

from spejl.conftest import World
from spejl.groups.models import Attendance
from spejl.testing.browser import assert_accessible, log_in
from spejl.testing.factories import TEST_PASSWORD
from spejl.testing.groups import group_a, todays_meeting

pytestmark = pytest.mark.browser


def test_facilitator_marks_attendance_on_a_phone_and_survives_a_reload(
    live_server: Any, world: World, page: Any
) -> None:
    group = group_a(world)
    meeting = todays_meeting(group)
    base = live_server.url
    log_in(page, base, world.facilitator_a.email, TEST_PASSWORD)
    assert_accessible(page)

    page.get_by_role("link", name="I dag").click()
    assert_accessible(page)
    page.get_by_role("link", name="Registrér fremmøde").click()
    page.wait_for_url(f"{base}/meetings/{meeting.public_id}/")
    assert_accessible(page)

    rows = page.locator(".attendance-row")
    assert rows.count() == 3
    first, second = rows.nth(0), rows.nth(1)
    first.get_by_role("button", name="Til stede").click()
    page.locator(".attendance-row.is-present").first.wait_for()
    second.get_by_label("Årsag ved fravær (valgfri)").select_option("ill")
    second.get_by_role("button", name="Fraværende").click()
    page.locator(".attendance-row.is-absent").first.wait_for()
    assert_accessible(page)

    page.reload()  # the connection dropped, or the phone went to sleep
    assert page.locator(".attendance-row.is-present").count() == 1
    assert page.locator(".attendance-row.is-absent").count() == 1
    page.locator(".attendance-row").nth(2).get_by_role("button", name="Til stede").click()
    page.locator(".attendance-row.is-present").nth(1).wait_for()
    # Tapping the same mark again changes nothing.
    page.locator(".attendance-row").nth(0).get_by_role("button", name="Til stede").click()
    page.wait_for_timeout(300)
    assert_accessible(page)

    marks = {
        a.enrolment.participant.contact.first_name: (a.status, a.absence_reason)
        for a in Attendance.objects.filter(meeting=meeting).select_related(
            "enrolment__participant__contact"
        )
    }
    assert marks == {"Bjørn": ("present", ""), "Cæcilie": ("absent", "ill"), "Åse": ("present", "")}

    page.get_by_role("link", name="Skriv loggen").click()
    assert_accessible(page)


def test_coordinator_creates_plans_and_opens_a_group(
    live_server: Any, world: World, page: Any
) -> None:
    base = live_server.url
    log_in(page, base, world.coordinator_a.email, TEST_PASSWORD)
    page.get_by_role("link", name="Grupper").click()
    assert_accessible(page)
    page.get_by_role("link", name="Ny gruppe").click()
    assert_accessible(page)
    page.get_by_label("Titel").fill("Mandagsgruppen")
    page.get_by_label("Mødested").select_option(label=f"{world.venue_a.name} ({world.org_a.name})")
    page.get_by_label("Målgruppe").select_option("adults")
    page.get_by_label("Ugedag").select_option("0")
    page.get_by_label("Starttidspunkt").fill("17:00")
    page.get_by_label("Første møde på eller efter").fill("2030-09-02")
    page.get_by_role("button", name="Gem").click()
    page.get_by_role("heading", name="Mandagsgruppen").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Planlæg møderne").first.click()
    assert_accessible(page)
    page.get_by_role("button", name="Planlæg disse møder").click()
    page.get_by_role("heading", name="Mandagsgruppen").wait_for()
    assert page.locator(".meeting-list li").count() == 10
    assert_accessible(page)
