"""Who joins which group, as a mixed-integer linear program solved by HiGHS.

Variables: ``x[u, g]`` (binary) for every solver unit ``u`` (a person, or people who came
together) and every group ``g`` the whole unit may join; ``y[g]`` (binary) "opens" for each
planned group; ``z[u, g]`` (continuous, 0…1) "would be the only one of their gender" for
people who wish otherwise, with ``t[g, k]`` (continuous) counting the people of gender ``k``
placed in ``g``. Constraints: a unit joins at most one group; a group takes no more than
its free seats, and a planned group only if it opens and then at least up to its minimum;
people to be kept apart never share a group; locks fix ``x`` to 1. The objective is
:func:`~spejl.core.formation.feasibility.evaluate`'s, term by term (see
``docs/group-formation.md``).

The problem falls apart into independent components (people and groups linked by suitable
pairs); each is solved on its own — small ones exactly without HiGHS, middling ones by
HiGHS's MIP solver, large ones through their LP relaxation (see :func:`_solve_with_highs`).
A very large component is first thinned to each unit's most valuable candidates and cut
into regions of its groups; its bound then comes from the LP duals (see :func:`_dual_bound`),
so the gap reported stays honest for the problem as posed.

Personal data touched: the solver view of waitlisted people (see
:mod:`spejl.core.formation.feasibility`). Pure Python, numpy and HiGHS; no Django import.
"""

from __future__ import annotations

import ctypes
import math
import time
from array import array
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import highspy
import numpy as np
import numpy.typing as npt

from spejl.core.formation.feasibility import (
    Candidates,
    CandidateTable,
    Unit,
    age_reference,
    age_term,
    candidate_table,
    evaluate,
    gender_alone,
    person_terms,
    solver_units,
    travel_term,
)
from spejl.core.formation.greedy import greedy_assignment, solution_from_assignment
from spejl.core.formation.model import Instance, Solution

__all__ = [
    "MAX_COMPONENT_COLUMNS",
    "PRUNED_CANDIDATES",
    "RANDOM_SEED",
    "RESTRICTED_COLUMNS",
    "solve",
]

#: HiGHS's random seed: fixed, so the same input gives the same output.
RANDOM_SEED = 20240917
#: Above this many placement columns a component is solved through its LP relaxation, and
#: its MIP gets only the columns the LP says could matter (see :func:`_solve_with_highs`).
RESTRICTED_COLUMNS = 15_000
#: In a component larger than that, each unit keeps only this many of its most valuable
#: candidate groups (see :func:`_decompose`).
PRUNED_CANDIDATES = 25
#: A (thinned) component with more placement columns than this is cut into regions.
MAX_COMPONENT_COLUMNS = 250_000
# Part of the time limit kept back for building the answer (reasons, objective).
_RESERVE_FRACTION = 0.05

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass
class _Component:
    units: list[int]  # indices into the unit list, in waiting order
    groups: list[int]  # group indices, by group id
    columns: int = 0
    #: Index of the large component this piece was thinned or cut from, if any: its bound
    #: is then computed for the whole large component (see :func:`_dual_bound`).
    family: int | None = None


@dataclass
class _Duals:
    """A piece's LP relaxation: its optimum, the duals of the rows that a left-out
    placement column would enter, and the reduced costs of the columns it had."""

    objective: float
    unit: dict[int, float]
    group: dict[int, float]  # capacity + minimum rows: a unit of size s enters both with s
    gender: dict[tuple[int, str], float]
    entries: IntArray  # the model entries of the placement columns it had …
    reduced: FloatArray  # … and their reduced costs


@dataclass
class _Outcome:
    placed: dict[int, int] = field(default_factory=dict)  # unit index → group index
    bound: float = 0.0
    status: str = "optimal"  # "optimal", "time_limit", "fallback: greedy" or "fallback: …"
    objective: float = 0.0  # in the model's terms, for the placements above
    duals: _Duals | None = None


def _highs(time_limit: float, mip_rel_gap: float | None = None) -> highspy.Highs:
    """A fresh HiGHS for one run: its clock counts from zero (the time limit is measured on
    a clock that a reused instance never resets), one thread, the fixed seed, silent."""
    highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("random_seed", RANDOM_SEED)
    highs.setOptionValue("time_limit", max(time_limit, 0.01))
    if mip_rel_gap is not None:
        highs.setOptionValue("mip_rel_gap", mip_rel_gap)
    return highs


def _release(highs: highspy.Highs) -> None:
    """Free HiGHS's copy of the model as soon as its answer has been read.

    The object sits in a reference cycle (its callbacks point back to it) and would live
    until the next garbage collection; and glibc keeps freed blocks of this size in the
    process unless asked to return them, so one large region after another would add up
    (the 50,000-person benchmark peaked above 1 GiB without this)."""
    highs.clear()
    _trim()


def _trim() -> None:
    if _malloc_trim is not None:
        _malloc_trim(0)


def _find_malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):  # not glibc: nothing to return
        return None
    return trim


_malloc_trim = _find_malloc_trim()


def _highs_version() -> str:
    major, minor = highspy.HIGHS_VERSION_MAJOR, highspy.HIGHS_VERSION_MINOR
    return f"HiGHS {major}.{minor}.{highspy.HIGHS_VERSION_PATCH}"


