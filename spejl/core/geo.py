"""Distances on the Earth's surface, and the nearest of a set of places.

Pure Python, no Django. Spejl places postcodes, venues and organisations by a representative
latitude/longitude (WGS 84 degrees) and needs only "how far, roughly": the great-circle
(haversine) distance on a sphere of the Earth's mean radius is within 0.5 % of the true
ellipsoidal distance, far finer than a postcode's own extent.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

__all__ = ["EARTH_RADIUS_KM", "Nearby", "Point", "haversine_km", "nearest"]

#: The Earth's mean radius (IUGG), in kilometres.
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Point:
    """A place in WGS 84 degrees: latitude −90…90, longitude −180…180."""

    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.latitude) and -90.0 <= self.latitude <= 90.0):
            raise ValueError(f"latitude {self.latitude!r} is outside −90…90")
        if not (math.isfinite(self.longitude) and -180.0 <= self.longitude <= 180.0):
            raise ValueError(f"longitude {self.longitude!r} is outside −180…180")


@dataclass(frozen=True)
class Nearby[K: Hashable]:
    """One result of :func:`nearest`: the caller's key and its distance in kilometres."""

    key: K
    distance_km: float


def haversine_km(a: Point, b: Point) -> float:
    """The great-circle distance between ``a`` and ``b`` in kilometres (0 … π·R)."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    # Rounding can push h a hair outside [0, 1] for antipodal or identical points.
    h = min(1.0, max(0.0, h))
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def nearest[K: Hashable](
    points: Iterable[tuple[K, Point]], origin: Point, k: int
) -> list[Nearby[K]]:
    """The ``k`` points closest to ``origin``, nearest first.

    ``points`` are ``(key, Point)`` pairs; the key is returned with the distance. Points at the
    same distance keep their input order, so the result is deterministic. ``k`` larger than the
    number of points returns them all; ``k`` must not be negative.
    """
    if k < 0:
        raise ValueError("k must not be negative")
    measured = (
        (haversine_km(origin, point), index, key) for index, (key, point) in enumerate(points)
    )
    return [
        Nearby(key=key, distance_km=distance)
        for distance, _index, key in heapq.nsmallest(k, measured, key=lambda m: (m[0], m[1]))
    ]
