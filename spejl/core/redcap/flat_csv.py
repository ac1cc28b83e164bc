"""Reading a REDCap "flat" CSV export (raw values, one row per record and event), checked
cell by cell against the instruments.

:func:`parse_flat_csv` collects *all* problems, each with the line a person can find in the
file, as a code and string parameters, so the Django layer can show a translated message;
:func:`describe` gives the English text for logs and tests.

Pure Python. The parser reads whatever the export holds — record ids (pseudonyms), data access
groups, answers and free text, i.e. health data — and keeps it only in the result it returns.
Problems quote record ids and, cut to a few characters, a faulty answer, status or event cell;
never an open answer.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from spejl.core.instruments import Instrument
from spejl.core.redcap.fields import (
    DAG_COLUMN,
    EVENT_COLUMN,
    RECORD_ID,
    REDCAP_COLUMNS,
    REPEAT_COLUMNS,
    Catalogue,
    catalogue,
    complete_field,
)

#: REDCap's record-status values for ``<form>_complete``: Incomplete, Unverified, Complete.
COMPLETE_VALUES: Final[tuple[int, ...]] = (0, 1, 2)
RECORD_ID_MAX_LENGTH: Final = 100
#: The longest cell value a problem quotes (answers are short codes; anything longer is a slip).
QUOTE_MAX_LENGTH: Final = 20

#: Every problem code :func:`parse_flat_csv` can report; the Django layer translates each.
PROBLEM_CODES: Final[tuple[str, ...]] = (
    "not_utf8",
    "empty_file",
    "bad_csv",
    "missing_column",
    "unknown_column",
    "duplicate_column",
    "unsupported_column",
    "wrong_field_count",
    "empty_record_id",
    "record_id_too_long",
    "unknown_event",
    "form_not_in_wave",
    "bad_value",
    "text_too_long",
    "bad_complete",
    "duplicate_record_event",
    "too_many_rows",
)

_INTEGER = re.compile(r"-?[0-9]+")


@dataclass(frozen=True)
class ParsedForm:
    """One instrument's answers in one row.

    ``answers`` holds every choice item of the form: the option score, or ``None`` where the
    cell is blank (not answered or declined — REDCap does not tell them apart). ``texts`` holds
    the open answers that are not blank, with line ends as ``"\\n"``. ``complete`` is REDCap's
    status: 0 Incomplete (also for a blank cell), 1 Unverified, 2 Complete.
    """

    form: str
    answers: dict[str, int | None]
    texts: dict[str, str]
    complete: int


@dataclass(frozen=True)
class ParsedRow:
    """One record in one event, without faults. ``line`` is where the row starts in the file."""

    line: int
    record_id: str
    event: str
    wave: str
    dag: str
    forms: tuple[ParsedForm, ...]


@dataclass(frozen=True)
class Problem:
    """One fault in the file: where it is, a code from :data:`PROBLEM_CODES` and its details.

    ``line`` is the physical line of the file (the header is line 1; a row whose quoted text
    runs over several lines is reported at its first line). ``column`` is the column name
    where one is to blame. ``params`` are strings, for a translated message.
    """

    line: int
    column: str | None
    code: str
    params: dict[str, str]


@dataclass(frozen=True)
class ParseResult:
    """The rows that are fine and every problem found. Import only when :attr:`ok`."""

    rows: tuple[ParsedRow, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


_DESCRIPTIONS: Final[Mapping[str, str]] = {
    "not_utf8": "the file is not UTF-8 text (first bad byte on this line); save it as CSV UTF-8",
    "empty_file": "the file is empty",
    "bad_csv": "the CSV cannot be read from here on ({detail}); check the quotation marks",
    "missing_column": "the column {column} is missing",
    "unknown_column": "column {position} ({column!r}) is not a field of these instruments",
    "duplicate_column": "column {position} repeats column {first_position} ({column})",
    "unsupported_column": (
        "{column} has the value {value!r}: repeating instruments and events are not supported"
    ),
    "wrong_field_count": "the row has {found} cells, the header {expected}",
    "empty_record_id": "the record id is empty",
    "record_id_too_long": "the record id has {length} characters; at most {max} are allowed",
    "unknown_event": "the event {event!r} is not one of {allowed}",
    "form_not_in_wave": "the form {form} has data, but wave {wave} ({event}) does not hold it",
    "bad_value": "{value!r} is not an answer to {column}; the answers are {allowed}",
    "text_too_long": "the answer to {column} has {length} characters; at most {max} are allowed",
    "bad_complete": "{column} is {value!r}; use 0, 1, 2 or leave it blank",
    "duplicate_record_event": (
        "record {record_id} already has a row for wave {wave} on line {first_line}"
    ),
    "too_many_rows": "the file has more than {max} rows; split it",
}


class ProblemParams(dict[str, str]):
    """A problem's parameters for a message template (``str.format_map`` or ``%``): a key the
    template names but the problem lacks shows as ``{key}`` instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def describe(problem: Problem) -> str:
    """An English one-line description of ``problem``, for logs and tests.

    People see a translated message built by the Django layer from ``code`` and ``params``.
    The text holds the parameters (column names, short answer codes, record ids), never free
    text.
    """
    template = _DESCRIPTIONS.get(problem.code, "problem {code}")
    params = ProblemParams(problem.params)
    params.setdefault("column", problem.column or "")
    params.setdefault("code", problem.code)
    message = template.format_map(params)
    return f"Line {problem.line}: {message}"


