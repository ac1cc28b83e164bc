"""Test helpers: a waitlisted participant of organisation A with contact data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from spejl.enrolments.models import Enrolment, EnrolmentState
from spejl.participants.models import Channel, Contact, Participant

if TYPE_CHECKING:
    from spejl.conftest import World


def waiting_participant(
    world: World, *, first_name: str = "Ingrid", organisation: object | None = None
) -> Participant:
    organisation = organisation or world.org_a
    participant = Participant.objects.create(organisation=organisation, birth_year=1961)
    Contact.objects.create(
        participant=participant,
        first_name=first_name,
        last_name="Østergaard",
        phone="+45 22 33 44 55",
        email=f"{first_name.lower()}@example.org",
        preferred_channel=Channel.EMAIL,
    )
    Enrolment.objects.create(
        participant=participant, organisation=organisation, state=EnrolmentState.WAITLISTED
    )
    return participant


def enrolment_of(participant_public_id: str) -> Enrolment:
    """The participant's newest enrolment (created waitlisted if they have none)."""
    participant = Participant.objects.get(public_id=participant_public_id)
    enrolment = participant.enrolments.order_by("-waitlisted_at").first()
    return enrolment or Enrolment.objects.create(
        participant=participant,
        organisation=participant.organisation,
        state=EnrolmentState.WAITLISTED,
    )


def participant_a(world: World) -> Participant:
    """Organisation A's waiting participant Ingrid (created on first use)."""
    # Names are encrypted at rest: the database cannot match them, so look in Python.
    existing = next(
        (
            p
            for p in Participant.objects.filter(organisation=world.org_a).select_related("contact")
            if getattr(p, "contact", None) and p.contact.first_name == "Ingrid"
        ),
        None,
    )
    return existing or waiting_participant(world)
