"""Tests for :mod:`spejl.core.exports.instrument_layout`: one row per instrument answered."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spejl.core.exports.codebook import codebook_rows
from spejl.core.exports.deidentify import DeidentifyOptions, Place
from spejl.core.exports.instrument_layout import (
    INSTRUMENT_NUMBERS,
    UNREGISTERED_START,
    instrument_numbers,
    per_instrument_table,
)
from spejl.core.exports.layout import ParticipantRecord, ResponseRecord, long_table
from spejl.core.exports.model import Table, long_to_wide
from spejl.core.exports.pseudonym import group_pseudonym, pseudonym, recipient_key
from spejl.core.exports.writers import write_sav
from spejl.core.instruments import Instrument, load_all

INSTRUMENT_DIRECTORY = Path(__file__).resolve().parents[2] / "instruments"
INSTRUMENTS = load_all(INSTRUMENT_DIRECTORY)
TILS = INSTRUMENTS["tils.v1"]
WHO5 = INSTRUMENTS["who5.v1"]
EXPERIENCE = INSTRUMENTS["experience.v1"]
BACKGROUND = INSTRUMENTS["background.v1"]
USED = (BACKGROUND, TILS, WHO5, EXPERIENCE)
KEY = recipient_key(bytes(32), "recipient-1")
PLACES = {"8000": Place("Aarhus", "1082")}
PEOPLE = (
    ParticipantRecord(
        participant_id="anna", birth_year=2000, postcode="8000", age_on=date(2024, 3, 1)
    ),
    ParticipantRecord(participant_id="bo", birth_year=1950, age_on=date(2024, 3, 1)),
)
ORG = "Frivilligcenter Aarhus"


def response(pid: str, wave: str, instrument: Instrument, **extra: object) -> ResponseRecord:
    fields: dict[str, object] = {
        "participant_id": pid,
        "wave": wave,
        "instrument": instrument.code,
        "instrument_version": instrument.version,
        "mode": "web",
        "answered_on": date(2024, 3, 1) + timedelta(days=60 * int(wave[1])),
        "group_id": "group-1",
        "organisation": ORG,
    }
    fields.update(extra)
    return ResponseRecord(**fields)  # type: ignore[arg-type]


RESPONSES = (
    response("anna", "T0", BACKGROUND, answers={"bg_gender": 1, "bg_living": 2}),
    response(
        "anna",
        "T0",
        TILS,
        answers={"tils_1": 3, "tils_2": 3, "tils_3": 2},
        score=8.0,
        band="severe",
    ),
    response(
        "anna",
        "T1",
        TILS,
        mode="paper",
        answers={"tils_1": 1, "tils_2": 2, "tils_3": 1},
        score=4.0,
        answered_on=date(2024, 5, 2),
    ),
    response(
        "anna",
        "T1",
        WHO5,
        answers={f"who5_{i}": 2 for i in range(1, 6)},
        score=40.0,
        band="poor_wellbeing",
    ),
    response(
        "anna",
        "T1",
        EXPERIENCE,
        answers={"exp_met": 5, "exp_seen": None},
        texts={"exp_comment": "Det var godt at møde Per."},
    ),
    response("bo", "T0", TILS, answers={"tils_1": 1, "tils_2": 1, "tils_3": 1}, score=3.0),
    response(
        "bo",
        "T0",
        TILS,
        answers={"tils_1": 2, "tils_2": 2, "tils_3": 2},
        score=6.0,
        group_id="",
        organisation="",
    ),
)


def long(**kwargs: object) -> Table:
    arguments: dict[str, object] = {
        "instruments": USED,
        "key": KEY,
        "participants": PEOPLE,
        "places": PLACES,
        "scoring_engine": 1,
    }
    arguments.update(kwargs)
    return long_table(RESPONSES, **arguments)  # type: ignore[arg-type]


def as_dicts(table: Table) -> list[dict[str, object]]:
    return [dict(zip(table.names, row, strict=True)) for row in table.rows()]


def item_names(instrument: Instrument, table: Table) -> list[str]:
    return [code for code in instrument.item_codes if code in table.names]


def test_one_row_per_participant_group_wave_and_instrument_answered() -> None:
    table = per_instrument_table(long(), instruments=USED)
    assert table.n_rows == len(RESPONSES)
    rows = as_dicts(table)
    anna, bo = pseudonym(KEY, "anna"), pseudonym(KEY, "bo")
    group = group_pseudonym(KEY, "group-1")
    keys = {(r["pseudonym"], r["group"], r["wave"], r["instrument"]) for r in rows}
    numbers = INSTRUMENT_NUMBERS
    assert keys == {
        (anna, group, 0, numbers["background"]),
        (anna, group, 0, numbers["tils"]),
        (anna, group, 1, numbers["tils"]),
        (anna, group, 1, numbers["who5"]),
        (anna, group, 1, numbers["experience"]),
        (bo, group, 0, numbers["tils"]),
        (bo, None, 0, numbers["tils"]),
    }


def test_leading_columns_come_first_then_generic_columns_then_bands_and_items() -> None:
    table = per_instrument_table(long(), instruments=USED)
    assert table.names[:11] == (
        "pseudonym",
        "group",
        "organisation",
        "wave",
        "age_band",
        "region",
        "instrument",
        "instrument_version",
        "mode",
        "date",
        "score",
    )
    assert table.names[11:13] == ("tils_band", "who5_band")
    items = [*BACKGROUND.item_codes, *TILS.item_codes, *WHO5.item_codes]
    items += [code for code in EXPERIENCE.item_codes if code != "exp_comment"]
    assert list(table.names[13:]) == items
    for gone in ("tils_version", "tils_mode", "tils_date", "tils_score", "who5_score"):
        assert gone not in table.names


def test_values_of_a_response_are_carried_into_its_row() -> None:
    unshifted = long(options=DeidentifyOptions(shift_dates=False))
    source = {(r["pseudonym"], r["group"], r["wave"]): r for r in as_dicts(unshifted)}
    table = per_instrument_table(unshifted, instruments=USED)
    anna = pseudonym(KEY, "anna")
    row = next(
        r
        for r in as_dicts(table)
        if r["pseudonym"] == anna and r["wave"] == 1 and r["instrument"] == 2
    )
    assert (row["tils_1"], row["tils_2"], row["tils_3"]) == (1, 2, 1)
    assert (row["instrument_version"], row["mode"], row["score"]) == (1, 2, 4.0)  # 2 = paper
    assert row["date"] == date(2024, 5, 2)
    assert row["tils_band"] == 0  # scored, but in none of the bands
    assert row["who5_band"] is None and row["who5_1"] is None and row["exp_met"] is None
    assert row["organisation"] == ORG and row["region"] == "Region Midtjylland"
    assert row["age_band"] == source[(anna, row["group"], 1)]["age_band"] == 2  # 18–24
    who5 = next(
        r
        for r in as_dicts(table)
        if r["pseudonym"] == anna and r["wave"] == 1 and r["instrument"] == 3
    )
    assert (who5["score"], who5["who5_band"], who5["who5_3"]) == (40.0, 2, 2)
    assert who5["tils_band"] is None and who5["tils_1"] is None
    experience = next(r for r in as_dicts(table) if r["instrument"] == 5)
    assert (experience["exp_met"], experience["exp_seen"], experience["score"]) == (5, None, None)


def test_item_columns_of_other_instruments_are_missing_in_every_row() -> None:
    table = per_instrument_table(long(), instruments=USED)
    by_number = {INSTRUMENT_NUMBERS[i.code]: i.code for i in USED}
    checked = 0
    for row in as_dicts(table):
        code = by_number[int(row["instrument"])]  # type: ignore[call-overload]
        for variable in table.variables:
            if variable.instrument and variable.instrument != code:
                assert row[variable.name] is None, (code, variable.name)
                checked += 1
    assert checked > 100


@pytest.mark.parametrize("order", [USED, USED[::-1]], ids=["blocks in order", "reversed"])
def test_rows_are_sorted_by_pseudonym_group_wave_and_instrument(
    order: tuple[Instrument, ...],
) -> None:
    # With the blocks reversed, instrument numbers run against the order of the columns.
    table = per_instrument_table(long(instruments=order), instruments=USED)
    keys = [(r["pseudonym"], r["group"] or "", r["wave"], r["instrument"]) for r in as_dicts(table)]
    assert keys == sorted(keys)  # type: ignore[type-var]
    assert len(set(keys)) == len(keys) == len(RESPONSES)


def test_row_order_of_the_long_table_does_not_matter() -> None:
    source = long()
    reverse = np.arange(source.n_rows)[::-1]
    shuffled = Table(
        variables=source.variables,
        columns=tuple(column[reverse] for column in source.columns),
        title=source.title,
    )
    expected = list(per_instrument_table(source, instruments=USED).rows())
    assert list(per_instrument_table(shuffled, instruments=USED).rows()) == expected


def test_free_text_is_carried_when_the_long_table_keeps_it() -> None:
    kept = long(options=DeidentifyOptions(drop_free_text=False))
    rows = as_dicts(per_instrument_table(kept, instruments=USED))
    comments = [(r["instrument"], r["exp_comment"]) for r in rows if r["exp_comment"]]
    assert comments == [(INSTRUMENT_NUMBERS["experience"], "Det var godt at møde Per.")]
    assert "exp_comment" not in per_instrument_table(long(), instruments=USED).names


def test_labels_and_sources_describe_every_new_variable() -> None:
    table = per_instrument_table(long(), instruments=USED)
    instrument = table.variable("instrument")
    assert dict(instrument.value_labels) == {
        1: "Lidt om dig",
        2: "Ensomhed (T-ILS / UCLA-3)",
        3: "Trivsel (WHO-5)",
        5: "Din oplevelse af forløbet",
    }
    assert table.variable("mode").value_labels[2] == "Papir"
    assert table.variable("date").label == "Besvaret den (datoen er forskudt)"
    assert "shifted" in table.variable("date").source
    score = table.variable("score")
    assert "tils.v1 engine 1" in score.source and "who5.v1 engine 1" in score.source
    assert table.variable("tils_band") == long().variable("tils_band")
    assert table.variable("tils_1") == long().variable("tils_1")
    for row in codebook_rows({"data": table}, with_file=False)[1:]:
        assert all(row[:3]), row  # name, label and kind never empty
    english = per_instrument_table(long(language="en"), instruments=USED, language="en")
    assert english.variable("instrument").value_labels[3] == "Well-being (WHO-5)"
    assert english.variable("date").label == "Answered on (date shifted)"
    assert english.title == "Spejl — per questionnaire"
    unshifted = per_instrument_table(
        long(options=DeidentifyOptions(shift_dates=False)), instruments=USED
    )
    assert unshifted.variable("date").label == "Besvaret den"


def test_writes_to_sav_and_reads_back_with_labels(tmp_path: Path) -> None:
    table = per_instrument_table(long(), instruments=USED, title="Spejl pr. spørgeskema")
    path = tmp_path / "per_instrument.sav"
    write_sav(table, path)
    frame, meta = pyreadstat.read_sav(str(path))
    assert list(frame.columns) == list(table.names)
    assert len(frame) == len(RESPONSES)
    assert meta.file_label == "Spejl pr. spørgeskema"
    assert meta.column_names_to_labels["instrument"] == "Spørgeskema"
    assert meta.variable_value_labels["instrument"][2.0] == "Ensomhed (T-ILS / UCLA-3)"
    assert meta.variable_value_labels["tils_band"][1.0] == TILS.bands[0].label.da
    assert meta.variable_measure["instrument"] == "nominal"
    assert meta.variable_measure["score"] == "scale"
    expected = as_dicts(table)
    assert frame["instrument"].tolist() == [r["instrument"] for r in expected]
    assert [None if math.isnan(v) else v for v in frame["score"]] == [r["score"] for r in expected]
    assert [None if math.isnan(v) else v for v in frame["tils_1"]] == [
        r["tils_1"] for r in expected
    ]
    assert [None if pd.isna(v) else v for v in frame["date"]] == [r["date"] for r in expected]


def test_instrument_numbers_are_fixed_for_every_shipped_instrument() -> None:
    shipped = {instrument.code for instrument in INSTRUMENTS.values()}
    assert shipped <= INSTRUMENT_NUMBERS.keys(), "register new instrument files' numbers"
    assert len(set(INSTRUMENT_NUMBERS.values())) == len(INSTRUMENT_NUMBERS)
    assert max(INSTRUMENT_NUMBERS.values()) < UNREGISTERED_START
    assert instrument_numbers(["who5", "zeta", "alpha", "tils"]) == {
        "tils": 2,
        "who5": 3,
        "alpha": UNREGISTERED_START,
        "zeta": UNREGISTERED_START + 1,
    }


def test_an_answered_instrument_missing_from_the_instruments_is_refused() -> None:
    with pytest.raises(ValueError, match="experience"):
        per_instrument_table(long(), instruments=(BACKGROUND, TILS, WHO5))


def test_a_table_not_in_the_long_layout_is_refused() -> None:
    with pytest.raises(ValueError, match="long layout"):
        per_instrument_table(long_to_wide(long()), instruments=USED)


def test_no_responses_give_an_empty_table_with_every_column() -> None:
    empty = long_table([], instruments=USED, key=KEY)
    table = per_instrument_table(empty, instruments=USED)
    assert table.n_rows == 0
    assert "instrument" in table.names and "tils_1" in table.names


@st.composite
def responses(draw: st.DrawFn) -> list[ResponseRecord]:
    """Distinct (participant, group, wave, instrument) answers with random item values."""
    keys = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["p1", "p2", "p3", "p4"]),
                st.sampled_from(["", "g1", "g2"]),
                st.sampled_from(["T0", "T1", "T2"]),
                st.sampled_from(USED),
            ),
            unique_by=lambda k: (k[0], k[1], k[2], k[3].code),
            max_size=40,
        )
    )
    records = []
    for pid, group, wave, instrument in keys:
        answers = {
            item.code: draw(st.sampled_from([None, *sorted(item.scores)]))
            for item in instrument.choice_items
        }
        records.append(
            response(pid, wave, instrument, answers=answers, group_id=group, organisation="")
        )
    return records


@settings(max_examples=60, deadline=None)
@given(responses())
def test_every_response_becomes_exactly_its_own_row(records: list[ResponseRecord]) -> None:
    source = long_table(records, instruments=USED, key=KEY)
    table = per_instrument_table(source, instruments=USED)
    assert table.n_rows == len(records)
    rows = {(r["pseudonym"], r["group"], r["wave"], r["instrument"]): r for r in as_dicts(table)}
    for record in records:
        group = group_pseudonym(KEY, record.group_id) if record.group_id else None
        number = INSTRUMENT_NUMBERS[record.instrument]
        row = rows[(pseudonym(KEY, record.participant_id), group, int(record.wave[1]), number)]
        for code in item_names(next(i for i in USED if i.code == record.instrument), table):
            assert row[code] == record.answers.get(code)
