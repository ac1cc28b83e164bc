"""Tests for loading and validating instrument files in :mod:`spejl.core.instruments`."""

from __future__ import annotations

import copy
import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from spejl.core.instruments import (
    InstrumentFileError,
    content_hash,
    load_all,
    load_instrument,
)

INSTRUMENTS = Path(__file__).resolve().parents[2] / "instruments"
SWEMWBS_CSV = Path(__file__).resolve().parents[2] / "data" / "swemwbs_conversion.csv"


def test_all_shipped_instruments_load() -> None:
    instruments = load_all(INSTRUMENTS)
    assert set(instruments) == {
        "tils.v1",
        "who5.v1",
        "direct_loneliness.v1",
        "swemwbs.v1",
        "background.v1",
        "experience.v1",
    }


def test_tils_definition_matches_the_national_health_profile() -> None:
    tils = load_instrument(INSTRUMENTS / "tils.v1.json")
    assert tils.item_codes == ("tils_1", "tils_2", "tils_3")
    assert tils.items[0].text.da == "Hvor ofte føler du, at du savner nogen at være sammen med?"
    assert tils.items[1].text.en == "How often do you feel left out?"
    assert [(o.score, o.label.da) for o in tils.items[0].options] == [
        (1, "Næsten aldrig"),
        (2, "En gang imellem"),
        (3, "Ofte"),
    ]
    assert tils.score_range == (3, 9)
    assert [(b.code, b.min, b.max) for b in tils.bands] == [("severe", 7, 9)]
    assert "Sundhedsstyrelsen" in tils.bands[0].source
    assert tils.direction == "lower_is_better"
    assert tils.reliability is not None
    assert tils.reliability.value == 0.72
    assert "Hughes" in tils.reliability.source
    assert tils.scoring.max_missing == 0


def test_who5_definition_has_the_kl_wording_and_cut_offs() -> None:
    who5 = load_instrument(INSTRUMENTS / "who5.v1.json")
    assert [item.text.da for item in who5.items] == [
        "I de sidste 2 uger har jeg været glad og i godt humør",
        "I de sidste 2 uger har jeg følt mig rolig og afslappet",
        "I de sidste 2 uger har jeg følt mig aktiv og energisk",
        "I de sidste 2 uger er jeg vågnet frisk og udhvilet",
        "I de sidste 2 uger har min dagligdag været fyldt med ting der interesserer mig",
    ]
    assert sorted(who5.items[0].scores) == [0, 1, 2, 3, 4, 5]
    assert who5.scoring.type == "sum_linear"
    assert who5.scoring.multiplier == 4
    assert who5.score_range == (0, 100)
    assert [(b.code, b.min, b.max) for b in who5.bands] == [
        ("likely_depression", 0, 28),
        ("poor_wellbeing", 29, 50),
    ]
    assert who5.direction == "higher_is_better"
    assert who5.reliability is not None
    assert who5.reliability.value == 0.81


def test_swemwbs_table_equals_the_shared_csv() -> None:
    sw = load_instrument(INSTRUMENTS / "swemwbs.v1.json")
    with SWEMWBS_CSV.open() as f:
        expected = {int(row["raw"]): float(row["metric"]) for row in csv.DictReader(f)}
    assert dict(sw.scoring.table or ()) == expected


def test_swemwbs_is_disabled_by_default_with_its_licence_and_the_full_table() -> None:
    sw = load_instrument(INSTRUMENTS / "swemwbs.v1.json")
    assert sw.enabled_by_default is False
    assert "Warwick" in sw.licence
    assert "commercial" in sw.licence
    assert sw.translation_pending
    assert all(item.translation_pending for item in sw.items)
    assert len(sw.items) == 7
    assert [raw for raw, _ in sw.scoring.table or ()] == list(range(7, 36))
    assert sw.raw_range == (7, 35)


def test_direct_items_are_not_summed_and_say_they_are_not_comparable_to_tils() -> None:
    direct = load_instrument(INSTRUMENTS / "direct_loneliness.v1.json")
    assert direct.scoring.type == "items"
    assert direct.bands == ()
    assert direct.score_range is None
    assert "not comparable to T-ILS" in direct.scoring.note
    assert direct.items[0].text.da == "Hvor ofte føler du dig ensom?"


def test_no_shipped_instrument_has_reversed_items() -> None:
    for instrument in load_all(INSTRUMENTS).values():
        assert not any(item.reversed for item in instrument.items)


