"""Tests for the hard constraints and the table of suitable pairs in
:mod:`spejl.core.formation.feasibility`, and for the objective's single definition."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spejl.core.formation import (
    PARTS_OF_DAY,
    Group,
    Instance,
    Pair,
    Person,
    Weights,
    evaluate,
    suitable,
    suitable_groups,
    travel_km,
)
from spejl.core.formation.feasibility import candidate_table, solver_units

# A point in Copenhagen; offsets below are in km north (1° of latitude ≈ 111.195 km).
LAT, LON = 55.68, 12.57
KM_PER_DEGREE = 6371.0088 * math.pi / 180


def north(km: float) -> float:
    return LAT + km / KM_PER_DEGREE


def person(id: str = "p1", *, km: float = 0.0, **overrides: Any) -> Person:
    """A waitlisted adult in Copenhagen, free Monday evenings, who travels up to 20 km."""
    values: dict[str, Any] = {
        "id": id,
        "lat": north(km),
        "lon": LON,
        "availability": frozenset({(0, "evening")}),
        "max_travel_km": 20.0,
        "targets": frozenset({"adults"}),
        "age": 40,
    }
    values.update(overrides)
    return Person(**values)


def group(id: str = "g1", *, km: float = 0.0, **overrides: Any) -> Group:
    """A recruiting adults' group in Copenhagen on Monday evenings, 4–8 people, empty."""
    values: dict[str, Any] = {
        "id": id,
        "lat": north(km),
        "lon": LON,
        "weekday": 0,
        "part_of_day": "evening",
        "target": "adults",
        "min_size": 4,
        "max_size": 8,
    }
    values.update(overrides)
    return Group(**values)


def test_travel_is_great_circle_rounded_to_a_tenth_of_a_km() -> None:
    assert travel_km(person(km=0), group(km=12.34)) == 12.3
    assert travel_km(person(km=0), group(km=0)) == 0.0


@pytest.mark.parametrize(
    ("person_changes", "group_changes"),
    [
        ({"max_travel_km": 5.0}, {"km": 5.2}),
        ({"availability": frozenset({(1, "evening")})}, {}),
        ({"availability": frozenset({(0, "morning")})}, {}),
        ({"targets": frozenset({"youth"})}, {}),
        ({"age": 30}, {"target": "adults", "age_min": 16, "age_max": 25}),
        ({"age": 17}, {"age_min": 18}),
        ({"language": "en"}, {}),
        ({"needs_step_free": True}, {"step_free": False}),
    ],
)
def test_each_hard_constraint_rules_a_group_out(
    person_changes: dict[str, Any], group_changes: dict[str, Any]
) -> None:
    g_km = group_changes.pop("km", 1.0)
    p, g = person(**person_changes), group(km=g_km, **group_changes)
    assert not suitable(p, g)
    # …and the same pair without the change suits.
    assert suitable(person(), group(km=1.0))


def test_custom_groups_take_any_target_and_unknown_ages_pass_age_bands() -> None:
    assert suitable(person(targets=frozenset({"youth"})), group(target="custom"))
    assert suitable(person(age=None), group(age_min=18, age_max=25))
    assert suitable(person(age=25), group(age_min=18, age_max=25))
    assert suitable(person(needs_step_free=True), group(step_free=True))


def test_the_travel_limit_counts_the_rounded_distance() -> None:
    assert suitable(person(max_travel_km=5.0), group(km=5.04))
    assert not suitable(person(max_travel_km=5.0), group(km=5.06))


def test_a_forbidden_pair_is_not_suitable() -> None:
    assert not suitable(person(), group(), forbids=frozenset({("p1", "g1")}))


def test_suitable_groups_are_nearest_first_with_ties_by_id() -> None:
    instance = Instance(
        people=(person("p1"), person("p2", availability=frozenset({(3, "morning")}))),
        groups=(group("g-far", km=9.0), group("g-b", km=2.0), group("g-a", km=2.0)),
    )
    assert suitable_groups(instance) == {"p1": ("g-a", "g-b", "g-far"), "p2": ()}


def test_suitable_groups_leave_out_forbidden_pairs() -> None:
    instance = Instance(
        people=(person(),),
        groups=(group("g1"), group("g2", km=1)),
        forbids=frozenset({("p1", "g1")}),
    )
    assert suitable_groups(instance) == {"p1": ("g2",)}


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="occurs twice"):
        suitable_groups(Instance(people=(person("p1"), person("p1")), groups=(group(),)))


