"""Facilitator services: validation, permissions and audit events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from spejl.access.actor import NotFound, actor_for_user
from spejl.accounts.models import Membership, Role
from spejl.audit.models import AuditAction, AuditEvent
from spejl.conftest import World
from spejl.facilitators.models import FacilitatorProfile, SupervisionSession, TrainingRecord
from spejl.facilitators.services import (
    facilitator_profile_for,
    facilitator_update,
    supervision_add,
    supervision_remove,
    training_record_add,
    training_record_remove,
    training_record_update,
)
from spejl.facilitators.tests.fixtures import profile_for, supervision_session_a

TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are asserted in the source language; Danish translations come later.
    with translation.override("en"):
        yield


def _add(world: World, role: str = "coordinator_a", **overrides: object) -> TrainingRecord:
    data: dict[str, object] = {
        "course_name": "Facilitatoruddannelse",
        "provider": "FriSe",
        "completed_on": date(2025, 5, 1),
        "valid_until": date(2027, 5, 1),
        "certificate_note": "Bevis i mappen",
        "today": TODAY,
    }
    data.update(overrides)
    return training_record_add(
        actor=actor_for_user(getattr(world, role)),
        profile=profile_for(world.facilitator_a),
        **data,  # type: ignore[arg-type]
    )


def _writes() -> list[AuditEvent]:
    return list(AuditEvent.objects.exclude(action=AuditAction.READ).order_by("id"))


def test_training_that_ends_before_it_was_completed_is_refused_on_the_field(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        _add(world, completed_on=date(2025, 5, 1), valid_until=date(2025, 4, 30))
    assert set(caught.value.message_dict) == {"valid_until"}
    assert "before the date the course was completed" in caught.value.message_dict["valid_until"][0]
    assert not TrainingRecord.objects.exists()
    assert _writes() == []


def test_training_completed_in_the_future_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        _add(world, completed_on=TODAY + timedelta(days=1), valid_until=None)
    assert set(caught.value.message_dict) == {"completed_on"}
    assert "future" in caught.value.message_dict["completed_on"][0]
    assert not TrainingRecord.objects.exists()


def test_training_completed_today_and_valid_the_same_day_is_accepted(world: World) -> None:
    record = _add(world, completed_on=TODAY, valid_until=TODAY)
    assert record.valid_until == TODAY


def test_blank_course_and_provider_get_their_own_messages(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        _add(world, course_name="  ", provider="")
    assert set(caught.value.message_dict) == {"course_name", "provider"}


def test_adding_training_is_audited_with_field_names_and_no_values(world: World) -> None:
    record = _add(world)
    (event,) = _writes()
    assert event.action == AuditAction.CREATE
    assert event.object_type == "facilitators.trainingrecord"
    assert event.object_id == str(record.public_id)
    assert event.actor == world.coordinator_a
    assert event.organisation == world.org_a
    assert event.fields == sorted(
        ["course_name", "provider", "completed_on", "valid_until", "certificate_note"]
    )
    logged = f"{event.fields} {event.purpose} {event.object_id}"
    for value in ("Facilitatoruddannelse", "FriSe", "Bevis", "2025", "2027"):
        assert value not in logged


def test_updating_training_audits_only_the_fields_that_changed(world: World) -> None:
    record = _add(world)
    training_record_update(
        actor=actor_for_user(world.coordinator_a),
        record=record,
        course_name=record.course_name,
        provider=record.provider,
        completed_on=record.completed_on,
        valid_until=date(2028, 5, 1),
        certificate_note=record.certificate_note,
        today=TODAY,
    )
    record.refresh_from_db()
    assert record.valid_until == date(2028, 5, 1)
    update = _writes()[-1]
    assert (update.action, update.fields) == (AuditAction.UPDATE, ["valid_until"])


def test_updating_training_with_an_end_before_completion_changes_nothing(world: World) -> None:
    record = _add(world)
    with pytest.raises(ValidationError):
        training_record_update(
            actor=actor_for_user(world.coordinator_a),
            record=record,
            course_name=record.course_name,
            provider=record.provider,
            completed_on=record.completed_on,
            valid_until=date(2020, 1, 1),
            certificate_note="",
            today=TODAY,
        )
    record.refresh_from_db()
    assert record.valid_until == date(2027, 5, 1)
    assert [e.action for e in _writes()] == [AuditAction.CREATE]


def test_removing_training_is_audited(world: World) -> None:
    record = _add(world)
    training_record_remove(actor=actor_for_user(world.national_admin), record=record)
    assert not TrainingRecord.objects.exists()
    event = _writes()[-1]
    assert (event.action, event.object_type, event.actor) == (
        AuditAction.DELETE,
        "facilitators.trainingrecord",
        world.national_admin,
    )


def test_coordinator_b_cannot_add_training_to_facilitator_a(world: World) -> None:
    with pytest.raises(NotFound):
        _add(world, role="coordinator_b")
    assert not TrainingRecord.objects.exists()
    assert _writes() == []


def test_evaluator_cannot_add_training(world: World) -> None:
    with pytest.raises(NotFound):
        _add(world, role="evaluator")


def test_facilitator_may_not_add_training_to_themself(world: World) -> None:
    with pytest.raises(PermissionDenied):
        _add(world, role="facilitator_a")
    assert not TrainingRecord.objects.exists()


def test_coordinator_b_cannot_remove_facilitator_a_training(world: World) -> None:
    record = _add(world)
    with pytest.raises(NotFound):
        training_record_remove(actor=actor_for_user(world.coordinator_b), record=record)
    assert TrainingRecord.objects.filter(pk=record.pk).exists()


def test_phone_update_is_audited_by_field_name_only(world: World) -> None:
    profile = profile_for(world.facilitator_a)
    facilitator_update(
        actor=actor_for_user(world.coordinator_a), profile=profile, phone=" 20 30  40 50 "
    )
    profile.refresh_from_db()
    assert profile.phone == "20 30 40 50"
    (event,) = _writes()
    assert (event.action, event.object_type, event.fields) == (
        AuditAction.UPDATE,
        "facilitators.facilitatorprofile",
        ["phone"],
    )
    assert "20 30" not in f"{event.fields} {event.purpose} {event.object_id}"


def test_a_phone_number_with_letters_is_refused(world: World) -> None:
    profile = profile_for(world.facilitator_a)
    with pytest.raises(ValidationError) as caught:
        facilitator_update(
            actor=actor_for_user(world.coordinator_a), profile=profile, phone="ring til mig"
        )
    assert set(caught.value.message_dict) == {"phone"}
    profile.refresh_from_db()
    assert profile.phone == ""


def test_facilitator_cannot_change_their_own_phone(world: World) -> None:
    with pytest.raises(PermissionDenied):
        facilitator_update(
            actor=actor_for_user(world.facilitator_a),
            profile=profile_for(world.facilitator_a),
            phone="12345678",
        )


def test_profile_is_created_once_and_audited(world: World) -> None:
    actor = actor_for_user(world.coordinator_a)
    first = facilitator_profile_for(actor=actor, user=world.facilitator_a)
    second = facilitator_profile_for(actor=actor, user=world.facilitator_a)
    assert first == second
    assert FacilitatorProfile.objects.count() == 1
    (event,) = _writes()
    assert (event.action, event.object_type, event.fields) == (
        AuditAction.CREATE,
        "facilitators.facilitatorprofile",
        [],
    )


@pytest.mark.parametrize("role", ["coordinator_b", "evaluator"])
def test_profile_of_another_organisations_facilitator_is_not_found(world: World, role: str) -> None:
    with pytest.raises(NotFound):
        facilitator_profile_for(
            actor=actor_for_user(getattr(world, role)), user=world.facilitator_a
        )
    assert not FacilitatorProfile.objects.exists()


def test_a_facilitator_may_get_their_own_profile(world: World) -> None:
    actor = actor_for_user(world.facilitator_a)
    profile = facilitator_profile_for(actor=actor, user=world.facilitator_a)
    assert profile.user == world.facilitator_a


def test_someone_without_a_facilitator_role_has_no_facilitator_profile(world: World) -> None:
    with pytest.raises(NotFound):
        facilitator_profile_for(
            actor=actor_for_user(world.national_admin), user=world.coordinator_a2
        )


def test_supervision_is_recorded_after_it_happened_not_before(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        supervision_add(
            actor=actor_for_user(world.coordinator_a),
            profile=profile_for(world.facilitator_a),
            organisation=world.org_a,
            held_on=TODAY + timedelta(days=1),
            supervisor="Lone Supervisor",
            note="",
            today=TODAY,
        )
    assert set(caught.value.message_dict) == {"held_on"}
    assert "future" in caught.value.message_dict["held_on"][0]
    assert not SupervisionSession.objects.exists()


def test_supervision_today_is_recorded_and_audited(world: World) -> None:
    session = supervision_add(
        actor=actor_for_user(world.coordinator_a),
        profile=profile_for(world.facilitator_a),
        organisation=world.org_a,
        held_on=TODAY,
        supervisor=" Lone Supervisor ",
        note="Gennemgik rammerne",
        today=TODAY,
    )
    assert session.supervisor == "Lone Supervisor"
    (event,) = _writes()
    assert (event.action, event.object_type, event.organisation, event.fields) == (
        AuditAction.CREATE,
        "facilitators.supervisionsession",
        world.org_a,
        ["held_on", "note", "supervisor"],
    )
    assert "Lone" not in f"{event.fields} {event.purpose}"


def test_supervision_for_an_organisation_the_facilitator_is_not_in_is_refused(
    world: World,
) -> None:
    with pytest.raises(ValidationError) as caught:
        supervision_add(
            actor=actor_for_user(world.national_admin),
            profile=profile_for(world.facilitator_a),
            organisation=world.org_b,
            held_on=TODAY,
            supervisor="Lone",
            today=TODAY,
        )
    assert set(caught.value.message_dict) == {"organisation"}


def test_coordinator_a_cannot_record_supervision_with_organisation_b(world: World) -> None:
    Membership.objects.create(
        user=world.facilitator_a, role=Role.FACILITATOR, organisation=world.org_b
    )
    with pytest.raises(NotFound):
        supervision_add(
            actor=actor_for_user(world.coordinator_a),
            profile=profile_for(world.facilitator_a),
            organisation=world.org_b,
            held_on=TODAY,
            supervisor="Lone",
            today=TODAY,
        )
    assert not SupervisionSession.objects.exists()


def test_only_the_sessions_organisation_removes_a_supervision_session(world: World) -> None:
    # Facilitator A volunteers for both organisations; the session belongs to A.
    Membership.objects.create(
        user=world.facilitator_a, role=Role.FACILITATOR, organisation=world.org_b
    )
    session = supervision_session_a(world)
    with pytest.raises(NotFound):
        supervision_remove(actor=actor_for_user(world.coordinator_b), session=session)
    with pytest.raises(PermissionDenied):
        supervision_remove(actor=actor_for_user(world.facilitator_a), session=session)
    supervision_remove(actor=actor_for_user(world.coordinator_a), session=session)
    assert not SupervisionSession.objects.exists()
    assert _writes()[-1].action == AuditAction.DELETE
