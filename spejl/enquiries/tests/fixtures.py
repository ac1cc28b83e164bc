"""Enquiry objects for tests, including the one the URL-walking access test uses
(``enquiry_id`` → organisation A's enquiry, created on first use)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from spejl.conftest import World
from spejl.enquiries.models import Enquiry, EnquirySource
from spejl.groups.models import GroupStatus, PeerGroup
from spejl.organisations.models import Organisation, Postcode, Venue
from spejl.testing.groups import make_group


def make_enquiry(
    organisation: Organisation,
    *,
    first_name: str = "Karen",
    phone: str = "+45 20 30 40 50",
    email: str | None = None,
    postcode: str = "8000",
    birth_year: int = 1958,
    **extra: Any,
) -> Enquiry:
    """An enquiry taken by phone (any field can be overridden)."""
    extra.setdefault("source", EnquirySource.PHONE)
    return Enquiry.objects.create(
        organisation=organisation,
        first_name=first_name,
        phone=phone,
        email=f"{first_name.lower()}@example.org" if email is None else email,
        postcode=Postcode.objects.get(code=postcode),
        birth_year=birth_year,
        **extra,
    )


def enquiry_a(world: World) -> Enquiry:
    """Organisation A's new enquiry from Åse (created on first use)."""
    # First names are encrypted at rest: the database cannot match them, so look in Python.
    existing = next(
        (e for e in Enquiry.objects.filter(organisation=world.org_a) if e.first_name == "Åse"),
        None,
    )
    return existing or make_enquiry(world.org_a, first_name="Åse")


def recruiting_group(
    world: World,
    *,
    title: str,
    organisation: Organisation | None = None,
    venue: Venue | None = None,
    starts_in_days: int = 14,
    participants: int = 2,
    **changes: Any,
) -> PeerGroup:
    """A recruiting group (``make_group``) whose meetings all lie ahead, so it still takes new
    participants. ``participants`` people with names and contact data are enrolled already;
    ``changes`` are set on the group afterwards (target, reopened, max_participants…)."""
    group = make_group(
        world,
        organisation=organisation,
        venue=venue,
        title=title,
        status=GroupStatus.RECRUITING,
        participants=participants,
        meetings_before_today=0,
    )
    shift = timedelta(days=starts_in_days)
    for meeting in group.meetings.all():
        meeting.starts_at += shift
        meeting.ends_at += shift
        meeting.save(update_fields=["starts_at", "ends_at"])
    group.first_date = timezone.localdate() + shift
    group.weekday = group.first_date.weekday()
    for field, value in changes.items():
        setattr(group, field, value)
    group.save()
    return group
