"""Where a new group would help most: for people no existing group can take, the site, day,
time, target and language that would let the most of them start together.

Personal data touched: the solver view of waitlisted people (coordinates, availability,
travel distance, targets, language, access needs, days waited). Pure Python and numpy; no
Django import.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from spejl.core.formation.feasibility import haversine_matrix_km
from spejl.core.formation.model import PARTS_OF_DAY, PartOfDay, Person

__all__ = ["GroupSuggestion", "Site", "suggest_new_groups"]


@dataclass(frozen=True)
class Site:
    """A place a group could meet (a venue the organisation can use)."""

    id: str
    lat: float
    lon: float
    label: str = ""


@dataclass(frozen=True)
class GroupSuggestion:
    """A new group worth starting: where, when, for whom, and who could join.

    ``person_ids`` are the people proposed for it (at most ``max_size``, longest waiting
    first); ``count`` is how many people in all it would suit, and ``step_free_needed`` how
    many of ``person_ids`` need step-free access (the site must offer it for them).
    """

    site_id: str
    weekday: int
    part_of_day: PartOfDay
    target: str
    language: str
    step_free_needed: int
    person_ids: tuple[str, ...]
    count: int


_Key = tuple[int, int, int, str, str]  # (site position, weekday, part index, target, language)


def suggest_new_groups(
    people: Sequence[Person],
    sites: Sequence[Site],
    *,
    min_size: int = 4,
    max_size: int = 8,
    limit: int = 5,
) -> list[GroupSuggestion]:
    """Up to ``limit`` new groups, greedily covering as many of ``people`` as possible.

    A new group at a site on a weekday and part of day, for a target and a language, suits a
    person when the site is within their travel distance, they can come then, the target is
    one they fit and the language is theirs (a new group has no age band; step-free access is
    counted, not required). Each round picks the group that suits the most people still left
    (ties: site order, weekday, part of day, target, language), proposes up to ``max_size`` of
    them, longest waiting first (ties by id), and removes them; it stops when the best suits
    fewer than ``min_size``.
    """
    if not people or not sites or limit <= 0:
        return []
    part_index = {part: k for k, part in enumerate(PARTS_OF_DAY)}
    plat = np.array([p.lat for p in people], dtype=np.float64)
    plon = np.array([p.lon for p in people], dtype=np.float64)
    slat = np.array([s.lat for s in sites], dtype=np.float64)
    slon = np.array([s.lon for s in sites], dtype=np.float64)
    limit_km = np.array([p.max_travel_km for p in people], dtype=np.float64)

    keys_of: list[set[_Key]] = []
    for lo in range(0, len(people), 1000):  # in slices, to keep the distance matrix small
        hi = min(lo + 1000, len(people))
        km = np.round(haversine_matrix_km(plat[lo:hi], plon[lo:hi], slat, slon), 1)
        reach = km <= limit_km[lo:hi, None]
        for i in range(lo, hi):
            person = people[i]
            slots = sorted((d, part_index[part]) for d, part in person.availability)
            keys_of.append(
                {
                    (int(s), d, part, target, person.language)
                    for s in np.flatnonzero(reach[i - lo]).tolist()
                    for d, part in slots
                    for target in person.targets
                }
            )
    counts: Counter[_Key] = Counter(key for keys in keys_of for key in keys)
    left = set(range(len(people)))
    suggestions: list[GroupSuggestion] = []
    while counts and len(suggestions) < limit:
        key, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
        if count < min_size:
            break
        fitting = sorted(
            (i for i in left if key in keys_of[i]),
            key=lambda i: (-people[i].days_waited, people[i].id),
        )
        chosen = fitting[:max_size]
        for i in chosen:
            left.discard(i)
            counts.subtract(keys_of[i])
        counts = +counts  # drop keys nobody is left for
        site, weekday, part, target, language = key
        suggestions.append(
            GroupSuggestion(
                site_id=sites[site].id,
                weekday=weekday,
                part_of_day=PARTS_OF_DAY[part],
                target=target,
                language=language,
                step_free_needed=sum(1 for i in chosen if people[i].needs_step_free),
                person_ids=tuple(people[i].id for i in chosen),
                count=count,
            )
        )
    return suggestions
