from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from spejl.access.actor import NotFound, actor_for_user
from spejl.audit.models import AuditAction, AuditEvent
from spejl.conftest import World
from spejl.enrolments.models import EnrolmentState
from spejl.facilitators.models import FacilitatorProfile, TrainingRecord
from spejl.groups import calendars, services
from spejl.groups.attendance import attendance_mark, meeting_log_save
from spejl.groups.models import (
    Attendance,
    AttendanceStatus,
    GroupStatus,
    MeetingStatus,
    PeerGroup,
    Target,
)
from spejl.groups.selectors import (
    GroupFilter,
    absence_notices_for_actor,
    groups_for_actor,
    meetings_today_for_actor,
)
from spejl.notifications.models import Notification
from spejl.testing.groups import group_a, make_group, todays_meeting


def _actor(world: World, role: str) -> Any:
    return actor_for_user(world.user(role))


def _new_group(world: World, **overrides: Any) -> PeerGroup:
    data = {
        "title": "Torsdagsgruppen",
        "venue": world.venue_a,
        "target": Target.ADULTS,
        "weekday": 3,
        "start_time": time(17, 0),
        "duration_minutes": 120,
        "interval_weeks": 1,
        "first_date": date(2030, 4, 1),
    }
    data.update(overrides)
    return services.group_create(
        actor=_actor(world, "coordinator_a"), organisation=world.org_a, **data
    )


# --- creating and changing groups -----------------------------------------------------------


def test_coordinator_creates_a_group_in_planning_with_its_history(world: World) -> None:
    group = _new_group(world)
    assert group.status == GroupStatus.PLANNING
    assert (group.min_participants, group.max_participants) == (4, 8)
    assert [c.to_status for c in group.status_changes.all()] == [GroupStatus.PLANNING]


