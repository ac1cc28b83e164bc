"""Paper and telephone responses entered by a coordinator."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from spejl.audit.models import AuditEvent
from spejl.consents.models import ConsentMethod, ConsentPurpose
from spejl.consents.services import consent_withdraw
from spejl.enrolments.models import Enrolment
from spejl.questionnaires.models import Answer, Invitation, Response, ResponseMode
from spejl.testing.questionnaires import consenting_group, invite

pytestmark = pytest.mark.django_db

T0_ANSWERS = {
    "mode": "paper",
    "answered_on": "",
    "bg_age_band": "7",
    "bg_gender": "2",
    "tils_1": "2",
    "tils_2": "2",
    "tils_3": "3",
    "who5_1": "3",
    "who5_2": "3",
    "who5_3": "2",
    "who5_4": "declined",
    "who5_5": "3",
    "direct_lonely": "3",
}


@pytest.fixture
def participant(world: Any) -> Any:
    group = consenting_group(world, participants=1)
    return Enrolment.objects.get(group=group).participant


def enter_url(participant: Any, wave: str = "T0") -> str:
    return reverse(
        "questionnaires:enter", kwargs={"participant_id": participant.public_id, "wave": wave}
    )


def test_a_coordinator_enters_a_paper_response_scored_like_the_web(
    client_as: Any, participant: Any
) -> None:
    client = client_as("coordinator_a")
    assert client.get(enter_url(participant)).status_code == 200
    data = {**T0_ANSWERS, "answered_on": timezone.localdate().isoformat()}
    response = client.post(enter_url(participant), data)
    assert response.status_code == 302
    invitation = Invitation.objects.get(participant=participant, wave="T0")
    assert (invitation.status, invitation.completed_mode) == ("completed", "paper")
    tils = Response.objects.get(participant=participant, instrument_code="tils")
    assert tils.mode == ResponseMode.PAPER
    assert tils.scores.get().score == 7
    who5 = Response.objects.get(participant=participant, instrument_code="who5").scores.get()
    assert (who5.score, who5.missing) == (None, ["who5_4"])
    assert Answer.objects.get(response__instrument_code="who5", item_code="who5_4").declined
    assert (
        AuditEvent.objects.filter(
            object_type="questionnaires.response", action="create", actor__isnull=False
        ).count()
        == 4
    )
    again = client.post(enter_url(participant), data)
    assert again.status_code == 302  # sent back with a message: already answered
    assert Response.objects.filter(participant=participant).count() == 4


def test_a_bad_value_is_refused_next_to_the_field_and_nothing_is_saved(
    client_as: Any, participant: Any
) -> None:
    data = {**T0_ANSWERS, "answered_on": timezone.localdate().isoformat(), "tils_1": "9"}
    response = client_as("coordinator_a").post(enter_url(participant), data)
    assert response.status_code == 400
    assert not Response.objects.exists()


def test_a_date_in_the_future_is_refused(client_as: Any, participant: Any) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client_as("coordinator_a").post(
        enter_url(participant), {**T0_ANSWERS, "answered_on": tomorrow}
    )
    assert response.status_code == 400
    assert not Response.objects.exists()


def test_without_evaluation_consent_nothing_can_be_entered(
    client_as: Any, participant: Any, world: Any
) -> None:
    consent_withdraw(
        actor=None,
        participant=participant,
        purpose=ConsentPurpose.EVALUATION,
        method=ConsentMethod.DIGITAL,
    )
    data = {**T0_ANSWERS, "answered_on": timezone.localdate().isoformat()}
    response = client_as("coordinator_a").post(enter_url(participant), data)
    assert response.status_code == 400
    assert not Response.objects.exists()


@pytest.mark.parametrize("role", ["coordinator_b", "facilitator_a", "evaluator"])
def test_others_get_not_found(client_as: Any, participant: Any, role: str) -> None:
    client = client_as(role)
    assert client.get(enter_url(participant)).status_code == 404
    data = {**T0_ANSWERS, "answered_on": timezone.localdate().isoformat()}
    assert client.post(enter_url(participant), data).status_code == 404
    url = reverse("questionnaires:participant", kwargs={"participant_id": participant.public_id})
    assert client.get(url).status_code == 404
    assert not Response.objects.exists()


def test_paper_answers_replace_what_was_begun_on_the_web_and_stop_reminders(
    client_as: Any, participant: Any
) -> None:
    [invitation] = invite(Enrolment.objects.get(participant=participant).group)
    from spejl.questionnaires.answering import answers_save, session_for

    session = session_for(invitation)
    answers_save(
        invitation=invitation, block=session.blocks[2], data={"tils_1": "1"}, require_all=False
    )
    data = {**T0_ANSWERS, "answered_on": timezone.localdate().isoformat()}
    assert client_as("coordinator_a").post(enter_url(participant), data).status_code == 302
    tils = Response.objects.get(participant=participant, instrument_code="tils")
    assert (tils.mode, tils.answers.get(item_code="tils_1").value) == ("paper", 2)
    invitation.refresh_from_db()
    assert invitation.status == "completed"
    assert not invitation.links.filter(used_at__isnull=True).exists()


def test_the_participant_page_shows_status_but_never_answers(
    client_as: Any, participant: Any
) -> None:
    data = {**T0_ANSWERS, "answered_on": timezone.localdate().isoformat()}
    client = client_as("coordinator_a")
    client.post(enter_url(participant), data)
    url = reverse("questionnaires:participant", kwargs={"participant_id": participant.public_id})
    page = client.get(url)
    assert page.status_code == 200
    assert "Papir" in page.content.decode() or "Paper" in page.content.decode()
    assert "Næsten aldrig" not in page.content.decode()


def test_a_paper_entry_can_be_corrected_and_the_old_score_is_kept(
    client_as: Any, participant: Any
) -> None:
    client = client_as("coordinator_a")
    data = {**T0_ANSWERS, "answered_on": timezone.localdate().isoformat()}
    client.post(enter_url(participant), data)
    form = client.get(enter_url(participant))
    assert form.status_code == 200
    assert 'value="2" selected' in form.content.decode()  # tils_1 as entered
    corrected = {**data, "tils_1": "3"}
    assert client.post(enter_url(participant), corrected).status_code == 302
    tils = Response.objects.get(participant=participant, instrument_code="tils")
    assert tils.scores.get(is_current=True).score == 8
    assert tils.scores.filter(is_current=False).get().score == 7
    assert AuditEvent.objects.filter(
        object_type="questionnaires.response", action="update", actor__isnull=False
    ).exists()


def test_web_answers_cannot_be_changed_by_staff(client_as: Any, participant: Any) -> None:
    from spejl.questionnaires.answering import invitation_submit

    [invitation] = invite(Enrolment.objects.get(participant=participant).group)
    invitation_submit(invitation=invitation)
    client = client_as("coordinator_a")
    assert client.get(enter_url(participant)).status_code == 302
    data = {**T0_ANSWERS, "answered_on": timezone.localdate().isoformat()}
    assert client.post(enter_url(participant), data).status_code == 302
    assert not Answer.objects.exists()