def _decode(text: str | bytes) -> str | Problem:
    if isinstance(text, bytes):
        try:
            decoded = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            return Problem(text.count(b"\n", 0, exc.start) + 1, None, "not_utf8", {})
    else:
        decoded = text
        try:
            decoded.encode("utf-8")
        except UnicodeEncodeError as exc:
            # Lone surrogates: bytes that were never UTF-8, smuggled into a str.
            return Problem(decoded.count("\n", 0, exc.start) + 1, None, "not_utf8", {})
    return decoded.removeprefix("\ufeff")


def _quote(value: str) -> str:
    """A cell value short enough to quote in a message (a stray sentence is cut off)."""
    value = " ".join(value.split())
    return value if len(value) <= QUOTE_MAX_LENGTH else value[: QUOTE_MAX_LENGTH - 1] + "…"


def _is_blank(row: Sequence[str]) -> bool:
    return all(not cell.strip() for cell in row)


class _Rows:
    """CSV rows with the physical line each starts on; stops at the first unreadable row."""

    def __init__(self, text: str) -> None:
        # strict: a stray quote is an error, not silently swallowed text.
        self._reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        self._end = 0
        self.error: Problem | None = None

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        while True:
            start = self._end + 1
            try:
                row = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self.error = Problem(start, None, "bad_csv", {"detail": str(exc)})
                return
            self._end = self._reader.line_num
            yield start, row


@dataclass
class _Header:
    index: dict[str, int]
    width: int
    forms: tuple[Instrument, ...]  # instruments with at least one column in the file


def _read_header(
    line: int, header: list[str], fields: Catalogue, problems: list[Problem]
) -> _Header | None:
    index: dict[str, int] = {}
    for position, raw in enumerate(header, start=1):
        name = raw.strip()
        if name in index:
            problems.append(
                Problem(
                    line,
                    name,
                    "duplicate_column",
                    {"position": str(position), "first_position": str(index[name] + 1)},
                )
            )
            continue
        index[name] = position - 1
        known = name in REDCAP_COLUMNS or name in fields.items or name in fields.completes
        if not known:
            problems.append(Problem(line, name, "unknown_column", {"position": str(position)}))
    usable = True
    for required in (RECORD_ID, EVENT_COLUMN):
        if required not in index:
            problems.append(Problem(line, required, "missing_column", {}))
            usable = False
    forms: list[Instrument] = []
    for instrument in fields.instruments:
        columns = (*instrument.item_codes, complete_field(instrument.code))
        if not any(column in index for column in columns):
            continue
        forms.append(instrument)
        # A form exported with some of its items left out would read as unanswered items.
        for code in instrument.item_codes:
            if code not in index:
                problems.append(Problem(line, code, "missing_column", {"form": instrument.code}))
    if not usable:
        return None
    return _Header(index=index, width=len(header), forms=tuple(forms))