def test_a_group_cannot_meet_at_another_organisations_venue(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        _new_group(world, venue=world.venue_b)
    assert "venue" in error.value.error_dict
    assert not PeerGroup.objects.exists()


def test_coordinator_b_cannot_create_a_group_for_organisation_a(world: World) -> None:
    with pytest.raises(NotFound):
        services.group_create(
            actor=_actor(world, "coordinator_b"),
            organisation=world.org_a,
            title="X",
            venue=world.venue_a,
            target=Target.ADULTS,
            weekday=1,
            start_time=time(10),
            first_date=date(2030, 1, 1),
        )


def test_custom_age_band_needs_both_ages_in_order(world: World) -> None:
    with pytest.raises(ValidationError):
        _new_group(world, target=Target.CUSTOM, age_min=30)
    with pytest.raises(ValidationError):
        _new_group(world, target=Target.CUSTOM, age_min=40, age_max=30)
    group = _new_group(world, target=Target.CUSTOM, age_min=60, age_max=99)
    assert group.age_band == (60, 99)


def test_status_follows_the_state_machine_and_records_reasons(world: World) -> None:
    group = _new_group(world)
    actor = _actor(world, "coordinator_a")
    with pytest.raises(ValidationError):
        services.group_change_status(actor=actor, group=group, to_status=GroupStatus.COMPLETED)
    services.group_change_status(actor=actor, group=group, to_status=GroupStatus.RECRUITING)
    with pytest.raises(ValidationError):  # running needs planned meetings
        services.group_change_status(actor=actor, group=group, to_status=GroupStatus.RUNNING)
    assert group.status == GroupStatus.RECRUITING
    with pytest.raises(ValidationError):  # cancelling needs a reason
        services.group_change_status(actor=actor, group=group, to_status=GroupStatus.CANCELLED)
    services.group_change_status(
        actor=actor, group=group, to_status=GroupStatus.CANCELLED, reason="Too few signed up"
    )
    group.refresh_from_db()
    assert group.status == GroupStatus.CANCELLED
    assert group.status_changes.last().reason == "Too few signed up"
    with pytest.raises(ValidationError):
        services.group_change_status(
            actor=actor, group=group, to_status=GroupStatus.PLANNING, reason="again"
        )


def test_a_stale_status_change_is_refused_not_applied_twice(world: World) -> None:
    group = _new_group(world)
    stale = PeerGroup.objects.get(pk=group.pk)
    actor = _actor(world, "coordinator_a")
    services.group_change_status(actor=actor, group=group, to_status=GroupStatus.RECRUITING)
    with pytest.raises(ValidationError):
        services.group_change_status(
            actor=actor, group=stale, to_status=GroupStatus.CANCELLED, reason="x"
        )
    group.refresh_from_db()
    assert group.status == GroupStatus.RECRUITING


def test_facilitator_cannot_change_the_group(world: World) -> None:
    group = group_a(world)
    with pytest.raises(PermissionDenied):
        services.group_update(actor=_actor(world, "facilitator_a"), group=group, title="Mine")


# --- facilitators ---------------------------------------------------------------------------


def test_assigning_an_untrained_facilitator_needs_an_audited_override(world: World) -> None:
    group = _new_group(world)
    profile, _ = FacilitatorProfile.objects.get_or_create(user=world.facilitator_a)
    actor = _actor(world, "coordinator_a")
    with pytest.raises(ValidationError) as error:
        services.group_assign_facilitator(actor=actor, group=group, facilitator=profile)
    assert "override_reason" in error.value.error_dict
    assert not group.facilitations.exists()
    services.group_assign_facilitator(
        actor=actor, group=group, facilitator=profile, override_reason="Course booked in May"
    )
    assert group.facilitations.get().override_reason == "Course booked in May"
    event = AuditEvent.objects.get(purpose__startswith="facilitator assigned despite")
    assert event.fields == ["training_override"] and event.organisation == world.org_a


def test_trained_facilitator_is_assigned_without_override(world: World) -> None:
    group = _new_group(world)
    profile, _ = FacilitatorProfile.objects.get_or_create(user=world.facilitator_a)
    TrainingRecord.objects.create(
        facilitator=profile,
        course_name="Tovholderuddannelse",
        provider="FriSe",
        completed_on=date(2025, 1, 10),
        valid_until=None,
    )
    services.group_assign_facilitator(
        actor=_actor(world, "coordinator_a"),
        group=group,
        facilitator=profile,
        override_reason="ignored",
    )
    assert group.facilitations.get().override_reason == ""


def test_only_the_organisations_facilitators_can_be_assigned(world: World) -> None:
    group = _new_group(world)
    outsider, _ = FacilitatorProfile.objects.get_or_create(user=world.coordinator_b)
    with pytest.raises(NotFound):
        services.group_assign_facilitator(
            actor=_actor(world, "coordinator_a"),
            group=group,
            facilitator=outsider,
            override_reason="x",
        )


# --- schedule -------------------------------------------------------------------------------


def test_planning_meetings_copies_course_plan_themes_and_skips_holidays(world: World) -> None:
    from spejl.courseplans.models import CoursePlan, CoursePlanStatus

    plan = CoursePlan.objects.filter(
        code="national-default", status=CoursePlanStatus.PUBLISHED
    ).first()
    assert plan is not None, "the national default plan ships with the migrations"
    # Thursdays from 2 April 2026: Maundy Thursday (2/4) and Ascension Day (14/5) are skipped.
    group = _new_group(world, course_plan=plan, first_date=date(2026, 4, 2), weekday=3)
    meetings = services.group_plan_meetings(actor=_actor(world, "coordinator_a"), group=group)
    dates = [timezone.localtime(m.starts_at).date() for m in meetings]
    assert len(meetings) == plan.meetings.count()
    assert dates[0] == date(2026, 4, 9)
    assert date(2026, 5, 14) not in dates
    assert timezone.localtime(meetings[0].starts_at).time() == time(17, 0)
    first_theme = plan.meetings.get(number=1)
    assert meetings[0].theme_da == first_theme.theme_da


def test_excluded_dates_are_skipped_and_replanning_replaces_future_meetings(world: World) -> None:
    group = _new_group(world, first_date=date(2030, 9, 2), weekday=0, interval_weeks=2)
    actor = _actor(world, "coordinator_a")
    services.group_plan_meetings(actor=actor, group=group, count=4)
    services.group_plan_meetings(
        actor=actor, group=group, count=4, excluded_dates=frozenset({date(2030, 9, 16)})
    )
    dates = [timezone.localtime(m.starts_at).date() for m in group.meetings.all()]
    assert dates == [date(2030, 9, 2), date(2030, 9, 30), date(2030, 10, 14), date(2030, 10, 28)]


def test_a_group_that_has_met_cannot_be_replanned(world: World) -> None:
    group = group_a(world)
    with pytest.raises(ValidationError):
        services.group_plan_meetings(actor=_actor(world, "coordinator_a"), group=group)
    assert group.meetings.count() == 5


# --- moving and cancelling meetings notifies people ------------------------------------------


def test_moving_a_meeting_notifies_participants_and_facilitators_once(world: World) -> None:
    group = group_a(world)
    meeting = group.meetings.order_by("-number").first()
    assert meeting is not None
    new_start = timezone.localtime(meeting.starts_at) + timedelta(days=1, hours=17)
    services.meeting_move(
        actor=_actor(world, "coordinator_a"),
        meeting=meeting,
        starts_at=new_start,
        reason="The room is taken",
    )
    meeting.refresh_from_db()
    assert meeting.sequence == 1 and meeting.starts_at == new_start
    assert meeting.ends_at - meeting.starts_at == timedelta(hours=2)
    notes = Notification.objects.filter(template="meeting_moved")
    assert notes.count() == 3 + 1  # three participants and facilitator A
    assert not any("@" in str(n.context) for n in notes)
    # The same change queued again is not a second message.
    from spejl.groups.notices import notify_meeting_change

    assert notify_meeting_change(meeting=meeting, template="meeting_moved") == 0


def test_cancelling_needs_a_reason_and_is_told(world: World) -> None:
    meeting = group_a(world).meetings.order_by("-number").first()
    assert meeting is not None
    actor = _actor(world, "coordinator_a")
    with pytest.raises(ValidationError):
        services.meeting_cancel(actor=actor, meeting=meeting, reason=" ")
    services.meeting_cancel(actor=actor, meeting=meeting, reason="Facilitator ill")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert Notification.objects.filter(template="meeting_cancelled").count() == 4


def test_moving_into_the_past_is_refused(world: World) -> None:
    meeting = group_a(world).meetings.order_by("-number").first()
    assert meeting is not None
    with pytest.raises(ValidationError):
        services.meeting_move(
            actor=_actor(world, "coordinator_a"),
            meeting=meeting,
            starts_at=timezone.now() - timedelta(days=1),
            reason="x",
        )


# --- attendance -----------------------------------------------------------------------------


def test_facilitator_marks_attendance_idempotently_and_it_is_audited(world: World) -> None:
    group = group_a(world)
    meeting = todays_meeting(group)
    enrolment = group.enrolments.first()
    assert enrolment is not None
    actor = _actor(world, "facilitator_a")
    for _ in range(2):
        attendance_mark(
            actor=actor,
            meeting=meeting,
            enrolment_id=str(enrolment.public_id),
            status=AttendanceStatus.ABSENT,
            absence_reason="ill",
        )
    attendance_mark(
        actor=actor,
        meeting=meeting,
        enrolment_id=str(enrolment.public_id),
        status=AttendanceStatus.PRESENT,
        absence_reason="ill",
    )
    marks = Attendance.objects.filter(meeting=meeting, enrolment=enrolment)
    assert marks.count() == 1
    assert (marks.get().status, marks.get().absence_reason) == ("present", "")
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.UPDATE, purpose="attendance marked", actor=world.facilitator_a
        ).count()
        == 3
    )


