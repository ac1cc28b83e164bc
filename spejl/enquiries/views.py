"""The public way in (group finder, JSON feed, enquiry form, thank-you page) and the
coordinators' enquiry inbox."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from spejl.access.actor import NotFound, get_actor
from spejl.access.decorators import staff_required
from spejl.enquiries import policies, selectors, services
from spejl.enquiries.forms import (
    TRAP_FIELD,
    FinderForm,
    InboxFilterForm,
    PublicEnquiryForm,
    RegisterForm,
    StatusForm,
)
from spejl.enquiries.models import Enquiry, EnquiryStatus
from spejl.enquiries.notices import confirmation_channel
from spejl.enquiries.permissions import can_use_inbox
from spejl.enquiries.policies import EnquiryDetails
from spejl.enquiries.selectors import PublicGroupRow
from spejl.enquiries.services import SubmitOutcome, SubmitResult
from spejl.enquiries.times import slot_label
from spejl.organisations.models import Organisation
from spejl.web.clients import client_address
from spejl.web.forms import attach_service_errors

#: Where the thank-you page finds which organisation will call (never the person's data).
THANKS_SESSION_KEY = "spejl_enquiry_thanks"
#: Version of the JSON feed's format (docs/group-finder.md).
FEED_VERSION = 1
FINDER_PAGE_SIZE = 25


# --- The group finder and its feed -------------------------------------------------------------


def _finder_search(form: FinderForm) -> tuple[Any, selectors.PublicGroupFilter]:
    if not form.is_bound:
        return None, selectors.PublicGroupFilter()
    form.is_valid()  # a filter with an error is left out; its message is shown
    return form.cleaned_data.get("postcode"), form.filters()


@require_GET
def finder(request: HttpRequest) -> HttpResponse:
    form = FinderForm(request.GET or None)
    postcode, filters = _finder_search(form)
    rows = selectors.public_groups(postcode=postcode, filters=filters)
    page = Paginator(rows, FINDER_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "enquiries/finder.html",
        {
            "form": form,
            "page": page,
            "postcode": postcode,
            "query": query.urlencode(),
            "filtered": form.is_bound,
        },
    )


def _feed_row(request: HttpRequest, row: PublicGroupRow, with_distance: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": str(row.public_id),
        "title": row.title,
        "organisation": {
            "id": str(row.organisation_public_id),
            "name": row.organisation_name,
            "website": row.organisation_website,
        },
        "target": {
            "code": row.target,
            "label": str(row.target_label),
            "age_min": row.age_min,
            "age_max": row.age_max,
        },
        "language": {"code": row.language, "label": str(row.language_label)},
        "schedule": {
            "weekday": row.weekday,
            "weekday_label": str(row.weekday_label),
            "start_time": row.start_time.strftime("%H:%M"),
            "end_time": row.end_time.strftime("%H:%M"),
            "duration_minutes": row.duration_minutes,
            "interval_weeks": row.interval_weeks,
            "first_meeting": row.first_meeting.isoformat() if row.first_meeting else None,
        },
        "area": {
            "municipality": row.municipality,
            "region": row.region,
            "region_label": str(row.region_label),
        },
        "venue": {
            "town": row.town,
            "postcode": row.postcode,
            "step_free_access": row.step_free_access,
            "accessible_toilet": row.accessible_toilet,
            "hearing_loop": row.hearing_loop,
        },
        "ask_url": request.build_absolute_uri(reverse("enquiries:ask") + f"?group={row.public_id}"),
    }
    if with_distance:
        item["distance_km"] = row.distance_km
    return item


def _feed_response(payload: dict[str, Any], status: int = 200) -> JsonResponse:
    response = JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    if status == 200:
        patch_cache_control(response, public=True, max_age=300)
    return response


@require_GET
def feed(request: HttpRequest) -> JsonResponse:
    """The finder's groups as JSON for partner websites (no login; CORS open to all)."""
    supported = {code for code, _name in settings.LANGUAGES}
    wanted = request.GET.get("lang", "")
    language = wanted if wanted in supported else settings.LANGUAGE_CODE
    with translation.override(language):
        form = FinderForm(request.GET or None)
        if form.is_bound and not form.is_valid():
            errors = {field: [str(m) for m in msgs] for field, msgs in form.errors.items()}
            return _feed_response({"version": FEED_VERSION, "errors": errors}, status=400)
        postcode, filters = _finder_search(form)
        rows = selectors.public_groups(postcode=postcode, filters=filters)
        payload = {
            "version": FEED_VERSION,
            "generated_at": datetime.now(tz=UTC).replace(microsecond=0).isoformat(),
            "language": language,
            "postcode": (
                {"code": postcode.code, "town": postcode.town} if postcode is not None else None
            ),
            "count": len(rows),
            "groups": [_feed_row(request, row, postcode is not None) for row in rows],
        }
    return _feed_response(payload)


# --- The enquiry form ----------------------------------------------------------------------------


