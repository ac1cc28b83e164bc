"""Tests for the Danish holiday calendar in :mod:`spejl.core.holidays`."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spejl.core.holidays import (
    FIRST_SUPPORTED_YEAR,
    LAST_SUPPORTED_YEAR,
    Holiday,
    danish_customary_days,
    danish_holidays,
    danish_public_holidays,
    easter_sunday,
    is_danish_holiday,
)

years = st.integers(min_value=FIRST_SUPPORTED_YEAR, max_value=LAST_SUPPORTED_YEAR)
days_in_range = st.dates(
    min_value=date(FIRST_SUPPORTED_YEAR, 1, 1), max_value=date(LAST_SUPPORTED_YEAR, 12, 31)
)

MONDAY, THURSDAY, FRIDAY, SUNDAY = 0, 3, 4, 6


def knuth_easter(year: int) -> date:
    """Independent oracle: Knuth's Gregorian Easter (TAOCP vol. 1, 1.3.2 ex. 14)."""
    golden = year % 19 + 1
    century = year // 100 + 1
    skipped_leap_days = 3 * century // 4 - 12
    moon_correction = (8 * century + 5) // 25 - 5
    sunday = 5 * year // 4 - skipped_leap_days - 10
    epact = (11 * golden + 20 + moon_correction - skipped_leap_days) % 30
    if (epact == 25 and golden > 11) or epact == 24:
        epact += 1
    full_moon = 44 - epact
    if full_moon < 21:
        full_moon += 30
    day = full_moon + 7 - (sunday + full_moon) % 7
    return date(year, 4, day - 31) if day > 31 else date(year, 3, day)


def names(holidays: dict[date, Holiday]) -> dict[date, str]:
    return {day: holiday.name_da for day, holiday in holidays.items()}