def test_future_meetings_cannot_be_marked(world: World) -> None:
    group = group_a(world)
    future = group.meetings.order_by("-number").first()
    enrolment = group.enrolments.first()
    assert future is not None and enrolment is not None
    with pytest.raises(ValidationError):
        attendance_mark(
            actor=_actor(world, "facilitator_a"),
            meeting=future,
            enrolment_id=str(enrolment.public_id),
            status="present",
        )


def test_facilitator_not_assigned_to_a_group_cannot_mark_it(world: World) -> None:
    group = group_a(world)
    group.facilitations.all().delete()
    enrolment = group.enrolments.first()
    assert enrolment is not None
    with pytest.raises(NotFound):
        attendance_mark(
            actor=_actor(world, "facilitator_a"),
            meeting=todays_meeting(group),
            enrolment_id=str(enrolment.public_id),
            status="present",
        )


def test_two_absences_in_a_row_raise_a_notice_for_the_coordinator(world: World) -> None:
    group = group_a(world)
    meetings = list(group.meetings.filter(starts_at__lte=timezone.now()).order_by("-starts_at"))
    enrolment = group.enrolments.first()
    other = group.enrolments.exclude(pk=enrolment.pk).first()
    assert enrolment is not None and other is not None
    for meeting in meetings[:2]:
        Attendance.objects.create(meeting=meeting, enrolment=enrolment, status="absent")
    Attendance.objects.create(meeting=meetings[0], enrolment=other, status="absent")
    Attendance.objects.create(meeting=meetings[1], enrolment=other, status="present")
    notices = absence_notices_for_actor(actor=_actor(world, "coordinator_a"))
    assert [n.enrolment for n in notices] == [enrolment]
    assert absence_notices_for_actor(actor=_actor(world, "coordinator_b")) == []


