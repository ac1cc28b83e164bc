"""Tests for :mod:`spejl.core.redcap`: data dictionary, event mapping and flat CSV import."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spejl.core.instruments import Instrument, Option, Text, load_all
from spejl.core.redcap import (
    DICTIONARY_COLUMNS,
    PROBLEM_CODES,
    ParseResult,
    Problem,
    data_dictionary_csv,
    data_dictionary_rows,
    describe,
    event_mapping_csv,
    parse_flat_csv,
)

INSTRUMENTS = load_all(Path(__file__).resolve().parents[2] / "instruments")
TILS = INSTRUMENTS["tils.v1"]
WHO5 = INSTRUMENTS["who5.v1"]
EXPERIENCE = INSTRUMENTS["experience.v1"]
BACKGROUND = INSTRUMENTS["background.v1"]
ALL = tuple(INSTRUMENTS.values())
EVENTS = {"t0_arm_1": "T0", "t1_arm_1": "T1", "t2_arm_1": "T2"}
WAVES = {"T0": ["background", "tils"], "T1": ["tils", "experience"], "T2": ["tils"]}
TILS_HEADER = "record_id,redcap_event_name,tils_1,tils_2,tils_3,tils_complete"
LONG_ID = "r" * 101
TOO_LONG_TEXT = "x" * 1001
EXPERIENCE_HEADER = "record_id,redcap_event_name," + ",".join(EXPERIENCE.item_codes)


def _file(*lines: str) -> str:
    return "".join(line + "\r\n" for line in lines)


def _parse(
    text: str | bytes,
    instruments: Sequence[Instrument] = (TILS, EXPERIENCE, BACKGROUND),
    forms_by_wave: dict[str, list[str]] | None = None,
    max_rows: int = 20000,
) -> ParseResult:
    return parse_flat_csv(
        text,
        instruments=instruments,
        events=EVENTS,
        forms_by_wave=forms_by_wave,
        max_rows=max_rows,
    )


def _where(result: ParseResult) -> list[tuple[int, str | None, str]]:
    return [(p.line, p.column, p.code) for p in result.problems]


# --- data dictionary ---------------------------------------------------------------------------


def test_dictionary_columns_are_redcaps_eighteen_in_order() -> None:
    assert DICTIONARY_COLUMNS == (
        "Variable / Field Name",
        "Form Name",
        "Section Header",
        "Field Type",
        "Field Label",
        "Choices, Calculations, OR Slider Labels",
        "Field Note",
        "Text Validation Type OR Show Slider Number",
        "Text Validation Min",
        "Text Validation Max",
        "Identifier?",
        "Branching Logic (Show field only if...)",
        "Required Field?",
        "Custom Alignment",
        "Question Number (surveys only)",
        "Matrix Group Name",
        "Matrix Ranking?",
        "Field Annotation",
    )


def _as_dicts(rows: list[list[str]]) -> list[dict[str, str]]:
    header, *body = rows
    assert all(len(row) == len(header) for row in body)
    return [dict(zip(header, row, strict=True)) for row in body]


def test_dictionary_starts_with_the_header_and_record_id_in_the_first_form() -> None:
    rows = data_dictionary_rows([WHO5, TILS])
    assert rows[0] == list(DICTIONARY_COLUMNS)
    record = _as_dicts(rows)[0]
    assert record["Variable / Field Name"] == "record_id"
    assert record["Form Name"] == "who5"
    assert record["Field Type"] == "text"
    assert record["Field Label"] == "Record ID"


def test_choice_items_are_radio_fields_with_scores_in_the_instruments_order() -> None:
    fields = {row["Variable / Field Name"]: row for row in _as_dicts(data_dictionary_rows([WHO5]))}
    who5_1 = fields["who5_1"]
    assert who5_1["Form Name"] == "who5"
    assert who5_1["Field Type"] == "radio"
    assert who5_1["Field Label"] == "I de sidste 2 uger har jeg været glad og i godt humør"
    assert who5_1["Choices, Calculations, OR Slider Labels"] == (
        "5, Hele tiden | 4, Det meste af tiden | 3, Lidt mere end halvdelen af tiden | "
        "2, Lidt mindre end halvdelen af tiden | 1, Lidt af tiden | 0, På intet tidspunkt"
    )
    assert who5_1["Field Annotation"] == "@SPEJL-VERSION=who5.v1"
    assert who5_1["Required Field?"] == ""


def test_open_question_is_a_notes_field_without_choices() -> None:
    fields = {
        row["Variable / Field Name"]: row for row in _as_dicts(data_dictionary_rows([EXPERIENCE]))
    }
    comment = fields["exp_comment"]
    assert comment["Field Type"] == "notes"
    assert comment["Choices, Calculations, OR Slider Labels"] == ""
    assert comment["Field Label"] == "Er der andet, du vil fortælle os om forløbet?"
    assert comment["Field Annotation"] == "@SPEJL-VERSION=experience.v1"


def test_instructions_head_each_forms_first_field_only_in_the_chosen_language() -> None:
    rows = _as_dicts(data_dictionary_rows([TILS, EXPERIENCE], language="en"))
    headers = [
        (r["Variable / Field Name"], r["Section Header"]) for r in rows if r["Section Header"]
    ]
    assert headers == [
        ("tils_1", TILS.instructions.en),
        ("exp_met", EXPERIENCE.instructions.en),
    ]
    labels = {r["Variable / Field Name"]: r["Field Label"] for r in rows}
    assert labels["tils_2"] == "How often do you feel left out?"
    assert [r["Variable / Field Name"] for r in rows] == [
        "record_id",
        *TILS.item_codes,
        *EXPERIENCE.item_codes,
    ]


def test_dictionary_refuses_an_instrument_given_twice() -> None:
    with pytest.raises(ValueError, match="more than once"):
        data_dictionary_rows([TILS, WHO5, TILS])


def test_dictionary_refuses_an_item_code_used_by_two_instruments() -> None:
    copy = replace(TILS, code="tils_copy")
    with pytest.raises(ValueError, match="item code 'tils_1' is in both"):
        data_dictionary_rows([TILS, copy])


def test_dictionary_refuses_an_unknown_language_and_no_instruments() -> None:
    with pytest.raises(ValueError, match="unknown language"):
        data_dictionary_rows([TILS], language="sv")
    with pytest.raises(ValueError, match="at least one"):
        data_dictionary_rows([])


def test_dictionary_refuses_a_label_with_the_choice_separator() -> None:
    item = TILS.items[0]
    bad = replace(item, options=(Option(score=1, label=Text(da="Ja | nej", en="Yes")),))
    with pytest.raises(ValueError, match=r"contains '\|'"):
        data_dictionary_rows([replace(TILS, items=(bad, *TILS.items[1:]))])


def test_dictionary_csv_reads_back_as_the_rows_with_crlf_line_ends() -> None:
    text = data_dictionary_csv(list(ALL))
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert list(csv.reader(io.StringIO(text, newline=""))) == data_dictionary_rows(list(ALL))
    assert "Hvor ofte føler du dig udenfor?" in text


# --- event mapping -----------------------------------------------------------------------------


def test_event_mapping_lists_each_form_of_each_event_in_arm_1() -> None:
    text = event_mapping_csv({"t0_arm_1": ["background", "tils"], "t1_arm_1": ["experience"]})
    assert text == (
        "arm_num,unique_event_name,form\r\n"
        "1,t0_arm_1,background\r\n"
        "1,t0_arm_1,tils\r\n"
        "1,t1_arm_1,experience\r\n"
    )


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"T0": ["tils"]}, "not a unique event name"),
        ({"t0_arm_2": ["tils"]}, "not a unique event name"),
        ({"t0_arm_1": ["tils", "tils"]}, "more than once"),
        ({"t0_arm_1": ["Tils"]}, "not a usable form name"),
        ({"t0_arm_1\n": ["tils"]}, "not a unique event name"),
        ({"t0_arm_1": ["tils\n"]}, "not a usable form name"),
    ],
)
def test_event_mapping_refuses_what_redcap_would(
    mapping: dict[str, list[str]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        event_mapping_csv(mapping)


# --- import: what a good file gives ------------------------------------------------------------


def test_a_good_file_gives_rows_with_answers_texts_waves_and_groups() -> None:
    text = _file(
        "record_id,redcap_event_name,redcap_data_access_group,tils_1,tils_2,tils_3,tils_complete",
        "P-001,t0_arm_1,odense,1,2,3,2",
        "P-001,t1_arm_1,odense, 1 ,1,1,1",
    )
    result = _parse(text)
    assert result.ok
    assert result.problems == ()
    first, second = result.rows
    assert (first.line, first.record_id, first.event, first.wave, first.dag) == (
        2,
        "P-001",
        "t0_arm_1",
        "T0",
        "odense",
    )
    assert [f.form for f in first.forms] == ["tils"]
    assert first.forms[0].answers == {"tils_1": 1, "tils_2": 2, "tils_3": 3}
    assert first.forms[0].complete == 2
    assert second.wave == "T1"
    assert second.forms[0].answers == {"tils_1": 1, "tils_2": 1, "tils_3": 1}
    assert second.forms[0].complete == 1


def test_without_a_data_access_group_column_the_group_is_empty() -> None:
    result = _parse(_file(TILS_HEADER, "7,t0_arm_1,1,1,1,2"))
    assert result.ok
    assert result.rows[0].dag == ""


def test_a_byte_order_mark_is_accepted_in_text_and_bytes() -> None:
    text = "\ufeff" + _file(TILS_HEADER, "7,t0_arm_1,1,1,1,2")
    for given_text in (text, text.encode("utf-8")):
        result = _parse(given_text)
        assert result.ok, [describe(p) for p in result.problems]
        assert result.rows[0].record_id == "7"


def test_blank_is_none_and_a_form_submitted_with_nothing_answered_is_kept() -> None:
    # Line 2: one item left blank. Line 3: tils submitted (2) with every item declined.
    # Line 4: tils untouched (status 0), so it is not part of the row at all.
    text = _file(
        TILS_HEADER,
        "1,t0_arm_1,2,,3,2",
        "2,t0_arm_1,,,,2",
        "3,t0_arm_1,,,,0",
        "4,t0_arm_1,,,,",
        "5,t0_arm_1,,,,1",
    )
    result = _parse(text)
    assert result.ok
    forms = {row.record_id: row.forms for row in result.rows}
    assert forms["1"][0].answers == {"tils_1": 2, "tils_2": None, "tils_3": 3}
    assert forms["2"][0].answers == {"tils_1": None, "tils_2": None, "tils_3": None}
    assert forms["2"][0].complete == 2
    assert forms["3"] == ()
    assert forms["4"] == ()
    assert forms["5"][0].complete == 1


def test_a_form_with_data_but_blank_status_counts_as_incomplete() -> None:
    result = _parse(_file(TILS_HEADER, "1,t0_arm_1,2,2,2,"))
    assert result.ok
    assert result.rows[0].forms[0].complete == 0


def test_multi_line_text_is_kept_and_later_lines_are_counted_physically() -> None:
    header = (
        "record_id,redcap_event_name," + ",".join(EXPERIENCE.item_codes) + ",experience_complete"
    )
    agreement = ",".join(["4"] * 7)
    text = _file(
        header,
        f'1,t1_arm_1,{agreement},5,1,"Tak for et godt forløb.\r\nVi ses igen,\r\n""Anna""",2',
        f"2,t1_arm_1,{agreement},9,1,,2",
    )
    result = _parse(text)
    assert _where(result) == [(5, "exp_satisfaction", "bad_value")]
    (row,) = result.rows
    assert row.line == 2
    assert row.forms[0].texts == {"exp_comment": 'Tak for et godt forløb.\nVi ses igen,\n"Anna"'}
    assert row.forms[0].answers["exp_recommend"] == 1


