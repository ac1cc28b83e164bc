"""Reads of staff members (personal data: name, e-mail), scoped and audited."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from spejl.access.actor import Actor, NotFound
from spejl.accounts.models import Membership, User
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.organisations.models import Organisation
from spejl.web.text import danish, search_any

STAFF_FIELDS = ("full_name", "email")


def _visible_memberships(actor: Actor) -> QuerySet[Membership]:
    qs = Membership.objects.select_related("organisation")
    if actor.is_national_admin or actor.is_system:
        return qs
    return qs.filter(organisation__in=actor.coordinator_of)


def staff_memberships_for_organisation(
    *, actor: Actor, organisation: Organisation
) -> list[Membership]:
    """The organisation's coordinators and facilitators, for its coordinators and national
    admins. Audited read of staff names and e-mails."""
    if not actor.coordinates(organisation.pk):
        raise NotFound
    memberships = list(
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("role", danish("user__full_name"))
    )
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        object_type="accounts.user",
        organisation=organisation,
        fields=STAFF_FIELDS,
        purpose="organisation staff list",
    )
    return memberships


@dataclass(frozen=True)
class StaffRow:
    user: User
    memberships: list[Membership]


def staff_for_actor(*, actor: Actor, search: str = "") -> list[StaffRow]:
    """Staff members the actor manages, each with the memberships the actor may see.

    National admins see everyone; coordinators see the people holding roles in their
    organisations (and only those roles). Audited read of names and e-mails.
    """
    if not (actor.is_national_admin or actor.coordinator_of or actor.is_system):
        raise NotFound
    visible = _visible_memberships(actor)
    users = User.objects.filter(memberships__in=visible).distinct()
    users = search_any(users, ["full_name", "email"], search)
    users = users.prefetch_related(
        Prefetch("memberships", queryset=visible.order_by("role"), to_attr="visible_memberships")
    ).order_by(danish("full_name"), "email")
    rows = [StaffRow(user=u, memberships=u.visible_memberships) for u in users]
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        object_type="accounts.user",
        organisation=None,
        fields=STAFF_FIELDS,
        purpose="staff list",
    )
    return rows


def staff_member_get_for_actor(*, actor: Actor, public_id: str) -> StaffRow:
    """One staff member with the memberships the actor may see; :class:`NotFound` if none.

    Audited read of name and e-mail.
    """
    if not (actor.is_national_admin or actor.coordinator_of or actor.is_system):
        raise NotFound
    user = User.objects.filter(public_id=public_id).first()
    if user is None:
        raise NotFound
    memberships = list(_visible_memberships(actor).filter(user=user).order_by("role"))
    if not memberships and not actor.is_national_admin:
        raise NotFound
    organisation = memberships[0].organisation if len(memberships) == 1 else None
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        obj=user,
        organisation=organisation,
        fields=STAFF_FIELDS,
        purpose="staff member page",
    )
    return StaffRow(user=user, memberships=memberships)


def membership_get_for_actor(*, actor: Actor, user: User, public_id: str) -> Membership:
    """One of the user's memberships that the actor may see, or :class:`NotFound`."""
    membership = _visible_memberships(actor).filter(user=user, public_id=public_id).first()
    if membership is None:
        raise NotFound
    return membership
