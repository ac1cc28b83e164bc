"""Browser journey: a person on a 320 px phone finds a group near them, asks to join, makes a
mistake, corrects it, and gets a calm thank-you page. Every page visited passes axe."""

from __future__ import annotations

import re
from typing import Any

import pytest

from spejl.conftest import World
from spejl.enquiries.models import Enquiry
from spejl.enquiries.tests.fixtures import recruiting_group
from spejl.testing.browser import assert_accessible

pytestmark = pytest.mark.browser


def test_a_person_finds_a_group_asks_to_join_and_is_told_what_happens_next(
    live_server: Any, world: World, page: Any
) -> None:
    aarhus = recruiting_group(world, title="Torsdagsgruppen", starts_in_days=10)
    recruiting_group(world, title="Odense-gruppen", organisation=world.org_b)
    base = live_server.url
    # The new texts have no Danish translation yet: the person chose English in the footer.
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])

    page.goto(f"{base}/find/")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Find a self-help group against loneliness"
    )
    assert_accessible(page)
    page.get_by_label("Your postcode").fill("5000")
    page.get_by_role("button", name="Show groups").click()
    page.wait_for_url(f"{base}/find/?**")
    cards = page.locator(".finder-results > li h3")
    assert cards.all_inner_texts() == ["Odense-gruppen", "Torsdagsgruppen"]
    assert page.locator(".distance").first.inner_text() == "0 km away"
    assert_accessible(page)

    page.get_by_role("link", name=re.compile(r"^Ask to join this group\W+Torsdagsgruppen")).click()
    page.wait_for_url(f"{base}/find/ask/?group={aarhus.public_id}")
    assert page.get_by_role("heading", name="You are asking about").is_visible()
    assert_accessible(page)

    page.get_by_label("Your first name").fill("Birthe")
    page.get_by_label("Your postcode").fill("8000")
    page.get_by_label("Year of birth").fill("19")  # a slip of the finger
    page.get_by_label("E-mail:", exact=True).fill("birthe@example.org")
    page.get_by_label("An e-mail").check()
    page.get_by_role("group", name="Wednesday").get_by_label("Evening").check()
    page.get_by_role("button", name="Send my enquiry").click()
    page.wait_for_load_state()
    assert page.get_by_text("Please check the year you were born").is_visible()
    assert page.get_by_label("Your first name").input_value() == "Birthe"
    assert page.get_by_role("group", name="Wednesday").get_by_label("Evening").is_checked()
    assert_accessible(page)
    assert not Enquiry.objects.exists()

    page.get_by_label("Year of birth").fill("1961")
    page.get_by_role("button", name="Send my enquiry").click()
    page.wait_for_url(f"{base}/find/thanks/")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Thank you – we have received your enquiry"
    )
    assert page.get_by_text("A coordinator from Selvhjælp Aarhus will contact you").is_visible()
    assert "Birthe" not in page.content()
    assert_accessible(page)

    page.reload()  # a reload of the thank-you page sends nothing again
    enquiry = Enquiry.objects.get()
    assert (enquiry.organisation, enquiry.group, enquiry.language) == (world.org_a, aarhus, "en")
    assert enquiry.preferred_times == ["wed-evening"]
