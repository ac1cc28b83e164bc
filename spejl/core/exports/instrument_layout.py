"""The long layout by instrument: one row per participant, group, wave and instrument answered.

:func:`.layout.long_table` gives one row per participant, group and wave, with a block of
columns per instrument. Some analyses (one model over every instrument, counts of answers by
questionnaire, mode effects) want one row per *answer to an instrument* instead.
:func:`per_instrument_table` derives that layout from the long table:

=========================  ====================================================================
columns                    what they hold
=========================  ====================================================================
leading variables          as in the long table (``pseudonym``, ``group``, ``organisation``,
                           ``wave``, ``age_band`` or ``birth_year``, ``municipality``/``region``
                           — whichever it has), repeated on each instrument's row
``instrument``             which instrument the row is (integer, value-labelled with the
                           instruments' titles); numbers from :data:`INSTRUMENT_NUMBERS`
``instrument_version``     the version answered (was ``<code>_version``)
``mode``                   how it was answered (was ``<code>_mode``; :data:`.variables.MODES`)
``date``                   the answer date (was ``<code>_date``; shifted if the long table's is)
``score``                  the instrument's score on its own scale (was ``<code>_score``);
                           missing for unscored instruments
``<code>_band``            per banded instrument, as in the long table (see below)
item columns               every instrument's items (and open answers, when the long table
                           keeps them) as in the long table; missing in other instruments' rows
=========================  ====================================================================

Rows are sorted by pseudonym, group (none first), wave and instrument number, so their order
reveals nothing about when people joined or answered.

**Bands stay per instrument.** A band code means something only within its instrument (T-ILS
band 1 is "severe loneliness", WHO-5 band 1 "likely depression"), and SPSS and Stata attach
value labels to a variable, not to a (variable, instrument) pair. One shared integer ``band``
would need invented codes, and a shared text ``band`` would lose the labels and the
"none of the bands" code 0. So each banded instrument keeps its ``<code>_band`` column with its
own value labels, filled in that instrument's rows only — exactly as lossless as the long table.

**Instrument numbers are fixed.** An evaluator's syntax (``SELECT IF instrument = 2``) must mean
the same in every delivery, so the shipped instruments have registered numbers
(:data:`INSTRUMENT_NUMBERS`, roughly in the order a participant meets them); a new instrument
file should be added there. An instrument missing from the register is numbered from
:data:`UNREGISTERED_START` up in alphabetical order of code — stable only while the set of
unregistered instruments in a delivery stays the same (the value labels always say which is
which).

The long table's variables keep their labels, value labels and sources; the new ones get theirs
here (``score``'s source names every instrument's scoring), so the codebook stays complete.
:func:`.model.long_to_wide` does not apply to this layout (it has a fourth key).

Pure Python and numpy: no Django import. Reads and rearranges the pseudonymous research data
of the table it is given (answers, scores, coarsened age and place, possibly free text);
stores nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from spejl.core.exports.model import Column, Table, Variable, empty_column
from spejl.core.exports.variables import MODE_LABELS, WORDS
from spejl.core.instruments import Instrument

#: The number ``instrument`` holds for each shipped instrument. Never renumber: add new codes.
INSTRUMENT_NUMBERS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "background": 1,
        "tils": 2,
        "who5": 3,
        "direct_loneliness": 4,
        "experience": 5,
        "swemwbs": 6,
    }
)
#: The first number given to an instrument missing from :data:`INSTRUMENT_NUMBERS`.
UNREGISTERED_START: Final = 101
#: The columns that replace each instrument's ``<code>_version``, ``_mode``, ``_date``, ``_score``.
GENERIC_VARIABLES: Final[tuple[str, ...]] = (
    "instrument",
    "instrument_version",
    "mode",
    "date",
    "score",
)
# The per-response parts of an instrument block that move into the generic columns.
_MOVED: Final[tuple[str, ...]] = ("version", "mode", "date", "score")
_REQUIRED: Final[tuple[str, ...]] = ("version", "mode", "date")
_LABELS: Final[Mapping[str, Mapping[str, str]]] = {
    "da": {
        "instrument": "Spørgeskema",
        "score": "Score (på spørgeskemaets egen skala)",
        "title": "pr. spørgeskema",
    },
    "en": {
        "instrument": "Questionnaire",
        "score": "Score (on the questionnaire's own scale)",
        "title": "per questionnaire",
    },
}
_Rows = npt.NDArray[np.intp]


def instrument_numbers(codes: Iterable[str]) -> dict[str, int]:
    """The ``instrument`` number of each code: :data:`INSTRUMENT_NUMBERS`, then
    :data:`UNREGISTERED_START`, +1, … for the other codes in alphabetical order."""
    codes = set(codes)
    numbers = {code: INSTRUMENT_NUMBERS[code] for code in codes if code in INSTRUMENT_NUMBERS}
    others = sorted(codes - numbers.keys())
    numbers.update({code: UNREGISTERED_START + i for i, code in enumerate(others)})
    return numbers


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _blocks(table: Table) -> dict[str, list[Variable]]:
    """Each instrument code's variables, in table order (codes in first-appearance order)."""
    blocks: dict[str, list[Variable]] = {}
    for variable in table.variables:
        if variable.instrument:
            blocks.setdefault(variable.instrument, []).append(variable)
    for code, variables in blocks.items():
        names = {v.name for v in variables}
        for part in _REQUIRED:
            if f"{code}_{part}" not in names:
                raise ValueError(
                    f"{table.title!r} has no {code}_{part}: per_instrument_table needs the long "
                    "layout of long_table"
                )
    return blocks


