"""The participant's questionnaire journey in a real browser at 320 px, every page scanned
with axe: the invitation read from the e-mail outbox, half answered, the browser closed, the
link opened again, finished, sent once — and no reminder afterwards.

Controls are found by their names and values, so the test holds whatever the wording.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from spejl.conftest import World
from spejl.questionnaires.models import Answer, Invitation, Response, Score
from spejl.questionnaires.scheduling import questionnaires_due
from spejl.testing.browser import assert_accessible
from spejl.testing.questionnaires import consenting_group, invite, tokens_sent_to

pytestmark = pytest.mark.browser


def choose(page: Any, answers: dict[str, str]) -> None:
    """Tap the answers (the label is the touch target) and wait until each is saved."""
    for code, value in answers.items():
        with page.expect_response(lambda r: r.request.method == "POST"):
            page.locator(f"label:has(input[name='{code}'][value='{value}'])").click()
    page.wait_for_selector(".q-saved:not(:empty)")


def next_page(page: Any) -> None:
    page.locator("button[name=action][value=next]").click()
    page.wait_for_load_state("load")


def test_participant_answers_on_a_phone_resumes_and_sends_once(
    live_server: Any, world: World, chromium: Any, page: Any
) -> None:
    base = live_server.url
    [invitation] = invite(consenting_group(world, participants=1))
    [token] = tokens_sent_to(invitation.participant.contact.email)
    link = base + reverse("questionnaires:answer", kwargs={"token": token})

    page.goto(link)
    assert_accessible(page)
    page.locator("a.q-start").click()
    page.wait_for_url(f"**/q/{token}/1/")
    assert_accessible(page)
    choose(page, {"bg_age_band": "6", "bg_gender": "1", "bg_living": "1"})
    next_page(page)
    choose(page, {"bg_occupation": "5", "bg_lonely_duration": "declined"})
    next_page(page)
    # Page 3 (T-ILS): one answer given, then the phone is put away mid-page.
    choose(page, {"tils_1": "3"})
    page.context.close()

    phone = chromium.new_context(viewport={"width": 320, "height": 640}, locale="da-DK")
    again = phone.new_page()
    again.goto(link)
    again.wait_for_url(f"**/q/{token}/3/")
    assert again.locator("input[name=tils_1][value='3']").is_checked()
    assert_accessible(again)
    choose(again, {"tils_2": "2", "tils_3": "3"})
    next_page(again)

    # Page 4 by keyboard only: Tab into each question, Space picks the first answer.
    again.wait_for_url(f"**/q/{token}/4/")
    assert_accessible(again)
    for code in ("who5_1", "who5_2", "who5_3"):
        for _ in range(40):
            again.keyboard.press("Tab")
            if again.evaluate("document.activeElement.name") == code:
                break
        again.keyboard.press("Space")
    for _ in range(10):
        again.keyboard.press("Tab")
        if again.evaluate("document.activeElement.value") == "next":
            break
    again.keyboard.press("Enter")
    again.wait_for_url(f"**/q/{token}/5/")
    assert_accessible(again)
    choose(again, {"who5_4": "1", "who5_5": "2"})
    next_page(again)
    choose(again, {"direct_lonely": "4", "direct_alone_unwanted": "3"})
    next_page(again)

    again.wait_for_url(f"**/q/{token}/send/")
    assert_accessible(again)
    again.locator("main form button[type=submit]").click()
    again.wait_for_url(base + reverse("questionnaires:thanks"))
    assert_accessible(again)

    invitation.refresh_from_db()
    assert invitation.status == "completed"
    tils = Response.objects.get(invitation=invitation, instrument_code="tils")
    assert tils.scores.get(is_current=True).score == 8  # 3 + 2 + 3
    who5 = Response.objects.get(invitation=invitation, instrument_code="who5")
    # Keyboard picked the first option (5) three times; then 1 and 2: raw 18, × 4 = 72.
    assert who5.scores.get(is_current=True).score == 72
    assert Answer.objects.get(
        response__invitation=invitation, item_code="bg_lonely_duration"
    ).declined

    # A second send (back to the page, press again) stores nothing more.
    before = (Answer.objects.count(), Score.objects.count(), Response.objects.count())
    again.go_back()
    again.wait_for_load_state("load")
    if again.locator("main form button[type=submit]").count():
        again.locator("main form button[type=submit]").click()
        again.wait_for_load_state("load")
    assert_accessible(again)
    assert (Answer.objects.count(), Score.objects.count(), Response.objects.count()) == before
    again.goto(link)
    assert_accessible(again)
    assert again.locator("a.q-start").count() == 0

    # And no reminder afterwards.
    assert invitation.sent_at is not None
    assert questionnaires_due(now=invitation.sent_at + timedelta(days=3))["reminded"] == 0
    assert Invitation.objects.get(pk=invitation.pk).reminders_sent == 0
    phone.close()
