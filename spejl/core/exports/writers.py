"""Writing a :class:`.model.Table` as CSV, Excel, SPSS, Stata or REDCap data.

Every writer writes to a file path and returns nothing: deliveries can be hundreds of
megabytes, and pyreadstat (SPSS, Stata) can only write to a path. :mod:`.bundle` collects the
files into one ZIP.

==============  ===========================================================================
format          what is written
==============  ===========================================================================
``csv``         UTF-8 without BOM, comma, ``"\\r\\n"`` line ends, minimal quoting
                (RFC 4180); header = variable names; decimal point; dates ``YYYY-MM-DD``.
``csv_excel``   for Danish Excel: UTF-8 *with* BOM, semicolon, decimal comma; a text cell
                starting with ``= + - @`` gets a leading ``'`` so Excel does not run it as a
                formula (the only change to any value; the README says so).
``xlsx``        sheets ``data`` and ``codebook`` (xlsxwriter, constant-memory mode); text is
                always written as text, never as a formula.
``sav``         SPSS with variable labels, value labels, measure levels and formats;
                bytecode-compressed; missing numbers are system-missing.
``dta``         Stata 14+ (format 118, UTF-8) with variable and value labels; missing numbers
                are ``.``; labels longer than 80 characters end in "…".
``redcap``      REDCap's flat CSV (``record_id``, ``redcap_event_name``, item fields,
                ``<form>_complete``) matching :func:`spejl.core.redcap.data_dictionary_csv`.
==============  ===========================================================================

Missing values: empty cells in CSV and Excel, system-missing numbers in SPSS and Stata. SPSS
and Stata have no missing *text*: a missing text is the empty string there.

Pure Python (pandas, numpy, pyreadstat, xlsxwriter): no Django import. Writes the research
data it is given (pseudonymous) to the path it is given; keeps nothing else.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal, get_args

import numpy as np
import pandas as pd
import pyreadstat
import xlsxwriter  # type: ignore[import-untyped]  # ships no type information

from spejl.core.exports.codebook import codebook_rows
from spejl.core.exports.model import Column, Table, Variable, missing_mask
from spejl.core.exports.variables import WAVE_SUFFIXES
from spejl.core.instruments import Instrument
from spejl.core.redcap.fields import EVENT_COLUMN, RECORD_ID, catalogue, complete_field

Format = Literal["csv", "csv_excel", "xlsx", "sav", "dta", "redcap"]
FORMATS: Final[tuple[Format, ...]] = get_args(Format)
#: The file name extension of each format.
EXTENSIONS: Final[Mapping[Format, str]] = {
    "csv": "csv",
    "csv_excel": "csv",
    "xlsx": "xlsx",
    "sav": "sav",
    "dta": "dta",
    "redcap": "csv",
}

#: Excel's sheet limits (rows include the header row).
XLSX_MAX_ROWS: Final = 1_048_576
XLSX_MAX_COLUMNS: Final = 16_384
XLSX_MAX_CELL_TEXT: Final = 32_767
#: Label limits: SPSS counts bytes (UTF-8), Stata characters.
SAV_LABEL_BYTES: Final = 255
SAV_VALUE_LABEL_BYTES: Final = 120
SAV_FILE_LABEL_BYTES: Final = 64
DTA_LABEL_CHARS: Final = 80
DTA_VALUE_LABEL_CHARS: Final = 32_000

_LINE_END: Final = "\r\n"
_ELLIPSIS: Final = "…"
#: What a spreadsheet program may read as the start of a formula (OWASP's CSV injection list).
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
# SPSS's system-missing value as stored in every .sav file (-DBL_MAX, declared in the file's
# machine floating-point record). Writing it directly, instead of NaN, lets pyreadstat skip a
# per-cell pandas.isna() check that would otherwise dominate the writing time; the bytes on
# disk are the same either way (a test compares them).
_SAV_SYSMIS: Final = -sys.float_info.max
_SPSS_EPOCH: Final = np.datetime64("1582-10-14", "D")
_STATA_EPOCH: Final = np.datetime64("1960-01-01", "D")
_SECONDS_PER_DAY: Final = 86_400.0


def shorten(text: str, limit: int, *, unit: Literal["chars", "bytes"] = "chars") -> str:
    """``text`` cut to at most ``limit`` characters (or UTF-8 bytes), ending in "…" when cut.

    Cuts between characters, never inside one.
    """
    if unit == "chars":
        return text if len(text) <= limit else text[: limit - 1] + _ELLIPSIS
    if len(text.encode("utf-8")) <= limit:
        return text
    budget = limit - len(_ELLIPSIS.encode("utf-8"))
    cut = text.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    return cut + _ELLIPSIS


def _iso_dates(column: Column) -> Column:
    text = np.datetime_as_string(column, unit="D").astype(object)
    text[np.isnat(column)] = None
    return text


def _filled_strings(column: Column) -> Column:
    """Strings with ``""`` for missing (SPSS and Stata have no missing text)."""
    out = column.copy()
    out[missing_mask("string", column)] = ""
    return out


def _guard_formula(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _text_frame(table: Table, *, excel: bool) -> pd.DataFrame:
    data: dict[str, Any] = {}
    for variable, column in zip(table.variables, table.columns, strict=True):
        if variable.kind == "integer":
            data[variable.name] = pd.array(column, dtype="Int64")
        elif variable.kind == "number":
            data[variable.name] = column
        elif variable.kind == "date":
            data[variable.name] = pd.Series(_iso_dates(column), dtype=object)
        else:
            values = [_guard_formula(v) for v in column] if excel else column
            data[variable.name] = pd.Series(values, dtype=object)
    return pd.DataFrame(data, columns=list(table.names))


def write_csv(table: Table, path: str | Path) -> None:
    """``table`` as RFC 4180 CSV: UTF-8 (no BOM), comma, ``"\\r\\n"``, header of names."""
    _text_frame(table, excel=False).to_csv(
        path,
        index=False,
        sep=",",
        na_rep="",
        lineterminator=_LINE_END,
        encoding="utf-8",
        quoting=csv.QUOTE_MINIMAL,
    )


def write_csv_excel(table: Table, path: str | Path) -> None:
    """``table`` as CSV for Danish Excel: UTF-8 with BOM, semicolon, decimal comma, and text
    that would start a formula prefixed with ``'``."""
    _text_frame(table, excel=True).to_csv(
        path,
        index=False,
        sep=";",
        decimal=",",
        na_rep="",
        lineterminator=_LINE_END,
        encoding="utf-8-sig",
        quoting=csv.QUOTE_MINIMAL,
    )


