"""Proposals: ask the optimiser, adjust (lock or forbid single placements), solve again,
approve — which makes ordinary offers through the enrolment flow — or discard.

The solve runs outside any database transaction (it may take seconds and must not hold the
write lock); what it produced is then stored in one transaction. Every step is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spejl.access.actor import Actor, NotFound
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.core.formation import (
    SOLVER_VERSION,
    GroupSuggestion,
    Site,
    greedy,
    instance_hash,
    solve,
    suggest_new_groups,
)
from spejl.core.formation.model import Solution
from spejl.enrolments.models import Enrolment, EnrolmentState
from spejl.enrolments.services import enrolment_offer
from spejl.formation.inputs import Inputs, inputs_for
from spejl.formation.models import (
    DecisionKind,
    PlacementPair,
    Proposal,
    ProposalDecision,
    ProposalPlacement,
    ProposalStatus,
    ProposalUnplaced,
)
from spejl.formation.permissions import check_can_propose_for, check_can_see_proposal
from spejl.groups.models import GroupStatus
from spejl.groups.services import group_change_status
from spejl.organisations.models import Organisation, Venue
from spejl.participants.models import Participant

#: The time the solver may take when nobody says otherwise (seconds).
DEFAULT_TIME_LIMIT = 10.0
MAX_TIME_LIMIT = 300.0


def _check_draft(proposal: Proposal) -> None:
    if proposal.status != ProposalStatus.DRAFT:
        raise ValidationError(
            _("This proposal has been approved, discarded or replaced; make a new one.")
        )


def _sites(organisations: list[Organisation]) -> list[Site]:
    """Where a new group could meet: the organisations' venues."""
    return [
        Site(id=str(v.public_id), lat=v.latitude, lon=v.longitude, label=v.name)
        for v in Venue.objects.filter(organisation__in=organisations).order_by("name", "pk")
    ]


def _audit_inputs(actor: Actor, inputs: Inputs, organisations: list[Organisation]) -> None:
    # The solver read the waiting people's postcodes (contact data) and intake wishes.
    for organisation in organisations:
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            object_type="participants.contact",
            organisation=organisation,
            fields=("postcode", "preferred_times", "max_travel_km", "group_wishes"),
            purpose="placement proposal (waiting list)",
        )


def proposal_create(
    *,
    actor: Actor,
    organisations: list[Organisation],
    time_limit: float = DEFAULT_TIME_LIMIT,
    parent: Proposal | None = None,
) -> Proposal:
    """Ask the optimiser for a proposal for ``organisations``' waiting lists (carrying over
    the locks and forbids of ``parent``, which it then replaces). Coordinators: their own
    organisation; the national secretariat: any, several at once too."""
    check_can_propose_for(actor, {o.pk for o in organisations})
    if not 0 < time_limit <= MAX_TIME_LIMIT:
        raise ValidationError(
            {"time_limit": _("Give between 1 and %(max)s seconds.") % {"max": int(MAX_TIME_LIMIT)}}
        )
    decisions = list(parent.decisions.select_related("enrolment", "group")) if parent else []
    locks = frozenset(
        (str(d.enrolment.public_id), str(d.group.public_id))
        for d in decisions
        if d.kind == DecisionKind.LOCK
    )
    forbids = frozenset(
        (str(d.enrolment.public_id), str(d.group.public_id))
        for d in decisions
        if d.kind == DecisionKind.FORBID
    )
    inputs = inputs_for(organisations, locks=locks, forbids=forbids)
    try:
        solution = solve(inputs.instance, time_limit=time_limit)
    except ValueError as error:  # locks that contradict each other
        raise ValidationError(str(error)) from error
    baseline = greedy(inputs.instance)
    unplaced_people = [
        p for p in inputs.instance.people if p.id in {u.person_id for u in solution.unplaced}
    ]
    suggestions = suggest_new_groups(unplaced_people, _sites(organisations))
    return _store(
        actor, organisations, inputs, solution, baseline, suggestions, parent, decisions, time_limit
    )