def _thanks(request: HttpRequest, result: SubmitResult | None) -> HttpResponse:
    """Remember which organisation will call (no personal data) and go to the thank-you page
    (POST/redirect/GET: a reload never sends the form again)."""
    enquiry = result.enquiry if result is not None else None
    request.session[THANKS_SESSION_KEY] = {
        "organisation": str(enquiry.organisation.public_id) if enquiry is not None else "",
        "channel": confirmation_channel(enquiry) if enquiry is not None else "",
    }
    return redirect("enquiries:thanks")


def ask(request: HttpRequest) -> HttpResponse:
    groups = selectors.public_groups()
    organisations = selectors.public_organisations()
    status = 200
    if request.method == "POST":
        if request.POST.get(TRAP_FIELD, "").strip():
            # A robot filled in the hidden field: it sees the usual success, nothing is kept.
            services.enquiry_submit_public(details=EnquiryDetails(), trap="filled")
            return _thanks(request, None)
        form = PublicEnquiryForm(request.POST, groups=groups, organisations=organisations)
        if form.is_valid():
            group_id, organisation_id = form.target_ids()
            try:
                result = services.enquiry_submit_public(
                    details=form.details(language=get_language() or settings.LANGUAGE_CODE),
                    group_id=group_id,
                    organisation_id=organisation_id,
                    form_token=form.cleaned_data.get("form_token") or "",
                    client_address=client_address(request),
                )
            except ValidationError as error:
                attach_service_errors(form, error)
            else:
                if result.outcome != SubmitOutcome.RATE_LIMITED:
                    return _thanks(request, result)
                status = 429
                form.add_error(
                    None,
                    _(
                        "Many enquiries have been sent from this connection within the last "
                        "hour, so we could not take this one. Please try again in an hour, or "
                        "call your local volunteer centre. Nothing you wrote has been saved."
                    ),
                )
    else:
        wanted = request.GET.get("group", "")
        initial = {"form_token": secrets.token_urlsafe(24)}
        if any(str(g.public_id) == wanted for g in groups):
            initial["choice"] = f"group:{wanted}"
        form = PublicEnquiryForm(initial=initial, groups=groups, organisations=organisations)
    choice = form["choice"].value() or ""
    chosen = next((g for g in groups if choice == f"group:{g.public_id}"), None)
    return render(
        request,
        "enquiries/ask.html",
        {"form": form, "chosen": chosen, "trap_field": form[TRAP_FIELD]},
        status=status,
    )


@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    remembered = request.session.get(THANKS_SESSION_KEY) or {}
    organisation = None
    if remembered.get("organisation"):
        organisation = Organisation.objects.filter(public_id=remembered["organisation"]).first()
    return render(
        request,
        "enquiries/thanks.html",
        {"organisation": organisation, "channel": remembered.get("channel", "")},
    )


# --- The coordinators' inbox -------------------------------------------------------------------


@staff_required
def enquiry_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    form = InboxFilterForm(request.GET or None)
    enquiries = selectors.enquiries_for_actor(actor=actor, status=form.status_filter())
    page = Paginator(enquiries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "enquiries/enquiry_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def _status_choices(enquiry: Enquiry) -> list[tuple[str, Any]]:
    return [
        (value, label)
        for value, label in EnquiryStatus.choices
        if policies.can_transition(enquiry.status, value)
    ]


@staff_required
def enquiry_detail(request: HttpRequest, enquiry_id: str) -> HttpResponse:
    actor = get_actor(request)
    enquiry = selectors.enquiry_get_for_actor(actor=actor, public_id=enquiry_id)
    return render(
        request,
        "enquiries/enquiry_detail.html",
        {
            "enquiry": enquiry,
            "preferred_times": [slot_label(code) for code in enquiry.preferred_times],
            "status_form": StatusForm(choices=_status_choices(enquiry)),
            "can_schedule_intake": enquiry.status in policies.OPEN_STATUSES,
        },
    )


@staff_required
def enquiry_status(request: HttpRequest, enquiry_id: str) -> HttpResponse:
    actor = get_actor(request)
    enquiry = selectors.enquiry_get_for_actor(
        actor=actor, public_id=enquiry_id, purpose="enquiry status"
    )
    form = StatusForm(request.POST or None, choices=_status_choices(enquiry))
    if request.method == "POST" and form.is_valid():
        try:
            services.enquiry_set_status(
                actor=actor,
                enquiry=enquiry,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The enquiry's status was changed."))
            return redirect("enquiries:detail", enquiry_id=enquiry.public_id)
    return render(request, "enquiries/enquiry_status.html", {"enquiry": enquiry, "form": form})


@staff_required
def enquiry_register(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    if not can_use_inbox(actor):
        raise NotFound
    organisations = selectors.organisations_for_registering(actor=actor)
    form = RegisterForm(
        request.POST or None,
        organisations=organisations,
        groups=selectors.groups_for_registering(actor=actor),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            enquiry = services.enquiry_register(
                actor=actor,
                organisation=data["organisation"],
                source=data["source"],
                referrer=data.get("referrer", ""),
                group=data.get("group"),
                details=form.details(language=data["language"]),
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The enquiry was registered."))
            return redirect("enquiries:detail", enquiry_id=enquiry.public_id)
    return render(request, "enquiries/enquiry_register.html", {"form": form})
