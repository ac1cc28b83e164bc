"""Course plan pages for staff: browse plans, make versions and own copies, edit and publish."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from spejl.access.actor import get_actor
from spejl.access.decorators import staff_required
from spejl.courseplans import permissions, policies, selectors, services
from spejl.courseplans.forms import AdaptForm, CoursePlanForm, MeetingForm
from spejl.courseplans.models import CoursePlan, CoursePlanStatus


def _to_detail(plan: CoursePlan, anchor: str = "") -> HttpResponse:
    response = redirect("courseplans:detail", plan_id=plan.public_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _refuse_if_not_draft(request: HttpRequest, plan: CoursePlan) -> HttpResponse | None:
    problem = policies.edit_problem(plan)
    if problem is None:
        return None
    messages.error(request, problem)
    return _to_detail(plan)


@staff_required
def plan_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    plans = selectors.course_plans_for_actor(actor=actor)
    return render(request, "courseplans/plan_list.html", {"plans": plans})


@staff_required
def plan_detail(request: HttpRequest, plan_id: str) -> HttpResponse:
    actor = get_actor(request)
    plan = selectors.course_plan_get_for_actor(actor=actor, public_id=plan_id)
    can_manage = permissions.can_manage_course_plan(actor, plan)
    open_draft = selectors.course_plan_open_draft(actor=actor, plan=plan) if can_manage else None
    based_on = plan.based_on
    if based_on is not None and not permissions.can_view_course_plan(actor, based_on):
        based_on = None
    return render(
        request,
        "courseplans/plan_detail.html",
        {
            "plan": plan,
            "meetings": list(plan.meetings.all()),
            "versions": selectors.course_plan_versions(actor=actor, plan=plan),
            "based_on": based_on,
            "can_edit": can_manage and plan.is_editable,
            "can_new_version": can_manage
            and policies.new_version_problem(plan, open_draft) is None,
            "open_draft": open_draft,
            "can_adapt": permissions.can_adapt_course_plan(actor, plan)
            and policies.adapt_problem(plan, None) is None,
        },
    )


@staff_required
def plan_new_version(request: HttpRequest, plan_id: str) -> HttpResponse:
    actor = get_actor(request)
    plan = selectors.course_plan_get_for_actor(actor=actor, public_id=plan_id)
    permissions.check_can_manage_course_plan(actor, plan)
    open_draft = selectors.course_plan_open_draft(actor=actor, plan=plan)
    error = policies.new_version_problem(plan, open_draft)
    if request.method == "POST":
        try:
            draft = services.courseplan_new_version(actor=actor, plan=plan)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, _("A new draft version was made. Change it and publish it."))
            return _to_detail(draft)
    return render(
        request,
        "courseplans/plan_new_version.html",
        {"plan": plan, "error": error, "open_draft": open_draft},
    )


@staff_required
def plan_adapt(request: HttpRequest, plan_id: str) -> HttpResponse:
    actor = get_actor(request)
    plan = selectors.course_plan_get_for_actor(actor=actor, public_id=plan_id)
    permissions.check_can_adapt_course_plan(actor, plan)
    organisations = selectors.organisations_to_adapt_into(actor=actor)
    if plan.organisation_id is not None:
        organisations = organisations.exclude(pk=plan.organisation_id)
    form = AdaptForm(request.POST or None, organisations=organisations)
    problem = policies.adapt_problem(plan, None)
    if request.method == "POST" and problem is None and form.is_valid():
        try:
            copy = services.courseplan_adapt(
                actor=actor, plan=plan, organisation=form.cleaned_data["organisation"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Your organisation's own copy was made as a draft. Adapt it and publish it."),
            )
            return _to_detail(copy)
    return render(
        request,
        "courseplans/plan_adapt.html",
        {"plan": plan, "form": form, "problem": problem, "has_choices": organisations.exists()},
    )


@staff_required
def plan_edit(request: HttpRequest, plan_id: str) -> HttpResponse:
    actor = get_actor(request)
    plan = selectors.course_plan_get_for_actor(actor=actor, public_id=plan_id)
    permissions.check_can_manage_course_plan(actor, plan)
    if refused := _refuse_if_not_draft(request, plan):
        return refused
    form = CoursePlanForm(request.POST or None, initial=CoursePlanForm.initial_for(plan))
    if request.method == "POST" and form.is_valid():
        try:
            services.courseplan_update_draft(actor=actor, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The course plan was saved."))
            return _to_detail(plan)
    return render(request, "courseplans/plan_form.html", {"plan": plan, "form": form})


@staff_required
def meeting_edit(request: HttpRequest, plan_id: str, number: int) -> HttpResponse:
    actor = get_actor(request)
    plan = selectors.course_plan_get_for_actor(actor=actor, public_id=plan_id)
    permissions.check_can_manage_course_plan(actor, plan)
    meeting = selectors.course_plan_meeting_get(plan=plan, number=number)
    if refused := _refuse_if_not_draft(request, plan):
        return refused
    form = MeetingForm(request.POST or None, initial=MeetingForm.initial_for(meeting))
    if request.method == "POST" and form.is_valid():
        try:
            services.courseplan_meeting_update(
                actor=actor, plan=plan, number=number, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The meeting was saved."))
            return _to_detail(plan, f"meeting-{number}")
    return render(
        request,
        "courseplans/meeting_form.html",
        {"plan": plan, "meeting": meeting, "form": form},
    )


@staff_required
def meeting_add(request: HttpRequest, plan_id: str) -> HttpResponse:
    actor = get_actor(request)
    plan = selectors.course_plan_get_for_actor(actor=actor, public_id=plan_id)
    permissions.check_can_manage_course_plan(actor, plan)
    if refused := _refuse_if_not_draft(request, plan):
        return refused
    form = MeetingForm(request.POST or None)
    problem = policies.add_meeting_problem(len(plan.meetings.all()))
    if request.method == "POST" and problem is None and form.is_valid():
        try:
            meeting = services.courseplan_meeting_add(actor=actor, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The meeting was added."))
            return _to_detail(plan, f"meeting-{meeting.number}")
    return render(
        request,
        "courseplans/meeting_form.html",
        {"plan": plan, "meeting": None, "form": form, "problem": problem},
    )


@staff_required
def meeting_remove(request: HttpRequest, plan_id: str, number: int) -> HttpResponse:
    actor = get_actor(request)
    plan = selectors.course_plan_get_for_actor(actor=actor, public_id=plan_id)
    permissions.check_can_manage_course_plan(actor, plan)
    meeting = selectors.course_plan_meeting_get(plan=plan, number=number)
    if refused := _refuse_if_not_draft(request, plan):
        return refused
    error = policies.remove_meeting_problem(len(plan.meetings.all()))
    if request.method == "POST":
        try:
            services.courseplan_meeting_remove(actor=actor, plan=plan, number=number)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, _("The meeting was removed."))
            return _to_detail(plan, "meetings")
    return render(
        request,
        "courseplans/meeting_remove.html",
        {"plan": plan, "meeting": meeting, "error": error},
    )


@staff_required
def plan_publish(request: HttpRequest, plan_id: str) -> HttpResponse:
    actor = get_actor(request)
    plan = selectors.course_plan_get_for_actor(actor=actor, public_id=plan_id)
    permissions.check_can_manage_course_plan(actor, plan)
    problems = selectors.course_plan_publish_problems(plan=plan)
    if request.method == "POST":
        try:
            services.courseplan_publish(actor=actor, plan=plan)
        except ValidationError as exc:
            problems = exc.messages
        else:
            messages.success(request, _("The course plan was published."))
            return _to_detail(plan)
    versions = selectors.course_plan_versions(actor=actor, plan=plan)
    current_published = next(
        (v for v in versions if v.status == CoursePlanStatus.PUBLISHED and v.pk != plan.pk), None
    )
    return render(
        request,
        "courseplans/plan_publish.html",
        {"plan": plan, "problems": problems, "current_published": current_published},
    )