@transaction.atomic
def _store(
    actor: Actor,
    organisations: list[Organisation],
    inputs: Inputs,
    solution: Solution,
    baseline: Solution,
    suggestions: list[GroupSuggestion],
    parent: Proposal | None,
    decisions: list[ProposalDecision],
    time_limit: float,
) -> Proposal:
    proposal = Proposal.objects.create(
        created_by=actor.user,
        parent=parent,
        input_hash=instance_hash(inputs.instance),
        solver_version=SOLVER_VERSION,
        solver=solution.solver[:40],
        solver_status=solution.status[:40],
        time_limit=time_limit,
        objective=solution.objective,
        objective_terms=dict(solution.objective_terms),
        bound=solution.bound,
        gap=solution.gap,
        solve_seconds=solution.solve_seconds,
        people_count=len(inputs.instance.people),
        group_count=len(inputs.instance.groups),
        baseline={
            "placed": baseline.placed_count,
            "travel_km": round(baseline.travel_km, 1),
            "objective": baseline.objective,
        },
        suggestions=[
            {
                "site": s.site_id,
                "weekday": s.weekday,
                "part_of_day": s.part_of_day,
                "target": s.target,
                "language": s.language,
                "count": s.count,
                "step_free_needed": s.step_free_needed,
                "people": list(s.person_ids),
            }
            for s in suggestions
        ],
        not_considered=inputs.not_considered,
    )
    proposal.organisations.set(organisations)
    proposal.opened_groups.set([inputs.groups[g] for g in solution.opened_group_ids])
    locks = {(d.enrolment_id, d.group_id) for d in decisions if d.kind == DecisionKind.LOCK}
    ProposalPlacement.objects.bulk_create(
        ProposalPlacement(
            proposal=proposal,
            enrolment=inputs.enrolments[p.person_id],
            group=inputs.groups[p.group_id],
            travel_km=round(p.travel_km, 1),
            days_waited=p.days_waited,
            unmet_wishes=list(p.unmet_wishes),
            locked=(inputs.enrolments[p.person_id].pk, inputs.groups[p.group_id].pk) in locks,
        )
        for p in solution.placements
    )
    for item in solution.unplaced:
        row = ProposalUnplaced.objects.create(
            proposal=proposal, enrolment=inputs.enrolments[item.person_id], reason=item.reason
        )
        row.suitable_groups.set([inputs.groups[g] for g in item.suitable_group_ids])
    ProposalDecision.objects.bulk_create(
        ProposalDecision(
            proposal=proposal,
            enrolment=d.enrolment,
            group=d.group,
            kind=d.kind,
            decided_by=d.decided_by,
        )
        for d in decisions
    )
    if parent is not None:
        Proposal.objects.filter(pk=parent.pk, status=ProposalStatus.DRAFT).update(
            status=ProposalStatus.SUPERSEDED
        )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=proposal,
        organisation=organisations[0] if len(organisations) == 1 else None,
        fields=("placements",),
        purpose=f"placement proposal: {solution.placed_count} of "
        f"{len(inputs.instance.people)} placed",
    )
    return proposal


@transaction.atomic
def proposal_decide(
    *, actor: Actor, proposal: Proposal, enrolment: Enrolment, group_id: int, kind: str | None
) -> None:
    """Lock a placement, forbid one, or (``kind`` None) take the decision back. Applies when
    the proposal is solved again."""
    check_can_see_proposal(actor, proposal)
    _check_draft(proposal)
    if kind is not None and kind not in DecisionKind.values:
        raise ValueError(f"unknown decision {kind!r}")
    ProposalDecision.objects.filter(
        proposal=proposal, enrolment=enrolment, group_id=group_id
    ).delete()
    if kind == DecisionKind.LOCK:
        # One lock per person: a new lock replaces their earlier one.
        ProposalDecision.objects.filter(
            proposal=proposal, enrolment=enrolment, kind=DecisionKind.LOCK
        ).delete()
    if kind is not None:
        ProposalDecision.objects.create(
            proposal=proposal,
            enrolment=enrolment,
            group_id=group_id,
            kind=kind,
            decided_by=actor.user,
        )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=proposal,
        organisation=enrolment.organisation,
        fields=("placements",),
        purpose=f"placement {kind or 'decision withdrawn'}",
    )


def proposal_resolve(*, actor: Actor, proposal: Proposal) -> Proposal:
    """Solve again with the coordinator's locks and forbids; the new proposal replaces it."""
    check_can_see_proposal(actor, proposal)
    _check_draft(proposal)
    return proposal_create(
        actor=actor,
        organisations=list(proposal.organisations.all()),
        time_limit=proposal.time_limit,
        parent=proposal,
    )


