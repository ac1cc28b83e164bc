"""Test helpers for group formation: waiting people with what their intake learnt, and
groups that can take them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from spejl.enrolments.models import Enrolment
from spejl.groups.models import GroupStatus, PeerGroup, Target
from spejl.intake.models import Intake, IntakeMode, IntakeStatus
from spejl.organisations.models import Organisation
from spejl.participants.models import Contact, Participant
from spejl.testing.factories import postcode
from spejl.testing.participants import waiting_participant

if TYPE_CHECKING:
    from spejl.conftest import World


def waiting_person(
    world: World,
    *,
    first_name: str,
    at: str = "8000",
    times: Sequence[str] = ("wed-evening",),
    max_km: int = 20,
    days_waited: int = 10,
    organisation: Organisation | None = None,
    gender: str = "",
    wishes: Sequence[str] = (),
) -> Participant:
    """A waitlisted participant living at postcode ``at`` whose intake recorded the times
    they can come and how far they can travel."""
    organisation = organisation or world.org_a
    participant = waiting_participant(world, first_name=first_name, organisation=organisation)
    participant.gender = gender
    participant.save(update_fields=["gender"])
    Contact.objects.filter(participant=participant).update(postcode=postcode(at))
    Enrolment.objects.filter(participant=participant).update(
        waitlisted_at=timezone.now() - timedelta(days=days_waited)
    )
    Intake.objects.create(
        organisation=organisation,
        participant=participant,
        scheduled_at=timezone.now() - timedelta(days=days_waited + 3),
        mode=IntakeMode.PHONE,
        status=IntakeStatus.HELD,
        target=Target.ADULTS,
        preferred_times=list(times),
        max_travel_km=max_km,
        language="da",
        group_wishes=list(wishes),
    )
    return participant


def open_group(
    world: World,
    *,
    title: str,
    weekday: int = 2,
    start: time = time(18, 0),
    max_participants: int = 8,
    min_participants: int = 4,
    status: str = GroupStatus.RECRUITING,
    organisation: Organisation | None = None,
) -> PeerGroup:
    """A recruiting (or planned) group at the organisation's first venue, starting in a
    month: no meetings yet, so it is open to new people."""
    organisation = organisation or world.org_a
    venue = world.venue_a if organisation == world.org_a else world.venue_b
    return PeerGroup.objects.create(
        organisation=organisation,
        venue=venue,
        title=title,
        target=Target.ADULTS,
        status=status,
        weekday=weekday,
        start_time=start,
        first_date=timezone.localdate() + timedelta(days=30),
        min_participants=min(min_participants, max_participants),
        max_participants=max_participants,
    )
