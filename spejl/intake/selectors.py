"""Reads of intake conversations, the enquiries and participants they are about, and referral
destinations — scoped to the acting coordinator's organisations.

Reads that show a person's name or contact data (first name, phone, e-mail) or their screening
answers are audited (field names only). Counts and destinations hold no personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from spejl.access.actor import Actor, NotFound
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.core.tils import TilsResult, tils_score
from spejl.enquiries.models import Enquiry
from spejl.enrolments.models import Enrolment
from spejl.enrolments.policies import ACTIVE_STATES
from spejl.intake import policies
from spejl.intake.models import Intake, IntakeStatus, ReferralDestination
from spejl.intake.permissions import (
    check_can_hold_intakes,
    check_can_hold_intakes_for,
    check_can_view_destination,
    check_can_view_intake,
)
from spejl.notifications.models import Notification
from spejl.participants.models import Participant
from spejl.web.text import danish

#: What the intake page shows about the person (names of the fields, for the audit log).
PERSON_FIELDS = ("first_name", "phone", "email")
INTAKE_FIELDS = (
    *policies.TILS_FIELDS,
    "decision",
    "decision_note",
    "preferred_times",
    "composition_wishes",
    "group_wishes",
    "accessibility_needs",
    "birth_year",
    "gender",
)

# List views of the intake list.
VIEW_SCHEDULED = "scheduled"
VIEW_TO_SCHEDULE = "to_schedule"
VIEW_DECISION_PENDING = "decision_pending"
VIEW_ALL = "all"
LIST_VIEWS = (VIEW_SCHEDULED, VIEW_TO_SCHEDULE, VIEW_DECISION_PENDING, VIEW_ALL)


def _coordinated(qs: QuerySet[Any], actor: Actor, field: str = "organisation") -> QuerySet[Any]:
    """Limit to the organisations the actor coordinates (all for national admins)."""
    if actor.is_national_admin or actor.is_system:
        return qs
    return qs.filter(**{f"{field}__in": actor.coordinator_of})


def _active_intake_of_enquiry() -> Exists:
    return Exists(
        Intake.objects.filter(enquiry=OuterRef("pk"), status__in=policies.ACTIVE_INTAKE_STATUSES)
    )


# --- The people an intake is about -----------------------------------------------------------


def enquiry_get_for_intake(*, actor: Actor, public_id: str) -> Enquiry:
    """An enquiry of an organisation the actor coordinates, to schedule its intake.

    Audited read of the first name the scheduling page shows. Raises :class:`NotFound` for
    other organisations' enquiries, for facilitators and evaluators.
    """
    enquiry = (
        Enquiry.objects.select_related("organisation", "group", "participant")
        .filter(public_id=public_id)
        .first()
    )
    if enquiry is None:
        raise NotFound
    check_can_hold_intakes_for(actor, enquiry.organisation_id)
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        obj=enquiry,
        organisation=enquiry.organisation,
        fields=("first_name",),
        purpose="schedule an intake conversation",
    )
    return enquiry


def participant_get_for_intake(*, actor: Actor, public_id: str) -> Participant:
    """A participant of an organisation the actor coordinates, to schedule a new intake.

    Audited read of the first name the scheduling page shows.
    """
    participant = (
        Participant.objects.select_related("organisation", "contact")
        .filter(public_id=public_id)
        .first()
    )
    if participant is None:
        raise NotFound
    check_can_hold_intakes_for(actor, participant.organisation_id)
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        obj=participant,
        organisation=participant.organisation,
        fields=("first_name",),
        purpose="schedule an intake conversation",
    )
    return participant


def scheduled_intake_for(
    *, enquiry: Enquiry | None = None, participant: Participant | None = None
) -> Intake | None:
    """The person's intake that is scheduled and not yet recorded, if any (no personal data)."""
    qs = Intake.objects.filter(status=IntakeStatus.SCHEDULED)
    if enquiry is not None:
        return qs.filter(enquiry=enquiry).order_by("scheduled_at").first()
    if participant is not None:
        return qs.filter(participant=participant).order_by("scheduled_at").first()
    return None


