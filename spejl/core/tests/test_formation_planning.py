"""Tests for :func:`suggest_new_groups` and for :func:`instance_hash`."""

from __future__ import annotations

from dataclasses import replace

from spejl.core.formation import (
    SOLVER_VERSION,
    GroupSuggestion,
    Instance,
    Pair,
    Site,
    Weights,
    instance_hash,
    suggest_new_groups,
)
from spejl.core.tests.test_formation_feasibility import LON, group, north, person

TUESDAY_EVENING = frozenset({(1, "evening")})
THURSDAY_MORNING = frozenset({(3, "morning")})


def test_the_site_and_time_that_suit_the_most_people_come_first() -> None:
    # Six people near the north site on Tuesday evenings; four near the south site on
    # Thursday mornings; two who fit nowhere together.
    north_group = [
        person(f"n{k}", km=20.0 + k * 0.1, availability=TUESDAY_EVENING, days_waited=k)
        for k in range(6)
    ]
    south_group = [
        person(f"s{k}", km=-20.0, availability=THURSDAY_MORNING, needs_step_free=k == 0)
        for k in range(4)
    ]
    loners = [
        person("x1", km=80.0, availability=TUESDAY_EVENING),
        person("x2", km=-20.0, availability=TUESDAY_EVENING, language="en"),
    ]
    sites = [
        Site("site-south", north(-21.0), LON, "Syd"),
        Site("site-north", north(21.0), LON, "Nord"),
    ]
    suggestions = suggest_new_groups(north_group + south_group + loners, sites, max_size=5)
    assert suggestions == [
        GroupSuggestion(
            site_id="site-north",
            weekday=1,
            part_of_day="evening",
            target="adults",
            language="da",
            step_free_needed=0,
            person_ids=("n5", "n4", "n3", "n2", "n1"),
            count=6,
        ),
        GroupSuggestion(
            site_id="site-south",
            weekday=3,
            part_of_day="morning",
            target="adults",
            language="da",
            step_free_needed=1,
            person_ids=("s0", "s1", "s2", "s3"),
            count=4,
        ),
    ]


def test_no_suggestion_below_the_minimum_and_none_beyond_the_limit() -> None:
    people = [person(f"p{k}", availability=TUESDAY_EVENING) for k in range(3)]
    sites = [Site("s", north(0), LON)]
    assert suggest_new_groups(people, sites, min_size=4) == []
    people = [person(f"p{k}", availability=TUESDAY_EVENING) for k in range(20)]
    found = suggest_new_groups(people, sites, min_size=4, max_size=6, limit=2)
    assert [len(s.person_ids) for s in found] == [6, 6]
    assert suggest_new_groups([], sites) == []


def test_the_instance_hash_is_stable_and_sensitive() -> None:
    people = (person("a", days_waited=3), person("b"))
    groups = (group("g1"), group("g2", km=2.0))
    instance = Instance(
        people=people,
        groups=groups,
        pairs=(Pair("a", "b", together=True),),
        locks=frozenset({("a", "g1")}),
    )
    digest = instance_hash(instance)
    assert len(digest) == 64
    # The same content in another order hashes the same.
    same = Instance(
        people=people[::-1],
        groups=groups[::-1],
        pairs=(Pair("b", "a", together=True),),
        locks=frozenset({("a", "g1")}),
    )
    assert instance_hash(same) == digest
    # Any change that could change the answer changes the hash.
    changed = [
        replace(instance, people=(replace(people[0], days_waited=4), people[1])),
        replace(instance, groups=(replace(groups[0], taken=1), groups[1])),
        replace(instance, pairs=(Pair("a", "b", together=False),)),
        replace(instance, locks=frozenset()),
        replace(instance, forbids=frozenset({("b", "g2")})),
        replace(instance, weights=Weights(per_km=2.0)),
        replace(instance, people=(people[0], replace(people[1], wishes=frozenset({"age_close"})))),
    ]
    assert len({instance_hash(other) for other in changed} | {digest}) == len(changed) + 1
    assert SOLVER_VERSION == "formation-1"
