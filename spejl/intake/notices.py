"""Confirming an intake conversation to the person, through the notifications outbox.

One message per version of the appointment (time, how, place): changing the time sends a new
confirmation, while a double submit or a repeated save sends nothing twice. The notification
holds only the intake's id and the version; the name, address and the appointment are read
when the message is sent, and a message about a version that has since changed, or an intake
that was cancelled, is skipped.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Any

from django.utils import timezone

from spejl.intake.models import Intake, IntakeStatus
from spejl.notifications.models import Notification
from spejl.notifications.services import (
    NotificationObsolete,
    notification_queue,
    register_context_builder,
)
from spejl.participants.models import Channel

TEMPLATE = "intake_scheduled"


class Confirmation(StrEnum):
    """What happened to the confirmation of a scheduled intake."""

    QUEUED = "queued"
    ALREADY_SENT = "already_sent"  # this version was confirmed before
    NO_CONTACT = "no_contact"  # neither e-mail nor phone
    NOT_UPCOMING = "not_upcoming"  # the time has passed, or the intake is not scheduled


def appointment_version(intake: Intake) -> str:
    """A short fingerprint of time, how and place: a new one means a new confirmation."""
    raw = f"{intake.scheduled_at.isoformat()}|{intake.mode}|{intake.place}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _channel(*, email: str, phone: str, preferred: str = "") -> str | None:
    """The preferred channel if the person can be reached by it, else whichever works."""
    if preferred == Channel.SMS and phone:
        return Channel.SMS
    if preferred == Channel.EMAIL and email:
        return Channel.EMAIL
    if email:
        return Channel.EMAIL
    if phone:
        return Channel.SMS
    return None


def notify_intake_scheduled(*, intake: Intake) -> Confirmation:
    """Queue the confirmation of the intake's current appointment, by e-mail or SMS depending
    on the contact data the person gave. Call inside the scheduling service's transaction."""
    if intake.status != IntakeStatus.SCHEDULED or intake.scheduled_at <= timezone.now():
        return Confirmation.NOT_UPCOMING
    participant = intake.participant
    recipient: dict[str, Any]
    if participant is not None:
        contact = getattr(participant, "contact", None)
        if contact is None:
            return Confirmation.NO_CONTACT
        channel = _channel(
            email=contact.email, phone=contact.phone, preferred=contact.preferred_channel
        )
        recipient = {"recipient_participant": participant}
        who = f"p:{participant.public_id}"
    elif intake.enquiry is not None:
        enquiry = intake.enquiry
        channel = _channel(email=enquiry.email, phone=enquiry.phone)
        recipient = {"recipient_enquiry": enquiry}
        who = f"e:{enquiry.public_id}"
    else:
        return Confirmation.NO_CONTACT
    if channel is None:
        return Confirmation.NO_CONTACT
    version = appointment_version(intake)
    queued = notification_queue(
        template=TEMPLATE,
        channel=channel,
        organisation=intake.organisation,
        context={"intake": str(intake.public_id), "version": version},
        dedupe_key=f"{TEMPLATE}:{intake.public_id}:{version}:{who}",
        **recipient,
    )
    return Confirmation.QUEUED if queued is not None else Confirmation.ALREADY_SENT


def _intake_context(notification: Notification) -> dict[str, Any]:
    intake = Intake.objects.select_related("organisation", "enquiry", "participant__contact").get(
        public_id=notification.context["intake"]
    )
    if intake.status != IntakeStatus.SCHEDULED or appointment_version(
        intake
    ) != notification.context.get("version"):
        # Cancelled, recorded or moved since: a newer confirmation (or none) applies.
        raise NotificationObsolete("the appointment changed")
    contact = getattr(intake.participant, "contact", None) if intake.participant else None
    first_name = (
        contact.first_name if contact else (intake.enquiry.first_name if intake.enquiry else "")
    )
    return {
        "intake": intake,
        "organisation": intake.organisation,
        "first_name": first_name,
        "starts_at": timezone.localtime(intake.scheduled_at),
        "mode": intake.mode,
    }


register_context_builder(TEMPLATE, _intake_context)
