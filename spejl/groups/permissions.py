"""Who may see and run groups, meetings and attendance.

Facilitators see only the groups they are assigned to; coordinators their organisations'
groups; national admins all. The evaluator never sees groups' rosters (404).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from spejl.access.actor import Actor, NotFound
from spejl.groups.models import PeerGroup


def facilitates(actor: Actor, group: PeerGroup) -> bool:
    """The actor is one of the group's assigned facilitators."""
    if actor.user is None or group.organisation_id not in actor.facilitator_of:
        return False
    return group.facilitations.filter(facilitator__user=actor.user).exists()


def can_view_group(actor: Actor, group: PeerGroup) -> bool:
    return actor.coordinates(group.organisation_id) or facilitates(actor, group)


def can_manage_group(actor: Actor, group: PeerGroup) -> bool:
    """Create, edit, schedule, move and cancel: the organisation's coordinators."""
    return actor.coordinates(group.organisation_id)


def can_run_meetings(actor: Actor, group: PeerGroup) -> bool:
    """Mark attendance and write the meeting log: assigned facilitators and coordinators."""
    return can_view_group(actor, group)


def check_can_view_group(actor: Actor, group: PeerGroup) -> None:
    if not can_view_group(actor, group):
        raise NotFound


def check_can_manage_group(actor: Actor, group: PeerGroup) -> None:
    check_can_view_group(actor, group)
    if not can_manage_group(actor, group):
        raise PermissionDenied
