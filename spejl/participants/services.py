"""What participants do through their own secure page, and coordinators' participant actions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spejl.access.actor import Actor, NotFound
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.enrolments.models import Enrolment, EnrolmentState
from spejl.groups.models import (
    AbsenceReason,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
)
from spejl.notifications.services import notification_queue
from spejl.participants.models import Channel, Participant


@transaction.atomic
def participant_cannot_come(*, participant: Participant, meeting_id: str) -> Attendance:
    """The participant tells the facilitators they cannot come to an upcoming meeting: it is
    marked as absent with word sent, and the facilitators get a message (once)."""
    meeting = (
        Meeting.objects.select_related("group")
        .filter(
            public_id=meeting_id,
            group__enrolments__participant=participant,
            group__enrolments__state=EnrolmentState.ENROLLED,
        )
        .first()
    )
    if meeting is None:
        raise NotFound
    if meeting.status == MeetingStatus.CANCELLED or meeting.starts_at <= timezone.now():
        raise ValidationError(_("You can send word for meetings that have not yet taken place."))
    enrolment = Enrolment.objects.get(
        participant=participant, group=meeting.group, state=EnrolmentState.ENROLLED
    )
    attendance, _created = Attendance.objects.update_or_create(
        meeting=meeting,
        enrolment=enrolment,
        defaults={
            "status": AttendanceStatus.ABSENT,
            "absence_reason": AbsenceReason.INFORMED,
            "marked_by": None,
        },
    )
    audit_record(
        actor=Actor(user=None),
        action=AuditAction.UPDATE,
        obj=participant,
        organisation=participant.organisation,
        fields=("attendance",),
        purpose="participant sent word they cannot come",
    )
    for assignment in meeting.group.facilitations.select_related("facilitator__user"):
        notification_queue(
            template="cannot_come",
            channel=Channel.EMAIL,
            recipient_user=assignment.facilitator.user,
            organisation=meeting.group.organisation,
            context={"meeting": str(meeting.public_id), "participant": str(participant.public_id)},
            dedupe_key=f"cannot-come:{meeting.public_id}:{participant.public_id}:"
            f"{assignment.facilitator.public_id}",
        )
    return attendance


def participant_send_page_link(*, actor: Actor, participant: Participant) -> None:
    """A coordinator sends the participant a fresh link to their own page."""
    if not actor.coordinates(participant.organisation_id):
        raise NotFound
    from spejl.enrolments.notices import send_participant_page_link

    send_participant_page_link(participant=participant, reason="sent by coordinator")