def test_meeting_log_is_written_after_the_meeting(world: World) -> None:
    group = group_a(world)
    future = group.meetings.order_by("-number").first()
    assert future is not None
    actor = _actor(world, "facilitator_a")
    kwargs = {
        "theme_covered": "Tema",
        "atmosphere": 4,
        "concern": True,
        "contact_coordinator": True,
        "note": "Godt møde",
    }
    with pytest.raises(ValidationError):
        meeting_log_save(actor=actor, meeting=future, **kwargs)
    log = meeting_log_save(actor=actor, meeting=todays_meeting(group), **kwargs)
    assert log.contact_coordinator and log.atmosphere == 4


# --- lists, pages and isolation ---------------------------------------------------------------


def test_group_list_shows_seats_next_meeting_and_attendance_rate(world: World) -> None:
    group = group_a(world)
    meeting = todays_meeting(group)
    enrolments = list(group.enrolments.all())
    Attendance.objects.create(meeting=meeting, enrolment=enrolments[0], status="present")
    Attendance.objects.create(meeting=meeting, enrolment=enrolments[1], status="absent")
    row = groups_for_actor(actor=_actor(world, "coordinator_a")).get(pk=group.pk)
    assert (row.seats_taken, row.seats_free) == (3, 5)
    assert (row.marks_present, row.marks_total) == (1, 2)
    assert row.next_meeting_at is not None and row.next_meeting_at >= timezone.now()


def test_facilitator_sees_only_the_groups_they_facilitate(world: World) -> None:
    mine = group_a(world)
    make_group(world, title="Andens gruppe")  # also organisation A, facilitator A assigned
    other = PeerGroup.objects.get(title="Andens gruppe")
    other.facilitations.all().delete()
    groups = list(groups_for_actor(actor=_actor(world, "facilitator_a")))
    assert groups == [mine]


def test_national_admin_filters_groups_by_region_status_and_target(world: World) -> None:
    group_a(world)
    make_group(world, organisation=world.org_b, title="Odense-gruppen", status="recruiting")
    admin = _actor(world, "national_admin")
    south = groups_for_actor(actor=admin, filters=GroupFilter(region="1083"))
    assert [g.title for g in south] == ["Odense-gruppen"]
    assert [
        g.title for g in groups_for_actor(actor=admin, filters=GroupFilter(status="running"))
    ] == ["Onsdagsgruppen"]
    assert list(groups_for_actor(actor=admin, filters=GroupFilter(target="youth"))) == []


