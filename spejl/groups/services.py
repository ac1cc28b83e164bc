"""Changes to groups and their schedules. Who may do it is checked first; state rules come
from ``policies``; every change that touches participants' data is audited."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from spejl.access.actor import Actor, NotFound
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.core.schedule import Schedule, ScheduleError, ScheduleRequest, generate_schedule
from spejl.courseplans.models import CoursePlanStatus
from spejl.facilitators.models import FacilitatorProfile
from spejl.facilitators.policies import needs_override, training_status
from spejl.groups import policies
from spejl.groups.models import (
    GroupFacilitator,
    GroupStatus,
    GroupStatusChange,
    Meeting,
    MeetingStatus,
    PeerGroup,
    Target,
)
from spejl.groups.permissions import check_can_manage_group
from spejl.organisations.models import Organisation, Venue

GROUP_FIELDS = (
    "title",
    "venue",
    "target",
    "age_min",
    "age_max",
    "language",
    "min_participants",
    "max_participants",
    "course_plan",
    "weekday",
    "start_time",
    "duration_minutes",
    "interval_weeks",
    "first_date",
)
#: A group has at most two facilitators, as the method prescribes.
MAX_FACILITATORS = 2


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _validate_group(group: PeerGroup) -> None:
    errors: dict[str, str] = {}
    if group.venue.organisation_id != group.organisation_id:
        errors["venue"] = _("Choose one of the organisation's own venues.")
    if group.min_participants > group.max_participants:
        errors["min_participants"] = _(
            "The number needed to start cannot be larger than the maximum."
        )
    if group.target == Target.CUSTOM:
        if group.age_min is None or group.age_max is None:
            errors["age_min"] = _("Give the youngest and oldest age for another age band.")
        elif group.age_min > group.age_max:
            errors["age_max"] = _("The oldest age must be at least the youngest age.")
        elif group.age_min < 16:
            errors["age_min"] = _("Groups are for people aged 16 or over.")
    else:
        group.age_min = group.age_max = None
    plan = group.course_plan
    if plan is not None:
        if plan.status == CoursePlanStatus.DRAFT:
            errors["course_plan"] = _("Choose a published course plan.")
        elif plan.organisation_id not in (None, group.organisation_id):
            errors["course_plan"] = _("Choose a national plan or one of the organisation's own.")
    if errors:
        raise ValidationError(errors)
    group.full_clean()


@transaction.atomic
def group_create(*, actor: Actor, organisation: Organisation, **data: Any) -> PeerGroup:
    """Create a group in *planning* for an organisation the actor coordinates."""
    if not actor.coordinates(organisation.pk):
        raise NotFound
    group = PeerGroup(organisation=organisation, **{k: data[k] for k in GROUP_FIELDS if k in data})
    _validate_group(group)
    group.save()
    GroupStatusChange.objects.create(
        group=group, from_status="", to_status=group.status, actor=actor.user, reason=""
    )
    return group


@transaction.atomic
def group_update(*, actor: Actor, group: PeerGroup, **data: Any) -> PeerGroup:
    """Change a group's details. Completed and cancelled groups are history: not editable."""
    check_can_manage_group(actor, group)
    if group.status in (GroupStatus.COMPLETED, GroupStatus.CANCELLED):
        raise ValidationError(_("A completed or cancelled group can no longer be changed."))
    for key in GROUP_FIELDS:
        if key in data:
            setattr(group, key, data[key])
    _validate_group(group)
    group.save()
    return group


