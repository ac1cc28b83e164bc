"""Demo groups: facilitators with training (some expired), groups in every status, participants
with invented contact data, past meetings with attendance and logs. Idempotent and
deterministic (a fixed random seed), so every demo looks the same.
"""

from __future__ import annotations

import itertools
import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from spejl.accounts.models import Membership, Role, User
from spejl.courseplans.models import CoursePlan, CoursePlanStatus
from spejl.enrolments.models import Enrolment, EnrolmentState, EnrolmentTransition
from spejl.facilitators.models import FacilitatorProfile, SupervisionSession, TrainingRecord
from spejl.groups.models import (
    AbsenceReason,
    Attendance,
    AttendanceStatus,
    GroupFacilitator,
    GroupStatus,
    GroupStatusChange,
    Meeting,
    MeetingLog,
    PeerGroup,
    Target,
)
from spejl.groups.services import local_zone, schedule_for_group
from spejl.organisations.models import Organisation, OrganisationKind
from spejl.participants.models import Channel, Contact, Participant
from spejl.web.demo import demo_user

PARTICIPANT_NAMES = [
    "Agnete",
    "Benny",
    "Camilla",
    "Dorte",
    "Egon",
    "Freja",
    "Gunnar",
    "Helle",
    "Ib",
    "Jytte",
    "Kasper",
    "Lone",
    "Mads",
    "Nanna",
    "Oskar",
    "Poul",
    "Rikke",
    "Svend",
    "Tove",
    "Villads",
    "Yvonne",
    "Æbelina",
    "Øjvind",
    "Åge",
    "Maja",
    "Emil",
    "Sofie",
    "Noah",
    "Ida",
    "Lukas",
]
SECOND_FACILITATORS = [
    "Merete Skov",
    "Flemming Bach",
    "Lis Krogh",
    "Preben Vang",
    "Grethe Ravn",
    "Kurt Lauridsen",
]


def _facilitators(organisation: Organisation, index: int, today: date) -> list[FacilitatorProfile]:
    """Two facilitators per organisation; every fourth organisation has one whose training
    expired, every seventh one with no training recorded."""
    first = User.objects.get(email=f"facilitator.{organisation.slug}@spejl.demo")
    email = f"facilitator2.{organisation.slug}@spejl.demo"
    second = demo_user(email, SECOND_FACILITATORS[index % len(SECOND_FACILITATORS)])
    Membership.objects.get_or_create(user=second, role=Role.FACILITATOR, organisation=organisation)
    profiles = []
    for number, user in enumerate((first, second)):
        profile, created = FacilitatorProfile.objects.get_or_create(
            user=user, defaults={"phone": f"+45 70 00 {index:02d} {number:02d}"}
        )
        profiles.append(profile)
        if not created:
            continue
        if number == 1 and index % 7 == 3:
            continue  # no training recorded
        expired = number == 1 and index % 4 == 1
        completed = today - timedelta(days=900 if expired else 200 + 10 * index)
        TrainingRecord.objects.create(
            facilitator=profile,
            course_name="Tovholderuddannelse: selvhjælpsgrupper mod ensomhed",
            provider="Frivilligcentre & Selvhjælp Danmark",
            completed_on=completed,
            valid_until=completed + timedelta(days=730),
            certificate_note="Kursusbevis udleveret",
        )
        SupervisionSession.objects.create(
            facilitator=profile,
            organisation=organisation,
            held_on=today - timedelta(days=30 + number * 45),
            supervisor="Kirsten Holm, supervisor",
            note="Fælles supervision for tovholdere.",
        )
    return profiles


def _enrol(group: PeerGroup, rng: random.Random, names: list[str], state: str) -> Enrolment:
    participant = Participant.objects.create(organisation=group.organisation)
    name = names.pop(0) if names else rng.choice(PARTICIPANT_NAMES)
    Contact.objects.create(
        participant=participant,
        first_name=name,
        last_name=rng.choice(["Hansen", "Friis", "Holm", "Lund", "Berg", "Skov", "Mølgaard"]),
        phone=f"+45 99 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        email=f"{name.lower()}.{participant.code[-4:].lower()}@example.org",
        postcode=group.organisation.postcode,
        preferred_channel=rng.choice([Channel.EMAIL, Channel.EMAIL, Channel.SMS]),
    )
    enrolment = Enrolment.objects.create(
        participant=participant, organisation=group.organisation, group=group, state=state
    )
    # The history every place has: waiting, an offer, accepted (and, later, completed).
    path = ["", "waitlisted", "offered", "enrolled"] + (
        ["completed"] if state == "completed" else []
    )
    for before, after in itertools.pairwise(path):
        EnrolmentTransition.objects.create(
            enrolment=enrolment,
            group=group if after != "waitlisted" else None,
            from_state=before,
            to_state=after,
            reason="demo",
        )
    return enrolment


