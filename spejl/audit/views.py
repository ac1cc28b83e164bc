"""The national admin's view of the audit log."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from spejl.access.actor import NotFound, get_actor
from spejl.access.decorators import staff_required
from spejl.audit.forms import AuditFilterForm
from spejl.audit.selectors import AuditFilter, audit_events_for_actor, audit_object_types


@staff_required
def audit_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    if not actor.is_national_admin:
        raise NotFound
    form = AuditFilterForm(request.GET or None, object_types=audit_object_types())
    filters = AuditFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = AuditFilter(
            action=data["action"],
            object_type=data["object_type"],
            organisation_id=data["organisation"].pk if data["organisation"] else None,
            actor_email=data["actor_email"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    page = Paginator(audit_events_for_actor(actor=actor, filters=filters), 50).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/audit_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
