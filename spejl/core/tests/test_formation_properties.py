"""Properties of :func:`solve` and :func:`greedy` on random small instances: every rule holds,
every person is accounted for, and the MILP's answer is the true optimum (checked against
trying every assignment)."""

from __future__ import annotations

import itertools
from collections import Counter
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spejl.core.formation import (
    Group,
    Instance,
    Pair,
    Person,
    Solution,
    Weights,
    evaluate,
    greedy,
    milp,
    solve,
    suitable,
)
from spejl.core.tests.test_formation_feasibility import LON, north

MONDAY, TUESDAY = (0, "evening"), (1, "evening")
AVAILABILITY = [
    frozenset({MONDAY}),
    frozenset({TUESDAY}),
    frozenset({MONDAY, TUESDAY}),
    frozenset({MONDAY, TUESDAY}),
]


@st.composite
def instances(draw: st.DrawFn, max_people: int = 6, max_groups: int = 3) -> Instance:
    n_groups = draw(st.integers(1, max_groups))
    groups = []
    for k in range(n_groups):
        max_size = draw(st.integers(1, 3))
        planned = draw(st.booleans())
        taken = 0 if planned else draw(st.sampled_from([0, 0, max_size - 1, max_size]))
        groups.append(
            Group(
                id=f"g{k}",
                lat=north(draw(st.floats(0, 4))),
                lon=LON,
                weekday=draw(st.sampled_from([0, 1])),
                part_of_day="evening",
                target=draw(st.sampled_from(["adults", "adults", "adults", "custom", "youth"])),
                min_size=draw(st.integers(1, max_size + 1)),
                max_size=max_size,
                taken=taken,
                planned=planned,
                member_genders=tuple(draw(st.sampled_from("fm")) for _ in range(taken)),
                member_ages=tuple(draw(st.integers(20, 80)) for _ in range(taken)),
            )
        )
    n_people = draw(st.integers(1, max_people))
    people = [
        Person(
            id=f"p{k}",
            lat=north(draw(st.floats(0, 4))),
            lon=LON,
            availability=draw(st.sampled_from(AVAILABILITY)),
            max_travel_km=draw(st.sampled_from([2.0, 6.0, 15.0, 15.0])),
            targets=frozenset({"adults"}),
            age=draw(st.integers(20, 80)),
            gender=draw(st.sampled_from(["f", "m", None])),
            wishes=frozenset(draw(st.sets(st.sampled_from(["not_only_gender", "age_close"])))),
            days_waited=draw(st.integers(0, 400)),
        )
        for k in range(n_people)
    ]
    ids = [p.id for p in people]
    pairs: list[Pair] = []
    if n_people >= 2:
        for _ in range(draw(st.integers(0, 2))):
            a, b = draw(st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True))
            pairs.append(Pair(a, b, together=draw(st.booleans())))
    all_pairs = [(p, g.id) for p in ids for g in groups]
    # A lock in one instance of five: locks fix so much that they would crowd out the rest.
    with_lock = draw(st.integers(0, 4)) == 0
    locks = frozenset([draw(st.sampled_from(all_pairs))] if with_lock else [])
    forbids = frozenset(draw(st.lists(st.sampled_from(all_pairs), max_size=2)))
    weights = draw(
        st.sampled_from([Weights(), Weights(per_km=12.0), Weights(composition=60.0, open_group=0)])
    )
    return Instance(
        people=tuple(people),
        groups=tuple(groups),
        pairs=tuple(pairs),
        locks=locks,
        forbids=forbids,
        weights=weights,
    )


def feasible(instance: Instance, assignment: dict[str, str]) -> bool:
    """Every rule, checked directly from the instance (independently of the solver)."""
    people = {p.id: p for p in instance.people}
    groups = {g.id: g for g in instance.groups}
    locks = dict(instance.locks)
    if len(locks) != len(instance.locks):
        return False
    for person_id, group_id in locks.items():
        if assignment.get(person_id) != group_id:
            return False
    for person_id, group_id in assignment.items():
        if locks.get(person_id) != group_id and not suitable(
            people[person_id], groups[group_id], forbids=instance.forbids
        ):
            return False
        if (person_id, group_id) in instance.forbids:
            return False
    count = Counter(assignment.values())
    for group_id, n in count.items():
        g = groups[group_id]
        if g.taken + n > g.max_size:
            return False
        locked_in = any(locks.get(p) == group_id for p in assignment)
        if g.planned and not locked_in and g.taken + n < g.min_size:
            return False
    for pair in instance.pairs:
        a, b = assignment.get(pair.a), assignment.get(pair.b)
        if pair.together and a != b:
            return False
        if not pair.together and a is not None and a == b:
            return False
    return True


