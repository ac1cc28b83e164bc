"""The measurement plan as a REDCap project: the event of each wave, the forms each wave
holds, and the instruments of its data dictionary.

The one place that the REDCap downloads (the plan pages and ``manage.py
export_redcap_dictionary``) and the REDCap import (:mod:`spejl.questionnaires.imports`) take
these from, so that a project built from the downloads exports what the import reads.

Reads plan versions and instrument definitions only: no personal data, nothing audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from spejl.core import redcap
from spejl.questionnaires.models import InstrumentVersion, MeasurementPlan
from spejl.questionnaires.plans import distinct_instruments, plan_instruments_by_wave

#: REDCap's unique event name of each wave (arm 1 of a longitudinal project).
REDCAP_EVENTS: Final[Mapping[str, str]] = {"T0": "t0_arm_1", "T1": "t1_arm_1", "T2": "t2_arm_1"}
#: The wave of each of those event names: the mapping an import suggests.
SUGGESTED_EVENTS: Final[Mapping[str, str]] = {event: wave for wave, event in REDCAP_EVENTS.items()}


def plan_dictionary_instruments(plan: MeasurementPlan) -> list[InstrumentVersion]:
    """Every instrument version of ``plan`` once, in wave and position order (T0 first): the
    forms of its data dictionary. One query."""
    return distinct_instruments(plan_instruments_by_wave(plan))


def plan_forms_by_event(plan: MeasurementPlan) -> dict[str, list[str]]:
    """The forms (instrument codes) each wave's REDCap event holds, in order (``t0_arm_1`` →
    T0's forms). One query."""
    by_wave = plan_instruments_by_wave(plan)
    return {
        event: [instrument.code for instrument in by_wave.get(wave, ())]
        for wave, event in REDCAP_EVENTS.items()
    }


def plan_redcap_dictionary(*, plan: MeasurementPlan, language: str = "da") -> str:
    """The REDCap data dictionary (CSV) of every instrument of the plan (each once). Raises
    ``ValueError`` for a plan that cannot be described (no instruments, a shared item code)."""
    instruments = plan_dictionary_instruments(plan)
    return redcap.data_dictionary_csv([i.instrument for i in instruments], language)


def plan_event_mapping(*, plan: MeasurementPlan) -> str:
    """REDCap's instrument-designation CSV: which forms each wave's event (``t0_arm_1``,
    ``t1_arm_1``, ``t2_arm_1``) holds. Raises ``ValueError`` as REDCap would refuse."""
    return redcap.event_mapping_csv(plan_forms_by_event(plan))


@dataclass(frozen=True)
class PlanForms:
    """The plan's instruments as an import reads them: every form once (the version the plan
    holds; for a code the plan lacks, the newest loaded version — its data is then refused as
    "not in the wave") and which forms each wave holds."""

    plan: MeasurementPlan
    versions: dict[str, InstrumentVersion]
    forms_by_wave: dict[str, list[str]]


def plan_forms(plan: MeasurementPlan) -> PlanForms:
    """The forms of ``plan`` (two queries)."""
    by_wave = plan_instruments_by_wave(plan)
    versions: dict[str, InstrumentVersion] = {}
    for held in by_wave.values():
        for version in held:
            known = versions.get(version.code)
            if known is None or version.version > known.version:
                versions[version.code] = version
    taken = {name for v in versions.values() for name in _field_names(v)}
    for version in InstrumentVersion.objects.exclude(code__in=list(versions)).order_by(
        "code", "-version"
    ):
        names = _field_names(version)
        if version.code in versions or taken & names:
            continue
        versions[version.code] = version
        taken |= names
    forms_by_wave = {
        wave: [v.code for v in wave_versions] for wave, wave_versions in by_wave.items()
    }
    return PlanForms(plan=plan, versions=versions, forms_by_wave=forms_by_wave)


def _field_names(version: InstrumentVersion) -> set[str]:
    return {*version.instrument.item_codes, redcap.complete_field(version.code)}