def test_group_list_runs_a_constant_number_of_queries(
    world: World, client_as: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_as("coordinator_a")
    group_a(world)
    client.get(reverse("groups:list"))
    for index in range(12):
        make_group(world, title=f"Gruppe {index}", participants=2, meetings_before_today=1)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("groups:list"))
    assert response.context["page"].paginator.count == 13


def test_group_page_shows_roster_to_facilitator_and_audits_it(world: World, client_as: Any) -> None:
    group = group_a(world)
    response = client_as("facilitator_a").get(
        reverse("groups:detail", kwargs={"group_id": group.public_id})
    )
    assert response.status_code == 200
    roster = response.context["roster"]
    assert [r.first_name for r in roster] == ["Bjørn", "Cæcilie", "Åse"]  # Danish order
    assert all(r.last_name == "" for r in roster)  # facilitators see first names only
    assert AuditEvent.objects.filter(
        actor=world.facilitator_a, action=AuditAction.READ, object_id=str(group.public_id)
    ).exists()


def test_coordinator_b_gets_404_on_group_a_pages_and_its_marks(
    world: World, client_as: Any
) -> None:
    group = group_a(world)
    meeting = todays_meeting(group)
    enrolment = group.enrolments.first()
    assert enrolment is not None
    client = client_as("coordinator_b")
    assert (
        client.get(reverse("groups:detail", kwargs={"group_id": group.public_id})).status_code
        == 404
    )
    response = client.post(
        reverse("groups:mark", kwargs={"meeting_id": meeting.public_id}),
        {"enrolment": enrolment.public_id, "status": "present"},
    )
    assert response.status_code == 404
    assert not Attendance.objects.exists()
    response = client.post(
        reverse(
            "groups:facilitator_remove",
            kwargs={
                "group_id": group.public_id,
                "facilitator_id": group.facilitations.get().facilitator.public_id,
            },
        )
    )
    assert response.status_code == 404
    assert group.facilitations.exists()


