"""Fixtures for the enquiries tests: a third organisation in Aalborg, and the public form's
data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from spejl.conftest import World
from spejl.organisations.models import Organisation, Venue
from spejl.testing.factories import OrganisationFactory, VenueFactory, postcode


@pytest.fixture
def org_aalborg(world: World) -> Organisation:
    return OrganisationFactory(
        slug="aalborg",
        name="Frivilligcenter Aalborg",
        municipality="Aalborg",
        region="1081",
        postcode=postcode("9000"),
        contact_phone="98 12 34 56",
        contact_email="kontakt@fc-aalborg.example",
    )


@pytest.fixture
def venue_aalborg(org_aalborg: Organisation) -> Venue:
    return VenueFactory(organisation=org_aalborg, name="Huset i Aalborg", step_free_access=True)


@pytest.fixture
def form_data() -> Callable[..., dict[str, Any]]:
    """``form_data(email="…", …)`` → a valid POST for the public enquiry form."""

    def make(**overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "first_name": "Birthe",
            "phone": "",
            "email": "birthe@example.org",
            "preferred_contact": "email",
            "postcode": "8000",
            "birth_year": "1961",
            "choice": "",
            "preferred_times": ["wed-evening", "mon-morning"],
            "heard_about": "doctor",
            "message": "Jeg vil gerne høre mere.",
            "form_token": "token-" + str(overrides.pop("token", "one")),
            "website": "",
        }
        data.update(overrides)
        return data

    return make


@pytest.fixture
def english() -> Client:
    """An anonymous client that chose English in the footer."""
    client = Client()
    client.cookies["django_language"] = "en"
    return client
