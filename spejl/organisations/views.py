"""Organisation and venue pages for staff."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from spejl.access.actor import get_actor
from spejl.access.decorators import staff_required
from spejl.accounts.selectors import staff_memberships_for_organisation
from spejl.organisations import permissions, selectors, services
from spejl.organisations.forms import OrganisationContactForm, VenueForm
from spejl.organisations.permissions import check_can_manage_organisation


@staff_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    organisations = selectors.organisations_for_actor(actor=actor)
    return render(request, "organisations/organisation_list.html", {"organisations": organisations})


@staff_required
def organisation_detail(request: HttpRequest, org_slug: str) -> HttpResponse:
    actor = get_actor(request)
    organisation = selectors.organisation_get_for_actor(actor=actor, slug=org_slug)
    can_view_staff = permissions.can_view_staff(actor, organisation)
    memberships = (
        staff_memberships_for_organisation(actor=actor, organisation=organisation)
        if can_view_staff
        else None
    )
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "organisation": organisation,
            "venues": list(
                selectors.venues_for_organisation(actor=actor, organisation=organisation)
            ),
            "memberships": memberships,
            "can_manage": permissions.can_manage_organisation(actor, organisation),
        },
    )


@staff_required
def organisation_edit(request: HttpRequest, org_slug: str) -> HttpResponse:
    actor = get_actor(request)
    organisation = selectors.organisation_get_for_actor(actor=actor, slug=org_slug)
    check_can_manage_organisation(actor, organisation)
    form = OrganisationContactForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        services.organisation_update_contact(
            actor=actor, organisation=organisation, **form.cleaned_data
        )
        messages.success(request, _("The organisation's details were saved."))
        return redirect("organisations:detail", org_slug=organisation.slug)
    return render(
        request,
        "organisations/organisation_edit.html",
        {"organisation": organisation, "form": form},
    )


@staff_required
def venue_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    actor = get_actor(request)
    organisation = selectors.organisation_get_for_actor(actor=actor, slug=org_slug)
    check_can_manage_organisation(actor, organisation)
    form = VenueForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        venue = services.venue_create(actor=actor, organisation=organisation, **form.cleaned_data)
        messages.success(request, _("The venue was added."))
        return redirect("organisations:venue_detail", venue_id=venue.public_id)
    return render(
        request, "organisations/venue_form.html", {"organisation": organisation, "form": form}
    )


@staff_required
def venue_detail(request: HttpRequest, venue_id: str) -> HttpResponse:
    actor = get_actor(request)
    venue = selectors.venue_get_for_actor(actor=actor, public_id=venue_id)
    return render(
        request,
        "organisations/venue_detail.html",
        {
            "venue": venue,
            "can_manage": permissions.can_manage_organisation(actor, venue.organisation),
        },
    )


@staff_required
def venue_edit(request: HttpRequest, venue_id: str) -> HttpResponse:
    actor = get_actor(request)
    venue = selectors.venue_get_for_actor(actor=actor, public_id=venue_id)
    check_can_manage_organisation(actor, venue.organisation)
    form = VenueForm(request.POST or None, instance=venue)
    if request.method == "POST" and form.is_valid():
        services.venue_update(actor=actor, venue=venue, **form.cleaned_data)
        messages.success(request, _("The venue was saved."))
        return redirect("organisations:venue_detail", venue_id=venue.public_id)
    return render(
        request,
        "organisations/venue_form.html",
        {"organisation": venue.organisation, "venue": venue, "form": form},
    )
