"""The response overview: per group and wave, how the questionnaire invitations stand
(counts only), for coordinators and national admins."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from spejl.access.actor import NotFound, get_actor
from spejl.access.decorators import staff_required
from spejl.organisations.models import Organisation
from spejl.questionnaires import permissions
from spejl.questionnaires.forms import OverviewFilterForm
from spejl.questionnaires.overview import response_overview_for_actor


@staff_required
def overview(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    permissions.check_can_view_response_overview(actor)
    organisation = None
    slug = request.GET.get("organisation", "")
    if slug:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise NotFound
    result = response_overview_for_actor(actor=actor, organisation=organisation)
    form = OverviewFilterForm(
        {"organisation": slug} if slug else None, organisations=result.organisations
    )
    return render(
        request,
        "questionnaires/overview.html",
        {
            "overview": result,
            "form": form,
            "show_filter": len(result.organisations) > 1,
        },
    )
