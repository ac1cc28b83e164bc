"""Objects of organisation A for facilitator tests and the access-matrix URL walk."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from spejl.accounts.models import Role, User
from spejl.conftest import World
from spejl.facilitators.models import FacilitatorProfile, SupervisionSession, TrainingRecord
from spejl.organisations.models import Organisation, Venue
from spejl.testing.factories import MembershipFactory, UserFactory


def profile_for(user: User) -> FacilitatorProfile:
    profile, _ = FacilitatorProfile.objects.get_or_create(user=user)
    return profile


def training_record_a(world: World) -> TrainingRecord:
    """Facilitator A's training record (created once)."""
    record, _ = TrainingRecord.objects.get_or_create(
        facilitator=profile_for(world.facilitator_a),
        course_name="Facilitatoruddannelse",
        defaults={
            "provider": "FriSe",
            "completed_on": date(2024, 3, 1),
            "valid_until": date(2027, 3, 1),
        },
    )
    return record


def supervision_session_a(world: World) -> SupervisionSession:
    """A supervision session of facilitator A held with organisation A (created once)."""
    session, _ = SupervisionSession.objects.get_or_create(
        facilitator=profile_for(world.facilitator_a),
        organisation=world.org_a,
        held_on=date(2025, 1, 15),
        defaults={"supervisor": "Supervisor Hansen"},
    )
    return session


def make_facilitator(organisation: Organisation, full_name: str, **user: Any) -> User:
    """A new user holding a facilitator membership in ``organisation``."""
    person = UserFactory(full_name=full_name, **user)
    MembershipFactory(user=person, role=Role.FACILITATOR, organisation=organisation)
    return person


def add_training(
    user: User, *, completed_on: date, valid_until: date | None, course: str = "Grundkursus"
) -> TrainingRecord:
    return TrainingRecord.objects.create(
        facilitator=profile_for(user),
        course_name=course,
        provider="FriSe",
        completed_on=completed_on,
        valid_until=valid_until,
    )


def make_group(organisation: Organisation, venue: Venue, *, title: str = "Tirsdagsgruppen") -> Any:
    """A minimal group of ``organisation`` (groups are built in spejl/groups)."""
    from spejl.groups.models import PeerGroup, Target

    return PeerGroup.objects.create(
        organisation=organisation,
        venue=venue,
        title=title,
        target=Target.ADULTS,
        weekday=1,
        start_time=time(18, 0),
        first_date=date(2025, 9, 2),
    )


def lead_group(user: User, group: Any) -> None:
    from spejl.groups.models import GroupFacilitator

    GroupFacilitator.objects.create(group=group, facilitator=profile_for(user))