@transaction.atomic
def proposal_discard(*, actor: Actor, proposal: Proposal) -> None:
    check_can_see_proposal(actor, proposal)
    updated = Proposal.objects.filter(pk=proposal.pk, status=ProposalStatus.DRAFT).update(
        status=ProposalStatus.DISCARDED
    )
    if updated:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=proposal,
            organisation=None,
            fields=("status",),
            purpose="placement proposal discarded",
        )


@dataclass(frozen=True)
class Approval:
    offered: int
    failed: list[tuple[str, str]]  # (participant code, why)
    referrals: list[tuple[str, str]]  # (participant code, other organisation's name)
    opened: list[str]  # titles of planned groups moved to recruiting


def proposal_approve(*, actor: Actor, proposal: Proposal, days: int | None = None) -> Approval:
    """Approve: each proposed placement becomes an offer through the enrolment flow (which
    checks seats under a lock and sends the offer); a planned group that gets people starts
    recruiting. A placement whose situation changed since (the person is no longer waiting,
    the seat went meanwhile) is not offered and is reported. A placement in another
    organisation's group (national proposals) is reported as a referral for the two
    coordinators to agree; it is never offered across organisations."""
    check_can_see_proposal(actor, proposal)
    with transaction.atomic():
        claimed = Proposal.objects.filter(pk=proposal.pk, status=ProposalStatus.DRAFT).update(
            status=ProposalStatus.APPROVED, approved_by=actor.user, approved_at=timezone.now()
        )
    if not claimed:
        _check_draft(Proposal.objects.get(pk=proposal.pk))
    placements = list(
        proposal.placements.select_related(
            "enrolment__participant", "group__organisation", "enrolment__organisation"
        )
    )
    opened: list[str] = []
    for group in proposal.opened_groups.filter(status=GroupStatus.PLANNING).order_by("pk"):
        try:
            group_change_status(
                actor=actor,
                group=group,
                to_status=GroupStatus.RECRUITING,
                reason=_("Opened by an approved placement proposal"),
            )
            opened.append(group.title)
        except ValidationError:
            continue  # offers into a planned group still work; the coordinator opens it
    offered, failed, referrals = 0, [], []
    for placement in placements:
        enrolment, group = placement.enrolment, placement.group
        code = enrolment.participant.code
        if group.organisation_id != enrolment.organisation_id:
            referrals.append((code, group.organisation.name))
            continue
        if enrolment.state != EnrolmentState.WAITLISTED:
            failed.append((code, _("no longer on the waitlist")))
            continue
        try:
            enrolment_offer(actor=actor, enrolment=enrolment, group=group, days=days)
            offered += 1
        except ValidationError as error:
            failed.append((code, error.messages[0]))
    result = Approval(offered=offered, failed=failed, referrals=referrals, opened=opened)
    with transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(
            approval={
                "offered": offered,
                "failed": failed,
                "referrals": referrals,
                "opened": opened,
            }
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=proposal,
            organisation=None,
            fields=("status",),
            purpose=f"placement proposal approved: {offered} offers",
        )
    return result


# --- Pairs ------------------------------------------------------------------------------------


@transaction.atomic
def pair_create(
    *, actor: Actor, first: Participant, second: Participant, together: bool
) -> PlacementPair:
    """Record that two people of the same organisation must be placed together or apart.
    Coordinators of that organisation (and the national secretariat); audited."""
    if first.organisation_id != second.organisation_id or not actor.coordinates(
        first.organisation_id
    ):
        raise NotFound
    if first.pk == second.pk:
        raise ValidationError(_("Choose two different people."))
    low, high = sorted((first, second), key=lambda p: p.pk)
    existing = PlacementPair.objects.filter(first=low, second=high).first()
    if existing is not None:
        raise ValidationError(
            _("These two are already paired. Remove that pair first to change it.")
        )
    pair = PlacementPair.objects.create(
        organisation_id=first.organisation_id,
        first=low,
        second=high,
        together=together,
        created_by=actor.user,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=pair,
        organisation=first.organisation,
        fields=("together",),
        purpose="placement pair",
    )
    return pair


@transaction.atomic
def pair_delete(*, actor: Actor, pair: PlacementPair) -> None:
    if not actor.coordinates(pair.organisation_id):
        raise NotFound
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=pair,
        organisation=pair.organisation,
        fields=("together",),
        purpose="placement pair removed",
    )
    pair.delete()
