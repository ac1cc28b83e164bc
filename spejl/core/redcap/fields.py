"""REDCap's own field names, and the field names a set of instruments defines.

Shared by the data dictionary (:mod:`.dictionary`) and the flat CSV reader (:mod:`.flat_csv`),
so that a project built from the one exports what the other reads. Pure Python; no personal
data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from spejl.core.instruments import Instrument, Item

RECORD_ID: Final = "record_id"
EVENT_COLUMN: Final = "redcap_event_name"
DAG_COLUMN: Final = "redcap_data_access_group"
#: Columns REDCap adds for repeating instruments and events, which Spejl does not support.
REPEAT_COLUMNS: Final[tuple[str, ...]] = ("redcap_repeat_instrument", "redcap_repeat_instance")
#: Every column REDCap itself adds to a flat export (no instrument may use these names).
REDCAP_COLUMNS: Final[tuple[str, ...]] = (RECORD_ID, EVENT_COLUMN, DAG_COLUMN, *REPEAT_COLUMNS)


def complete_field(form: str) -> str:
    """The name of REDCap's record-status field of ``form`` (``"who5_complete"``)."""
    return f"{form}_complete"


@dataclass(frozen=True)
class Catalogue:
    """The field names a set of instruments defines, checked for clashes."""

    instruments: tuple[Instrument, ...]
    items: Mapping[str, tuple[Instrument, Item]]
    completes: Mapping[str, Instrument]


def catalogue(instruments: Sequence[Instrument]) -> Catalogue:
    """The field names of ``instruments``. Raises ``ValueError`` for no instruments, an
    instrument given twice, or an item code used twice or clashing with a REDCap field name."""
    if not instruments:
        raise ValueError("at least one instrument is needed")
    forms: dict[str, Instrument] = {}
    items: dict[str, tuple[Instrument, Item]] = {}
    for instrument in instruments:
        if instrument.code in forms:
            raise ValueError(f"instrument {instrument.code!r} is given more than once")
        forms[instrument.code] = instrument
    completes = {complete_field(code): instrument for code, instrument in forms.items()}
    reserved = {*REDCAP_COLUMNS, *completes}
    for instrument in instruments:
        for item in instrument.items:
            if item.code in items:
                other = items[item.code][0].code
                raise ValueError(
                    f"item code {item.code!r} is in both {other!r} and {instrument.code!r}"
                )
            if item.code in reserved:
                raise ValueError(
                    f"item code {item.code!r} of {instrument.code!r} is a REDCap field name"
                )
            items[item.code] = (instrument, item)
    return Catalogue(instruments=tuple(instruments), items=items, completes=completes)