# --- Easter ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (1900, date(1900, 4, 15)),
        (1913, date(1913, 3, 23)),
        (1943, date(1943, 4, 25)),
        (2000, date(2000, 4, 23)),
        (2008, date(2008, 3, 23)),
        (2011, date(2011, 4, 24)),
        (2022, date(2022, 4, 17)),
        (2023, date(2023, 4, 9)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2030, date(2030, 4, 21)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_easter_sunday_matches_published_dates(year: int, expected: date) -> None:
    assert easter_sunday(year) == expected


@given(years)
def test_easter_sunday_is_a_sunday_between_22_march_and_25_april(year: int) -> None:
    easter = easter_sunday(year)
    assert easter.weekday() == SUNDAY
    assert date(year, 3, 22) <= easter <= date(year, 4, 25)


@given(years)
def test_easter_sunday_agrees_with_knuths_independent_algorithm(year: int) -> None:
    assert easter_sunday(year) == knuth_easter(year)


def test_easter_sunday_agrees_with_knuth_for_every_supported_year() -> None:
    for year in range(FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR + 1):
        assert easter_sunday(year) == knuth_easter(year), year


@pytest.mark.parametrize("year", [FIRST_SUPPORTED_YEAR - 1, LAST_SUPPORTED_YEAR + 1, 0, -5])
def test_years_outside_supported_range_are_refused(year: int) -> None:
    with pytest.raises(ValueError, match="outside the supported range"):
        easter_sunday(year)
    with pytest.raises(ValueError, match="outside the supported range"):
        danish_public_holidays(year)
    with pytest.raises(ValueError, match="outside the supported range"):
        danish_customary_days(year)


def test_is_danish_holiday_refuses_dates_outside_supported_years() -> None:
    with pytest.raises(ValueError, match="outside the supported range"):
        is_danish_holiday(date(2201, 1, 1))
    with pytest.raises(ValueError, match="outside the supported range"):
        is_danish_holiday(date(1899, 12, 31), include_customary=False)


# --- Public holidays for concrete years ----------------------------------------------------

PUBLIC_HOLIDAYS = {
    2023: {
        date(2023, 1, 1): "Nytårsdag",
        date(2023, 4, 6): "Skærtorsdag",
        date(2023, 4, 7): "Langfredag",
        date(2023, 4, 9): "Påskedag",
        date(2023, 4, 10): "2. påskedag",
        date(2023, 5, 5): "Store bededag",
        date(2023, 5, 18): "Kristi himmelfartsdag",
        date(2023, 5, 28): "Pinsedag",
        date(2023, 5, 29): "2. pinsedag",
        date(2023, 12, 25): "Juledag",
        date(2023, 12, 26): "2. juledag",
    },
    2024: {
        date(2024, 1, 1): "Nytårsdag",
        date(2024, 3, 28): "Skærtorsdag",
        date(2024, 3, 29): "Langfredag",
        date(2024, 3, 31): "Påskedag",
        date(2024, 4, 1): "2. påskedag",
        date(2024, 5, 9): "Kristi himmelfartsdag",
        date(2024, 5, 19): "Pinsedag",
        date(2024, 5, 20): "2. pinsedag",
        date(2024, 12, 25): "Juledag",
        date(2024, 12, 26): "2. juledag",
    },
    2025: {
        date(2025, 1, 1): "Nytårsdag",
        date(2025, 4, 17): "Skærtorsdag",
        date(2025, 4, 18): "Langfredag",
        date(2025, 4, 20): "Påskedag",
        date(2025, 4, 21): "2. påskedag",
        date(2025, 5, 29): "Kristi himmelfartsdag",
        date(2025, 6, 8): "Pinsedag",
        date(2025, 6, 9): "2. pinsedag",
        date(2025, 12, 25): "Juledag",
        date(2025, 12, 26): "2. juledag",
    },
    2026: {
        date(2026, 1, 1): "Nytårsdag",
        date(2026, 4, 2): "Skærtorsdag",
        date(2026, 4, 3): "Langfredag",
        date(2026, 4, 5): "Påskedag",
        date(2026, 4, 6): "2. påskedag",
        date(2026, 5, 14): "Kristi himmelfartsdag",
        date(2026, 5, 24): "Pinsedag",
        date(2026, 5, 25): "2. pinsedag",
        date(2026, 12, 25): "Juledag",
        date(2026, 12, 26): "2. juledag",
    },
    2027: {
        date(2027, 1, 1): "Nytårsdag",
        date(2027, 3, 25): "Skærtorsdag",
        date(2027, 3, 26): "Langfredag",
        date(2027, 3, 28): "Påskedag",
        date(2027, 3, 29): "2. påskedag",
        date(2027, 5, 6): "Kristi himmelfartsdag",
        date(2027, 5, 16): "Pinsedag",
        date(2027, 5, 17): "2. pinsedag",
        date(2027, 12, 25): "Juledag",
        date(2027, 12, 26): "2. juledag",
    },
    2030: {
        date(2030, 1, 1): "Nytårsdag",
        date(2030, 4, 18): "Skærtorsdag",
        date(2030, 4, 19): "Langfredag",
        date(2030, 4, 21): "Påskedag",
        date(2030, 4, 22): "2. påskedag",
        date(2030, 5, 30): "Kristi himmelfartsdag",
        date(2030, 6, 9): "Pinsedag",
        date(2030, 6, 10): "2. pinsedag",
        date(2030, 12, 25): "Juledag",
        date(2030, 12, 26): "2. juledag",
    },
}


@pytest.mark.parametrize("year", sorted(PUBLIC_HOLIDAYS))
def test_public_holidays_match_the_official_calendar(year: int) -> None:
    holidays = danish_public_holidays(year)
    assert names(holidays) == PUBLIC_HOLIDAYS[year]
    assert list(holidays) == sorted(holidays), "holidays are returned in date order"
    assert {holiday.kind for holiday in holidays.values()} == {"public"}


def test_store_bededag_is_a_public_holiday_in_2023() -> None:
    holiday = is_danish_holiday(date(2023, 5, 5))
    assert holiday == Holiday("Store bededag", "General Prayer Day", "public")


def test_store_bededag_is_no_longer_a_holiday_from_2024() -> None:
    # Easter 2024 is 31 March, so the former Store bededag would have been 26 April.
    assert is_danish_holiday(date(2024, 4, 26)) is None
    for year in range(2024, 2031):
        assert "Store bededag" not in names(danish_public_holidays(year)).values()


def test_store_bededag_was_a_holiday_in_1900() -> None:
    # Easter 1900 is 15 April; 26 days later is Friday 11 May.
    assert names(danish_public_holidays(1900))[date(1900, 5, 11)] == "Store bededag"


def test_ascension_day_2026_is_14_may() -> None:
    holiday = is_danish_holiday(date(2026, 5, 14), include_customary=False)
    assert holiday is not None
    assert (holiday.name_da, holiday.name_en) == ("Kristi himmelfartsdag", "Ascension Day")


def test_whit_monday_2025_is_9_june() -> None:
    holiday = is_danish_holiday(date(2025, 6, 9))
    assert holiday is not None
    assert (holiday.name_da, holiday.name_en, holiday.kind) == (
        "2. pinsedag",
        "Whit Monday",
        "public",
    )


def test_ordinary_day_is_not_a_holiday() -> None:
    assert is_danish_holiday(date(2026, 3, 24)) is None
    assert is_danish_holiday(date(2026, 3, 24), include_customary=False) is None


def test_returned_holiday_dict_is_a_copy_the_caller_may_change() -> None:
    first = danish_public_holidays(2026)
    first.clear()
    assert len(danish_public_holidays(2026)) == 10
    combined = danish_holidays(2026, include_customary=True)
    combined.clear()
    assert len(danish_holidays(2026, include_customary=True)) == 13


def test_holiday_is_immutable() -> None:
    holiday = is_danish_holiday(date(2026, 12, 25))
    assert holiday is not None
    with pytest.raises(AttributeError):
        holiday.name_da = "Noget andet"  # type: ignore[misc]


# --- Customary closing days -----------------------------------------------------------------


def test_customary_days_are_constitution_day_christmas_eve_and_new_years_eve() -> None:
    days = danish_customary_days(2026)
    assert {day: (h.name_da, h.name_en, h.kind) for day, h in days.items()} == {
        date(2026, 6, 5): ("Grundlovsdag", "Constitution Day", "customary"),
        date(2026, 12, 24): ("Juleaftensdag", "Christmas Eve", "customary"),
        date(2026, 12, 31): ("Nytårsaftensdag", "New Year's Eve", "customary"),
    }


def test_customary_days_are_not_public_holidays() -> None:
    public = danish_public_holidays(2026)
    for day in (date(2026, 6, 5), date(2026, 12, 24), date(2026, 12, 31)):
        assert day not in public
        assert is_danish_holiday(day, include_customary=False) is None
        holiday = is_danish_holiday(day)
        assert holiday is not None
        assert holiday.kind == "customary"


def test_danish_holidays_includes_customary_days_only_when_asked() -> None:
    without = danish_holidays(2026, include_customary=False)
    with_customary = danish_holidays(2026, include_customary=True)
    assert without == danish_public_holidays(2026)
    assert set(with_customary) - set(without) == {
        date(2026, 6, 5),
        date(2026, 12, 24),
        date(2026, 12, 31),
    }
    assert list(with_customary) == sorted(with_customary)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2022, 6, 5), "Pinsedag"),  # Easter 2022 was 17 April.
        (date(2017, 6, 5), "2. pinsedag"),  # Easter 2017 was 16 April.
    ],
)
def test_public_holiday_wins_when_constitution_day_falls_on_it(day: date, expected: str) -> None:
    holiday = is_danish_holiday(day)
    assert holiday is not None
    assert (holiday.name_da, holiday.kind) == (expected, "public")
    assert danish_holidays(day.year, include_customary=True)[day].name_da == expected
    assert danish_customary_days(day.year)[day].name_da == "Grundlovsdag"