def best_by_brute_force(instance: Instance) -> float | None:
    ids = [p.id for p in instance.people]
    options: list[str | None] = [None, *(g.id for g in instance.groups)]
    best: float | None = None
    for choice in itertools.product(options, repeat=len(ids)):
        assignment = {p: g for p, g in zip(ids, choice, strict=True) if g is not None}
        if feasible(instance, assignment):
            value = evaluate(instance, assignment)[0]
            best = value if best is None else max(best, value)
    return best


def check_rules(instance: Instance, solution: Solution) -> None:
    assignment = {p.person_id: p.group_id for p in solution.placements}
    assert feasible(instance, assignment)
    # Everyone is either placed or has exactly one reason.
    unplaced = [u.person_id for u in solution.unplaced]
    assert len(unplaced) == len(set(unplaced))
    assert set(unplaced).isdisjoint(assignment)
    assert set(unplaced) | set(assignment) == {p.id for p in instance.people}
    assert sum(solution.objective_terms.values()) == pytest.approx(solution.objective)
    assert solution.objective == pytest.approx(evaluate(instance, assignment)[0])
    assert set(solution.opened_group_ids) == {
        g.id for g in instance.groups if g.planned and g.id in assignment.values()
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instance=instances())
def test_the_milp_finds_the_true_optimum_and_keeps_every_rule(instance: Instance) -> None:
    best = best_by_brute_force(instance)
    if best is None:
        # No assignment honours the locks and pairs: both methods say so.
        with pytest.raises(ValueError):
            solve(instance, time_limit=5)
        with pytest.raises(ValueError):
            greedy(instance)
        return
    proposal = solve(instance, time_limit=5)
    assert proposal.status in {"optimal", "empty"}
    assert proposal.objective == pytest.approx(best, abs=1e-6)
    assert proposal.bound is not None
    assert proposal.bound >= proposal.objective - 1e-6
    check_rules(instance, proposal)
    baseline = greedy(instance)
    check_rules(instance, baseline)
    assert proposal.objective >= baseline.objective - 1e-6
    assert baseline.status == "heuristic"
    assert baseline.gap is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instance=instances(max_people=12, max_groups=5))
def test_the_same_input_gives_the_same_answer_in_any_order(instance: Instance) -> None:
    try:
        first = solve(instance, time_limit=5)
    except ValueError:
        return
    check_rules(instance, first)
    again = solve(instance, time_limit=5)
    shuffled = Instance(
        people=tuple(reversed(instance.people)),
        groups=tuple(reversed(instance.groups)),
        pairs=instance.pairs,
        locks=instance.locks,
        forbids=instance.forbids,
        weights=instance.weights,
    )
    reordered = solve(shuffled, time_limit=5)
    assert again.placements == first.placements
    assert again.unplaced == first.unplaced
    assert reordered.objective == pytest.approx(first.objective)
    assert greedy(instance).placements == greedy(shuffled).placements


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instance=instances(), pruned=st.integers(1, 2), region=st.integers(1, 4))
def test_thinned_and_cut_components_keep_every_rule_and_an_honest_bound(
    instance: Instance, pruned: int, region: int
) -> None:
    # The large-instance path (LP relaxation, restricted MIP, thinning to each person's best
    # few groups, cutting into regions, the bound from LP duals) on instances small enough
    # to know the optimum: the bound must never fall below it.
    best = best_by_brute_force(instance)
    if best is None:
        return
    with (
        mock.patch.object(milp, "RESTRICTED_COLUMNS", 1),
        mock.patch.object(milp, "MAX_COMPONENT_COLUMNS", region),
        mock.patch.object(milp, "PRUNED_CANDIDATES", pruned),
    ):
        proposal = solve(instance, time_limit=5)
    check_rules(instance, proposal)
    assert proposal.objective <= best + 1e-6
    assert proposal.bound is not None
    assert proposal.bound >= best - 1e-6
    assert proposal.objective >= greedy(instance).objective - 1e-6
