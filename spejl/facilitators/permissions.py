"""Who may see and manage facilitators, their training records and supervision sessions.

A person is a facilitator through facilitator memberships in one or more organisations; the
decisions below take the ids of those organisations (loaded by the caller) so that they run no
queries. ``can_*`` return a bool for templates; ``check_can_*`` raise :class:`NotFound` when the
actor may not know the facilitator exists and ``PermissionDenied`` when they may see but not
change.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from spejl.access.actor import Actor, NotFound

if TYPE_CHECKING:
    from spejl.accounts.models import User


def is_self(actor: Actor, user: User) -> bool:
    """The actor is looking at their own facilitator page."""
    return actor.user is not None and actor.user.pk == user.pk


def visible_organisation_ids(
    actor: Actor, user: User, organisation_ids: Collection[int]
) -> frozenset[int]:
    """Which of the facilitator's organisations the actor may see them in.

    National admins (and the system) and the facilitator themself see all of them; a
    coordinator sees those they coordinate. Evaluators see none: they never see names.
    """
    ids = frozenset(organisation_ids)
    if actor.is_national_admin or actor.is_system or is_self(actor, user):
        return ids
    return ids & actor.coordinator_of


def can_view_facilitator(actor: Actor, user: User, organisation_ids: Collection[int]) -> bool:
    """The facilitator's page: national admins, coordinators of one of the facilitator's
    organisations, and the facilitator themself."""
    return bool(visible_organisation_ids(actor, user, organisation_ids))


def manageable_organisation_ids(actor: Actor, organisation_ids: Collection[int]) -> frozenset[int]:
    """The facilitator's organisations in which the actor manages them (coordinates it)."""
    return frozenset(o for o in organisation_ids if actor.coordinates(o))


def can_manage_facilitator(actor: Actor, organisation_ids: Collection[int]) -> bool:
    """Phone and training records: national admins and coordinators of one of the
    facilitator's organisations. A facilitator views their own profile but does not edit it."""
    return bool(manageable_organisation_ids(actor, organisation_ids))


def check_can_view_facilitator(actor: Actor, user: User, organisation_ids: Collection[int]) -> None:
    if not can_view_facilitator(actor, user, organisation_ids):
        raise NotFound


def check_can_manage_facilitator(
    actor: Actor, user: User, organisation_ids: Collection[int]
) -> None:
    check_can_view_facilitator(actor, user, organisation_ids)
    if not can_manage_facilitator(actor, organisation_ids):
        raise PermissionDenied


def can_see_supervision(actor: Actor, user: User, organisation_id: int) -> bool:
    """A supervision session is seen by the facilitator themself and by those who coordinate
    the session's organisation (national admins: all)."""
    return is_self(actor, user) or actor.coordinates(organisation_id)


def check_can_manage_supervision(
    actor: Actor, user: User, organisation_ids: Collection[int], organisation_id: int
) -> None:
    """Supervision sessions belong to one organisation: only its coordinators (and national
    admins) record or remove them. A session of an organisation the actor cannot see is not
    found; the facilitator sees their own sessions but does not change them."""
    check_can_view_facilitator(actor, user, organisation_ids)
    if actor.coordinates(organisation_id):
        return
    if is_self(actor, user):
        raise PermissionDenied
    raise NotFound
