"""Browser journeys through the course plan pages, each page scanned with axe at 320 px.

Pages are reached by URL and form fields by id, so that the test holds whatever the wording
or its translation.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from spejl.conftest import World
from spejl.courseplans.models import CoursePlan, CoursePlanStatus
from spejl.testing.browser import assert_accessible, log_in
from spejl.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def _path(name: str, plan: CoursePlan, **kwargs: Any) -> str:
    return reverse(f"courseplans:{name}", kwargs={"plan_id": plan.public_id, **kwargs})


def test_national_admin_makes_edits_and_publishes_a_new_version(
    live_server: Any, world: World, national_plan: CoursePlan, page: Any
) -> None:
    base = live_server.url
    log_in(page, base, world.national_admin.email, TEST_PASSWORD)
    page.goto(base + reverse("courseplans:list"))
    assert_accessible(page)
    page.goto(base + _path("detail", national_plan))
    assert page.locator("#meeting-6").is_visible()
    assert_accessible(page)

    page.goto(base + _path("new_version", national_plan))
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#meetings")
    draft = CoursePlan.objects.get(code="national-default", version=2)
    assert page.url.startswith(base + _path("detail", draft))
    assert_accessible(page)

    page.goto(base + _path("meeting_edit", draft, number=3))
    assert_accessible(page)
    page.locator("#id_theme_en").fill("   ")  # passes the browser, not the server
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".errorlist")
    assert_accessible(page)
    page.locator("#id_theme_en").fill("When loneliness came")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#meetings")

    page.goto(base + _path("edit", draft))
    assert_accessible(page)
    page.goto(base + _path("meeting_add", draft))
    assert_accessible(page)
    page.goto(base + _path("meeting_remove", draft, number=10))
    assert_accessible(page)

    page.goto(base + _path("publish", draft))
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#meetings")
    draft.refresh_from_db()
    assert draft.status == CoursePlanStatus.PUBLISHED
    assert draft.meetings.get(number=3).theme_en == "When loneliness came"
    national_plan.refresh_from_db()
    assert national_plan.status == CoursePlanStatus.RETIRED
    page.goto(base + _path("detail", national_plan))
    assert_accessible(page)


def test_coordinator_adapts_the_national_plan(
    live_server: Any, world: World, national_plan: CoursePlan, page: Any
) -> None:
    base = live_server.url
    log_in(page, base, world.coordinator_a.email, TEST_PASSWORD)
    page.goto(base + _path("adapt", national_plan))
    assert_accessible(page)
    page.locator("#id_organisation").select_option(str(world.org_a.pk))
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#meetings")
    copy = CoursePlan.objects.get(code="aarhus-national-default")
    assert copy.organisation == world.org_a and copy.status == CoursePlanStatus.DRAFT
    assert_accessible(page)