class _Model:
    """The coefficients every component shares: per unit and group, the value of placing
    the unit there, and which members' gender wishes need a variable.

    Candidates are also kept as flat arrays (``start``/``cand``/``value_array``, one entry per
    unit and candidate group, units in order), so the large-scale steps — components,
    thinning, cutting, bounds — run in numpy rather than pair by pair. ``kept`` marks the
    entries a solve may use (all, unless a large component was thinned or cut).
    """

    def __init__(self, table: CandidateTable, units: list[Unit]) -> None:
        instance = table.instance
        people, groups, weights = instance.people, instance.groups, instance.weights
        self.table = table
        self.units = units
        self.people = people
        self.groups = groups
        self.weights = weights
        n_units = len(units)
        counts = np.fromiter((len(u.candidates) for u in units), np.int64, count=n_units)
        self.start = np.zeros(n_units + 1, dtype=np.int64)
        np.cumsum(counts, out=self.start[1:])
        total = int(self.start[-1])
        empty_groups = np.zeros(0, dtype=np.int64)
        self.cand = np.concatenate([empty_groups, *(u.candidates.groups for u in units)])
        km = np.concatenate([np.zeros(0), *(u.candidates.km for u in units)])
        self.entry_unit = np.repeat(np.arange(n_units, dtype=np.int64), counts)
        self.grank = np.empty(len(groups), dtype=np.int64)
        self.grank[sorted(range(len(groups)), key=lambda j: groups[j].id)] = np.arange(
            len(groups), dtype=np.int64
        )
        base = np.array(
            [sum(sum(person_terms(weights, people[i])) for i in u.members) for u in units],
            dtype=np.float64,
        )
        value = base[self.entry_unit] + travel_term(weights, km)

        # How many units with someone of each gender could join each group.
        genders = sorted({p.gender for p in people if p.gender is not None})
        code = {g: k for k, g in enumerate(genders)}
        could_join = np.zeros((len(groups), max(len(genders), 1)), dtype=np.int64)
        single_gender = np.array(
            [code.get(people[u.members[0]].gender or "", -1) if u.size == 1 else -1 for u in units],
            dtype=np.int64,
        )
        entry_gender = single_gender[self.entry_unit]
        known = entry_gender >= 0
        np.add.at(could_join, (self.cand[known], entry_gender[known]), 1)
        for u, unit in enumerate(units):
            if unit.size > 1:
                lo, hi = int(self.start[u]), int(self.start[u + 1])
                for gender in {people[i].gender for i in unit.members} - {None}:
                    could_join[self.cand[lo:hi], code[gender or ""]] += 1

        # Wishes: the age wish is fixed per pair; the gender wish is too when nobody else of
        # that gender could join, and otherwise needs a variable. Single people (nearly
        # everyone) in numpy, with the rules of ``age_close_met`` and ``gender_alone``; people
        # who came together one by one with those functions themselves.
        single = np.array([u.size == 1 for u in units], dtype=np.bool_)[self.entry_unit]
        person = np.array([u.members[0] for u in units], dtype=np.int64)[self.entry_unit]
        age = np.array([math.nan if p.age is None else p.age for p in people], dtype=np.float64)
        wants_age = np.array(
            ["age_close" in p.wishes and p.age is not None for p in people], dtype=np.bool_
        )
        reference = np.array(
            [math.nan if (r := age_reference(g)) is None else r for g in groups], dtype=np.float64
        )
        far = np.abs(age[person] - reference[self.cand]) > weights.age_close_years  # nan: met
        value[single & wants_age[person] & far] -= weights.composition
        member_has = np.zeros_like(could_join, dtype=np.bool_)
        for j, group in enumerate(groups):
            for gender in group.member_genders:
                if gender in code:
                    member_has[j, code[gender]] = True
        wants_company = np.array(
            ["not_only_gender" in p.wishes and p.gender is not None for p in people],
            dtype=np.bool_,
        )
        at = np.flatnonzero(single & wants_company[person])
        at = at[~member_has[self.cand[at], entry_gender[at]]]
        crowded = could_join[self.cand[at], entry_gender[at]] > 1
        #: Entries of single people whose gender wish needs a variable.
        self.open_wish = np.zeros(total, dtype=np.bool_)
        self.open_wish[at[crowded]] = True
        value[at[~crowded]] -= weights.composition
        #: (unit, group) → genders whose wish needs a variable, for units of several people.
        self.open_wishes: dict[tuple[int, int], list[str]] = {}
        for u, unit in enumerate(units):
            if unit.size == 1 or not any(people[i].wishes for i in unit.members):
                continue
            unit_genders = [people[i].gender for i in unit.members]
            for e in range(int(self.start[u]), int(self.start[u + 1])):
                j = int(self.cand[e])
                group = groups[j]
                for position, i in enumerate(unit.members):
                    member = people[i]
                    if not member.wishes:
                        continue
                    value[e] += age_term(weights, member, group)
                    others = unit_genders[:position] + unit_genders[position + 1 :]
                    if not gender_alone(member, group, others):
                        continue
                    gender = member.gender or ""
                    if could_join[j, code[gender]] > 1:
                        self.open_wishes.setdefault((u, j), []).append(gender)
                    else:
                        value[e] -= weights.composition
        self.value_array = value
        self.kept = np.ones(total, dtype=np.bool_)
        #: Per unit, how many of its members have each (known) gender.
        self.unit_genders: list[dict[str, int]] = [
            {people[u.members[0]].gender or "": 1}
            if u.size == 1
            else dict(Counter(people[i].gender or "" for i in u.members))
            for u in units
        ]
        self.gender_code = code
        self.unit_gender = single_gender

    def option_entries(self, u: int) -> list[tuple[int, int]]:
        """(group, entry) for every group unit ``u`` may join in this solve, by group id."""
        lo, hi = int(self.start[u]), int(self.start[u + 1])
        entries = np.arange(lo, hi)[self.kept[lo:hi]]
        order = np.argsort(self.grank[self.cand[entries]], kind="stable")
        return list(zip(self.cand[entries[order]].tolist(), entries[order].tolist(), strict=True))

    def wish_genders(self, u: int, j: int, entry: int) -> list[str]:
        """The genders whose "not the only one" wish needs a variable if ``u`` joins ``j``."""
        if self.units[u].size == 1:
            gender = self.people[self.units[u].members[0]].gender
            return [gender] if self.open_wish[entry] and gender is not None else []
        return self.open_wishes.get((u, j), [])

    def options(self, u: int) -> list[int]:
        """The groups unit ``u`` may join in this solve, by group id."""
        lo, hi = int(self.start[u]), int(self.start[u + 1])
        kept = self.cand[lo:hi][self.kept[lo:hi]].tolist()
        return sorted(kept, key=lambda j: self.grank[j])

    def components(self) -> list[_Component]:
        """Units and groups linked by candidate pairs, each set on its own (people to be
        kept apart only interact through a group they share, so that link suffices)."""
        return self._components_of(np.flatnonzero(self.kept))

    def _components_of(self, entries: IntArray) -> list[_Component]:
        n_units = len(self.units)
        label = _connected(
            n_units + len(self.groups), self.entry_unit[entries], self.cand[entries] + n_units
        )
        units = np.unique(self.entry_unit[entries])
        if units.size == 0:
            return []
        order = units[np.argsort(label[units], kind="stable")]
        cuts = np.flatnonzero(np.diff(label[order])) + 1
        found: dict[int, _Component] = {}
        for part in np.split(order, cuts):
            found[int(label[part[0]])] = _Component(part.tolist(), [])
        groups = np.unique(self.cand[entries])
        for j in groups[np.argsort(self.grank[groups])].tolist():
            found[int(label[n_units + j])].groups.append(j)
        columns = np.bincount(label[self.entry_unit[entries]], minlength=n_units)
        for key, component in found.items():
            component.columns = int(columns[key])
        return list(found.values())

    def entries_of(self, units: list[int]) -> IntArray:
        """The kept candidate entries of ``units``."""
        chosen = np.zeros(len(self.units), dtype=np.bool_)
        chosen[units] = True
        return np.flatnonzero(chosen[self.entry_unit] & self.kept)


