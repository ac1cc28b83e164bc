"""Synthetic but realistic group-formation instances for the benchmarks.

People and groups are spread over Denmark like its population: a region is drawn in
proportion to its inhabitants, then a postcode of that region uniformly, then (for people)
a point up to ``JITTER_KM`` from the postcode's centroid. Everything else (times, travel
distances, ages, wishes …) follows the shares documented in ``benchmarks/README.md`` and
in the constants below. Seeded and deterministic: the same arguments give the same
instance on every machine.

No personal data: every person is invented; identifiers are ``p000001`` … and ``g00001`` ….
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from spejl.core.formation.model import (
    PARTS_OF_DAY,
    Group,
    Instance,
    Pair,
    PartOfDay,
    Person,
)
from spejl.core.geo import Point, haversine_km

POSTCODES_CSV = Path(__file__).resolve().parents[1] / "spejl" / "data" / "dk_postcodes.csv"

#: Inhabitants per region, Statistics Denmark table FOLK1A, 1 January 2024 (approximate,
#: rounded to thousands). Keys are the regions' official codes.
REGION_POPULATION: dict[str, int] = {
    "1081": 595_000,  # Region Nordjylland
    "1082": 1_355_000,  # Region Midtjylland
    "1083": 1_232_000,  # Region Syddanmark
    "1084": 1_877_000,  # Region Hovedstaden
    "1085": 849_000,  # Region Sjælland
}
CAPITAL_REGION = "1084"

#: People live up to this far from their postcode's centroid (uniform over the disc).
JITTER_KM = 2.0
KM_PER_DEGREE_LAT = 111.32

# --- groups -----------------------------------------------------------------------------
PLANNED_SHARE = 0.30
GROUP_MIN_SIZE = 4
GROUP_MAX_SIZES = ((6, 0.5), (7, 0.2), (8, 0.3))
#: Weekday groups (Monday–Friday) dominate; the rest meet at the weekend.
GROUP_WEEKEND_SHARE = 0.06
GROUP_PARTS: tuple[tuple[PartOfDay, float], ...] = (
    ("morning", 0.15),
    ("afternoon", 0.40),
    ("evening", 0.45),
)
YOUTH_GROUP_SHARE = 0.15
YOUTH_AGES = (16, 25)
ADULT_MIN_AGE = 18
ENGLISH_SHARE = 0.03
STEP_FREE_GROUP_SHARE = 0.60

# --- people -----------------------------------------------------------------------------
AVAILABILITY_SLOTS = (3, 8)
#: Relative weight of a slot when drawing a person's availability.
PART_WEIGHT: dict[PartOfDay, float] = {"morning": 1.0, "afternoon": 2.0, "evening": 3.0}
WEEKEND_WEIGHT = 0.6
TRAVEL_KM = (5.0, 10.0, 15.0, 25.0, 40.0)
#: Shares of ``TRAVEL_KM`` in the capital region (short trips, public transport) and
#: elsewhere (longer distances are normal outside the cities).
TRAVEL_SHARES_CAPITAL = (0.30, 0.30, 0.20, 0.12, 0.08)
TRAVEL_SHARES_ELSEWHERE = (0.10, 0.20, 0.25, 0.25, 0.20)
#: (lowest age, highest age, share): ages are uniform within a band.
AGE_BANDS = ((16, 25, 0.20), (26, 44, 0.25), (45, 64, 0.30), (65, 90, 0.25))
GENDERS = (("woman", 0.60), ("man", 0.38), ("other", 0.02))
WISH_SHARES = (("not_only_gender", 0.15), ("age_close", 0.20))
MAX_DAYS_WAITED = 300
NEEDS_STEP_FREE_SHARE = 0.10
#: Pairs per person: came together (must be placed together) and must be kept apart.
TOGETHER_PAIR_RATE = 0.01
APART_PAIR_RATE = 0.005


@dataclass(frozen=True)
class Postcode:
    postcode: str
    town: str
    lat: float
    lon: float


@cache
def postcodes_by_region() -> dict[str, tuple[Postcode, ...]]:
    """Postcodes with a centroid of their own (``coordinate_source == "postcode area"``),
    per region code; a postcode spanning two regions belongs to both."""
    regions: dict[str, list[Postcode]] = {code: [] for code in REGION_POPULATION}
    with POSTCODES_CSV.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["coordinate_source"] != "postcode area":
                continue
            postcode = Postcode(row["postcode"], row["town"], float(row["lat"]), float(row["lon"]))
            for code in row["region_codes"].split("|"):
                if code in regions:
                    regions[code].append(postcode)
    return {code: tuple(sorted(pcs, key=lambda p: p.postcode)) for code, pcs in regions.items()}


def _pick[T](rng: random.Random, options: Sequence[tuple[T, float]]) -> T:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def postcodes_near(around: str, radius_km: float) -> dict[str, tuple[Postcode, ...]]:
    """:func:`postcodes_by_region` restricted to centroids within ``radius_km`` of the
    postcode ``around``'s centroid (regions left without any are dropped)."""
    regions = postcodes_by_region()
    centre = next((p for pcs in regions.values() for p in pcs if p.postcode == around), None)
    if centre is None:
        raise ValueError(f"postcode {around} has no centroid of its own")
    here = Point(centre.lat, centre.lon)
    near = {
        code: tuple(p for p in pcs if haversine_km(here, Point(p.lat, p.lon)) <= radius_km)
        for code, pcs in regions.items()
    }
    return {code: pcs for code, pcs in near.items() if pcs}


