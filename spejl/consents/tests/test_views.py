"""Consent pages: texts for staff, the coordinator's page, the participant's endpoints and the
public page — scoping, audit, bounded queries, and links that do not work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from spejl.audit.models import AuditAction, AuditEvent
from spejl.conftest import World
from spejl.consents.models import (
    Consent,
    ConsentMethod,
    ConsentPurpose,
    ConsentText,
    ConsentTextStatus,
)
from spejl.consents.selectors import consent_active, consents_for_participant
from spejl.consents.services import consent_give
from spejl.consents.tests.fixtures import make_text
from spejl.links.models import LinkPurpose, SecureLink
from spejl.links.services import link_create
from spejl.notifications.models import Notification, NotificationStatus
from spejl.participants.models import Participant

P = ConsentPurpose


def _text_url(name: str, text: ConsentText) -> str:
    return reverse(f"consents:{name}", kwargs={"text_id": text.public_id})


def _record_url(participant: Participant) -> str:
    return reverse("consents:record", kwargs={"participant_id": participant.public_id})


def _give_url(token: str, purpose: str) -> str:
    return reverse("consents:participant_give", kwargs={"token": token, "purpose": purpose})


def _withdraw_url(token: str, purpose: str) -> str:
    return reverse("consents:participant_withdraw", kwargs={"token": token, "purpose": purpose})


def _page_link(participant: Participant, **kwargs: Any) -> str:
    return link_create(purpose=LinkPurpose.PARTICIPANT_PAGE, participant=participant, **kwargs)


def _give_data(**overrides: str) -> dict[str, str]:
    data = {
        "action": "give",
        "give-purpose": P.EVALUATION,
        "give-method": ConsentMethod.PAPER,
        "give-given_on": timezone.localdate().isoformat(),
    }
    data.update(overrides)
    return data


# --- Consent texts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["national_admin", "coordinator_a", "coordinator_b", "facilitator_a", "evaluator"]
)
def test_every_staff_role_reads_the_published_texts(
    world: World, client_as: Any, texts: dict[str, ConsentText], role: str
) -> None:
    client = client_as(role)
    response = client.get(_text_url("text_detail", texts[P.EVALUATION]))
    assert response.status_code == 200
    assert response.context["can_new_version"] == (role == "national_admin")
    assert not response.context["can_edit"]
    draft = make_text(purpose=P.EVALUATION)
    listed = client.get(reverse("consents:texts")).context["texts"]
    assert set(texts.values()) <= set(listed)
    assert (draft in listed) == (role == "national_admin")
    assert client.get(_text_url("text_detail", draft)).status_code == (
        200 if role == "national_admin" else 404
    )


def test_text_list_runs_a_bounded_number_of_queries(
    client_as: Any, texts: dict[str, ConsentText], django_assert_max_num_queries: Any
) -> None:
    client = client_as("national_admin")
    client.get(reverse("consents:texts"))
    for purpose in P.values:
        for version in range(2, 8):
            make_text(purpose=purpose, version=version, status=ConsentTextStatus.RETIRED)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("consents:texts"))
    rows = response.context["texts"]
    assert len(rows) == 21
    assert [(t.purpose, t.version) for t in rows[:2]] == [
        (P.PARTICIPATION, 7),
        (P.PARTICIPATION, 6),
    ]


def test_admin_makes_edits_and_publishes_a_new_version(
    world: World, client_as: Any, texts: dict[str, ConsentText]
) -> None:
    client = client_as("national_admin")
    v1 = texts[P.EVALUATION]
    response = client.post(_text_url("text_new_version", v1))
    draft = ConsentText.objects.get(purpose=P.EVALUATION, version=2)
    assert response.status_code == 302 and response["Location"] == _text_url("text_edit", draft)
    # A double click makes no second draft; it leads to the draft there is.
    again = client.post(_text_url("text_new_version", v1))
    assert again["Location"] == _text_url("text_detail", draft)
    assert ConsentText.objects.filter(purpose=P.EVALUATION).count() == 2

    form = client.get(_text_url("text_edit", draft)).context["form"]
    data = {**form.initial, "title_en": "Your answers in the evaluation"}
    response = client.post(_text_url("text_edit", draft), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title_en == "Your answers in the evaluation"

    confirm = client.get(_text_url("text_publish", draft))
    assert confirm.status_code == 200 and confirm.context["problems"] == []
    assert confirm.context["current_published"] == v1
    response = client.post(_text_url("text_publish", draft))
    assert response["Location"] == _text_url("text_detail", draft)
    draft.refresh_from_db()
    v1.refresh_from_db()
    assert (draft.status, v1.status) == (ConsentTextStatus.PUBLISHED, ConsentTextStatus.RETIRED)


def test_a_published_text_cannot_be_edited_and_says_why(
    client_as: Any, texts: dict[str, ConsentText]
) -> None:
    client = client_as("national_admin")
    client.cookies["django_language"] = "en"
    v1 = texts[P.FOLLOW_UP]
    before = ConsentText.objects.filter(pk=v1.pk).values().get()
    response = client.post(
        _text_url("text_edit", v1),
        {"title_da": "x", "title_en": "x", "body_da": "x", "body_en": "x"},
        follow=True,
    )
    assert response.redirect_chain == [(_text_url("text_detail", v1), 302)]
    [message] = [str(m) for m in response.context["messages"]]
    assert "can never be changed" in message
    assert ConsentText.objects.filter(pk=v1.pk).values().get() == before


def test_publishing_an_incomplete_draft_shows_the_problems(client_as: Any) -> None:
    draft = make_text(purpose=P.FOLLOW_UP)
    ConsentText.objects.filter(pk=draft.pk).update(body_en="")
    client = client_as("national_admin")
    response = client.post(_text_url("text_publish", draft))
    assert response.status_code == 200 and len(response.context["problems"]) == 1
    draft.refresh_from_db()
    assert draft.status == ConsentTextStatus.DRAFT


def test_coordinator_may_read_but_not_change_a_published_text(
    client_as: Any, texts: dict[str, ConsentText]
) -> None:
    client = client_as("coordinator_a")
    v1 = texts[P.PARTICIPATION]
    assert client.post(_text_url("text_new_version", v1)).status_code == 403
    assert client.get(_text_url("text_edit", v1)).status_code == 403
    assert client.post(_text_url("text_publish", v1)).status_code == 403
    assert ConsentText.objects.filter(purpose=P.PARTICIPATION).count() == 1


# --- Public page -----------------------------------------------------------------------------


@pytest.mark.parametrize("purpose", P.values)
def test_anyone_can_read_the_current_text_of_each_purpose(
    client: Client, texts: dict[str, ConsentText], purpose: str
) -> None:
    url = reverse("consents:public_text", kwargs={"purpose": purpose})
    assert url == f"/consent/{purpose}/"
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["text"] == texts[purpose]
    assert len(response.context["others"]) == 2
    assert texts[purpose].body_da.split("\n\n")[0] in response.content.decode()


def test_public_page_of_an_unknown_purpose_or_without_a_text_is_not_found(
    client: Client, texts: dict[str, ConsentText]
) -> None:
    assert client.get("/consent/marketing/").status_code == 404
    ConsentText.objects.filter(purpose=P.FOLLOW_UP).update(status=ConsentTextStatus.RETIRED)
    assert client.get("/consent/follow_up/").status_code == 404


# --- The coordinator's page ------------------------------------------------------------------


def test_coordinator_sees_the_participants_consents_and_the_read_is_audited(
    world: World,
    client_as: Any,
    participant: Participant,
    texts: dict[str, ConsentText],
    django_assert_max_num_queries: Any,
) -> None:
    consent_give(actor=None, participant=participant, purpose=P.EVALUATION, method="digital")
    client = client_as("coordinator_a")
    client.get(reverse("web:dashboard"))
    with django_assert_max_num_queries(12):
        response = client.get(_record_url(participant))
    assert response.status_code == 200
    assert response.context["name"] == "Maja Mørk"
    rows = {r.purpose: r for r in response.context["rows"]}
    assert rows[P.EVALUATION].active is not None and rows[P.PARTICIPATION].active is None
    event = AuditEvent.objects.filter(action=AuditAction.READ).latest("pk")
    assert event.actor == world.coordinator_a
    assert event.object_id == str(participant.public_id)
    assert event.fields == ["first_name", "last_name"]
    assert event.organisation == world.org_a


@pytest.mark.parametrize("role", ["coordinator_b", "facilitator_a", "evaluator"])
def test_others_get_404_for_the_consent_page_and_change_nothing(
    world: World, client_as: Any, participant: Participant, role: str
) -> None:
    client = client_as(role)
    before = AuditEvent.objects.count()
    assert client.get(_record_url(participant)).status_code == 404
    assert client.post(_record_url(participant), _give_data()).status_code == 404
    withdraw = {"action": "withdraw", "withdraw-purpose": P.EVALUATION, "withdraw-method": "verbal"}
    assert client.post(_record_url(participant), withdraw).status_code == 404
    assert not Consent.objects.exists()
    assert AuditEvent.objects.count() == before


def test_coordinator_records_paper_consent_once_and_then_a_withdrawal(
    world: World, client_as: Any, participant: Participant
) -> None:
    client = client_as("coordinator_a")
    url = _record_url(participant)
    two_days_ago = timezone.localdate() - timedelta(days=2)
    response = client.post(url, _give_data(**{"give-given_on": two_days_ago.isoformat()}))
    assert response.status_code == 302 and response["Location"] == url
    response = client.post(url, _give_data(), follow=True)  # a double submit
    consent = Consent.objects.get(participant=participant)
    assert consent.method == ConsentMethod.PAPER and consent.recorded_by == world.coordinator_a
    assert timezone.localtime(consent.given_at).date() == two_days_ago
    # The first "recorded", then "already recorded; nothing was changed".
    assert [m.level_tag for m in response.context["messages"]] == ["success", "warning"]

    link_create(purpose=LinkPurpose.QUESTIONNAIRE, participant=participant)
    withdraw = {"action": "withdraw", "withdraw-purpose": P.EVALUATION, "withdraw-method": "verbal"}
    assert client.post(url, withdraw).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and consent.withdrawn_method == "verbal"
    assert SecureLink.objects.get(purpose=LinkPurpose.QUESTIONNAIRE).revoked_at is not None
    writes = AuditEvent.objects.filter(object_type="consents.consent")
    assert [e.action for e in writes.order_by("pk")] == [AuditAction.CREATE, AuditAction.UPDATE]


def test_consent_in_the_future_is_refused_next_to_the_date(
    client_as: Any, participant: Participant
) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client_as("coordinator_a").post(
        _record_url(participant), _give_data(**{"give-given_on": tomorrow.isoformat()})
    )
    assert response.status_code == 200
    assert "given_on" in response.context["give_form"].errors
    assert response.context["withdraw_form"].errors == {}
    assert not Consent.objects.exists()


def test_digital_is_not_a_method_a_coordinator_can_record(
    client_as: Any, participant: Participant
) -> None:
    response = client_as("coordinator_a").post(
        _record_url(participant), _give_data(**{"give-method": "digital"})
    )
    assert response.status_code == 200 and "method" in response.context["give_form"].errors
    assert not Consent.objects.exists()


# --- The participant, through their link ------------------------------------------------------


def test_participant_gives_consent_through_their_link(
    client: Client, participant: Participant
) -> None:
    token = _page_link(participant)
    response = client.post(_give_url(token, P.EVALUATION))
    assert response.status_code == 302
    assert response["Location"] == f"/p/{token}/#consents"
    client.post(_give_url(token, P.EVALUATION))  # a double submit
    consent = Consent.objects.get(participant=participant)
    assert consent.method == ConsentMethod.DIGITAL and consent.recorded_by is None
    event = AuditEvent.objects.get(object_type="consents.consent")
    assert event.action == AuditAction.CREATE and event.actor is None


def test_participant_withdraws_after_a_confirmation_step(
    client: Client, participant: Participant
) -> None:
    consent_give(actor=None, participant=participant, purpose=P.FOLLOW_UP, method="digital")
    pending = Notification.objects.create(
        dedupe_key="follow_up_call:1",
        template="follow_up_call",
        channel="sms",
        recipient_participant=participant,
        organisation=participant.organisation,
    )
    token = _page_link(participant)
    url = _withdraw_url(token, P.FOLLOW_UP)
    confirm = client.get(url)
    assert confirm.status_code == 200 and len(confirm.context["consequences"]) == 2
    assert confirm.context["back_url"] == f"/p/{token}/#consents"
    # A POST without the confirmation asks again and changes nothing.
    assert client.post(url).status_code == 200
    assert consent_active(participant=participant, purpose=P.FOLLOW_UP)

    response = client.post(url, {"confirm": "yes"})
    assert response["Location"] == f"/p/{token}/#consents"
    assert not consent_active(participant=participant, purpose=P.FOLLOW_UP)
    pending.refresh_from_db()
    assert pending.status == NotificationStatus.SKIPPED
    # Again: harmless.
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    assert Consent.objects.filter(participant=participant).count() == 1


def test_withdraw_page_without_a_consent_sends_the_participant_back(
    client: Client, participant: Participant
) -> None:
    token = _page_link(participant)
    response = client.get(_withdraw_url(token, P.EVALUATION))
    assert response.status_code == 302 and response["Location"] == f"/p/{token}/#consents"


@pytest.mark.parametrize(
    ("make_token", "status"),
    [
        (lambda p: "x" * 43, 404),  # unknown
        (lambda p: _page_link(p, expires_at=timezone.now() - timedelta(minutes=1)), 410),
        (lambda p: _revoked(p), 404),
        (lambda p: link_create(purpose=LinkPurpose.QUESTIONNAIRE, participant=p), 404),
    ],
    ids=["unknown", "expired", "revoked", "other-purpose"],
)
def test_links_that_do_not_work_get_a_kind_page_and_change_nothing(
    client: Client,
    participant: Participant,
    make_token: Callable[[Participant], str],
    status: int,
) -> None:
    consent_give(actor=None, participant=participant, purpose=P.FOLLOW_UP, method="digital")
    token = make_token(participant)
    before = AuditEvent.objects.count()
    for response in (
        client.post(_give_url(token, P.EVALUATION)),
        client.get(_withdraw_url(token, P.FOLLOW_UP)),
        client.post(_withdraw_url(token, P.FOLLOW_UP), {"confirm": "yes"}),
    ):
        assert response.status_code == status
        assert "consents/link_invalid.html" in [t.name for t in response.templates]
        assert "participant" not in response.context
        assert participant.code not in response.content.decode()
    assert not consent_active(participant=participant, purpose=P.EVALUATION)
    assert consent_active(participant=participant, purpose=P.FOLLOW_UP)
    assert AuditEvent.objects.count() == before


def _revoked(participant: Participant) -> str:
    token = _page_link(participant)
    SecureLink.objects.update(revoked_at=timezone.now())
    return token


def test_unknown_and_revoked_links_look_the_same(client: Client, participant: Participant) -> None:
    client.cookies["django_language"] = "en"
    unknown = client.post(_give_url("y" * 43, P.EVALUATION))
    revoked = client.post(_give_url(_revoked(participant), P.EVALUATION))
    assert unknown.status_code == revoked.status_code == 404


def test_an_unknown_purpose_with_a_valid_link_is_not_found(
    client: Client, participant: Participant
) -> None:
    token = _page_link(participant)
    assert client.post(_give_url(token, "marketing")).status_code == 404
    assert client.get(_withdraw_url(token, "marketing")).status_code == 404
    assert client.get(_give_url(token, P.EVALUATION)).status_code == 405
    assert not Consent.objects.exists()


def test_participant_partial_shows_each_purpose_with_give_or_withdraw(
    participant: Participant, texts: dict[str, ConsentText]
) -> None:
    consent_give(actor=None, participant=participant, purpose=P.EVALUATION, method="digital")
    token = _page_link(participant)
    html = render_to_string(
        "consents/_participant_consents.html",
        {"rows": consents_for_participant(participant=participant), "token": token},
    )
    assert html.count("<details") == 3
    assert _withdraw_url(token, P.EVALUATION) in html
    assert _give_url(token, P.EVALUATION) not in html
    for purpose in (P.PARTICIPATION, P.FOLLOW_UP):
        assert _give_url(token, purpose) in html
        assert _withdraw_url(token, purpose) not in html
    for text in texts.values():
        assert text.body_da.split("\n\n")[0] in html