def test_open_answers_that_are_blank_are_left_out_of_texts() -> None:
    text = _file(EXPERIENCE_HEADER, "1,t1_arm_1,5,,,,,,,,,   ")
    result = _parse(text)
    assert result.ok
    assert result.rows[0].forms[0].texts == {}


def test_a_text_of_exactly_the_maximum_length_is_accepted() -> None:
    text = _file(EXPERIENCE_HEADER, "1,t1_arm_1,,,,,,,,,," + "å" * 1000)
    result = _parse(text)
    assert result.ok
    assert len(result.rows[0].forms[0].texts["exp_comment"]) == 1000


def test_a_record_id_of_100_characters_is_accepted() -> None:
    result = _parse(_file(TILS_HEADER, "r" * 100 + ",t0_arm_1,1,1,1,2"))
    assert result.ok


def test_blank_lines_and_rows_of_empty_cells_are_skipped() -> None:
    text = _file("", TILS_HEADER, "", "1,t0_arm_1,1,1,1,2", ",,,,,", "2,t0_arm_1,x,1,1,2")
    result = _parse(text)
    assert [row.line for row in result.rows] == [4]
    assert _where(result) == [(6, "tils_1", "bad_value")]


def test_without_a_wave_plan_any_form_may_appear_in_any_wave() -> None:
    result = _parse(_file(TILS_HEADER, "1,t2_arm_1,1,1,1,2"), forms_by_wave=None)
    assert result.ok


