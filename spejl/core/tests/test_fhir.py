"""Tests for the FHIR R4 Questionnaire rendering in :mod:`spejl.core.fhir`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from spejl.core.fhir import ORDINAL_VALUE_URL, TRANSLATION_URL, questionnaire_resource
from spejl.core.instruments import Instrument, load_all

INSTRUMENTS = load_all(Path(__file__).resolve().parents[2] / "instruments")
BASE = "https://spejl.example/fhir"
# FHIR R4 datatype rules for id, and the Questionnaire invariant on name.
FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
FHIR_NAME = re.compile(r"^[A-Z]([A-Za-z0-9_]){0,254}$")


def _resource(key: str) -> dict[str, Any]:
    return questionnaire_resource(INSTRUMENTS[key], canonical_base=BASE)


def _english(element: dict[str, Any]) -> str:
    (extension,) = element["extension"]
    assert extension["url"] == TRANSLATION_URL
    parts = {part["url"]: part for part in extension["extension"]}
    assert parts["lang"]["valueCode"] == "en"
    content: str = parts["content"]["valueString"]
    return content


def _all_items(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        yield item
        yield from _all_items(item.get("item", []))


def test_who5_resource_has_identity_version_and_danish_title() -> None:
    resource = _resource("who5.v1")
    assert resource["resourceType"] == "Questionnaire"
    assert resource["id"] == "who5-v1"
    assert resource["url"] == "https://spejl.example/fhir/Questionnaire/who5"
    assert resource["version"] == "1"
    assert resource["name"] == "Who5"
    assert resource["title"] == "Trivsel (WHO-5)"
    assert _english(resource["_title"]) == "Well-being (WHO-5)"
    assert resource["status"] == "active"
    assert resource["language"] == "da"
    assert resource["copyright"] == INSTRUMENTS["who5.v1"].licence
    assert "KL" in resource["description"]


def test_a_trailing_slash_on_the_base_makes_no_difference() -> None:
    with_slash = questionnaire_resource(INSTRUMENTS["tils.v1"], canonical_base=BASE + "/")
    assert with_slash == _resource("tils.v1")


@pytest.mark.parametrize("base", ["", "spejl.example", "ftp://spejl.example", "https://", "/x"])
def test_a_base_that_is_not_an_http_address_is_refused(base: str) -> None:
    with pytest.raises(ValueError, match="canonical_base"):
        questionnaire_resource(INSTRUMENTS["tils.v1"], canonical_base=base)


def test_one_group_holds_the_instructions_and_every_item_in_order() -> None:
    tils = INSTRUMENTS["tils.v1"]
    (group,) = _resource("tils.v1")["item"]
    assert group["type"] == "group"
    assert group["linkId"] == "tils"
    instructions, *questions = group["item"]
    assert instructions["type"] == "display"
    assert instructions["text"] == tils.instructions.da
    assert _english(instructions["_text"]) == tils.instructions.en
    assert "required" not in instructions
    assert [q["linkId"] for q in questions] == list(tils.item_codes)
    assert questions[1]["text"] == "Hvor ofte føler du dig udenfor?"
    assert _english(questions[1]["_text"]) == "How often do you feel left out?"


def test_choice_options_carry_score_as_code_and_ordinal_value_with_both_languages() -> None:
    (group,) = _resource("who5.v1")["item"]
    first = group["item"][1]
    assert first["type"] == "choice"
    options = [option["valueCoding"] for option in first["answerOption"]]
    assert [coding["code"] for coding in options] == ["5", "4", "3", "2", "1", "0"]
    assert options[0]["display"] == "Hele tiden"
    assert _english(options[0]["_display"]) == "All of the time"
    assert options[5]["extension"] == [{"url": ORDINAL_VALUE_URL, "valueDecimal": 0}]
    assert {coding["system"] for coding in options} == {f"{BASE}/CodeSystem/who5-answers"}


def test_questions_with_their_own_options_get_their_own_code_system() -> None:
    (group,) = _resource("direct_loneliness.v1")["item"]
    systems = [q["answerOption"][0]["valueCoding"]["system"] for q in group["item"][1:]]
    assert systems == [
        f"{BASE}/CodeSystem/direct_loneliness-direct_lonely-answers",
        f"{BASE}/CodeSystem/direct_loneliness-direct_alone_unwanted-answers",
    ]


def test_the_open_question_is_a_text_item_with_its_maximum_length() -> None:
    (group,) = _resource("experience.v1")["item"]
    comment = next(q for q in group["item"] if q["linkId"] == "exp_comment")
    assert comment["type"] == "text"
    assert comment["maxLength"] == 1000
    assert "answerOption" not in comment
    assert comment["required"] is False


@pytest.mark.parametrize("key", sorted(INSTRUMENTS))
def test_every_shipped_instrument_renders_as_valid_looking_json(key: str) -> None:
    instrument: Instrument = INSTRUMENTS[key]
    resource = _resource(key)
    # Plain JSON types only: a round trip through json changes nothing.
    assert json.loads(json.dumps(resource)) == resource
    assert FHIR_ID.match(resource["id"])
    assert FHIR_NAME.match(resource["name"])
    items = list(_all_items(resource["item"]))
    link_ids = [item["linkId"] for item in items]
    assert len(link_ids) == len(set(link_ids))
    for item in items:
        if item["type"] == "display":
            assert "required" not in item
        else:
            assert item["required"] is False
    questions = {item["linkId"]: item for item in items if item["type"] in ("choice", "text")}
    assert list(questions) == list(instrument.item_codes)
    for spejl_item in instrument.items:
        question = questions[spejl_item.code]
        assert question["text"] == spejl_item.text.da
        assert _english(question["_text"]) == spejl_item.text.en
        if spejl_item.is_choice:
            codings = [option["valueCoding"] for option in question["answerOption"]]
            assert [c["extension"][0]["valueDecimal"] for c in codings] == [
                option.score for option in spejl_item.options
            ]
            assert [c["code"] for c in codings] == [str(o.score) for o in spejl_item.options]
            assert [c["display"] for c in codings] == [o.label.da for o in spejl_item.options]
        else:
            assert question["maxLength"] == spejl_item.max_length