def _connected(
    n_nodes: int, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Connected components of the graph with edges ``a[k]–b[k]``: each node's label is the
    smallest node of its component (union–find by hooking and pointer jumping, in numpy)."""
    parent = np.arange(n_nodes, dtype=np.int64)
    while True:
        pa, pb = parent[a], parent[b]
        differ = pa != pb
        if not differ.any():
            return parent
        np.minimum.at(
            parent, np.maximum(pa[differ], pb[differ]), np.minimum(pa[differ], pb[differ])
        )
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped


def _decompose(model: _Model, component: _Component, family: int) -> list[_Component]:
    """Make a large component tractable: thin it, then cut what is still too large.

    Each unit keeps its :data:`PRUNED_CANDIDATES` most valuable candidates (ties: smaller
    group id): a proposal never sends anyone past their 25 best options, and the bound
    (:func:`_dual_bound`) still counts the rest. The thinned graph often falls apart by
    itself; a piece still above :data:`MAX_COMPONENT_COLUMNS` is cut into regions by
    :func:`_split`.
    """
    entries = model.entries_of(component.units)
    ranking = np.lexsort(
        (model.grank[model.cand[entries]], -model.value_array[entries], model.entry_unit[entries])
    )
    ranked = entries[ranking]
    run_start = np.ones(ranked.size, dtype=np.bool_)
    run_start[1:] = model.entry_unit[ranked[1:]] != model.entry_unit[ranked[:-1]]
    first_of_run = np.maximum.accumulate(np.where(run_start, np.arange(ranked.size), 0))
    rank = np.arange(ranked.size) - first_of_run
    model.kept[ranked[rank >= PRUNED_CANDIDATES]] = False
    pieces: list[_Component] = []
    for piece in model._components_of(model.entries_of(component.units)):
        if piece.columns > MAX_COMPONENT_COLUMNS and len(piece.groups) > 1:
            pieces.extend(_split(model, piece))
        else:
            pieces.append(piece)
    for piece in pieces:
        piece.family = family
    return pieces


def _split(model: _Model, component: _Component) -> list[_Component]:
    """Cut a component into regions of its groups.

    The groups are halved at the median along the longer side of their bounding box
    (latitude, or longitude scaled by the cosine of latitude) until each region's columns
    fit; every unit keeps only the candidates in the region of its most valuable candidate
    (its locked group if it has one). The regions are then solved one by one.
    """
    groups = model.groups
    entries = model.entries_of(component.units)
    per_group = np.bincount(model.cand[entries], minlength=len(groups))
    regions: list[list[int]] = []
    pending = [component.groups]
    while pending:
        part = pending.pop()
        if len(part) <= 1 or int(per_group[part].sum()) <= MAX_COMPONENT_COLUMNS:
            regions.append(part)
            continue
        lats = [groups[j].lat for j in part]
        mid_lat = math.radians(sum(lats) / len(lats))
        lons = [groups[j].lon * math.cos(mid_lat) for j in part]
        axis = lats if max(lats) - min(lats) >= max(lons) - min(lons) else lons
        order = sorted(range(len(part)), key=lambda k: (axis[k], groups[part[k]].id))
        half = len(part) // 2
        pending.append([part[k] for k in order[half:]])
        pending.append([part[k] for k in order[:half]])
    region_of_group = np.full(len(groups), -1, dtype=np.int64)
    for r, part in enumerate(regions):
        region_of_group[part] = r

    ranking = np.lexsort(
        (model.grank[model.cand[entries]], -model.value_array[entries], model.entry_unit[entries])
    )
    ranked = entries[ranking]
    first = np.ones(ranked.size, dtype=np.bool_)
    first[1:] = model.entry_unit[ranked[1:]] != model.entry_unit[ranked[:-1]]
    region_of_unit = np.full(len(model.units), -1, dtype=np.int64)
    best = ranked[first]
    region_of_unit[model.entry_unit[best]] = region_of_group[model.cand[best]]
    for u in component.units:
        locked = model.units[u].locked
        if locked is not None:
            region_of_unit[u] = region_of_group[locked]
    outside = region_of_group[model.cand[entries]] != region_of_unit[model.entry_unit[entries]]
    model.kept[entries[outside]] = False
    pieces = [_Component([], sorted(part, key=lambda j: groups[j].id)) for part in regions]
    for u in component.units:
        pieces[int(region_of_unit[u])].units.append(u)
    inside = entries[~outside]
    columns = np.bincount(region_of_unit[model.entry_unit[inside]], minlength=len(regions))
    for r, piece in enumerate(pieces):
        piece.columns = int(columns[r])
    return [piece for piece in pieces if piece.units]


def _trivial(model: _Model, component: _Component) -> _Outcome | None:
    """Solve a component exactly without HiGHS when it is obvious: one unit, or one group
    with single people and no wish or pair linking them. ``None`` otherwise."""
    groups, weights = model.groups, model.weights
    if len(component.units) == 1:
        u = component.units[0]
        unit = model.units[u]
        best: tuple[float, str, int] | None = None
        for j, entry in model.option_entries(u):
            group = groups[j]
            value = float(model.value_array[entry])
            value -= weights.open_group if group.planned else 0.0
            if group.planned and unit.locked is None and group.taken + unit.size < group.min_size:
                continue
            if unit.locked is None and value <= 0:
                continue
            if best is None or value > best[0]:
                best = (value, group.id, j)
        if best is None:
            return _Outcome()
        return _Outcome(placed={u: best[2]}, bound=best[0], objective=best[0])
    if len(component.groups) != 1:
        return None
    j = component.groups[0]
    group = groups[j]
    if any(model.units[u].size > 1 or model.units[u].apart for u in component.units):
        return None
    entry_at = {u: dict(model.option_entries(u))[j] for u in component.units}
    if any(model.wish_genders(u, j, entry_at[u]) for u in component.units):
        return None
    worth = {u: float(model.value_array[entry]) for u, entry in entry_at.items()}
    forced = [u for u in component.units if model.units[u].locked == j]
    others = sorted(
        (u for u in component.units if model.units[u].locked != j),
        key=lambda u: (-worth[u], model.people[model.units[u].members[0]].id),
    )
    seats = group.free - len(forced)
    running = sum(worth[u] for u in forced)
    choices: list[tuple[float, int]] = []  # (value, how many of ``others``)
    if not forced:
        choices.append((0.0, 0))
    for k in range(0, min(seats, len(others)) + 1):
        if k > 0:
            running += worth[others[k - 1]]
        size = len(forced) + k
        if size == 0:
            continue
        if not group.planned:
            choices.append((running, k))
        elif forced or group.taken + size >= group.min_size:
            choices.append((running - weights.open_group, k))
    value, k = max(choices, key=lambda c: (c[0], -c[1]))
    chosen = forced + others[:k]
    return _Outcome(placed={u: j for u in chosen}, bound=value, objective=value)


@dataclass
class _Program:
    """One component's MILP as arrays: columns (cost, bounds, integrality), rows in CSR form,
    and which column is which."""

    cost: npt.NDArray[np.float64]
    lower: npt.NDArray[np.float64]
    upper: npt.NDArray[np.float64]
    integer: npt.NDArray[np.bool_]
    row_lower: npt.NDArray[np.float64]
    row_upper: npt.NDArray[np.float64]
    row_start: npt.NDArray[np.int64]
    row_index: npt.NDArray[np.int64]
    row_value: npt.NDArray[np.float64]
    x: dict[tuple[int, int], int]
    #: The model entry of each placement column (``x`` in the same order).
    x_entry: IntArray
    is_x: npt.NDArray[np.bool_]
    #: For a "would be alone" column, the placement column it belongs to; −1 for others.
    owner: npt.NDArray[np.int64]
    #: "Opens" column → its group's placement columns; "count" column → (placement column,
    #: people of that gender in the unit); (would-be-alone, placement, count) columns.
    y_terms: dict[int, list[int]]
    t_terms: dict[int, list[tuple[int, int]]]
    z_terms: list[tuple[int, int, int]]
    #: Rows a placement column enters by its unit and group: the unit's "at most one
    #: group" row, each group's capacity and minimum rows, each (group, gender) count row.
    unit_row: dict[int, int]
    group_rows: dict[int, list[int]]
    gender_row: dict[tuple[int, str], int]

    def values(self, placed: Mapping[int, int]) -> npt.NDArray[np.float64]:
        """Every column's value for the placements ``placed`` (unit → group)."""
        values = np.zeros(self.cost.size, dtype=np.float64)
        for (u, j), col in self.x.items():
            if placed.get(u) == j:
                values[col] = 1.0
        for col, x_cols in self.y_terms.items():
            values[col] = float(values[x_cols].max(initial=0.0))
        for col, terms in self.t_terms.items():
            values[col] = sum(n * values[x_col] for x_col, n in terms)
        for z, x_col, t_col in self.z_terms:
            values[z] = max(0.0, 2 * values[x_col] - values[t_col])
        return values


class _Rows:
    """Constraint rows in compact CSR form (``array`` buffers, not a list per row): a
    region of 250,000 placement columns would otherwise cost hundreds of MB of Python
    objects."""

    def __init__(self) -> None:
        self.index = array("q")
        self.value = array("d")
        self.start = array("q", [0])
        self.lower = array("d")
        self.upper = array("d")

    def add(self, cols: Sequence[int], values: Sequence[float], lo: float, hi: float) -> int:
        self.index.extend(cols)
        self.value.extend(values)
        self.start.append(len(self.index))
        self.lower.append(lo)
        self.upper.append(hi)
        return len(self.lower) - 1


def _build(model: _Model, component: _Component) -> _Program:
    """The component's MILP (see the module doc)."""
    groups, weights, units = model.groups, model.weights, model.units
    cost, lower, upper = array("d"), array("d"), array("d")
    integer = array("b")
    rows = _Rows()

    def column(value: float, lo: float, hi: float, is_integer: bool) -> int:
        cost.append(value)
        lower.append(lo)
        upper.append(hi)
        integer.append(is_integer)
        return len(cost) - 1

    x: dict[tuple[int, int], int] = {}
    x_entry = array("q")
    options: dict[int, list[int]] = {}
    for u in component.units:
        unit = units[u]
        options[u] = []
        for j, entry in model.option_entries(u):
            locked = unit.locked == j
            x[u, j] = column(float(model.value_array[entry]), float(locked), 1.0, True)
            x_entry.append(entry)
            options[u].append(j)
    by_unit: dict[int, list[int]] = {}
    by_group: dict[int, list[tuple[int, int]]] = {}
    for (u, j), col in x.items():
        by_unit.setdefault(u, []).append(col)
        by_group.setdefault(j, []).append((u, col))
    unit_row: dict[int, int] = {}
    group_rows: dict[int, list[int]] = {}
    gender_row: dict[tuple[int, str], int] = {}
    for u, cols in by_unit.items():
        if len(cols) > 1:
            unit_row[u] = rows.add(cols, [1.0] * len(cols), -math.inf, 1.0)
    y: dict[int, int] = {}
    for j in component.groups:
        group = groups[j]
        members = by_group.get(j, [])
        if not members:
            continue
        cols = [col for _u, col in members]
        sizes = [float(units[u].size) for u, _col in members]
        if not group.planned:
            if sum(sizes) > group.free:
                group_rows[j] = [rows.add(cols, sizes, -math.inf, float(group.free))]
            continue
        locked = any(units[u].locked == j for u, _col in members)
        y[j] = column(-weights.open_group, 1.0 if locked else 0.0, 1.0, True)
        group_rows[j] = [rows.add([*cols, y[j]], [*sizes, -float(group.free)], -math.inf, 0.0)]
        need = group.min_size - group.taken
        if need > 0 and not locked:
            group_rows[j].append(rows.add([*cols, y[j]], [*sizes, -float(need)], 0.0, math.inf))
        # x ≤ y one by one: the same integer solutions, a much tighter relaxation.
        for col in cols:
            rows.add((col, y[j]), (1.0, -1.0), -math.inf, 0.0)
    unit_of = {i: u for u, unit in enumerate(units) for i in unit.members}
    for u in component.units:
        for i in units[u].apart:
            v = unit_of[i]
            if v <= u:
                continue
            if v not in options:
                continue  # in another component or region: they can share no group here
            for j in sorted(set(options[u]) & set(options[v]), key=lambda k: groups[k].id):
                rows.add((x[u, j], x[v, j]), (1.0, 1.0), -math.inf, 1.0)
    # "Not the only one of my gender": z ≥ 2·x − t, t = everyone of that gender placed.
    counts: dict[tuple[int, str], int] = {}
    z_of: dict[tuple[int, int], list[int]] = {}
    wishes: dict[tuple[int, int], list[str]] = {}
    for ((u, j), _col), entry in zip(x.items(), x_entry, strict=True):
        if units[u].size > 1:
            wishes[u, j] = model.open_wishes.get((u, j), [])
        elif model.open_wish[entry]:
            wishes[u, j] = [model.people[units[u].members[0]].gender or ""]
        for gender in wishes.get((u, j), ()):
            counts[j, gender] = counts.get((j, gender), 0) + 1
            z_of.setdefault((u, j), []).append(column(-weights.composition, 0.0, 1.0, False))
    t: dict[tuple[int, str], int] = {}
    for (j, gender), _count in sorted(
        counts.items(), key=lambda kv: (groups[kv[0][0]].id, kv[0][1])
    ):
        t[j, gender] = col_t = column(0.0, 0.0, math.inf, False)
        cols, coefficients = [col_t], [-1.0]
        for u, col in by_group[j]:
            n = model.unit_genders[u].get(gender, 0)
            if n:
                cols.append(col)
                coefficients.append(float(n))
        gender_row[j, gender] = rows.add(cols, coefficients, 0.0, 0.0)
    for (u, j), z_cols in z_of.items():
        for gender, z in zip(wishes[u, j], z_cols, strict=True):
            rows.add((z, x[u, j], t[j, gender]), (1.0, -2.0, 1.0), 0.0, math.inf)

    t_terms = {
        col: [(x_col, model.unit_genders[u].get(gender, 0)) for u, x_col in by_group[j]]
        for (j, gender), col in t.items()
    }
    z_terms = [
        (z, x[u, j], t[j, gender])
        for (u, j), z_cols in z_of.items()
        for gender, z in zip(wishes[u, j], z_cols, strict=True)
    ]
    y_terms = {col: [x_col for _u, x_col in by_group[j]] for j, col in y.items()}

    is_x = np.zeros(len(cost), dtype=np.bool_)
    is_x[np.fromiter(x.values(), np.int64, len(x))] = True
    owner = np.full(len(cost), -1, dtype=np.int64)
    for (u, j), z_cols in z_of.items():
        owner[z_cols] = x[u, j]
    return _Program(
        cost=np.frombuffer(cost, dtype=np.float64).copy(),
        lower=np.frombuffer(lower, dtype=np.float64).copy(),
        upper=np.frombuffer(upper, dtype=np.float64).copy(),
        integer=np.frombuffer(integer, dtype=np.int8).astype(np.bool_),
        row_lower=np.frombuffer(rows.lower, dtype=np.float64).copy(),
        row_upper=np.frombuffer(rows.upper, dtype=np.float64).copy(),
        row_start=np.frombuffer(rows.start, dtype=np.int64).copy(),
        row_index=np.frombuffer(rows.index, dtype=np.int64).copy(),
        row_value=np.frombuffer(rows.value, dtype=np.float64).copy(),
        x=x,
        x_entry=np.frombuffer(x_entry, dtype=np.int64).copy(),
        is_x=is_x,
        owner=owner,
        y_terms=y_terms,
        t_terms=t_terms,
        z_terms=z_terms,
        unit_row=unit_row,
        group_rows=group_rows,
        gender_row=gender_row,
    )


def _pass(
    highs: highspy.Highs, program: _Program, keep: npt.NDArray[np.bool_], *, relax: bool
) -> None:
    """Hand HiGHS the program restricted to the ``keep`` columns (as an LP if ``relax``)."""
    new_index = np.cumsum(keep) - 1
    entry_kept = keep[program.row_index]
    row_of_entry = np.repeat(np.arange(program.row_lower.size), np.diff(program.row_start))
    counts = np.bincount(row_of_entry[entry_kept], minlength=program.row_lower.size)
    row_start = np.zeros(program.row_lower.size + 1, dtype=np.int64)
    np.cumsum(counts, out=row_start[1:])
    lp = highspy.HighsLp()
    lp.num_col_ = int(keep.sum())
    lp.num_row_ = int(program.row_lower.size)
    lp.col_cost_ = program.cost[keep]
    lp.col_lower_ = program.lower[keep]
    lp.col_upper_ = program.upper[keep]
    lp.row_lower_ = program.row_lower
    lp.row_upper_ = program.row_upper
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = row_start.astype(np.int32)
    lp.a_matrix_.index_ = new_index[program.row_index[entry_kept]].astype(np.int32)
    lp.a_matrix_.value_ = program.row_value[entry_kept]
    if not relax:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
            for flag in program.integer[keep].tolist()
        ]
    highs.passModel(lp)


