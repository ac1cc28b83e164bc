"""Tests for :mod:`spejl.core.exports.deidentify`: options, age bands, place, date shifts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spejl.core.exports.deidentify import (
    AGE_BANDS,
    DeidentifyOptions,
    Place,
    age_band,
    age_band_of,
    age_in_year,
    coarsen_place,
    shift_date,
)
from spejl.core.instruments import load_instrument

BACKGROUND = load_instrument(
    Path(__file__).resolve().parents[2] / "instruments" / "background.v1.json"
)
ON = date(2025, 6, 1)
PLACES = {"8000": Place("Aarhus", "1082"), "0800": Place("Høje-Taastrup", "Region Hovedstaden")}


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (15, None),
        (16, "16–17"),
        (17, "16–17"),
        (18, "18–24"),
        (24, "18–24"),
        (25, "25–34"),
        (34, "25–34"),
        (35, "35–44"),
        (44, "35–44"),
        (45, "45–54"),
        (54, "45–54"),
        (55, "55–64"),
        (64, "55–64"),
        (65, "65–74"),
        (74, "65–74"),
        (75, "75+"),
        (105, "75+"),
    ],
)
def test_age_band_edges(age: int, band: str | None) -> None:
    assert age_band(ON.year - age, ON) == band


def test_age_counts_the_age_reached_in_the_year() -> None:
    # Born in 2008: 17 on 1 January 2025 or 31 December 2025 alike (only the year is kept).
    assert age_in_year(2008, date(2025, 1, 1)) == 17
    assert age_band(2008, date(2025, 12, 31)) == "16–17"
    assert age_band(2007, date(2025, 1, 1)) == "18–24"


def test_unknown_or_future_birth_year_has_no_band() -> None:
    assert age_band(None, ON) is None
    assert age_band(ON.year + 1, ON) is None
    assert age_band_of(ON.year, ON) is None


def test_age_bands_are_the_background_questionnaires_codes_and_labels() -> None:
    item = BACKGROUND.item("bg_age_band")
    assert [(o.score, o.label.da, o.label.en) for o in item.options] == [
        (band.code, band.label_da, band.label_en) for band in AGE_BANDS
    ]


@given(st.integers(min_value=1900, max_value=2025), st.integers(min_value=1900, max_value=2025))
def test_older_people_never_get_a_younger_band(first: int, second: int) -> None:
    older, younger = min(first, second), max(first, second)
    a, b = age_band_of(older, ON), age_band_of(younger, ON)
    if a is not None and b is not None:
        assert a.code >= b.code
    if b is not None:
        assert a is not None


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("municipality", ("Aarhus", "Region Midtjylland")),
        ("region", (None, "Region Midtjylland")),
        ("none", (None, None)),
    ],
)
def test_place_is_kept_to_the_chosen_level(level: str, expected: tuple[str | None, ...]) -> None:
    assert coarsen_place("8000", PLACES, level) == expected  # type: ignore[arg-type]


def test_place_passes_a_region_name_through_and_unknown_postcodes_are_missing() -> None:
    assert coarsen_place("0800", PLACES, "region") == (None, "Region Hovedstaden")
    assert coarsen_place("9999", PLACES, "municipality") == (None, None)
    assert coarsen_place(None, PLACES, "municipality") == (None, None)


def test_options_default_to_the_cautious_choice() -> None:
    options = DeidentifyOptions()
    assert options.drop_free_text and options.shift_dates
    assert (options.age, options.place) == ("band", "region")


def test_options_refuse_unknown_values() -> None:
    with pytest.raises(ValueError, match="age must be one of"):
        DeidentifyOptions(age="exact")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="place must be one of"):
        DeidentifyOptions(place="postcode")  # type: ignore[arg-type]


def test_shift_date_moves_back_and_keeps_missing() -> None:
    assert shift_date(date(2025, 1, 10), -10) == date(2024, 12, 31)
    assert shift_date(None, -10) is None