def test_a_form_in_its_wave_is_accepted() -> None:
    result = _parse(_file(TILS_HEADER, "1,t2_arm_1,1,1,1,2"), forms_by_wave=WAVES)
    assert result.ok


# --- import: every problem, with its line ------------------------------------------------------

# (code, file, line, column): each file has exactly that one fault.
CASES: list[tuple[str, str | bytes, int, str | None]] = [
    (
        "not_utf8",
        _file(TILS_HEADER, "1,t0_arm_1,1,1,1,2").encode() + b"2,t0_arm_1,\xf8,1,1,2",
        3,
        None,
    ),
    ("empty_file", "", 1, None),
    ("empty_file", "\ufeff\r\n \r\n", 1, None),
    ("bad_csv", _file(TILS_HEADER, "1,t0_arm_1,1,1,1,2", '2,t0_arm_1,"1"x,1,1,2'), 3, None),
    ("missing_column", _file("record_id,tils_1,tils_2,tils_3", "1,1,1,1"), 1, "redcap_event_name"),
    (
        "missing_column",
        _file("redcap_event_name,tils_1,tils_2,tils_3", "t0_arm_1,1,1,1"),
        1,
        "record_id",
    ),
    (
        "missing_column",
        _file("record_id,redcap_event_name,tils_1,tils_3", "1,t0_arm_1,1,1"),
        1,
        "tils_2",
    ),
    ("unknown_column", _file(TILS_HEADER + ",who5_1", "1,t0_arm_1,1,1,1,2,3"), 1, "who5_1"),
    (
        "unknown_column",
        _file(TILS_HEADER + ",tils_timestamp", "1,t0_arm_1,1,1,1,2,"),
        1,
        "tils_timestamp",
    ),
    ("duplicate_column", _file(TILS_HEADER + ",tils_2", "1,t0_arm_1,1,1,1,2,1"), 1, "tils_2"),
    (
        "unsupported_column",
        _file(
            TILS_HEADER + ",redcap_repeat_instance", "1,t0_arm_1,1,1,1,2,", "2,t0_arm_1,1,1,1,2,1"
        ),
        3,
        "redcap_repeat_instance",
    ),
    ("wrong_field_count", _file(TILS_HEADER, "1,t0_arm_1,1,1,1,2", "2,t0_arm_1,1,1,1"), 3, None),
    ("wrong_field_count", _file(TILS_HEADER, "2,t0_arm_1,1,1,1,2,"), 2, None),
    (
        "empty_record_id",
        _file(TILS_HEADER, "1,t0_arm_1,1,1,1,2", " ,t0_arm_1,1,1,1,2"),
        3,
        "record_id",
    ),
    ("record_id_too_long", _file(TILS_HEADER, f"{LONG_ID},t0_arm_1,1,1,1,2"), 2, "record_id"),
    (
        "unknown_event",
        _file(TILS_HEADER, "1,t0_arm_1,1,1,1,2", "1,t3_arm_1,1,1,1,2"),
        3,
        "redcap_event_name",
    ),
    ("unknown_event", _file(TILS_HEADER, "1,,1,1,1,2"), 2, "redcap_event_name"),
    ("bad_value", _file(TILS_HEADER, "1,t0_arm_1,1,1,4,2"), 2, "tils_3"),
    ("bad_value", _file(TILS_HEADER, "1,t0_arm_1,1,3.0,1,2"), 2, "tils_2"),
    ("bad_value", _file(TILS_HEADER, "1,t0_arm_1,ja,1,1,2"), 2, "tils_1"),
    ("bad_value", _file(TILS_HEADER, "1,t0_arm_1,+1,1,1,2"), 2, "tils_1"),
    (
        "text_too_long",
        _file(EXPERIENCE_HEADER, f"1,t1_arm_1,,,,,,,,,,{TOO_LONG_TEXT}"),
        2,
        "exp_comment",
    ),
    ("bad_complete", _file(TILS_HEADER, "1,t0_arm_1,1,1,1,3"), 2, "tils_complete"),
    ("bad_complete", _file(TILS_HEADER, "1,t0_arm_1,1,1,1,Complete"), 2, "tils_complete"),
    (
        "duplicate_record_event",
        _file(TILS_HEADER, "1,t0_arm_1,1,1,1,2", "2,t0_arm_1,1,1,1,2", "1,t0_arm_1,2,2,2,2"),
        4,
        "record_id",
    ),
]