def _solve_with_highs(
    model: _Model,
    component: _Component,
    start: Mapping[int, int],
    *,
    time_limit: float,
    mip_rel_gap: float,
) -> _Outcome:
    """Solve one component with HiGHS, starting from the greedy placements.

    A component with few columns goes to HiGHS's MIP solver as it is. A larger one, and
    every piece of a thinned or cut one, is first solved as an LP. Its rounding (see
    :func:`_round_lp`) becomes the start if better than greedy, and the MIP then gets only
    the placement columns that could matter — those the LP or the start uses, plus the
    best by reduced cost up to :data:`RESTRICTED_COLUMNS`. Any solution using a left-out
    column ``j`` is worth at most ``LP + reduced_cost[j]``, so the bound reported is
    ``min(LP, max(restricted MIP bound, LP + largest left-out reduced cost))`` — valid for the
    whole component, and equal to the objective when the left-out columns cannot beat it.
    """
    deadline = time.perf_counter() + max(time_limit, 0.01)
    program = _build(model, component)
    members = set(component.units)
    incumbent = program.values({u: j for u, j in start.items() if u in members})
    source = "greedy"
    keep = np.ones(program.cost.size, dtype=np.bool_)
    lp_bound = math.inf
    reduced = np.zeros(program.cost.size, dtype=np.float64)
    duals: _Duals | None = None
    if int(program.is_x.sum()) > RESTRICTED_COLUMNS or component.family is not None:
        highs = _highs(deadline - time.perf_counter())
        _pass(highs, program, keep, relax=True)
        highs.run()
        solved = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
        if solved:
            lp_bound = highs.getInfo().objective_function_value
            solution = highs.getSolution()
            value = np.asarray(solution.col_value)
            reduced = np.asarray(solution.col_dual)
            row_dual = np.asarray(solution.row_dual)
        _release(highs)
        if solved:
            duals = _Duals(
                objective=lp_bound,
                unit={u: float(row_dual[r]) for u, r in program.unit_row.items()},
                group={j: float(row_dual[rs].sum()) for j, rs in program.group_rows.items()},
                gender={key: float(row_dual[r]) for key, r in program.gender_row.items()},
                entries=program.x_entry,
                reduced=reduced[np.fromiter(program.x.values(), np.int64, len(program.x))],
            )
            rounded = program.values(_round_lp(model, component, program, value))
            if program.cost @ rounded > program.cost @ incumbent:
                incumbent, source = rounded, "LP-rounding"
            must = ~program.is_x | (value > 1e-6) | (incumbent > 0.5) | (program.lower > 0)
            optional = np.flatnonzero(~must)
            room = max(RESTRICTED_COLUMNS - int((must & program.is_x).sum()), 0)
            chosen = optional[np.argsort(-reduced[optional], kind="stable")[:room]]
            keep = must.copy()
            keep[chosen] = True
            keep = _with_owned(program, keep)
        elif program.is_x.sum() > RESTRICTED_COLUMNS:
            # No LP in time: a MIP this size would not finish either; keep the start.
            objective = float(program.cost @ incumbent)
            placed = {u: j for (u, j), col in program.x.items() if incumbent[col] > 0.5}
            return _Outcome(
                placed=placed,
                bound=_simple_bound(model, component),
                status=f"fallback: {source}",
                objective=objective,
            )

    best: _Outcome | None = None
    for _round in range(3):
        outcome, values, objective = _run_restricted(
            model, component, program, keep, incumbent, deadline, mip_rel_gap
        )
        outcome.duals = duals
        if values is None:
            if best is not None:
                return best
            outcome.status = f"fallback: {source}"
            outcome.bound = min(lp_bound, outcome.bound)
            return outcome
        best = outcome
        # An optimal solution that uses no left-out placement has no use for the left-out
        # "would be alone" columns either (their placement is 0), so only placements count.
        left_out = ~keep & program.is_x
        left_out_bound = lp_bound + float(reduced[left_out].max()) if left_out.any() else -math.inf
        outcome.bound = min(lp_bound, max(outcome.bound, left_out_bound))
        tolerance = max(abs(objective) * mip_rel_gap, 1e-6)
        if outcome.status == "optimal" and left_out_bound > objective + tolerance:
            outcome.status = "time_limit"
        if outcome.status != "time_limit" or not left_out.any():
            return outcome
        # Not proven: take in every column that could still beat the solution found, if few
        # enough and time remains, and solve again from that solution.
        wider = keep | (program.is_x & (reduced >= objective - lp_bound - tolerance))
        if wider.sum() > 3 * RESTRICTED_COLUMNS + (~program.is_x).sum():
            return outcome
        if deadline - time.perf_counter() < 0.2 * time_limit:
            return outcome
        keep, incumbent = _with_owned(program, wider), values
    assert best is not None
    return best


