"""Tests for :mod:`spejl.core.exports.model`: variables, tables and the long-to-wide reshape."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spejl.core.exports.model import Table, Variable, long_to_wide


def var(name: str, kind: str = "integer", **extra: object) -> Variable:
    return Variable(
        name=name,
        label=extra.pop("label", name.title()),  # type: ignore[arg-type]
        kind=kind,  # type: ignore[arg-type]
        source="test",
        measure=extra.pop("measure", "nominal"),  # type: ignore[arg-type]
        **extra,  # type: ignore[arg-type]
    )


ID = var("pseudonym", "string")
GROUP = var("group", "string")
WAVE = var("wave", value_labels={0: "T0", 1: "T1", 2: "T2"})
REGION = var("region", "string")
SCORE = var("tils_score", "number", instrument="tils")
ITEM = var("tils_1", instrument="tils", value_labels={1: "Næsten aldrig", 3: "Ofte"})
DAY = var("tils_date", "date", instrument="tils")
EXP = var("exp_met", instrument="experience")


def long(rows: list[tuple[object, ...]]) -> Table:
    return Table.from_rows([ID, GROUP, WAVE, REGION, SCORE, ITEM, DAY, EXP], rows, "Long")


def test_variable_names_must_suit_spss_and_stata() -> None:
    assert var("a" * 32).name == "a" * 32
    for bad in ("a" * 33, "Tils", "1a", "_a", "a-b", "æble", ""):
        with pytest.raises(ValueError, match="variable name"):
            var(bad)
    for reserved in ("if", "with", "all", "long", "str12"):
        with pytest.raises(ValueError, match="reserved"):
            var(reserved)


def test_value_labels_only_for_integers_with_integer_codes() -> None:
    with pytest.raises(ValueError, match="only integer variables"):
        var("s", "string", value_labels={1: "x"})
    with pytest.raises(ValueError, match="not an integer"):
        var("b", value_labels={True: "x"})
    with pytest.raises(ValueError, match="empty label"):
        var("b", value_labels={1: " "})


def test_variable_value_labels_cannot_be_changed_afterwards() -> None:
    labels = {1: "one"}
    variable = var("x", value_labels=labels)
    labels[2] = "two"
    assert dict(variable.value_labels) == {1: "one"}
    with pytest.raises(TypeError):
        variable.value_labels[3] = "three"  # type: ignore[index]


def test_table_round_trips_rows_with_missing_values() -> None:
    rows = [
        ("PA", "GA", 0, "Region Midtjylland", 7.0, 3, date(2024, 1, 2), None),
        ("PB", None, 1, None, None, None, None, 2),
    ]
    assert list(long(rows).rows()) == rows


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (5, 2.5, "non-integer"),
        (5, "3", "not a number"),
        (5, True, "not a number"),
        (4, float("inf"), "infinite"),
        (4, -1.7976931348623157e308, "huge"),
        (6, datetime(2024, 1, 2, 12), "not a date"),
        (0, 7, "not text"),
    ],
)
def test_table_refuses_values_of_the_wrong_kind(column: int, value: object, message: str) -> None:
    row: list[object] = ["PA", "GA", 0, None, None, None, None, None]
    row[column] = value
    with pytest.raises(ValueError, match=message):
        long([tuple(row)])


def test_table_refuses_duplicate_names_and_ragged_columns() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        Table.from_rows([ID, ID], [], "t")
    with pytest.raises(ValueError, match="differ in length"):
        Table.from_columns([ID, WAVE], [["a"], [0, 1]], "t")


ROWS = [
    ("PA", "GA", 0, "R1", 8.0, 3, date(2024, 1, 2), None),
    ("PA", "GA", 1, "R1", 5.0, 1, date(2024, 3, 2), 2),
    ("PB", "GA", 0, None, None, 1, None, None),
    ("PB", "GA", 2, "R2", 4.0, None, date(2024, 6, 1), None),
]


def test_wide_has_one_row_per_participant_and_renamed_wave_variables() -> None:
    wide = long_to_wide(long(ROWS))
    assert wide.names == (
        "pseudonym",
        "group",
        "region",
        "tils_score_t0",
        "tils_1_t0",
        "tils_date_t0",
        "tils_score_t1",
        "tils_1_t1",
        "tils_date_t1",
        "exp_met_t1",
        "tils_score_t2",
        "tils_1_t2",
        "tils_date_t2",
    )
    assert list(wide.rows()) == [
        ("PA", "GA", "R1", 8.0, 3, date(2024, 1, 2), 5.0, 1, date(2024, 3, 2), 2, None, None, None),
        ("PB", "GA", "R2", None, 1, None, None, None, None, None, 4.0, None, date(2024, 6, 1)),
    ]
    assert wide.variable("tils_1_t1").label == "T1: Tils_1"
    assert dict(wide.variable("tils_1_t1").value_labels) == dict(ITEM.value_labels)


def test_wide_keeps_an_instruments_variables_if_anyone_answered_it_at_that_wave() -> None:
    # Nobody answered exp_met at T0 or T2: left out there, kept at T1.
    names = long_to_wide(long(ROWS)).names
    assert "exp_met_t1" in names and "exp_met_t0" not in names
    assert "exp_met_t0" in long_to_wide(long(ROWS), drop_empty=False).names


def test_wide_uses_given_suffixes() -> None:
    wide = long_to_wide(long(ROWS), suffixes={0: "base", 1: "end", 2: "fu"})
    assert "tils_score_base" in wide.names and "tils_score_fu" in wide.names


def test_wide_refuses_a_constant_that_changes_between_waves() -> None:
    rows = [ROWS[0], (*ROWS[1][:3], "R9", *ROWS[1][4:])]
    with pytest.raises(ValueError, match="'region' differs between waves"):
        long_to_wide(long(rows))


def test_wide_refuses_two_rows_for_one_wave() -> None:
    with pytest.raises(ValueError, match="more than one row for the same wave"):
        long_to_wide(long([ROWS[0], ROWS[0]]))


def test_wide_refuses_names_longer_than_32_characters() -> None:
    long_name = var("a" * 30, instrument="x")
    table = Table.from_rows([ID, GROUP, WAVE, long_name], [("P", "G", 0, 1)], "t")
    with pytest.raises(ValueError, match="longer than 32"):
        long_to_wide(table)


def test_participants_in_two_groups_get_a_wide_row_per_group() -> None:
    rows = [
        ("PA", "GA", 0, None, 1.0, None, None, None),
        ("PA", "GB", 0, None, 2.0, None, None, None),
    ]
    wide = long_to_wide(long(rows))
    assert [r[:2] for r in wide.rows()] == [("PA", "GA"), ("PA", "GB")]


cells = st.tuples(
    st.sampled_from(["PA", "PB", "PC", "PD"]),
    st.sampled_from(["GA", None]),
    st.integers(min_value=0, max_value=2),
    st.one_of(st.none(), st.integers(min_value=-5, max_value=5)),
    st.one_of(st.none(), st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1))),
)


@settings(max_examples=60)
@given(st.lists(cells, max_size=20, unique_by=lambda c: (c[0], c[1], c[2])))
def test_every_long_value_is_found_in_the_wide_table(rows: list[tuple[object, ...]]) -> None:
    variables = [ID, GROUP, WAVE, var("x", instrument="a"), var("d", "date", instrument="a")]
    table = Table.from_rows(variables, rows, "t")
    wide = long_to_wide(table, drop_empty=False)
    index = {(r[0], r[1]): dict(zip(wide.names, r, strict=True)) for r in wide.rows()}
    assert len(index) == len({(r[0], r[1]) for r in rows})
    for person, group, wave, x, day in rows:
        found = index[(person, group)]
        assert found[f"x_t{wave}"] == x
        assert found[f"d_t{wave}"] == day


def test_table_columns_hold_the_documented_representations() -> None:
    table = long(ROWS)
    assert table.column("tils_1").dtype == np.float64
    assert table.column("tils_date").dtype == np.dtype("datetime64[D]")
    assert table.column("pseudonym").dtype == object
    assert np.isnan(table.column("exp_met")[0])