# --- One intake -----------------------------------------------------------------------------


def intake_get_for_actor(*, actor: Actor, public_id: str) -> Intake:
    """The intake, or :class:`NotFound` if the actor may not see it. Reads nothing to show:
    the caller audits what it displays (see :func:`intake_show`)."""
    intake = (
        Intake.objects.select_related(
            "organisation",
            "enquiry__postcode",
            "enquiry__group",
            "participant__contact",
            "referral_destination",
            "coordinator",
        )
        .filter(public_id=public_id)
        .first()
    )
    if intake is None:
        raise NotFound
    check_can_view_intake(actor, intake)
    return intake


@dataclass(frozen=True)
class PersonView:
    """Who the intake is with, as the coordinator needs it to call or greet them."""

    first_name: str
    phone: str
    email: str
    birth_year: int | None
    gender: str


@dataclass(frozen=True)
class IntakeView:
    intake: Intake
    person: PersonView
    tils: TilsResult
    on_waitlist: bool
    confirmation: Notification | None


def person_of(intake: Intake) -> PersonView:
    """The person's name and contact, from the participant's contact data once converted,
    from the enquiry before. No query when the intake came from :func:`intake_get_for_actor`."""
    participant = intake.participant
    contact = getattr(participant, "contact", None) if participant else None
    enquiry = intake.enquiry
    if contact is not None:
        first_name, phone, email = contact.first_name, contact.phone, contact.email
    elif enquiry is not None:
        first_name, phone, email = enquiry.first_name, enquiry.phone, enquiry.email
    else:
        first_name, phone, email = (participant.code if participant else ""), "", ""
    return PersonView(
        first_name=first_name,
        phone=phone,
        email=email,
        birth_year=(
            participant.birth_year
            if participant and participant.birth_year
            else (enquiry.birth_year if enquiry else None)
        ),
        gender=participant.gender if participant else "",
    )


def intake_show(*, actor: Actor, public_id: str, purpose: str) -> IntakeView:
    """Everything the intake page shows: the person's name and contact, the screening and
    its score, the decision and wishes. Audited read (field names only)."""
    intake = intake_get_for_actor(actor=actor, public_id=public_id)
    on_waitlist = bool(
        intake.participant_id
        and Enrolment.objects.filter(
            participant_id=intake.participant_id, state__in=ACTIVE_STATES
        ).exists()
    )
    confirmation = (
        Notification.objects.filter(dedupe_key__startswith=f"intake_scheduled:{intake.public_id}:")
        .order_by("-created_at")
        .first()
    )
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        obj=intake,
        organisation=intake.organisation,
        fields=(*PERSON_FIELDS, *INTAKE_FIELDS),
        purpose=purpose,
    )
    return IntakeView(
        intake=intake,
        person=person_of(intake),
        tils=tils_score([intake.tils_1, intake.tils_2, intake.tils_3]),
        on_waitlist=on_waitlist,
        confirmation=confirmation,
    )


# --- Lists and counts -------------------------------------------------------------------------


def intake_counts_for_actor(*, actor: Actor) -> dict[str, int]:
    """How many enquiries wait for an intake, how many intakes are scheduled and how many held
    intakes wait for a decision, in the actor's organisations (three queries, no personal
    data). Zero for everyone who holds no intakes (facilitators, evaluators)."""
    if not (actor.is_national_admin or actor.is_system or actor.coordinator_of):
        return {VIEW_TO_SCHEDULE: 0, VIEW_SCHEDULED: 0, VIEW_DECISION_PENDING: 0}
    intakes = _coordinated(Intake.objects.all(), actor)
    return {
        VIEW_TO_SCHEDULE: _enquiries_to_schedule(actor).count(),
        VIEW_SCHEDULED: intakes.filter(status=IntakeStatus.SCHEDULED).count(),
        VIEW_DECISION_PENDING: intakes.filter(status=IntakeStatus.HELD, decision="").count(),
    }


