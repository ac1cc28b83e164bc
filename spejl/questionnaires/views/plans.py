"""Measurement plan pages: the versions, one version with its waves and REDCap downloads,
and for national admins making, editing and publishing a draft."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spejl.access.actor import get_actor
from spejl.access.decorators import staff_required
from spejl.questionnaires import permissions, plans, redcap_plan, selectors
from spejl.questionnaires.forms import PlanEditForm
from spejl.questionnaires.models import MeasurementPlan, PlanStatus
from spejl.questionnaires.views.instruments import attachment, download_language
from spejl.web.forms import attach_service_errors


def _to_detail(plan: MeasurementPlan) -> HttpResponse:
    return redirect("questionnaires:plan_detail", measurement_plan_id=plan.public_id)


def _plan(request: HttpRequest, measurement_plan_id: UUID) -> MeasurementPlan:
    return selectors.plan_get_for_actor(
        actor=get_actor(request), public_id=str(measurement_plan_id)
    )


@staff_required
def plan_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    return render(
        request,
        "questionnaires/plan_list.html",
        {
            "plans": selectors.plans_for_actor(actor=actor),
            "draft": selectors.plan_draft_for_actor(actor=actor),
            "can_manage": permissions.can_manage_plans(actor),
        },
    )


@staff_required
def plan_detail(request: HttpRequest, measurement_plan_id: UUID) -> HttpResponse:
    actor = get_actor(request)
    plan = _plan(request, measurement_plan_id)
    can_manage = permissions.can_manage_plans(actor)
    draft = selectors.plan_draft_for_actor(actor=actor)
    return render(
        request,
        "questionnaires/plan_detail.html",
        {
            "plan": plan,
            "waves": selectors.plan_waves(plan=plan),
            "reminders": selectors.reminders_in_words(plan),
            "can_manage": can_manage,
            "can_edit": can_manage and plan.status == PlanStatus.DRAFT,
            "draft": draft if draft is not None and draft.pk != plan.pk else None,
            "publish_problems": selectors.plan_publish_problems(plan=plan)
            if can_manage and plan.status == PlanStatus.DRAFT
            else [],
            "in_use": selectors.plan_in_use() if plan.status == PlanStatus.DRAFT else None,
        },
    )


def _redcap_download(
    request: HttpRequest, plan: MeasurementPlan, body: Callable[[], str], filename: str
) -> HttpResponse:
    """The CSV ``body`` makes, or back to the plan with a message when the plan cannot be
    described as a REDCap project (``body`` raises ``ValueError``)."""
    try:
        text = body()
    except ValueError:
        messages.error(request, _("This version cannot be described as a REDCap project yet."))
        return _to_detail(plan)
    return attachment(text, content_type="text/csv; charset=utf-8", filename=filename)


@staff_required
def plan_redcap(request: HttpRequest, measurement_plan_id: UUID) -> HttpResponse:
    plan = _plan(request, measurement_plan_id)
    language = download_language(request)
    return _redcap_download(
        request,
        plan,
        lambda: redcap_plan.plan_redcap_dictionary(plan=plan, language=language),
        f"spejl-plan-v{plan.version}-redcap-{language}.csv",
    )


@staff_required
def plan_events(request: HttpRequest, measurement_plan_id: UUID) -> HttpResponse:
    plan = _plan(request, measurement_plan_id)
    return _redcap_download(
        request,
        plan,
        lambda: redcap_plan.plan_event_mapping(plan=plan),
        f"spejl-plan-v{plan.version}-redcap-events.csv",
    )


@staff_required
@require_POST
def plan_new_version(request: HttpRequest, measurement_plan_id: UUID) -> HttpResponse:
    actor = get_actor(request)
    permissions.check_can_manage_plans(actor)
    plan = _plan(request, measurement_plan_id)
    result = plans.plan_new_version(
        actor=actor, source=plan if plan.status != PlanStatus.DRAFT else None
    )
    if not result.created:
        messages.info(
            request,
            _("There is already a draft (version %(version)s). Continue with it.")
            % {"version": result.plan.version},
        )
        return _to_detail(result.plan)
    messages.success(
        request,
        _(
            "Version %(version)s was made as a draft copy of version %(source)s. "
            "Change it and publish it."
        )
        % {"version": result.plan.version, "source": plan.version},
    )
    return redirect("questionnaires:plan_edit", measurement_plan_id=result.plan.public_id)


@staff_required
def plan_edit(request: HttpRequest, measurement_plan_id: UUID) -> HttpResponse:
    actor = get_actor(request)
    permissions.check_can_manage_plans(actor)
    plan = _plan(request, measurement_plan_id)
    if plan.status != PlanStatus.DRAFT:
        messages.error(request, plans.immutable_message())
        return _to_detail(plan)
    form = PlanEditForm(
        request.POST or None,
        instruments=selectors.plan_choosable_instruments(plan=plan),
        initial_waves=plans.plan_instruments_by_wave(plan),
        initial={
            "follow_up_months": plan.follow_up_months,
            "answer_window_days": plan.answer_window_days,
            "reminder_days": ", ".join(str(day) for day in plan.reminder_days),
            "note": plan.note,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plans.plan_update_draft(
                actor=actor,
                plan=plan,
                waves=form.chosen_waves(),
                follow_up_months=data["follow_up_months"],
                answer_window_days=data["answer_window_days"],
                reminder_days=data["reminder_days"],
                note=data["note"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The draft was saved."))
            return _to_detail(plan)
    return render(request, "questionnaires/plan_edit.html", {"plan": plan, "form": form})


@staff_required
@require_POST
def plan_publish(request: HttpRequest, measurement_plan_id: UUID) -> HttpResponse:
    """Publish the draft; when it cannot be, the plan page lists why."""
    actor = get_actor(request)
    permissions.check_can_manage_plans(actor)
    plan = _plan(request, measurement_plan_id)
    try:
        plans.plan_publish(actor=actor, plan=plan)
    except plans.NotPublishable:
        messages.error(
            request, _("This version cannot be published yet. The reasons are listed below.")
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("Version %(version)s is now the measurement plan in use.")
            % {"version": plan.version},
        )
    return _to_detail(plan)
