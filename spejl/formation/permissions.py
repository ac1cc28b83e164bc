"""Who may ask for, see and approve placement proposals.

Coordinators: proposals for their own organisation. The national secretariat: any, also one
spanning several organisations (people near a border). Everyone else: not found.
"""

from __future__ import annotations

from spejl.access.actor import Actor, NotFound
from spejl.formation.models import Proposal


def can_propose_for(actor: Actor, organisation_ids: set[int]) -> bool:
    if not organisation_ids:
        return False
    if actor.is_national_admin or actor.is_system:
        return True
    return len(organisation_ids) == 1 and organisation_ids <= actor.coordinator_of


def check_can_propose_for(actor: Actor, organisation_ids: set[int]) -> None:
    if not can_propose_for(actor, organisation_ids):
        raise NotFound


def can_use_proposals(actor: Actor) -> bool:
    return actor.is_national_admin or bool(actor.coordinator_of)


def check_can_see_proposal(actor: Actor, proposal: Proposal) -> None:
    ids = {o.pk for o in proposal.organisations.all()}
    if not can_propose_for(actor, ids):
        raise NotFound
