"""Intake pages: isolation, audit, forms end to end, lists and counts, referral destinations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from spejl.access.actor import actor_for_user
from spejl.audit.models import AuditEvent
from spejl.conftest import World
from spejl.enquiries.models import EnquiryStatus
from spejl.enrolments.models import Enrolment
from spejl.intake.destinations import (
    DATA_FILE,
    DestinationFileError,
    load_destinations,
    read_destinations,
)
from spejl.intake.models import Decision, Intake, IntakeStatus, ReferralDestination
from spejl.intake.selectors import intake_counts_for_actor
from spejl.intake.tests.fixtures import destination_a, make_enquiry, make_intake
from spejl.participants.models import Participant

THIS_YEAR = timezone.localdate().year


def _local(moment: Any) -> Any:
    return timezone.localtime(moment)


def record_post(intake: Intake, **changes: Any) -> dict[str, Any]:
    """A complete record form: held an hour ago, suitable, with wishes."""
    when = _local(timezone.now() - timedelta(hours=1))
    data: dict[str, Any] = {
        "status": "held",
        "date": when.strftime("%Y-%m-%d"),
        "time": when.strftime("%H:%M"),
        "mode": "in_person",
        "place": "Frivilligcentret",
        "birth_year": "1958",
        "gender": "man",
        "target": "adults",
        "age_ok": "",
        "tils_1": "3",
        "tils_2": "3",
        "tils_3": "2",
        "decision": "suitable",
        "referral_destination": "",
        "decision_note": "",
        "preferred_times": ["mon-evening", "thu-afternoon"],
        "max_travel_km": "10",
        "composition_wishes": "not the only man",
        "accessibility_needs": "",
        "needs_step_free": "on",
        "language": "da",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- Isolation and audit --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coordinator_b", "facilitator_a", "evaluator"])
def test_other_organisations_facilitators_and_evaluators_get_404(
    world: World, client_as: Any, role: str
) -> None:
    intake = make_intake(world.org_a)
    enquiry = make_enquiry(world.org_a, first_name="Bodil")
    client = client_as(role)
    urls = [
        reverse("intake:detail", kwargs={"intake_id": intake.public_id}),
        reverse("intake:record", kwargs={"intake_id": intake.public_id}),
        reverse("intake:schedule", kwargs={"enquiry_id": enquiry.public_id}),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, record_post(intake)).status_code == 404, url
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.SCHEDULED
    assert (
        not AuditEvent.objects.exclude(actor=None)
        .filter(object_id__in=[str(intake.public_id), str(enquiry.public_id)])
        .exists()
    )


def test_the_intake_page_is_an_audited_read(world: World, client_as: Any) -> None:
    intake = make_intake(world.org_a, tils_1=3, tils_2=2, tils_3=2, tils_score=7)
    response = client_as("coordinator_a").get(
        reverse("intake:detail", kwargs={"intake_id": intake.public_id})
    )
    assert response.status_code == 200
    assert response.context["person"].first_name == "Karen"
    assert response.context["tils"].severe is True
    event = AuditEvent.objects.get(action="read", object_id=str(intake.public_id))
    assert event.actor == world.coordinator_a
    assert {"first_name", "phone", "email", "tils_1", "decision"} <= set(event.fields)


def test_the_intake_page_highlights_severe_loneliness_calmly(world: World, client_as: Any) -> None:
    intake = make_intake(world.org_a, tils_1=3, tils_2=3, tils_3=1)
    client = client_as("coordinator_a")
    client.cookies["django_language"] = "en"
    response = client.get(reverse("intake:detail", kwargs={"intake_id": intake.public_id}))
    assert response.context["tils"].score == 7
    assert "Signs of severe loneliness" in response.content.decode()
    intake.tils_1 = 2
    intake.save()
    response = client.get(reverse("intake:detail", kwargs={"intake_id": intake.public_id}))
    assert response.context["tils"].severe is False
    assert "Signs of severe loneliness" not in response.content.decode()


# --- Scheduling and recording through the pages ----------------------------------------------


def test_coordinator_schedules_from_the_enquiry(world: World, client_as: Any) -> None:
    enquiry = make_enquiry(world.org_a)
    url = reverse("intake:schedule", kwargs={"enquiry_id": enquiry.public_id})
    client = client_as("coordinator_a")
    assert client.get(url).status_code == 200
    when = _local(timezone.now() + timedelta(days=3)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    response = client.post(
        url,
        {"date": when.strftime("%Y-%m-%d"), "time": "10:00", "mode": "phone", "place": ""},
    )
    intake = Intake.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:detail", kwargs={"intake_id": intake.public_id})
    assert intake.scheduled_at == when  # 10:00 Copenhagen time
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.INTAKE
    # The page now points to the scheduled conversation instead of offering a second one.
    assert client.get(url).context["existing"] == intake


def test_schedule_form_errors_keep_what_was_typed(world: World, client_as: Any) -> None:
    enquiry = make_enquiry(world.org_a)
    url = reverse("intake:schedule", kwargs={"enquiry_id": enquiry.public_id})
    when = _local(timezone.now() + timedelta(days=3))
    response = client_as("coordinator_a").post(
        url, {"date": when.strftime("%Y-%m-%d"), "time": "10:00", "mode": "in_person"}
    )
    assert response.status_code == 200
    assert "place" in response.context["form"].errors
    assert response.context["form"]["date"].value() == when.strftime("%Y-%m-%d")
    assert not Intake.objects.exists()


def test_coordinator_schedules_for_an_existing_participant(world: World, client_as: Any) -> None:
    participant = Participant.objects.create(organisation=world.org_a)
    url = reverse(
        "intake:schedule_for_participant", kwargs={"participant_id": participant.public_id}
    )
    when = _local(timezone.now() + timedelta(days=3))
    response = client_as("coordinator_a").post(
        url, {"date": when.strftime("%Y-%m-%d"), "time": "13:15", "mode": "video"}
    )
    assert response.status_code == 302
    intake = Intake.objects.get()
    assert (intake.participant, intake.enquiry) == (participant, None)
    other = client_as("coordinator_b").get(url)
    assert other.status_code == 404


def test_recording_through_the_form_converts_and_waitlists(world: World, client_as: Any) -> None:
    intake = make_intake(world.org_a)
    url = reverse("intake:record", kwargs={"intake_id": intake.public_id})
    client = client_as("coordinator_a")
    form_page = client.get(url)
    assert form_page.status_code == 200
    assert form_page.context["form"]["target"].value() == "adults"  # suggested from 1958
    response = client.post(url, record_post(intake))
    assert response.status_code == 302, response.context["form"].errors
    intake.refresh_from_db()
    assert (intake.status, intake.decision, intake.tils_score) == ("held", "suitable", 8)
    assert intake.preferred_times == ["mon-evening", "thu-afternoon"]
    assert intake.needs_step_free is True
    participant = intake.participant
    assert participant is not None and participant.gender == "man"
    assert Enrolment.objects.filter(participant=participant, state="waitlisted").count() == 1
    # A double submit changes nothing more.
    client.post(url, record_post(intake))
    assert Participant.objects.count() == 1
    assert Enrolment.objects.count() == 1


def test_record_form_shows_the_services_messages_next_to_the_fields(
    world: World, client_as: Any
) -> None:
    intake = make_intake(world.org_a)
    url = reverse("intake:record", kwargs={"intake_id": intake.public_id})
    response = client_as("coordinator_a").post(
        url, record_post(intake, decision="referred", tils_3="")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "referral_destination" in errors
    future = _local(timezone.now() + timedelta(days=1))
    response = client_as("coordinator_a").post(
        url, record_post(intake, date=future.strftime("%Y-%m-%d"))
    )
    assert "date" in response.context["form"].errors
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.SCHEDULED


def test_an_urgent_referral_shows_a_reminder(
    world: World, client_as: Any, national_destinations: list[ReferralDestination]
) -> None:
    emergency = next(d for d in national_destinations if d.is_urgent)
    intake = make_intake(world.org_a)
    url = reverse("intake:record", kwargs={"intake_id": intake.public_id})
    client = client_as("coordinator_a")
    client.cookies["django_language"] = "en"
    response = client.post(
        url,
        record_post(intake, decision="referred", referral_destination=str(emergency.pk)),
        follow=True,
    )
    assert response.context["urgent_referral"] is True
    page = response.content.decode()
    assert "Make sure the person gets help today" in page
    assert "Urgent referral: make sure the person gets help today" in page
    intake.refresh_from_db()
    assert intake.referral_destination == emergency
    doctor = national_destinations[0]
    client.post(url, record_post(intake, decision="referred", referral_destination=str(doctor.pk)))
    detail = client.get(reverse("intake:detail", kwargs={"intake_id": intake.public_id}))
    assert detail.context["urgent_referral"] is False


# --- Lists and counts ---------------------------------------------------------------------------


def _pipeline(world: World) -> dict[str, Any]:
    past = timezone.now() - timedelta(days=1)
    return {
        "waiting": make_enquiry(world.org_a, first_name="Venter"),
        "scheduled": make_intake(world.org_a),
        "pending": make_intake(world.org_a, status=IntakeStatus.HELD, scheduled_at=past),
        "decided": make_intake(
            world.org_a, status=IntakeStatus.HELD, scheduled_at=past, decision=Decision.NOT_NOW
        ),
        "cancelled": make_intake(world.org_a, status=IntakeStatus.CANCELLED),
        "other_org": make_intake(world.org_b),
    }


def test_counts_for_the_dashboard(world: World) -> None:
    _pipeline(world)
    # The cancelled intake's enquiry waits for a new conversation too.
    expected = {"to_schedule": 2, "scheduled": 1, "decision_pending": 1}
    assert intake_counts_for_actor(actor=actor_for_user(world.coordinator_a)) == expected
    assert intake_counts_for_actor(actor=actor_for_user(world.coordinator_b)) == {
        "to_schedule": 0,
        "scheduled": 1,
        "decision_pending": 0,
    }
    assert intake_counts_for_actor(actor=actor_for_user(world.facilitator_a)) == {
        "to_schedule": 0,
        "scheduled": 0,
        "decision_pending": 0,
    }


@pytest.mark.parametrize(
    ("show", "expected"),
    [
        ("scheduled", ["scheduled"]),
        ("decision_pending", ["pending"]),
        ("all", ["scheduled", "pending", "decided", "cancelled"]),
    ],
)
def test_list_filters(world: World, client_as: Any, show: str, expected: list[str]) -> None:
    made = _pipeline(world)
    response = client_as("coordinator_a").get(reverse("intake:list"), {"show": show})
    shown = {i.pk for i in response.context["items"]}
    assert shown == {made[name].pk for name in expected}


def test_list_of_enquiries_to_schedule(world: World, client_as: Any) -> None:
    made = _pipeline(world)
    response = client_as("coordinator_a").get(reverse("intake:list"), {"show": "to_schedule"})
    shown = {e.pk for e in response.context["items"]}
    assert shown == {made["waiting"].pk, made["cancelled"].enquiry_id}
    assert AuditEvent.objects.filter(
        action="read", object_type="enquiries.enquiry", purpose="intake list"
    ).exists()


@pytest.mark.parametrize("show", ["scheduled", "to_schedule", "decision_pending", "all"])
def test_the_list_runs_a_bounded_number_of_queries(
    world: World, client_as: Any, django_assert_max_num_queries: Any, show: str
) -> None:
    client = client_as("coordinator_a")
    url = reverse("intake:list")
    client.get(url, {"show": show})  # warm up sessions and caches
    for _ in range(30):
        make_enquiry(world.org_a)
        make_intake(world.org_a)
        participant = Participant.objects.create(organisation=world.org_a)
        make_intake(
            world.org_a,
            participant=participant,
            status=IntakeStatus.HELD,
            scheduled_at=timezone.now() - timedelta(days=2),
        )
    with django_assert_max_num_queries(10):
        response = client.get(url, {"show": show})
    assert len(response.context["items"]) >= 30


# --- Referral destinations ------------------------------------------------------------------


def test_the_shipped_national_list(national_destinations: list[ReferralDestination]) -> None:
    names = [(d.name_da, d.name_en, d.is_urgent) for d in national_destinations]
    assert names == [
        ("Egen læge", "Own doctor", False),
        (
            "Kommunens tilbud (fx sundhedscenter, socialrådgiver)",
            "The municipality's services",
            False,
        ),
        ("Psykiatrisk akutmodtagelse", "Psychiatric emergency", True),
        ("Livslinien (telefonrådgivning)", "Livslinien (helpline)", False),
        ("En anden selvhjælpsorganisation", "Another self-help organisation", False),
        ("Ældre Sagen / frivilligt netværk", "Ældre Sagen / volunteer network", False),
    ]


def test_loading_again_adds_nothing_and_keeps_edits(
    national_destinations: list[ReferralDestination],
) -> None:
    doctor = national_destinations[0]
    doctor.name_en = "GP"
    doctor.is_active = False
    doctor.save()
    assert load_destinations(ReferralDestination) == 0
    doctor.refresh_from_db()
    assert (doctor.name_en, doctor.is_active) == ("GP", False)
    assert ReferralDestination.objects.filter(organisation=None).count() == 6


def test_a_malformed_destinations_file_is_refused(tmp_path: Any) -> None:
    assert len(read_destinations(DATA_FILE)) == 6
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"destinations": [{"code": "x", "name_da": "", "name_en": "X", '
        '"is_urgent": false, "position": 1}]}',
        encoding="utf-8",
    )
    with pytest.raises(DestinationFileError, match="names must be"):
        read_destinations(bad)


def test_coordinator_adds_an_own_destination_and_takes_it_out_of_use(
    world: World, client_as: Any, national_destinations: list[ReferralDestination]
) -> None:
    client = client_as("coordinator_a")
    response = client.post(
        reverse("intake:destination_add"),
        {
            "organisation": world.org_a.pk,
            "name_da": "Aarhus Frivilligcenter",
            "name_en": "Aarhus volunteer centre",
            "position": "5",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    ours = ReferralDestination.objects.get(organisation=world.org_a)
    intake = make_intake(world.org_a)
    record = client.get(reverse("intake:record", kwargs={"intake_id": intake.public_id}))
    assert ours in record.context["form"].fields["referral_destination"].queryset
    client.post(
        reverse("intake:destination_edit", kwargs={"destination_id": ours.public_id}),
        {"name_da": ours.name_da, "name_en": ours.name_en, "position": "5"},
    )
    ours.refresh_from_db()
    assert ours.is_active is False
    record = client.get(reverse("intake:record", kwargs={"intake_id": intake.public_id}))
    assert ours not in record.context["form"].fields["referral_destination"].queryset
    # Organisation B never sees it.
    listed = client_as("coordinator_b").get(reverse("intake:destinations"))
    assert ours not in [d for _title, rows in listed.context["lists"] for d in rows]


def test_coordinators_cannot_add_to_or_change_the_national_list(
    world: World, client_as: Any, national_destinations: list[ReferralDestination]
) -> None:
    client = client_as("coordinator_a")
    doctor = national_destinations[0]
    url = reverse("intake:destination_edit", kwargs={"destination_id": doctor.public_id})
    assert client.get(url).status_code == 403
    assert client.post(url, {"name_da": "x", "name_en": "y", "position": "1"}).status_code == 403
    response = client.post(
        reverse("intake:destination_add"),
        {"organisation": "", "name_da": "Nyt", "name_en": "New", "position": "1"},
    )
    assert response.status_code == 200  # the organisation is required for a coordinator
    assert ReferralDestination.objects.filter(organisation=None).count() == 6
    doctor.refresh_from_db()
    assert doctor.name_da == "Egen læge"


def test_national_admin_adds_to_the_national_list(world: World, client_as: Any) -> None:
    response = client_as("national_admin").post(
        reverse("intake:destination_add"),
        {
            "organisation": "",
            "name_da": "Headspace",
            "name_en": "Headspace",
            "position": "70",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert ReferralDestination.objects.get(name_da="Headspace").organisation is None


def test_another_organisations_destination_is_not_found(world: World, client_as: Any) -> None:
    theirs = destination_a(world)
    url = reverse("intake:destination_edit", kwargs={"destination_id": theirs.public_id})
    assert client_as("coordinator_b").get(url).status_code == 404
