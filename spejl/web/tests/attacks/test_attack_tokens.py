"""Attacks on the tokens in URLs: guessed, truncated, extended, altered, used at the wrong kind
of page, reused after use, expired — and guessing many. Each gets a kind page with the right
status (404 unknown, 410 gone, 429 too many) and changes nothing.

Every URL with a ``<token>`` (participants' pages, offers, questionnaires, consents, calendar
feeds, and any added later) is found by walking the URL patterns.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from spejl.access.actor import actor_for_user
from spejl.conftest import World
from spejl.enrolments.models import Enrolment
from spejl.enrolments.services import enrolment_offer
from spejl.links.models import LinkPurpose, SecureLink
from spejl.links.services import GUESS_LIMIT, link_create, token_hash
from spejl.questionnaires.tests.test_answering import answer_everything
from spejl.testing.groups import group_a
from spejl.testing.participants import waiting_participant
from spejl.testing.questionnaires import consenting_group, invite, tokens_sent_to
from spejl.web.tests.attacks.helpers import (
    KWARG_FILLERS,
    all_url_names,
    changed_tables,
    keywords_of,
    reset_rate_limits,
    snapshot,
)


def token_url_names() -> list[str]:
    return [name for name in all_url_names() if "token" in keywords_of(name)]


def token_url(name: str, token: str, world: World) -> str:
    kwargs = {k: KWARG_FILLERS[k](world) for k in keywords_of(name) if k != "token"}
    return reverse(name, kwargs={**kwargs, "token": token})


def _send(client: Client, url: str) -> int:
    """POST where the page only takes POST, else GET; the status."""
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {"answer": "accept", "confirm": "1"})
    return response.status_code


def test_every_token_url_is_found() -> None:
    names = set(token_url_names())
    assert {"participants:page", "participants:offer", "questionnaires:answer"} <= names
    assert "groups:feed" in names


@pytest.mark.parametrize("guess", ["random", "short", "long", "symbols", "empty-ish"])
def test_guessed_tokens_of_every_shape_are_unknown_everywhere(
    guess: str, world: World, client: Client
) -> None:
    shapes = {
        "random": secrets.token_urlsafe(32),
        "short": secrets.token_urlsafe(8),
        "long": secrets.token_urlsafe(200),
        "symbols": "%27%20OR%201%3D1--",
        "empty-ish": "-",
    }
    urls = {name: token_url(name, shapes[guess], world) for name in token_url_names()}
    before = snapshot()
    for name, url in urls.items():
        reset_rate_limits()
        assert _send(client, url) == 404, name
    assert changed_tables(before) == []


@pytest.fixture
def real_tokens(world: World) -> dict[str, str]:
    """A live token of each kind: a participant's page, an offer, a questionnaire."""
    group = consenting_group(world, participants=1)
    [invitation] = invite(group)
    [questionnaire] = tokens_sent_to(invitation.participant.contact.email)
    participant = waiting_participant(world, first_name="Tove")
    enrolment = participant.enrolments.get()
    offered_group = group_a(world)
    offered_group.reopened = True
    offered_group.save()
    enrolment_offer(
        actor=actor_for_user(world.coordinator_a), enrolment=enrolment, group=offered_group
    )
    offer = link_create(purpose=LinkPurpose.OFFER, participant=participant, enrolment=enrolment)
    page = link_create(purpose=LinkPurpose.PARTICIPANT_PAGE, participant=participant)
    reset_rate_limits()
    return {"questionnaire": questionnaire, "offer": offer, "page": page}


def _variants(token: str) -> list[str]:
    flipped = ("A" if token[5] != "A" else "B").join((token[:5], token[6:]))
    return [token[:-1], token[:20], token + "A", token + token, flipped, token.upper()]


KIND_URL = {
    "questionnaire": "questionnaires:answer",
    "offer": "participants:offer",
    "page": "participants:page",
}


def test_altered_tokens_are_unknown(real_tokens: dict[str, str], world: World) -> None:
    client = Client()
    before = snapshot()
    for kind, token in real_tokens.items():
        for variant in _variants(token):
            reset_rate_limits()
            assert _send(client, token_url(KIND_URL[kind], variant, world)) == 404, (kind, variant)
    assert changed_tables(before) == []


