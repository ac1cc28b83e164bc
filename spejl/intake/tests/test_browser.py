"""Browser journey: a coordinator schedules and records an intake conversation on a 320 px
phone, in English (the new texts have no Danish translation yet). Every page passes axe."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from spejl.conftest import World
from spejl.enquiries.models import EnquiryStatus
from spejl.enrolments.models import Enrolment
from spejl.intake.models import Intake
from spejl.intake.tests.fixtures import make_enquiry
from spejl.testing.browser import assert_accessible, log_in
from spejl.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_coordinator_schedules_and_records_an_intake_on_a_phone(
    live_server: Any, world: World, page: Any, national_destinations: Any
) -> None:
    enquiry = make_enquiry(world.org_a, first_name="Åse", birth_year=1957)
    base = live_server.url
    log_in(page, base, world.coordinator_a.email, TEST_PASSWORD)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])

    page.goto(f"{base}/intakes/?show=to_schedule")
    page.get_by_role("heading", name="Intake conversations").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Schedule a conversation with Åse").click()
    page.get_by_role("heading", name="Schedule an intake conversation").wait_for()
    assert_accessible(page)

    tomorrow = timezone.localdate() + timedelta(days=1)
    page.get_by_label("Date").fill(tomorrow.isoformat())
    page.get_by_label("Time").fill("10:00")
    page.get_by_label("In person").check()
    page.get_by_role("button", name="Schedule the conversation").click()
    # In person without a place: the message is shown next to the field, input kept.
    page.get_by_text("Write where you meet.").wait_for()
    assert_accessible(page)
    assert page.get_by_label("Time").input_value() == "10:00"
    page.get_by_label("Place").fill("Frivilligcentret, Mejlgade 37")
    page.get_by_role("button", name="Schedule the conversation").click()

    page.get_by_role("heading", name="Intake conversation with Åse").wait_for()
    assert_accessible(page)
    intake = Intake.objects.get(enquiry=enquiry)
    assert timezone.localtime(intake.scheduled_at).hour == 10

    page.get_by_role("link", name="Record the conversation").click()
    page.get_by_role("heading", name="Record the intake conversation").wait_for()
    assert_accessible(page)
    yesterday = timezone.localdate() - timedelta(days=1)
    page.get_by_label("Held", exact=True).check()
    page.get_by_label("Date").fill(yesterday.isoformat())
    page.get_by_label("Gender (optional)").select_option("woman")
    page.get_by_label("Adults 18+").check()
    for question in (
        "How often do you feel that you lack companionship?",
        "How often do you feel left out?",
        "How often do you feel isolated from others?",
    ):
        page.get_by_role("group", name=question).get_by_label("3 – Often").check()
    # Referred, but no destination chosen: a clear message, nothing saved.
    page.get_by_label("Referred elsewhere").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Choose where the person was referred to.").wait_for()
    assert_accessible(page)
    assert Intake.objects.get(pk=intake.pk).status == "scheduled"

    page.get_by_label("Suitable: offer a group").check()
    page.get_by_role("group", name="Monday").get_by_label("Evening").check()
    page.get_by_role("group", name="Thursday").get_by_label("Afternoon").check()
    page.get_by_label("Furthest they can travel (km)").fill("15")
    page.get_by_label("Wishes about the group").fill("people my age")
    page.get_by_label("Needs step-free access").check()
    page.get_by_role("button", name="Save").click()

    page.get_by_role("heading", name="Intake conversation with Åse").wait_for()
    page.get_by_role("heading", name="Signs of severe loneliness").wait_for()
    assert_accessible(page)

    intake.refresh_from_db()
    enquiry.refresh_from_db()
    assert (intake.status, intake.decision, intake.tils_score) == ("held", "suitable", 9)
    assert intake.preferred_times == ["mon-evening", "thu-afternoon"]
    assert intake.participant is not None
    assert enquiry.status == EnquiryStatus.CONVERTED
    assert Enrolment.objects.get(participant=intake.participant).state == "waitlisted"

    page.goto(f"{base}/referral-destinations/")
    page.get_by_role("heading", name="Referral destinations").wait_for()
    assert_accessible(page)
