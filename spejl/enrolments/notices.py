"""Messages about places: an offer with its secure link, and the participant's page link.

The secure link is made when the message is sent (tokens are never stored), so a retried
message carries a fresh link and the earlier one stops working.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from spejl.enrolments.models import Enrolment
from spejl.links.models import LinkPurpose
from spejl.links.services import link_create, links_revoke
from spejl.notifications.models import Notification
from spejl.notifications.services import (
    NotificationObsolete,
    notification_queue,
    register_context_builder,
)
from spejl.participants.models import Channel, Participant


def _channel(participant: Participant) -> str:
    contact = getattr(participant, "contact", None)
    return contact.preferred_channel if contact else Channel.EMAIL


def notify_offer(*, enrolment: Enrolment) -> None:
    """Queue the offer message (once per offer)."""
    assert enrolment.offered_at is not None
    notification_queue(
        template="offer_made",
        channel=_channel(enrolment.participant),
        recipient_participant=enrolment.participant,
        organisation=enrolment.organisation,
        context={"enrolment": str(enrolment.public_id)},
        dedupe_key=f"offer:{enrolment.public_id}:{enrolment.offered_at.isoformat()}",
    )


def send_participant_page_link(*, participant: Participant, reason: str) -> None:
    """Queue a message with a link to the participant's own page."""
    notification_queue(
        template="participant_page",
        channel=_channel(participant),
        recipient_participant=participant,
        organisation=participant.organisation,
        context={"reason": reason},
        dedupe_key=f"page:{participant.public_id}:{timezone.now().isoformat()}",
    )


def _absolute(path: str) -> str:
    return settings.SPEJL_BASE_URL.rstrip("/") + path


def _offer_context(notification: Notification) -> dict[str, Any]:
    enrolment = Enrolment.objects.select_related(
        "group__venue__postcode", "participant__contact", "organisation"
    ).get(public_id=notification.context["enrolment"])
    if enrolment.state != "offered":
        raise NotificationObsolete("the offer was already answered")
    links_revoke(
        participant=enrolment.participant, purposes=[LinkPurpose.OFFER], enrolment=enrolment
    )
    token = link_create(
        purpose=LinkPurpose.OFFER,
        participant=enrolment.participant,
        enrolment=enrolment,
        expires_at=enrolment.offer_expires_at,
    )
    group = enrolment.group
    assert group is not None
    first = group.meetings.exclude(status="cancelled").order_by("starts_at").first()
    return {
        "first_name": enrolment.participant.contact.first_name,
        "group": group,
        "first_meeting": timezone.localtime(first.starts_at) if first else None,
        "expires": timezone.localtime(enrolment.offer_expires_at)
        if enrolment.offer_expires_at
        else None,
        "link": _absolute(reverse("participants:offer", kwargs={"token": token})),
        "organisation": enrolment.organisation,
    }


def _page_context(notification: Notification) -> dict[str, Any]:
    participant = notification.recipient_participant
    assert participant is not None
    links_revoke(participant=participant, purposes=[LinkPurpose.PARTICIPANT_PAGE])
    token = link_create(purpose=LinkPurpose.PARTICIPANT_PAGE, participant=participant)
    return {
        "first_name": participant.contact.first_name,
        "link": _absolute(reverse("participants:page", kwargs={"token": token})),
        "organisation": participant.organisation,
    }


register_context_builder("offer_made", _offer_context)
register_context_builder("participant_page", _page_context)
