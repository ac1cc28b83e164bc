"""Group pages for coordinators, facilitators and the national secretariat."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spejl.access.actor import NotFound, get_actor
from spejl.access.decorators import staff_required
from spejl.core.schedule import ScheduleError
from spejl.courseplans.selectors import course_plans_usable_for_groups
from spejl.facilitators.models import FacilitatorProfile
from spejl.facilitators.services import facilitator_profile_for
from spejl.groups import attendance, calendars, policies, selectors, services
from spejl.groups.forms import (
    AssignFacilitatorForm,
    AttendanceForm,
    GroupFilterForm,
    GroupForm,
    MeetingCancelForm,
    MeetingLogForm,
    MeetingMoveForm,
    ReopenForm,
    ScheduleForm,
    StatusForm,
)
from spejl.groups.models import GroupStatus, MeetingStatus, PeerGroup
from spejl.groups.permissions import (
    can_manage_group,
    check_can_manage_group,
    facilitates,
)
from spejl.organisations.models import Organisation, Venue
from spejl.questionnaires.overview import group_questionnaire_progress
from spejl.web.forms import attach_service_errors


def _coordinated_organisations(request: HttpRequest) -> Any:
    actor = get_actor(request)
    if actor.is_national_admin:
        return Organisation.objects.filter(kind="member").order_by("name")
    return Organisation.objects.filter(pk__in=actor.coordinator_of).order_by("name")


def _usable_plans(request: HttpRequest, organisations: Any) -> Any:
    return course_plans_usable_for_groups(actor=get_actor(request), organisations=organisations)


@staff_required
def group_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    visible_orgs = (
        Organisation.objects.all()
        if actor.is_national_admin
        else Organisation.objects.filter(pk__in=actor.member_of)
    ).order_by("name")
    form = GroupFilterForm(
        request.GET or None, organisations=visible_orgs, national=actor.is_national_admin
    )
    filters = selectors.GroupFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.GroupFilter(
            status=data.get("status", ""),
            target=data.get("target", ""),
            region=data.get("region", ""),
            organisation_id=data["organisation"].pk if data.get("organisation") else None,
            search=data.get("q", ""),
        )
    page = Paginator(selectors.groups_for_actor(actor=actor, filters=filters), 50).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "groups/group_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_create": actor.is_national_admin or bool(actor.coordinator_of),
        },
    )


@staff_required
def group_create(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    organisations = _coordinated_organisations(request)
    if not organisations.exists():
        raise NotFound
    form = GroupForm(
        request.POST or None,
        organisations=organisations,
        venues=Venue.objects.filter(organisation__in=organisations, is_active=True)
        .select_related("organisation")
        .order_by("organisation__name", "name"),
        course_plans=_usable_plans(request, organisations),
        initial={"first_date": services.default_first_date(), "start_time": "17:00"},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation")
        try:
            group = services.group_create(actor=actor, organisation=organisation, **data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The group was created. Next, plan its meetings."))
            return redirect("groups:detail", group_id=group.public_id)
    return render(request, "groups/group_form.html", {"form": form})


@staff_required
def group_detail(request: HttpRequest, group_id: str) -> HttpResponse:
    actor = get_actor(request)
    group = selectors.group_get_for_actor(actor=actor, public_id=group_id)
    roster = selectors.group_roster(actor=actor, group=group, purpose="group page roster")
    grid = selectors.attendance_grid(group=group, roster=roster)
    now = timezone.now()
    first = next((m.starts_at for m in grid.meetings if m.status != MeetingStatus.CANCELLED), None)
    seats = sum(1 for r in roster if r.enrolment.state in ("enrolled",))
    return render(
        request,
        "groups/group_detail.html",
        {
            "group": group,
            "facilitations": selectors.group_facilitators(group=group),
            "roster": roster,
            "grid": grid,
            "seats_taken": seats,
            "can_manage": can_manage_group(actor, group),
            "accepts_new": policies.accepts_new_participants(
                group, first_meeting_at=first, now=now
            ),
            "status_changes": list(group.status_changes.select_related("actor")),
            "now": now,
            "questionnaire_progress": group_questionnaire_progress(actor=actor, group=group),
        },
    )


@staff_required
def group_edit(request: HttpRequest, group_id: str) -> HttpResponse:
    actor = get_actor(request)
    group = selectors.group_get_for_actor(actor=actor, public_id=group_id)
    check_can_manage_group(actor, group)
    organisations = Organisation.objects.filter(pk=group.organisation_id)
    form = GroupForm(
        request.POST or None,
        instance=group,
        organisations=organisations,
        venues=Venue.objects.filter(organisation=group.organisation).select_related("organisation"),
        course_plans=_usable_plans(request, organisations),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.group_update(actor=actor, group=group, **form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The group was saved."))
            return redirect("groups:detail", group_id=group.public_id)
    return render(request, "groups/group_form.html", {"form": form, "group": group})


@staff_required
def group_status(request: HttpRequest, group_id: str) -> HttpResponse:
    actor = get_actor(request)
    group = selectors.group_get_for_actor(actor=actor, public_id=group_id)
    check_can_manage_group(actor, group)
    choices = [
        (s, GroupStatus(s).label)
        for s in GroupStatus.values
        if policies.can_transition(group.status, s)
    ]
    form = StatusForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_change_status(
                actor=actor,
                group=group,
                to_status=form.cleaned_data["to_status"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The group's status was changed."))
            return redirect("groups:detail", group_id=group.public_id)
    return render(request, "groups/group_status.html", {"group": group, "form": form})


@staff_required
def group_reopen(request: HttpRequest, group_id: str) -> HttpResponse:
    actor = get_actor(request)
    group = selectors.group_get_for_actor(actor=actor, public_id=group_id)
    check_can_manage_group(actor, group)
    form = ReopenForm(request.POST or None, initial={"reopened": group.reopened})
    if request.method == "POST" and form.is_valid():
        try:
            services.group_set_reopened(
                actor=actor,
                group=group,
                reopened=form.cleaned_data["reopened"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("groups:detail", group_id=group.public_id)
    return render(request, "groups/group_reopen.html", {"group": group, "form": form})


@staff_required
def group_facilitators(request: HttpRequest, group_id: str) -> HttpResponse:
    actor = get_actor(request)
    group = selectors.group_get_for_actor(actor=actor, public_id=group_id)
    check_can_manage_group(actor, group)
    users, labels = selectors.facilitator_candidates(actor=actor, group=group)
    form = AssignFacilitatorForm(request.POST or None, facilitators=users, labels=labels)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_assign_facilitator(
                actor=actor,
                group=group,
                facilitator=facilitator_profile_for(
                    actor=actor, user=form.cleaned_data["facilitator"]
                ),
                override_reason=form.cleaned_data["override_reason"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The facilitator was assigned."))
            return redirect("groups:facilitators", group_id=group.public_id)
    return render(
        request,
        "groups/group_facilitators.html",
        {"group": group, "form": form, "facilitations": selectors.group_facilitators(group=group)},
    )


@staff_required
@require_POST
def group_facilitator_remove(
    request: HttpRequest, group_id: str, facilitator_id: str
) -> HttpResponse:
    actor = get_actor(request)
    group = selectors.group_get_for_actor(actor=actor, public_id=group_id)
    check_can_manage_group(actor, group)
    assignment = group.facilitations.filter(facilitator__public_id=facilitator_id).first()
    if assignment is None:
        raise NotFound
    services.group_remove_facilitator(actor=actor, assignment=assignment)
    messages.success(request, _("The facilitator was taken off the group."))
    return redirect("groups:facilitators", group_id=group.public_id)


@staff_required
def group_schedule(request: HttpRequest, group_id: str) -> HttpResponse:
    actor = get_actor(request)
    group = selectors.group_get_for_actor(actor=actor, public_id=group_id)
    check_can_manage_group(actor, group)
    form = ScheduleForm(request.POST or request.GET or None)
    preview = None
    if form.is_bound and form.is_valid():
        excluded = form.cleaned_data["excluded_dates"]
        if request.method == "POST":
            try:
                services.group_plan_meetings(actor=actor, group=group, excluded_dates=excluded)
            except ValidationError as error:
                attach_service_errors(form, error)
            else:
                messages.success(request, _("The meetings were planned."))
                return redirect("groups:detail", group_id=group.public_id)
        try:
            preview = services.schedule_for_group(group, excluded_dates=excluded)
        except ScheduleError as error:
            form.add_error(None, services.schedule_error_message(error))
    elif not form.is_bound:
        try:
            preview = services.schedule_for_group(group, excluded_dates=frozenset())
        except ScheduleError as error:
            form.add_error(None, services.schedule_error_message(error))
    return render(
        request,
        "groups/group_schedule.html",
        {
            "group": group,
            "form": form,
            "preview": preview,
            "has_meetings": group.meetings.exists(),
            "english": (request.LANGUAGE_CODE or "da").startswith("en"),
        },
    )


@staff_required
def group_calendar(request: HttpRequest, group_id: str) -> HttpResponse:
    actor = get_actor(request)
    group = selectors.group_get_for_actor(actor=actor, public_id=group_id)
    check_can_manage_group(actor, group)
    return _calendar_page(request, group=group, facilitator=None)


@staff_required
def my_calendar(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    if not actor.facilitator_of or actor.user is None:
        raise NotFound
    profile = facilitator_profile_for(actor=actor, user=actor.user)
    return _calendar_page(request, group=None, facilitator=profile)


def _calendar_page(
    request: HttpRequest, *, group: PeerGroup | None, facilitator: FacilitatorProfile | None
) -> HttpResponse:
    actor = get_actor(request)
    new_url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            if group is not None:
                check_can_manage_group(actor, group)
            calendars.calendar_feeds_revoke(group=group, facilitator=facilitator)
            messages.success(request, _("The calendar link was switched off."))
        else:
            token = calendars.calendar_feed_create(
                actor=actor, group=group, facilitator=facilitator
            )
            new_url = request.build_absolute_uri(reverse("groups:feed", kwargs={"token": token}))
    return render(
        request,
        "groups/calendar.html",
        {
            "group": group,
            "feed": calendars.active_feed(group=group, facilitator=facilitator),
            "new_url": new_url,
        },
    )


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The .ics feed itself: no login (calendar apps cannot log in); the token is the key."""
    name, meetings = calendars.feed_meetings(token)
    since = timezone.now() - timedelta(days=120)
    body = calendars.render_ics(name=name, meetings=meetings.filter(starts_at__gte=since))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = 'inline; filename="spejl.ics"'
    return response


