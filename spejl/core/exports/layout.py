"""The long layout of a delivery, built from plain response records.

**Long layout** — one row per participant, group and wave (a participant who took part in two
groups has rows for each), sorted by pseudonym, group and wave so that row order reveals
nothing about when people joined. This is REDCap's own layout (one row per record and event),
and the person-period layout mixed models and repeated-measures analyses expect. Columns, in
order:

=========================  ========  ======================================================
``pseudonym``              string    ``P`` + 12 characters, keyed per recipient
``group``                  string    ``G`` + 12 characters, keyed per recipient; missing for
                                     answers outside a group
``organisation``           string    as the caller passes it (missing when not given)
``wave``                   integer   0 = T0 baseline, 1 = T1 end, 2 = T2 follow-up
``age_band``/``birth_year``  integer  by the ``age`` option (band codes = ``bg_age_band``)
``municipality``           string    only with ``place="municipality"``
``region``                 string    with ``place`` ``"municipality"`` or ``"region"``
then for each instrument, in the order given:
``<code>_version``         integer   the instrument version answered
``<code>_mode``            integer   1 web, 2 paper, 3 phone, 4 import (value-labelled)
``<code>_date``            date      answer date (shifted when ``shift_dates``)
``<item code>``            integer   each choice item: the option's code, value-labelled
``<item code>``            string    each open question, unless ``drop_free_text``
``<code>_score``           number    scored instruments only: the final score
``<code>_band``            integer   instruments with bands: 0 = in none, 1… = the bands
=========================  ========  ======================================================

An instrument's columns are missing in a row where the participant did not answer it at that
wave. Item codes are unique across instruments (the REDCap data dictionary depends on it), so
every column belongs to one instrument, and :func:`.model.long_to_wide` can make the wide
layout (``tils_score_t0`` …) without clashes.

Pure Python and numpy: no Django import. :func:`long_table` reads participants' internal ids,
birth years, postcodes, group ids, answers and free text (health data) and returns them
pseudonymised and coarsened by the options; it stores nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from spejl.core.exports.deidentify import (
    DeidentifyOptions,
    Place,
    age_band_of,
    age_in_year,
    coarsen_place,
)
from spejl.core.exports.model import (
    Column,
    Kind,
    Table,
    date_array,
    empty_column,
)
from spejl.core.exports.pseudonym import (
    date_shift_days,
    group_pseudonym,
    pseudonym,
)
from spejl.core.exports.variables import (
    MODES,
    WAVE_NUMBERS,
    WORDS,
    InstrumentColumns,
    Language,
    instrument_columns,
    instrument_variables,
    leading_variables,
)
from spejl.core.instruments import Instrument
from spejl.core.waves import WAVES


@dataclass(frozen=True, slots=True, kw_only=True)
class ParticipantRecord:
    """What a delivery may use about a participant besides the answers.

    ``participant_id`` is the stable internal id (e.g. ``Participant.public_id``), never
    exported; ``age_on`` is the day age is counted on (e.g. the first meeting).
    """

    participant_id: str
    birth_year: int | None = None
    postcode: str | None = None
    age_on: date | None = None


# Not frozen: a delivery builds a million of these, and a frozen dataclass's __init__ costs
# about four times as much (object.__setattr__ per field). Nothing changes them after creation.
@dataclass(slots=True, kw_only=True)
class ResponseRecord:
    """One participant's answers to one instrument at one wave.

    ``answers``: choice item code → the option's score (``None`` or absent = not answered).
    ``texts``: open question code → the answer. ``score``/``band``: the current score and band
    code. ``group_id``: the internal id of the group the answer belongs to ("" for none);
    ``organisation``: what the delivery shows for the organisation ("" to leave it out).
    """

    participant_id: str
    wave: str
    instrument: str
    instrument_version: int
    mode: str
    answered_on: date | None = None
    answers: Mapping[str, int | None] = field(default_factory=dict)
    texts: Mapping[str, str] = field(default_factory=dict)
    score: float | None = None
    band: str | None = None
    group_id: str = ""
    organisation: str = ""


@dataclass
class _Form:
    """One instrument version's responses, gathered response by response (cheap appends) and
    checked and scattered into columns column by column afterwards."""

    code: str
    version: int
    choice: Mapping[str, frozenset[int]]  # choice item → the option scores it allows
    open_items: frozenset[str]
    rows: list[int] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)
    dates: list[date | None] = field(default_factory=list)
    answers: list[Mapping[str, int | None]] = field(default_factory=list)
    texts: list[Mapping[str, str]] = field(default_factory=list)
    scores: list[float | None] = field(default_factory=list)
    bands: list[str | None] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.code}.v{self.version}"


def _forms(specs: Mapping[str, InstrumentColumns]) -> dict[str, dict[int, _Form]]:
    return {
        code: {
            version: _Form(
                code=code,
                version=version,
                choice={item.code: item.scores for item in instrument.choice_items},
                open_items=frozenset(i.code for i in instrument.items if not i.is_choice),
            )
            for version, instrument in spec.versions.items()
        }
        for code, spec in specs.items()
    }


def _check_keys(form: _Form) -> None:
    unknown = set().union(*form.answers) - form.choice.keys()
    if unknown:
        raise ValueError(f"{form.name} has no choice item {sorted(unknown)[0]!r}")
    unknown = set().union(*form.texts) - form.open_items
    if unknown:
        raise ValueError(f"{form.name} has no open question {sorted(unknown)[0]!r}")


def _item_values(form: _Form, item_code: str) -> list[int | None]:
    values = [answers.get(item_code) for answers in form.answers]
    # type() rather than a set of values: True == 1 would hide in a set of values.
    if not set(map(type, values)) <= {int, type(None)}:
        bad = next(v for v in values if v is not None and type(v) is not int)
        raise ValueError(f"{bad!r} is not an answer to {item_code} ({form.name})")
    wrong = {v for v in set(values) if v is not None} - form.choice[item_code]
    if wrong:
        raise ValueError(f"{min(wrong)!r} is not an answer to {item_code} ({form.name})")
    return values


def _mode_codes(form: _Form) -> list[int]:
    try:
        return [MODES[mode] for mode in form.modes]
    except KeyError as error:
        raise ValueError(
            f"{form.name}: unknown mode {error.args[0]!r}; the modes are {tuple(MODES)}"
        ) from None


def _band_values(form: _Form, bands: Mapping[str, int], has_bands: bool) -> list[int | None]:
    values: list[int | None] = []
    for band, score in zip(form.bands, form.scores, strict=True):
        if band is None:
            # A score outside every band is band 0; no score, no band.
            values.append(0 if score is not None and has_bands else None)
        elif band in bands:
            values.append(bands[band])
        else:
            raise ValueError(f"{form.code} has no band {band!r}")
    return values


def _scatter(column: Column, rows: Column, values: Sequence[object], kind: Kind) -> None:
    if kind == "date":
        column[rows] = date_array(values)
    elif kind == "string":
        strings = np.empty(len(values), dtype=object)
        strings[:] = values
        column[rows] = strings
    else:
        column[rows] = np.array(values, dtype=np.float64)


def _fill_instrument(
    columns: dict[str, Column],
    spec: InstrumentColumns,
    forms: Mapping[int, _Form],
    *,
    keep_text: bool,
) -> None:
    """Check every gathered response of ``spec`` and write it into ``columns``."""
    code = spec.code
    all_rows = [row for form in forms.values() for row in form.rows]
    if len(set(all_rows)) != len(all_rows):
        raise ValueError(f"two responses to {code} for one participant, group and wave")
    for form in forms.values():
        if not form.rows:
            continue
        _check_keys(form)
        rows = np.array(form.rows, dtype=np.intp)
        columns[f"{code}_version"][rows] = form.version
        _scatter(columns[f"{code}_mode"], rows, _mode_codes(form), "integer")
        _scatter(columns[f"{code}_date"], rows, form.dates, "date")
        for item_code in form.choice:
            _scatter(columns[item_code], rows, _item_values(form, item_code), "integer")
        if keep_text:
            for item_code in form.open_items:
                texts = [t.get(item_code) for t in form.texts]
                _scatter(
                    columns[item_code],
                    rows,
                    [t if t and t.strip() else None for t in texts],
                    "string",
                )
        if f"{code}_score" in columns:
            _scatter(columns[f"{code}_score"], rows, form.scores, "number")
        elif any(score is not None for score in form.scores):
            raise ValueError(f"{code} is not scored, but a response has a score")
        bands = _band_values(form, spec.bands, f"{code}_band" in columns)
        if f"{code}_band" in columns:
            _scatter(columns[f"{code}_band"], rows, bands, "integer")


def long_table(
    responses: Iterable[ResponseRecord],
    *,
    instruments: Sequence[Instrument],
    key: bytes,
    participants: Iterable[ParticipantRecord] = (),
    options: DeidentifyOptions | None = None,
    places: Mapping[str, Place] | None = None,
    language: Language = "da",
    scoring_engine: int | None = None,
    title: str = "Spejl",
) -> Table:
    """The long layout (see the module docstring) of ``responses`` for one recipient.

    ``key`` is the recipient's key (:func:`.pseudonym.recipient_key`). ``instruments`` lists
    every instrument version the responses use (several versions of one code share its
    columns; labels come from the latest); an instrument given but never answered still has
    its columns. ``participants`` gives birth years, postcodes and reference dates (a
    participant missing there has no age or place); ``places`` maps postcodes to
    municipality and region. Labels are in ``language``; ``scoring_engine`` is named in the
    scores' source.

    Raises ``ValueError`` — never dropping a value silently — for an unknown wave, instrument
    or version, an item the version does not have, an answer it does not offer, a band code
    the instrument does not define, two responses to one instrument in the same participant,
    group and wave, two organisations in one row, or a pseudonym collision.
    """
    options = options if options is not None else DeidentifyOptions()
    places = places if places is not None else {}
    if language not in WORDS:
        raise ValueError(f"language must be 'da' or 'en', not {language!r}")
    specs = instrument_columns(instruments)
    leading = leading_variables(options, language)
    per_instrument = {
        code: instrument_variables(spec, options, language, scoring_engine)
        for code, spec in specs.items()
    }
    variables = leading + [v for group in per_instrument.values() for v in group]
    forms = _forms(specs)
    row_of: dict[tuple[str, str, int], int] = {}
    row_participant: list[str] = []
    row_group: list[str] = []
    row_wave: list[int] = []
    row_organisation: list[str] = []
    # The hot loop (millions of responses): find the row, append; checks come column-wise.
    for response in responses:
        wave = WAVE_NUMBERS.get(response.wave)
        if wave is None:
            raise ValueError(f"unknown wave {response.wave!r}; the waves are {WAVES}")
        form = forms.get(response.instrument, {}).get(response.instrument_version)
        if form is None:
            raise ValueError(
                f"a response uses {response.instrument}.v{response.instrument_version}, "
                "which is not among the instruments given"
            )
        pid = response.participant_id
        row_key = (pid, response.group_id, wave)
        row = row_of.get(row_key)
        if row is None:
            row = row_of[row_key] = len(row_participant)
            row_participant.append(pid)
            row_group.append(response.group_id)
            row_wave.append(wave)
            row_organisation.append(response.organisation)
        elif row_organisation[row] != response.organisation:
            raise ValueError("one participant, group and wave has answers from two organisations")
        form.rows.append(row)
        form.modes.append(response.mode)
        form.dates.append(response.answered_on)
        form.answers.append(response.answers)
        form.texts.append(response.texts)
        form.scores.append(response.score)
        form.bands.append(response.band)

    n = len(row_participant)
    codes = {pid: pseudonym(key, pid) for pid in dict.fromkeys(row_participant)}
    if len(set(codes.values())) != len(codes):
        raise ValueError("two participants share a pseudonym; use another recipient identifier")
    groups = {gid: group_pseudonym(key, gid) for gid in dict.fromkeys(row_group) if gid}
    people = {record.participant_id: record for record in participants}

    leading_values: dict[str, list[object]] = {
        "pseudonym": [codes[pid] for pid in row_participant],
        "group": [groups[gid] if gid else None for gid in row_group],
        "organisation": [org or None for org in row_organisation],
        "wave": list(row_wave),
    }
    age_name = "age_band" if options.age == "band" else "birth_year"
    # Age and place per participant, then per row (a participant has up to three rows).
    about: dict[str, tuple[object, object, object]] = {}
    for pid in codes:
        person = people.get(pid)
        if person is None:
            about[pid] = (None, None, None)
            continue
        age: object
        if options.age == "band":
            band_of = (
                None if person.age_on is None else age_band_of(person.birth_year, person.age_on)
            )
            age = None if band_of is None else band_of.code
        else:
            known = person.birth_year is not None and (
                person.age_on is None or age_in_year(person.birth_year, person.age_on) is not None
            )
            age = person.birth_year if known else None
        about[pid] = (age, *coarsen_place(person.postcode, places, options.place))
    ages = [about[pid][0] for pid in row_participant]
    municipalities = [about[pid][1] for pid in row_participant]
    regions = [about[pid][2] for pid in row_participant]
    leading_values[age_name] = ages
    leading_values["municipality"] = municipalities
    leading_values["region"] = regions

    by_name: dict[str, Column] = {}
    for variable in variables:
        if variable.name in leading_values:
            values = leading_values[variable.name]
            column = empty_column(variable.kind, n)
            if n:
                _scatter(column, np.arange(n), values, variable.kind)
            by_name[variable.name] = column
        else:
            by_name[variable.name] = empty_column(variable.kind, n)
    for code, spec in specs.items():
        _fill_instrument(by_name, spec, forms[code], keep_text=not options.drop_free_text)
    if options.shift_dates and n:
        by_participant = {pid: date_shift_days(key, pid) for pid in codes}
        shifts = np.array([by_participant[pid] for pid in row_participant], dtype=np.int64)
        for code in specs:
            # NaT stays NaT when shifted.
            by_name[f"{code}_date"] = by_name[f"{code}_date"] + shifts.astype("timedelta64[D]")
    columns = [by_name[variable.name] for variable in variables]

    # Sorted by codes, so the order reveals nothing about when people joined or answered.
    pseudonyms = leading_values["pseudonym"]
    group_codes = leading_values["group"]
    order = sorted(range(n), key=lambda r: (pseudonyms[r], group_codes[r] or "", row_wave[r]))
    permutation = np.array(order, dtype=np.intp)
    return Table(
        variables=tuple(variables),
        columns=tuple(column[permutation] for column in columns),
        title=title,
    )
