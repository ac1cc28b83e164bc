"""Tests for :mod:`spejl.core.exports.writers`: every format written and read back."""

from __future__ import annotations

import csv
import io
import math
import re
import tempfile
import zipfile
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spejl.core.exports.deidentify import DeidentifyOptions
from spejl.core.exports.layout import ResponseRecord, long_table
from spejl.core.exports.model import Table, Variable, long_to_wide
from spejl.core.exports.pseudonym import group_pseudonym, pseudonym, recipient_key
from spejl.core.exports.writers import (
    _SAV_SYSMIS,
    redcap_forms_by_event,
    shorten,
    write_csv,
    write_csv_excel,
    write_dta,
    write_redcap_csv,
    write_sav,
    write_xlsx,
)
from spejl.core.instruments import load_all
from spejl.core.redcap import data_dictionary_csv, parse_flat_csv

INSTRUMENTS = load_all(Path(__file__).resolve().parents[2] / "instruments")
TILS, WHO5, EXPERIENCE = (INSTRUMENTS[k] for k in ("tils.v1", "who5.v1", "experience.v1"))
USED = (TILS, WHO5, EXPERIENCE)
KEY = recipient_key(bytes(32), "recipient-1")
LONG_LABEL = (
    "Hvor ofte føler du dig isoleret fra andre mennesker i din hverdag, på arbejdet og i fritiden?"
)
EVENTS = {"t0_arm_1": "T0", "t1_arm_1": "T1", "t2_arm_1": "T2"}


def response(
    pid: str, wave: str, instrument: str, answers: dict[str, int | None], **extra: object
) -> ResponseRecord:
    fields: dict[str, object] = {
        "participant_id": pid,
        "wave": wave,
        "instrument": instrument,
        "instrument_version": 1,
        "mode": "web",
        "answered_on": date(2024, 3, 1),
        "answers": answers,
        "group_id": "g1",
        "organisation": "Org; A",
    }
    fields.update(extra)
    return ResponseRecord(**fields)  # type: ignore[arg-type]


RESPONSES = (
    response(
        "anna", "T0", "tils", {"tils_1": 3, "tils_2": 3, "tils_3": 2}, score=8.0, band="severe"
    ),
    response("anna", "T0", "who5", {f"who5_{i}": 3 for i in range(1, 6)}, score=60.0),
    response("anna", "T1", "tils", {"tils_1": 1, "tils_2": None, "tils_3": 1}, mode="paper"),
    response(
        "anna",
        "T1",
        "experience",
        {"exp_met": 5},
        texts={"exp_comment": "=SUM(A1) – godt\nny linje"},
    ),
    response("bo", "T0", "tils", {"tils_1": 1, "tils_2": 1, "tils_3": 1}, score=3.0, group_id="g2"),
    response("bo", "T1", "tils", {"tils_1": 2, "tils_2": 1, "tils_3": 1}, score=4.0, group_id=""),
)
LONG = long_table(
    RESPONSES, instruments=USED, key=KEY, options=DeidentifyOptions(drop_free_text=False)
)
WIDE = long_to_wide(LONG)


def small_table() -> Table:
    variables = [
        Variable(name="pseudonym", label="Deltager", kind="string", source="s", measure="nominal"),
        Variable(
            name="tils_1",
            label=LONG_LABEL,
            kind="integer",
            value_labels={1: "Næsten aldrig", 3: "Ofte"},
            instrument="tils",
            instrument_version=1,
            source="s",
            measure="ordinal",
        ),
        Variable(name="score", label="Score", kind="number", source="s", measure="scale"),
        Variable(name="day", label="Dato", kind="date", source="s", measure="scale"),
        Variable(name="note", label="Note", kind="string", source="s", measure="nominal"),
    ]
    rows = [
        ("PA", 1, 9.51, date(2024, 1, 2), "-5 grader, @home"),
        ("PB", None, None, None, None),
        ("PC", 3, 60.0, date(1999, 12, 31), 'sagde "hej"; gik'),
    ]
    return Table.from_rows(
        variables, rows, "Spejl test – en titel der er ret lang, faktisk over 64 bytes lang"
    )


