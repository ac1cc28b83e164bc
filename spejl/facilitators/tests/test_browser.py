"""Browser journeys through the facilitator pages, each page scanned with axe-core at 320 px.

The pages are read in English (the source language): Danish translations are added later.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from spejl.conftest import World
from spejl.facilitators.models import SupervisionSession, TrainingRecord
from spejl.facilitators.tests.fixtures import add_training, make_facilitator
from spejl.testing.browser import assert_accessible, log_in
from spejl.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def _in_english(page: Any, base: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])


def test_coordinator_records_training_and_supervision(
    live_server: Any, world: World, page: Any
) -> None:
    base = live_server.url
    today = timezone.localdate()
    expired = make_facilitator(world.org_a, "Birthe Udløbet")
    add_training(expired, completed_on=today - timedelta(days=900), valid_until=today)
    log_in(page, base, world.coordinator_a.email, TEST_PASSWORD)
    _in_english(page, base)

    page.goto(f"{base}/organisations/{world.org_a.slug}/facilitators/")
    assert page.get_by_role("heading", level=1).inner_text() == "Facilitators"
    assert_accessible(page)
    page.get_by_label("Only facilitators whose training needs attention", exact=False).check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**attention=1")
    assert_accessible(page)

    page.get_by_role("link", name=world.facilitator_a.full_name).click()
    assert page.get_by_role("heading", level=1).inner_text() == world.facilitator_a.full_name
    assert_accessible(page)

    page.get_by_role("link", name="Add training").click()
    assert_accessible(page)
    page.get_by_label("Course").fill("Facilitatoruddannelse")
    page.get_by_label("Provider").fill("FriSe")
    page.get_by_label("Completed on").fill(today.isoformat())
    page.get_by_label("Valid until").fill((today - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("cannot be before the date the course was completed").is_visible()
    assert page.get_by_label("Course").input_value() == "Facilitatoruddannelse"
    assert_accessible(page)
    page.get_by_label("Valid until").fill("")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/facilitators/{world.facilitator_a.public_id}/")
    assert TrainingRecord.objects.filter(facilitator__user=world.facilitator_a).exists()
    assert_accessible(page)

    page.get_by_role("link", name="Record supervision").click()
    assert page.get_by_text("Do not write health details or participants' names.").is_visible()
    assert_accessible(page)
    page.get_by_label("Date").fill(today.isoformat())
    page.get_by_label("Supervisor").fill("Lone Supervisor")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/facilitators/{world.facilitator_a.public_id}/")
    assert SupervisionSession.objects.filter(organisation=world.org_a).count() == 1
    assert page.get_by_text("Lone Supervisor", exact=True).is_visible()
    assert_accessible(page)


def test_facilitator_opens_their_own_page(live_server: Any, world: World, page: Any) -> None:
    base = live_server.url
    add_training(world.facilitator_a, completed_on=timezone.localdate(), valid_until=None)
    log_in(page, base, world.facilitator_a.email, TEST_PASSWORD)
    _in_english(page, base)
    page.goto(f"{base}/facilitators/me/")
    page.wait_for_url(f"**/facilitators/{world.facilitator_a.public_id}/")
    assert page.get_by_role("heading", level=1).inner_text() == world.facilitator_a.full_name
    assert page.get_by_role("link", name="Add training").count() == 0
    assert_accessible(page)
