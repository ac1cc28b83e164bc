"""The group-formation problem as plain data: who waits, which groups have room, what may
and may not be combined, and how much each good thing is worth.

Pure Python: no Django import. Identifiers are opaque strings (Spejl passes public ids);
no names or contact data ever enter the solver.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

PartOfDay = Literal["morning", "afternoon", "evening"]
PARTS_OF_DAY: tuple[PartOfDay, ...] = ("morning", "afternoon", "evening")
#: Composition wishes a person can have (intake): not be the only one of their gender; be
#: with people of about their age.
WISHES = ("not_only_gender", "age_close")

#: Why someone was left without a place: the binding reason, most specific first.
UnplacedReason = Literal[
    "no_group_in_reach",  # no group within their travel distance (at all)
    "no_group_at_their_times",  # groups within reach, none at a time they can
    "no_group_for_them",  # within reach and at their times, but target/age/language/access
    "forbidden",  # the coordinator forbade every placement that remained
    "all_suitable_full",  # suitable groups exist; every one is full
    "group_below_minimum",  # their suitable group(s) did not reach the minimum to start
    "kept_apart",  # a must-not-be-together pair took the only fitting seat
    "others_preferred",  # seats went to people who waited longer or fit better
]


@dataclass(frozen=True)
class Person:
    """One waitlisted participant as the solver sees them."""

    id: str
    lat: float
    lon: float
    #: (weekday 0 = Monday … 6, part of day) they can come.
    availability: frozenset[tuple[int, PartOfDay]]
    max_travel_km: float
    #: Target groups the intake found them fit for, e.g. {"adults"}.
    targets: frozenset[str]
    age: int | None = None
    language: str = "da"
    needs_step_free: bool = False
    gender: str | None = None
    wishes: frozenset[str] = frozenset()
    days_waited: int = 0
    organisation: str = ""


@dataclass(frozen=True)
class Group:
    """A group that can take people: recruiting, or planned (opens only at ``min_size``)."""

    id: str
    lat: float
    lon: float
    weekday: int
    part_of_day: PartOfDay
    target: str
    min_size: int
    max_size: int
    taken: int = 0
    planned: bool = False
    age_min: int | None = None
    age_max: int | None = None
    language: str = "da"
    step_free: bool = False
    organisation: str = ""
    #: Genders and ages of the people who already hold a seat (for composition wishes).
    member_genders: tuple[str, ...] = ()
    member_ages: tuple[int, ...] = ()

    @property
    def free(self) -> int:
        return max(0, self.max_size - self.taken)


@dataclass(frozen=True)
class Pair:
    """Two people who must be placed together (came together) or never together."""

    a: str
    b: str
    together: bool


@dataclass(frozen=True)
class Weights:
    """The objective's terms (documented defaults; see ``docs/group-formation.md``).

    Maximised: ``placed`` per person placed, plus ``per_day_waited`` per day they waited
    (capped at ``waiting_cap_days``), minus ``per_km`` per kilometre of travel, minus
    ``composition`` for each composition wish not met, minus ``open_group`` for each planned
    group that is opened (a small nudge to fill running groups first).
    """

    placed: float = 100.0
    per_day_waited: float = 0.2
    waiting_cap_days: int = 365
    per_km: float = 1.0
    composition: float = 15.0
    open_group: float = 5.0
    #: Age difference (years) from the group's mean beyond which "age close" is not met.
    age_close_years: int = 10


@dataclass(frozen=True)
class Instance:
    """Everything one proposal is computed from."""

    people: tuple[Person, ...]
    groups: tuple[Group, ...]
    pairs: tuple[Pair, ...] = ()
    #: (person id, group id): the coordinator fixed this placement.
    locks: frozenset[tuple[str, str]] = frozenset()
    #: (person id, group id): the coordinator ruled this placement out.
    forbids: frozenset[tuple[str, str]] = frozenset()
    weights: Weights = field(default_factory=Weights)


@dataclass(frozen=True)
class Placement:
    person_id: str
    group_id: str
    travel_km: float
    days_waited: int
    #: Composition wishes of the person this placement does not meet.
    unmet_wishes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unplaced:
    person_id: str
    reason: UnplacedReason
    #: Groups that would have suited them (hard constraints only), nearest first.
    suitable_group_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Solution:
    """A proposal: placements, the people left unplaced with their reason, the groups to
    open, the objective per term, and how good and how fast the solve was."""

    method: Literal["milp", "greedy"]
    status: str  # "optimal", "time_limit" (best found, with gap), "infeasible", "empty"
    placements: tuple[Placement, ...]
    unplaced: tuple[Unplaced, ...]
    opened_group_ids: tuple[str, ...]
    objective: float
    objective_terms: Mapping[str, float]
    bound: float | None
    gap: float | None  # relative: (bound − objective) / |objective|; 0 when proven optimal
    solve_seconds: float
    solver: str  # e.g. "HiGHS 1.11.0" or "greedy"

    @property
    def placed_count(self) -> int:
        return len(self.placements)

    @property
    def travel_km(self) -> float:
        return sum(p.travel_km for p in self.placements)
