"""Reading the Danish postcode register shipped in ``spejl/data/dk_postcodes.csv``.

Sources are cited in ``spejl/data/SOURCES.md``. A postcode can span several municipalities and
regions (separated by ``|`` in the file); the first one listed is used as its primary.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REGION_CODES = {"1081", "1082", "1083", "1084", "1085"}


class PostcodeFileError(ValueError):
    """The postcode file is malformed; the message names the line and the fault."""


@dataclass(frozen=True)
class PostcodeRow:
    code: str
    town: str
    municipality: str
    municipalities: str
    region: str
    latitude: float
    longitude: float
    coordinate_source: str


def sync_postcodes(model: Any, path: Path) -> int:
    """Insert or update every postcode of the file into ``model`` (the ``Postcode`` model, or
    its historical version inside a migration). Returns the number of postcodes."""
    rows = read_postcodes(path)
    model.objects.bulk_create(
        [model(**asdict(row)) for row in rows],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=[f for f in PostcodeRow.__dataclass_fields__ if f != "code"],
    )
    return len(rows)


def read_postcodes(path: Path) -> list[PostcodeRow]:
    """Parse and validate the postcode CSV; raise :class:`PostcodeFileError` on any fault."""
    rows: list[PostcodeRow] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8", newline="") as handle:
        for line_no, record in enumerate(csv.DictReader(handle), start=2):
            try:
                code = record["postcode"].strip()
                region = record["region_codes"].split("|")[0].strip()
                latitude = float(record["lat"])
                longitude = float(record["lon"])
            except (KeyError, ValueError, AttributeError) as exc:
                raise PostcodeFileError(f"{path.name}:{line_no}: unreadable row ({exc})") from exc
            if len(code) != 4 or not code.isdigit():
                raise PostcodeFileError(f"{path.name}:{line_no}: bad postcode {code!r}")
            if code in seen:
                raise PostcodeFileError(f"{path.name}:{line_no}: duplicate postcode {code}")
            if region not in REGION_CODES:
                raise PostcodeFileError(f"{path.name}:{line_no}: unknown region {region!r}")
            if not (54.4 <= latitude <= 57.9 and 7.9 <= longitude <= 15.3):
                raise PostcodeFileError(f"{path.name}:{line_no}: coordinate outside Denmark")
            seen.add(code)
            municipalities = record["municipalities"].strip()
            rows.append(
                PostcodeRow(
                    code=code,
                    town=record["town"].strip(),
                    municipality=municipalities.split("|")[0].strip(),
                    municipalities=municipalities.replace("|", ", "),
                    region=region,
                    latitude=latitude,
                    longitude=longitude,
                    coordinate_source=record["coordinate_source"].strip(),
                )
            )
    return rows
