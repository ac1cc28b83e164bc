"""Who may see and change organisations and venues.

``can_*`` return a bool for templates; ``check_can_*`` raise :class:`NotFound` when the actor may
not even know the object exists (another organisation's), and ``PermissionDenied`` when they may
see it but not do this.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from spejl.access.actor import Actor, NotFound
from spejl.organisations.models import Organisation


def can_view_organisation(actor: Actor, organisation: Organisation) -> bool:
    """National roles see every organisation; others only those they hold a role in."""
    return actor.sees_all_organisations or organisation.pk in actor.member_of


def can_manage_organisation(actor: Actor, organisation: Organisation) -> bool:
    """Coordinators of the organisation and national admins edit it and its venues."""
    return actor.coordinates(organisation.pk)


def can_view_staff(actor: Actor, organisation: Organisation) -> bool:
    """Names and e-mails of an organisation's staff: its coordinators and national admins."""
    return actor.coordinates(organisation.pk)


def check_can_view_organisation(actor: Actor, organisation: Organisation) -> None:
    if not can_view_organisation(actor, organisation):
        raise NotFound


def check_can_manage_organisation(actor: Actor, organisation: Organisation) -> None:
    check_can_view_organisation(actor, organisation)
    if not can_manage_organisation(actor, organisation):
        raise PermissionDenied
