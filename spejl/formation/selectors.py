"""Reading proposals for the review page: placements by group with their reasons, the people
left unplaced and why, planning help, and the comparison with first-come-first-served.

Shows participants by code and first name (contact data): every read is audited.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from spejl.access.actor import Actor, NotFound
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.enrolments.models import SEAT_STATES, Enrolment, EnrolmentState
from spejl.formation.models import (
    DecisionKind,
    PlacementPair,
    Proposal,
    ProposalPlacement,
    ProposalUnplaced,
)
from spejl.formation.permissions import check_can_see_proposal
from spejl.groups.models import PeerGroup
from spejl.organisations.models import Organisation, Venue


def proposals_for_actor(*, actor: Actor, limit: int = 30) -> list[Proposal]:
    """The newest proposals the actor may see (their organisation's; all for the national
    secretariat). No personal data."""
    proposals: QuerySet[Proposal] = Proposal.objects.prefetch_related("organisations")
    if not actor.is_national_admin:
        proposals = proposals.filter(organisations__in=actor.coordinator_of).exclude(
            organisations__in=Organisation.objects.exclude(pk__in=actor.coordinator_of)
        )
    return list(proposals.distinct().select_related("created_by")[:limit])


@dataclass
class GroupBlock:
    group: PeerGroup
    #: Seats taken or offered in the group now (before this proposal).
    taken: int
    placements: list[ProposalPlacement] = field(default_factory=list)
    opens: bool = False

    @property
    def free_after(self) -> int:
        return max(0, self.group.max_participants - self.taken - len(self.placements))


@dataclass
class Review:
    proposal: Proposal
    blocks: list[GroupBlock]
    unplaced: list[ProposalUnplaced]
    locks: set[tuple[int, int]]
    forbids: set[tuple[int, int]]
    suggestions: list[dict[str, object]]
    not_considered: Counter[str]

    @property
    def placed(self) -> int:
        return sum(len(b.placements) for b in self.blocks)

    @property
    def extra_placed(self) -> int:
        return self.placed - int(self.proposal.baseline.get("placed", 0))

    @property
    def travel_km(self) -> float:
        return round(sum(p.travel_km for b in self.blocks for p in b.placements), 1)

    @property
    def travel_per_person(self) -> float | None:
        return round(self.travel_km / self.placed, 1) if self.placed else None

    @property
    def baseline_travel_per_person(self) -> float | None:
        placed = int(self.proposal.baseline.get("placed", 0))
        return round(float(self.proposal.baseline["travel_km"]) / placed, 1) if placed else None

    @property
    def gap_percent(self) -> float | None:
        gap = self.proposal.gap
        return None if gap is None else round(100 * gap, 2)


def proposal_get_for_actor(*, actor: Actor, public_id: str) -> Proposal:
    proposal = Proposal.objects.filter(public_id=public_id).first()
    if proposal is None:
        raise NotFound
    check_can_see_proposal(actor, proposal)
    return proposal


def proposal_review(*, actor: Actor, proposal: Proposal) -> Review:
    """Everything the review page shows (a fixed number of queries). Audited: it shows the
    participants' first names."""
    placements = list(
        proposal.placements.select_related("enrolment__participant__contact", "group__venue")
        .annotate(
            group_taken=Count(
                "group__enrolments", filter=Q(group__enrolments__state__in=SEAT_STATES)
            )
        )
        .order_by("group__title", "-days_waited", "pk")
    )
    opened = set(proposal.opened_groups.values_list("pk", flat=True))
    blocks: dict[int, GroupBlock] = {}
    for placement in placements:
        group = placement.group
        block = blocks.setdefault(
            group.pk,
            GroupBlock(group=group, taken=placement.group_taken, opens=group.pk in opened),
        )
        block.placements.append(placement)
    unplaced = list(
        proposal.unplaced.select_related("enrolment__participant__contact").prefetch_related(
            "suitable_groups"
        )
    )
    decisions = list(proposal.decisions.all())
    venues = {
        str(v.public_id): v
        for v in Venue.objects.filter(public_id__in=[s["site"] for s in proposal.suggestions])
    }
    suggestions = [{**s, "venue": venues.get(str(s["site"]))} for s in proposal.suggestions]
    for organisation in proposal.organisations.all():
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            obj=proposal,
            organisation=organisation,
            fields=("first_name",),
            purpose="review a placement proposal",
        )
    return Review(
        proposal=proposal,
        blocks=sorted(blocks.values(), key=lambda b: b.group.title),
        unplaced=unplaced,
        locks={(d.enrolment_id, d.group_id) for d in decisions if d.kind == DecisionKind.LOCK},
        forbids={(d.enrolment_id, d.group_id) for d in decisions if d.kind == DecisionKind.FORBID},
        suggestions=suggestions,
        not_considered=Counter(proposal.not_considered.values()),
    )


def pairs_for_actor(*, actor: Actor) -> list[PlacementPair]:
    """The pairs of the organisations the actor coordinates (all for the secretariat), with
    the two people's codes and first names: an audited read."""
    pairs = PlacementPair.objects.select_related(
        "first__contact", "second__contact", "organisation"
    ).order_by("organisation__name", "-created_at")
    if not actor.is_national_admin:
        pairs = pairs.filter(organisation__in=actor.coordinator_of)
    found = list(pairs)
    for organisation in {p.organisation for p in found}:
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            object_type="formation.placementpair",
            organisation=organisation,
            fields=("first_name",),
            purpose="placement pairs",
        )
    return found


def waiting_people_for_actor(*, actor: Actor) -> list[tuple[str, str]]:
    """(participant public id, "code · first name") of everyone waiting in the actor's
    organisations, for choosing a pair. Audited read of first names."""
    waiting = Enrolment.objects.filter(state=EnrolmentState.WAITLISTED).select_related(
        "participant__contact", "organisation"
    )
    if not actor.is_national_admin:
        waiting = waiting.filter(organisation__in=actor.coordinator_of)
    rows = list(waiting.order_by("organisation__name", "participant__code"))
    for organisation in {e.organisation for e in rows}:
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            object_type="participants.contact",
            organisation=organisation,
            fields=("first_name",),
            purpose="choose people for a placement pair",
        )
    return [(str(e.participant.public_id), _person_label(e, actor)) for e in rows]


def _person_label(enrolment: Enrolment, actor: Actor) -> str:
    contact = getattr(enrolment.participant, "contact", None)
    label = f"{enrolment.participant.code} · {contact.first_name if contact else ''}"
    if actor.is_national_admin:
        label += f" ({enrolment.organisation.name})"
    return label
