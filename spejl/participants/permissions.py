"""Who may act on a participant's data rights: the copy of everything held (GDPR art. 15) and
erasure (art. 17).

Coordinators of the participant's organisation and national admins may produce the copy and
erase; the system (the retention job) may erase contact data. Facilitators and evaluators may
not even learn that the participant exists: :class:`NotFound`, as everywhere else in Spejl.
The participant themself acts through their own secure link, which the view resolves — that is
their permission, and it needs no ``Actor``.

``can_*`` return a bool for templates; ``check_can_*`` raise.
"""

from __future__ import annotations

from spejl.access.actor import Actor, NotFound
from spejl.participants.models import Participant


def can_erase(actor: Actor, participant: Participant) -> bool:
    """Coordinators of the participant's organisation, national admins and the system."""
    return actor.coordinates(participant.organisation_id)


def check_can_erase(actor: Actor, participant: Participant) -> None:
    """:class:`NotFound` for everyone who may not erase the participant (facilitators,
    evaluators, other organisations' coordinators): to them the participant does not exist."""
    if not can_erase(actor, participant):
        raise NotFound


def can_see_everything_held(actor: Actor, participant: Participant) -> bool:
    """Who may produce the art. 15 copy for the participant: the same people as erasure."""
    return actor.coordinates(participant.organisation_id)
