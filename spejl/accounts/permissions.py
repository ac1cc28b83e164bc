"""Who may see and manage staff members and their roles."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from spejl.access.actor import Actor
from spejl.accounts.models import Membership, Role, User
from spejl.organisations.models import Organisation


def can_manage_staff(actor: Actor) -> bool:
    """National admins manage everyone; coordinators manage their organisations' staff."""
    return actor.is_national_admin or bool(actor.coordinator_of)


def can_grant_role(actor: Actor, role: str, organisation: Organisation | None) -> bool:
    """National roles are granted by national admins only; organisation roles also by the
    organisation's coordinators."""
    if role in (Role.NATIONAL_ADMIN, Role.EVALUATOR):
        return actor.is_national_admin and organisation is None
    if organisation is None:
        return False
    return actor.coordinates(organisation.pk)


def check_can_grant_role(actor: Actor, role: str, organisation: Organisation | None) -> None:
    if not can_grant_role(actor, role, organisation):
        raise PermissionDenied


def can_reset_second_factor(actor: Actor, user: User) -> bool:
    """National admins reset anyone's second factor; coordinators only that of people whose
    every role they could grant (their own organisations' facilitators and coordinators).
    Nobody resets their own: they manage it on their two-factor page."""
    if actor.user is not None and actor.user.pk == user.pk:
        return False
    if actor.is_national_admin:
        return True
    memberships = list(Membership.objects.filter(user=user).select_related("organisation"))
    return bool(memberships) and all(
        can_grant_role(actor, m.role, m.organisation) for m in memberships
    )
