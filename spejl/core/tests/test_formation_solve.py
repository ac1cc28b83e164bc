"""Hand-made instances with a known best answer, for the MILP (:func:`solve`) and the
first-come-first-served baseline (:func:`greedy`)."""

from __future__ import annotations

import pytest

from spejl.core.formation import (
    Comparison,
    Instance,
    Pair,
    Solution,
    Weights,
    compare,
    greedy,
    solve,
)
from spejl.core.tests.test_formation_feasibility import group, person


def placed(solution: Solution) -> dict[str, str]:
    return {p.person_id: p.group_id for p in solution.placements}


def reasons(solution: Solution) -> dict[str, str]:
    return {u.person_id: u.reason for u in solution.unplaced}


def test_with_one_seat_the_person_who_waited_longer_gets_it() -> None:
    instance = Instance(
        people=(person("newcomer", days_waited=10), person("waited", days_waited=100)),
        groups=(group(taken=7),),
    )
    for solution in (solve(instance, time_limit=5), greedy(instance)):
        assert placed(solution) == {"waited": "g1"}
        assert reasons(solution) == {"newcomer": "all_suitable_full"}
    proposal = solve(instance, time_limit=5)
    assert proposal.status == "optimal"
    assert proposal.gap == 0.0
    assert proposal.solver.startswith("HiGHS ")
    assert proposal.objective == pytest.approx(100 + 0.2 * 100)


def test_a_planned_group_without_enough_candidates_stays_closed() -> None:
    people = tuple(person(f"p{k}") for k in range(3))
    instance = Instance(people=people, groups=(group("new", planned=True),))
    solution = solve(instance, time_limit=5)
    assert solution.placements == ()
    assert solution.opened_group_ids == ()
    assert set(reasons(solution).values()) == {"group_below_minimum"}
    assert all(u.suitable_group_ids == ("new",) for u in solution.unplaced)
    # A fourth candidate lets it open, at the cost of the opening weight.
    instance = Instance(people=(*people, person("p3")), groups=instance.groups)
    solution = solve(instance, time_limit=5)
    assert solution.opened_group_ids == ("new",)
    assert solution.placed_count == 4
    assert solution.objective_terms["open_groups"] == -Weights().open_group


def test_travel_is_shared_out_better_than_nearest_first() -> None:
    # Bo waited longer and takes the nearest seat first under greedy, sending Anna 30 km away;
    # the MILP gives each a seat a few km away.
    anna = person("anna", km=0.0, days_waited=10, max_travel_km=40.0)
    bo = person("bo", km=2.0, days_waited=20)
    near_anna = group("g-near", km=1.0, taken=7)
    near_bo = group("g-bo", km=5.0, taken=7)
    far = group("g-far", km=-29.0, taken=7)
    instance = Instance(
        people=(anna, bo),
        groups=(near_anna, far, near_bo),
        forbids=frozenset({("bo", "g-far"), ("anna", "g-bo")}),
    )
    baseline = greedy(instance)
    proposal = solve(instance, time_limit=5)
    assert placed(baseline) == {"bo": "g-near", "anna": "g-far"}
    assert placed(proposal) == {"anna": "g-near", "bo": "g-bo"}
    comparison = compare(proposal, baseline)
    assert isinstance(comparison, Comparison)
    assert comparison.extra_placed == 0
    assert comparison.travel_saved_km == pytest.approx(30.0 - 4.0)
    assert comparison.objective_gain > 0


def test_a_gender_wish_outweighs_a_short_extra_trip() -> None:
    anna = person("anna", gender="f", wishes=frozenset({"not_only_gender"}))
    only_men = group("g-men", km=1.0, taken=3, member_genders=("m", "m", "m"))
    with_a_woman = group("g-mixed", km=3.0, taken=3, member_genders=("m", "f", "m"))
    instance = Instance(people=(anna,), groups=(only_men, with_a_woman))
    proposal = solve(instance, time_limit=5)
    assert placed(proposal) == {"anna": "g-mixed"}
    assert proposal.placements[0].unmet_wishes == ()
    baseline = greedy(instance)
    assert placed(baseline) == {"anna": "g-men"}
    assert baseline.placements[0].unmet_wishes == ("not_only_gender",)
    # Without the wish, the nearer group wins.
    instance = Instance(people=(person("anna", gender="f"),), groups=instance.groups)
    assert placed(solve(instance, time_limit=5)) == {"anna": "g-men"}


def test_two_women_with_the_wish_are_placed_together() -> None:
    # Each alone would be the only woman; together neither is.
    people = tuple(
        person(f"w{k}", km=k * 0.1, gender="f", wishes=frozenset({"not_only_gender"}))
        for k in range(2)
    )
    groups = (
        group("g-a", km=0.0, taken=3, max_size=4, member_genders=("m", "m", "m")),
        group("g-b", km=1.0, taken=2, max_size=4, member_genders=("m", "m")),
    )
    proposal = solve(Instance(people=people, groups=groups), time_limit=5)
    assert placed(proposal) == {"w0": "g-b", "w1": "g-b"}
    assert proposal.objective_terms["composition"] == 0.0


