"""Tests for great-circle distances and nearest places in :mod:`spejl.core.geo`."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spejl.core.geo import EARTH_RADIUS_KM, Nearby, Point, haversine_km, nearest

latitudes = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, allow_nan=False)
points = st.builds(Point, latitudes, longitudes)
# Denmark, roughly: where Spejl's postcodes, venues and organisations lie.
danish_points = st.builds(
    Point,
    st.floats(min_value=54.5, max_value=57.8, allow_nan=False),
    st.floats(min_value=8.0, max_value=15.2, allow_nan=False),
)

AARHUS_C = Point(56.14843, 10.20451)
KOBENHAVN_O = Point(55.70699, 12.57222)
AALBORG = Point(57.08211, 9.82877)
ODENSE_C = Point(55.40922, 10.39400)


def test_known_danish_distances() -> None:
    # Reference values: Vincenty's inverse formula on the WGS 84 ellipsoid. The sphere stays
    # within 0.5 % of them.
    assert haversine_km(AARHUS_C, KOBENHAVN_O) == pytest.approx(155.94, rel=0.005)
    assert haversine_km(AARHUS_C, AALBORG) == pytest.approx(106.50, rel=0.005)
    assert haversine_km(AARHUS_C, ODENSE_C) == pytest.approx(83.16, rel=0.005)


def test_one_degree_of_latitude_is_about_111_km() -> None:
    assert haversine_km(Point(55, 10), Point(56, 10)) == pytest.approx(111.2, abs=0.1)


def test_antipodes_are_half_the_circumference_apart() -> None:
    assert haversine_km(Point(0, 0), Point(0, 180)) == pytest.approx(math.pi * EARTH_RADIUS_KM)
    assert haversine_km(Point(90, 0), Point(-90, 0)) == pytest.approx(math.pi * EARTH_RADIUS_KM)


@pytest.mark.parametrize(
    ("latitude", "longitude"), [(91, 0), (-90.5, 0), (0, 180.1), (0, -181), (math.nan, 0)]
)
def test_a_point_outside_the_globe_is_refused(latitude: float, longitude: float) -> None:
    with pytest.raises(ValueError):
        Point(latitude, longitude)


@given(points)
def test_distance_to_itself_is_zero(a: Point) -> None:
    assert haversine_km(a, a) == pytest.approx(0.0, abs=1e-6)


@given(points, points)
def test_distance_is_symmetric_and_bounded(a: Point, b: Point) -> None:
    d = haversine_km(a, b)
    assert 0.0 <= d <= math.pi * EARTH_RADIUS_KM + 1e-6
    assert d == pytest.approx(haversine_km(b, a), abs=1e-6)


@given(points, points, points)
def test_triangle_inequality(a: Point, b: Point, c: Point) -> None:
    assert haversine_km(a, c) <= haversine_km(a, b) + haversine_km(b, c) + 1e-6


@given(danish_points, st.floats(min_value=0.001, max_value=1.0))
def test_moving_further_north_along_a_meridian_increases_the_distance(
    a: Point, step: float
) -> None:
    b = Point(a.latitude + step, a.longitude)
    c = Point(a.latitude + 2 * step, a.longitude)
    assert haversine_km(a, b) < haversine_km(a, c)


@given(st.lists(danish_points, max_size=30), danish_points, st.integers(min_value=0, max_value=40))
def test_nearest_returns_the_k_closest_in_order(places: list[Point], origin: Point, k: int) -> None:
    keyed = list(enumerate(places))
    result = nearest(keyed, origin, k)
    assert len(result) == min(k, len(places))
    distances = [r.distance_km for r in result]
    assert distances == sorted(distances)
    # Every point left out is at least as far as the furthest one returned.
    chosen = {r.key for r in result}
    if result:
        for key, place in keyed:
            if key not in chosen:
                assert haversine_km(origin, place) >= distances[-1]
    # It agrees with a brute-force stable sort.
    expected = sorted(keyed, key=lambda kp: haversine_km(origin, kp[1]))[:k]
    assert [r.key for r in result] == [key for key, _place in expected]


@given(danish_points, st.integers(min_value=1, max_value=5))
def test_nearest_keeps_input_order_for_equal_distances(origin: Point, k: int) -> None:
    same_place = Point(55.0, 10.0)
    result = nearest([("b", same_place), ("a", same_place), ("c", same_place)], origin, k)
    assert [r.key for r in result] == ["b", "a", "c"][:k]


def test_nearest_finds_the_closest_organisation() -> None:
    organisations = [("aarhus", AARHUS_C), ("odense", ODENSE_C), ("aalborg", AALBORG)]
    assert nearest(organisations, Point(57.05, 9.92), 1) == [
        Nearby(key="aalborg", distance_km=pytest.approx(7.0, abs=1.0))
    ]
    assert nearest([], AARHUS_C, 3) == []


def test_nearest_refuses_a_negative_k() -> None:
    with pytest.raises(ValueError):
        nearest([("x", AARHUS_C)], AARHUS_C, -1)