@transaction.atomic
def group_change_status(
    *, actor: Actor, group: PeerGroup, to_status: str, reason: str = ""
) -> PeerGroup:
    """Move a group along its state machine; the change and its reason are recorded.

    Uses a conditional update (``WHERE status = old``) so two coordinators acting at once
    cannot both apply a change from the same state.
    """
    check_can_manage_group(actor, group)
    from_status = group.status
    if not policies.can_transition(from_status, to_status):
        raise ValidationError(
            _("A group cannot go from “%(old)s” to “%(new)s”.")
            % {"old": GroupStatus(from_status).label, "new": GroupStatus(to_status).label}
        )
    reason = reason.strip()
    if to_status in policies.NEEDS_REASON and not reason:
        raise ValidationError({"reason": _("Write a short reason for this change.")})
    if to_status == GroupStatus.RUNNING and not group.meetings.exists():
        raise ValidationError(_("Plan the meetings before the group starts running."))
    now = timezone.now()
    updated = PeerGroup.objects.filter(pk=group.pk, status=from_status).update(
        status=to_status, status_changed_at=now
    )
    if updated != 1:
        raise ValidationError(_("Someone else changed the group's status just now. Try again."))
    GroupStatusChange.objects.create(
        group=group, from_status=from_status, to_status=to_status, reason=reason, actor=actor.user
    )
    group.status, group.status_changed_at = to_status, now
    if to_status == GroupStatus.COMPLETED:
        from spejl.enrolments.services import enrolments_complete_for_group

        enrolments_complete_for_group(actor=actor, group=group)
    return group


@transaction.atomic
def group_set_reopened(*, actor: Actor, group: PeerGroup, reopened: bool, reason: str) -> None:
    """Open a running (closed) group for new participants, or close it again."""
    check_can_manage_group(actor, group)
    if reopened and not reason.strip():
        raise ValidationError({"reason": _("Write a short reason for reopening the group.")})
    PeerGroup.objects.filter(pk=group.pk).update(reopened=reopened)
    GroupStatusChange.objects.create(
        group=group,
        from_status=group.status,
        to_status=group.status,
        actor=actor.user,
        reason=(_("Reopened: %(reason)s") if reopened else _("Closed again: %(reason)s"))
        % {"reason": reason.strip() or "—"},
    )
    group.reopened = reopened


@transaction.atomic
def group_assign_facilitator(
    *,
    actor: Actor,
    group: PeerGroup,
    facilitator: FacilitatorProfile,
    override_reason: str = "",
    today: date | None = None,
) -> GroupFacilitator:
    """Assign a facilitator of the group's organisation. Missing or expired training needs
    an override reason, which is recorded and audited."""
    check_can_manage_group(actor, group)
    from spejl.accounts.models import Membership, Role

    if not Membership.objects.filter(
        user=facilitator.user, role=Role.FACILITATOR, organisation=group.organisation
    ).exists():
        raise NotFound
    if group.facilitations.filter(facilitator=facilitator).exists():
        raise ValidationError(_("This facilitator is already assigned to the group."))
    if group.facilitations.count() >= MAX_FACILITATORS:
        raise ValidationError(_("A group has two facilitators. Remove one first."))
    status = training_status(
        facilitator.training_records.all(), today=today or timezone.localdate()
    )
    override_reason = override_reason.strip()
    if needs_override(status) and not override_reason:
        raise ValidationError(
            {
                "override_reason": _(
                    "%(name)s has no valid training. To assign them anyway, write why."
                )
                % {"name": facilitator.user.full_name}
            }
        )
    assignment = GroupFacilitator.objects.create(
        group=group,
        facilitator=facilitator,
        override_reason=override_reason if needs_override(status) else "",
        assigned_by=actor.user,
    )
    if assignment.override_reason:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=assignment.facilitator,
            organisation=group.organisation,
            fields=("training_override",),
            purpose="facilitator assigned despite missing or expired training",
        )
    return assignment


@transaction.atomic
def group_remove_facilitator(*, actor: Actor, assignment: GroupFacilitator) -> None:
    """Take a facilitator off a group (their past attendance marks stay)."""
    check_can_manage_group(actor, assignment.group)
    assignment.delete()