def _xlsx_values(variable: Variable, column: Column) -> list[Any]:
    if variable.kind == "integer":
        return [None if v != v else int(v) for v in column.tolist()]
    if variable.kind == "number":
        return [None if v != v else v for v in column.tolist()]
    if variable.kind == "date":
        return list(column.astype(object).tolist())
    for value in column:
        if value is not None and len(value) > XLSX_MAX_CELL_TEXT:
            raise ValueError(
                f"{variable.name}: a text of {len(value)} characters does not fit an Excel cell"
            )
    return list(column.tolist())


def write_xlsx(table: Table, path: str | Path) -> None:
    """``table`` as an Excel workbook: sheet ``data`` (header row of names, frozen) and sheet
    ``codebook`` (:func:`.codebook.codebook_rows`). Raises ``ValueError`` when the table has
    more rows or columns than a sheet holds; use CSV, SPSS or Stata then."""
    if table.n_rows + 1 > XLSX_MAX_ROWS or len(table.variables) > XLSX_MAX_COLUMNS:
        raise ValueError(
            f"{table.n_rows} rows × {len(table.variables)} columns do not fit an Excel sheet "
            f"({XLSX_MAX_ROWS - 1} rows, {XLSX_MAX_COLUMNS} columns); choose another format"
        )
    # Converted (and checked) before the file is opened, so a refusal leaves no file behind.
    columns = [
        _xlsx_values(variable, column)
        for variable, column in zip(table.variables, table.columns, strict=True)
    ]
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    try:
        bold = workbook.add_format({"bold": True})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        sheet = workbook.add_worksheet("data")
        sheet.freeze_panes(1, 0)
        for position, variable in enumerate(table.variables):
            sheet.set_column(position, position, 12 if variable.kind == "date" else 10)
            sheet.write_string(0, position, variable.name, bold)
        writers: list[Callable[[int, int, Any], Any]] = []
        for variable in table.variables:
            if variable.kind in ("integer", "number"):
                writers.append(sheet.write_number)
            elif variable.kind == "date":
                writers.append(lambda r, c, v: sheet.write_datetime(r, c, v, day))
            else:
                writers.append(sheet.write_string)
        for row_number, row in enumerate(zip(*columns, strict=True), start=1):
            for position, value in enumerate(row):
                if value is not None:
                    writers[position](row_number, position, value)
        codebook = workbook.add_worksheet("codebook")
        codebook.freeze_panes(1, 0)
        rows = codebook_rows({"data": table}, with_file=False)
        for row_number, cells in enumerate(rows):
            for position, cell in enumerate(cells):
                codebook.write_string(row_number, position, cell, bold if row_number == 0 else None)
    finally:
        workbook.close()