def test_marking_without_javascript_redirects_back_to_the_row(world: World, client_as: Any) -> None:
    group = group_a(world)
    meeting = todays_meeting(group)
    enrolment = group.enrolments.first()
    assert enrolment is not None
    response = client_as("facilitator_a").post(
        reverse("groups:mark", kwargs={"meeting_id": meeting.public_id}),
        {"enrolment": enrolment.public_id, "status": "absent", "absence_reason": "informed"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#p-{enrolment.public_id}")
    mark = Attendance.objects.get()
    assert (mark.status, mark.absence_reason) == ("absent", "informed")


def test_marking_with_htmx_returns_the_updated_row(world: World, client_as: Any) -> None:
    group = group_a(world)
    meeting = todays_meeting(group)
    enrolment = group.enrolments.first()
    assert enrolment is not None
    response = client_as("facilitator_a").post(
        reverse("groups:mark", kwargs={"meeting_id": meeting.public_id}),
        {"enrolment": enrolment.public_id, "status": "present"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<li class="attendance-row is-present"')
    assert f'id="p-{enrolment.public_id}"' in html


def test_todays_meetings_for_the_facilitator(world: World) -> None:
    group = group_a(world)
    today = meetings_today_for_actor(actor=_actor(world, "facilitator_a"))
    assert today == [todays_meeting(group)]
    assert meetings_today_for_actor(actor=_actor(world, "coordinator_b")) == []


# --- calendars ------------------------------------------------------------------------------


def test_group_calendar_feed_updates_moved_meetings_and_can_be_revoked(
    world: World, client: Any
) -> None:
    group = group_a(world)
    token = calendars.calendar_feed_create(actor=_actor(world, "coordinator_a"), group=group)
    url = reverse("groups:feed", kwargs={"token": token})
    body = client.get(url).content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert body.count("BEGIN:VEVENT") == 5
    assert "Åse" not in body and "Testesen" not in body
    meeting = group.meetings.order_by("-number").first()
    assert meeting is not None
    services.meeting_move(
        actor=_actor(world, "coordinator_a"),
        meeting=meeting,
        starts_at=timezone.now() + timedelta(days=30),
        reason="Moved",
    )
    body = client.get(url).content.decode()
    assert f"UID:meeting-{meeting.public_id}@spejl\r\n" in body
    assert "SEQUENCE:1" in body
    calendars.calendar_feeds_revoke(group=group)
    assert client.get(url).status_code == 404
    assert client.get(reverse("groups:feed", kwargs={"token": "guess"})).status_code == 404


def test_new_calendar_link_replaces_the_old_one(world: World, client: Any) -> None:
    group = group_a(world)
    actor = _actor(world, "coordinator_a")
    first = calendars.calendar_feed_create(actor=actor, group=group)
    second = calendars.calendar_feed_create(actor=actor, group=group)
    assert client.get(reverse("groups:feed", kwargs={"token": first})).status_code == 404
    assert client.get(reverse("groups:feed", kwargs={"token": second})).status_code == 200


def test_ics_lines_are_folded_at_75_octets(world: World) -> None:
    group = group_a(world)
    meeting = group.meetings.first()
    assert meeting is not None
    meeting.theme_da = "Æ" * 80
    body = calendars.render_ics(name="Æøå", meetings=[meeting])
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_enrolment_states_on_the_roster(world: World) -> None:
    group = group_a(world)
    enrolment = group.enrolments.first()
    assert enrolment is not None
    enrolment.state = EnrolmentState.WAITLISTED
    enrolment.save()
    from spejl.groups.selectors import group_roster

    roster = group_roster(actor=_actor(world, "coordinator_a"), group=group, purpose="test")
    assert len(roster) == 2


def test_meeting_times_are_stored_aware_in_copenhagen_time(world: World) -> None:
    group = _new_group(world, first_date=date(2030, 3, 25), weekday=0)  # DST starts 31/3
    meetings = services.group_plan_meetings(
        actor=_actor(world, "coordinator_a"), group=group, count=2
    )
    local = [timezone.localtime(m.starts_at) for m in meetings]
    assert [t.time() for t in local] == [time(17), time(17)]
    assert local[0].utcoffset() != local[1].utcoffset()
    assert isinstance(meetings[0].starts_at, datetime)


def test_meeting_page_audits_the_roster_and_hides_it_from_other_organisations(
    world: World, client_as: Any
) -> None:
    meeting = todays_meeting(group_a(world))
    url = reverse("groups:meeting", kwargs={"meeting_id": meeting.public_id})
    assert client_as("coordinator_b").get(url).status_code == 404
    assert client_as("evaluator").get(url).status_code == 404
    response = client_as("facilitator_a").get(url)
    assert response.status_code == 200 and len(response.context["rows"]) == 3
    assert (
        AuditEvent.objects.filter(purpose="meeting attendance", actor=world.facilitator_a).count()
        == 1
    )


def test_dashboard_lists_absences_and_contact_requests_for_the_coordinator(
    world: World, client_as: Any
) -> None:
    group = group_a(world)
    past = list(group.meetings.filter(starts_at__lte=timezone.now()).order_by("-starts_at"))
    enrolment = group.enrolments.first()
    assert enrolment is not None
    for meeting in past[:2]:
        Attendance.objects.create(meeting=meeting, enrolment=enrolment, status="absent")
    meeting_log_save(
        actor=_actor(world, "facilitator_a"),
        meeting=past[0],
        theme_covered="T",
        atmosphere=2,
        concern=True,
        contact_coordinator=True,
        note="",
    )
    dashboard = client_as("coordinator_a").get("/").context["dashboard"]
    assert [n.enrolment for n in dashboard.absence_notices] == [enrolment]
    assert [log.meeting for log in dashboard.contact_requests] == [past[0]]
    other = client_as("coordinator_b").get("/").context["dashboard"]
    assert other.absence_notices == [] and other.contact_requests == []


def test_group_form_keeps_input_and_explains_errors(world: World, client_as: Any) -> None:
    response = client_as("coordinator_a").post(
        reverse("groups:create"),
        {
            "organisation": world.org_a.pk,
            "title": "Fejlgruppen",
            "venue": world.venue_a.pk,
            "target": "custom",
            "language": "da",
            "min_participants": 6,
            "max_participants": 4,
            "weekday": 2,
            "start_time": "17:00",
            "duration_minutes": 120,
            "interval_weeks": 1,
            "first_date": "2030-01-01",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form["title"].value() == "Fejlgruppen"
    assert form.errors
    assert not PeerGroup.objects.filter(title="Fejlgruppen").exists()


def test_schedule_page_previews_then_plans(world: World, client_as: Any) -> None:
    group = _new_group(world, first_date=date(2030, 12, 16), weekday=1)  # Tuesdays over Xmas
    url = reverse("groups:schedule", kwargs={"group_id": group.public_id})
    client = client_as("coordinator_a")
    preview = client.get(url).context["preview"]
    skipped = {s.date for s in preview.skipped}
    assert date(2030, 12, 24) in skipped and date(2030, 12, 31) in skipped
    assert not group.meetings.exists()
    response = client.post(url, {"excluded_dates": "2031-01-07\nnot-a-date"})
    assert response.status_code == 200 and response.context["form"].errors
    assert not group.meetings.exists()
    assert client.post(url, {"excluded_dates": "2031-01-07"}).status_code == 302
    dates = {timezone.localtime(m.starts_at).date() for m in group.meetings.all()}
    assert date(2031, 1, 7) not in dates and len(dates) == 10


def test_meeting_move_view_tells_everyone(world: World, client_as: Any) -> None:
    meeting = group_a(world).meetings.order_by("-number").first()
    assert meeting is not None
    when = timezone.localdate() + timedelta(days=40)
    response = client_as("coordinator_a").post(
        reverse("groups:meeting_move", kwargs={"meeting_id": meeting.public_id}),
        {
            "date": when.isoformat(),
            "time": "18:30",
            "venue": world.venue_a.pk,
            "reason": "Lokalet er optaget",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert timezone.localtime(meeting.starts_at).time() == time(18, 30)
    assert Notification.objects.filter(template="meeting_moved").count() == 4


def test_moved_meeting_messages_reach_inboxes_in_the_recipients_language(world: World) -> None:
    from django.core import mail

    from spejl.notifications.services import send_due

    group = group_a(world)
    contact = group.enrolments.first().participant.contact  # type: ignore[union-attr]
    contact.language = "en"
    contact.save()
    meeting = group.meetings.order_by("-number").first()
    assert meeting is not None
    new_start = datetime.combine(
        timezone.localdate() + timedelta(days=50),
        time(18, 30),
        tzinfo=timezone.get_current_timezone(),
    )
    services.meeting_move(
        actor=_actor(world, "coordinator_a"),
        meeting=meeting,
        starts_at=new_start,
        reason="Lokalet er optaget",
    )
    send_due()
    assert len(mail.outbox) == 4
    by_recipient = {m.to[0]: m for m in mail.outbox}
    english = by_recipient[contact.email]
    assert "has moved" in english.subject and "18:30" in english.body
    danish = next(
        m for m in mail.outbox if m.to[0] not in (contact.email, world.facilitator_a.email)
    )
    assert "18:30" in danish.body and "Lokalet er optaget" in danish.body
    send_due()
    assert len(mail.outbox) == 4  # nothing is sent twice


def test_assigning_through_the_page_makes_the_profile_through_the_audited_service(
    world: World, client_as: Any
) -> None:
    group = _new_group(world)
    FacilitatorProfile.objects.filter(user=world.facilitator_a).delete()
    url = reverse("groups:facilitators", kwargs={"group_id": group.public_id})
    client = client_as("coordinator_a")
    form = client.get(url).context["form"]
    assert list(form.fields["facilitator"].queryset) == [world.facilitator_a]
    assert not FacilitatorProfile.objects.exists()  # looking changes nothing
    response = client.post(
        url, {"facilitator": world.facilitator_a.pk, "override_reason": "Course booked"}
    )
    assert response.status_code == 302
    assert group.facilitations.get().facilitator.user == world.facilitator_a
    assert AuditEvent.objects.filter(purpose="create facilitator profile").exists()