def schedule_for_group(
    group: PeerGroup, *, excluded_dates: frozenset[date], count: int | None = None
) -> Schedule:
    """The meeting dates the group's rhythm gives, skipping holidays and excluded dates."""
    if count is None:
        count = group.course_plan.meetings.count() if group.course_plan else 10
    return generate_schedule(
        ScheduleRequest(
            start_date=group.first_date,
            weekday=group.weekday,
            start_time=group.start_time,
            duration_minutes=group.duration_minutes,
            count=count,
            interval_weeks=group.interval_weeks,
            excluded_dates=excluded_dates,
        )
    )


def schedule_error_message(error: ScheduleError) -> str:
    return error.message_en if (get_language() or "da").startswith("en") else error.message_da


@transaction.atomic
def group_plan_meetings(
    *,
    actor: Actor,
    group: PeerGroup,
    excluded_dates: frozenset[date] = frozenset(),
    count: int | None = None,
) -> list[Meeting]:
    """Create the group's meetings from its rhythm and course plan (themes copied in).

    Planning again replaces the meetings, but only while none has started: after that,
    single meetings are moved or cancelled instead.
    """
    check_can_manage_group(actor, group)
    now = timezone.now()
    if group.meetings.filter(starts_at__lte=now).exists():
        raise ValidationError(
            _("The group has already met. Move or cancel single meetings instead.")
        )
    try:
        schedule = schedule_for_group(group, excluded_dates=excluded_dates, count=count)
    except ScheduleError as error:
        raise ValidationError(schedule_error_message(error)) from error
    themes = {}
    if group.course_plan is not None:
        themes = {m.number: m for m in group.course_plan.meetings.all()}
    group.meetings.all().delete()
    zone = local_zone()
    meetings = []
    for planned in schedule.meetings:
        theme = themes.get(planned.number)
        meetings.append(
            Meeting(
                group=group,
                number=planned.number,
                starts_at=datetime.combine(planned.date, planned.start_time, tzinfo=zone),
                ends_at=datetime.combine(planned.date, planned.end_time, tzinfo=zone),
                venue=group.venue,
                theme_da=theme.theme_da if theme else "",
                theme_en=theme.theme_en if theme else "",
                guide_da=theme.guide_da if theme else "",
                guide_en=theme.guide_en if theme else "",
            )
        )
    return Meeting.objects.bulk_create(meetings)


@transaction.atomic
def meeting_move(
    *,
    actor: Actor,
    meeting: Meeting,
    starts_at: datetime,
    venue: Venue | None = None,
    reason: str,
) -> Meeting:
    """Move a meeting to another time (and place); participants and facilitators are told."""
    check_can_manage_group(actor, meeting.group)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("A cancelled meeting cannot be moved."))
    if not reason.strip():
        raise ValidationError({"reason": _("Write a short reason for the change.")})
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("Choose a time in the future.")})
    if venue is not None and venue.organisation_id != meeting.group.organisation_id:
        raise PermissionDenied
    duration = meeting.ends_at - meeting.starts_at
    meeting.starts_at = starts_at
    meeting.ends_at = starts_at + duration
    if venue is not None:
        meeting.venue = venue
    meeting.change_reason = reason.strip()
    meeting.sequence += 1
    meeting.save()
    _notify_meeting_change(meeting, "meeting_moved")
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: Actor, meeting: Meeting, reason: str) -> Meeting:
    """Cancel one meeting; participants and facilitators are told."""
    check_can_manage_group(actor, meeting.group)
    if meeting.status == MeetingStatus.CANCELLED:
        return meeting
    if not reason.strip():
        raise ValidationError({"reason": _("Write a short reason for the change.")})
    meeting.status = MeetingStatus.CANCELLED
    meeting.change_reason = reason.strip()
    meeting.sequence += 1
    meeting.save()
    _notify_meeting_change(meeting, "meeting_cancelled")
    return meeting


def _notify_meeting_change(meeting: Meeting, template: str) -> None:
    from spejl.groups.notices import notify_meeting_change

    notify_meeting_change(meeting=meeting, template=template)


def meeting_first_start(group: PeerGroup) -> datetime | None:
    first = (
        group.meetings.exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    return first


def default_first_date() -> date:
    return timezone.localdate() + timedelta(days=28)