def _sav_numbers(variable: Variable, column: Column) -> Column:
    if variable.kind == "date":
        seconds = (column - _SPSS_EPOCH).astype(np.int64) * _SECONDS_PER_DAY
        return np.where(np.isnat(column), _SAV_SYSMIS, seconds)
    return np.where(np.isnan(column), _SAV_SYSMIS, column)


def write_sav(table: Table, path: str | Path) -> None:
    """``table`` as an SPSS ``.sav`` file (bytecode-compressed, as SPSS writes by default).

    Variable labels (cut to 255 bytes), value labels (120 bytes), measure levels, formats
    (``F8.0`` integers, ``F8.2`` numbers, ``DATE11`` dates) and the title as file label
    (64 bytes). Missing numbers and dates are system-missing; missing text is empty.
    """
    data: dict[str, Any] = {}
    formats: dict[str, str] = {}
    for variable, column in zip(table.variables, table.columns, strict=True):
        if variable.kind == "string":
            data[variable.name] = pd.Series(_filled_strings(column), dtype=object)
            continue
        data[variable.name] = _sav_numbers(variable, column)
        formats[variable.name] = {"integer": "F8.0", "number": "F8.2", "date": "DATE11"}[
            variable.kind
        ]
    frame = pd.DataFrame(data, columns=list(table.names))
    pyreadstat.write_sav(
        frame,
        str(path),
        file_label=shorten(table.title, SAV_FILE_LABEL_BYTES, unit="bytes"),
        column_labels={
            v.name: shorten(v.label, SAV_LABEL_BYTES, unit="bytes") for v in table.variables
        },
        variable_value_labels={
            v.name: {
                code: shorten(text, SAV_VALUE_LABEL_BYTES, unit="bytes")
                for code, text in v.value_labels.items()
            }
            for v in table.variables
            if v.value_labels
        },
        variable_measure={v.name: v.measure for v in table.variables},
        variable_format=formats,
        row_compress=True,
    )


def write_dta(table: Table, path: str | Path) -> None:
    """``table`` as a Stata ``.dta`` file, format 118 (Stata 14 and later, UTF-8).

    Variable labels and the title (file label) cut to 80 characters with "…"; value labels;
    dates as ``%td``. Missing numbers and dates are ``.``; missing text is empty.
    """
    data: dict[str, Any] = {}
    formats: dict[str, str] = {}
    for variable, column in zip(table.variables, table.columns, strict=True):
        if variable.kind == "string":
            data[variable.name] = pd.Series(_filled_strings(column), dtype=object)
        elif variable.kind == "date":
            days = (column - _STATA_EPOCH).astype(np.int64).astype(np.float64)
            data[variable.name] = np.where(np.isnat(column), np.nan, days)
            formats[variable.name] = "%td"
        else:
            data[variable.name] = column
    frame = pd.DataFrame(data, columns=list(table.names))
    pyreadstat.write_dta(
        frame,
        str(path),
        file_label=shorten(table.title, DTA_LABEL_CHARS),
        column_labels={v.name: shorten(v.label, DTA_LABEL_CHARS) for v in table.variables},
        variable_value_labels={
            v.name: {
                code: shorten(text, DTA_VALUE_LABEL_CHARS) for code, text in v.value_labels.items()
            }
            for v in table.variables
            if v.value_labels
        },
        variable_format=formats,
        version=14,
    )


def latest_versions(instruments: Sequence[Instrument]) -> list[Instrument]:
    """The latest version of each instrument code, in the order codes first appear.

    A REDCap project has one form per instrument, so its dictionary is built from the latest
    version; answers to items only older versions have are refused by
    :func:`write_redcap_csv` rather than dropped.
    """
    latest: dict[str, Instrument] = {}
    for instrument in instruments:
        known = latest.get(instrument.code)
        if known is None or instrument.version > known.version:
            latest[instrument.code] = instrument
    return list(latest.values())


def redcap_event_names(suffixes: Mapping[int, str] | None = None) -> dict[int, str]:
    """REDCap unique event names of the waves: ``{0: "t0_arm_1", 1: "t1_arm_1", …}``."""
    return {code: f"{suffix}_arm_1" for code, suffix in (suffixes or WAVE_SUFFIXES).items()}


