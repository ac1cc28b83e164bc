"""The whole way in, as real people walk it, on a 320 px phone with axe on every page:

a visitor finds a group and sends an enquiry → the coordinator schedules and records the intake
and consent → offers a place → the participant accepts through the link in the e-mail → the
facilitator sees them on the group's roster.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from spejl.conftest import World
from spejl.enrolments.models import Enrolment
from spejl.notifications.services import send_due
from spejl.participants.models import Participant
from spejl.testing.browser import assert_accessible, log_in
from spejl.testing.factories import TEST_PASSWORD
from spejl.testing.groups import make_group

pytestmark = pytest.mark.browser


def _english(page: Any, base: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])


def _staff_page(chromium: Any, base: str, email: str) -> Any:
    context = chromium.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, base, email, TEST_PASSWORD)
    _english(page, base)
    return page


def _recruiting_group(world: World) -> Any:
    group = make_group(
        world, title="Torsdagsgruppen", status="recruiting", participants=2, meetings_before_today=0
    )
    for meeting in group.meetings.all():  # all meetings lie ahead
        meeting.starts_at += timedelta(days=7)
        meeting.ends_at += timedelta(days=7)
        meeting.save()
    return group


def test_from_group_finder_to_the_facilitators_roster(
    live_server: Any, world: World, page: Any, chromium: Any
) -> None:
    base = live_server.url
    group = _recruiting_group(world)

    # 1. A visitor finds the group and asks to join.
    _english(page, base)
    page.goto(f"{base}/find/")
    assert_accessible(page)
    page.get_by_label("Your postcode").fill("8000")
    page.get_by_role("button", name="Show groups").click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Ask to join this group\W+Torsdagsgruppen")).click()
    assert_accessible(page)
    page.get_by_label("Your first name").fill("Birthe")
    page.get_by_label("Your postcode").fill("8000")
    page.get_by_label("Year of birth").fill("1961")
    page.get_by_label("E-mail:", exact=True).fill("birthe@example.org")
    page.get_by_label("An e-mail").check()
    page.get_by_role("group", name="Thursday").get_by_label("Evening").check()
    page.get_by_role("button", name="Send my enquiry").click()
    page.get_by_text("A coordinator from Selvhjælp Aarhus will contact you").wait_for()
    assert_accessible(page)

    # 2. The coordinator schedules and records the intake conversation.
    coordinator = _staff_page(chromium, base, world.coordinator_a.email)
    coordinator.goto(f"{base}/intakes/?show=to_schedule")
    assert_accessible(coordinator)
    coordinator.get_by_role("link", name="Schedule a conversation with Birthe").click()
    tomorrow = timezone.localdate() + timedelta(days=1)
    coordinator.get_by_label("Date").fill(tomorrow.isoformat())
    coordinator.get_by_label("Time").fill("10:00")
    coordinator.get_by_label("By phone").check()
    coordinator.get_by_role("button", name="Schedule the conversation").click()
    coordinator.get_by_role("heading", name="Intake conversation with Birthe").wait_for()
    assert_accessible(coordinator)
    coordinator.get_by_role("link", name="Record the conversation").click()
    assert_accessible(coordinator)
    coordinator.get_by_label("Held", exact=True).check()
    coordinator.get_by_label("Date").fill((timezone.localdate()).isoformat())
    coordinator.locator("#id_time").fill("00:05")
    coordinator.get_by_label("Adults 18+").check()
    for question in (
        "How often do you feel that you lack companionship?",
        "How often do you feel left out?",
        "How often do you feel isolated from others?",
    ):
        coordinator.get_by_role("group", name=question).get_by_label("2 – Some of the time").check()
    coordinator.get_by_label("Suitable: offer a group").check()
    coordinator.get_by_role("button", name="Save").click()
    coordinator.get_by_role("heading", name="Intake conversation with Birthe").wait_for()
    assert_accessible(coordinator)
    (participant,) = [
        p
        for p in Participant.objects.select_related("contact")
        if getattr(p, "contact", None) and p.contact.first_name == "Birthe"
    ]
    assert Enrolment.objects.get(participant=participant).state == "waitlisted"

    # ... and the consents given on paper at the conversation.
    coordinator.goto(f"{base}/participants/{participant.public_id}/consents/")
    assert_accessible(coordinator)
    for purpose in ("participation", "evaluation"):
        coordinator.locator("#id_give-purpose").select_option(purpose)
        coordinator.locator("#id_give-method_0").check()
        coordinator.locator("#id_give-given_on").fill(timezone.localdate().isoformat())
        coordinator.locator("#record-give ~ form button[type=submit]").click()
        coordinator.wait_for_load_state()
    assert set(participant.consents.values_list("purpose", flat=True)) == {
        "participation",
        "evaluation",
    }

    # 3. The coordinator offers a place in the group.
    coordinator.goto(f"{base}/participants/{participant.public_id}/")
    assert_accessible(coordinator)
    coordinator.get_by_role("link", name="Offer a place").click()
    assert_accessible(coordinator)
    coordinator.get_by_label("Group").select_option(label="Torsdagsgruppen")
    coordinator.get_by_role("button", name="Send the offer").click()
    coordinator.get_by_text("The offer was sent.").wait_for()
    assert Enrolment.objects.get(participant=participant).state == "offered"

    # 4. The participant answers through the link in the e-mail.
    send_due()
    offer_mail = next(
        m for m in mail.outbox if m.to == ["birthe@example.org"] and "/offer/" in m.body
    )
    link = re.search(r"https?://\S+/offer/\S+/", offer_mail.body)
    assert link is not None
    path = re.sub(r"^https?://[^/]+", "", link.group(0))
    participant_page = chromium.new_context(viewport={"width": 320, "height": 640}).new_page()
    _english(participant_page, base)
    participant_page.goto(base + path)
    assert_accessible(participant_page)
    participant_page.get_by_role("button", name="Yes, I would like the place").click()
    participant_page.get_by_role("heading", name="Welcome to the group").wait_for()
    assert_accessible(participant_page)
    assert Enrolment.objects.get(participant=participant).state == "enrolled"

    # 5. The facilitator sees Birthe on the group's roster.
    facilitator = _staff_page(chromium, base, world.facilitator_a.email)
    facilitator.goto(f"{base}/groups/{group.public_id}/")
    facilitator.get_by_text("Birthe").first.wait_for()
    assert_accessible(facilitator)
