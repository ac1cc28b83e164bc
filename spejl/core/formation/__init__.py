"""Group formation: who joins which group, as a mixed-integer program (HiGHS) with a
first-come-first-served baseline, the binding reason for everyone left unplaced, and
suggestions where a new group would help most. Pure Python: no Django import.

See ``docs/group-formation.md`` for the model, the objective's weights and why.
"""

from __future__ import annotations

from dataclasses import dataclass

from spejl.core.formation.feasibility import (
    OBJECTIVE_TERMS,
    evaluate,
    suitable,
    suitable_groups,
    travel_km,
)
from spejl.core.formation.greedy import greedy
from spejl.core.formation.milp import solve
from spejl.core.formation.model import (
    PARTS_OF_DAY,
    WISHES,
    Group,
    Instance,
    Pair,
    PartOfDay,
    Person,
    Placement,
    Solution,
    Unplaced,
    UnplacedReason,
    Weights,
)
from spejl.core.formation.planning import GroupSuggestion, Site, suggest_new_groups
from spejl.core.formation.reasons import unplaced_reasons
from spejl.core.formation.snapshot import SOLVER_VERSION, canonical_json, instance_hash

__all__ = [
    "OBJECTIVE_TERMS",
    "PARTS_OF_DAY",
    "SOLVER_VERSION",
    "WISHES",
    "Comparison",
    "Group",
    "GroupSuggestion",
    "Instance",
    "Pair",
    "PartOfDay",
    "Person",
    "Placement",
    "Site",
    "Solution",
    "Unplaced",
    "UnplacedReason",
    "Weights",
    "canonical_json",
    "compare",
    "evaluate",
    "greedy",
    "instance_hash",
    "solve",
    "suggest_new_groups",
    "suitable",
    "suitable_groups",
    "travel_km",
    "unplaced_reasons",
]


@dataclass(frozen=True)
class Comparison:
    """How a proposal does against a baseline on the same instance (positive = better).

    ``travel_saved_km`` is total travel (baseline − proposal), which placing more people can
    make negative; ``mean_travel_saved_km`` compares the average trip of those placed.
    """

    extra_placed: int
    travel_saved_km: float
    mean_travel_saved_km: float
    extra_days_waited_served: int
    wishes_met_extra: int
    extra_groups_opened: int
    objective_gain: float
    #: Relative objective gain, (proposal − baseline) / |baseline|; None when baseline is 0.
    objective_gain_ratio: float | None


def _mean(total: float, count: int) -> float:
    return total / count if count else 0.0


def compare(proposal: Solution, baseline: Solution) -> Comparison:
    """Compare two solutions of the same instance, e.g. the MILP's proposal and the greedy
    baseline, in terms a coordinator can weigh. Touches no personal data beyond the
    solutions' counts and sums."""

    def unmet(solution: Solution) -> int:
        return sum(len(p.unmet_wishes) for p in solution.placements)

    def days(solution: Solution) -> int:
        return sum(p.days_waited for p in solution.placements)

    return Comparison(
        extra_placed=proposal.placed_count - baseline.placed_count,
        travel_saved_km=round(baseline.travel_km - proposal.travel_km, 1),
        mean_travel_saved_km=round(
            _mean(baseline.travel_km, baseline.placed_count)
            - _mean(proposal.travel_km, proposal.placed_count),
            2,
        ),
        extra_days_waited_served=days(proposal) - days(baseline),
        wishes_met_extra=unmet(baseline) - unmet(proposal),
        extra_groups_opened=len(proposal.opened_group_ids) - len(baseline.opened_group_ids),
        objective_gain=proposal.objective - baseline.objective,
        objective_gain_ratio=(
            (proposal.objective - baseline.objective) / abs(baseline.objective)
            if baseline.objective
            else None
        ),
    )