def _round_lp(
    model: _Model, component: _Component, program: _Program, lp: npt.NDArray[np.float64]
) -> dict[int, int]:
    """Placements read off the LP relaxation: units take their most-used group while seats
    last (largest LP value first), planned groups below their minimum stay closed, then the
    units left over take the best open group that still has a seat."""
    groups, units = model.groups, model.units
    seats = {j: groups[j].free for j in component.groups}
    members_in: dict[int, set[int]] = {}
    placed: dict[int, int] = {}
    locked_groups: set[int] = set()

    def fits(u: int, j: int) -> bool:
        return seats[j] >= units[u].size and not (units[u].apart & members_in.get(j, set()))

    def place(u: int, j: int) -> None:
        seats[j] -= units[u].size
        members_in.setdefault(j, set()).update(units[u].members)
        placed[u] = j

    for u in component.units:
        locked = units[u].locked
        if locked is not None:
            place(u, locked)
            locked_groups.add(locked)
    order = sorted(
        (
            (-float(lp[col]), -float(program.cost[col]), u, groups[j].id, j)
            for (u, j), col in program.x.items()
            if lp[col] > 1e-6 and units[u].locked is None
        ),
    )
    for _neg_lp, _neg_value, u, _gid, j in order:
        if u not in placed and fits(u, j):
            place(u, j)
    count: dict[int, int] = {}
    for u, j in placed.items():
        count[j] = count.get(j, 0) + units[u].size
    for j, n in count.items():
        group = groups[j]
        if group.planned and j not in locked_groups and group.taken + n < group.min_size:
            for u in [u for u, k in placed.items() if k == j]:
                del placed[u]
                seats[j] += units[u].size
                members_in[j].difference_update(units[u].members)
    opened = set(placed.values())
    for u in component.units:
        if u in placed:
            continue
        options = [
            (float(program.cost[program.x[u, j]]), groups[j].id, j)
            for j in model.options(u)
            if (not groups[j].planned or j in opened) and fits(u, j)
        ]
        best = max(options, default=None)
        if best is not None and best[0] > 0:
            place(u, best[2])
    return placed


