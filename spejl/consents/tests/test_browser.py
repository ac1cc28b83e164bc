"""Browser journeys through the consent pages, each page scanned with axe at 320 px.

Pages are reached by URL and controls by their form's action, so that the tests hold whatever
the wording or its translation.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from spejl.conftest import World
from spejl.consents.models import Consent, ConsentPurpose, ConsentText, ConsentTextStatus
from spejl.consents.selectors import consent_active
from spejl.links.models import LinkPurpose
from spejl.links.services import link_create
from spejl.participants.models import Participant
from spejl.testing.browser import assert_accessible, log_in
from spejl.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

P = ConsentPurpose


def test_participant_gives_and_withdraws_consent_on_their_page(
    live_server: Any, world: World, participant: Participant, page: Any
) -> None:
    base = live_server.url
    token = link_create(purpose=LinkPurpose.PARTICIPANT_PAGE, participant=participant)
    give = reverse("consents:participant_give", kwargs={"token": token, "purpose": P.EVALUATION})
    withdraw = reverse(
        "consents:participant_withdraw", kwargs={"token": token, "purpose": P.EVALUATION}
    )

    page.goto(f"{base}/p/{token}/")
    page.locator("#consent-evaluation summary").click()
    assert_accessible(page)
    page.locator(f"form[action='{give}'] button").click()
    page.wait_for_selector(f"a[href='{withdraw}']")
    assert consent_active(participant=participant, purpose=P.EVALUATION)
    assert_accessible(page)

    page.locator(f"a[href='{withdraw}']").click()
    page.wait_for_url(base + withdraw)
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(f"form[action='{give}']")
    assert not consent_active(participant=participant, purpose=P.EVALUATION)
    assert Consent.objects.filter(participant=participant).count() == 1


def test_link_that_does_not_work_and_public_texts_are_accessible(
    live_server: Any, texts: dict[str, ConsentText], page: Any
) -> None:
    base = live_server.url
    response = page.goto(
        base
        + reverse(
            "consents:participant_withdraw", kwargs={"token": "z" * 43, "purpose": P.EVALUATION}
        )
    )
    assert response.status == 404
    assert_accessible(page)
    for purpose in P.values:
        page.goto(base + reverse("consents:public_text", kwargs={"purpose": purpose}))
        assert_accessible(page)


def test_coordinator_records_paper_consent(
    live_server: Any, world: World, participant: Participant, page: Any
) -> None:
    base = live_server.url
    log_in(page, base, world.coordinator_a.email, TEST_PASSWORD)
    url = base + reverse("consents:record", kwargs={"participant_id": participant.public_id})
    page.goto(url)
    assert_accessible(page)
    page.locator("#id_give-purpose").select_option(P.PARTICIPATION)
    page.locator("#id_give-method_0").check()
    page.locator("#id_give-given_on").fill(timezone.localdate().isoformat())
    page.locator("#record-give ~ form button[type=submit]").click()
    page.wait_for_selector(".message-success")
    assert_accessible(page)
    assert consent_active(participant=participant, purpose=P.PARTICIPATION)

    page.goto(base + reverse("consents:texts"))
    assert_accessible(page)
    text = ConsentText.objects.get(purpose=P.PARTICIPATION, status=ConsentTextStatus.PUBLISHED)
    page.goto(base + reverse("consents:text_detail", kwargs={"text_id": text.public_id}))
    assert_accessible(page)


def test_national_admin_makes_and_publishes_a_new_version(
    live_server: Any, world: World, texts: dict[str, ConsentText], page: Any
) -> None:
    base = live_server.url
    log_in(page, base, world.national_admin.email, TEST_PASSWORD)
    v1 = texts[P.FOLLOW_UP]
    page.goto(base + reverse("consents:text_detail", kwargs={"text_id": v1.public_id}))
    assert_accessible(page)
    page.locator("form.inline-form button[type=submit]").click()
    page.wait_for_selector("#id_body_da")
    draft = ConsentText.objects.get(purpose=P.FOLLOW_UP, version=2)
    assert_accessible(page)
    page.locator("#id_title_en").fill("Being contacted after the course")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(base + reverse("consents:text_detail", kwargs={"text_id": draft.public_id}))
    assert_accessible(page)
    page.goto(base + reverse("consents:text_publish", kwargs={"text_id": draft.public_id}))
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".message-success")
    draft.refresh_from_db()
    v1.refresh_from_db()
    assert draft.status == ConsentTextStatus.PUBLISHED
    assert draft.title_en == "Being contacted after the course"
    assert v1.status == ConsentTextStatus.RETIRED
