"""Changes to organisations and venues (no personal data: not audited as personal data)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from spejl.access.actor import Actor
from spejl.organisations.models import Organisation, Postcode, Venue
from spejl.organisations.permissions import check_can_manage_organisation

VENUE_FIELDS = (
    "name",
    "street_address",
    "postcode",
    "step_free_access",
    "accessible_toilet",
    "hearing_loop",
    "accessibility_notes",
    "is_active",
)
ORGANISATION_CONTACT_FIELDS = ("name", "contact_email", "contact_phone", "website")


def _place_at_postcode(venue: Venue, postcode: Postcode) -> None:
    # Venues are placed at their postcode's representative coordinate: precise enough for
    # "groups near me" and it never needs an external geocoder.
    venue.latitude = postcode.latitude
    venue.longitude = postcode.longitude


@transaction.atomic
def venue_create(*, actor: Actor, organisation: Organisation, **data: Any) -> Venue:
    """Create a venue for an organisation the actor coordinates (or any, for national admins)."""
    check_can_manage_organisation(actor, organisation)
    venue = Venue(organisation=organisation, **{k: data[k] for k in VENUE_FIELDS if k in data})
    _place_at_postcode(venue, data["postcode"])
    venue.full_clean()
    venue.save()
    return venue


@transaction.atomic
def venue_update(*, actor: Actor, venue: Venue, **data: Any) -> Venue:
    """Change a venue's address, accessibility or whether it is in use."""
    check_can_manage_organisation(actor, venue.organisation)
    for key in VENUE_FIELDS:
        if key in data:
            setattr(venue, key, data[key])
    _place_at_postcode(venue, venue.postcode)
    venue.full_clean()
    venue.save()
    return venue


@transaction.atomic
def organisation_update_contact(
    *, actor: Actor, organisation: Organisation, **data: Any
) -> Organisation:
    """Change an organisation's public name and contact details."""
    check_can_manage_organisation(actor, organisation)
    for key in ORGANISATION_CONTACT_FIELDS:
        if key in data:
            setattr(organisation, key, data[key])
    organisation.full_clean()
    organisation.save()
    return organisation