@staff_required
def meeting_detail(request: HttpRequest, meeting_id: str) -> HttpResponse:
    actor = get_actor(request)
    meeting = selectors.meeting_get_for_actor(actor=actor, public_id=meeting_id)
    group = meeting.group
    roster = selectors.group_roster(actor=actor, group=group, purpose="meeting attendance")
    marks = selectors.meeting_marks(meeting=meeting)
    today = timezone.localdate()
    return render(
        request,
        "groups/meeting_detail.html",
        {
            "meeting": meeting,
            "group": group,
            "rows": [(row, marks.get(row.enrolment.pk)) for row in roster],
            "can_mark": meeting.status != MeetingStatus.CANCELLED
            and timezone.localdate(meeting.starts_at) <= today,
            "can_manage": can_manage_group(actor, group),
            "is_facilitator": facilitates(actor, group),
            "log": getattr(meeting, "log", None),
            "starts_in_future": meeting.starts_at > timezone.now(),
        },
    )


@staff_required
@require_POST
def meeting_mark(request: HttpRequest, meeting_id: str) -> HttpResponse:
    """Save one attendance mark. Answers with the updated row for HTMX, or redirects back
    to the row without JavaScript."""
    actor = get_actor(request)
    meeting = selectors.meeting_get_for_actor(actor=actor, public_id=meeting_id)
    form = AttendanceForm(request.POST)
    error = None
    if form.is_valid():
        try:
            attendance.attendance_mark(
                actor=actor,
                meeting=meeting,
                enrolment_id=str(form.cleaned_data["enrolment"]),
                status=form.cleaned_data["status"],
                absence_reason=form.cleaned_data["absence_reason"],
            )
        except ValidationError as exc:
            error = exc.messages[0]
    else:
        error = _("The mark could not be read. Try again.")
    if request.headers.get("HX-Request") == "true" and form.is_valid():
        roster = selectors.group_roster(
            actor=actor, group=meeting.group, purpose="meeting attendance"
        )
        row = next(
            (r for r in roster if r.enrolment.public_id == form.cleaned_data["enrolment"]), None
        )
        if row is None:
            raise NotFound
        mark = selectors.meeting_marks(meeting=meeting).get(row.enrolment.pk)
        return render(
            request,
            "groups/_attendance_row.html",
            {
                "meeting": meeting,
                "row": row,
                "mark": mark,
                "can_mark": True,
                "error": error,
                "saved": error is None,
            },
            status=200 if error is None else 422,
        )
    if error:
        messages.error(request, error)
    anchor = f"#p-{form.cleaned_data['enrolment']}" if form.is_valid() else ""
    return redirect(reverse("groups:meeting", kwargs={"meeting_id": meeting.public_id}) + anchor)


