"""Intake objects for tests, including the ones the URL-walking access test uses (all of
organisation A, created on first use)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from spejl.conftest import World
from spejl.enquiries.models import Enquiry, EnquirySource
from spejl.enquiries.tests.fixtures import enquiry_a
from spejl.intake.models import Intake, IntakeMode, IntakeStatus, ReferralDestination
from spejl.organisations.models import Organisation, Postcode


def make_enquiry(
    organisation: Organisation,
    *,
    first_name: str = "Karen",
    email: str = "",
    phone: str = "+45 20 30 40 50",
    birth_year: int = 1958,
    **extra: Any,
) -> Enquiry:
    return Enquiry.objects.create(
        organisation=organisation,
        source=EnquirySource.PHONE,
        first_name=first_name,
        phone=phone,
        email=email or f"{first_name.lower()}@example.org",
        postcode=Postcode.objects.get(code="8000"),
        birth_year=birth_year,
        **extra,
    )


def make_intake(
    organisation: Organisation,
    *,
    enquiry: Enquiry | None = None,
    scheduled_at: datetime | None = None,
    status: str = IntakeStatus.SCHEDULED,
    **extra: Any,
) -> Intake:
    if enquiry is None and "participant" not in extra:
        enquiry = make_enquiry(organisation)
    return Intake.objects.create(
        organisation=organisation,
        enquiry=enquiry,
        scheduled_at=scheduled_at or timezone.now() + timedelta(days=3),
        mode=IntakeMode.IN_PERSON,
        place="Frivilligcentret, Mejlgade 37",
        status=status,
        **extra,
    )


def intake_a(world: World) -> Intake:
    """A scheduled intake of organisation A's enquiry (created on first use)."""
    enquiry = enquiry_a(world)
    existing = Intake.objects.filter(enquiry=enquiry).first()
    return existing or make_intake(world.org_a, enquiry=enquiry)


def destination_a(world: World) -> ReferralDestination:
    """A referral destination of organisation A's own list (created on first use)."""
    existing = ReferralDestination.objects.filter(organisation=world.org_a).first()
    return existing or ReferralDestination.objects.create(
        organisation=world.org_a,
        name_da="Aarhus Kommunes sundhedscenter",
        name_en="Aarhus municipality's health centre",
    )
