"""Messages inviting a participant to answer a wave, and the reminders.

The secure link is made when the message is sent (tokens are never stored). Each message
carries its own link, valid until the wave closes; earlier links keep working, so whichever
message the person opens takes them to where they left off. When the message is built the
invitation is checked again: answered, closed, cancelled or no longer consented means the
message is skipped (``NotificationObsolete``), never sent.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from spejl.consents.models import ConsentPurpose
from spejl.consents.selectors import consent_active
from spejl.links.models import LinkPurpose
from spejl.links.services import link_create
from spejl.notifications.models import Notification
from spejl.notifications.services import (
    NotificationObsolete,
    notification_queue,
    register_context_builder,
)
from spejl.participants.models import Channel, Contact, Participant
from spejl.questionnaires import policies
from spejl.questionnaires.models import Invitation, InvitationStatus, Wave


def participant_channel(participant: Participant) -> str:
    """The channel the participant chose at intake; the other one if they gave no address
    for it. Reads which contact fields are filled in, not their values."""
    contact = Contact.objects.filter(participant=participant).values(
        "preferred_channel", "email", "phone"
    )
    found = contact.first()
    if found is None:
        return Channel.EMAIL
    preferred = found["preferred_channel"]
    if preferred == Channel.SMS and not found["phone"] and found["email"]:
        return Channel.EMAIL
    if preferred == Channel.EMAIL and not found["email"] and found["phone"]:
        return Channel.SMS
    return str(preferred)


def invitation_notify(*, invitation: Invitation, reminder: int = 0) -> Notification | None:
    """Queue the invitation (``reminder`` 0) or reminder number ``reminder``; once each."""
    template = policies.REMINDER_TEMPLATE if reminder else policies.INVITATION_TEMPLATE
    return notification_queue(
        template=template,
        channel=participant_channel(invitation.participant),
        recipient_participant=invitation.participant,
        organisation=invitation.organisation,
        context={"invitation": str(invitation.public_id), "reminder": reminder},
        dedupe_key=f"questionnaire:{invitation.public_id}:{reminder}",
    )


def _absolute(path: str) -> str:
    return settings.SPEJL_BASE_URL.rstrip("/") + path


def _invitation_context(notification: Notification) -> dict[str, Any]:
    invitation = Invitation.objects.select_related(
        "participant__contact", "organisation", "enrolment"
    ).get(public_id=notification.context["invitation"])
    now = timezone.now()
    if invitation.status != InvitationStatus.OPEN or invitation.closes_at <= now:
        raise NotificationObsolete("the invitation is no longer open")
    participant = invitation.participant
    reason = policies.not_invitable_reason(
        wave=invitation.wave,
        enrolment_state=invitation.enrolment.state,
        evaluation_consent=consent_active(
            participant=participant, purpose=ConsentPurpose.EVALUATION
        ),
        follow_up_consent=consent_active(participant=participant, purpose=ConsentPurpose.FOLLOW_UP),
    )
    if reason:
        raise NotificationObsolete(reason)
    token = link_create(
        purpose=LinkPurpose.QUESTIONNAIRE,
        participant=participant,
        enrolment=invitation.enrolment,
        invitation=invitation,
        expires_at=invitation.closes_at,
    )
    return {
        "first_name": participant.contact.first_name,
        "link": _absolute(reverse("questionnaires:answer", kwargs={"token": token})),
        "closes": timezone.localtime(invitation.closes_at),
        "wave": invitation.wave,
        "is_baseline": invitation.wave == Wave.T0,
        "is_end": invitation.wave == Wave.T1,
        "is_follow_up": invitation.wave == Wave.T2,
        "started": invitation.started_at is not None,
        "organisation": invitation.organisation,
    }


register_context_builder(policies.INVITATION_TEMPLATE, _invitation_context)
register_context_builder(policies.REMINDER_TEMPLATE, _invitation_context)