@dataclass(frozen=True)
class _Context:
    header: _Header
    events: Mapping[str, str]
    forms_by_wave: Mapping[str, Sequence[str]] | None


def _parse_form(
    instrument: Instrument,
    cell: Mapping[str, str],
    line: int,
    problems: list[Problem],
) -> tuple[ParsedForm, bool]:
    """The form's answers and whether it is present (has data or is marked 1 or 2)."""
    answers: dict[str, int | None] = {}
    texts: dict[str, str] = {}
    has_data = False
    for item in instrument.items:
        raw = cell.get(item.code, "")
        if item.is_choice:
            value = raw.strip()
            answers[item.code] = None
            if not value:
                continue
            has_data = True
            if _INTEGER.fullmatch(value) and int(value) in item.scores:
                answers[item.code] = int(value)
            else:
                allowed = ", ".join(str(option.score) for option in item.options)
                problems.append(
                    Problem(
                        line, item.code, "bad_value", {"value": _quote(value), "allowed": allowed}
                    )
                )
            continue
        text = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
        if not text:
            continue
        has_data = True
        texts[item.code] = text
        if len(text) > item.max_length:
            problems.append(
                Problem(
                    line,
                    item.code,
                    "text_too_long",
                    {"length": str(len(text)), "max": str(item.max_length)},
                )
            )
    # Checked after the items, so problems come in the order of the columns.
    complete_name = complete_field(instrument.code)
    complete_raw = cell.get(complete_name, "").strip()
    complete = 0
    if complete_raw:
        if _INTEGER.fullmatch(complete_raw) and int(complete_raw) in COMPLETE_VALUES:
            complete = int(complete_raw)
        else:
            problems.append(
                Problem(line, complete_name, "bad_complete", {"value": _quote(complete_raw)})
            )
    form = ParsedForm(form=instrument.code, answers=answers, texts=texts, complete=complete)
    return form, has_data or complete in (1, 2)


def _parse_row(
    line: int,
    row: list[str],
    context: _Context,
    seen: dict[tuple[str, str], int],
    problems: list[Problem],
) -> ParsedRow | None:
    header = context.header
    if len(row) != header.width:
        problems.append(
            Problem(
                line,
                None,
                "wrong_field_count",
                {"expected": str(header.width), "found": str(len(row))},
            )
        )
        return None
    cell = {name: row[position] for name, position in header.index.items()}
    found: list[Problem] = []
    record_id = cell[RECORD_ID].strip()
    if not record_id:
        found.append(Problem(line, RECORD_ID, "empty_record_id", {}))
    elif len(record_id) > RECORD_ID_MAX_LENGTH:
        found.append(
            Problem(
                line,
                RECORD_ID,
                "record_id_too_long",
                {"length": str(len(record_id)), "max": str(RECORD_ID_MAX_LENGTH)},
            )
        )
    event = cell[EVENT_COLUMN].strip()
    wave = context.events.get(event)
    if wave is None:
        allowed = ", ".join(sorted(context.events))
        found.append(
            Problem(
                line, EVENT_COLUMN, "unknown_event", {"event": _quote(event), "allowed": allowed}
            )
        )
    for column in REPEAT_COLUMNS:
        value = cell.get(column, "").strip()
        if value:
            found.append(Problem(line, column, "unsupported_column", {"value": _quote(value)}))
    if record_id and len(record_id) <= RECORD_ID_MAX_LENGTH and wave is not None:
        # Keyed on the wave, not the event name: two event names mapped to one wave would
        # otherwise give one person two answers for the same measurement point.
        key = (record_id, wave)
        if key in seen:
            found.append(
                Problem(
                    line,
                    RECORD_ID,
                    "duplicate_record_event",
                    {
                        "record_id": record_id,
                        "event": event,
                        "wave": wave,
                        "first_line": str(seen[key]),
                    },
                )
            )
        else:
            seen[key] = line
    forms: list[ParsedForm] = []
    for instrument in header.forms:
        form, present = _parse_form(instrument, cell, line, found)
        if not present:
            continue
        if (
            context.forms_by_wave is not None
            and wave is not None
            and instrument.code not in context.forms_by_wave.get(wave, ())
        ):
            found.append(
                Problem(
                    line,
                    None,
                    "form_not_in_wave",
                    {"form": instrument.code, "wave": wave, "event": event},
                )
            )
        forms.append(form)
    problems.extend(found)
    if found or wave is None:
        return None
    dag = cell.get(DAG_COLUMN, "").strip()
    return ParsedRow(
        line=line, record_id=record_id, event=event, wave=wave, dag=dag, forms=tuple(forms)
    )