def test_content_hash_is_stable_and_changes_with_content(tmp_path: Path) -> None:
    original = INSTRUMENTS / "tils.v1.json"
    data = json.loads(original.read_text(encoding="utf-8"))
    # Same content, different formatting: same hash.
    reformatted = tmp_path / "tils.v1.json"
    reformatted.write_text(json.dumps(data, indent=None), encoding="utf-8")
    first = content_hash(load_instrument(original))
    assert first == content_hash(load_instrument(reformatted))
    assert len(first) == 64
    data["items"][0]["text"]["en"] = "Changed wording"
    reformatted.write_text(json.dumps(data), encoding="utf-8")
    assert content_hash(load_instrument(reformatted)) != first


# --- validation faults -------------------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def _tils() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((INSTRUMENTS / "tils.v1.json").read_text(encoding="utf-8"))
    return data


def _swemwbs() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((INSTRUMENTS / "swemwbs.v1.json").read_text(encoding="utf-8"))
    return data


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / f"{data['code']}.v{data['version']}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _set(path: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return mutate


def _delete(path: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[last]

    return mutate


def _duplicate_item(data: dict[str, Any]) -> None:
    data["items"].append(copy.deepcopy(data["items"][0]))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_delete("scoring"), "missing key 'scoring'"),
        (_delete("title"), "missing key 'title'"),
        (_delete("items.0.code"), "items[0]: missing key 'code'"),
        (_duplicate_item, "duplicate item code 'tils_1'"),
        (_set("options.1.score", "2"), "option score must be an integer, got '2'"),
        (_set("options.1.score", 2.5), "option score must be an integer, got 2.5"),
        (_set("bands.0.max", 10), "outside the score range 3–9"),
        (_set("bands.0.min", 2), "outside the score range 3–9"),
        (_set("scoring.type", "average"), "unknown scoring type 'average'"),
        (_delete("items.1.text.da"), "items[1].text: missing 'da' text"),
        (_delete("title.en"), "title: missing 'en' text"),
        (_set("items.2.text.en", ""), "items[2].text.en: expected a non-empty string"),
        (_set("direction", "up"), "unknown direction 'up'"),
        (_set("scoring.max_missing", 1), "must be 0 when on_missing is 'no_score'"),
        (_set("reversed_items", ["nope"]), "unknown item codes ['nope']"),
        (_set("reliability.value", 1.5), "must be between 0 and 1"),
    ],
)
def test_a_faulty_tils_file_is_refused_naming_file_and_fault(
    tmp_path: Path, mutate: Mutation, message: str
) -> None:
    data = _tils()
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(InstrumentFileError) as excinfo:
        load_instrument(path)
    assert str(path) in str(excinfo.value)
    assert message in str(excinfo.value)


def test_a_lookup_table_with_a_gap_is_refused(tmp_path: Path) -> None:
    data = _swemwbs()
    del data["scoring"]["table"]["20"]
    path = _write(tmp_path, data)
    with pytest.raises(InstrumentFileError, match=r"does not cover raw scores \[20\]") as excinfo:
        load_instrument(path)
    assert str(path) in str(excinfo.value)


def test_a_lookup_value_that_is_not_a_number_is_refused(tmp_path: Path) -> None:
    data = _swemwbs()
    data["scoring"]["table"]["20"] = "18.59"
    with pytest.raises(InstrumentFileError, match="expected a number"):
        load_instrument(_write(tmp_path, data))


def test_a_file_named_for_another_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tils.v2.json"
    path.write_text(json.dumps(_tils()), encoding="utf-8")
    with pytest.raises(InstrumentFileError, match=r"tils\.v2\.json: file name: expected 'tils\.v1"):
        load_instrument(path)


def test_broken_json_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "tils.v1.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InstrumentFileError, match="cannot read instrument file") as excinfo:
        load_instrument(path)
    assert str(path) in str(excinfo.value)


def test_overlapping_bands_are_refused(tmp_path: Path) -> None:
    data = _tils()
    data["bands"].append({**data["bands"][0], "code": "moderate", "min": 5, "max": 7})
    with pytest.raises(InstrumentFileError, match="overlaps band 'severe'"):
        load_instrument(_write(tmp_path, data))


def test_bands_on_unsummed_items_are_refused(tmp_path: Path) -> None:
    data = json.loads((INSTRUMENTS / "direct_loneliness.v1.json").read_text(encoding="utf-8"))
    data["bands"] = [
        {"code": "x", "min": 1, "max": 2, "label": {"da": "x", "en": "x"}, "source": "x"}
    ]
    with pytest.raises(InstrumentFileError, match="cannot have bands"):
        load_instrument(_write(tmp_path, data))


# --- codes, open questions and declining -------------------------------------------------------


def _experience() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (INSTRUMENTS / "experience.v1.json").read_text(encoding="utf-8")
    )
    return data