# --- Properties -----------------------------------------------------------------------------


def _day_named(year: int, name_da: str) -> date:
    (day,) = (d for d, h in danish_public_holidays(year).items() if h.name_da == name_da)
    return day


@given(years)
def test_good_friday_is_always_a_friday(year: int) -> None:
    assert _day_named(year, "Langfredag").weekday() == FRIDAY


@given(years)
def test_maundy_thursday_and_ascension_day_are_always_thursdays(year: int) -> None:
    assert _day_named(year, "Skærtorsdag").weekday() == THURSDAY
    assert _day_named(year, "Kristi himmelfartsdag").weekday() == THURSDAY


@given(years)
def test_easter_monday_and_whit_monday_are_always_mondays(year: int) -> None:
    assert _day_named(year, "2. påskedag").weekday() == MONDAY
    assert _day_named(year, "2. pinsedag").weekday() == MONDAY
    assert _day_named(year, "Pinsedag").weekday() == SUNDAY


@given(years)
def test_movable_holidays_keep_their_distance_from_easter(year: int) -> None:
    easter = easter_sunday(year)
    expected = {
        "Skærtorsdag": -3,
        "Langfredag": -2,
        "Påskedag": 0,
        "2. påskedag": 1,
        "Kristi himmelfartsdag": 39,
        "Pinsedag": 49,
        "2. pinsedag": 50,
    }
    for name_da, offset in expected.items():
        assert _day_named(year, name_da) == easter + timedelta(days=offset)


@given(years)
def test_eleven_public_holidays_up_to_2023_and_ten_from_2024(year: int) -> None:
    holidays = danish_public_holidays(year)
    has_store_bededag = "Store bededag" in names(holidays).values()
    if year <= 2023:
        assert len(holidays) == 11
        assert has_store_bededag
        assert _day_named(year, "Store bededag") == easter_sunday(year) + timedelta(days=26)
        assert _day_named(year, "Store bededag").weekday() == FRIDAY
    else:
        assert len(holidays) == 10
        assert not has_store_bededag


@given(years)
def test_all_holidays_fall_in_the_requested_year(year: int) -> None:
    holidays = danish_holidays(year, include_customary=True)
    assert all(day.year == year for day in holidays)


@given(years)
def test_including_customary_days_adds_them_without_hiding_public_holidays(year: int) -> None:
    public = danish_public_holidays(year)
    combined = danish_holidays(year, include_customary=True)
    customary = danish_customary_days(year)
    assert set(combined) == set(public) | set(customary)
    for day, holiday in combined.items():
        assert holiday == public.get(day, customary.get(day))


@given(days_in_range)
def test_is_danish_holiday_agrees_with_the_yearly_tables(day: date) -> None:
    assert is_danish_holiday(day) == danish_holidays(day.year, include_customary=True).get(day)
    public = danish_public_holidays(day.year)
    assert is_danish_holiday(day, include_customary=False) == public.get(day)
