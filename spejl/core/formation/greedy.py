"""The busy coordinator's way, as a baseline: first come, first served, nearest group first.

People are taken in order of days waited (longest first, ties by id); each goes to the
nearest suitable group that still has a seat. Locked people go first; people who came together
go together or not at all; people to be kept apart never share a group. Planned groups that
end below their minimum are not opened, and their people are left unplaced (a busy
coordinator does not reshuffle). The MILP is measured against this, and uses it as its
starting solution.

Personal data touched: the solver view of waitlisted people (see
:mod:`spejl.core.formation.feasibility`). Pure Python; no Django import.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Literal

from spejl.core.formation.feasibility import (
    CandidateTable,
    Unit,
    candidate_table,
    evaluate,
    solver_units,
    travel_km,
)
from spejl.core.formation.model import Instance, Placement, Solution
from spejl.core.formation.reasons import unplaced_reasons

__all__ = ["greedy", "greedy_assignment", "solution_from_assignment"]


def greedy_assignment(table: CandidateTable, units: list[Unit]) -> dict[int, int]:
    """The baseline's placements as person index → group index (see the module doc).

    ``units`` come from :func:`~spejl.core.formation.feasibility.solver_units` (waiting
    order); a subset of them may be passed, e.g. one component of the MILP.
    """
    groups = table.instance.groups
    seats = [g.free for g in groups]
    members_in: dict[int, set[int]] = {}
    locked_groups: set[int] = set()
    placed: dict[int, int] = {}

    def place(unit: Unit, j: int) -> None:
        seats[j] -= unit.size
        members_in.setdefault(j, set()).update(unit.members)
        for i in unit.members:
            placed[i] = j

    for unit in units:
        if unit.locked is not None:
            place(unit, unit.locked)
            locked_groups.add(unit.locked)
    for unit in units:
        if unit.locked is not None:
            continue
        # Candidates come nearest first (least total travel for the unit, ties by group id).
        for j in unit.candidates:
            if seats[j] < unit.size:
                continue
            if unit.apart and unit.apart & members_in.get(j, set()):
                continue
            place(unit, j)
            break

    count: dict[int, int] = {}
    for j in placed.values():
        count[j] = count.get(j, 0) + 1
    closed = {
        j
        for j, n in count.items()
        if groups[j].planned and j not in locked_groups and groups[j].taken + n < groups[j].min_size
    }
    return {i: j for i, j in placed.items() if j not in closed}


def solution_from_assignment(
    instance: Instance,
    table: CandidateTable,
    assignment: Mapping[str, str],
    *,
    method: Literal["milp", "greedy"],
    status: str,
    bound: float | None,
    started: float,
    solver: str,
    evaluated: tuple[float, dict[str, float], dict[str, tuple[str, ...]]] | None = None,
) -> Solution:
    """Wrap placements (person id → group id) as a :class:`Solution`: the objective and its
    terms by :func:`~spejl.core.formation.feasibility.evaluate`, each unplaced person's reason,
    the planned groups that open, and — when a ``bound`` is known — the relative gap.
    ``started`` is the :func:`time.perf_counter` reading when the solve began; ``evaluated``
    may pass ``evaluate(instance, assignment)`` if already computed."""
    objective, terms, unmet = evaluated or evaluate(instance, assignment)
    people = {p.id: p for p in instance.people}
    groups = {g.id: g for g in instance.groups}
    placements = tuple(
        Placement(
            person_id=person_id,
            group_id=group_id,
            travel_km=travel_km(people[person_id], groups[group_id]),
            days_waited=people[person_id].days_waited,
            unmet_wishes=unmet.get(person_id, ()),
        )
        for person_id, group_id in sorted(assignment.items())
    )
    opened = sorted({g for g in assignment.values() if groups[g].planned})
    gap: float | None = None
    if bound is not None:
        # A proven bound can sit a rounding error below the objective it proves.
        bound = max(bound, objective)
        gap = (bound - objective) / max(abs(objective), 1e-9)
    return Solution(
        method=method,
        status=status,
        placements=placements,
        unplaced=unplaced_reasons(instance, assignment, set(opened), table=table),
        opened_group_ids=tuple(opened),
        objective=objective,
        objective_terms=terms,
        bound=bound,
        gap=gap,
        solve_seconds=time.perf_counter() - started,
        solver=solver,
    )


def greedy(instance: Instance) -> Solution:
    """The first-come-first-served baseline (method ``"greedy"``, status ``"heuristic"``, no
    bound or gap). Raises :class:`ValueError` when the locks and pairs conflict."""
    started = time.perf_counter()
    table = candidate_table(instance)
    placed = greedy_assignment(table, solver_units(table))
    people, groups = instance.people, instance.groups
    assignment = {people[i].id: groups[j].id for i, j in placed.items()}
    return solution_from_assignment(
        instance,
        table,
        assignment,
        method="greedy",
        status="heuristic",
        bound=None,
        started=started,
        solver="greedy",
    )
