"""Reads of participants and their contact data, scoped to coordinators and audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from spejl.access.actor import Actor, NotFound
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.enrolments.models import Enrolment, EnrolmentState
from spejl.groups.models import PeerGroup
from spejl.links.models import SecureLink
from spejl.participants.models import Participant
from spejl.web.text import danish

CONTACT_FIELDS = ("first_name", "last_name", "phone", "email", "postcode")


def participant_get_for_actor(*, actor: Actor, public_id: str, purpose: str) -> Participant:
    """The participant with contact data, for a coordinator of their organisation (or a
    national admin); :class:`NotFound` for everyone else. Audited read of contact data."""
    participant = (
        Participant.objects.select_related("contact", "organisation", "contact__postcode")
        .filter(public_id=public_id)
        .first()
    )
    if participant is None or not actor.coordinates(participant.organisation_id):
        raise NotFound
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        obj=participant,
        organisation=participant.organisation,
        fields=CONTACT_FIELDS,
        purpose=purpose,
    )
    return participant


def enrolment_get(*, participant: Participant, public_id: str) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_related("group", "participant")
        .filter(participant=participant, public_id=public_id)
        .first()
    )
    if enrolment is None:
        raise NotFound
    return enrolment


@dataclass(frozen=True)
class WaitlistRow:
    enrolment: Enrolment
    first_name: str
    days_waiting: int
    preferred_times: list[str]
    max_travel_km: int | None
    town: str


def waitlist_for_actor(*, actor: Actor, now: datetime | None = None) -> list[WaitlistRow]:
    """Waiting participants (and lapsed or declined offers) of the actor's organisations,
    longest waiting first, with their wishes from the latest intake. Audited read of first
    names."""
    if not (actor.coordinator_of or actor.is_national_admin):
        raise NotFound
    now = now or timezone.now()
    enrolments = Enrolment.objects.filter(
        state__in=(EnrolmentState.WAITLISTED, EnrolmentState.EXPIRED, EnrolmentState.DECLINED)
    ).exclude(participant__enrolments__state__in=(EnrolmentState.OFFERED, EnrolmentState.ENROLLED))
    if not actor.is_national_admin:
        enrolments = enrolments.filter(organisation__in=actor.coordinator_of)
    enrolments = (
        enrolments.select_related("participant__contact__postcode", "group", "organisation")
        .prefetch_related("participant__intakes")
        .order_by("waitlisted_at")
    )
    rows = []
    for enrolment in enrolments:
        participant = enrolment.participant
        contact = getattr(participant, "contact", None)
        intakes = sorted(participant.intakes.all(), key=lambda i: i.scheduled_at, reverse=True)
        latest = intakes[0] if intakes else None
        rows.append(
            WaitlistRow(
                enrolment=enrolment,
                first_name=contact.first_name if contact else participant.code,
                days_waiting=(now - enrolment.waitlisted_at).days,
                preferred_times=list(latest.preferred_times) if latest else [],
                max_travel_km=latest.max_travel_km if latest else None,
                town=contact.postcode.town if contact and contact.postcode else "",
            )
        )
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        object_type="participants.participant",
        organisation=None,
        fields=("first_name", "postcode"),
        purpose="waitlist",
    )
    return rows


def open_offers_for_actor(*, actor: Actor) -> QuerySet[Enrolment]:
    """Offers waiting for an answer, soonest lapsing first (participant codes only)."""
    offers = Enrolment.objects.filter(state=EnrolmentState.OFFERED)
    if not actor.is_national_admin:
        offers = offers.filter(organisation__in=actor.coordinator_of)
    return offers.select_related("participant", "group").order_by("offer_expires_at")


def groups_with_free_seats(*, actor: Actor, participant: Participant) -> list[PeerGroup]:
    """Groups of the participant's organisation that take new people, with free seats."""
    from spejl.groups.selectors import groups_for_actor

    return [
        g
        for g in groups_for_actor(actor=actor)
        .filter(
            organisation=participant.organisation,
            status__in=("planning", "recruiting", "running"),
        )
        .order_by(danish("title"))
        if g.seats_free > 0  # type: ignore[attr-defined]
    ]


@dataclass(frozen=True)
class FunnelRow:
    """One organisation's way in, counted in people: enquiries → intakes held → suitable →
    enrolled → completed (each person counted once per step)."""

    organisation: object
    enquiries: int
    intakes: int
    suitable: int
    enrolled: int
    completed: int


def funnel_for_actor(*, actor: Actor) -> list[FunnelRow]:
    """The funnel for each organisation the actor coordinates (national admins: all).
    Five grouped queries, whatever the number of organisations. No personal data."""
    from django.db.models import Count

    from spejl.enquiries.models import Enquiry
    from spejl.enrolments.models import EnrolmentTransition
    from spejl.intake.models import Decision, Intake, IntakeStatus
    from spejl.organisations.models import Organisation, OrganisationKind

    if not (actor.coordinator_of or actor.is_national_admin):
        raise NotFound
    organisations = Organisation.objects.filter(kind=OrganisationKind.MEMBER)
    if not actor.is_national_admin:
        organisations = organisations.filter(pk__in=actor.coordinator_of)
    ids = [o.pk for o in organisations]

    def per_org(qs: QuerySet[Any], org_field: str, distinct: str) -> dict[int, int]:
        return dict(
            qs.filter(**{f"{org_field}__in": ids})
            .values_list(org_field)
            .annotate(n=Count(distinct, distinct=True))
            .values_list(org_field, "n")
        )

    enquiries = per_org(Enquiry.objects.all(), "organisation", "pk")
    intakes = per_org(
        Intake.objects.filter(status=IntakeStatus.HELD), "organisation", "participant"
    )
    suitable = per_org(
        Intake.objects.filter(decision=Decision.SUITABLE), "organisation", "participant"
    )
    transitions = EnrolmentTransition.objects.all()
    enrolled = per_org(
        transitions.filter(to_state=EnrolmentState.ENROLLED),
        "enrolment__organisation",
        "enrolment__participant",
    )
    completed = per_org(
        transitions.filter(to_state=EnrolmentState.COMPLETED),
        "enrolment__organisation",
        "enrolment__participant",
    )
    return [
        FunnelRow(
            organisation=o,
            enquiries=enquiries.get(o.pk, 0),
            intakes=intakes.get(o.pk, 0),
            suitable=suitable.get(o.pk, 0),
            enrolled=enrolled.get(o.pk, 0),
            completed=completed.get(o.pk, 0),
        )
        for o in organisations.order_by(danish("name"))
    ]


def pipeline_counts_for_actor(*, actor: Actor) -> dict[str, int]:
    """Waiting people and open offers in the actor's organisations (for dashboard cards)."""
    enrolments = Enrolment.objects.all()
    if not actor.is_national_admin:
        enrolments = enrolments.filter(organisation__in=actor.coordinator_of)
    return {
        "waitlisted": enrolments.filter(state=EnrolmentState.WAITLISTED).count(),
        "offered": enrolments.filter(state=EnrolmentState.OFFERED).count(),
    }


def participant_for_own_page(*, link: SecureLink, purpose: str) -> Participant:
    """The participant behind their own secure link. Their own read of their contact data is
    audited too (no staff actor: the participant themself)."""
    participant = link.participant
    audit_record(
        actor=Actor(user=None),
        action=AuditAction.READ,
        obj=participant,
        organisation=participant.organisation,
        fields=CONTACT_FIELDS,
        purpose=purpose,
    )
    return participant
