"""Danish public holidays (helligdage) and customary closing days.

Pure Python, no Django: the schedule generator in :mod:`spejl.core.schedule` uses this module to
decide which weekly meeting slots a self-help group should skip.

Two sets of days are provided:

* **Public holidays** (``kind == "public"``): the days that are holidays by Danish law. Most of
  them move with Easter, which is computed with the anonymous Gregorian algorithm
  (Meeus/Jones/Butcher).
* **Customary closing days** (``kind == "customary"``): Grundlovsdag, Juleaftensdag and
  Nytårsaftensdag. They are *not* public holidays by law, but most volunteer centres close on
  them, so coordinators usually skip them. They are opt-in.

Only the years :data:`FIRST_SUPPORTED_YEAR` to :data:`LAST_SUPPORTED_YEAR` are supported; other
years raise :class:`ValueError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from types import MappingProxyType
from typing import Literal

__all__ = [
    "FIRST_SUPPORTED_YEAR",
    "LAST_STORE_BEDEDAG_YEAR",
    "LAST_SUPPORTED_YEAR",
    "Holiday",
    "HolidayKind",
    "danish_customary_days",
    "danish_holidays",
    "danish_public_holidays",
    "easter_sunday",
    "is_danish_holiday",
]

FIRST_SUPPORTED_YEAR = 1900
"""First year for which holidays can be computed."""

LAST_SUPPORTED_YEAR = 2200
"""Last year for which holidays can be computed."""

# Store bededag (the fourth Friday after Easter) was abolished as a public holiday by
# "Lov om afskaffelse af store bededag som helligdag" (2023), with effect from 2024.
# It is therefore a holiday up to and including 2023 and not from 2024 onwards.
LAST_STORE_BEDEDAG_YEAR = 2023
"""Last year in which Store bededag was a Danish public holiday."""

HolidayKind = Literal["public", "customary"]
"""``"public"`` for a holiday by law, ``"customary"`` for a customary closing day."""


@dataclass(frozen=True, slots=True)
class Holiday:
    """A named Danish holiday or customary closing day.

    Attributes:
        name_da: Danish name, e.g. ``"Kristi himmelfartsdag"``.
        name_en: English name, e.g. ``"Ascension Day"``.
        kind: ``"public"`` for a public holiday by law, ``"customary"`` for a day that is
            not a holiday by law but on which volunteer centres usually close.
    """

    name_da: str
    name_en: str
    kind: HolidayKind


NEW_YEARS_DAY = Holiday("Nytårsdag", "New Year's Day", "public")
MAUNDY_THURSDAY = Holiday("Skærtorsdag", "Maundy Thursday", "public")
GOOD_FRIDAY = Holiday("Langfredag", "Good Friday", "public")
EASTER_SUNDAY = Holiday("Påskedag", "Easter Sunday", "public")
EASTER_MONDAY = Holiday("2. påskedag", "Easter Monday", "public")
GENERAL_PRAYER_DAY = Holiday("Store bededag", "General Prayer Day", "public")
ASCENSION_DAY = Holiday("Kristi himmelfartsdag", "Ascension Day", "public")
WHIT_SUNDAY = Holiday("Pinsedag", "Whit Sunday", "public")
WHIT_MONDAY = Holiday("2. pinsedag", "Whit Monday", "public")
CHRISTMAS_DAY = Holiday("Juledag", "Christmas Day", "public")
BOXING_DAY = Holiday("2. juledag", "Boxing Day", "public")

CONSTITUTION_DAY = Holiday("Grundlovsdag", "Constitution Day", "customary")
CHRISTMAS_EVE = Holiday("Juleaftensdag", "Christmas Eve", "customary")
NEW_YEARS_EVE = Holiday("Nytårsaftensdag", "New Year's Eve", "customary")

# Offsets in days from Easter Sunday of the movable public holidays.
_EASTER_OFFSETS: tuple[tuple[int, Holiday], ...] = (
    (-3, MAUNDY_THURSDAY),
    (-2, GOOD_FRIDAY),
    (0, EASTER_SUNDAY),
    (1, EASTER_MONDAY),
    (26, GENERAL_PRAYER_DAY),
    (39, ASCENSION_DAY),
    (49, WHIT_SUNDAY),
    (50, WHIT_MONDAY),
)


def _check_year(year: int) -> None:
    """Raise :class:`ValueError` unless ``year`` is within the supported range."""
    if not FIRST_SUPPORTED_YEAR <= year <= LAST_SUPPORTED_YEAR:
        raise ValueError(
            f"Year {year} is outside the supported range "
            f"{FIRST_SUPPORTED_YEAR}-{LAST_SUPPORTED_YEAR}."
        )


def easter_sunday(year: int) -> date:
    """Return the date of (Western, Gregorian) Easter Sunday in ``year``.

    Uses the anonymous Gregorian algorithm published by Meeus, Jones and Butcher.

    Raises:
        ValueError: if ``year`` is outside 1900-2200.
    """
    _check_year(year)
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - name from the published algorithm
    m = (a + 11 * h + 22 * l) // 451
    month, day_index = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day_index + 1)


@cache
def _public_holidays(year: int) -> MappingProxyType[date, Holiday]:
    """Return the public holidays of ``year``, sorted by date (cached, read-only)."""
    easter = easter_sunday(year)
    days: dict[date, Holiday] = {
        date(year, 1, 1): NEW_YEARS_DAY,
        date(year, 12, 25): CHRISTMAS_DAY,
        date(year, 12, 26): BOXING_DAY,
    }
    for offset, holiday in _EASTER_OFFSETS:
        if holiday is GENERAL_PRAYER_DAY and year > LAST_STORE_BEDEDAG_YEAR:
            continue
        days[easter + timedelta(days=offset)] = holiday
    return MappingProxyType(dict(sorted(days.items())))


@cache
def _customary_days(year: int) -> MappingProxyType[date, Holiday]:
    """Return the customary closing days of ``year``, sorted by date (cached, read-only)."""
    _check_year(year)
    return MappingProxyType(
        {
            date(year, 6, 5): CONSTITUTION_DAY,
            date(year, 12, 24): CHRISTMAS_EVE,
            date(year, 12, 31): NEW_YEARS_EVE,
        }
    )


def danish_public_holidays(year: int) -> dict[date, Holiday]:
    """Return the Danish public holidays (helligdage) of ``year``, keyed and sorted by date.

    There are 11 public holidays up to and including 2023 and 10 from 2024, when Store bededag
    stopped being a public holiday. The returned dict is a fresh copy the caller may modify.

    Raises:
        ValueError: if ``year`` is outside 1900-2200.
    """
    return dict(_public_holidays(year))


def danish_customary_days(year: int) -> dict[date, Holiday]:
    """Return the customary closing days of ``year`` (not holidays by law), keyed by date.

    These are Grundlovsdag (5 June), Juleaftensdag (24 December) and Nytårsaftensdag
    (31 December).

    Raises:
        ValueError: if ``year`` is outside 1900-2200.
    """
    return dict(_customary_days(year))


def danish_holidays(year: int, *, include_customary: bool) -> dict[date, Holiday]:
    """Return the public holidays of ``year`` and, if asked, the customary closing days.

    When a customary day falls on a public holiday (e.g. Grundlovsdag on Pinsedag, as on
    5 June 2022) the public holiday is the one reported for that date. The result is sorted by
    date.

    Raises:
        ValueError: if ``year`` is outside 1900-2200.
    """
    days = danish_public_holidays(year)
    if include_customary:
        for day, holiday in _customary_days(year).items():
            days.setdefault(day, holiday)
        days = dict(sorted(days.items()))
    return days


def is_danish_holiday(day: date, *, include_customary: bool = True) -> Holiday | None:
    """Return the holiday that falls on ``day``, or ``None`` if it is an ordinary day.

    A public holiday takes precedence over a customary day on the same date.

    Raises:
        ValueError: if ``day`` is outside the years 1900-2200.
    """
    holiday = _public_holidays(day.year).get(day)
    if holiday is None and include_customary:
        holiday = _customary_days(day.year).get(day)
    return holiday
