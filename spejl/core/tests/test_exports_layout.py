"""Tests for :mod:`spejl.core.exports.layout`: the long layout built from response records."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from spejl.core.exports.deidentify import DeidentifyOptions, Place
from spejl.core.exports.layout import ParticipantRecord, ResponseRecord, long_table
from spejl.core.exports.model import long_to_wide
from spejl.core.exports.pseudonym import (
    date_shift_days,
    group_pseudonym,
    pseudonym,
    recipient_key,
)
from spejl.core.instruments import Instrument, Item, Option, Text, load_all

INSTRUMENTS = load_all(Path(__file__).resolve().parents[2] / "instruments")
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
    ParticipantRecord(
        participant_id="bo", birth_year=1950, postcode="9999", age_on=date(2024, 3, 1)
    ),
)


def tils(pid: str, wave: str, items: tuple[int, int, int], **extra: object) -> ResponseRecord:
    total = sum(items)
    fields: dict[str, object] = {
        "participant_id": pid,
        "wave": wave,
        "instrument": "tils",
        "instrument_version": 1,
        "mode": "web",
        "answered_on": date(2024, 3, 1) + timedelta(days=60 * int(wave[1])),
        "answers": dict(zip(TILS.item_codes, items, strict=True)),
        "score": float(total),
        "band": "severe" if total >= 7 else None,
        "group_id": "group-1",
        "organisation": "Frivilligcenter Aarhus",
    }
    fields.update(extra)
    return ResponseRecord(**fields)  # type: ignore[arg-type]


RESPONSES = (
    tils("anna", "T0", (3, 3, 2)),
    tils("anna", "T1", (1, 2, 1), mode="paper"),
    ResponseRecord(
        participant_id="anna",
        wave="T1",
        instrument="experience",
        instrument_version=1,
        mode="web",
        answered_on=date(2024, 5, 1),
        answers={"exp_met": 5, "exp_seen": None},
        texts={"exp_comment": "Det var godt at møde Per."},
        group_id="group-1",
        organisation="Frivilligcenter Aarhus",
    ),
    tils("bo", "T0", (1, 1, 1), group_id="group-2", organisation="Selvhjælp Aalborg"),
    tils("bo", "T0", (2, 2, 2), group_id="", organisation=""),
)


def build(**kwargs: object) -> object:
    arguments: dict[str, object] = {
        "instruments": USED,
        "key": KEY,
        "participants": PEOPLE,
        "places": PLACES,
        "scoring_engine": 1,
    }
    arguments.update(kwargs)
    return long_table(RESPONSES, **arguments)  # type: ignore[arg-type]


def rows(**kwargs: object) -> list[dict[str, object]]:
    table = build(**kwargs)
    return [dict(zip(table.names, row, strict=True)) for row in table.rows()]  # type: ignore[attr-defined]


def test_long_layout_starts_with_ids_wave_age_and_place_then_each_instrument() -> None:
    names = build().names  # type: ignore[attr-defined]
    assert names[:6] == ("pseudonym", "group", "organisation", "wave", "age_band", "region")
    tils_names = [n for n in names if n.startswith("tils")]
    assert tils_names == [
        "tils_version",
        "tils_mode",
        "tils_date",
        "tils_1",
        "tils_2",
        "tils_3",
        "tils_score",
        "tils_band",
    ]
    assert "who5_score" in names and "who5_band" in names
    assert "background_score" not in names and "experience_band" not in names
    assert "exp_comment" not in names  # free text dropped by default


def test_one_row_per_participant_group_and_wave_sorted_by_codes() -> None:
    table = rows()
    keys = [(r["pseudonym"], r["group"] or "", r["wave"]) for r in table]
    assert keys == sorted(keys)
    anna, bo = pseudonym(KEY, "anna"), pseudonym(KEY, "bo")
    assert sorted(
        (r["pseudonym"], r["group"], r["wave"]) for r in table if r["pseudonym"] == anna
    ) == [
        (anna, group_pseudonym(KEY, "group-1"), 0),
        (anna, group_pseudonym(KEY, "group-1"), 1),
    ]
    assert {r["group"] for r in table if r["pseudonym"] == bo} == {
        group_pseudonym(KEY, "group-2"),
        None,
    }


def test_instruments_of_one_wave_share_a_row_and_keep_their_values() -> None:
    anna = pseudonym(KEY, "anna")
    t1 = next(r for r in rows() if r["pseudonym"] == anna and r["wave"] == 1)
    assert (t1["tils_1"], t1["tils_2"], t1["tils_3"], t1["tils_score"]) == (1, 2, 1, 4.0)
    assert t1["tils_band"] == 0  # scored, outside every band
    assert t1["tils_mode"] == 2 and t1["tils_version"] == 1  # paper
    assert (t1["experience_version"], t1["exp_met"], t1["exp_seen"]) == (1, 5, None)
    assert t1["who5_version"] is None and t1["who5_1"] is None
    t0 = next(r for r in rows() if r["pseudonym"] == anna and r["wave"] == 0)
    assert t0["tils_band"] == 1 and t0["experience_version"] is None


def test_dates_shift_back_by_the_participants_stable_amount() -> None:
    anna = pseudonym(KEY, "anna")
    shift = timedelta(days=date_shift_days(KEY, "anna"))
    by_wave = {r["wave"]: r for r in rows() if r["pseudonym"] == anna}
    assert by_wave[0]["tils_date"] == date(2024, 3, 1) + shift
    assert by_wave[1]["tils_date"] == date(2024, 4, 30) + shift
    assert by_wave[1]["experience_date"] == date(2024, 5, 1) + shift
    exact = {r["wave"]: r for r in rows(options=DeidentifyOptions(shift_dates=False))}
    assert date(2024, 3, 1) in {r["tils_date"] for r in exact.values()}


def test_labels_and_sources_say_what_each_variable_is() -> None:
    table = build()
    item = table.variable("tils_1")  # type: ignore[attr-defined]
    assert item.label == TILS.items[0].text.da
    assert dict(item.value_labels) == {1: "Næsten aldrig", 2: "En gang imellem", 3: "Ofte"}
    assert (item.instrument, item.instrument_version) == ("tils", 1)
    assert item.source == "questionnaire tils v1, item tils_1"
    score = table.variable("tils_score")  # type: ignore[attr-defined]
    assert score.source == "derived: Spejl scoring tils.v1 engine 1"
    assert score.label.endswith("(3–9)") and score.measure == "scale"
    band = table.variable("tils_band")  # type: ignore[attr-defined]
    assert dict(band.value_labels) == {0: "ingen af kategorierne", 1: "Tegn på svær ensomhed"}
    mode = table.variable("tils_mode")  # type: ignore[attr-defined]
    assert dict(mode.value_labels) == {
        1: "Web (deltagerens link)",
        2: "Papir",
        3: "Telefon",
        4: "Importeret (REDCap)",
    }
    english = build(language="en").variable("tils_1")  # type: ignore[attr-defined]
    assert english.label == TILS.items[0].text.en


def test_free_text_is_kept_only_when_asked() -> None:
    kept = rows(options=DeidentifyOptions(drop_free_text=False))
    assert [r["exp_comment"] for r in kept if r["exp_comment"]] == ["Det var godt at møde Per."]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (DeidentifyOptions(), {"age_band": 2, "region": "Region Midtjylland"}),
        (
            DeidentifyOptions(age="year", place="municipality"),
            {"birth_year": 2000, "municipality": "Aarhus", "region": "Region Midtjylland"},
        ),
        (DeidentifyOptions(place="none"), {"age_band": 2}),
    ],
)
def test_age_and_place_follow_the_options(
    options: DeidentifyOptions, expected: dict[str, object]
) -> None:
    anna = pseudonym(KEY, "anna")
    table = rows(options=options)
    first = next(r for r in table if r["pseudonym"] == anna)
    assert {k: first[k] for k in expected} == expected
    assert not {"birth_year", "municipality", "region", "age_band"} - set(expected) & set(first)


def test_unknown_postcodes_and_unknown_people_have_no_place_or_age() -> None:
    bo = pseudonym(KEY, "bo")
    first = next(r for r in rows() if r["pseudonym"] == bo)
    assert first["region"] is None and first["age_band"] == 7  # 74 in 2024
    nobody = rows(participants=())
    assert {r["age_band"] for r in nobody} == {None}


def test_wide_layout_from_the_long_one() -> None:
    wide = long_to_wide(build())  # type: ignore[arg-type]
    assert "tils_score_t0" in wide.names and "exp_met_t1" in wide.names
    assert "exp_met_t0" not in wide.names
    assert wide.n_rows == 3  # anna/group-1, bo/group-2, bo/no group


def test_several_versions_of_an_instrument_share_its_columns() -> None:
    old_item = replace(TILS.items[0], code="tils_old", text=Text("Gammel", "Old"))
    v2 = replace(TILS, version=2, items=(*TILS.items, old_item))
    responses = (*RESPONSES, tils("cy", "T0", (1, 1, 1), instrument_version=2))
    table = long_table(responses, instruments=(TILS, v2, EXPERIENCE), key=KEY)
    assert table.names.count("tils_1") == 1 and "tils_old" in table.names
    assert table.variable("tils_1").source == "questionnaire tils v1/v2, item tils_1"
    assert set(table.column("tils_version")) >= {1.0, 2.0}


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (tils("x", "T3", (1, 1, 1)), "unknown wave"),
        (tils("x", "T0", (1, 1, 1), instrument_version=9), r"tils\.v9"),
        (tils("x", "T0", (1, 1, 1), instrument="swemwbs"), r"swemwbs\.v1"),
        (tils("x", "T0", (1, 1, 1), answers={"who5_1": 1}), "no choice item 'who5_1'"),
        (tils("x", "T0", (1, 1, 1), answers={"tils_1": 4}), "4 is not an answer to tils_1"),
        (tils("x", "T0", (1, 1, 1), answers={"tils_1": True}), "True is not an answer"),
        (tils("x", "T0", (1, 1, 1), band="mild"), "no band 'mild'"),
        (tils("x", "T0", (1, 1, 1), mode="fax"), "unknown mode 'fax'"),
        (tils("x", "T0", (1, 1, 1), texts={"tils_1": "x"}), "no open question"),
        (tils("anna", "T0", (1, 1, 1)), "two responses to tils"),
        (
            tils(
                "anna",
                "T0",
                (1, 1, 1),
                instrument="background",
                instrument_version=1,
                answers={},
                score=3.0,
                band=None,
            ),
            "not scored",
        ),
        (
            tils("anna", "T0", (1, 1, 1), instrument="who5", answers={}, organisation="Other"),
            "two organisations",
        ),
    ],
)
def test_bad_records_are_refused_not_dropped(record: ResponseRecord, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        long_table((*RESPONSES, record), instruments=USED, key=KEY)


def test_instrument_given_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="given twice"):
        long_table(RESPONSES, instruments=(TILS, TILS), key=KEY)


def test_no_responses_give_an_empty_table_with_every_column() -> None:
    table = long_table((), instruments=USED, key=KEY)
    assert table.n_rows == 0 and "tils_score" in table.names


def test_item_codes_clashing_with_layout_names_are_refused() -> None:
    clash = Instrument(
        **{
            **TILS.__dict__,
            "code": "odd",
            "items": (Item("region", Text("a", "a"), (Option(1, Text("x", "x")),)),),
        }
    )
    with pytest.raises(ValueError, match="'region' appears twice"):
        long_table((), instruments=(clash,), key=KEY)