class _Generator:
    def __init__(self, seed: int, postcodes: dict[str, tuple[Postcode, ...]]) -> None:
        # Not cryptographic: a reproducible stream of synthetic data.
        self.rng = random.Random(seed)  # noqa: S311
        self.postcodes = postcodes
        self.regions = sorted(postcodes)
        self.region_weights = [REGION_POPULATION[r] for r in self.regions]

    def region(self) -> str:
        return self.rng.choices(self.regions, weights=self.region_weights)[0]

    def postcode(self, region: str) -> Postcode:
        return self.rng.choice(self.postcodes[region])

    def jitter(self, lat: float, lon: float, km: float) -> tuple[float, float]:
        distance = km * math.sqrt(self.rng.random())
        angle = self.rng.uniform(0.0, 2.0 * math.pi)
        dlat = distance * math.cos(angle) / KM_PER_DEGREE_LAT
        dlon = distance * math.sin(angle) / (KM_PER_DEGREE_LAT * math.cos(math.radians(lat)))
        return round(lat + dlat, 6), round(lon + dlon, 6)

    def age(self, low: int = 16, high: int = 90) -> int:
        bands = [(lo, hi, w) for lo, hi, w in AGE_BANDS if hi >= low and lo <= high]
        lo, hi, _ = self.rng.choices(bands, weights=[w for _, _, w in bands])[0]
        return self.rng.randint(max(lo, low), min(hi, high))

    def gender(self) -> str:
        return _pick(self.rng, GENDERS)

    def availability(self) -> frozenset[tuple[int, PartOfDay]]:
        slots = [(day, part) for day in range(7) for part in PARTS_OF_DAY]
        weights = [PART_WEIGHT[p] * (WEEKEND_WEIGHT if d >= 5 else 1.0) for d, p in slots]
        chosen: set[tuple[int, PartOfDay]] = set()
        wanted = self.rng.randint(*AVAILABILITY_SLOTS)
        while len(chosen) < wanted:
            i = self.rng.choices(range(len(slots)), weights=weights)[0]
            chosen.add(slots[i])
            weights[i] = 0.0
        return frozenset(chosen)

    def group(self, index: int) -> Group:
        rng = self.rng
        region = self.region()
        where = self.postcode(region)
        planned = rng.random() < PLANNED_SHARE
        max_size = _pick(rng, GROUP_MAX_SIZES)
        youth = rng.random() < YOUTH_GROUP_SHARE
        age_min, age_max = YOUTH_AGES if youth else (ADULT_MIN_AGE, None)
        weekend = rng.random() < GROUP_WEEKEND_SHARE
        # Seats already held in a recruiting group; at least two stay free.
        taken = 0 if planned else rng.randint(0, max_size - 2)
        return Group(
            id=f"g{index:05d}",
            lat=where.lat,
            lon=where.lon,
            weekday=rng.randint(5, 6) if weekend else rng.randint(0, 4),
            part_of_day=_pick(rng, GROUP_PARTS),
            target="youth" if youth else "adults",
            min_size=GROUP_MIN_SIZE,
            max_size=max_size,
            taken=taken,
            planned=planned,
            age_min=age_min,
            age_max=age_max,
            language="en" if rng.random() < ENGLISH_SHARE else "da",
            step_free=rng.random() < STEP_FREE_GROUP_SHARE,
            organisation=region,
            member_genders=tuple(self.gender() for _ in range(taken)),
            member_ages=tuple(self.age(age_min, age_max or 90) for _ in range(taken)),
        )

    def person(
        self,
        index: int,
        *,
        near: tuple[str, float, float] | None = None,
        age: int | None = None,
        availability: frozenset[tuple[int, PartOfDay]] | None = None,
        language: str | None = None,
    ) -> Person:
        """A person; ``near`` = (region, lat, lon) places them within 1 km of someone."""
        rng = self.rng
        if near is None:
            region = self.region()
            where = self.postcode(region)
            lat, lon = self.jitter(where.lat, where.lon, JITTER_KM)
        else:
            region, base_lat, base_lon = near
            lat, lon = self.jitter(base_lat, base_lon, 1.0)
        if age is None:
            age = self.age()
        shares = TRAVEL_SHARES_CAPITAL if region == CAPITAL_REGION else TRAVEL_SHARES_ELSEWHERE
        targets = set()
        if age <= YOUTH_AGES[1]:
            targets.add("youth")
        if age >= ADULT_MIN_AGE:
            targets.add("adults")
        return Person(
            id=f"p{index:06d}",
            lat=lat,
            lon=lon,
            availability=availability if availability is not None else self.availability(),
            max_travel_km=rng.choices(TRAVEL_KM, weights=shares)[0],
            targets=frozenset(targets),
            age=age,
            language=language or ("en" if rng.random() < ENGLISH_SHARE else "da"),
            needs_step_free=rng.random() < NEEDS_STEP_FREE_SHARE,
            gender=self.gender(),
            wishes=frozenset(w for w, share in WISH_SHARES if rng.random() < share),
            days_waited=rng.randint(0, MAX_DAYS_WAITED),
            organisation=region,
        )


