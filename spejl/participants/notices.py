"""Message to facilitators when a participant sends word that they cannot come."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from spejl.groups.models import Meeting
from spejl.notifications.models import Notification
from spejl.notifications.services import register_context_builder
from spejl.participants.models import Participant


def _cannot_come_context(notification: Notification) -> dict[str, Any]:
    meeting = Meeting.objects.select_related("group").get(public_id=notification.context["meeting"])
    participant = Participant.objects.select_related("contact").get(
        public_id=notification.context["participant"]
    )
    user = notification.recipient_user
    return {
        "meeting": meeting,
        "starts_at": timezone.localtime(meeting.starts_at),
        "participant_first_name": participant.contact.first_name,
        "first_name": user.full_name if user else "",
    }


register_context_builder("cannot_come", _cannot_come_context)


def _erasure_requested_context(notification: Notification) -> dict[str, Any]:
    """The coordinator's message: the participant's code and the erasure page (no name)."""
    from django.conf import settings
    from django.urls import reverse

    participant = Participant.objects.get(public_id=notification.context["participant"])
    user = notification.recipient_user
    path = reverse("participants:erase", kwargs={"participant_id": participant.public_id})
    return {
        "code": participant.code,
        "url": settings.SPEJL_BASE_URL.rstrip("/") + path,
        "first_name": user.full_name if user else "",
    }


register_context_builder("erasure_requested", _erasure_requested_context)
