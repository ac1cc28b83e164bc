"""Demo data for placement proposals: in three organisations a longer waitlist — people from
the organisation's own and neighbouring postcodes, with the days and times they can come,
how far they can travel and a few wishes — a planned group that only starts with four, and
one pair who came together. Invented people; idempotent (an organisation with pairs is left
alone)."""

from __future__ import annotations

import random
from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone

from spejl.core.geo import Point, haversine_km
from spejl.enrolments.models import Enrolment, EnrolmentState, EnrolmentTransition
from spejl.formation.models import PlacementPair
from spejl.groups.models import GroupStatus, GroupStatusChange, PeerGroup, Target
from spejl.intake.models import Decision, Intake, IntakeMode, IntakeStatus
from spejl.organisations.models import Organisation, Postcode
from spejl.participants.models import Channel, Contact, Gender, Participant
from spejl.web.demo_groups import PARTICIPANT_NAMES

ORGANISATIONS = ("aarhus", "koebenhavn", "odense")
WAITING = 14


def _nearby_postcodes(organisation: Organisation, limit: int = 12) -> list[Postcode]:
    home = organisation.postcode
    assert home is not None
    centre = Point(home.latitude, home.longitude)
    candidates = Postcode.objects.filter(coordinate_source="postcode area")
    return sorted(
        candidates, key=lambda p: (haversine_km(centre, Point(p.latitude, p.longitude)), p.code)
    )[:limit]


def _waiting(
    organisation: Organisation, rng: random.Random, name: str, places: list[Postcode]
) -> Participant:
    participant = Participant.objects.create(
        organisation=organisation,
        birth_year=rng.randint(1940, 2004),
        gender=rng.choice([Gender.WOMAN, Gender.WOMAN, Gender.MAN, ""]),
    )
    Contact.objects.create(
        participant=participant,
        first_name=name,
        email=f"{name.lower()}.{participant.code[-4:].lower()}@example.org",
        postcode=rng.choice(places),
        preferred_channel=Channel.EMAIL,
    )
    days = rng.randint(5, 160)
    enrolment = Enrolment.objects.create(
        participant=participant, organisation=organisation, state=EnrolmentState.WAITLISTED
    )
    Enrolment.objects.filter(pk=enrolment.pk).update(
        waitlisted_at=timezone.now() - timedelta(days=days)
    )
    EnrolmentTransition.objects.create(enrolment=enrolment, to_state="waitlisted", reason="demo")
    slots = {
        f"{day}-{part}"
        for day in rng.sample(["mon", "tue", "wed", "thu", "fri"], k=rng.randint(1, 3))
        for part in rng.sample(["morning", "afternoon", "evening"], k=rng.randint(1, 2))
    }
    Intake.objects.create(
        organisation=organisation,
        participant=participant,
        scheduled_at=timezone.now() - timedelta(days=days + 4),
        mode=IntakeMode.PHONE,
        status=IntakeStatus.HELD,
        age_ok=True,
        target=Target.ADULTS,
        decision=Decision.SUITABLE,
        decided_at=timezone.now() - timedelta(days=days),
        preferred_times=sorted(slots | ({"tue-morning"} if rng.random() < 0.45 else set())),
        max_travel_km=rng.choice([5, 10, 15, 15, 25]),
        needs_step_free=rng.random() < 0.1,
        group_wishes=rng.sample(["not_only_gender", "age_close"], k=rng.choice([0, 0, 1])),
    )
    return participant


@transaction.atomic
def seed_formation() -> int:
    """Longer waitlists in the demo organisations; returns the number of organisations
    given one."""
    rng = random.Random(1966)  # noqa: S311 - seeded demo data, not security  # nosec B311
    made = 0
    for organisation in Organisation.objects.filter(slug__in=ORGANISATIONS).order_by("slug"):
        if PlacementPair.objects.filter(organisation=organisation).exists():
            continue
        places = _nearby_postcodes(organisation)
        names = rng.sample(PARTICIPANT_NAMES, k=min(WAITING, len(PARTICIPANT_NAMES)))
        people = [_waiting(organisation, rng, name, places) for name in names]
        venue = organisation.venues.order_by("name").first()
        if venue is not None:
            planned = PeerGroup.objects.create(
                organisation=organisation,
                venue=venue,
                title=f"Tirsdagsgruppen i {organisation.municipality} (planlagt)",
                target=Target.ADULTS,
                status=GroupStatus.PLANNING,
                weekday=1,
                start_time=time(10, 0),
                first_date=timezone.localdate() + timedelta(weeks=8),
                min_participants=4,
                max_participants=8,
            )
            GroupStatusChange.objects.create(group=planned, from_status="", to_status="planning")
        first, second = sorted(people[:2], key=lambda p: p.pk)
        PlacementPair.objects.create(
            organisation=organisation, first=first, second=second, together=True
        )
        made += 1
    return made