def make_instance(
    people: int,
    groups: int,
    seed: int = 1,
    *,
    around: str | None = None,
    radius_km: float = 20.0,
) -> Instance:
    """A seeded, deterministic instance of ``people`` waitlisted people and ``groups``
    groups spread over Denmark, with about 1 % come-together pairs and 0.5 % keep-apart
    pairs. With ``around`` (a postcode, e.g. ``"8000"``) everything lies in the postcodes
    within ``radius_km`` of it instead: one organisation's area. Touches no real personal
    data: everyone in it is invented."""
    if people < 0 or groups < 0:
        raise ValueError("people and groups must not be negative")
    postcodes = postcodes_by_region() if around is None else postcodes_near(around, radius_km)
    gen = _Generator(seed, postcodes)
    group_list = [gen.group(j + 1) for j in range(groups)]
    person_list = [gen.person(i + 1) for i in range(people)]

    n_together = round(people * TOGETHER_PAIR_RATE)
    n_apart = round(people * APART_PAIR_RATE)
    # Each pair uses two distinct people, and nobody is in two pairs.
    n_pairs = min(n_together + n_apart, people // 2)
    chosen = gen.rng.sample(range(people), 2 * n_pairs)
    pairs: list[Pair] = []
    for k in range(n_pairs):
        i, j = chosen[2 * k], chosen[2 * k + 1]
        a = person_list[i]
        near = (a.organisation, a.lat, a.lon)
        if k < n_together:
            # People who come together live close by, are of about an age and can come
            # at the same times, in the same language; otherwise no coordinator would pair them.
            age = min(90, max(16, (a.age or 40) + gen.rng.randint(-5, 5)))
            person_list[j] = gen.person(
                j + 1, near=near, age=age, availability=a.availability, language=a.language
            )
        else:
            # Keep-apart pairs only matter where the two could meet in the same group.
            person_list[j] = gen.person(j + 1, near=near)
        pairs.append(Pair(a=a.id, b=person_list[j].id, together=k < n_together))

    return Instance(people=tuple(person_list), groups=tuple(group_list), pairs=tuple(pairs))