@pytest.mark.parametrize(
    ("code", "text", "line", "column"),
    CASES,
    ids=[f"{case[0]}-{index}" for index, case in enumerate(CASES)],
)
def test_each_fault_is_reported_with_its_code_line_and_column(
    code: str, text: str | bytes, line: int, column: str | None
) -> None:
    result = _parse(text)
    assert _where(result) == [(line, column, code)]
    assert not result.ok
    assert all(row.line != line for row in result.rows)


def test_a_form_outside_its_wave_is_reported() -> None:
    text = _file(EXPERIENCE_HEADER, "1,t0_arm_1,5,,,,,,,,,")
    result = _parse(text, forms_by_wave=WAVES)
    assert _where(result) == [(2, None, "form_not_in_wave")]
    assert result.problems[0].params == {"form": "experience", "wave": "T0", "event": "t0_arm_1"}
    assert result.rows == ()


def test_a_wave_the_plan_does_not_mention_holds_no_forms() -> None:
    result = _parse(_file(TILS_HEADER, "1,t2_arm_1,1,1,1,2"), forms_by_wave={"T0": ["tils"]})
    assert _where(result) == [(2, None, "form_not_in_wave")]


def test_too_many_rows_stops_at_the_first_row_past_the_limit() -> None:
    text = _file(TILS_HEADER, *(f"{n},t0_arm_1,1,1,1,2" for n in range(1, 6)))
    result = _parse(text, max_rows=3)
    assert _where(result) == [(5, None, "too_many_rows")]
    assert result.problems[0].params == {"max": "3"}
    assert [row.record_id for row in result.rows] == ["1", "2", "3"]


