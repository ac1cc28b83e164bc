"""The variables of the long layout: names, labels (Danish or English), value labels, sources.

:func:`instrument_columns` gathers each instrument code's versions, items and bands;
:func:`leading_variables` and :func:`instrument_variables` describe the columns
:func:`.layout.long_table` fills (see its module docstring for the layout).

Pure Python: no Django import; describes variables, touches no personal data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from spejl.core.exports.deidentify import AGE_BANDS, DeidentifyOptions
from spejl.core.exports.model import Kind, Measure, Variable
from spejl.core.exports.pseudonym import MAX_SHIFT_DAYS
from spejl.core.instruments import Band, Instrument, Item
from spejl.core.waves import WAVES

Language = Literal["da", "en"]

#: Wave codes (``"T0"``) → the integer the ``wave`` variable holds.
WAVE_NUMBERS: Final[Mapping[str, int]] = {wave: number for number, wave in enumerate(WAVES)}
#: The suffix of each wave in the wide layout (``tils_score_t0``).
WAVE_SUFFIXES: Final[Mapping[int, str]] = {n: wave.lower() for wave, n in WAVE_NUMBERS.items()}
WAVE_LABELS: Final[Mapping[str, Mapping[int, str]]] = {
    "da": {0: "T0 – før første møde", 1: "T1 – sidste møde", 2: "T2 – opfølgning"},
    "en": {0: "T0 – baseline", 1: "T1 – end of the course", 2: "T2 – follow-up"},
}
#: How a response was given (``questionnaires.ResponseMode``) → the code ``<code>_mode`` holds.
MODES: Final[Mapping[str, int]] = {"web": 1, "paper": 2, "phone": 3, "import": 4}
MODE_LABELS: Final[Mapping[str, Mapping[int, str]]] = {
    "da": {1: "Web (deltagerens link)", 2: "Papir", 3: "Telefon", 4: "Importeret (REDCap)"},
    "en": {1: "Web (the participant's link)", 2: "Paper", 3: "Telephone", 4: "Imported (REDCap)"},
}
#: The fixed wording of labels, by language.
WORDS: Final[Mapping[str, Mapping[str, str]]] = {
    "da": {
        "pseudonym": "Deltager (pseudonym for denne modtager)",
        "group": "Gruppe (pseudonym for denne modtager)",
        "organisation": "Organisation",
        "wave": "Måling",
        "age_band": "Aldersgruppe (alder i årets løb)",
        "birth_year": "Fødselsår",
        "municipality": "Kommune (ud fra postnummer)",
        "region": "Region (ud fra postnummer)",
        "version": "instrumentversion",
        "mode": "besvaret via",
        "date": "besvaret den",
        "date_shifted": "besvaret den (datoen er forskudt)",
        "score": "score",
        "band": "kategori",
        "no_band": "ingen af kategorierne",
    },
    "en": {
        "pseudonym": "Participant (pseudonym for this recipient)",
        "group": "Group (pseudonym for this recipient)",
        "organisation": "Organisation",
        "wave": "Wave",
        "age_band": "Age band (age reached in the year)",
        "birth_year": "Birth year",
        "municipality": "Municipality (from postcode)",
        "region": "Region (from postcode)",
        "version": "instrument version",
        "mode": "answered by",
        "date": "answered on",
        "date_shifted": "answered on (date shifted)",
        "score": "score",
        "band": "band",
        "no_band": "none of the bands",
    },
}


def _variable(
    name: str,
    label: str,
    kind: Kind,
    source: str,
    measure: Measure,
    *,
    value_labels: Mapping[int, str] | None = None,
    instrument: str = "",
    instrument_version: int | None = None,
) -> Variable:
    return Variable(
        name=name,
        label=label,
        kind=kind,
        value_labels=value_labels or {},
        instrument=instrument,
        instrument_version=instrument_version,
        source=source,
        measure=measure,
    )


def _versions_text(versions: Sequence[int]) -> str:
    return "/".join(f"v{version}" for version in versions)


@dataclass
class InstrumentColumns:
    """One instrument code's columns, over all versions given: the versions, each item with
    the latest version of it and the versions that hold it, whether any version is scored,
    and the band codes numbered 1, 2, … (0 is "in no band")."""

    code: str
    versions: dict[int, Instrument]
    items: dict[str, tuple[Item, list[int]]]  # code → (latest item, versions holding it)
    scored: bool
    bands: dict[str, int]  # band code → band value code

    @property
    def latest(self) -> Instrument:
        return self.versions[max(self.versions)]


def instrument_columns(instruments: Sequence[Instrument]) -> dict[str, InstrumentColumns]:
    """The columns of each instrument code in ``instruments`` (first-appearance order).

    Several versions of one code share its columns: items in the latest version's order, then
    items only older versions have; labels from the latest version holding them. Raises
    ``ValueError`` for a version given twice or an item that changes between a choice and an
    open question.
    """
    specs: dict[str, InstrumentColumns] = {}
    for instrument in sorted(instruments, key=lambda i: (i.code, -i.version)):
        spec = specs.setdefault(
            instrument.code, InstrumentColumns(instrument.code, {}, {}, False, {})
        )
        if instrument.version in spec.versions:
            raise ValueError(f"instrument {instrument.scoring_version} is given twice")
        spec.versions[instrument.version] = instrument
        spec.scored = spec.scored or instrument.scoring.type != "items"
        for band in instrument.bands:
            spec.bands.setdefault(band.code, len(spec.bands) + 1)
        for item in instrument.items:
            latest, versions = spec.items.setdefault(item.code, (item, []))
            if latest.kind != item.kind:
                raise ValueError(f"item {item.code!r} changes kind between versions")
            versions.append(instrument.version)
    return {instrument.code: specs[instrument.code] for instrument in instruments}


def _band_labels(spec: InstrumentColumns, language: Language) -> dict[int, str]:
    by_code: dict[str, Band] = {}
    for version in sorted(spec.versions, reverse=True):
        for band in spec.versions[version].bands:
            by_code.setdefault(band.code, band)
    labels = {0: WORDS[language]["no_band"]}
    for code, number in spec.bands.items():
        labels[number] = getattr(by_code[code].label, language)
    return labels


def instrument_variables(
    spec: InstrumentColumns, options: DeidentifyOptions, language: Language, engine: int | None
) -> list[Variable]:
    """``<code>_version``, ``_mode``, ``_date``, the items (open questions only when free text
    is kept), ``<code>_score`` for scored and ``<code>_band`` for banded instruments. Items of
    scored instruments are ordinal, of unscored ones nominal (the files say no more);
    ``engine`` (the scoring engine version) is named in the scores' source; score and band
    carry the latest version (their source names every version)."""
    words = WORDS[language]
    latest = spec.latest
    title = getattr(latest.title, language)
    versions = sorted(spec.versions)
    code = spec.code
    variables = [
        _variable(
            f"{code}_version",
            f"{title}: {words['version']}",
            "integer",
            "response: the instrument version answered",
            "nominal",
            instrument=code,
        ),
        _variable(
            f"{code}_mode",
            f"{title}: {words['mode']}",
            "integer",
            "response: how the answers were given",
            "nominal",
            value_labels=MODE_LABELS[language],
            instrument=code,
        ),
        _variable(
            f"{code}_date",
            f"{title}: {words['date_shifted' if options.shift_dates else 'date']}",
            "date",
            "response: answer date"
            + (
                f", shifted back 1–{MAX_SHIFT_DAYS} days (the same for all dates of a participant)"
                if options.shift_dates
                else ""
            ),
            "scale",
            instrument=code,
        ),
    ]
    for item_code, (item, item_versions) in spec.items.items():
        source = f"questionnaire {code} {_versions_text(sorted(item_versions))}, item {item_code}"
        latest_version = max(item_versions)
        label = getattr(item.text, language)
        if item.is_choice:
            value_labels = {o.score: getattr(o.label, language) for o in item.options}
            measure: Measure = "ordinal" if spec.scored else "nominal"
            variables.append(
                _variable(
                    item_code,
                    label,
                    "integer",
                    source,
                    measure,
                    value_labels=value_labels,
                    instrument=code,
                    instrument_version=latest_version,
                )
            )
        elif not options.drop_free_text:
            variables.append(
                _variable(
                    item_code,
                    label,
                    "string",
                    source + " (open answer)",
                    "nominal",
                    instrument=code,
                    instrument_version=latest_version,
                )
            )
    scoring = f"{code}.{_versions_text(versions)}" + ("" if engine is None else f" engine {engine}")
    if spec.scored:
        low_high = latest.score_range
        limits = "" if low_high is None else f" ({low_high[0]:g}–{low_high[1]:g})"
        variables.append(
            _variable(
                f"{code}_score",
                f"{title}: {words['score']}{limits}",
                "number",
                f"derived: Spejl scoring {scoring}",
                "scale",
                instrument=code,
                instrument_version=versions[-1],
            )
        )
    if spec.bands:
        variables.append(
            _variable(
                f"{code}_band",
                f"{title}: {words['band']}",
                "integer",
                f"derived: score band of Spejl scoring {scoring}",
                # Nominal: codes follow the instrument's list of bands, not an order (WHO-5:
                # 1 likely depression, 2 poor well-being, 0 neither).
                "nominal",
                value_labels=_band_labels(spec, language),
                instrument=code,
                instrument_version=versions[-1],
            )
        )
    return variables


def leading_variables(options: DeidentifyOptions, language: Language) -> list[Variable]:
    """``pseudonym``, ``group``, ``organisation``, ``wave``, then age and place as the
    options say (``age_band`` or ``birth_year``; ``municipality`` and/or ``region``)."""
    words = WORDS[language]
    keyed = "keyed pseudonym: HMAC-SHA256 with the recipient's key of the {}'s internal id"
    variables = [
        _variable(
            "pseudonym", words["pseudonym"], "string", keyed.format("participant"), "nominal"
        ),
        _variable("group", words["group"], "string", keyed.format("group"), "nominal"),
        _variable(
            "organisation",
            words["organisation"],
            "string",
            "participation: the organisation the answers were given through",
            "nominal",
        ),
        _variable(
            "wave",
            words["wave"],
            "integer",
            "measurement plan: the wave answered",
            "ordinal",
            value_labels=WAVE_LABELS[language],
        ),
    ]
    if options.age == "band":
        labels = {
            band.code: band.label_da if language == "da" else band.label_en for band in AGE_BANDS
        }
        variables.append(
            _variable(
                "age_band",
                words["age_band"],
                "integer",
                "derived: birth year → age reached in the year of the reference date, "
                "banded as bg_age_band",
                "ordinal",
                value_labels=labels,
            )
        )
    else:
        variables.append(
            _variable(
                "birth_year", words["birth_year"], "integer", "participant: birth year", "scale"
            )
        )
    postcode = "derived: postcode of the contact details → {} (Danish address register)"
    if options.place == "municipality":
        variables.append(
            _variable(
                "municipality",
                words["municipality"],
                "string",
                postcode.format("municipality"),
                "nominal",
            )
        )
    if options.place in ("municipality", "region"):
        variables.append(
            _variable("region", words["region"], "string", postcode.format("region"), "nominal")
        )
    return variables
