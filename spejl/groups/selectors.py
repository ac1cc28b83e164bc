"""Reads of groups, meetings, rosters and attendance, scoped to the acting user.

Rosters show participants' names and how to reach them: those reads are audited.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from spejl.access.actor import Actor, NotFound
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.enrolments.models import ROSTER_STATES, SEAT_STATES, Enrolment, EnrolmentState
from spejl.groups.models import (
    Attendance,
    AttendanceStatus,
    GroupFacilitator,
    GroupStatus,
    Meeting,
    MeetingLog,
    MeetingStatus,
    PeerGroup,
)
from spejl.groups.permissions import check_can_view_group
from spejl.web.text import danish, danish_sort_key, search_any

ROSTER_FIELDS = ("first_name", "last_name", "phone", "email")


def _count(qs: QuerySet[Any], key: str) -> Coalesce:
    """A correlated COUNT(*) subquery, so several counts never multiply each other."""
    counted = qs.order_by().values(key).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _visible_groups(actor: Actor) -> QuerySet[PeerGroup]:
    qs = PeerGroup.objects.all()
    if actor.is_national_admin or actor.is_system:
        return qs
    if actor.user is None:
        return qs.none()
    return qs.filter(
        Q(organisation__in=actor.coordinator_of)
        | Q(
            organisation__in=actor.facilitator_of,
            facilitations__facilitator__user=actor.user,
        )
    ).distinct()


@dataclass(frozen=True)
class GroupFilter:
    status: str = ""
    target: str = ""
    region: str = ""
    organisation_id: int | None = None
    search: str = ""


def groups_for_actor(*, actor: Actor, filters: GroupFilter | None = None) -> QuerySet[PeerGroup]:
    """Groups the actor may see, each annotated with ``seats_taken``, ``next_meeting_at``,
    ``marks_total`` and ``marks_present`` — a fixed number of queries however many groups.
    No personal data."""
    filters = filters or GroupFilter()
    if not actor.is_staff or (
        actor.is_evaluator and not actor.is_national_admin and not actor.member_of
    ):
        raise NotFound
    now = timezone.now()
    qs = _visible_groups(actor)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.target:
        qs = qs.filter(target=filters.target)
    if filters.region:
        qs = qs.filter(organisation__region=filters.region)
    if filters.organisation_id:
        qs = qs.filter(organisation_id=filters.organisation_id)
    qs = search_any(qs, ["title"], filters.search)
    next_meeting = (
        Meeting.objects.filter(group=OuterRef("pk"), starts_at__gte=now)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    return (
        qs.select_related("organisation", "venue__postcode")
        .annotate(
            seats_taken=_count(
                Enrolment.objects.filter(group=OuterRef("pk"), state__in=SEAT_STATES), "group"
            ),
            marks_total=_count(
                Attendance.objects.filter(meeting__group=OuterRef("pk")), "meeting__group"
            ),
            marks_present=_count(
                Attendance.objects.filter(
                    meeting__group=OuterRef("pk"), status=AttendanceStatus.PRESENT
                ),
                "meeting__group",
            ),
            next_meeting_at=Subquery(next_meeting),
        )
        .annotate(seats_free=Greatest(F("max_participants") - F("seats_taken"), Value(0)))
        .order_by(danish("organisation__name"), "first_date", "title")
    )


def group_get_for_actor(*, actor: Actor, public_id: str) -> PeerGroup:
    """The group, or :class:`NotFound` if the actor may not see it."""
    group = (
        PeerGroup.objects.select_related("organisation", "venue__postcode", "course_plan")
        .filter(public_id=public_id)
        .first()
    )
    if group is None:
        raise NotFound
    check_can_view_group(actor, group)
    return group


def meeting_get_for_actor(*, actor: Actor, public_id: str) -> Meeting:
    """The meeting, or :class:`NotFound` if the actor may not see its group."""
    meeting = (
        Meeting.objects.select_related(
            "group__organisation", "group__venue__postcode", "venue__postcode"
        )
        .filter(public_id=public_id)
        .first()
    )
    if meeting is None:
        raise NotFound
    check_can_view_group(actor, meeting.group)
    return meeting


def group_facilitators(*, group: PeerGroup) -> list[GroupFacilitator]:
    """The group's facilitators (staff names; not participants' data)."""
    return list(
        group.facilitations.select_related("facilitator__user").order_by(
            danish("facilitator__user__full_name")
        )
    )


@dataclass(frozen=True)
class RosterRow:
    enrolment: Enrolment
    first_name: str
    last_name: str
    phone: str
    email: str


def _by_first_name(enrolments: QuerySet[Enrolment]) -> list[Enrolment]:
    """Enrolments in Danish alphabetical order of first name, then code. Names are encrypted
    at rest, so the database cannot sort them: this sorts the (small) roster in Python."""

    def key(enrolment: Enrolment) -> tuple[str, str]:
        contact = getattr(enrolment.participant, "contact", None)
        name = contact.first_name if contact else ""
        return (danish_sort_key(name), enrolment.participant.code)

    return sorted(enrolments, key=key)


def group_roster(*, actor: Actor, group: PeerGroup, purpose: str) -> list[RosterRow]:
    """The group's participants with the contact details the actor's role needs.

    Facilitators get first names and how to reach people; coordinators also last names.
    Audited read of contact data.
    """
    check_can_view_group(actor, group)
    enrolments = Enrolment.objects.filter(group=group, state__in=ROSTER_STATES).select_related(
        "participant__contact"
    )
    show_last_name = actor.coordinates(group.organisation_id)
    rows = []
    for enrolment in _by_first_name(enrolments):
        contact = getattr(enrolment.participant, "contact", None)
        rows.append(
            RosterRow(
                enrolment=enrolment,
                first_name=contact.first_name if contact else enrolment.participant.code,
                last_name=contact.last_name if contact and show_last_name else "",
                phone=contact.phone if contact else "",
                email=contact.email if contact else "",
            )
        )
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        obj=group,
        organisation=group.organisation,
        fields=ROSTER_FIELDS if show_last_name else ("first_name", "phone", "email"),
        purpose=purpose,
    )
    return rows


@dataclass
class AttendanceGrid:
    meetings: list[Meeting]
    rows: list[tuple[RosterRow, list[Attendance | None]]] = field(default_factory=list)


def attendance_grid(*, group: PeerGroup, roster: list[RosterRow]) -> AttendanceGrid:
    """Marks per participant (rows) and meeting (columns); two queries."""
    meetings = list(group.meetings.order_by("number"))
    marks: dict[tuple[int, int], Attendance] = {
        (a.enrolment_id, a.meeting_id): a for a in Attendance.objects.filter(meeting__group=group)
    }
    grid = AttendanceGrid(meetings=meetings)
    for row in roster:
        grid.rows.append((row, [marks.get((row.enrolment.pk, m.pk)) for m in meetings]))
    return grid


def meeting_marks(*, meeting: Meeting) -> dict[int, Attendance]:
    """The meeting's marks by enrolment id."""
    return {a.enrolment_id: a for a in Attendance.objects.filter(meeting=meeting)}


