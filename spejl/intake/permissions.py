"""Who may hold, see and record intake conversations, and manage referral destinations.

Intake data (screening answers, decisions, wishes) are for the coordinators of the person's
organisation and the national secretariat only. Facilitators and evaluators never see them,
and neither do other organisations' coordinators: to them intakes, enquiries and participants
do not exist (404). Referral destinations hold no personal data: the national list is managed
by national admins and read by every coordinator; an organisation's own destinations are seen
and managed by its coordinators (and national admins).

``can_*`` return a bool for templates; ``check_can_*`` raise :class:`NotFound` when the actor
may not know the object exists, and ``PermissionDenied`` when they may see it but not do this.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from spejl.access.actor import Actor, NotFound
from spejl.intake.models import Intake, ReferralDestination


def can_hold_intakes(actor: Actor) -> bool:
    """The actor coordinates some organisation (or is a national admin): intake pages exist."""
    return actor.is_national_admin or actor.is_system or bool(actor.coordinator_of)


def can_hold_intakes_for(actor: Actor, organisation_id: int) -> bool:
    """Schedule, see and record intakes of this organisation's people."""
    return actor.coordinates(organisation_id)


def check_can_hold_intakes(actor: Actor) -> None:
    if not can_hold_intakes(actor):
        raise NotFound


def check_can_hold_intakes_for(actor: Actor, organisation_id: int) -> None:
    """Missing and forbidden look the same: another organisation's person is not found."""
    if not can_hold_intakes_for(actor, organisation_id):
        raise NotFound


def check_can_view_intake(actor: Actor, intake: Intake) -> None:
    check_can_hold_intakes_for(actor, intake.organisation_id)


def check_can_record_intake(actor: Actor, intake: Intake) -> None:
    check_can_hold_intakes_for(actor, intake.organisation_id)


# --- Referral destinations -----------------------------------------------------------------


def can_view_destination(actor: Actor, destination: ReferralDestination) -> bool:
    """The national list: every coordinator; an organisation's own: its coordinators."""
    if destination.organisation_id is None:
        return can_hold_intakes(actor)
    return actor.coordinates(destination.organisation_id)


def can_manage_destination(actor: Actor, destination: ReferralDestination) -> bool:
    if destination.organisation_id is None:
        return actor.is_national_admin or actor.is_system
    return actor.coordinates(destination.organisation_id)


def can_add_destination_for(actor: Actor, organisation_id: int | None) -> bool:
    """National destinations: national admins; an organisation's: its coordinators."""
    if organisation_id is None:
        return actor.is_national_admin or actor.is_system
    return actor.coordinates(organisation_id)


def can_use_destination(destination: ReferralDestination, organisation_id: int) -> bool:
    """An intake of this organisation may refer to the national list or its own list."""
    return destination.organisation_id in (None, organisation_id)


def check_can_view_destination(actor: Actor, destination: ReferralDestination) -> None:
    if not can_view_destination(actor, destination):
        raise NotFound


def check_can_manage_destination(actor: Actor, destination: ReferralDestination) -> None:
    check_can_view_destination(actor, destination)
    if not can_manage_destination(actor, destination):
        raise PermissionDenied
