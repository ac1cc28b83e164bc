"""Who may read and change consent texts, and who may record a participant's consent.

Consent texts are national: every staff role reads the published (and superseded) versions —
coordinators and facilitators explain them at intake, evaluators check what was agreed to.
Drafts exist only for national admins, who alone make, edit and publish versions.

A participant's consents are recorded by the coordinators of the participant's organisation
(and national admins); to everyone else the participant does not exist (404). A participant
acting through their own secure link has no ``Actor``: the link having resolved is their
permission, checked by the view before it calls a service.

``can_*`` return a bool for templates; ``check_can_*`` raise :class:`NotFound` when the actor
may not know the object exists, and ``PermissionDenied`` when they may see it but not do this.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from spejl.access.actor import Actor, NotFound
from spejl.consents.models import ConsentText, ConsentTextStatus
from spejl.participants.models import Participant


def can_manage_consent_texts(actor: Actor) -> bool:
    """National admins (and the system): make new versions, edit drafts, publish them."""
    return actor.is_national_admin or actor.is_system


def can_view_consent_text(actor: Actor, text: ConsentText) -> bool:
    """Every staff role sees published and superseded versions; drafts only national admins."""
    if not actor.is_staff:
        return False
    return text.status != ConsentTextStatus.DRAFT or can_manage_consent_texts(actor)


def check_can_view_consent_text(actor: Actor, text: ConsentText) -> None:
    if not can_view_consent_text(actor, text):
        raise NotFound


def check_can_manage_consent_text(actor: Actor, text: ConsentText) -> None:
    check_can_view_consent_text(actor, text)
    if not can_manage_consent_texts(actor):
        raise PermissionDenied


def can_record_consent(actor: Actor, participant: Participant) -> bool:
    """Coordinators of the participant's organisation and national admins record consent
    given or withdrawn on paper or by word of mouth, and see the participant's consents."""
    return actor.coordinates(participant.organisation_id)


def check_can_record_consent(actor: Actor, participant: Participant) -> None:
    """:class:`NotFound` for everyone who does not coordinate the participant's organisation:
    they may not learn that the participant exists."""
    if not can_record_consent(actor, participant):
        raise NotFound