def test_a_token_of_one_kind_opens_nothing_at_the_others(
    real_tokens: dict[str, str], world: World
) -> None:
    client = Client()
    token_url(token_url_names()[0], "x" * 43, world)  # make the fillers' objects first
    before = snapshot()
    for kind, token in real_tokens.items():
        for name in token_url_names():
            if name.split(":")[1] in {"offer", "answer"} and KIND_URL[kind] == name:
                continue
            if kind == "page" and name.startswith(
                ("participants:", "consents:participant", "questionnaires:from_page")
            ):
                continue  # the page token's own pages
            if (
                kind == "questionnaire"
                and name.startswith("questionnaires:")
                and name != ("questionnaires:from_page")
            ):
                continue  # the questionnaire token's own pages
            if kind == "offer" and name == "participants:offer":
                continue
            reset_rate_limits()
            assert _send(client, token_url(name, token, world)) == 404, (kind, name)
    assert changed_tables(before) == []


def test_an_answered_offer_cannot_be_answered_again(
    real_tokens: dict[str, str], world: World
) -> None:
    client = Client()
    url = reverse("participants:offer", kwargs={"token": real_tokens["offer"]})
    assert client.post(url, {"answer": "accept"}).status_code == 302
    link = SecureLink.objects.get(token_hash=token_hash(real_tokens["offer"]))
    enrolment = Enrolment.objects.get(pk=link.enrolment_id)
    assert enrolment.state == "enrolled"
    before = snapshot()
    again = client.post(url, {"answer": "decline"})
    assert again.status_code in (200, 400, 404, 410)
    enrolment.refresh_from_db()
    assert enrolment.state == "enrolled"
    assert changed_tables(before) == []


def test_a_sent_questionnaire_cannot_be_changed_through_its_link(
    real_tokens: dict[str, str],
) -> None:
    client = Client()
    token = real_tokens["questionnaire"]
    answer_everything(client, token)
    assert client.post(reverse("questionnaires:review", kwargs={"token": token})).status_code == 302
    before = snapshot()
    page = reverse("questionnaires:page", kwargs={"token": token, "page": 2})
    response = client.post(page, {"tils_1": "1", "tils_2": "1", "tils_3": "1"})
    assert response.status_code in (200, 404, 410)
    assert client.post(reverse("questionnaires:review", kwargs={"token": token})).status_code in (
        200,
        404,
        410,
    )
    assert changed_tables(before) == []


def test_expired_links_are_gone_and_change_nothing(world: World) -> None:
    participant = waiting_participant(world, first_name="Vibeke")
    past = timezone.now() - timedelta(minutes=1)
    page = link_create(
        purpose=LinkPurpose.PARTICIPANT_PAGE, participant=participant, expires_at=past
    )
    client = Client()
    before = snapshot()
    assert client.get(reverse("participants:page", kwargs={"token": page})).status_code == 410
    give = reverse("consents:participant_give", kwargs={"token": page, "purpose": "evaluation"})
    assert client.post(give).status_code == 410
    assert changed_tables(before) == []


def test_guessing_is_slowed_down_on_every_token_url_even_for_a_real_token(
    real_tokens: dict[str, str], world: World
) -> None:
    client = Client()
    names = token_url_names()
    for attempt in range(GUESS_LIMIT):
        name = names[attempt % len(names)]
        _send(client, token_url(name, secrets.token_urlsafe(32), world))
    before = snapshot()
    for name in names:
        response = client.get(token_url(name, secrets.token_urlsafe(32), world))
        assert response.status_code == 429, name
        assert "vent" in response.content.decode().lower()
    real = client.get(reverse("participants:page", kwargs={"token": real_tokens["page"]}))
    assert real.status_code == 429
    assert changed_tables(before) == []
    # Another visitor is not held up by the guesser.
    other = Client(REMOTE_ADDR="198.51.100.7")
    page = other.get(reverse("participants:page", kwargs={"token": real_tokens["page"]}))
    assert page.status_code == 200


def test_guessing_calendar_feeds_counts_too(world: World) -> None:
    client = Client()
    for _attempt in range(GUESS_LIMIT):
        feed = reverse("groups:feed", kwargs={"token": secrets.token_urlsafe(32)})
        assert client.get(feed).status_code == 404
    feed = reverse("groups:feed", kwargs={"token": secrets.token_urlsafe(32)})
    assert client.get(feed).status_code == 429
