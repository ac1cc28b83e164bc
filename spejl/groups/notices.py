"""Telling participants and facilitators when a meeting is moved or cancelled.

Messages go through the notifications outbox (``spejl.notifications``): one per person per
change (the meeting's ``sequence`` is part of the key), so nothing is sent twice.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from spejl.enrolments.models import Enrolment, EnrolmentState
from spejl.groups.models import Meeting
from spejl.notifications.models import Notification
from spejl.notifications.services import notification_queue, register_context_builder
from spejl.participants.models import Channel

MEETING_TEMPLATES = ("meeting_moved", "meeting_cancelled")


def notify_meeting_change(*, meeting: Meeting, template: str) -> int:
    """Queue a message about this version of the meeting to every enrolled participant (by
    their preferred channel) and to the group's facilitators (by e-mail). Returns how many."""
    assert template in MEETING_TEMPLATES
    group = meeting.group
    context = {"meeting": str(meeting.public_id), "sequence": meeting.sequence}
    queued = 0
    enrolments = Enrolment.objects.filter(
        group=group, state=EnrolmentState.ENROLLED
    ).select_related("participant__contact")
    for enrolment in enrolments:
        participant = enrolment.participant
        contact = getattr(participant, "contact", None)
        channel = contact.preferred_channel if contact else Channel.EMAIL
        key = f"{template}:{meeting.public_id}:{meeting.sequence}:p:{participant.public_id}"
        if notification_queue(
            template=template,
            channel=channel,
            recipient_participant=participant,
            organisation=group.organisation,
            context=context,
            dedupe_key=key,
        ):
            queued += 1
    for assignment in group.facilitations.select_related("facilitator__user"):
        user = assignment.facilitator.user
        key = f"{template}:{meeting.public_id}:{meeting.sequence}:u:{user.public_id}"
        if notification_queue(
            template=template,
            channel=Channel.EMAIL,
            recipient_user=user,
            organisation=group.organisation,
            context=context,
            dedupe_key=key,
        ):
            queued += 1
    return queued


def _meeting_context(notification: Notification) -> dict[str, Any]:
    meeting = Meeting.objects.select_related("group", "venue__postcode").get(
        public_id=notification.context["meeting"]
    )
    participant = notification.recipient_participant
    contact = getattr(participant, "contact", None) if participant else None
    user = notification.recipient_user
    return {
        "meeting": meeting,
        "group": meeting.group,
        "starts_at": timezone.localtime(meeting.starts_at),
        "first_name": contact.first_name if contact else (user.full_name if user else ""),
    }


for _template in MEETING_TEMPLATES:
    register_context_builder(_template, _meeting_context)
