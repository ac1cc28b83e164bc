"""Marking attendance and writing the meeting log: the facilitator's phone work.

Each mark is saved on its own and marking again replaces it, so a dropped connection loses at
most the tap in flight and a repeated tap changes nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spejl.access.actor import Actor, NotFound
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.enrolments.models import ROSTER_STATES, Enrolment
from spejl.groups.models import (
    AbsenceReason,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingLog,
    MeetingStatus,
)
from spejl.groups.permissions import can_run_meetings


def _check_can_run(actor: Actor, meeting: Meeting) -> None:
    if not can_run_meetings(actor, meeting.group):
        raise NotFound


@transaction.atomic
def attendance_mark(
    *,
    actor: Actor,
    meeting: Meeting,
    enrolment_id: str,
    status: str,
    absence_reason: str = "",
) -> Attendance:
    """Mark one participant present or absent (with an optional reason) at a meeting."""
    _check_can_run(actor, meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("The meeting was cancelled; there is no attendance to mark."))
    if timezone.localdate(meeting.starts_at) > timezone.localdate():
        raise ValidationError(_("Attendance can be marked on the day of the meeting or later."))
    if status not in AttendanceStatus.values:
        raise ValidationError(_("Choose present or absent."))
    if status == AttendanceStatus.PRESENT:
        absence_reason = ""
    elif absence_reason and absence_reason not in AbsenceReason.values:
        raise ValidationError(_("Choose a reason from the list."))
    enrolment = Enrolment.objects.filter(
        public_id=enrolment_id, group=meeting.group, state__in=ROSTER_STATES
    ).first()
    if enrolment is None:
        raise NotFound
    attendance, _created = Attendance.objects.update_or_create(
        meeting=meeting,
        enrolment=enrolment,
        defaults={"status": status, "absence_reason": absence_reason, "marked_by": actor.user},
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=enrolment.participant,
        organisation=meeting.group.organisation,
        fields=("attendance",),
        purpose="attendance marked",
    )
    return attendance


@transaction.atomic
def meeting_log_save(
    *,
    actor: Actor,
    meeting: Meeting,
    theme_covered: str,
    atmosphere: int,
    concern: bool,
    contact_coordinator: bool,
    note: str,
) -> MeetingLog:
    """Write (or rewrite) the facilitators' log of a meeting that has taken place."""
    _check_can_run(actor, meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("The meeting was cancelled; there is nothing to log."))
    if meeting.starts_at > timezone.now():
        raise ValidationError(_("The log is written after the meeting has started."))
    log, _created = MeetingLog.objects.update_or_create(
        meeting=meeting,
        defaults={
            "theme_covered": theme_covered.strip(),
            "atmosphere": atmosphere,
            "concern": concern,
            "contact_coordinator": contact_coordinator,
            "note": note.strip(),
            "written_by": actor.user,
        },
    )
    log.full_clean()
    return log
