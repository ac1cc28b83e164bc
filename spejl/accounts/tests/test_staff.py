from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from spejl.access.actor import actor_for_user
from spejl.accounts.models import Membership, Role, User
from spejl.accounts.services import membership_remove, staff_member_add
from spejl.audit.models import AuditAction, AuditEvent
from spejl.conftest import World


def test_coordinator_adds_a_new_facilitator_who_gets_an_invitation(
    world: World, client_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_as("coordinator_a")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:staff_add"),
            {
                "full_name": "Åse Bøgh",
                "email": "Aase.Boegh@Example.org",
                "role": Role.FACILITATOR,
                "organisation": world.org_a.pk,
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="aase.boegh@example.org")
    assert not user.has_usable_password()
    assert Membership.objects.filter(user=user, role=Role.FACILITATOR, organisation=world.org_a)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["aase.boegh@example.org"]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    actions = set(
        AuditEvent.objects.filter(action=AuditAction.CREATE).values_list("object_type", flat=True)
    )
    assert actions == {"accounts.user", "accounts.membership"}


def test_coordinator_cannot_grant_roles_in_another_organisation(world: World) -> None:
    with pytest.raises(PermissionDenied):
        staff_member_add(
            actor=actor_for_user(world.coordinator_a),
            email="x@example.org",
            full_name="X",
            role=Role.COORDINATOR,
            organisation=world.org_b,
        )
    assert not User.objects.filter(email="x@example.org").exists()


def test_coordinator_cannot_grant_national_roles(world: World) -> None:
    with pytest.raises(PermissionDenied):
        staff_member_add(
            actor=actor_for_user(world.coordinator_a),
            email="y@example.org",
            full_name="Y",
            role=Role.NATIONAL_ADMIN,
            organisation=None,
        )


def test_the_add_form_offers_a_coordinator_only_their_organisations(
    world: World, client_as: Any
) -> None:
    form = client_as("coordinator_a").get(reverse("accounts:staff_add")).context["form"]
    assert list(form.fields["organisation"].queryset) == [world.org_a]
    assert {v for v, _ in form.fields["role"].choices} == {Role.COORDINATOR, Role.FACILITATOR}


def test_posting_another_organisation_in_the_add_form_is_refused_with_a_message(
    world: World, client_as: Any
) -> None:
    response = client_as("coordinator_a").post(
        reverse("accounts:staff_add"),
        {
            "full_name": "Z",
            "email": "z@example.org",
            "role": Role.FACILITATOR,
            "organisation": world.org_b.pk,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["organisation"]
    assert not User.objects.filter(email="z@example.org").exists()


def test_giving_an_existing_role_again_is_refused_kindly(world: World, client_as: Any) -> None:
    before = Membership.objects.count()
    response = client_as("coordinator_a").post(
        reverse("accounts:staff_add"),
        {
            "full_name": "Søren Ærø",
            "email": world.facilitator_a.email,
            "role": Role.FACILITATOR,
            "organisation": world.org_a.pk,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Membership.objects.count() == before


def test_a_person_with_roles_in_two_organisations_shows_each_coordinator_only_their_role(
    world: World, client_as: Any
) -> None:
    Membership.objects.create(
        user=world.facilitator_a, role=Role.FACILITATOR, organisation=world.org_b
    )
    url = reverse("accounts:staff_detail", kwargs={"person_id": world.facilitator_a.public_id})
    response = client_as("coordinator_b").get(url)
    assert response.status_code == 200
    assert [m.organisation for m in response.context["row"].memberships] == [world.org_b]


def test_staff_list_of_coordinator_lists_only_own_organisation_and_is_audited(
    world: World, client_as: Any
) -> None:
    response = client_as("coordinator_b").get(reverse("accounts:staff_list"))
    emails = {row.user.email for row in response.context["rows"]}
    assert emails == {world.coordinator_b.email}
    assert AuditEvent.objects.filter(
        actor=world.coordinator_b, action=AuditAction.READ, purpose="staff list"
    ).exists()


def test_staff_search_folds_case_and_danish_letters_typed_in_capitals(
    world: World, client_as: Any
) -> None:
    response = client_as("national_admin").get(reverse("accounts:staff_list"), {"q": "ærø"})
    assert [row.user for row in response.context["rows"]] == [world.facilitator_a]


def test_removing_a_role_is_audited(world: World, client_as: Any) -> None:
    url = reverse(
        "accounts:membership_remove",
        kwargs={
            "person_id": world.facilitator_a.public_id,
            "membership_id": world.facilitator_a_membership.public_id,
        },
    )
    assert client_as("coordinator_a").post(url).status_code == 302
    assert not Membership.objects.filter(pk=world.facilitator_a_membership.pk).exists()
    assert AuditEvent.objects.filter(action=AuditAction.DELETE, object_type="accounts.membership")


def test_the_last_national_admin_cannot_be_removed(world: World) -> None:
    membership = Membership.objects.get(role=Role.NATIONAL_ADMIN)
    with pytest.raises(ValidationError):
        membership_remove(actor=actor_for_user(world.national_admin), membership=membership)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_membership_requires_organisation_for_organisation_roles(world: World) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=world.evaluator, role=Role.COORDINATOR, organisation=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=world.evaluator, role=Role.EVALUATOR, organisation=world.org_a
        )
