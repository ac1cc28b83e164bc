from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from spejl.access.actor import actor_for_user
from spejl.audit.models import AppendOnlyError, AuditAction, AuditEvent
from spejl.audit.services import audit_record
from spejl.conftest import World


def test_reading_a_staff_members_page_writes_an_audit_event_without_values(
    world: World, client_as: Any
) -> None:
    url = reverse("accounts:staff_detail", kwargs={"person_id": world.facilitator_a.public_id})
    response = client_as("coordinator_a").get(url)
    assert response.status_code == 200
    assert world.facilitator_a.full_name in response.content.decode()

    event = AuditEvent.objects.get(object_id=str(world.facilitator_a.public_id))
    assert event.actor == world.coordinator_a
    assert event.action == AuditAction.READ
    assert event.object_type == "accounts.user"
    assert event.organisation == world.org_a
    assert event.fields == ["email", "full_name"]
    stored = " ".join(
        str(v) for v in AuditEvent.objects.filter(pk=event.pk).values().first().values()
    )
    assert world.facilitator_a.full_name not in stored
    assert world.facilitator_a.email not in stored


def test_cross_organisation_read_is_not_found_and_not_logged_as_a_read(
    world: World, client_as: Any
) -> None:
    url = reverse("accounts:staff_detail", kwargs={"person_id": world.facilitator_a.public_id})
    assert client_as("coordinator_b").get(url).status_code == 404
    assert not AuditEvent.objects.filter(object_id=str(world.facilitator_a.public_id)).exists()


def _event(world: World) -> AuditEvent:
    return audit_record(
        actor=actor_for_user(world.coordinator_a),
        action=AuditAction.READ,
        obj=world.facilitator_a,
        organisation=world.org_a,
        fields=["email"],
        purpose="test",
    )


def test_audit_event_cannot_be_changed_through_the_model(world: World) -> None:
    event = _event(world)
    event.purpose = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).purpose == "test"


def test_audit_event_cannot_be_deleted_through_the_model_or_queryset(world: World) -> None:
    event = _event(world)
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(purpose="x")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_database_refuses_update_of_audit_rows_even_in_raw_sql(world: World) -> None:
    event = _event(world)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET purpose = %s WHERE id = %s", ["tampered", event.pk]
        )
    assert AuditEvent.objects.get(pk=event.pk).purpose == "test"


def test_only_national_admin_can_browse_and_filter_the_audit_log(
    world: World, client_as: Any
) -> None:
    _event(world)
    audit_record(
        actor=actor_for_user(world.coordinator_b),
        action=AuditAction.READ,
        object_type="accounts.user",
        organisation=world.org_b,
        fields=["email"],
        purpose="other",
    )
    url = reverse("audit:list")
    response = client_as("national_admin").get(url, {"organisation": world.org_a.pk})
    assert response.status_code == 200
    page = response.context["page"]
    assert [e.purpose for e in page] == ["test"]
    response = client_as("national_admin").get(url, {"actor_email": world.coordinator_b.email})
    assert [e.purpose for e in response.context["page"]] == ["other"]
    for role in ("coordinator_a", "facilitator_a", "evaluator"):
        assert client_as(role).get(url).status_code == 404


def test_audit_filter_with_reversed_dates_explains_and_shows_everything(
    world: World, client_as: Any
) -> None:
    _event(world)
    response = client_as("national_admin").get(
        reverse("audit:list"), {"date_from": "2026-05-02", "date_to": "2026-05-01"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date_to"]
    assert response.context["page"].paginator.count == 1


def test_audit_list_runs_a_bounded_number_of_queries(
    world: World, client_as: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_as("national_admin")
    client.get(reverse("audit:list"))
    for _ in range(60):
        _event(world)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("audit:list"))
    assert len(response.context["page"]) == 50
