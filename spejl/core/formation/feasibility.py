"""What a placement may be, and what it is worth.

The hard constraints (travel distance, times, target group, age band, language, step-free
access, the coordinator's forbids), the table of every suitable person–group pair that the
solver and the baseline both start from, the coordinator's locks and pairs as solver units,
and :func:`evaluate`, the one definition of the objective that the MILP, the greedy baseline
and every report use.

Personal data touched: the waitlisted person's coordinates, availability, travel distance,
target groups, age, language, access needs, gender, composition wishes and days waited — all
as the opaque :class:`~spejl.core.formation.model.Person` the caller built; no names or
contact data. Pure Python and numpy; no Django import.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from spejl.core.formation.model import (
    PARTS_OF_DAY,
    WISHES,
    Group,
    Instance,
    Person,
    Weights,
)
from spejl.core.geo import EARTH_RADIUS_KM, Point, haversine_km

__all__ = [
    "OBJECTIVE_TERMS",
    "CandidateTable",
    "Candidates",
    "Unit",
    "age_close_met",
    "age_reference",
    "age_term",
    "candidate_table",
    "evaluate",
    "gender_alone",
    "haversine_matrix_km",
    "pair_terms",
    "person_terms",
    "solver_units",
    "suitable",
    "suitable_groups",
    "travel_km",
    "travel_term",
]

#: The objective's terms, in the order reports show them.
OBJECTIVE_TERMS = ("placed", "waiting", "travel", "composition", "open_groups")

_KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180.0
# People are bucketed in cells of this many degrees; each cell is matched against the groups
# in a band around it, so the work is (people × groups near them), not people × all groups.
_CELL_DEGREES = 0.1
_SLOT = {part: index for index, part in enumerate(PARTS_OF_DAY)}
_SLOTS = 7 * len(PARTS_OF_DAY)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


# --- hard constraints, one pair at a time ------------------------------------------------


def travel_km(person: Person, group: Group) -> float:
    """The great-circle distance from the person's home point to the group's venue, in km
    rounded to 0.1 km (the precision every comparison and report uses)."""
    return round(haversine_km(Point(person.lat, person.lon), Point(group.lat, group.lon)), 1)


def _eligible(person: Person, group: Group) -> bool:
    if group.target != "custom" and group.target not in person.targets:
        return False
    if person.age is not None:
        if group.age_min is not None and person.age < group.age_min:
            return False
        if group.age_max is not None and person.age > group.age_max:
            return False
    return True


def suitable(
    person: Person, group: Group, *, forbids: frozenset[tuple[str, str]] = frozenset()
) -> bool:
    """Whether ``group`` meets every hard constraint for ``person``: within their travel
    distance, at a time they can, a target (and age band) they fit, their language, step-free
    if they need it, and not forbidden by the coordinator."""
    return (
        travel_km(person, group) <= person.max_travel_km
        and (group.weekday, group.part_of_day) in person.availability
        and _eligible(person, group)
        and group.language == person.language
        and (group.step_free or not person.needs_step_free)
        and (person.id, group.id) not in forbids
    )


# --- every suitable pair at once ---------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CandidateTable:
    """Every suitable (person, group) pair of an instance, nearest first per person.

    Person ``i`` is ``instance.people[i]``, group ``j`` is ``instance.groups[j]``. Person
    ``i``'s suitable groups are ``group[start[i]:start[i + 1]]`` with travel ``km[...]``,
    nearest first, ties by group id. ``in_reach``, ``at_times`` and ``fits`` say, per person,
    whether any group passes the travel test; travel and times; travel, times and eligibility
    (target, age, language, access) — forbids aside. They feed the reasons for the unplaced.
    """

    instance: Instance
    person_index: Mapping[str, int]
    group_index: Mapping[str, int]
    start: IntArray
    group: IntArray
    km: FloatArray
    in_reach: BoolArray
    at_times: BoolArray
    fits: BoolArray

    def groups_of(self, i: int) -> tuple[IntArray, FloatArray]:
        """Person ``i``'s suitable group indices and their travel, nearest first."""
        lo, hi = int(self.start[i]), int(self.start[i + 1])
        return self.group[lo:hi], self.km[lo:hi]

    @property
    def pair_count(self) -> int:
        return int(self.group.size)


