"""Facilitator pages: who sees what, forms, and bounded queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from spejl.audit.models import AuditAction, AuditEvent
from spejl.conftest import World
from spejl.facilitators.models import FacilitatorProfile, SupervisionSession, TrainingRecord
from spejl.facilitators.policies import TrainingStatus
from spejl.facilitators.tests.fixtures import (
    add_training,
    lead_group,
    make_facilitator,
    make_group,
    training_record_a,
)


def _detail(world: World, name: str = "detail", **kwargs: Any) -> str:
    return reverse(
        f"facilitators:{name}", kwargs={"person_id": world.facilitator_a.public_id, **kwargs}
    )


def _list(world: World) -> str:
    return reverse("facilitators:list", kwargs={"org_slug": world.org_a.slug})


def test_coordinator_a_sees_the_list_with_training_statuses(world: World, client_as: Any) -> None:
    today = timezone.localdate()
    add_training(world.facilitator_a, completed_on=today - timedelta(days=400), valid_until=None)
    expired = make_facilitator(world.org_a, "Birthe Udløbet")
    add_training(
        expired, completed_on=today - timedelta(days=800), valid_until=today - timedelta(days=1)
    )
    response = client_as("coordinator_a").get(_list(world))
    assert response.status_code == 200
    statuses = {row.user: row.status for row in response.context["rows"]}
    assert statuses == {world.facilitator_a: TrainingStatus.VALID, expired: TrainingStatus.EXPIRED}
    assert b"badge-err" in response.content
    assert AuditEvent.objects.filter(
        actor=world.coordinator_a, action=AuditAction.READ, purpose="facilitator list"
    ).exists()

    filtered = client_as("coordinator_a").get(_list(world), {"attention": "1"})
    assert [row.user for row in filtered.context["rows"]] == [expired]
    assert filtered.context["needs_attention"] is True


def test_list_runs_a_bounded_number_of_queries_with_30_facilitators(
    world: World, client_as: Any, django_assert_max_num_queries: Any
) -> None:
    today = timezone.localdate()
    group = make_group(world.org_a, world.venue_a)
    for n in range(30):
        person = make_facilitator(world.org_a, f"Frivillig {n:02d}")
        add_training(person, completed_on=today - timedelta(days=10), valid_until=None)
        add_training(person, completed_on=today - timedelta(days=900), valid_until=today)
        lead_group(person, group)
        SupervisionSession.objects.create(
            facilitator=FacilitatorProfile.objects.get(user=person),
            organisation=world.org_a,
            held_on=today,
            supervisor="Lone",
        )
    client = client_as("coordinator_a")
    client.get(_list(world))  # warm up the session
    with django_assert_max_num_queries(10):
        response = client.get(_list(world))
    rows = response.context["rows"]
    assert len(rows) == 31
    assert all(r.groups_led == 1 and r.supervision_recent == 1 for r in rows if r.profile)


def test_list_is_not_found_for_other_organisations_facilitators_and_evaluators(
    world: World, client_as: Any
) -> None:
    for role in ("coordinator_b", "facilitator_a", "evaluator"):
        assert client_as(role).get(_list(world)).status_code == 404, role


def test_coordinator_b_gets_404_for_facilitator_a_page_and_nothing_is_audited(
    world: World, client_as: Any
) -> None:
    assert client_as("coordinator_b").get(_detail(world)).status_code == 404
    assert not AuditEvent.objects.exists()


def test_facilitator_a_sees_own_page_but_cannot_edit(world: World, client_as: Any) -> None:
    record = training_record_a(world)
    client = client_as("facilitator_a")
    response = client.get(_detail(world))
    assert response.status_code == 200
    assert response.context["facilitator"].training_records == [record]
    assert response.context["facilitator"].can_manage is False
    assert reverse(
        "facilitators:edit", kwargs={"person_id": world.facilitator_a.public_id}
    ) not in (response.content.decode())
    assert client.get(_detail(world, "edit")).status_code == 403
    assert client.post(_detail(world, "edit"), {"phone": "12345678"}).status_code == 403
    assert (
        client.post(
            _detail(world, "training_add"),
            {"course_name": "X", "provider": "Y", "completed_on": "2025-01-01"},
        ).status_code
        == 403
    )
    assert TrainingRecord.objects.count() == 1


def test_me_sends_a_facilitator_to_their_own_page(world: World, client_as: Any) -> None:
    response = client_as("facilitator_a").get(reverse("facilitators:me"))
    assert response.status_code == 302
    assert response["Location"] == _detail(world)
    assert client_as("coordinator_a").get(reverse("facilitators:me")).status_code == 404


def test_detail_page_is_audited(world: World, client_as: Any) -> None:
    assert client_as("coordinator_a").get(_detail(world)).status_code == 200
    event = AuditEvent.objects.get()
    assert (event.action, event.object_type, event.organisation) == (
        AuditAction.READ,
        "accounts.user",
        world.org_a,
    )


def test_coordinator_adds_training_and_the_profile_is_created_on_the_way(
    world: World, client_as: Any
) -> None:
    assert not FacilitatorProfile.objects.exists()
    response = client_as("coordinator_a").post(
        _detail(world, "training_add"),
        {
            "course_name": "Facilitatoruddannelse",
            "provider": "FriSe",
            "completed_on": "2025-05-01",
            "valid_until": "",
            "certificate_note": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == _detail(world)
    record = TrainingRecord.objects.get()
    assert record.facilitator.user == world.facilitator_a
    assert record.valid_until is None
    writes = AuditEvent.objects.exclude(action=AuditAction.READ)
    assert set(writes.values_list("object_type", flat=True)) == {
        "facilitators.facilitatorprofile",
        "facilitators.trainingrecord",
    }


def test_invalid_training_keeps_what_was_typed_and_creates_nothing(
    world: World, client_as: Any
) -> None:
    response = client_as("coordinator_a").post(
        _detail(world, "training_add"),
        {
            "course_name": "Facilitatoruddannelse",
            "provider": "FriSe",
            "completed_on": "2025-05-01",
            "valid_until": "2025-04-01",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["valid_until"]
    assert form["course_name"].value() == "Facilitatoruddannelse"
    assert not TrainingRecord.objects.exists()
    # The profile created for the record is rolled back with it.
    assert not FacilitatorProfile.objects.exists()
    assert not AuditEvent.objects.exclude(action=AuditAction.READ).exists()


def test_coordinator_edits_and_removes_a_training_record(world: World, client_as: Any) -> None:
    record = training_record_a(world)
    client = client_as("coordinator_a")
    url = _detail(world, "training_edit", record_id=record.public_id)
    assert client.get(url).context["form"]["course_name"].value() == record.course_name
    response = client.post(
        url,
        {
            "course_name": "Opfølgningskursus",
            "provider": record.provider,
            "completed_on": record.completed_on.isoformat(),
            "valid_until": "",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.course_name, record.valid_until) == ("Opfølgningskursus", None)

    remove = _detail(world, "training_remove", record_id=record.public_id)
    assert client.get(remove).status_code == 200
    assert TrainingRecord.objects.exists()  # GET only asks
    assert client.post(remove).status_code == 302
    assert not TrainingRecord.objects.exists()


def test_a_record_of_another_facilitator_is_not_found_under_this_one(
    world: World, client_as: Any
) -> None:
    other = make_facilitator(world.org_a, "Anden Frivillig")
    record = add_training(other, completed_on=timezone.localdate(), valid_until=None)
    url = _detail(world, "training_edit", record_id=record.public_id)
    assert client_as("coordinator_a").get(url).status_code == 404


def test_phone_is_saved(world: World, client_as: Any) -> None:
    response = client_as("coordinator_a").post(_detail(world, "edit"), {"phone": "+45 20 30 40 50"})
    assert response.status_code == 302
    assert FacilitatorProfile.objects.get(user=world.facilitator_a).phone == "+45 20 30 40 50"


def test_supervision_form_warns_against_health_details_and_names(
    world: World, client_as: Any
) -> None:
    client = client_as("coordinator_a")
    client.cookies["django_language"] = "en"
    response = client.get(_detail(world, "supervision_add"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Do not write health details or participants&#x27; names." in html
    assert 'aria-describedby="id_note_helptext"' in html
    form = response.context["form"]
    assert form["organisation"].value() == world.org_a.slug


def test_supervision_in_the_future_is_refused_with_a_message(world: World, client_as: Any) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client_as("coordinator_a").post(
        _detail(world, "supervision_add"),
        {"organisation": world.org_a.slug, "held_on": tomorrow.isoformat(), "supervisor": "Lone"},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["held_on"]
    assert not SupervisionSession.objects.exists()


def test_coordinator_records_and_removes_supervision(world: World, client_as: Any) -> None:
    client = client_as("coordinator_a")
    response = client.post(
        _detail(world, "supervision_add"),
        {
            "organisation": world.org_a.slug,
            "held_on": timezone.localdate().isoformat(),
            "supervisor": "Lone Supervisor",
            "note": "Rammer og roller",
        },
    )
    assert response.status_code == 302
    session = SupervisionSession.objects.get()
    assert session.organisation == world.org_a
    detail = client.get(_detail(world))
    assert detail.context["facilitator"].supervision_sessions == [session]
    remove = _detail(world, "supervision_remove", session_id=session.public_id)
    assert client.post(remove).status_code == 302
    assert not SupervisionSession.objects.exists()


def test_supervision_cannot_be_posted_for_an_organisation_not_offered(
    world: World, client_as: Any
) -> None:
    response = client_as("coordinator_a").post(
        _detail(world, "supervision_add"),
        {
            "organisation": world.org_b.slug,
            "held_on": timezone.localdate().isoformat(),
            "supervisor": "Lone",
        },
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not SupervisionSession.objects.exists()