def _source_rank(table: Table) -> _Rows:
    """Each row's position when sorted by pseudonym, group (none = "") and wave."""
    keys: list[npt.NDArray[np.intp]] = []
    for name in ("pseudonym", "group"):
        if name in table.names:
            column = table.column(name)
            filled = np.where(pd.isna(column), "", column)
            codes, _ = pd.factorize(filled, sort=True)
            keys.append(np.asarray(codes, dtype=np.intp))
    # np.lexsort sorts by its last key first.
    order = np.lexsort((table.column("wave"), *reversed(keys)))
    rank = np.empty(table.n_rows, dtype=np.intp)
    rank[order] = np.arange(table.n_rows, dtype=np.intp)
    return rank


def _titles(
    codes: Iterable[str], instruments: Sequence[Instrument], language: Literal["da", "en"]
) -> dict[str, str]:
    latest: dict[str, Instrument] = {}
    for instrument in instruments:
        known = latest.get(instrument.code)
        if known is None or instrument.version > known.version:
            latest[instrument.code] = instrument
    titles: dict[str, str] = {}
    for code in codes:
        if code not in latest:
            raise ValueError(
                f"the table has answers to {code!r}, which is not among the instruments given"
            )
        titles[code] = getattr(latest[code].title, language)
    return titles


def _generic_variables(
    table: Table,
    blocks: Mapping[str, list[Variable]],
    numbers: Mapping[str, int],
    titles: Mapping[str, str],
    language: Literal["da", "en"],
) -> list[Variable]:
    words, labels = WORDS[language], _LABELS[language]
    date_sources = list(dict.fromkeys(table.variable(f"{code}_date").source for code in blocks))
    shifted = any("shifted" in source for source in date_sources)
    scored = [table.variable(f"{c}_score") for c in blocks if f"{c}_score" in table.names]
    score_source = (
        "derived: the score of the row's questionnaire, on that questionnaire's scale — "
        + "; ".join(f"{v.label}: {v.source}" for v in scored)
        if scored
        else "derived: none of the questionnaires in this file is scored"
    )
    return [
        Variable(
            name="instrument",
            label=labels["instrument"],
            kind="integer",
            value_labels={numbers[code]: titles[code] for code in blocks},
            source="response: the questionnaire answered (numbers fixed across deliveries, "
            "spejl.core.exports.instrument_layout.INSTRUMENT_NUMBERS)",
            measure="nominal",
        ),
        Variable(
            name="instrument_version",
            label=_capital(words["version"]),
            kind="integer",
            source="response: the instrument version answered",
            measure="nominal",
        ),
        Variable(
            name="mode",
            label=_capital(words["mode"]),
            kind="integer",
            value_labels=MODE_LABELS[language],
            source="response: how the answers were given",
            measure="nominal",
        ),
        Variable(
            name="date",
            label=_capital(words["date_shifted" if shifted else "date"]),
            kind="date",
            source="; ".join(date_sources) if date_sources else "response: answer date",
            measure="scale",
        ),
        Variable(
            name="score", label=labels["score"], kind="number", source=score_source, measure="scale"
        ),
    ]