def meetings_today_for_actor(*, actor: Actor, today: date | None = None) -> list[Meeting]:
    """Today's meetings of the groups the actor facilitates (or coordinates)."""
    today = today or timezone.localdate()
    start = datetime.combine(today, time.min, tzinfo=timezone.get_current_timezone())
    end = datetime.combine(today + timedelta(days=1), time.min, tzinfo=start.tzinfo)
    return list(
        Meeting.objects.filter(
            group__in=_visible_groups(actor), starts_at__gte=start, starts_at__lt=end
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("group", "venue__postcode")
        .order_by("starts_at")
    )


@dataclass(frozen=True)
class AbsenceNotice:
    group: PeerGroup
    enrolment: Enrolment
    meetings: tuple[Meeting, Meeting]


def absence_notices_for_actor(*, actor: Actor) -> list[AbsenceNotice]:
    """Participants absent from the last two held meetings of a running group, for the
    coordinators of its organisation. Shows participant codes only (no contact data)."""
    running = PeerGroup.objects.filter(status=GroupStatus.RUNNING)
    if not actor.is_national_admin:
        running = running.filter(organisation__in=actor.coordinator_of)
    groups = list(running.select_related("organisation"))
    if not groups:
        return []
    now = timezone.now()
    last_two: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in (
        Meeting.objects.filter(group__in=groups, starts_at__lte=now)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("group_id", "-starts_at")
    ):
        if len(last_two[meeting.group_id]) < 2:
            last_two[meeting.group_id].append(meeting)
    meeting_ids = [m.pk for ms in last_two.values() if len(ms) == 2 for m in ms]
    absences: dict[tuple[int, int], int] = defaultdict(int)
    enrolments: dict[int, Enrolment] = {}
    for attendance in Attendance.objects.filter(
        meeting_id__in=meeting_ids,
        status=AttendanceStatus.ABSENT,
        enrolment__state=EnrolmentState.ENROLLED,
    ).select_related("enrolment__participant", "meeting"):
        absences[(attendance.meeting.group_id, attendance.enrolment_id)] += 1
        enrolments[attendance.enrolment_id] = attendance.enrolment
    by_id = {g.pk: g for g in groups}
    notices = [
        AbsenceNotice(
            group=by_id[group_id],
            enrolment=enrolments[enrolment_id],
            meetings=(last_two[group_id][1], last_two[group_id][0]),
        )
        for (group_id, enrolment_id), count in absences.items()
        if count == 2
    ]
    return sorted(notices, key=lambda n: (n.group.title, n.enrolment.participant.code))


def contact_requests_for_actor(*, actor: Actor, days: int = 30) -> list[MeetingLog]:
    """Meeting logs of the last ``days`` days in which facilitators asked the coordinator to
    get in touch (a concern for a participant). Shows no names or notes."""
    since = timezone.now() - timedelta(days=days)
    logs = MeetingLog.objects.filter(contact_coordinator=True, meeting__starts_at__gte=since)
    if not actor.is_national_admin:
        logs = logs.filter(meeting__group__organisation__in=actor.coordinator_of)
    return list(logs.select_related("meeting__group").order_by("-meeting__starts_at")[:20])


def facilitator_candidates(
    *, actor: Actor, group: PeerGroup
) -> tuple[QuerySet[Any], dict[int, str]]:
    """The organisation's facilitators not yet on the group, with a label naming their training
    status, for the coordinator's choice. Reads only: a profile is made (by the facilitators
    service) when one is assigned. Staff names only, no participant data."""
    from spejl.accounts.models import Role, User
    from spejl.facilitators.policies import training_status

    check_can_view_group(actor, group)
    users = (
        User.objects.filter(
            memberships__role=Role.FACILITATOR, memberships__organisation=group.organisation
        )
        .exclude(facilitator_profile__facilitations__group=group)
        .select_related("facilitator_profile")
        .prefetch_related("facilitator_profile__training_records")
        .order_by(danish("full_name"))
        .distinct()
    )
    today = timezone.localdate()
    labels = {}
    for user in users:
        profile = getattr(user, "facilitator_profile", None)
        records = profile.training_records.all() if profile else []
        labels[user.pk] = f"{user.full_name} — {training_status(records, today=today).label}"
    return users, labels
