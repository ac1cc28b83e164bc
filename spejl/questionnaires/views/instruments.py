"""Instrument pages for staff: the list, one version's definition with its downloads (REDCap
data dictionary, FHIR Questionnaire), and switching it on or off (national admins)."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spejl.access.actor import get_actor
from spejl.access.decorators import staff_required
from spejl.core.fhir import questionnaire_resource
from spejl.questionnaires import permissions, plans, selectors
from spejl.questionnaires.forms import InstrumentEnableForm
from spejl.questionnaires.selectors import InstrumentRow
from spejl.web.forms import attach_service_errors


def download_language(request: HttpRequest) -> str:
    """The wording a download is in: ``?language=en`` for English, Danish otherwise."""
    return "en" if request.GET.get("language") == "en" else "da"


def attachment(body: str, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
def instrument_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    return render(
        request,
        "questionnaires/instrument_list.html",
        {
            "rows": selectors.instruments_for_actor(actor=actor),
            "can_manage": permissions.can_manage_plans(actor),
        },
    )


def _detail(
    request: HttpRequest, row: InstrumentRow, form: InstrumentEnableForm | None = None
) -> HttpResponse:
    actor = get_actor(request)
    instrument = row.instrument
    can_manage = permissions.can_manage_plans(actor)
    if can_manage and form is None:
        form = InstrumentEnableForm(initial={"enabled": "0" if instrument.enabled else "1"})
    return render(
        request,
        "questionnaires/instrument_detail.html",
        {
            "instrument": instrument,
            "shown": selectors.instrument_shown(instrument),
            "uses": row.uses,
            "can_manage": can_manage,
            "form": form,
            "licence_needed": plans.licence_needed(instrument),
        },
    )


@staff_required
def instrument_detail(request: HttpRequest, code: str, version: int) -> HttpResponse:
    row = selectors.instrument_get_for_actor(actor=get_actor(request), code=code, version=version)
    return _detail(request, row)


@staff_required
@require_POST
def instrument_enable(request: HttpRequest, code: str, version: int) -> HttpResponse:
    actor = get_actor(request)
    permissions.check_can_manage_plans(actor)
    row = selectors.instrument_get_for_actor(actor=actor, code=code, version=version)
    form = InstrumentEnableForm(request.POST)
    if form.is_valid():
        enabled = form.cleaned_data["enabled"]
        try:
            plans.instrument_set_enabled(
                actor=actor,
                instrument=row.instrument,
                enabled=enabled,
                licence_confirmed=form.cleaned_data["licence_confirmed"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The questionnaire is switched on: it can be put in the measurement plan.")
                if enabled
                else _("The questionnaire is switched off: it cannot be put in a plan."),
            )
            return redirect(
                "questionnaires:instrument_detail", code=row.instrument.code, version=version
            )
    return _detail(request, row, form)


@staff_required
def instrument_redcap(request: HttpRequest, code: str, version: int) -> HttpResponse:
    row = selectors.instrument_get_for_actor(actor=get_actor(request), code=code, version=version)
    language = download_language(request)
    return attachment(
        selectors.instrument_redcap_dictionary(row.instrument, language=language),
        content_type="text/csv; charset=utf-8",
        filename=f"{row.instrument.code}-v{version}-redcap-{language}.csv",
    )


@staff_required
def instrument_fhir(request: HttpRequest, code: str, version: int) -> HttpResponse:
    row = selectors.instrument_get_for_actor(actor=get_actor(request), code=code, version=version)
    resource = questionnaire_resource(
        row.instrument.instrument, canonical_base=settings.SPEJL_BASE_URL
    )
    return attachment(
        json.dumps(resource, ensure_ascii=False, indent=2),
        content_type="application/fhir+json; charset=utf-8",
        filename=f"{row.instrument.code}-v{version}.fhir.json",
    )
