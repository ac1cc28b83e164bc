"""Reads of organisations, venues and postcodes, scoped to the acting user."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from spejl.access.actor import Actor, NotFound
from spejl.organisations.models import Organisation, Postcode, Venue
from spejl.organisations.permissions import check_can_view_organisation
from spejl.web.text import danish


def organisations_for_actor(*, actor: Actor) -> QuerySet[Organisation]:
    """Organisations the actor may see, with venue counts. No personal data."""
    qs = Organisation.objects.select_related("postcode").annotate(
        venue_count=Count("venues", filter=Q(venues__is_active=True), distinct=True)
    )
    qs = qs.order_by("-kind", danish("name"))  # the national secretariat first
    if actor.sees_all_organisations:
        return qs
    return qs.filter(pk__in=actor.member_of)


def organisation_get_for_actor(*, actor: Actor, slug: str) -> Organisation:
    """The organisation with this slug, or :class:`NotFound` if the actor may not see it."""
    organisation = Organisation.objects.select_related("postcode").filter(slug=slug).first()
    if organisation is None:
        raise NotFound
    check_can_view_organisation(actor, organisation)
    return organisation


def venues_for_organisation(*, actor: Actor, organisation: Organisation) -> QuerySet[Venue]:
    """The organisation's venues (active first). The caller has checked the organisation."""
    check_can_view_organisation(actor, organisation)
    return (
        Venue.objects.filter(organisation=organisation)
        .select_related("postcode")
        .order_by("-is_active", "name")
    )


def venue_get_for_actor(*, actor: Actor, public_id: str) -> Venue:
    """The venue, or :class:`NotFound` if it belongs to an organisation the actor cannot see."""
    venue = (
        Venue.objects.select_related("organisation", "postcode").filter(public_id=public_id).first()
    )
    if venue is None:
        raise NotFound
    check_can_view_organisation(actor, venue.organisation)
    return venue


def postcode_get(*, code: str) -> Postcode | None:
    """The postcode register entry, or ``None`` for an unknown code."""
    return Postcode.objects.filter(code=code.strip()).first()