def _index(ids: Sequence[str], what: str) -> dict[str, int]:
    index: dict[str, int] = {}
    for position, identifier in enumerate(ids):
        if identifier in index:
            raise ValueError(f"{what} id {identifier!r} occurs twice")
        index[identifier] = position
    return index


def haversine_matrix_km(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """Great-circle km from every point (lat1, lon1) (rows) to every point (lat2, lon2)
    (columns), in degrees; the same formula as :func:`spejl.core.geo.haversine_km`."""
    p1, p2 = np.radians(lat1)[:, None], np.radians(lat2)[None, :]
    dlat = p2 - p1
    dlon = np.radians(lon2)[None, :] - np.radians(lon1)[:, None]
    h = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    result: FloatArray = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return result


def candidate_table(instance: Instance) -> CandidateTable:
    """Find every suitable pair of ``instance`` without looking at every pair.

    People are bucketed in small latitude/longitude cells; each cell is compared only with the
    groups in the latitude band and longitude window its largest travel distance can reach
    (exact spherical bounds, so no pair within reach is missed). Within a cell the tests run
    as numpy matrices. Travel is rounded exactly as :func:`travel_km` rounds it: the rare
    distance within a hair of a rounding tie is recomputed by :func:`travel_km` itself, so the
    table and :func:`suitable` never disagree.
    """
    people, groups = instance.people, instance.groups
    person_index = _index([p.id for p in people], "person")
    group_index = _index([g.id for g in groups], "group")
    n_people, n_groups = len(people), len(groups)
    in_reach = np.zeros(n_people, dtype=np.bool_)
    at_times = np.zeros(n_people, dtype=np.bool_)
    fits = np.zeros(n_people, dtype=np.bool_)
    empty_int = np.zeros(0, dtype=np.int64)
    if n_people == 0 or n_groups == 0:
        return CandidateTable(
            instance,
            person_index,
            group_index,
            np.zeros(n_people + 1, dtype=np.int64),
            empty_int,
            np.zeros(0, dtype=np.float64),
            in_reach,
            at_times,
            fits,
        )

    plat = np.array([p.lat for p in people], dtype=np.float64)
    plon = np.array([p.lon for p in people], dtype=np.float64)
    pmax = np.array([p.max_travel_km for p in people], dtype=np.float64)
    glat = np.array([g.lat for g in groups], dtype=np.float64)
    glon = np.array([g.lon for g in groups], dtype=np.float64)

    # Attributes as small integer codes, so a cell's tests are matrix lookups.
    avail = np.zeros((n_people, _SLOTS), dtype=np.bool_)
    for i, p in enumerate(people):
        for weekday, part in p.availability:
            if 0 <= weekday < 7 and part in _SLOT:
                avail[i, weekday * len(PARTS_OF_DAY) + _SLOT[part]] = True
    gslot = np.array(
        [g.weekday * len(PARTS_OF_DAY) + _SLOT.get(g.part_of_day, 0) for g in groups],
        dtype=np.int64,
    )
    gslot_ok = np.array(
        [0 <= g.weekday < 7 and g.part_of_day in _SLOT for g in groups], dtype=np.bool_
    )
    gslot = np.where(gslot_ok, gslot, 0)
    targets = sorted({t for p in people for t in p.targets} | {g.target for g in groups})
    target_code = {t: k for k, t in enumerate(targets)}
    ptarget = np.zeros((n_people, len(targets)), dtype=np.bool_)
    for i, p in enumerate(people):
        for t in p.targets:
            ptarget[i, target_code[t]] = True
    gtarget = np.array([target_code[g.target] for g in groups], dtype=np.int64)
    gcustom = np.array([g.target == "custom" for g in groups], dtype=np.bool_)
    languages = sorted({p.language for p in people} | {g.language for g in groups})
    language_code = {lang: k for k, lang in enumerate(languages)}
    plang = np.array([language_code[p.language] for p in people], dtype=np.int64)
    glang = np.array([language_code[g.language] for g in groups], dtype=np.int64)
    pstep = np.array([p.needs_step_free for p in people], dtype=np.bool_)
    gstep = np.array([g.step_free for g in groups], dtype=np.bool_)
    nan = math.nan
    page = np.array([nan if p.age is None else p.age for p in people], dtype=np.float64)
    gmin = np.array([nan if g.age_min is None else g.age_min for g in groups], dtype=np.float64)
    gmax = np.array([nan if g.age_max is None else g.age_max for g in groups], dtype=np.float64)
    # Ties in distance go to the smaller group id.
    grank = np.empty(n_groups, dtype=np.int64)
    grank[np.array(sorted(range(n_groups), key=lambda j: groups[j].id), dtype=np.int64)] = (
        np.arange(n_groups, dtype=np.int64)
    )

    by_lat = np.argsort(glat, kind="stable")
    glat_sorted = glat[by_lat]

    cell_keys = np.floor(plat / _CELL_DEGREES).astype(np.int64) * 100_000 + np.floor(
        plon / _CELL_DEGREES
    ).astype(np.int64)
    order = np.argsort(cell_keys, kind="stable")
    boundaries = np.flatnonzero(np.diff(cell_keys[order])) + 1
    out_person: list[IntArray] = []
    out_group: list[IntArray] = []
    out_km: list[FloatArray] = []
    for rows in np.split(order, boundaries):
        # +0.05 km: a distance that rounds down to the limit still counts as within it.
        reach = float(pmax[rows].max()) + 0.05 + 1e-9
        if reach < 0:
            continue
        rlat, rlon = plat[rows], plon[rows]
        dlat = reach / _KM_PER_DEGREE + 1e-9
        lat_lo, lat_hi = float(rlat.min()) - dlat, float(rlat.max()) + dlat
        lo = int(np.searchsorted(glat_sorted, lat_lo, side="left"))
        hi = int(np.searchsorted(glat_sorted, lat_hi, side="right"))
        cols = by_lat[lo:hi]
        if cols.size == 0:
            continue
        # sin(d/2R) >= cos(lat_max)·sin(dlon/2) on the sphere, so this window is exact.
        cos_max = math.cos(math.radians(min(90.0, max(abs(lat_lo), abs(lat_hi)))))
        ratio = math.sin(reach / (2 * EARTH_RADIUS_KM)) / cos_max if cos_max > 0 else 2.0
        if ratio < 1.0:
            half_window = math.degrees(2 * math.asin(ratio)) + 1e-9
            centre = (float(rlon.min()) + float(rlon.max())) / 2
            spread = (float(rlon.max()) - float(rlon.min())) / 2
            offset = np.abs(np.mod(glon[cols] - centre + 180.0, 360.0) - 180.0)
            cols = cols[offset <= half_window + spread]
            if cols.size == 0:
                continue
        dist = haversine_matrix_km(rlat, rlon, glat[cols], glon[cols])
        tenths = dist * 10.0
        rounded = np.round(tenths) / 10.0
        near_tie = np.abs(tenths - np.floor(tenths) - 0.5) < 1e-6
        if near_tie.any():
            for r, c in zip(*np.nonzero(near_tie), strict=True):
                rounded[r, c] = travel_km(people[int(rows[r])], groups[int(cols[c])])
        ok = rounded <= pmax[rows][:, None]
        in_reach[rows] = ok.any(axis=1)
        ok &= gslot_ok[cols][None, :] & avail[rows][:, gslot[cols]]
        at_times[rows] = ok.any(axis=1)
        ok &= gcustom[cols][None, :] | ptarget[rows][:, gtarget[cols]]
        ok &= plang[rows][:, None] == glang[cols][None, :]
        ok &= gstep[cols][None, :] | ~pstep[rows][:, None]
        age = page[rows][:, None]
        ok &= ~(age < gmin[cols][None, :]) & ~(age > gmax[cols][None, :])
        fits[rows] = ok.any(axis=1)
        r_idx, c_idx = np.nonzero(ok)
        out_person.append(rows[r_idx].astype(np.int64))
        out_group.append(cols[c_idx].astype(np.int64))
        out_km.append(rounded[r_idx, c_idx])

    if out_person:
        pi = np.concatenate(out_person)
        gj = np.concatenate(out_group)
        km = np.concatenate(out_km)
    else:
        pi, gj, km = empty_int, empty_int, np.zeros(0, dtype=np.float64)
    if instance.forbids and pi.size:
        codes = pi * n_groups + gj
        forbidden = np.array(
            [
                person_index[p] * n_groups + group_index[g]
                for p, g in instance.forbids
                if p in person_index and g in group_index
            ],
            dtype=np.int64,
        )
        keep = ~np.isin(codes, forbidden)
        pi, gj, km = pi[keep], gj[keep], km[keep]
    key = np.round(km * 10.0).astype(np.int64) * n_groups + grank[gj]
    order = np.lexsort((key, pi))
    pi, gj, km = pi[order], gj[order], km[order]
    start = np.zeros(n_people + 1, dtype=np.int64)
    np.cumsum(np.bincount(pi, minlength=n_people), out=start[1:])
    return CandidateTable(
        instance, person_index, group_index, start, gj, km, in_reach, at_times, fits
    )


def suitable_groups(instance: Instance) -> dict[str, tuple[str, ...]]:
    """Every person's suitable groups (all hard constraints, forbids included), nearest first,
    ties by group id; a person with none maps to ``()``."""
    table = candidate_table(instance)
    group_ids = [g.id for g in instance.groups]
    return {
        p.id: tuple(group_ids[j] for j in table.groups_of(i)[0].tolist())
        for i, p in enumerate(instance.people)
    }


# --- locks and pairs as solver units ------------------------------------------------------


class Candidates(Mapping[int, float]):
    """A unit's candidate groups (index → the members' total travel in km), nearest first,
    ties by group id. A read-only view on two arrays, so that 50,000 people with hundreds
    of candidates each do not cost millions of Python objects."""

    __slots__ = ("_index", "groups", "km")

    def __init__(self, groups: IntArray, km: FloatArray) -> None:
        self.groups = groups
        self.km = km
        self._index: dict[int, int] | None = None

    def _position(self, j: object) -> int | None:
        if self._index is None:
            self._index = {g: k for k, g in enumerate(self.groups.tolist())}
        return self._index.get(j) if isinstance(j, int) else None

    def __getitem__(self, j: int) -> float:
        position = self._position(j)
        if position is None:
            raise KeyError(j)
        return float(self.km[position])

    def __contains__(self, j: object) -> bool:
        return self._position(j) is not None

    def __iter__(self) -> Iterator[int]:
        return iter(self.groups.tolist())

    def __len__(self) -> int:
        return int(self.groups.size)

    def __repr__(self) -> str:
        pairs = zip(self.groups.tolist(), self.km.tolist(), strict=True)
        return f"Candidates({dict(pairs)!r})"


@dataclass(frozen=True)
class Unit:
    """People who are placed as one: a single person, or people who came together (pairs
    with ``together=True``, joined transitively). ``candidates`` maps each group index the
    whole unit may join (with a free seat for each member) to the members' total travel in
    km, nearest first, ties by group id; ``locked`` is the group a coordinator's lock puts the
    unit in (then its only candidate); ``apart`` holds the person indices that must not share
    a group with any member."""

    members: tuple[int, ...]
    candidates: Candidates
    locked: int | None
    apart: frozenset[int]

    @property
    def size(self) -> int:
        return len(self.members)


def solver_units(table: CandidateTable) -> list[Unit]:
    """Turn people, together-pairs, apart-pairs and locks into :class:`Unit` s, ordered by
    their first member's position in the waiting order (longest waited first, ties by id).

    A lock is honoured even on a pair that fails the hard constraints (the coordinator
    decided). Raises :class:`ValueError` with a message for the coordinator when the locks and
    pairs cannot all hold: a person locked twice or into a group that does not exist, locks
    beyond a group's free seats, a lock that is also forbidden, people locked together who
    must be kept apart, or people who came together locked apart or locked where a partner
    cannot go. Pairs naming someone not on the waitlist are ignored (the partner has a place
    already or left)."""
    instance = table.instance
    people, groups = instance.people, instance.groups
    pidx, gidx = table.person_index, table.group_index

    lock_of: dict[int, int] = {}
    for person_id, group_id in sorted(instance.locks):
        if person_id not in pidx:
            raise ValueError(f"Lock for {person_id!r}: that person is not on the waitlist.")
        if group_id not in gidx:
            raise ValueError(f"Lock of {person_id!r} into {group_id!r}: no such group.")
        i = pidx[person_id]
        if i in lock_of:
            raise ValueError(
                f"{person_id!r} is locked into two groups "
                f"({groups[lock_of[i]].id!r} and {group_id!r}); keep one lock."
            )
        if (person_id, group_id) in instance.forbids:
            raise ValueError(f"{person_id!r} is both locked into and forbidden {group_id!r}.")
        lock_of[i] = gidx[group_id]

    # Together-pairs joined transitively: a union–find over person indices.
    parent = list(range(len(people)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    apart: dict[int, set[int]] = {}
    for pair in sorted(instance.pairs, key=lambda q: (q.a, q.b, q.together)):
        if pair.a not in pidx or pair.b not in pidx or pair.a == pair.b:
            continue
        a, b = pidx[pair.a], pidx[pair.b]
        if pair.together:
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
        else:
            apart.setdefault(a, set()).add(b)
            apart.setdefault(b, set()).add(a)

    waiting_order = sorted(range(len(people)), key=lambda i: (-people[i].days_waited, people[i].id))
    members: dict[int, list[int]] = {}
    for i in waiting_order:
        members.setdefault(root(i), []).append(i)

    free = np.array([g.free for g in groups], dtype=np.int64)
    group_ids = [g.id for g in groups]
    units: list[Unit] = []
    for group_members in members.values():
        kept_apart = frozenset(
            j for i in group_members for j in apart.get(i, ()) if j not in group_members
        )
        if len(group_members) == 1 and group_members[0] not in lock_of:
            # The common case, kept fast: the table's order is already nearest first.
            row, km = table.groups_of(group_members[0])
            open_seat = free[row] >= 1
            if not open_seat.all():
                row, km = row[open_seat], km[open_seat]
            units.append(Unit(tuple(group_members), Candidates(row, km), None, kept_apart))
            continue
        first = people[group_members[0]].id
        locks = {lock_of[i] for i in group_members if i in lock_of}
        if len(locks) > 1:
            raise ValueError(
                f"{first!r} and the people who came with them are locked into different "
                "groups; lock them into the same group or remove the pair."
            )
        locked = next(iter(locks)) if locks else None
        per_member: list[dict[int, float]] = []
        for i in group_members:
            row, km = table.groups_of(i)
            options = dict(zip(row.tolist(), km.tolist(), strict=True))
            if i in lock_of:
                options[lock_of[i]] = travel_km(people[i], groups[lock_of[i]])
            per_member.append(options)
        if locked is not None:
            for i, options in zip(group_members, per_member, strict=True):
                if locked not in options:
                    raise ValueError(
                        f"{first!r} is locked into {groups[locked].id!r}, but "
                        f"{people[i].id!r}, who came with them, cannot join it; lock "
                        "them too or remove the pair."
                    )
            common = [locked]
        else:
            common = list(set.intersection(*(set(o) for o in per_member)))
        inner_conflict = any(j in group_members for i in group_members for j in apart.get(i, ()))
        if inner_conflict:
            if locked is not None:
                raise ValueError(
                    f"{first!r}: the people who came together are also to be kept apart, "
                    "and one of them is locked; resolve the pairs first."
                )
            common = []
        totals = {
            j: round(sum(options[j] for options in per_member), 1)
            for j in common
            if len(group_members) <= free[j] or j == locked
        }
        ordered = sorted(totals, key=lambda j: (totals[j], group_ids[j]))
        candidates = Candidates(
            np.array(ordered, dtype=np.int64),
            np.array([totals[j] for j in ordered], dtype=np.float64),
        )
        units.append(Unit(tuple(group_members), candidates, locked, kept_apart))

    seats_locked: dict[int, int] = {}
    for unit in units:
        if unit.locked is not None:
            seats_locked[unit.locked] = seats_locked.get(unit.locked, 0) + unit.size
    for j, count in sorted(seats_locked.items()):
        if count > groups[j].free:
            raise ValueError(
                f"{count} people are locked into {groups[j].id!r}, which has "
                f"{groups[j].free} free seats."
            )
    unit_of = {i: u for u, unit in enumerate(units) for i in unit.members}
    for u, unit in enumerate(units):
        if unit.locked is None:
            continue
        for i in unit.apart:
            other = units[unit_of[i]]
            if other.locked == unit.locked and unit_of[i] > u:
                raise ValueError(
                    f"{people[unit.members[0]].id!r} and {people[i].id!r} must be kept apart "
                    f"but are both locked into {groups[unit.locked].id!r}."
                )
    return units


# --- the objective -----------------------------------------------------------------------


def age_reference(group: Group) -> float | None:
    """The age the "about my age" wish is measured against: the mean age of the group's
    current members, or the middle of its age band when it has none; ``None`` if unknown."""
    if group.member_ages:
        return sum(group.member_ages) / len(group.member_ages)
    if group.age_min is not None and group.age_max is not None:
        return (group.age_min + group.age_max) / 2
    return None


def age_close_met(weights: Weights, person: Person, group: Group) -> bool:
    """Whether a person who wishes to be "with people of about my age" would be: their age is
    within ``weights.age_close_years`` of the mean age of the group's current members (or of
    the middle of its age band when it has none yet). Unknown ages count as met."""
    if "age_close" not in person.wishes or person.age is None:
        return True
    reference = age_reference(group)
    return reference is None or abs(person.age - reference) <= weights.age_close_years


def gender_alone(person: Person, group: Group, others: Sequence[str | None]) -> bool:
    """Whether a person who wishes "not to be the only one of my gender" would be: no current
    member of the group, and none of the ``others`` placed with them, shares their gender.
    An unknown gender counts as met."""
    if "not_only_gender" not in person.wishes or person.gender is None:
        return False
    return person.gender not in group.member_genders and person.gender not in others


def person_terms(weights: Weights, person: Person) -> tuple[float, float]:
    """The terms a placement earns whatever the group: (placed, waiting)."""
    waiting = weights.per_day_waited * min(max(person.days_waited, 0), weights.waiting_cap_days)
    return weights.placed, waiting


def travel_term(weights: Weights, km: Any) -> Any:
    """The travel term, signed: −``per_km`` per kilometre (a float, or a numpy array of them)."""
    return -weights.per_km * km


def age_term(weights: Weights, person: Person, group: Group) -> float:
    """The composition term of the age wish, signed: −``composition`` when not met."""
    return 0.0 if age_close_met(weights, person, group) else -weights.composition


def pair_terms(
    weights: Weights, person: Person, group: Group, km: float
) -> tuple[float, float, float, float]:
    """The objective terms that depend on this pair alone, as signed contributions:
    (placed, waiting, travel, composition for the age wish)."""
    placed, waiting = person_terms(weights, person)
    return placed, waiting, travel_term(weights, km), age_term(weights, person, group)


def evaluate(
    instance: Instance, assignment: Mapping[str, str]
) -> tuple[float, dict[str, float], dict[str, tuple[str, ...]]]:
    """The objective of placing people as ``assignment`` (person id → group id) says.

    Returns the total, the signed terms (``placed``, ``waiting``, ``travel``,
    ``composition``, ``open_groups``; they sum to the total) and each placed person's unmet
    composition wishes. Every planned group that receives someone counts as opened. This is
    the single definition of the objective: the MILP's coefficients are built from
    :func:`pair_terms`, :func:`gender_alone` and the same open-group weight.
    """
    weights = instance.weights
    people = {p.id: p for p in instance.people}
    groups = {g.id: g for g in instance.groups}
    genders_in: dict[str, list[str | None]] = {}
    for person_id, group_id in assignment.items():
        genders_in.setdefault(group_id, []).append(people[person_id].gender)
    placed = waiting = travel = composition = 0.0
    unmet: dict[str, tuple[str, ...]] = {}
    for person_id, group_id in sorted(assignment.items()):
        person, group = people[person_id], groups[group_id]
        p_placed, p_waiting, p_travel, p_age = pair_terms(
            weights, person, group, travel_km(person, group)
        )
        placed += p_placed
        waiting += p_waiting
        travel += p_travel
        companions = list(genders_in[group_id])
        companions.remove(person.gender)
        alone = gender_alone(person, group, companions)
        composition += p_age - (weights.composition if alone else 0.0)
        missed = {
            "age_close": not age_close_met(weights, person, group),
            "not_only_gender": alone,
        }
        if any(missed.values()):
            unmet[person_id] = tuple(wish for wish in WISHES if missed[wish])
    opened = {g for g in assignment.values() if groups[g].planned}
    terms = {
        "placed": placed,
        "waiting": waiting,
        "travel": travel,
        "composition": composition,
        "open_groups": -weights.open_group * len(opened),
    }
    return sum(terms[name] for name in OBJECTIVE_TERMS), terms, unmet