def test_an_age_wish_moves_someone_to_a_group_of_their_age() -> None:
    elder = person("elder", age=70, wishes=frozenset({"age_close"}))
    young = group("g-young", km=1.0, taken=2, member_ages=(25, 30))
    old = group("g-old", km=5.0, taken=2, member_ages=(65, 72))
    proposal = solve(Instance(people=(elder,), groups=(young, old)), time_limit=5)
    assert placed(proposal) == {"elder": "g-old"}


def test_people_who_came_together_are_placed_together_or_not_at_all() -> None:
    a, b = person("a"), person("b")
    one_seat = group("g-one", km=1.0, taken=7)
    two_seats = group("g-two", km=8.0, taken=6)
    pair = (Pair("a", "b", together=True),)
    for solve_it in (lambda i: solve(i, time_limit=5), greedy):
        solution = solve_it(Instance(people=(a, b), groups=(one_seat, two_seats), pairs=pair))
        assert placed(solution) == {"a": "g-two", "b": "g-two"}
        solution = solve_it(Instance(people=(a, b), groups=(one_seat,), pairs=pair))
        assert placed(solution) == {}
        assert set(reasons(solution)) == {"a", "b"}


def test_people_to_keep_apart_never_share_a_group() -> None:
    a, b = person("a", days_waited=5), person("b")
    instance = Instance(
        people=(a, b), groups=(group("g1", taken=6),), pairs=(Pair("a", "b", together=False),)
    )
    for solution in (solve(instance, time_limit=5), greedy(instance)):
        assert placed(solution) == {"a": "g1"}
        assert reasons(solution) == {"b": "kept_apart"}


def test_a_lock_is_honoured_even_where_the_rules_would_say_no() -> None:
    far_away = person("far", km=-100.0)
    instance = Instance(
        people=(far_away, person("near")),
        groups=(group(),),
        locks=frozenset({("far", "g1")}),
    )
    for solution in (solve(instance, time_limit=5), greedy(instance)):
        assert placed(solution) == {"far": "g1", "near": "g1"}
        assert solution.placements[0].travel_km == 100.0


def test_a_lock_opens_a_planned_group_below_its_minimum() -> None:
    instance = Instance(
        people=(person("a"),), groups=(group("new", planned=True),), locks=frozenset({("a", "new")})
    )
    for solution in (solve(instance, time_limit=5), greedy(instance)):
        assert placed(solution) == {"a": "new"}
        assert solution.opened_group_ids == ("new",)


def test_conflicting_locks_raise_a_clear_error() -> None:
    instance = Instance(
        people=(person("a"), person("b")),
        groups=(group(taken=7),),
        locks=frozenset({("a", "g1"), ("b", "g1")}),
    )
    with pytest.raises(ValueError, match="free seats"):
        solve(instance)
    with pytest.raises(ValueError, match="free seats"):
        greedy(instance)


def test_the_milp_opens_a_recruiting_group_where_greedy_strands_people_in_a_planned_one() -> None:
    people = tuple(person(f"p{k}", days_waited=k) for k in range(3))
    instance = Instance(
        people=people,
        groups=(group("new", km=1.0, planned=True), group("running", km=6.0, taken=2)),
    )
    baseline = greedy(instance)
    assert placed(baseline) == {}
    assert set(reasons(baseline).values()) == {"group_below_minimum"}
    proposal = solve(instance, time_limit=5)
    assert placed(proposal) == {f"p{k}": "running" for k in range(3)}
    assert compare(proposal, baseline).extra_placed == 3


def test_nobody_with_a_group_in_reach_gives_an_empty_proposal() -> None:
    instance = Instance(people=(person(km=-90.0),), groups=(group(),))
    solution = solve(instance)
    assert solution.status == "empty"
    assert solution.objective == 0.0
    assert reasons(solution) == {"p1": "no_group_in_reach"}


def test_the_objective_terms_add_up_and_match_the_solver() -> None:
    people = tuple(
        person(f"p{k}", km=k, days_waited=30 * k, gender="fm"[k % 2], wishes=frozenset())
        for k in range(6)
    )
    groups = (group("g1", km=2.0, taken=5), group("g2", km=4.0, planned=True))
    solution = solve(Instance(people=people, groups=groups), time_limit=5)
    assert sum(solution.objective_terms.values()) == pytest.approx(solution.objective)
    assert solution.bound is not None
    assert solution.bound >= solution.objective
    assert solution.gap is not None
    assert solution.gap <= 1e-4


def test_seats_and_minimums_hold_when_people_have_more_than_one_option() -> None:
    # Two groups in one component, so HiGHS decides: one seat near, a planned group that
    # three candidates cannot open.
    people = tuple(person(f"p{k}", days_waited=10 * k) for k in range(3))
    groups = (group("near", km=1.0, taken=7), group("new", km=3.0, planned=True))
    proposal = solve(Instance(people=people, groups=groups), time_limit=5)
    assert placed(proposal) == {"p2": "near"}
    assert proposal.opened_group_ids == ()
    assert set(reasons(proposal).values()) == {"group_below_minimum"}
    # With a fourth candidate the planned group can open, but only if all four join it:
    # the near seat stays free rather than leave the new group one short.
    people = (*people, person("p3", days_waited=1))
    proposal = solve(Instance(people=people, groups=groups), time_limit=5)
    assert placed(proposal) == {p.id: "new" for p in people}
    assert proposal.opened_group_ids == ("new",)
