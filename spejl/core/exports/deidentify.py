"""De-identification options for a delivery, modelled on REDCap's export options.

REDCap lets the person exporting remove free-text fields, shift dates, and remove or coarsen
identifiers. Spejl's research data hold no names or contact data to begin with (the export
replaces the participant by a keyed pseudonym, :mod:`.pseudonym`); what remains to coarsen is
what could still single a person out:

* **free text** (open answers may name people or places) — dropped by default;
* **dates** (answer dates) — shifted back by 1–364 days per participant by default;
* **age** — exported as a band (the background questionnaire's ``bg_age_band`` bands and codes)
  or as the birth year;
* **place** — from the person's postcode to the municipality, the region, or nothing.

Pure Python: no Django import. The functions take birth years, postcodes and dates (personal
data) and return coarser values; they store nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

AgeOption = Literal["band", "year"]
PlaceOption = Literal["municipality", "region", "none"]
AGE_OPTIONS: Final[tuple[AgeOption, ...]] = ("band", "year")
PLACE_OPTIONS: Final[tuple[PlaceOption, ...]] = ("municipality", "region", "none")


@dataclass(frozen=True)
class DeidentifyOptions:
    """What a delivery coarsens or leaves out. The defaults are the cautious choice."""

    drop_free_text: bool = True
    shift_dates: bool = True
    age: AgeOption = "band"
    place: PlaceOption = "region"

    def __post_init__(self) -> None:
        if self.age not in AGE_OPTIONS:
            raise ValueError(f"age must be one of {AGE_OPTIONS}, not {self.age!r}")
        if self.place not in PLACE_OPTIONS:
            raise ValueError(f"place must be one of {PLACE_OPTIONS}, not {self.place!r}")


@dataclass(frozen=True)
class AgeBand:
    """One age band: its code (as ``bg_age_band`` codes it), its ages and its labels."""

    code: int
    low: int
    high: int | None
    label_da: str
    label_en: str

    @property
    def text(self) -> str:
        """The band as ``"16–17"`` or ``"75+"``."""
        return f"{self.low}+" if self.high is None else f"{self.low}–{self.high}"


#: The bands and codes of ``bg_age_band`` in ``spejl/instruments/background.v1.json``.
AGE_BANDS: Final[tuple[AgeBand, ...]] = (
    AgeBand(1, 16, 17, "16–17 år", "16–17 years"),
    AgeBand(2, 18, 24, "18–24 år", "18–24 years"),
    AgeBand(3, 25, 34, "25–34 år", "25–34 years"),
    AgeBand(4, 35, 44, "35–44 år", "35–44 years"),
    AgeBand(5, 45, 54, "45–54 år", "45–54 years"),
    AgeBand(6, 55, 64, "55–64 år", "55–64 years"),
    AgeBand(7, 65, 74, "65–74 år", "65–74 years"),
    AgeBand(8, 75, None, "75 år eller derover", "75 years or over"),
)

#: The official names of the five Danish regions by region code (Danmarks Statistik / DAGI).
REGION_NAMES: Final[Mapping[str, str]] = {
    "1081": "Region Nordjylland",
    "1082": "Region Midtjylland",
    "1083": "Region Syddanmark",
    "1084": "Region Hovedstaden",
    "1085": "Region Sjælland",
}


def age_in_year(birth_year: int | None, on: date) -> int | None:
    """The age a person born in ``birth_year`` reaches in the calendar year of ``on``.

    Spejl keeps the birth year, not the birth date, so this can be one year more than the
    person's age on the day. ``None`` for an unknown birth year or one after ``on``.
    """
    if birth_year is None or birth_year > on.year:
        return None
    return on.year - birth_year


def age_band_of(birth_year: int | None, on: date) -> AgeBand | None:
    """The :data:`AGE_BANDS` band of the age reached in ``on``'s year (:func:`age_in_year`);
    ``None`` when the birth year is unknown or the age is under 16 (below the service's
    youngest group, so most likely a typing slip)."""
    age = age_in_year(birth_year, on)
    if age is None:
        return None
    for band in AGE_BANDS:
        if age >= band.low and (band.high is None or age <= band.high):
            return band
    return None


def age_band(birth_year: int | None, on: date) -> str | None:
    """The age band as text (``"16–17"`` … ``"75+"``), see :func:`age_band_of`."""
    band = age_band_of(birth_year, on)
    return None if band is None else band.text


@dataclass(frozen=True)
class Place:
    """Where a postcode lies: its (main) municipality and its region (name or region code)."""

    municipality: str
    region: str


def region_name(region: str) -> str:
    """A region's name; a region code (``"1084"``) becomes its official name."""
    return REGION_NAMES.get(region, region)


def coarsen_place(
    postcode: str | None, places: Mapping[str, Place], level: PlaceOption
) -> tuple[str | None, str | None]:
    """``(municipality, region)`` of ``postcode`` kept to ``level``.

    ``"municipality"`` keeps both, ``"region"`` only the region, ``"none"`` neither. A postcode
    missing from ``places`` (or ``None``) gives ``(None, None)``. Region codes become names.
    """
    if level not in PLACE_OPTIONS:
        raise ValueError(f"level must be one of {PLACE_OPTIONS}, not {level!r}")
    if level == "none" or postcode is None:
        return (None, None)
    place = places.get(postcode.strip())
    if place is None:
        return (None, None)
    region = region_name(place.region) or None
    if level == "region":
        return (None, region)
    return (place.municipality or None, region)


def shift_date(day: date | None, offset_days: int) -> date | None:
    """``day`` moved by ``offset_days`` (negative: back), or ``None``."""
    return None if day is None else day + timedelta(days=offset_days)
