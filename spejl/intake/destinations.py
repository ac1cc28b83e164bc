"""The shipped national referral destinations (``data/referral_destinations.json``).

Loading is idempotent and conservative: a destination whose code is already in the database is
left exactly as it is (the national secretariat may have renamed or retired it), and only
missing ones are added. The loader takes the model class as an argument so that a data
migration can pass its historical model. No personal data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "referral_destinations.json"
_FIELDS = {"code": str, "name_da": str, "name_en": str, "is_urgent": bool, "position": int}
NAME_MAX_LENGTH = 200
CODE_MAX_LENGTH = 60


class DestinationFileError(ValueError):
    """The destinations file is malformed; the message names the entry and the fault."""


@dataclass(frozen=True)
class DestinationData:
    code: str
    name_da: str
    name_en: str
    is_urgent: bool
    position: int


def read_destinations(path: Path = DATA_FILE) -> list[DestinationData]:
    """Parse and validate the file: every entry has exactly the known fields, codes are unique
    and names fit the model."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DestinationFileError(f"{path.name}: {exc}") from exc
    entries = raw.get("destinations") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise DestinationFileError(f"{path.name}: needs a non-empty 'destinations' list")
    seen: set[str] = set()
    result = []
    for index, entry in enumerate(entries, start=1):
        where = f"{path.name}, destination {index}"
        if not isinstance(entry, dict) or set(entry) != set(_FIELDS):
            raise DestinationFileError(f"{where}: needs exactly the fields {sorted(_FIELDS)}")
        for field, kind in _FIELDS.items():
            value = entry[field]
            # bool is an int: a position must not be True.
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise DestinationFileError(f"{where}: {field} must be {kind.__name__}")
        if not 0 < len(entry["code"]) <= CODE_MAX_LENGTH or entry["code"] in seen:
            raise DestinationFileError(f"{where}: code missing, too long or repeated")
        if not all(0 < len(entry[f].strip()) <= NAME_MAX_LENGTH for f in ("name_da", "name_en")):
            raise DestinationFileError(f"{where}: names must be 1-{NAME_MAX_LENGTH} characters")
        if entry["position"] < 0:
            raise DestinationFileError(f"{where}: position must not be negative")
        seen.add(entry["code"])
        result.append(DestinationData(**entry))
    return result


def load_destinations(model: Any, path: Path = DATA_FILE) -> int:
    """Add the file's national destinations that are not in the database yet; returns how
    many were added."""
    wanted = read_destinations(path)
    existing = set(
        model.objects.filter(code__in=[d.code for d in wanted]).values_list("code", flat=True)
    )
    missing = [d for d in wanted if d.code not in existing]
    model.objects.bulk_create(
        model(
            code=d.code,
            organisation=None,
            name_da=d.name_da,
            name_en=d.name_en,
            is_urgent=d.is_urgent,
            position=d.position,
        )
        for d in missing
    )
    return len(missing)