def parse_flat_csv(
    text: str | bytes,
    *,
    instruments: Sequence[Instrument],
    events: Mapping[str, str],
    forms_by_wave: Mapping[str, Sequence[str]] | None = None,
    max_rows: int = 20000,
) -> ParseResult:
    """Read a REDCap flat CSV export of ``instruments`` and check every cell.

    Columns: ``record_id``, ``redcap_event_name`` (both required), optionally
    ``redcap_data_access_group``, the item codes and ``<form>_complete``; ``redcap_repeat_*``
    columns are tolerated only while empty. ``events`` maps REDCap unique event names to
    Spejl wave codes; ``forms_by_wave``, if given, lists the instrument codes each wave holds
    (a wave it does not mention holds none). ``text`` may be ``bytes`` (decoded as UTF-8) and
    may start with a byte-order mark. Blank lines and rows whose cells are all blank are
    skipped. A form counts for a row when any of its cells has a value or its status is 1 or
    2; so a form a participant submitted without answering anything comes back with every
    answer ``None``, while an untouched form (blank, status 0 or blank) is left out.

    Every problem is collected, not only the first; a row with any problem gives no
    :class:`ParsedRow`. Missing ``record_id`` or ``redcap_event_name`` columns, an unreadable
    file and an unreadable CSV row stop the reading. More than ``max_rows`` data rows stop it
    with ``too_many_rows``. Raises ``ValueError`` only for a programming error in
    ``instruments`` (see :func:`data_dictionary_rows`).

    Personal data: reads the pseudonymous record ids, data access groups, answers and free
    text in the file and returns them; stores nothing.
    """
    fields = catalogue(instruments)
    decoded = _decode(text)
    if isinstance(decoded, Problem):
        return ParseResult(rows=(), problems=(decoded,))
    problems: list[Problem] = []
    rows = _Rows(decoded)
    lines = iter(rows)
    # Leading blank lines are tolerated: the header is the first line with a value.
    first = next(((line, row) for line, row in lines if not _is_blank(row)), None)
    if first is None:
        problems.append(rows.error or Problem(1, None, "empty_file", {}))
        return ParseResult(rows=(), problems=tuple(problems))
    header = _read_header(*first, fields, problems)
    if header is None:
        return ParseResult(rows=(), problems=tuple(problems))
    context = _Context(header=header, events=events, forms_by_wave=forms_by_wave)
    parsed: list[ParsedRow] = []
    seen: dict[tuple[str, str], int] = {}
    count = 0
    for line, row in lines:
        if _is_blank(row):
            continue
        count += 1
        if count > max_rows:
            problems.append(Problem(line, None, "too_many_rows", {"max": str(max_rows)}))
            break
        result = _parse_row(line, row, context, seen, problems)
        if result is not None:
            parsed.append(result)
    if rows.error is not None:
        problems.append(rows.error)
    return ParseResult(rows=tuple(parsed), problems=tuple(problems))
