"""Answering a wave through the secure link: pages, saving as you go, resuming, sending
once, and links that no longer work."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from spejl.audit.models import AuditEvent
from spejl.core.instruments import load_instrument
from spejl.core.scoring import score
from spejl.questionnaires.loader import INSTRUMENTS_DIR
from spejl.questionnaires.models import (
    Answer,
    Invitation,
    InvitationStatus,
    Response,
    ResponseMode,
    ResponseStatus,
)
from spejl.testing.questionnaires import consenting_group, invite, tokens_sent_to

pytestmark = pytest.mark.django_db

#: T0 pages: background (5 items → 3 + 2), T-ILS (3), WHO-5 (3 + 2), direct items (2).
T0_PAGES = 6


@pytest.fixture
def invited(world: Any) -> tuple[Invitation, str]:
    group = consenting_group(world, participants=1)
    [invitation] = invite(group)
    email = invitation.participant.contact.email
    [token] = tokens_sent_to(email)
    return invitation, token


def page_url(token: str, number: int) -> str:
    return reverse("questionnaires:page", kwargs={"token": token, "page": number})


def test_the_invitation_is_sent_once_with_a_link_to_the_baseline(
    world: Any, invited: tuple[Invitation, str]
) -> None:
    invitation, token = invited
    assert invitation.wave == "T0"
    assert invitation.status == InvitationStatus.OPEN
    assert len(token) >= 40  # 256 bits, URL-safe
    again = invite(invitation.group)
    assert again == [invitation]
    assert tokens_sent_to(invitation.participant.contact.email) == [token]


def test_the_first_visit_welcomes_and_later_visits_resume(
    invited: tuple[Invitation, str],
) -> None:
    _invitation, token = invited
    client = Client()
    response = client.get(reverse("questionnaires:answer", kwargs={"token": token}))
    assert response.status_code == 200
    assert "Start" in response.content.decode()
    page1 = client.get(page_url(token, 1))
    assert page1.status_code == 200
    assert f"Side 1 af {T0_PAGES}" in page1.content.decode()
    client.post(page_url(token, 1), {"bg_age_band": "5", "bg_gender": "1", "bg_living": "1"})
    resumed = Client().get(reverse("questionnaires:answer", kwargs={"token": token}))
    assert resumed.status_code == 302
    assert resumed["Location"] == page_url(token, 2)


def test_moving_on_with_an_unanswered_question_asks_for_it_and_keeps_the_rest(
    invited: tuple[Invitation, str],
) -> None:
    _invitation, token = invited
    response = Client().post(page_url(token, 1), {"bg_age_band": "5", "bg_gender": "1"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Vælg venligst et svar" in body
    assert 'value="5" checked' in body
    assert not Answer.objects.exists()


def test_a_tampered_answer_is_refused_and_nothing_is_saved(
    invited: tuple[Invitation, str],
) -> None:
    _invitation, token = invited
    response = Client().post(
        page_url(token, 1), {"bg_age_band": "99", "bg_gender": "1", "bg_living": "1"}
    )
    assert response.status_code == 400
    assert not Answer.objects.exists()


def test_autosave_stores_a_single_click(invited: tuple[Invitation, str]) -> None:
    invitation, token = invited
    response = Client().post(page_url(token, 3), {"tils_1": "3", "autosave": "1"})
    assert response.status_code == 200
    assert response.json() == {"saved": True}
    answer = Answer.objects.get()
    assert (answer.item_code, answer.value, answer.response.mode) == ("tils_1", 3, "web")
    invitation.refresh_from_db()
    assert invitation.started_at is not None


def answer_everything(client: Client, token: str) -> None:
    pages = [
        {"bg_age_band": "6", "bg_gender": "1", "bg_living": "1"},
        {"bg_occupation": "5", "bg_lonely_duration": "declined"},
        {"tils_1": "3", "tils_2": "2", "tils_3": "3"},
        {"who5_1": "2", "who5_2": "1", "who5_3": "2"},
        {"who5_4": "1", "who5_5": "2"},
        {"direct_lonely": "4", "direct_alone_unwanted": "3"},
    ]
    for number, data in enumerate(pages, start=1):
        response = client.post(page_url(token, number), data)
        assert response.status_code == 302, (number, response.content.decode()[:500])


def test_sending_scores_each_instrument_and_a_second_send_changes_nothing(
    invited: tuple[Invitation, str],
) -> None:
    invitation, token = invited
    client = Client()
    answer_everything(client, token)
    review = reverse("questionnaires:review", kwargs={"token": token})
    assert client.get(review).status_code == 200
    sent = client.post(review)
    assert sent["Location"] == reverse("questionnaires:thanks")
    invitation.refresh_from_db()
    assert (invitation.status, invitation.completed_mode) == ("completed", ResponseMode.WEB)
    tils = Response.objects.get(invitation=invitation, instrument_code="tils")
    assert tils.status == ResponseStatus.SUBMITTED
    expected = score(
        load_instrument(INSTRUMENTS_DIR / "tils.v1.json"), {"tils_1": 3, "tils_2": 2, "tils_3": 3}
    )
    current = tils.scores.get(is_current=True)
    assert (current.score, current.band) == (expected.score, "severe")
    who5 = Response.objects.get(invitation=invitation, instrument_code="who5").scores.get()
    assert (who5.raw, who5.score, who5.band) == (8, 32.0, "poor_wellbeing")
    background = Response.objects.get(invitation=invitation, instrument_code="background")
    assert background.scores.get().missing == ["bg_lonely_duration"]
    before = (Answer.objects.count(), AuditEvent.objects.count())
    again = client.post(review)
    assert again.status_code == 200
    assert "allerede" in again.content.decode()
    assert (Answer.objects.count(), AuditEvent.objects.count()) == before
    assert Response.objects.filter(invitation=invitation).count() == 4


@pytest.mark.parametrize("token", ["not-a-valid-token-at-all-xxxxxxxx", "x"])
def test_an_unknown_link_gets_a_kind_page_that_reveals_nothing(world: Any, token: str) -> None:
    response = Client().get(reverse("questionnaires:answer", kwargs={"token": token}))
    assert response.status_code == 404
    assert "Linket virker ikke" in response.content.decode()


def test_a_tampered_link_is_unknown(invited: tuple[Invitation, str]) -> None:
    _invitation, token = invited
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    response = Client().get(reverse("questionnaires:answer", kwargs={"token": tampered}))
    assert response.status_code == 404


def test_guessing_links_is_throttled(world: Any, invited: tuple[Invitation, str]) -> None:
    _invitation, token = invited
    client = Client()
    for attempt in range(20):
        client.get(reverse("questionnaires:answer", kwargs={"token": f"guess-{attempt:030d}"}))
    response = client.get(reverse("questionnaires:answer", kwargs={"token": token}))
    assert response.status_code == 429


def test_an_expired_link_is_refused_kindly(invited: tuple[Invitation, str]) -> None:
    invitation, token = invited
    invitation.links.update(expires_at=invitation.opens_at)
    response = Client().get(reverse("questionnaires:answer", kwargs={"token": token}))
    assert response.status_code == 410
    assert "udløbet" in response.content.decode()


def test_the_participant_page_opens_the_waiting_questionnaire(
    invited: tuple[Invitation, str],
) -> None:
    from spejl.links.models import LinkPurpose
    from spejl.links.services import link_create

    invitation, _token = invited
    page_token = link_create(
        purpose=LinkPurpose.PARTICIPANT_PAGE, participant=invitation.participant
    )
    client = Client()
    page = client.get(reverse("participants:page", kwargs={"token": page_token}))
    form_action = reverse("questionnaires:from_page", kwargs={"token": page_token})
    assert form_action in page.content.decode()
    response = client.post(form_action)
    assert response.status_code == 302
    assert response["Location"].startswith("/q/")
    assert client.get(response["Location"]).status_code == 200
    assert invitation.links.count() == 2


def test_without_an_open_questionnaire_the_page_button_leads_back(world: Any) -> None:
    from spejl.links.models import LinkPurpose
    from spejl.links.services import link_create
    from spejl.testing.participants import participant_a

    token = link_create(purpose=LinkPurpose.PARTICIPANT_PAGE, participant=participant_a(world))
    response = Client().post(reverse("questionnaires:from_page", kwargs={"token": token}))
    assert response["Location"] == reverse("participants:page", kwargs={"token": token})