@staff_required
def meeting_move(request: HttpRequest, meeting_id: str) -> HttpResponse:
    actor = get_actor(request)
    meeting = selectors.meeting_get_for_actor(actor=actor, public_id=meeting_id)
    check_can_manage_group(actor, meeting.group)
    local = timezone.localtime(meeting.starts_at)
    form = MeetingMoveForm(
        request.POST or None,
        venues=Venue.objects.filter(organisation=meeting.group.organisation, is_active=True),
        initial={"date": local.date(), "time": local.time(), "venue": meeting.venue},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_move(
                actor=actor,
                meeting=meeting,
                starts_at=form.starts_at(),
                venue=form.cleaned_data["venue"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The meeting was moved and everyone is being told."))
            return redirect("groups:meeting", meeting_id=meeting.public_id)
    return render(request, "groups/meeting_move.html", {"meeting": meeting, "form": form})


@staff_required
def meeting_cancel(request: HttpRequest, meeting_id: str) -> HttpResponse:
    actor = get_actor(request)
    meeting = selectors.meeting_get_for_actor(actor=actor, public_id=meeting_id)
    check_can_manage_group(actor, meeting.group)
    form = MeetingCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(
                actor=actor, meeting=meeting, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The meeting was cancelled and everyone is being told."))
            return redirect("groups:detail", group_id=meeting.group.public_id)
    return render(request, "groups/meeting_cancel.html", {"meeting": meeting, "form": form})


@staff_required
def meeting_log(request: HttpRequest, meeting_id: str) -> HttpResponse:
    actor = get_actor(request)
    meeting = selectors.meeting_get_for_actor(actor=actor, public_id=meeting_id)
    existing = getattr(meeting, "log", None)
    form = MeetingLogForm(
        request.POST or None,
        instance=existing,
        initial=None if existing else {"theme_covered": meeting.theme},
    )
    if request.method == "POST" and form.is_valid():
        try:
            attendance.meeting_log_save(actor=actor, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The meeting log was saved. Thank you."))
            return redirect("groups:meeting", meeting_id=meeting.public_id)
    return render(request, "groups/meeting_log.html", {"meeting": meeting, "form": form})


@staff_required
def today(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    if not actor.member_of and not actor.is_national_admin:
        raise NotFound
    return render(
        request,
        "groups/today.html",
        {
            "meetings": selectors.meetings_today_for_actor(actor=actor),
            "today": timezone.localdate(),
            "perms_facilitator": bool(actor.facilitator_of),
        },
    )