slots = st.frozensets(
    st.tuples(st.integers(0, 6), st.sampled_from(PARTS_OF_DAY)), min_size=1, max_size=6
)
random_people = st.builds(
    Person,
    id=st.text("abcdef", min_size=1, max_size=3),
    lat=st.floats(54.5, 57.8),
    lon=st.floats(8.0, 15.2),
    availability=slots,
    max_travel_km=st.sampled_from([0.0, 5.0, 20.0, 60.0, 150.0]),
    targets=st.frozensets(st.sampled_from(["adults", "youth"]), max_size=2),
    age=st.none() | st.integers(14, 90),
    language=st.sampled_from(["da", "en"]),
    needs_step_free=st.booleans(),
)
random_groups = st.builds(
    Group,
    id=st.text("uvwxyz", min_size=1, max_size=3),
    lat=st.floats(54.5, 57.8),
    lon=st.floats(8.0, 15.2),
    weekday=st.integers(0, 6),
    part_of_day=st.sampled_from(PARTS_OF_DAY),
    target=st.sampled_from(["adults", "youth", "custom"]),
    min_size=st.just(4),
    max_size=st.just(8),
    age_min=st.none() | st.integers(16, 30),
    age_max=st.none() | st.integers(25, 90),
    language=st.sampled_from(["da", "en"]),
    step_free=st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(
    people=st.lists(random_people, max_size=25, unique_by=lambda p: p.id),
    groups=st.lists(random_groups, max_size=25, unique_by=lambda g: g.id),
    data=st.data(),
)
def test_the_bulk_table_agrees_with_the_pair_by_pair_rule(
    people: list[Person], groups: list[Group], data: st.DataObject
) -> None:
    pairs = [(p.id, g.id) for p in people for g in groups]
    forbids = frozenset(data.draw(st.lists(st.sampled_from(pairs), max_size=5))) if pairs else None
    instance = Instance(people=tuple(people), groups=tuple(groups), forbids=forbids or frozenset())
    table = suitable_groups(instance)
    by_id = {g.id: g for g in groups}
    for p in people:
        expected = sorted(
            (g for g in groups if suitable(p, g, forbids=instance.forbids)),
            key=lambda g: (travel_km(p, g), g.id),
        )
        assert table[p.id] == tuple(g.id for g in expected)
        assert all(suitable(p, by_id[g], forbids=instance.forbids) for g in table[p.id])


def test_the_grid_finds_groups_across_cell_and_band_edges() -> None:
    # A person right at a cell edge and groups just inside their reach in every direction.
    p = person(lat=56.0, lon=10.0, max_travel_km=30.0)
    dlat = 29.9 / KM_PER_DEGREE
    dlon = dlat / math.cos(math.radians(56.0))
    groups = (
        group("n", lat=56.0 + dlat, lon=10.0),
        group("s", lat=56.0 - dlat, lon=10.0),
        group("e", lat=56.0, lon=10.0 + dlon * 0.999),
        group("w", lat=56.0, lon=10.0 - dlon * 0.999),
        group("too-far", lat=56.0 + 30.2 / KM_PER_DEGREE, lon=10.0),
    )
    found = suitable_groups(Instance(people=(p,), groups=groups))["p1"]
    assert set(found) == {"n", "s", "e", "w"}


def test_locks_that_conflict_are_refused_with_a_message() -> None:
    people = (person("a"), person("b"))
    groups = (group("g1", taken=7), group("g2"))

    def units(**kwargs: Any) -> None:
        solver_units(candidate_table(Instance(people=people, groups=groups, **kwargs)))

    with pytest.raises(ValueError, match="locked into two groups"):
        units(locks=frozenset({("a", "g1"), ("a", "g2")}))
    with pytest.raises(ValueError, match="1 free seats"):
        units(locks=frozenset({("a", "g1"), ("b", "g1")}))
    with pytest.raises(ValueError, match="kept apart"):
        units(
            locks=frozenset({("a", "g2"), ("b", "g2")}),
            pairs=(Pair("a", "b", together=False),),
        )
    with pytest.raises(ValueError, match="different groups"):
        units(
            locks=frozenset({("a", "g1"), ("b", "g2")}),
            pairs=(Pair("a", "b", together=True),),
        )
    with pytest.raises(ValueError, match="no such group"):
        units(locks=frozenset({("a", "nope")}))
    with pytest.raises(ValueError, match="forbidden"):
        units(locks=frozenset({("a", "g2")}), forbids=frozenset({("a", "g2")}))


def test_a_lock_on_one_of_a_pair_needs_the_partner_to_fit_too() -> None:
    people = (person("a"), person("b", language="en"))
    instance = Instance(
        people=people,
        groups=(group("g1"),),
        locks=frozenset({("a", "g1")}),
        pairs=(Pair("a", "b", together=True),),
    )
    with pytest.raises(ValueError, match="cannot join it"):
        solver_units(candidate_table(instance))


def test_evaluate_sums_its_terms_and_names_unmet_wishes() -> None:
    weights = Weights()
    anna = person("anna", gender="f", wishes=frozenset({"not_only_gender"}), days_waited=50)
    bo = person("bo", km=3.0, gender="m", age=70, wishes=frozenset({"age_close"}))
    g = group(member_ages=(30, 40), member_genders=("m", "m"), taken=2)
    planned = group("new", planned=True)
    instance = Instance(people=(anna, bo), groups=(g, planned), weights=weights)
    objective, terms, unmet = evaluate(instance, {"anna": "g1", "bo": "g1"})
    assert terms == {
        "placed": 200.0,
        "waiting": pytest.approx(10.0),
        "travel": -3.0,
        "composition": -30.0,
        "open_groups": 0.0,
    }
    assert objective == pytest.approx(sum(terms.values()))
    assert unmet == {"anna": ("not_only_gender",), "bo": ("age_close",)}
    # Anna with another woman is not alone; a planned group that opens costs its weight.
    eva = replace(anna, id="eva")
    instance = Instance(people=(anna, eva), groups=(g, planned), weights=weights)
    _, terms, unmet = evaluate(instance, {"anna": "new", "eva": "new"})
    assert unmet == {}
    assert terms["open_groups"] == -weights.open_group