def test_sav_keeps_labels_value_labels_measures_and_missing_values(tmp_path: Path) -> None:
    path = tmp_path / "t.sav"
    write_sav(small_table(), path)
    frame, meta = pyreadstat.read_sav(str(path))
    assert list(frame.columns) == ["pseudonym", "tils_1", "score", "day", "note"]
    assert meta.column_names_to_labels["tils_1"] == LONG_LABEL
    assert meta.variable_value_labels["tils_1"] == {1.0: "Næsten aldrig", 3.0: "Ofte"}
    assert meta.variable_measure == {
        "pseudonym": "nominal",
        "tils_1": "ordinal",
        "score": "scale",
        "day": "scale",
        "note": "nominal",
    }
    assert frame["tils_1"].tolist()[0] == 1 and math.isnan(frame["tils_1"][1])
    assert frame["score"][0] == 9.51 and math.isnan(frame["score"][1])
    assert frame["day"][0] == date(2024, 1, 2) and frame["day"][2] == date(1999, 12, 31)
    assert pd.isna(frame["day"][1])
    assert frame["note"].tolist() == ["-5 grader, @home", "", 'sagde "hej"; gik']
    assert len(meta.file_label.encode()) <= 64


def test_sav_writes_system_missing_exactly_as_pyreadstat_does_for_nan(tmp_path: Path) -> None:
    # Spejl writes SPSS's system-missing value directly for speed; the file must be the same.
    table = small_table()
    ours, reference = tmp_path / "ours.sav", tmp_path / "ref.sav"
    write_sav(table, ours)
    frame = pd.DataFrame(
        {
            "pseudonym": pd.Series(["PA", "PB", "PC"], dtype=object),
            "tils_1": np.array([1.0, np.nan, 3.0]),
            "score": np.array([9.51, np.nan, 60.0]),
            "day": np.array([date(2024, 1, 2), None, date(1999, 12, 31)], dtype=object),
            "note": pd.Series(["-5 grader, @home", "", 'sagde "hej"; gik'], dtype=object),
        }
    )
    pyreadstat.write_sav(
        frame,
        str(reference),
        file_label=shorten(table.title, 64, unit="bytes"),
        column_labels={v.name: v.label for v in table.variables},
        variable_value_labels={"tils_1": {1: "Næsten aldrig", 3: "Ofte"}},
        variable_measure={v.name: v.measure for v in table.variables},
        variable_format={"tils_1": "F8.0", "score": "F8.2", "day": "DATE11"},
        row_compress=True,
    )
    a, b = bytearray(ours.read_bytes()), bytearray(reference.read_bytes())
    assert len(a) == len(b)
    # Bytes 92–108 of the header are the creation date and time.
    assert a[:92] == b[:92]
    a[92:109] = b[92:109]
    assert a == b
    assert _SAV_SYSMIS == -1.7976931348623157e308


def test_sav_cuts_labels_over_255_bytes_between_characters(tmp_path: Path) -> None:
    label = "æ" * 200  # 400 bytes
    variables = [Variable(name="x", label=label, kind="integer", source="s", measure="scale")]
    path = tmp_path / "t.sav"
    write_sav(Table.from_rows(variables, [(1,)], "t"), path)
    _, meta = pyreadstat.read_sav(str(path))
    read = meta.column_names_to_labels["x"]
    assert read.endswith("…") and len(read.encode()) <= 255 and read[:-1] == "æ" * (len(read) - 1)


def test_dta_keeps_labels_within_stata_limits(tmp_path: Path) -> None:
    path = tmp_path / "t.dta"
    write_dta(small_table(), path)
    frame, meta = pyreadstat.read_dta(str(path))
    label = meta.column_names_to_labels["tils_1"]
    assert len(label) == 80 and label.endswith("…") and LONG_LABEL.startswith(label[:-1])
    assert meta.column_names_to_labels["score"] == "Score"
    assert meta.variable_value_labels["tils_1"] == {1: "Næsten aldrig", 3: "Ofte"}
    assert len(meta.file_label) <= 80
    assert frame["day"][0] == date(2024, 1, 2) and pd.isna(frame["day"][1])
    assert math.isnan(frame["tils_1"][1]) and frame["score"][2] == 60.0
    assert all(len(name) <= 32 for name in frame.columns)


def test_long_and_wide_tables_read_back_from_sav_and_dta_with_every_variable(
    tmp_path: Path,
) -> None:
    for table in (LONG, WIDE):
        for writer, reader in ((write_sav, pyreadstat.read_sav), (write_dta, pyreadstat.read_dta)):
            path = tmp_path / f"t.{writer.__name__}"
            writer(table, path)
            frame, meta = reader(str(path))
            assert tuple(frame.columns) == table.names
            assert len(frame) == table.n_rows
            assert set(meta.variable_value_labels) == {
                v.name for v in table.variables if v.value_labels
            }
    frame, _ = pyreadstat.read_sav(str(tmp_path / "t.write_sav"))
    first = frame.iloc[0]
    assert first["pseudonym"] == WIDE.column("pseudonym")[0]


