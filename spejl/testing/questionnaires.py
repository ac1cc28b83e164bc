"""Test helpers for questionnaires: a group whose participants consent to the evaluation, and
reading the questionnaire link out of the message that was sent."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from django.core import mail

from spejl.consents.models import ConsentMethod, ConsentPurpose
from spejl.consents.services import consent_give
from spejl.enrolments.models import Enrolment, EnrolmentState
from spejl.groups.models import PeerGroup
from spejl.notifications.services import send_due
from spejl.questionnaires.models import Invitation
from spejl.questionnaires.scheduling import invitations_open_due
from spejl.testing.groups import make_group

if TYPE_CHECKING:
    from spejl.conftest import World

LINK = re.compile(r"https?://[^\s]+/q/([A-Za-z0-9_\-]+)/")


def consenting_group(
    world: World,
    *,
    participants: int = 2,
    meetings_before_today: int = 0,
    follow_up: bool = False,
    title: str = "Spørgegruppen",
) -> PeerGroup:
    """A running group of organisation A whose enrolled participants consent to evaluation
    (and to follow-up contact if ``follow_up``). With no meetings before today the first
    meeting is today, so the baseline (T0) is open."""
    group = make_group(
        world, participants=participants, meetings_before_today=meetings_before_today, title=title
    )
    for enrolment in Enrolment.objects.filter(group=group, state=EnrolmentState.ENROLLED):
        consent_give(
            actor=None,
            participant=enrolment.participant,
            purpose=ConsentPurpose.EVALUATION,
            method=ConsentMethod.DIGITAL,
        )
        if follow_up:
            consent_give(
                actor=None,
                participant=enrolment.participant,
                purpose=ConsentPurpose.FOLLOW_UP,
                method=ConsentMethod.DIGITAL,
            )
    return group


def invite(group: PeerGroup, *, now: datetime | None = None) -> list[Invitation]:
    """Open the waves due for the group's enrolments and send the messages; the
    invitations, oldest first."""
    invitations_open_due(
        now=now,
        enrolment_ids=list(Enrolment.objects.filter(group=group).values_list("pk", flat=True)),
    )
    send_due()
    return list(Invitation.objects.filter(group=group).order_by("pk"))


def tokens_sent_to(address: str) -> list[str]:
    """The questionnaire tokens in the e-mails sent to ``address``, oldest first."""
    tokens = []
    for message in mail.outbox:
        if address in message.to:
            tokens.extend(LINK.findall(str(message.body)))
    return tokens
