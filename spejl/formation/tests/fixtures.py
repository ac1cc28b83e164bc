"""Fixtures for formation tests and the URL walk: a stored proposal and a pair of
organisation A (made directly, without running the solver)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from spejl.formation.models import PlacementPair, Proposal
from spejl.participants.models import Participant
from spejl.testing.participants import participant_a, waiting_participant

if TYPE_CHECKING:
    from spejl.conftest import World


def proposal_a(world: World) -> Proposal:
    existing = Proposal.objects.filter(organisations=world.org_a).first()
    if existing is not None:
        return existing
    proposal = Proposal.objects.create(
        input_hash="0" * 64,
        solver_version="formation-1",
        solver="test",
        solver_status="optimal",
        time_limit=1,
        objective=0,
        solve_seconds=0,
        people_count=0,
        group_count=0,
        baseline={"placed": 0, "travel_km": 0, "objective": 0},
    )
    proposal.organisations.set([world.org_a])
    return proposal


def pair_a(world: World) -> PlacementPair:
    existing = PlacementPair.objects.filter(organisation=world.org_a).first()
    if existing is not None:
        return existing
    first = participant_a(world)
    second: Participant = waiting_participant(world, first_name="Gudrun")
    low, high = sorted((first, second), key=lambda p: p.pk)
    return PlacementPair.objects.create(
        organisation=world.org_a, first=low, second=high, together=True
    )
