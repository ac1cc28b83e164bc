"""Test helpers that build a running group of organisation A with participants and meetings."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from spejl.enrolments.models import Enrolment, EnrolmentState
from spejl.facilitators.models import FacilitatorProfile
from spejl.groups.models import (
    GroupFacilitator,
    GroupStatus,
    Meeting,
    PeerGroup,
    Target,
)
from spejl.participants.models import Channel, Contact, Participant

if TYPE_CHECKING:
    from spejl.conftest import World

FIRST_NAMES = ["Åse", "Bjørn", "Cæcilie", "Dennis", "Eva", "Frede"]


def make_group(
    world: World,
    *,
    organisation=None,
    venue=None,
    title: str = "Onsdagsgruppen",
    status: str = GroupStatus.RUNNING,
    participants: int = 3,
    meetings_before_today: int = 2,
) -> PeerGroup:
    """A group with ``participants`` enrolled people (with contacts), facilitator A assigned
    (for organisation A), one meeting today at 00:01 local time plus earlier and later ones."""
    organisation = organisation or world.org_a
    venue = venue or (world.venue_a if organisation == world.org_a else world.venue_b)
    today = timezone.localdate()
    group = PeerGroup.objects.create(
        organisation=organisation,
        venue=venue,
        title=title,
        target=Target.ADULTS,
        status=status,
        weekday=today.weekday(),
        start_time=time(0, 1),
        duration_minutes=120,
        first_date=today - timedelta(weeks=meetings_before_today),
    )
    if organisation == world.org_a:
        profile, _ = FacilitatorProfile.objects.get_or_create(user=world.facilitator_a)
        GroupFacilitator.objects.create(group=group, facilitator=profile)
    zone = timezone.get_current_timezone()
    for number in range(1, meetings_before_today + 4):
        day = today + timedelta(weeks=number - 1 - meetings_before_today)
        start = datetime.combine(day, time(0, 1), tzinfo=zone)
        Meeting.objects.create(
            group=group,
            number=number,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            venue=venue,
            theme_da=f"Tema {number}",
            theme_en=f"Theme {number}",
        )
    for index in range(participants):
        participant = Participant.objects.create(organisation=organisation)
        Contact.objects.create(
            participant=participant,
            first_name=FIRST_NAMES[index % len(FIRST_NAMES)],
            last_name="Testesen",
            phone=f"+45 20 30 40 {index:02d}",
            email=f"deltager{index}@example.org",
            preferred_channel=Channel.EMAIL,
        )
        Enrolment.objects.create(
            participant=participant,
            organisation=organisation,
            group=group,
            state=EnrolmentState.ENROLLED,
        )
    return group


def group_a(world: World) -> PeerGroup:
    """Organisation A's demo group (created on first use)."""
    existing = PeerGroup.objects.filter(organisation=world.org_a, title="Onsdagsgruppen").first()
    return existing or make_group(world)


def todays_meeting(group: PeerGroup) -> Meeting:
    today = timezone.localdate()
    return next(m for m in group.meetings.all() if timezone.localdate(m.starts_at) == today)