def per_instrument_table(
    table: Table,
    *,
    instruments: Sequence[Instrument],
    language: Literal["da", "en"] = "da",
    title: str | None = None,
) -> Table:
    """One row per participant, group, wave and instrument answered (module docstring).

    ``table`` is the long layout from :func:`.layout.long_table`; an instrument counts as
    answered in a row where its ``<code>_version`` is present. ``instruments`` must include
    every instrument with columns in ``table`` (titles come from the latest version of each
    code). ``language`` is that of the new labels (``instrument``'s value labels, the generic
    columns); carried variables keep the long table's labels, so pass the language it was made
    in. ``title`` defaults to the table's title with "per questionnaire" added.

    Column-wise numpy throughout (a gather per column), so it scales to millions of responses.
    Raises ``ValueError`` for a table not in the long layout, an instrument missing from
    ``instruments``, or an item named like a generic column.
    """
    if language not in _LABELS:
        raise ValueError(f"language must be 'da' or 'en', not {language!r}")
    for required in ("pseudonym", "wave"):
        if required not in table.names:
            raise ValueError(
                f"{table.title!r} has no {required!r}: per_instrument_table needs the long layout"
            )
    blocks = _blocks(table)
    clash = set(GENERIC_VARIABLES) & set(table.names)
    if clash:
        raise ValueError(f"{sorted(clash)[0]!r} is already a variable of {table.title!r}")
    numbers = instrument_numbers(blocks)
    titles = _titles(blocks, instruments, language)

    answered = {code: np.flatnonzero(~np.isnan(table.column(f"{code}_version"))) for code in blocks}
    if blocks:
        source = np.concatenate([answered[code] for code in blocks])
        number = np.concatenate(
            [np.full(len(answered[code]), numbers[code], dtype=np.int64) for code in blocks]
        )
    else:
        source, number = np.empty(0, dtype=np.intp), np.empty(0, dtype=np.int64)
    order = np.lexsort((number, _source_rank(table)[source]))
    source, number = source[order], number[order]
    size = len(source)
    # Per instrument: its rows in the new table, and the rows of the long table they come from.
    positions = {code: np.flatnonzero(number == numbers[code]) for code in blocks}
    origins = {code: source[positions[code]] for code in blocks}

    def gather(variable: Variable, parts: Mapping[str, str]) -> Column:
        """``variable``'s column filled, for each code, from ``parts[code]`` of the long table."""
        column = empty_column(variable.kind, size)
        for code, name in parts.items():
            column[positions[code]] = table.column(name)[origins[code]]
        return column

    variables: list[Variable] = []
    columns: list[Column] = []
    for variable in table.variables:
        if not variable.instrument:
            variables.append(variable)
            columns.append(table.column(variable.name)[source])
    generic = _generic_variables(table, blocks, numbers, titles, language)
    variables += generic
    columns.append(number.astype(np.float64))
    for variable, part in zip(generic[1:], _MOVED, strict=True):
        present = {c: f"{c}_{part}" for c in blocks if f"{c}_{part}" in table.names}
        columns.append(gather(variable, present))
    moved = {f"{code}_{part}" for code in blocks for part in _MOVED}
    block_variables = [v for vs in blocks.values() for v in vs if v.name not in moved]
    # Bands first, next to the score they classify; then every item, instrument by instrument.
    bands = [v for v in block_variables if v.name == f"{v.instrument}_band"]
    items = [v for v in block_variables if v.name != f"{v.instrument}_band"]
    for variable in bands + items:
        variables.append(variable)
        columns.append(gather(variable, {variable.instrument: variable.name}))
    if title is None:
        title = f"{table.title} — {_LABELS[language]['title']}"
    return Table(variables=tuple(variables), columns=tuple(columns), title=title)
