"""Intake pages for coordinators (and the national secretariat)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from spejl.access.actor import NotFound, get_actor
from spejl.access.decorators import staff_required
from spejl.intake import policies, referrals, selectors, services
from spejl.intake.forms import (
    TILS_OPTIONS,
    TILS_QUESTIONS,
    DestinationForm,
    RecordForm,
    ScheduleForm,
    initial_from_answers,
)
from spejl.intake.models import Decision, IntakeStatus
from spejl.intake.notices import Confirmation
from spejl.intake.permissions import (
    can_add_destination_for,
    can_manage_destination,
    check_can_hold_intakes,
    check_can_manage_destination,
)
from spejl.organisations.models import Organisation
from spejl.web.forms import attach_service_errors

#: Field names the services use that the forms split or name differently.
_FIELD_FOR = {"scheduled_at": "date"}


def _confirmation_message(request: HttpRequest, confirmation: Confirmation) -> None:
    if confirmation == Confirmation.QUEUED:
        messages.success(request, _("The conversation is scheduled and a confirmation is sent."))
    elif confirmation == Confirmation.NOT_UPCOMING:
        messages.success(request, _("The conversation is written down."))
    else:
        messages.warning(
            request,
            _(
                "The conversation is scheduled, but the person gave no e-mail address or "
                "phone number: please confirm the time to them yourself."
            ),
        )


@staff_required
def intake_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    check_can_hold_intakes(actor)
    view = request.GET.get("show", selectors.VIEW_SCHEDULED)
    if view not in selectors.LIST_VIEWS:
        view = selectors.VIEW_SCHEDULED
    if view == selectors.VIEW_TO_SCHEDULE:
        rows: Any = selectors.enquiries_to_schedule_for_actor(actor=actor)
        object_type = "enquiries.enquiry"
    else:
        rows = selectors.intakes_for_actor(actor=actor, view=view)
        object_type = "intake.intake"
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    items = list(page.object_list)
    if items:
        selectors.audit_list_read(actor=actor, object_type=object_type, purpose="intake list")
    return render(
        request,
        "intake/intake_list.html",
        {
            "view": view,
            "page": page,
            "items": items,
            "intake_rows": (
                [(i, selectors.person_of(i).first_name) for i in items]
                if object_type == "intake.intake"
                else []
            ),
            "counts": selectors.intake_counts_for_actor(actor=actor),
            "now": timezone.now(),
        },
    )


@staff_required
def schedule(request: HttpRequest, enquiry_id: str) -> HttpResponse:
    actor = get_actor(request)
    enquiry = selectors.enquiry_get_for_intake(actor=actor, public_id=enquiry_id)
    existing = selectors.scheduled_intake_for(enquiry=enquiry)
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            scheduled = services.intake_schedule_for_enquiry(
                actor=actor,
                enquiry=enquiry,
                scheduled_at=data["scheduled_at"],
                mode=data["mode"],
                place=data["place"],
            )
        except ValidationError as error:
            attach_service_errors(form, error, field_map=_FIELD_FOR)
        else:
            _confirmation_message(request, scheduled.confirmation)
            return redirect("intake:detail", intake_id=scheduled.intake.public_id)
    return render(
        request,
        "intake/schedule.html",
        {
            "form": form,
            "first_name": enquiry.first_name,
            "organisation": enquiry.organisation,
            "existing": existing,
            "closed": not policies.can_schedule_for_enquiry_status(enquiry.status),
        },
    )


@staff_required
def schedule_for_participant(request: HttpRequest, participant_id: str) -> HttpResponse:
    actor = get_actor(request)
    participant = selectors.participant_get_for_intake(actor=actor, public_id=participant_id)
    existing = selectors.scheduled_intake_for(participant=participant)
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            scheduled = services.intake_schedule_for_participant(
                actor=actor,
                participant=participant,
                scheduled_at=data["scheduled_at"],
                mode=data["mode"],
                place=data["place"],
            )
        except ValidationError as error:
            attach_service_errors(form, error, field_map=_FIELD_FOR)
        else:
            _confirmation_message(request, scheduled.confirmation)
            return redirect("intake:detail", intake_id=scheduled.intake.public_id)
    contact = getattr(participant, "contact", None)
    return render(
        request,
        "intake/schedule.html",
        {
            "form": form,
            "first_name": contact.first_name if contact else participant.code,
            "organisation": participant.organisation,
            "participant": participant,
            "existing": existing,
            "closed": False,
        },
    )


@staff_required
def intake_detail(request: HttpRequest, intake_id: str) -> HttpResponse:
    actor = get_actor(request)
    shown = selectors.intake_show(actor=actor, public_id=intake_id, purpose="intake page")
    intake = shown.intake
    return render(
        request,
        "intake/intake_detail.html",
        {
            "shown": shown,
            "intake": intake,
            "person": shown.person,
            "tils": shown.tils,
            "slots": _slot_labels(intake.preferred_times),
            "group_wish_labels": [
                label for code, label in policies.GROUP_WISHES if code in intake.group_wishes
            ],
            "screening": [
                (question, dict(TILS_OPTIONS).get(answer) if answer is not None else None)
                for question, answer in zip(
                    TILS_QUESTIONS, (intake.tils_1, intake.tils_2, intake.tils_3), strict=True
                )
            ],
            "urgent_referral": intake.decision == Decision.REFERRED
            and intake.referral_destination is not None
            and intake.referral_destination.is_urgent,
            "is_past": intake.scheduled_at <= timezone.now(),
        },
    )


def _slot_labels(slots: list[str]) -> list[str]:
    days = dict(policies.WEEKDAYS)
    parts = dict(policies.PARTS_OF_DAY)
    labels = []
    for slot in slots:
        day, _sep, part = slot.partition("-")
        if day in days and part in parts:
            labels.append(f"{days[day]} {str(parts[part]).lower()}")
    return labels


@staff_required
def intake_record(request: HttpRequest, intake_id: str) -> HttpResponse:
    actor = get_actor(request)
    if request.method == "POST":
        intake = selectors.intake_get_for_actor(actor=actor, public_id=intake_id)
    else:
        intake = selectors.intake_show(
            actor=actor, public_id=intake_id, purpose="intake record form"
        ).intake
    current = services.answers_of(intake)
    destinations = selectors.destinations_usable_for(
        organisation_id=intake.organisation_id, include=intake.referral_destination
    )
    form = RecordForm(
        request.POST or None,
        destinations=destinations,
        initial=initial_from_answers(
            current,
            suggested_target=policies.suggested_target(
                current.birth_year, timezone.localdate().year
            ),
        ),
    )
    if request.method == "POST" and form.is_valid():
        try:
            intake = services.intake_record(actor=actor, intake=intake, answers=form.answers())
        except ValidationError as error:
            attach_service_errors(form, error, field_map=_FIELD_FOR)
        else:
            if (
                intake.decision == Decision.REFERRED
                and intake.referral_destination is not None
                and intake.referral_destination.is_urgent
            ):
                messages.warning(
                    request,
                    _(
                        "Urgent referral: make sure the person gets help today. If you are "
                        "worried about their safety, call 112."
                    ),
                )
            elif intake.decision == Decision.SUITABLE:
                messages.success(request, _("Saved. The person is on the waitlist for a group."))
            else:
                messages.success(request, _("The intake conversation is saved."))
            return redirect("intake:detail", intake_id=intake.public_id)
    return render(
        request,
        "intake/intake_record.html",
        {
            "form": form,
            "intake": intake,
            "first_name": selectors.person_of(intake).first_name,
            "held": IntakeStatus.HELD,
        },
    )


# --- Referral destinations --------------------------------------------------------------------


def _organisations_for_destinations(request: HttpRequest) -> Any:
    actor = get_actor(request)
    if actor.is_national_admin:
        return Organisation.objects.filter(kind="member").order_by("name")
    return Organisation.objects.filter(pk__in=actor.coordinator_of).order_by("name")


@staff_required
def destinations(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    rows = selectors.destinations_for_actor(actor=actor)
    return render(
        request,
        "intake/destination_list.html",
        {
            "lists": [
                (_("The national list"), [d for d in rows if d.organisation_id is None]),
                (
                    _("Organisations' own destinations"),
                    [d for d in rows if d.organisation_id is not None],
                ),
            ],
            "editable": {d.pk for d in rows if can_manage_destination(actor, d)},
        },
    )


@staff_required
def destination_add(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    check_can_hold_intakes(actor)
    form = DestinationForm(
        request.POST or None,
        organisations=_organisations_for_destinations(request),
        national=actor.is_national_admin,
        initial={"is_active": True, "position": 100},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation")
        if not can_add_destination_for(actor, organisation.pk if organisation else None):
            raise NotFound
        try:
            referrals.destination_create(actor=actor, organisation=organisation, **data)
        except ValidationError as error:
            attach_service_errors(form, error, field_map=_FIELD_FOR)
        else:
            messages.success(request, _("The destination was added."))
            return redirect("intake:destinations")
    return render(request, "intake/destination_form.html", {"form": form})


@staff_required
def destination_edit(request: HttpRequest, destination_id: str) -> HttpResponse:
    actor = get_actor(request)
    destination = selectors.destination_get_for_actor(actor=actor, public_id=destination_id)
    check_can_manage_destination(actor, destination)
    form = DestinationForm(request.POST or None, instance=destination)
    if request.method == "POST" and form.is_valid():
        try:
            referrals.destination_update(actor=actor, destination=destination, **form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error, field_map=_FIELD_FOR)
        else:
            messages.success(request, _("The destination was saved."))
            return redirect("intake:destinations")
    return render(
        request, "intake/destination_form.html", {"form": form, "destination": destination}
    )
