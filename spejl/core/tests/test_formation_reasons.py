"""Tests for :func:`unplaced_reasons`: one constructed case for each reason, checked in the
documented order."""

from __future__ import annotations

from spejl.core.formation import Instance, Pair, Unplaced, unplaced_reasons
from spejl.core.tests.test_formation_feasibility import group, person


def reason_for(
    instance: Instance,
    assignment: dict[str, str] | None = None,
    opened: set[str] | None = None,
    who: str = "p1",
) -> Unplaced:
    found = unplaced_reasons(instance, assignment or {}, opened or set())
    return next(u for u in found if u.person_id == who)


def test_no_group_within_travel_distance() -> None:
    # Far away, even though the group would fit in every other way.
    instance = Instance(people=(person(km=30.0),), groups=(group(),))
    assert reason_for(instance).reason == "no_group_in_reach"


def test_groups_in_reach_but_none_at_their_times() -> None:
    instance = Instance(
        people=(person(availability=frozenset({(2, "morning")})),),
        groups=(group(), group("g2", km=40.0, weekday=2, part_of_day="morning")),
    )
    assert reason_for(instance).reason == "no_group_at_their_times"


def test_in_reach_at_their_times_but_not_for_them() -> None:
    instance = Instance(
        people=(person(needs_step_free=True),),
        groups=(group(step_free=False), group("g2", target="youth", step_free=True)),
    )
    assert reason_for(instance).reason == "no_group_for_them"


def test_every_fitting_group_forbidden() -> None:
    instance = Instance(people=(person(),), groups=(group(),), forbids=frozenset({("p1", "g1")}))
    unplaced = reason_for(instance)
    assert unplaced.reason == "forbidden"
    assert unplaced.suitable_group_ids == ()


def test_every_suitable_group_open_and_full() -> None:
    instance = Instance(
        people=(person(), person("p2")),
        groups=(group(taken=7), group("g-full", km=3.0, taken=8)),
    )
    unplaced = reason_for(instance, {"p2": "g1"})
    assert unplaced.reason == "all_suitable_full"
    assert unplaced.suitable_group_ids == ("g1", "g-full")


def test_a_suitable_planned_group_that_did_not_open() -> None:
    instance = Instance(
        people=(person(),),
        groups=(group("new", planned=True), group("g-full", km=2.0, taken=8)),
    )
    assert reason_for(instance).reason == "group_below_minimum"
    # Once it opens (and fills), the reason is no longer the minimum.
    full = Instance(
        people=(person(), *(person(f"q{k}") for k in range(8))),
        groups=instance.groups,
    )
    assignment = {f"q{k}": "new" for k in range(8)}
    assert reason_for(full, assignment, {"new"}).reason == "all_suitable_full"


def test_the_only_free_seat_is_next_to_someone_to_keep_apart_from() -> None:
    instance = Instance(
        people=(person(), person("p2")),
        groups=(group(taken=6), group("g2", km=1.0, taken=8)),
        pairs=(Pair("p1", "p2", together=False),),
    )
    assert reason_for(instance, {"p2": "g1"}).reason == "kept_apart"


def test_a_free_seat_that_went_unused_means_others_were_preferred() -> None:
    instance = Instance(people=(person(), person("p2")), groups=(group(taken=5),))
    assert reason_for(instance, {"p2": "g1"}).reason == "others_preferred"


def test_everyone_placed_gets_no_reason_and_the_rest_are_in_id_order() -> None:
    instance = Instance(
        people=(person("c", km=50.0), person("a"), person("b", km=60.0)), groups=(group(),)
    )
    found = unplaced_reasons(instance, {"a": "g1"}, set())
    assert [u.person_id for u in found] == ["b", "c"]