def _record_ids(table: Table) -> list[str]:
    """``record_id``: the pseudonym, or ``<pseudonym>-<group>`` for a participant with rows
    in more than one group (REDCap allows one row per record and event)."""
    people = [str(p) for p in table.column("pseudonym").tolist()]
    groups: list[str | None] = (
        table.column("group").tolist() if "group" in table.names else [None] * len(people)
    )
    seen: dict[str, set[str | None]] = {}
    for person, group in zip(people, groups, strict=True):
        seen.setdefault(person, set()).add(group)
    return [
        f"{person}-{group}" if len(seen[person]) > 1 and group else person
        for person, group in zip(people, groups, strict=True)
    ]


def redcap_forms_by_event(
    table: Table, instruments: Sequence[Instrument], events: Mapping[int, str] | None = None
) -> dict[str, list[str]]:
    """For REDCap's instrument designation: each event → the forms with data in it."""
    instruments = latest_versions(instruments)
    events = events if events is not None else redcap_event_names()
    waves = table.column("wave")
    result: dict[str, list[str]] = {}
    for code, event in events.items():
        rows = waves == code
        result[event] = [
            instrument.code
            for instrument in instruments
            if f"{instrument.code}_version" in table.names
            and (~np.isnan(table.column(f"{instrument.code}_version")[rows])).any()
        ]
    return result


def write_redcap_csv(
    table: Table,
    path: str | Path,
    *,
    instruments: Sequence[Instrument],
    events: Mapping[int, str] | None = None,
) -> None:
    """A long ``table`` as a REDCap flat CSV for a project built from
    ``data_dictionary_csv(latest_versions(instruments))``: ``record_id`` (see
    :func:`_record_ids`),
    ``redcap_event_name`` (``events``, default :func:`redcap_event_names`), every item of every
    instrument (blank where the table has none, e.g. dropped free text) and
    ``<form>_complete`` = 2 where the participant answered the form at that wave.

    Only answers travel: scores, bands, dates and background variables are not REDCap fields
    of that dictionary (they are in the other formats). Raises ``ValueError`` when the table
    is not in the long layout, has a row in a wave without an event name, or holds an item
    column the instruments do not define (it would be lost). UTF-8 without BOM, comma,
    ``"\\r\\n"``, minimal quoting — what :func:`spejl.core.redcap.parse_flat_csv` reads.
    """
    instruments = latest_versions(instruments)
    fields = catalogue(instruments)
    for required in ("pseudonym", "wave"):
        if required not in table.names:
            raise ValueError(f"a REDCap export needs the long layout (no {required!r} column)")
    events = events if events is not None else redcap_event_names()
    covered = {"pseudonym", "group", "wave", "organisation"}
    for instrument in instruments:
        covered.update(f"{instrument.code}_{part}" for part in ("version", "mode", "date"))
        covered.update(f"{instrument.code}_{part}" for part in ("score", "band"))
    for variable in table.variables:
        if (
            variable.instrument
            and variable.name not in covered
            and variable.name not in fields.items
        ):
            raise ValueError(f"{variable.name!r} is not a field of the REDCap instruments")
    wave_codes = [int(w) for w in table.column("wave").tolist()]
    unknown = sorted(set(wave_codes) - set(events))
    if unknown:
        raise ValueError(f"waves {unknown} have no REDCap event name")
    header = [RECORD_ID, EVENT_COLUMN]
    columns: list[list[str]] = [_record_ids(table), [events[w] for w in wave_codes]]
    blank = [""] * table.n_rows
    for instrument in instruments:
        for item in instrument.items:
            header.append(item.code)
            if item.code not in table.names:
                columns.append(blank)
                continue
            variable, column = table.variable(item.code), table.column(item.code)
            if variable.kind == "string":
                columns.append(["" if v is None else v for v in column.tolist()])
            else:
                columns.append(["" if v != v else str(int(v)) for v in column.tolist()])
        header.append(complete_field(instrument.code))
        version = f"{instrument.code}_version"
        if version in table.names:
            columns.append(["" if v != v else "2" for v in table.column(version).tolist()])
        else:
            columns.append(blank)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator=_LINE_END, quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows(zip(*columns, strict=True))


def write_table(
    table: Table,
    path: str | Path,
    fmt: Format,
    *,
    instruments: Sequence[Instrument] = (),
) -> None:
    """Write ``table`` to ``path`` in ``fmt`` (``instruments`` are needed for ``redcap``)."""
    if fmt == "csv":
        write_csv(table, path)
    elif fmt == "csv_excel":
        write_csv_excel(table, path)
    elif fmt == "xlsx":
        write_xlsx(table, path)
    elif fmt == "sav":
        write_sav(table, path)
    elif fmt == "dta":
        write_dta(table, path)
    elif fmt == "redcap":
        write_redcap_csv(table, path, instruments=instruments)
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {FORMATS}")