def test_csv_is_rfc4180_utf8_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_csv(small_table(), path)
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8")
    assert text.startswith("pseudonym,tils_1,score,day,note\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1:] == [
        ["PA", "1", "9.51", "2024-01-02", "-5 grader, @home"],
        ["PB", "", "", "", ""],
        ["PC", "3", "60.0", "1999-12-31", 'sagde "hej"; gik'],
    ]


def test_csv_for_excel_has_bom_semicolons_decimal_comma_and_no_formulas(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_csv_excel(small_table(), path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.startswith("pseudonym;tils_1;score;day;note\r\n")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[1] == ["PA", "1", "9,51", "2024-01-02", "'-5 grader, @home"]
    assert rows[3] == ["PC", "3", "60,0", "1999-12-31", 'sagde "hej"; gik']


def test_csv_for_excel_guards_free_text_and_keeps_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_csv_excel(LONG, path)
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    assert [r["exp_comment"] for r in rows if r["exp_comment"]] == ["'=SUM(A1) – godt\nny linje"]
    assert {r["organisation"] for r in rows} == {"Org; A"}


def _sheet_xml(path: Path) -> tuple[str, str, str]:
    with zipfile.ZipFile(path) as archive:
        return (
            archive.read("xl/workbook.xml").decode(),
            archive.read("xl/worksheets/sheet1.xml").decode(),
            archive.read("xl/worksheets/sheet2.xml").decode(),
        )


def test_xlsx_has_data_and_codebook_sheets_with_every_value(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_xlsx(small_table(), path)
    workbook, data, codebook = _sheet_xml(path)
    assert re.findall(r'<sheet name="([^"]+)"', workbook) == ["data", "codebook"]
    assert len(re.findall(r"<row ", data)) == 4  # header and three rows
    for text in ("pseudonym", "PA", "PC", "-5 grader, @home", 'sagde "hej"; gik'):
        assert text in data
    assert "<v>9.51</v>" in data and "<f>" not in data
    assert "<v>45293</v>" in data  # 2024-01-02 as an Excel date serial
    for name in small_table().names:
        assert f">{name}<" in codebook
    assert "1 = Næsten aldrig; 3 = Ofte" in codebook


def test_xlsx_never_turns_text_into_a_formula(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_xlsx(LONG, path)
    _, data, _ = _sheet_xml(path)
    assert "<f>" not in data and "=SUM(A1) – godt" in data


def test_xlsx_refuses_more_rows_than_a_sheet_holds(tmp_path: Path) -> None:
    variable = Variable(name="x", label="x", kind="number", source="s", measure="scale")
    table = Table(variables=(variable,), columns=(np.zeros(1_048_576),), title="big")
    with pytest.raises(ValueError, match="do not fit an Excel sheet"):
        write_xlsx(table, tmp_path / "t.xlsx")
    assert not (tmp_path / "t.xlsx").exists()


def test_redcap_csv_reads_back_with_spejls_own_importer(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_redcap_csv(LONG, path, instruments=USED)
    result = parse_flat_csv(path.read_bytes(), instruments=USED, events=EVENTS)
    assert result.ok, result.problems
    anna = pseudonym(KEY, "anna")
    rows = {(row.record_id, row.wave): row for row in result.rows}
    t0 = {form.form: form for form in rows[(anna, "T0")].forms}
    assert t0["tils"].answers == {"tils_1": 3, "tils_2": 3, "tils_3": 2}
    assert t0["tils"].complete == 2 and "experience" not in t0
    t1 = {form.form: form for form in rows[(anna, "T1")].forms}
    assert t1["tils"].answers["tils_2"] is None
    assert t1["experience"].texts == {"exp_comment": "=SUM(A1) – godt\nny linje"}


def test_redcap_record_id_adds_the_group_only_for_people_in_several_groups(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_redcap_csv(LONG, path, instruments=USED)
    text = path.read_bytes().decode("utf-8")
    ids = {row[0] for row in csv.reader(io.StringIO(text, newline=""))}
    anna, bo = pseudonym(KEY, "anna"), pseudonym(KEY, "bo")
    assert ids == {"record_id", anna, bo, f"{bo}-{group_pseudonym(KEY, 'g2')}"}


def test_redcap_columns_match_the_data_dictionary_and_designation(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_redcap_csv(LONG, path, instruments=USED)
    header = path.read_bytes().decode("utf-8").split("\r\n", 1)[0].split(",")
    fields = [row[0] for row in csv.reader(io.StringIO(data_dictionary_csv(USED)))][1:]
    assert header[:2] == ["record_id", "redcap_event_name"]
    assert [h for h in header if not h.endswith("_complete") and h != "redcap_event_name"] == fields
    assert [h for h in header if h.endswith("_complete")] == [
        "tils_complete",
        "who5_complete",
        "experience_complete",
    ]
    assert redcap_forms_by_event(LONG, USED) == {
        "t0_arm_1": ["tils", "who5"],
        "t1_arm_1": ["tils", "experience"],
        "t2_arm_1": [],
    }


def test_redcap_refuses_data_the_instruments_cannot_hold(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a field of the REDCap instruments"):
        write_redcap_csv(LONG, tmp_path / "t.csv", instruments=(TILS, EXPERIENCE))
    with pytest.raises(ValueError, match="long layout"):
        write_redcap_csv(WIDE, tmp_path / "t.csv", instruments=USED)


@given(st.text(max_size=120), st.integers(min_value=2, max_value=100))
def test_shorten_never_exceeds_the_limit_and_keeps_a_prefix(text: str, limit: int) -> None:
    chars = shorten(text, limit)
    assert len(chars) <= limit and (chars == text or text.startswith(chars[:-1]))
    if len(text.encode()) > limit and limit >= 3:
        cut = shorten(text, limit, unit="bytes")
        assert len(cut.encode()) <= limit and text.startswith(cut[:-1])
    elif len(text.encode()) <= limit:
        assert shorten(text, limit, unit="bytes") == text


def test_xlsx_refuses_a_text_longer_than_a_cell_and_leaves_no_file(tmp_path: Path) -> None:
    variable = Variable(name="t", label="t", kind="string", source="s", measure="nominal")
    table = Table.from_rows([variable], [("x" * 32_768,)], "t")
    with pytest.raises(ValueError, match="does not fit an Excel cell"):
        write_xlsx(table, tmp_path / "t.xlsx")
    assert not (tmp_path / "t.xlsx").exists()


texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=30,
)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            texts,
            st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False, width=32)),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_csv_round_trips_any_text_and_number(rows: list[tuple[str, float | None]]) -> None:
    variables = [
        Variable(name="t", label="t", kind="string", source="s", measure="nominal"),
        Variable(name="x", label="x", kind="number", source="s", measure="scale"),
    ]
    table = Table.from_rows(variables, rows, "t")
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "t.csv"
        write_csv(table, path)
        text = path.read_bytes().decode("utf-8")
        back = list(csv.reader(io.StringIO(text, newline="")))[1:]
        write_csv_excel(table, path)
        excel = path.read_bytes().decode("utf-8-sig")
        back_excel = list(csv.reader(io.StringIO(excel, newline=""), delimiter=";"))[1:]
    assert [r[0] for r in back] == [t for t, _ in rows]
    assert [None if r[1] == "" else float(r[1]) for r in back] == [x for _, x in rows]
    guarded = ["'" + t if t.startswith(("=", "+", "-", "@", "\t", "\r")) else t for t, _ in rows]
    assert [r[0] for r in back_excel] == guarded
    assert [None if r[1] == "" else float(r[1].replace(",", ".")) for r in back_excel] == [
        x for _, x in rows
    ]


def test_redcap_uses_the_latest_version_of_each_instrument(tmp_path: Path) -> None:
    from dataclasses import replace

    tils_v2 = replace(TILS, version=2)
    table = long_table(
        (*RESPONSES, response("cy", "T0", "tils", {"tils_1": 2}, instrument_version=2)),
        instruments=(*USED, tils_v2),
        key=KEY,
    )
    path = tmp_path / "t.csv"
    write_redcap_csv(table, path, instruments=(*USED, tils_v2))
    result = parse_flat_csv(
        path.read_bytes(), instruments=(tils_v2, WHO5, EXPERIENCE), events=EVENTS
    )
    assert result.ok and len(result.rows) == table.n_rows
