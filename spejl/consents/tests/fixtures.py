"""Consent objects for tests, including those the URL-walking access test uses."""

from __future__ import annotations

from django.db.models import Max

from spejl.conftest import World
from spejl.consents.models import ConsentPurpose, ConsentText, ConsentTextStatus
from spejl.participants.models import Contact, Participant

PARTICIPANT_A_FIRST_NAME = "Maja"


def participant_a(world: World) -> Participant:
    """A participant of organisation A with contact data (made once per test database)."""
    # Names are encrypted at rest: the database cannot match them, so look in Python.
    existing = next(
        (
            p
            for p in Participant.objects.filter(organisation=world.org_a).select_related("contact")
            if getattr(p, "contact", None) and p.contact.first_name == PARTICIPANT_A_FIRST_NAME
        ),
        None,
    )
    if existing is not None:
        return existing
    participant = Participant.objects.create(organisation=world.org_a, birth_year=1990)
    Contact.objects.create(
        participant=participant,
        first_name=PARTICIPANT_A_FIRST_NAME,
        last_name="Mørk",
        email="maja@example.org",
        phone="+45 12 34 56 78",
    )
    return participant


def make_text(
    *,
    purpose: str = ConsentPurpose.EVALUATION,
    version: int | None = None,
    status: str = ConsentTextStatus.DRAFT,
) -> ConsentText:
    """A consent text of ``purpose`` (by default the next version, as a draft)."""
    if version is None:
        newest = ConsentText.objects.filter(purpose=purpose).aggregate(v=Max("version"))["v"]
        version = (newest or 0) + 1
    return ConsentText.objects.create(
        purpose=purpose,
        version=version,
        title_da=f"Samtykke {purpose} v{version}",
        title_en=f"Consent {purpose} v{version}",
        body_da="Hvad siger du ja til?\n\nDet er frivilligt.",
        body_en="What are you saying yes to?\n\nIt is voluntary.",
        status=status,
    )


def draft_consent_text(world: World) -> ConsentText:
    """A draft of the participation text (made once per test database): national admins see
    it, every other role gets 404."""
    existing = ConsentText.objects.filter(
        purpose=ConsentPurpose.PARTICIPATION, status=ConsentTextStatus.DRAFT
    ).first()
    return existing or make_text(purpose=ConsentPurpose.PARTICIPATION)