def test_every_problem_code_is_exercised_by_these_tests() -> None:
    covered = {case[0] for case in CASES} | {"form_not_in_wave", "too_many_rows"}
    assert covered == set(PROBLEM_CODES)


def test_bad_value_names_the_value_and_the_allowed_scores() -> None:
    result = _parse(_file(TILS_HEADER, "1,t0_arm_1,1,1, 4 ,2"))
    (problem,) = result.problems
    assert problem.params == {"value": "4", "allowed": "1, 2, 3"}
    assert describe(problem) == "Line 2: '4' is not an answer to tils_3; the answers are 1, 2, 3"


def test_a_duplicate_names_the_earlier_line() -> None:
    text = _file(TILS_HEADER, "1,t0_arm_1,1,1,1,2", "2,t0_arm_1,1,1,1,2", "1,t0_arm_1,2,2,2,2")
    (problem,) = _parse(text).problems
    assert problem.params == {
        "record_id": "1",
        "event": "t0_arm_1",
        "wave": "T0",
        "first_line": "2",
    }
    assert describe(problem) == "Line 4: record 1 already has a row for wave T0 on line 2"


def test_two_event_names_for_one_wave_are_a_duplicate_too() -> None:
    text = _file(TILS_HEADER, "1,t0_arm_1,1,1,1,2", "1,baseline_arm_1,1,1,1,2")
    result = parse_flat_csv(
        text, instruments=[TILS], events={"t0_arm_1": "T0", "baseline_arm_1": "T0"}
    )
    assert _where(result) == [(3, "record_id", "duplicate_record_event")]