def _group(
    organisation: Organisation,
    *,
    title: str,
    status: str,
    first_date: date,
    weekday: int,
    plan: CoursePlan | None,
    facilitators: list[FacilitatorProfile],
    target: str = Target.ADULTS,
) -> tuple[PeerGroup, bool]:
    venue = organisation.venues.order_by("name").first()
    assert venue is not None
    group, created = PeerGroup.objects.get_or_create(
        organisation=organisation,
        title=title,
        defaults={
            "venue": venue,
            "target": target,
            "status": status,
            "weekday": weekday,
            "start_time": time(17, 0) if weekday < 4 else time(10, 0),
            "first_date": first_date,
            "course_plan": plan,
            "max_participants": 6 if target == Target.YOUTH else 8,
        },
    )
    if not created:
        return group, False
    GroupStatusChange.objects.create(group=group, from_status="", to_status=status)
    for profile in facilitators:
        GroupFacilitator.objects.create(group=group, facilitator=profile)
    schedule = schedule_for_group(group, excluded_dates=frozenset())
    themes = {m.number: m for m in plan.meetings.all()} if plan else {}
    zone = local_zone()
    for planned in schedule.meetings:
        theme = themes.get(planned.number)
        Meeting.objects.create(
            group=group,
            number=planned.number,
            starts_at=datetime.combine(planned.date, planned.start_time, tzinfo=zone),
            ends_at=datetime.combine(planned.date, planned.end_time, tzinfo=zone),
            venue=venue,
            theme_da=theme.theme_da if theme else "",
            theme_en=theme.theme_en if theme else "",
            guide_da=theme.guide_da if theme else "",
            guide_en=theme.guide_en if theme else "",
        )
    return group, True


def _attendance(group: PeerGroup, enrolments: list[Enrolment], rng: random.Random) -> None:
    now = timezone.now()
    for meeting in group.meetings.filter(starts_at__lte=now).order_by("number"):
        for enrolment in enrolments:
            present = rng.random() < 0.84
            Attendance.objects.create(
                meeting=meeting,
                enrolment=enrolment,
                status=AttendanceStatus.PRESENT if present else AttendanceStatus.ABSENT,
                absence_reason=""
                if present
                else rng.choice([AbsenceReason.ILL, AbsenceReason.INFORMED, AbsenceReason.NO_SHOW]),
            )
        MeetingLog.objects.create(
            meeting=meeting,
            theme_covered=meeting.theme_da or "Samtale",
            atmosphere=rng.choice([3, 4, 4, 5]),
            concern=rng.random() < 0.08,
            contact_coordinator=False,
        )


def seed_groups() -> int:
    """Create the demo groups; returns how many were new."""
    rng = random.Random(20261127)  # noqa: S311 - seeded demo data, not security  # nosec B311
    today = timezone.localdate()
    plan = CoursePlan.objects.filter(
        code="national-default", status=CoursePlanStatus.PUBLISHED
    ).first()
    created_count = 0
    members = Organisation.objects.filter(kind=OrganisationKind.MEMBER).order_by("slug")
    for index, organisation in enumerate(members):
        facilitators = _facilitators(organisation, index, today)
        names = PARTICIPANT_NAMES[index:] + PARTICIPANT_NAMES[:index]
        running, created = _group(
            # Meets on today's weekday, so the demo facilitator has a meeting "today".
            organisation,
            title=f"Aftengruppen i {organisation.municipality}",
            status=GroupStatus.RUNNING,
            first_date=today - timedelta(weeks=4),
            weekday=today.weekday(),
            plan=plan,
            facilitators=facilitators,
        )
        if created:
            created_count += 1
            enrolments = [
                _enrol(running, rng, names, EnrolmentState.ENROLLED) for _ in range(5 + index % 3)
            ]
            _attendance(running, enrolments, rng)
        recruiting, created = _group(
            organisation,
            title=f"Torsdagsgruppen i {organisation.municipality}",
            status=GroupStatus.RECRUITING,
            first_date=today + timedelta(weeks=3),
            weekday=3,
            plan=plan,
            facilitators=facilitators[:1],
            target=Target.YOUTH if index % 3 == 0 else Target.ADULTS,
        )
        if created:
            created_count += 1
            for _ in range(2 + index % 3):
                _enrol(recruiting, rng, names, EnrolmentState.ENROLLED)
        if index % 2 == 0:
            completed, created = _group(
                organisation,
                title=f"Forårsgruppen i {organisation.municipality}",
                status=GroupStatus.COMPLETED,
                first_date=today - timedelta(weeks=26),
                weekday=2,
                plan=plan,
                facilitators=facilitators,
            )
            if created:
                created_count += 1
                enrolments = [
                    _enrol(completed, rng, names, EnrolmentState.COMPLETED) for _ in range(6)
                ]
                _attendance(completed, enrolments, rng)
        if index % 5 == 0:
            _group(
                organisation,
                title=f"Eftermiddagsgruppen i {organisation.municipality}",
                status=GroupStatus.PLANNING,
                first_date=today + timedelta(weeks=10),
                weekday=1,
                plan=plan,
                facilitators=[],
            )
        if index % 7 == 2:
            cancelled, created = _group(
                organisation,
                title=f"Weekendgruppen i {organisation.municipality}",
                status=GroupStatus.CANCELLED,
                first_date=today + timedelta(weeks=2),
                weekday=5,
                plan=plan,
                facilitators=[],
            )
            if created:
                GroupStatusChange.objects.create(
                    group=cancelled,
                    from_status=GroupStatus.RECRUITING,
                    to_status=GroupStatus.CANCELLED,
                    reason="For få tilmeldte",
                )
    return created_count