def _enquiries_to_schedule(actor: Actor) -> QuerySet[Enquiry]:
    """Open enquiries without a scheduled or held intake (new ones, and those whose intake was
    cancelled or missed)."""
    return _coordinated(
        Enquiry.objects.filter(status__in=policies.SCHEDULABLE_ENQUIRY_STATUSES), actor
    ).filter(~_active_intake_of_enquiry())


def enquiries_to_schedule_for_actor(*, actor: Actor) -> QuerySet[Enquiry]:
    """Enquiries waiting for an intake, oldest first. The list shows first names: the caller
    audits with :func:`audit_list_read` when it renders them."""
    check_can_hold_intakes(actor)
    return (
        _enquiries_to_schedule(actor)
        .select_related("organisation", "postcode", "group")
        .order_by("created_at", "pk")
    )


def intakes_for_actor(*, actor: Actor, view: str) -> QuerySet[Intake]:
    """Intakes of the actor's organisations for one list view:

    * ``scheduled`` — not yet recorded, soonest first (those whose time has passed first);
    * ``decision_pending`` — held, no decision yet, oldest first;
    * ``all`` — every intake, newest first.

    Related rows are joined, so a page of any length costs a fixed number of queries. The
    caller audits the names it shows with :func:`audit_list_read`.
    """
    check_can_hold_intakes(actor)
    qs = _coordinated(Intake.objects.all(), actor).select_related(
        "organisation", "enquiry", "participant__contact", "referral_destination"
    )
    if view == VIEW_SCHEDULED:
        return qs.filter(status=IntakeStatus.SCHEDULED).order_by("scheduled_at", "pk")
    if view == VIEW_DECISION_PENDING:
        return qs.filter(status=IntakeStatus.HELD, decision="").order_by("scheduled_at", "pk")
    return qs.order_by("-scheduled_at", "-pk")


def audit_list_read(*, actor: Actor, object_type: str, purpose: str) -> None:
    """Record that a list showing people's first names was read."""
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        object_type=object_type,
        organisation=None,
        fields=("first_name",),
        purpose=purpose,
    )


# --- Referral destinations ----------------------------------------------------------------


def destinations_for_actor(*, actor: Actor) -> list[ReferralDestination]:
    """The national list and the own lists of the organisations the actor coordinates (all
    organisations' lists for national admins), national first. No personal data."""
    check_can_hold_intakes(actor)
    qs = ReferralDestination.objects.select_related("organisation")
    if not (actor.is_national_admin or actor.is_system):
        qs = qs.filter(Q(organisation__isnull=True) | Q(organisation__in=actor.coordinator_of))
    return sorted(
        qs,
        key=lambda d: (
            d.organisation is not None,
            d.organisation.name if d.organisation else "",
            not d.is_active,
            d.position,
            d.name_da,
        ),
    )


def destinations_usable_for(
    *, organisation_id: int, include: ReferralDestination | None = None
) -> QuerySet[ReferralDestination]:
    """Active destinations an intake of this organisation can refer to: the national list and
    the organisation's own (plus ``include``, the one already chosen, even if retired)."""
    available = Q(is_active=True) & (Q(organisation__isnull=True) | Q(organisation=organisation_id))
    if include is not None:
        available |= Q(pk=include.pk)
    return ReferralDestination.objects.filter(available).order_by(
        "organisation", "position", danish("name_da")
    )


def destination_get_for_actor(*, actor: Actor, public_id: str) -> ReferralDestination:
    destination = (
        ReferralDestination.objects.select_related("organisation")
        .filter(public_id=public_id)
        .first()
    )
    if destination is None:
        raise NotFound
    check_can_view_destination(actor, destination)
    return destination
