"""The optimiser's input, read from the database: the organisations' waiting participants
(with what the intake conversation learnt about their times, travel, wishes and needs) and
the groups that can take people, as the pure core's plain dataclasses.

Ids passed to the solver are public ids (enrolments for people, groups for groups); no names
or contact data enter it. Reading the participants' postcodes (contact data) is audited by the
caller (``services.proposal_create``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import time

from django.db.models import Count, Q
from django.utils import timezone

from spejl.core.formation.model import Group, Instance, Pair, PartOfDay, Person, Weights
from spejl.enrolments.models import SEAT_STATES, Enrolment, EnrolmentState
from spejl.formation.models import PlacementPair
from spejl.groups.models import GroupStatus, PeerGroup
from spejl.intake.models import Intake
from spejl.intake.policies import WEEKDAYS
from spejl.organisations.models import Organisation

#: Used when the intake did not record how far the person can travel.
DEFAULT_MAX_TRAVEL_KM = 15
#: Groups that can take people: recruiting, and planned ones (open only at their minimum).
OPEN_STATUSES = (GroupStatus.RECRUITING, GroupStatus.PLANNING)
_DAY_INDEX = {code: index for index, (code, _label) in enumerate(WEEKDAYS)}


def part_of_day(start: time) -> PartOfDay:
    """Morning before 12, afternoon before 17, evening after (the intake's time slots)."""
    if start.hour < 12:
        return "morning"
    if start.hour < 17:
        return "afternoon"
    return "evening"


def _availability(slots: list[str]) -> frozenset[tuple[int, PartOfDay]]:
    found: set[tuple[int, PartOfDay]] = set()
    for slot in slots:
        day, _dash, part = slot.partition("-")
        if day in _DAY_INDEX and part in ("morning", "afternoon", "evening"):
            found.add((_DAY_INDEX[day], part))  # type: ignore[arg-type]
    return frozenset(found)


@dataclass(frozen=True)
class Inputs:
    """The instance, the database rows behind its ids, and who could not be considered."""

    instance: Instance
    enrolments: dict[str, Enrolment]
    groups: dict[str, PeerGroup]
    #: Enrolment public id → why the person could not be considered (a reason code).
    not_considered: dict[str, str]


def _latest_intakes(participant_ids: list[int]) -> dict[int, Intake]:
    latest: dict[int, Intake] = {}
    for intake in Intake.objects.filter(participant_id__in=participant_ids).order_by(
        "participant_id", "scheduled_at", "pk"
    ):
        latest[intake.participant_id] = intake  # type: ignore[index]
    return latest


def inputs_for(
    organisations: list[Organisation],
    *,
    locks: frozenset[tuple[str, str]] = frozenset(),
    forbids: frozenset[tuple[str, str]] = frozenset(),
    weights: Weights | None = None,
) -> Inputs:
    """Build the instance for these organisations (a bounded number of queries)."""
    today = timezone.localdate()
    waiting = list(
        Enrolment.objects.filter(organisation__in=organisations, state=EnrolmentState.WAITLISTED)
        .select_related("participant__contact__postcode", "organisation")
        .order_by("waitlisted_at", "pk")
    )
    intakes = _latest_intakes([e.participant_id for e in waiting])
    people: list[Person] = []
    enrolments: dict[str, Enrolment] = {}
    not_considered: dict[str, str] = {}
    for enrolment in waiting:
        key = str(enrolment.public_id)
        contact = getattr(enrolment.participant, "contact", None)
        postcode = contact.postcode if contact is not None else None
        intake = intakes.get(enrolment.participant_id)
        if postcode is None:
            not_considered[key] = "no_postcode"
            continue
        if intake is None:
            not_considered[key] = "no_intake"
            continue
        availability = _availability(list(intake.preferred_times))
        if not availability:
            not_considered[key] = "no_times"
            continue
        birth_year = enrolment.participant.birth_year
        people.append(
            Person(
                id=key,
                lat=postcode.latitude,
                lon=postcode.longitude,
                availability=availability,
                max_travel_km=float(intake.max_travel_km or DEFAULT_MAX_TRAVEL_KM),
                targets=frozenset([intake.target]) if intake.target else frozenset({"adults"}),
                age=today.year - birth_year if birth_year else None,
                language=intake.language or "da",
                needs_step_free=intake.needs_step_free,
                gender=enrolment.participant.gender or None,
                wishes=frozenset(intake.group_wishes),
                days_waited=max(0, (today - timezone.localdate(enrolment.waitlisted_at)).days),
                organisation=enrolment.organisation.slug,
            )
        )
        enrolments[key] = enrolment
    groups = list(
        PeerGroup.objects.filter(organisation__in=organisations, status__in=OPEN_STATUSES)
        .select_related("venue", "organisation")
        .annotate(taken=Count("enrolments", filter=Q(enrolments__state__in=SEAT_STATES)))
        .order_by("pk")
    )
    members: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
    for group_id, gender, birth_year in Enrolment.objects.filter(
        group__in=groups, state__in=SEAT_STATES
    ).values_list("group_id", "participant__gender", "participant__birth_year"):
        members[group_id].append((gender, today.year - birth_year if birth_year else None))
    solver_groups: list[Group] = []
    group_rows: dict[str, PeerGroup] = {}
    for group in groups:
        key = str(group.public_id)
        age_min, age_max = group.age_band
        solver_groups.append(
            Group(
                id=key,
                lat=group.venue.latitude,
                lon=group.venue.longitude,
                weekday=group.weekday,
                part_of_day=part_of_day(group.start_time),
                target=group.target,
                min_size=group.min_participants,
                max_size=group.max_participants,
                taken=group.taken,
                planned=group.status == GroupStatus.PLANNING,
                age_min=age_min,
                age_max=age_max,
                language=group.language,
                step_free=group.venue.step_free_access,
                organisation=group.organisation.slug,
                member_genders=tuple(g for g, _a in members[group.pk] if g),
                member_ages=tuple(a for _g, a in members[group.pk] if a is not None),
            )
        )
        group_rows[key] = group
    by_participant = {e.participant_id: str(e.public_id) for e in enrolments.values()}
    pairs = tuple(
        Pair(a=by_participant[p.first_id], b=by_participant[p.second_id], together=p.together)
        for p in PlacementPair.objects.filter(
            first_id__in=list(by_participant), second_id__in=list(by_participant)
        ).order_by("pk")
    )
    known_people, known_groups = set(enrolments), set(group_rows)
    instance = Instance(
        people=tuple(people),
        groups=tuple(solver_groups),
        pairs=pairs,
        locks=frozenset((p, g) for p, g in locks if p in known_people and g in known_groups),
        forbids=frozenset((p, g) for p, g in forbids if p in known_people and g in known_groups),
        weights=weights or Weights(),
    )
    return Inputs(
        instance=instance,
        enrolments=enrolments,
        groups=group_rows,
        not_considered=not_considered,
    )
