"""The measurement plan's periodic work: invitations when a wave opens, reminders on their
days and never after an answer, closing, cancelling, and two runs at once."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.utils import timezone

from spejl.consents.models import ConsentMethod, ConsentPurpose
from spejl.consents.services import consent_withdraw
from spejl.enrolments.models import Enrolment, EnrolmentState
from spejl.notifications.models import Notification, NotificationStatus
from spejl.notifications.services import send_due
from spejl.questionnaires.answering import answers_save, invitation_submit, session_for
from spejl.questionnaires.models import (
    Invitation,
    InvitationStatus,
    Response,
    ResponseStatus,
)
from spejl.questionnaires.scheduling import questionnaires_due
from spejl.testing.questionnaires import consenting_group, invite, tokens_sent_to

pytestmark = pytest.mark.django_db


def reminders(invitation: Invitation) -> list[int]:
    return sorted(
        n.context["reminder"]
        for n in Notification.objects.filter(template="questionnaire_reminder")
        if n.context["invitation"] == str(invitation.public_id)
    )


def test_reminders_come_on_day_3_and_7_and_only_once(world: Any) -> None:
    [invitation] = invite(consenting_group(world, participants=1))
    sent = invitation.sent_at
    assert sent is not None
    assert questionnaires_due(now=sent + timedelta(days=2, hours=23))["reminded"] == 0
    assert questionnaires_due(now=sent + timedelta(days=3))["reminded"] == 1
    assert questionnaires_due(now=sent + timedelta(days=3, hours=1))["reminded"] == 0
    assert questionnaires_due(now=sent + timedelta(days=6))["reminded"] == 0
    # T0 closes a week after the first meeting (today): day 7 is still inside it.
    assert questionnaires_due(now=sent + timedelta(days=6, hours=23))["reminded"] == 0
    assert reminders(invitation) == [1]


def test_a_reminder_link_resumes_the_same_answers(world: Any) -> None:
    [invitation] = invite(consenting_group(world, participants=1))
    questionnaires_due(now=invitation.sent_at + timedelta(days=3))  # type: ignore[operator]
    send_due()
    first, second = tokens_sent_to(invitation.participant.contact.email)
    assert first != second
    assert invitation.links.filter(revoked_at__isnull=True).count() == 2
    body = [
        m.body
        for m in mail.outbox
        if "påmind" in m.subject.lower() or "remind" in m.subject.lower()
    ]
    assert body, [m.subject for m in mail.outbox]


def test_no_reminder_after_the_answers_are_sent(world: Any) -> None:
    [invitation] = invite(consenting_group(world, participants=1))
    assert invitation_submit(invitation=invitation)
    assert questionnaires_due(now=invitation.sent_at + timedelta(days=3))["reminded"] == 0  # type: ignore[operator]
    assert reminders(invitation) == []


def test_withdrawing_evaluation_consent_cancels_the_invitation_and_its_messages(
    world: Any,
) -> None:
    [invitation] = invite(consenting_group(world, participants=1))
    consent_withdraw(
        actor=None,
        participant=invitation.participant,
        purpose=ConsentPurpose.EVALUATION,
        method=ConsentMethod.DIGITAL,
    )
    # Cancelled at once, not at the next periodic run.
    invitation.refresh_from_db()
    assert invitation.status == "cancelled"
    result = questionnaires_due(now=invitation.sent_at + timedelta(days=3))  # type: ignore[operator]
    assert result["reminded"] == 0
    assert (invitation.status, invitation.cancelled_reason) == (
        "cancelled",
        "no evaluation consent",
    )
    assert not invitation.links.filter(revoked_at__isnull=True).exists()


def test_dropping_out_without_follow_up_consent_stops_the_invitation(world: Any) -> None:
    [invitation] = invite(consenting_group(world, participants=1))
    Enrolment.objects.filter(pk=invitation.enrolment_id).update(state=EnrolmentState.DROPPED)
    assert questionnaires_due()["cancelled"] == 1


def test_end_of_course_wave_reaches_dropouts_who_agreed_to_follow_up(world: Any) -> None:
    group = consenting_group(world, participants=2, meetings_before_today=3, follow_up=True)
    # Make today's meeting the last one.
    group.meetings.filter(starts_at__gt=timezone.now() + timedelta(days=1)).delete()
    first, second = Enrolment.objects.filter(group=group).order_by("pk")
    Enrolment.objects.filter(pk=second.pk).update(state=EnrolmentState.DROPPED)
    invitations = invite(group)
    assert sorted((i.enrolment_id, i.wave) for i in invitations) == sorted(
        [(first.pk, "T1"), (second.pk, "T1")]
    )


def test_a_wave_that_closes_keeps_what_was_answered_as_partly_answered(world: Any) -> None:
    [invitation] = invite(consenting_group(world, participants=1))
    session = session_for(invitation)
    answers_save(
        invitation=invitation,
        block=session.blocks[2],
        data={"tils_1": "3", "tils_2": "3", "tils_3": "3"},
        require_all=True,
    )
    assert questionnaires_due(now=invitation.closes_at)["closed"] == 1
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.CLOSED
    tils = Response.objects.get(invitation=invitation)
    assert tils.status == ResponseStatus.PARTIAL
    assert tils.scores.get().score == 9


def test_send_due_command_reports_what_it_did(world: Any, capsys: Any) -> None:
    consenting_group(world, participants=2)
    call_command("send_due")
    out = capsys.readouterr().out
    assert "2 invited" in out
    assert "2 sent" in out
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_invite_and_send_each_person_once(world: Any) -> None:
    consenting_group(world, participants=4)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            questionnaires_due()
            send_due()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Invitation.objects.count() == 4
    assert Notification.objects.filter(template="questionnaire_invitation").count() == 4
    assert len([m for m in mail.outbox if "/q/" in str(m.body)]) == 4
