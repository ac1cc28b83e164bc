"""Instruments as FHIR R4 ``Questionnaire`` resources, for systems that speak FHIR.

Danish health IT describes questionnaires as FHIR resources (KL publishes its WHO-5 that way,
DESIGN.md §4). :func:`questionnaire_resource` renders one Spejl instrument that way, so an
evaluator or a municipal system can see exactly which wording, options and scores a Spejl
score rests on, and render or import the same questionnaire.

Choices follow Spejl's data: each option is a ``valueCoding`` whose code is the option score,
with the score again as the ``ordinalValue`` extension (which FHIRPath scoring expressions
read). The extension sits on the Coding rather than on ``answerOption``: R4 allows both, and on
the Coding it travels into a ``QuestionnaireResponse`` answer. English wording rides along in
the ``translation`` extension on each ``_text`` and ``_display``. No item is required, because
participants may skip any question.

Pure Python: no Django import. Definitions only; no personal data.
"""

from __future__ import annotations

from typing import Any, Final

from spejl.core.instruments import Instrument, Item, Option, Text

ORDINAL_VALUE_URL: Final = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
TRANSLATION_URL: Final = "http://hl7.org/fhir/StructureDefinition/translation"


def _translation(text: Text) -> dict[str, Any]:
    """The ``_text``/``_display`` companion element carrying the English wording."""
    return {
        "extension": [
            {
                "url": TRANSLATION_URL,
                "extension": [
                    {"url": "lang", "valueCode": "en"},
                    {"url": "content", "valueString": text.en},
                ],
            }
        ]
    }


def _answer_system(base: str, instrument: Instrument, item: Item) -> str:
    # One code system per instrument when all its questions share the options; otherwise per
    # question, since code "1" then means different answers on different questions.
    first = instrument.choice_items[0].options
    if all(other.options == first for other in instrument.choice_items):
        return f"{base}/CodeSystem/{instrument.code}-answers"
    return f"{base}/CodeSystem/{instrument.code}-{item.code}-answers"


def _answer_option(system: str, option: Option) -> dict[str, Any]:
    return {
        "valueCoding": {
            "extension": [{"url": ORDINAL_VALUE_URL, "valueDecimal": option.score}],
            "system": system,
            "code": str(option.score),
            "display": option.label.da,
            "_display": _translation(option.label),
        }
    }


def _question(base: str, instrument: Instrument, item: Item) -> dict[str, Any]:
    question: dict[str, Any] = {
        "linkId": item.code,
        "text": item.text.da,
        "_text": _translation(item.text),
        "type": "choice" if item.is_choice else "text",
        "required": False,
    }
    if item.is_choice:
        system = _answer_system(base, instrument, item)
        question["answerOption"] = [_answer_option(system, option) for option in item.options]
    else:
        question["maxLength"] = item.max_length
    return question


def _machine_name(code: str) -> str:
    """``direct_loneliness`` → ``DirectLoneliness`` (FHIR wants ``[A-Z][A-Za-z0-9_]*``)."""
    return "".join(part[:1].upper() + part[1:] for part in code.split("_"))


def questionnaire_resource(instrument: Instrument, *, canonical_base: str) -> dict[str, Any]:
    """``instrument`` as a FHIR R4 ``Questionnaire`` (plain, JSON-serialisable dicts).

    ``canonical_base`` is the http(s) address under which Spejl publishes its definitions; the
    questionnaire's ``url`` is ``<base>/Questionnaire/<code>`` and its ``version`` the
    instrument version. Danish is the resource language, English the translation. One
    ``group`` item per instrument holds a ``display`` item with the instructions (FHIR forbids
    ``required`` on display items) and the questions. Raises ``ValueError`` for a base that is
    not an http(s) address. Touches no personal data.
    """
    base = canonical_base.rstrip("/")
    scheme, separator, rest = base.partition("://")
    if scheme not in ("https", "http") or not separator or not rest.strip():
        raise ValueError(f"canonical_base must be an http(s) address, got {canonical_base!r}")
    code = instrument.code
    instructions = {
        "linkId": f"{code}.instructions",
        "text": instrument.instructions.da,
        "_text": _translation(instrument.instructions),
        "type": "display",
    }
    group = {
        "linkId": code,
        "text": instrument.title.da,
        "_text": _translation(instrument.title),
        "type": "group",
        "required": False,
        "item": [instructions, *(_question(base, instrument, item) for item in instrument.items)],
    }
    return {
        "resourceType": "Questionnaire",
        "id": f"{code.replace('_', '-')}-v{instrument.version}",
        "language": "da",
        "url": f"{base}/Questionnaire/{code}",
        "version": str(instrument.version),
        "name": _machine_name(code),
        "title": instrument.title.da,
        "_title": _translation(instrument.title),
        "status": "active",
        "description": instrument.attribution,
        "copyright": instrument.licence,
        "item": [group],
    }