def test_every_fault_in_a_file_is_collected_not_only_the_first() -> None:
    text = _file(
        TILS_HEADER,
        "1,t0_arm_1,1,1,9,2",  # bad value
        "2,t0_arm_1,1,1,1,2",  # fine
        "3,t9_arm_1,1,1,1,2",  # unknown event
        "4,t0_arm_1,1,1,1,5",  # bad status
    )
    result = _parse(text)
    assert _where(result) == [
        (2, "tils_3", "bad_value"),
        (4, "redcap_event_name", "unknown_event"),
        (5, "tils_complete", "bad_complete"),
    ]
    assert [row.record_id for row in result.rows] == ["2"]
    assert not result.ok


def test_several_faults_in_one_row_are_all_reported() -> None:
    result = _parse(_file(TILS_HEADER, f"{LONG_ID},t5_arm_1,0,x,1,9"))
    assert [p.code for p in result.problems] == [
        "record_id_too_long",
        "unknown_event",
        "bad_value",
        "bad_value",
        "bad_complete",
    ]
    assert {p.line for p in result.problems} == {2}
    assert result.rows == ()


def test_header_faults_do_not_hide_row_faults() -> None:
    text = _file(TILS_HEADER + ",note", "1,t0_arm_1,1,1,4,2,hello")
    assert _where(_parse(text)) == [(1, "note", "unknown_column"), (2, "tils_3", "bad_value")]


def test_a_header_after_blank_lines_is_reported_on_its_own_line() -> None:
    text = _file("", "", "record_id,tils_1,tils_2,tils_3")
    assert _where(_parse(text)) == [(3, "redcap_event_name", "missing_column")]


def test_a_problem_never_quotes_free_text() -> None:
    text = _file(EXPERIENCE_HEADER, f"1,t1_arm_1,,,,,,,,,,{TOO_LONG_TEXT}")
    (problem,) = _parse(text).problems
    assert problem.params == {"length": "1001", "max": "1000"}
    assert TOO_LONG_TEXT not in describe(problem)


