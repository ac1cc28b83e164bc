"""Who may see and handle enquiries.

An enquiry holds the identifying data a person gave (name, phone, e-mail, postcode, birth year,
message): it is for the coordinators of the organisation it was routed to, and the national
secretariat. Facilitators and evaluators never see enquiries, and other organisations'
coordinators do not know they exist (404). Anyone may *make* an enquiry (the public form).
"""

from __future__ import annotations

from spejl.access.actor import Actor, NotFound
from spejl.enquiries.models import Enquiry


def can_use_inbox(actor: Actor) -> bool:
    """The inbox exists for coordinators and national admins."""
    return actor.is_national_admin or actor.is_system or bool(actor.coordinator_of)


def can_view_enquiry(actor: Actor, enquiry: Enquiry) -> bool:
    """Read and handle an enquiry: its organisation's coordinators and national admins."""
    return actor.coordinates(enquiry.organisation_id)


def can_register_for(actor: Actor, organisation_id: int) -> bool:
    """Register an enquiry taken by phone or a referral for this organisation."""
    return actor.coordinates(organisation_id)


def check_can_use_inbox(actor: Actor) -> None:
    if not can_use_inbox(actor):
        raise NotFound


def check_can_view_enquiry(actor: Actor, enquiry: Enquiry) -> None:
    """Missing and forbidden look the same: another organisation's enquiry is not found."""
    if not can_view_enquiry(actor, enquiry):
        raise NotFound


def check_can_register_for(actor: Actor, organisation_id: int) -> None:
    if not can_register_for(actor, organisation_id):
        raise NotFound