def _comment(data: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = next(i for i in data["items"] if i["code"] == "exp_comment")
    return item


@pytest.mark.parametrize(
    "code", ["Tils_1", "tils-1", "tils 1", "1tils", "_tils", "tils_ø", "t" * 27, ""]
)
def test_an_item_code_redcap_could_not_use_is_refused(tmp_path: Path, code: str) -> None:
    data = _tils()
    data["items"][0]["code"] = code
    expected = "expected a non-empty string" if not code else "is not a usable code"
    with pytest.raises(InstrumentFileError, match=expected) as excinfo:
        load_instrument(_write(tmp_path, data))
    assert "items[0].code" in str(excinfo.value)


def test_a_code_of_26_characters_is_accepted(tmp_path: Path) -> None:
    data = _tils()
    data["items"][0]["code"] = "t" * 26
    assert load_instrument(_write(tmp_path, data)).items[0].code == "t" * 26


def test_an_instrument_code_redcap_could_not_use_is_refused(tmp_path: Path) -> None:
    data = _tils()
    data["code"] = "T-ILS"
    path = tmp_path / "T-ILS.v1.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InstrumentFileError, match="code: 'T-ILS' is not a usable code"):
        load_instrument(path)


def test_an_open_question_with_options_is_refused(tmp_path: Path) -> None:
    data = _experience()
    _comment(data)["options"] = [{"score": 1, "label": {"da": "Ja", "en": "Yes"}}]
    with pytest.raises(InstrumentFileError, match="an open \\(text\\) question has no options"):
        load_instrument(_write(tmp_path, data))


@pytest.mark.parametrize("max_length", [0, -1, 2001])
def test_an_open_question_length_outside_1_to_2000_is_refused(
    tmp_path: Path, max_length: int
) -> None:
    data = _experience()
    _comment(data)["max_length"] = max_length
    with pytest.raises(InstrumentFileError, match="max_length: must be between 1 and 2000"):
        load_instrument(_write(tmp_path, data))


@pytest.mark.parametrize("max_length", [1, 2000])
def test_an_open_question_length_at_the_bounds_is_accepted(tmp_path: Path, max_length: int) -> None:
    data = _experience()
    _comment(data)["max_length"] = max_length
    loaded = load_instrument(_write(tmp_path, data))
    assert loaded.item("exp_comment").max_length == max_length


def test_an_open_question_without_max_length_is_refused(tmp_path: Path) -> None:
    data = _experience()
    del _comment(data)["max_length"]
    with pytest.raises(InstrumentFileError, match="missing key 'max_length'"):
        load_instrument(_write(tmp_path, data))


def test_an_unknown_item_kind_is_refused(tmp_path: Path) -> None:
    data = _tils()
    data["items"][0]["kind"] = "slider"
    with pytest.raises(InstrumentFileError, match="unknown item kind 'slider'"):
        load_instrument(_write(tmp_path, data))


def test_a_file_without_allow_decline_is_refused(tmp_path: Path) -> None:
    data = _tils()
    del data["allow_decline"]
    with pytest.raises(InstrumentFileError, match="missing key 'allow_decline'"):
        load_instrument(_write(tmp_path, data))


def test_allow_decline_must_be_true_or_false(tmp_path: Path) -> None:
    data = _tils()
    data["allow_decline"] = "yes"
    with pytest.raises(InstrumentFileError, match="allow_decline: expected true or false"):
        load_instrument(_write(tmp_path, data))


def test_an_item_named_like_redcaps_status_field_is_refused(tmp_path: Path) -> None:
    data = _tils()
    data["items"][2]["code"] = "tils_complete"
    with pytest.raises(InstrumentFileError, match="'tils_complete' is reserved for REDCap"):
        load_instrument(_write(tmp_path, data))


def test_an_instrument_of_only_open_questions_is_refused(tmp_path: Path) -> None:
    data = _experience()
    data["items"] = [_comment(data)]
    data["scoring"]["max_missing"] = 0
    with pytest.raises(InstrumentFileError, match="at least one item with options"):
        load_instrument(_write(tmp_path, data))


def test_an_open_question_cannot_be_reversed(tmp_path: Path) -> None:
    data = _experience()
    data["reversed_items"] = ["exp_comment"]
    with pytest.raises(InstrumentFileError, match=r"unknown item codes \['exp_comment'\]"):
        load_instrument(_write(tmp_path, data))


def test_open_questions_do_not_count_towards_max_missing(tmp_path: Path) -> None:
    data = _experience()
    data["scoring"]["max_missing"] = 10
    with pytest.raises(InstrumentFileError, match="max_missing: must be between 0 and 9"):
        load_instrument(_write(tmp_path, data))