def _with_owned(program: _Program, keep: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """``keep`` with each "would be alone" column kept exactly when its placement is."""
    owned = program.owner >= 0
    result = keep.copy()
    result[owned] = keep[program.owner[owned]]
    return result


def _run_restricted(
    model: _Model,
    component: _Component,
    program: _Program,
    keep: npt.NDArray[np.bool_],
    incumbent: npt.NDArray[np.float64],
    deadline: float,
    mip_rel_gap: float,
    *,
    with_start: bool = True,
) -> tuple[_Outcome, npt.NDArray[np.float64] | None, float]:
    """Solve the program on the ``keep`` columns from ``incumbent``; the outcome (with the
    restricted problem's own bound), the full column values found, and their objective."""
    highs = _highs(deadline - time.perf_counter(), mip_rel_gap)
    _pass(highs, program, keep, relax=False)
    if with_start:
        initial = highspy.HighsSolution()
        initial.col_value = incumbent[keep]
        highs.setSolution(initial)
    highs.run()
    status = highs.getModelStatus()
    info = highs.getInfo()
    bound, reported = info.mip_dual_bound, info.objective_function_value
    found = info.primal_solution_status == 2  # kSolutionStatusFeasible
    found_values = np.asarray(highs.getSolution().col_value) if found else None
    _release(highs)
    if status == highspy.HighsModelStatus.kInfeasible:
        first = model.people[model.units[component.units[0]].members[0]].id
        raise ValueError(
            "The locks and pairs cannot all be honoured among the people around "
            f"{first!r}; remove a lock or a pair."
        )
    if not math.isfinite(bound):
        bound = _simple_bound(model, component)
    if found_values is None:
        placed = {u: j for (u, j), col in program.x.items() if incumbent[col] > 0.5}
        objective = float(program.cost @ incumbent)
        outcome = _Outcome(placed=placed, bound=bound, status="fallback", objective=objective)
        return outcome, None, objective
    values = np.zeros(program.cost.size, dtype=np.float64)
    values[np.flatnonzero(keep)] = found_values
    objective = float(program.cost @ values)
    if objective < reported - max(abs(reported) * 1e-9, 1e-6):
        # HiGHS 1.16 can report the objective of a better solution it found in presolve's
        # reduced space yet hand back the start it was given; solving again without the
        # start returns the solution it reports.
        if with_start and deadline > time.perf_counter():
            return _run_restricted(
                model,
                component,
                program,
                keep,
                incumbent,
                deadline,
                mip_rel_gap,
                with_start=False,
            )
        status = highspy.HighsModelStatus.kTimeLimit  # the returned solution is not proven
    start_objective = float(program.cost @ incumbent)
    if objective < start_objective:
        values, objective = incumbent, start_objective
        status = highspy.HighsModelStatus.kTimeLimit
    placed = {u: j for (u, j), col in program.x.items() if values[col] > 0.5}
    optimal = status == highspy.HighsModelStatus.kOptimal
    outcome = _Outcome(
        placed=placed,
        bound=bound,
        status="optimal" if optimal else "time_limit",
        objective=objective,
    )
    return outcome, values, objective


def _simple_bound(model: _Model, component: _Component) -> float:
    """A valid, if loose, upper bound: every unit in its best group, seats unlimited."""
    total = 0.0
    for u in component.units:
        unit = model.units[u]
        values = [float(model.value_array[entry]) for _j, entry in model.option_entries(u)]
        total += values[0] if unit.locked is not None else max([*values, 0.0])
    return total


def _dual_bound(model: _Model, units: list[int], outcomes: list[_Outcome]) -> float | None:
    """A valid upper bound for a thinned or cut component, from its pieces' LP duals.

    The pieces' LPs together are the component's LP with some placement columns left out
    (thinned, or in another region). Their row duals, with 0 for rows only a left-out column
    would have, are dual feasible for every column except left-out ones with positive
    reduced cost. Raising each unit's "at most one group" dual by its largest such reduced
    cost ``δ_u`` (and lowering the column-bound duals it makes unnecessary) restores dual
    feasibility, so ``Σ LP + Σ_u (δ_u − saved)`` bounds the whole component's LP and hence
    its MILP. ``None`` when a piece has no LP solution.
    """
    duals = [o.duals for o in outcomes]
    if any(d is None for d in duals):
        return None
    n_units, n_groups = len(model.units), len(model.groups)
    y_unit = np.zeros(n_units, dtype=np.float64)
    y_group = np.zeros(n_groups, dtype=np.float64)
    y_gender = np.zeros((n_groups, max(len(model.gender_code), 1)), dtype=np.float64)
    lp_entries: list[IntArray] = []
    lp_reduced: list[FloatArray] = []
    total = 0.0
    for d in duals:
        assert d is not None
        total += d.objective
        for u, value in d.unit.items():
            y_unit[u] = value
        for j, value in d.group.items():
            y_group[j] = value
        for (j, gender), value in d.gender.items():
            y_gender[j, model.gender_code[gender]] = value
        lp_entries.append(d.entries)
        lp_reduced.append(d.reduced)
    chosen = np.zeros(n_units, dtype=np.bool_)
    chosen[units] = True
    entries = np.flatnonzero(chosen[model.entry_unit])
    eu, ej = model.entry_unit[entries], model.cand[entries]
    size = np.array([unit.size for unit in model.units], dtype=np.float64)[eu]
    rc = model.value_array[entries] - y_unit[eu] - size * y_group[ej]
    code = model.unit_gender[eu]
    known = code >= 0
    rc[known] -= y_gender[ej[known], code[known]]
    for position in np.flatnonzero(size > 1).tolist():
        u, j = int(eu[position]), int(ej[position])
        for i in model.units[u].members:
            member_gender = model.people[i].gender
            if member_gender is not None:
                rc[position] -= y_gender[j, model.gender_code[member_gender]]
    # The columns the LPs had keep the LPs' own reduced costs (they enter more rows).
    had = np.searchsorted(entries, np.concatenate(lp_entries))
    rc[had] = np.concatenate(lp_reduced)
    kept = np.zeros(entries.size, dtype=np.bool_)
    kept[had] = True
    delta = np.zeros(n_units, dtype=np.float64)
    np.maximum.at(delta, eu[~kept], rc[~kept])
    saved = np.maximum(rc[kept], 0) - np.maximum(rc[kept] - delta[eu[kept]], 0)
    return total + float(delta.sum()) - float(saved.sum())


def _lagrangian_bound(model: _Model, units: list[int], target: float, seconds: float) -> float:
    """A valid upper bound for a component from seat prices alone, when LP duals are missing.

    Without minimum sizes, opening costs, wishes and apart-pairs the problem is a
    transportation problem; any seat prices ``p[g] ≥ 0`` give the bound
    ``Σ_g free_g·p[g] + Σ_u max(0, max_g value[u, g] − size_u·p[g])`` (a locked unit counts
    its one value whatever its sign). Subgradient steps towards ``target`` (the objective
    found) tighten it for up to ``seconds``; every step's value is valid, the least is kept.
    """
    deadline = time.perf_counter() + seconds
    chosen = np.zeros(len(model.units), dtype=np.bool_)
    chosen[units] = True
    entries = np.flatnonzero(chosen[model.entry_unit])  # grouped by unit, units ascending
    if entries.size == 0:
        return 0.0
    unit_of_entry = model.entry_unit[entries]
    firsts = np.flatnonzero(np.r_[True, unit_of_entry[1:] != unit_of_entry[:-1]])
    unit_ids = unit_of_entry[firsts]
    group_idx = model.cand[entries]
    value = model.value_array[entries]
    sizes = np.array([model.units[u].size for u in unit_ids.tolist()], dtype=np.float64)
    size = np.repeat(sizes, np.diff(np.r_[firsts, entries.size]))
    locked = np.array([model.units[u].locked is not None for u in unit_ids.tolist()])
    free = np.array([g.free for g in model.groups], dtype=np.float64)
    prices = np.zeros(len(model.groups), dtype=np.float64)
    best, scale = math.inf, 1.0
    while True:
        reduced = value - size * prices[group_idx]
        per_unit = np.maximum.reduceat(reduced, firsts)
        per_unit = np.where(locked, per_unit, np.maximum(per_unit, 0.0))
        bound = float(free @ prices + per_unit.sum())
        if bound < best - 1e-9:
            best = bound
        else:
            scale *= 0.8
        if bound - target <= 1e-9 or time.perf_counter() > deadline or scale < 1e-4:
            return best
        expanded = np.repeat(per_unit, np.diff(np.r_[firsts, entries.size]))
        taken = (reduced >= expanded - 1e-12) & (
            (reduced > 0) | np.repeat(locked, np.diff(np.r_[firsts, entries.size]))
        )
        demand = np.bincount(group_idx[taken], weights=size[taken], minlength=len(free))
        gradient = free - demand
        gradient[(prices <= 0) & (gradient > 0)] = 0.0
        norm = float(gradient @ gradient)
        if norm == 0:
            return best
        prices = np.maximum(prices - scale * (bound - target) / norm * gradient, 0.0)


def solve(instance: Instance, *, time_limit: float = 30.0, mip_rel_gap: float = 1e-4) -> Solution:
    """Propose who joins which group: the MILP's best placements (method ``"milp"``).

    ``time_limit`` (seconds) bounds the whole call (finding the suitable pairs and building
    the answer count against it, but are not cut short); ``mip_rel_gap`` is the relative gap
    at which the proposal counts as optimal. Status is ``"optimal"`` when the gap is within
    it, ``"time_limit"`` otherwise (the best found, with its proven bound and gap),
    ``"time_limit: greedy fallback k/n"`` (or ``LP-rounding fallback``) when HiGHS found
    nothing in time for k of the n components and their starting placements stand in — or
    the whole greedy proposal, if it beats what was found — and ``"empty"`` when nobody has a
    group they could join. Statuses fit in 40 characters. Deterministic: one thread, a fixed
    seed and variables in a fixed order give the same answer for the same input whenever
    every component is solved to optimality. Raises :class:`ValueError` when locks and
    pairs conflict.
    """
    started = time.perf_counter()
    table = candidate_table(instance)
    units = solver_units(table)
    model = _Model(table, units)
    greedy_placed = greedy_assignment(table, units)
    unit_of = {i: u for u, unit in enumerate(units) for i in unit.members}
    start = {unit_of[i]: j for i, j in greedy_placed.items()}

    components: list[_Component] = []
    families: list[list[int]] = []
    for component in model.components():
        if component.columns <= MAX_COMPONENT_COLUMNS:
            components.append(component)
            continue
        pieces = _decompose(model, component, len(families))
        families.append(component.units)
        components.extend(pieces)
        # The greedy start again, within what each unit kept, so it stays feasible there.
        thinned = []
        for u in component.units:
            start.pop(u, None)
            options = set(model.options(u))
            candidates = units[u].candidates
            mask = np.isin(candidates.groups, list(options))
            kept = Candidates(candidates.groups[mask], candidates.km[mask])
            thinned.append(replace(units[u], candidates=kept))
        for i, j in greedy_assignment(table, thinned).items():
            start[unit_of[i]] = j
    # Small first: time they do not need passes on to the large ones.
    components.sort(key=lambda c: (c.columns, c.units[0]))

    outcomes: list[tuple[_Component, _Outcome]] = []
    hard: list[_Component] = []
    for component in components:
        outcome = None if component.family is not None else _trivial(model, component)
        if outcome is None:
            hard.append(component)
        else:
            outcomes.append((component, outcome))
    if hard:
        remaining = sum(c.columns for c in hard)
        for component in hard:
            left = time_limit * (1 - _RESERVE_FRACTION) - (time.perf_counter() - started)
            share = max(left, 0.0) * component.columns / max(remaining, 1)
            remaining -= component.columns
            outcome = _solve_with_highs(
                model, component, start, time_limit=share, mip_rel_gap=mip_rel_gap
            )
            outcomes.append((component, outcome))
            _trim()  # what this component built is free now; give it back (see _release)

    bound = sum(o.bound for c, o in outcomes if c.family is None)
    for family, family_units in enumerate(families):
        members = [o for c, o in outcomes if c.family == family]
        family_bound = _dual_bound(model, family_units, members)
        if family_bound is None:
            found = sum(o.objective for o in members)
            left = time_limit * (1 - _RESERVE_FRACTION) - (time.perf_counter() - started)
            family_bound = _lagrangian_bound(model, family_units, found, max(left, 1.0))
        bound += family_bound

    people, groups = instance.people, instance.groups
    assignment = {
        people[i].id: groups[j].id
        for _c, o in outcomes
        for u, j in o.placed.items()
        for i in units[u].members
    }
    fallbacks = [
        o.status.removeprefix("fallback: ") for _c, o in outcomes if "fallback" in o.status
    ]
    evaluated = evaluate(instance, assignment)
    baseline = {people[i].id: groups[j].id for i, j in greedy_placed.items()}
    baseline_evaluated = evaluate(instance, baseline)
    if baseline_evaluated[0] > evaluated[0]:
        # Only when time ran out: never propose less than the first-come-first-served way.
        assignment, evaluated = baseline, baseline_evaluated
        fallbacks = ["greedy"] * len(components)
    objective = evaluated[0]
    gap = (max(bound, objective) - objective) / max(abs(objective), 1e-9)
    if not components:
        status = "empty"
    elif gap <= mip_rel_gap:
        status = "optimal"
    elif fallbacks:
        # Short enough for a 40-character status column.
        kind = "greedy" if "greedy" in fallbacks else "LP-rounding"
        status = f"time_limit: {kind} fallback {len(fallbacks)}/{len(components)}"
    else:
        status = "time_limit"
    return solution_from_assignment(
        instance,
        table,
        assignment,
        method="milp",
        status=status,
        bound=bound,
        started=started,
        solver=_highs_version(),
        evaluated=evaluated,
    )
