"""Loading instrument files into the database, and the first measurement plan.

Loading is idempotent: an instrument version already loaded with the same content is left
alone; one whose file changed is refused, because responses were answered with exactly that
wording and scored by exactly that rule (make ``<code>.v<next>.json`` instead).

The functions take model classes as arguments so that a data migration can pass its
historical models. No personal data is read or written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from spejl.core.instruments import InstrumentFileError, content_hash, instrument_from_data

INSTRUMENTS_DIR = Path(__file__).resolve().parents[1] / "instruments"

#: The first measurement plan: what each wave holds (instrument codes, in order).
DEFAULT_PLAN: dict[str, tuple[str, ...]] = {
    "T0": ("background", "tils", "who5", "direct_loneliness"),
    "T1": ("tils", "who5", "direct_loneliness", "experience"),
    "T2": ("tils", "who5", "direct_loneliness"),
}
DEFAULT_REMINDER_DAYS = [3, 7]


def read_instrument_files(directory: Path = INSTRUMENTS_DIR) -> list[tuple[dict[str, Any], str]]:
    """Every instrument file's parsed JSON and its content hash, validated (raises
    :class:`InstrumentFileError` naming the file and the fault)."""
    found = []
    for path in sorted(directory.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InstrumentFileError(f"{path}: cannot read instrument file: {exc}") from exc
        instrument = instrument_from_data(data, path)
        found.append((data, content_hash(instrument)))
    return found


def load_instruments(instrument_model: Any, directory: Path = INSTRUMENTS_DIR) -> list[str]:
    """Load new instrument versions; return the keys (``who5.v1``) that were added."""
    added = []
    with transaction.atomic():
        for data, digest in read_instrument_files(directory):
            code, version = data["code"], data["version"]
            existing = instrument_model.objects.filter(code=code, version=version).first()
            if existing is not None:
                if existing.content_hash != digest:
                    raise InstrumentFileError(
                        f"{code}.v{version}.json: this version is already in use with other "
                        "content; a published version never changes — save the change as "
                        f"{code}.v{version + 1}.json"
                    )
                continue
            instrument_model.objects.create(
                code=code,
                version=version,
                title_da=data["title"]["da"],
                title_en=data["title"]["en"],
                definition=data,
                content_hash=digest,
                enabled=data["enabled_by_default"],
            )
            added.append(f"{code}.v{version}")
    return added


def ensure_default_plan(plan_model: Any, entry_model: Any, instrument_model: Any) -> bool:
    """Publish measurement plan version 1 if there is no plan at all; True if it was made."""
    if plan_model.objects.exists():
        return False
    with transaction.atomic():
        plan = plan_model.objects.create(
            version=1,
            status="published",
            follow_up_months=3,
            answer_window_days=28,
            reminder_days=DEFAULT_REMINDER_DAYS,
            note="The first plan, as the programme's evaluation design describes it.",
            published_at=timezone.now(),
        )
        for wave, codes in DEFAULT_PLAN.items():
            for position, code in enumerate(codes):
                instrument = instrument_model.objects.filter(code=code).order_by("-version").first()
                if instrument is None:
                    raise InstrumentFileError(f"the default plan needs instrument {code!r}")
                entry_model.objects.create(
                    plan=plan, wave=wave, instrument=instrument, position=position
                )
    return True


def load_reference_data(apps: Any = None) -> None:
    """Instruments and the first plan (for migrations, with ``apps``; and for tests)."""
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    instrument_model = apps.get_model("questionnaires", "InstrumentVersion")
    load_instruments(instrument_model)
    ensure_default_plan(
        apps.get_model("questionnaires", "MeasurementPlan"),
        apps.get_model("questionnaires", "PlanInstrument"),
        instrument_model,
    )