def test_a_long_slip_in_an_answer_cell_is_cut_short_in_the_problem() -> None:
    slip = "Jeg har det egentlig ret svært for tiden"
    (problem,) = _parse(_file(TILS_HEADER, f"1,t0_arm_1,{slip},1,1,2")).problems
    assert problem.code == "bad_value"
    assert problem.params["value"] == "Jeg har det egentli…"
    assert slip not in describe(problem)


@pytest.mark.parametrize("code", PROBLEM_CODES)
def test_every_code_has_an_english_description_with_its_parameters_filled(code: str) -> None:
    params = {
        "detail": "d",
        "position": "3",
        "first_position": "1",
        "value": "v",
        "expected": "6",
        "found": "5",
        "length": "101",
        "max": "100",
        "event": "e",
        "allowed": "a",
        "form": "f",
        "wave": "T0",
        "record_id": "r",
        "first_line": "2",
    }
    text = describe(Problem(line=7, column="tils_1", code=code, params=params))
    assert text.startswith("Line 7: ")
    assert "{" not in text
    assert text != "Line 7: problem " + code


def test_a_programming_error_in_the_instruments_raises() -> None:
    with pytest.raises(ValueError, match="more than once"):
        parse_flat_csv(TILS_HEADER, instruments=[TILS, TILS], events=EVENTS)


# --- round trip with the data dictionary -------------------------------------------------------


def _import_header(instruments: Sequence[Instrument]) -> list[str]:
    fields = [row[0] for row in data_dictionary_rows(instruments)[1:]]
    forms = [f"{instrument.code}_complete" for instrument in instruments]
    return [fields[0], "redcap_event_name", "redcap_data_access_group", *fields[1:], *forms]


def test_the_dictionarys_field_names_make_a_header_the_import_accepts() -> None:
    header = _import_header(ALL)
    cells = {name: "" for name in header}
    cells.update(record_id="1", redcap_event_name="t0_arm_1")
    for instrument in ALL:
        for item in instrument.choice_items:
            cells[item.code] = str(item.options[0].score)
        cells[f"{instrument.code}_complete"] = "2"
    cells["exp_comment"] = "Godt, tak"
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, [cells[name] for name in header]])
    result = parse_flat_csv(buffer.getvalue(), instruments=ALL, events=EVENTS)
    assert result.ok, [describe(p) for p in result.problems]
    forms = {form.form: form for form in result.rows[0].forms}
    assert set(forms) == {instrument.code for instrument in ALL}
    assert forms["experience"].texts == {"exp_comment": "Godt, tak"}


@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=30).filter(
        lambda name: name[0].isalpha()
    )
)
def test_the_import_accepts_exactly_the_names_the_dictionary_defines(name: str) -> None:
    header = _import_header(ALL)
    defined = set(header) | {"redcap_repeat_instrument", "redcap_repeat_instance"}
    result = parse_flat_csv(",".join([*header, name]) + "\r\n", instruments=ALL, events=EVENTS)
    expected = "duplicate_column" if name in defined else "unknown_column"
    assert _where(result) == [(1, name, expected)]


@given(st.data())
def test_answers_written_in_dictionary_codes_read_back_unchanged(data: st.DataObject) -> None:
    instruments = (WHO5, TILS, BACKGROUND)
    header = _import_header(instruments)
    answers = {
        item.code: data.draw(st.sampled_from([None, *sorted(item.scores)]), label=item.code)
        for instrument in instruments
        for item in instrument.choice_items
    }
    cells = {name: "" for name in header}
    cells.update(record_id="P-9", redcap_event_name="t0_arm_1")
    cells.update({code: "" if value is None else str(value) for code, value in answers.items()})
    for instrument in instruments:
        cells[f"{instrument.code}_complete"] = "2"
    text = _file(",".join(header), ",".join(cells[name] for name in header))
    result = parse_flat_csv(text, instruments=instruments, events=EVENTS)
    assert result.ok
    read = {code: value for form in result.rows[0].forms for code, value in form.answers.items()}
    assert read == answers
