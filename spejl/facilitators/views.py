"""Facilitator pages: an organisation's list, a facilitator's page, phone, training and
supervision."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from spejl.access.actor import Actor, get_actor
from spejl.access.decorators import staff_required
from spejl.facilitators import selectors, services
from spejl.facilitators.forms import FacilitatorForm, SupervisionForm, TrainingRecordForm
from spejl.facilitators.models import FacilitatorProfile
from spejl.facilitators.selectors import FacilitatorDetail
from spejl.organisations.selectors import organisation_get_for_actor


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def _profile(actor: Actor, facilitator: FacilitatorDetail) -> FacilitatorProfile:
    """The profile, created on the first change (reading a page never creates one)."""
    if facilitator.profile is not None:
        return facilitator.profile
    return services.facilitator_profile_for(actor=actor, user=facilitator.user)


def _to_detail(facilitator: FacilitatorDetail) -> HttpResponse:
    return redirect("facilitators:detail", person_id=facilitator.user.public_id)


@staff_required
def facilitator_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    actor = get_actor(request)
    organisation = organisation_get_for_actor(actor=actor, slug=org_slug)
    needs_attention = request.GET.get("attention") == "1"
    rows = selectors.facilitators_for_organisation(
        actor=actor, organisation=organisation, needs_attention=needs_attention
    )
    return render(
        request,
        "facilitators/facilitator_list.html",
        {"organisation": organisation, "rows": rows, "needs_attention": needs_attention},
    )


@staff_required
def facilitator_me(request: HttpRequest) -> HttpResponse:
    public_id = selectors.facilitator_self_public_id(actor=get_actor(request))
    return redirect("facilitators:detail", person_id=public_id)


@staff_required
def facilitator_detail(request: HttpRequest, person_id: str) -> HttpResponse:
    actor = get_actor(request)
    facilitator = selectors.facilitator_get_for_actor(actor=actor, public_id=person_id)
    return render(request, "facilitators/facilitator_detail.html", {"facilitator": facilitator})


@staff_required
def facilitator_edit(request: HttpRequest, person_id: str) -> HttpResponse:
    actor = get_actor(request)
    facilitator = selectors.facilitator_get_for_actor(actor=actor, public_id=person_id, manage=True)
    phone = facilitator.profile.phone if facilitator.profile else ""
    form = FacilitatorForm(_posted(request), initial={"phone": phone})
    if form.is_bound and form.is_valid():
        try:
            with transaction.atomic():
                services.facilitator_update(
                    actor=actor,
                    profile=_profile(actor, facilitator),
                    phone=form.cleaned_data["phone"],
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The facilitator's details were saved."))
            return _to_detail(facilitator)
    return render(
        request, "facilitators/facilitator_edit.html", {"facilitator": facilitator, "form": form}
    )


@staff_required
def training_add(request: HttpRequest, person_id: str) -> HttpResponse:
    actor = get_actor(request)
    facilitator = selectors.facilitator_get_for_actor(actor=actor, public_id=person_id, manage=True)
    form = TrainingRecordForm(_posted(request))
    if form.is_bound and form.is_valid():
        try:
            with transaction.atomic():
                services.training_record_add(
                    actor=actor, profile=_profile(actor, facilitator), **form.cleaned_data
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The training was recorded."))
            return _to_detail(facilitator)
    return render(
        request, "facilitators/training_form.html", {"facilitator": facilitator, "form": form}
    )


@staff_required
def training_edit(request: HttpRequest, person_id: str, record_id: str) -> HttpResponse:
    actor = get_actor(request)
    facilitator = selectors.facilitator_get_for_actor(actor=actor, public_id=person_id, manage=True)
    record = selectors.training_record_get_for_actor(
        actor=actor, facilitator=facilitator, public_id=record_id
    )
    initial = {
        "course_name": record.course_name,
        "provider": record.provider,
        "completed_on": record.completed_on,
        "valid_until": record.valid_until,
        "certificate_note": record.certificate_note,
    }
    form = TrainingRecordForm(_posted(request), initial=initial)
    if form.is_bound and form.is_valid():
        try:
            services.training_record_update(actor=actor, record=record, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The training record was saved."))
            return _to_detail(facilitator)
    return render(
        request,
        "facilitators/training_form.html",
        {"facilitator": facilitator, "record": record, "form": form},
    )


@staff_required
def training_remove(request: HttpRequest, person_id: str, record_id: str) -> HttpResponse:
    actor = get_actor(request)
    facilitator = selectors.facilitator_get_for_actor(actor=actor, public_id=person_id, manage=True)
    record = selectors.training_record_get_for_actor(
        actor=actor, facilitator=facilitator, public_id=record_id
    )
    if request.method == "POST":
        services.training_record_remove(actor=actor, record=record)
        messages.success(request, _("The training record was removed."))
        return _to_detail(facilitator)
    return render(
        request,
        "facilitators/training_remove.html",
        {"facilitator": facilitator, "record": record},
    )


@staff_required
def supervision_add(request: HttpRequest, person_id: str) -> HttpResponse:
    actor = get_actor(request)
    facilitator = selectors.facilitator_get_for_actor(actor=actor, public_id=person_id, manage=True)
    form = SupervisionForm(_posted(request), organisations=facilitator.supervision_organisations)
    if form.is_bound and form.is_valid():
        try:
            with transaction.atomic():
                services.supervision_add(
                    actor=actor, profile=_profile(actor, facilitator), **form.cleaned_data
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The supervision session was recorded."))
            return _to_detail(facilitator)
    return render(
        request, "facilitators/supervision_form.html", {"facilitator": facilitator, "form": form}
    )


@staff_required
def supervision_remove(request: HttpRequest, person_id: str, session_id: str) -> HttpResponse:
    actor = get_actor(request)
    facilitator = selectors.facilitator_get_for_actor(actor=actor, public_id=person_id, manage=True)
    session = selectors.supervision_session_get_for_actor(
        actor=actor, facilitator=facilitator, public_id=session_id
    )
    if request.method == "POST":
        services.supervision_remove(actor=actor, session=session)
        messages.success(request, _("The supervision session was removed."))
        return _to_detail(facilitator)
    return render(
        request,
        "facilitators/supervision_remove.html",
        {"facilitator": facilitator, "session": session},
    )
