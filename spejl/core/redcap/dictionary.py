"""Spejl's instruments as a REDCap data dictionary, and REDCap's instrument-event mapping.

:func:`data_dictionary_rows` / :func:`data_dictionary_csv` describe instruments as a REDCap
data dictionary (one *form* per instrument, one *field* per item, field names = item codes,
choice codes = Spejl's option scores); :func:`event_mapping_csv` writes which forms belong to
which event of a longitudinal project. Pure Python; touches no personal data.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from typing import Final

from spejl.core.instruments import LANGUAGES, NAME_PATTERN, Instrument, Item
from spejl.core.redcap.fields import RECORD_ID, catalogue

#: The 18 columns of a REDCap data dictionary, in REDCap's order.
DICTIONARY_COLUMNS: Final[tuple[str, ...]] = (
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
#: The annotation tag that carries the instrument version, so an import can check it.
VERSION_TAG: Final = "@SPEJL-VERSION"

# A unique event name in arm 1, as REDCap generates it from the event label.
_EVENT_NAME = re.compile(r"^[a-z][a-z0-9_]*_arm_1$")
_LINE_END: Final = "\r\n"


def _dictionary_row(**cells: str) -> list[str]:
    keys = {
        "field": "Variable / Field Name",
        "form": "Form Name",
        "section": "Section Header",
        "type": "Field Type",
        "label": "Field Label",
        "choices": "Choices, Calculations, OR Slider Labels",
        "annotation": "Field Annotation",
    }
    named = {keys[key]: value for key, value in cells.items()}
    return [named.get(column, "") for column in DICTIONARY_COLUMNS]


def _choices(instrument: Instrument, item: Item, language: str) -> str:
    parts: list[str] = []
    for option in item.options:
        label = getattr(option.label, language)
        # "|" separates choices in REDCap's format and cannot be escaped.
        if "|" in label:
            raise ValueError(
                f"{instrument.scoring_version} {item.code}: option label {label!r} contains '|'"
            )
        parts.append(f"{option.score}, {label}")
    return " | ".join(parts)


def data_dictionary_rows(
    instruments: Sequence[Instrument], language: str = "da"
) -> list[list[str]]:
    """The REDCap data dictionary of ``instruments`` as rows, header row first.

    ``record_id`` comes first (in the first instrument's form), then each instrument's items
    as the fields of a form named by the instrument code: choice items as ``radio`` fields
    whose choices are the option scores and labels in the instrument's order, open questions as
    ``notes``. Labels and section headers (the instructions, above each form's first field) are
    in ``language`` ("da" or "en"). The annotation ``@SPEJL-VERSION=<code>.v<version>`` on each
    field records which version the form was built from. No field is required: participants
    may skip any question. Raises ``ValueError`` for an unknown language, an instrument given
    twice, an item code used twice or clashing with a REDCap field name, or a label REDCap
    cannot hold. Touches no personal data.
    """
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; use one of {LANGUAGES}")
    fields = catalogue(instruments)
    rows = [list(DICTIONARY_COLUMNS)]
    rows.append(
        _dictionary_row(
            field=RECORD_ID, form=fields.instruments[0].code, type="text", label="Record ID"
        )
    )
    for instrument in fields.instruments:
        annotation = f"{VERSION_TAG}={instrument.scoring_version}"
        for index, item in enumerate(instrument.items):
            rows.append(
                _dictionary_row(
                    field=item.code,
                    form=instrument.code,
                    section=getattr(instrument.instructions, language) if index == 0 else "",
                    type="radio" if item.is_choice else "notes",
                    label=getattr(item.text, language),
                    choices=_choices(instrument, item, language) if item.is_choice else "",
                    annotation=annotation,
                )
            )
    return rows


def _csv_text(rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=_LINE_END, quoting=csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    return buffer.getvalue()


def data_dictionary_csv(instruments: Sequence[Instrument], language: str = "da") -> str:
    """:func:`data_dictionary_rows` as CSV text for REDCap's data dictionary upload.

    Comma-separated, minimal quoting, ``"\\r\\n"`` line ends, no byte-order mark. Touches no
    personal data.
    """
    return _csv_text(data_dictionary_rows(instruments, language))


def event_mapping_csv(forms_by_event: Mapping[str, Sequence[str]]) -> str:
    """REDCap's instrument-designation CSV (``arm_num,unique_event_name,form``) for arm 1.

    ``forms_by_event`` maps unique event names (``"t0_arm_1"``) to the instrument codes the
    event holds, in the order given. Raises ``ValueError`` for an event name that is not a
    REDCap unique event name in arm 1, a form name REDCap would refuse, or a form listed twice
    in one event. Touches no personal data.
    """
    rows: list[list[str]] = [["arm_num", "unique_event_name", "form"]]
    for event, forms in forms_by_event.items():
        if not _EVENT_NAME.fullmatch(event):
            raise ValueError(f"{event!r} is not a unique event name in arm 1 (like 't0_arm_1')")
        if len(set(forms)) != len(forms):
            raise ValueError(f"event {event!r} lists a form more than once: {list(forms)}")
        for form in forms:
            if not NAME_PATTERN.fullmatch(form):
                raise ValueError(f"{form!r} is not a usable form name")
            rows.append(["1", event, form])
    return _csv_text(rows)
