"""Who may import, and the input a person gives: the event mapping, the file's name and size,
the organisation rows without a data access group go to. No personal data."""

from __future__ import annotations

import csv
import io
import re
from typing import Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from spejl.access.actor import Actor, NotFound
from spejl.organisations.models import Organisation
from spejl.questionnaires.models import Wave

#: The largest file accepted (REDCap exports of a whole programme are far smaller).
MAX_FILE_BYTES: Final = 5 * 1024 * 1024

_EVENT_NAME = re.compile(r"[a-z][a-z0-9_]*")


def can_import(actor: Actor) -> bool:
    """National admins (every organisation), coordinators (their own) and the system."""
    return actor.is_national_admin or actor.is_system or bool(actor.coordinator_of)


def check_can_import(actor: Actor) -> None:
    """:class:`NotFound` for every other role: to them the import pages do not exist."""
    if not can_import(actor):
        raise NotFound


def events_parse(text: str) -> dict[str, str]:
    """Read an event mapping such as ``"t0_arm_1=T0, t1_arm_1=T1"`` (commas, semicolons or
    new lines between pairs; waves in any case). Raises ``ValidationError`` with a message
    for the person who typed it. No personal data."""
    events: dict[str, str] = {}
    for part in re.split(r"[,;\n]", text):
        part = part.strip()
        if not part:
            continue
        name, equals, wave = (s.strip() for s in part.partition("="))
        wave = wave.upper()
        if not equals or not _EVENT_NAME.fullmatch(name) or wave not in Wave.values:
            raise ValidationError(
                gettext(
                    "“%(part)s” is not of the form event=wave, for example t0_arm_1=T0. "
                    "The waves are T0, T1 and T2."
                )
                % {"part": part[:40]},
                code="events",
            )
        if name in events:
            raise ValidationError(
                gettext("The event %(event)s is given twice.") % {"event": name}, code="events"
            )
        events[name] = wave
    if not events:
        raise ValidationError(
            gettext("Give at least one event and its wave, for example t0_arm_1=T0."),
            code="events",
        )
    return events


def max_file_bytes() -> int:
    """The largest file an import accepts (``SPEJL_IMPORT_MAX_BYTES``, 5 MB by default)."""
    return int(getattr(settings, "SPEJL_IMPORT_MAX_BYTES", MAX_FILE_BYTES))


def max_file_megabytes() -> str:
    """The limit as people read it: "5" (MB), or "0.5" for a limit under a megabyte."""
    megabytes = max_file_bytes() / (1024 * 1024)
    return f"{megabytes:g}" if megabytes >= 1 else f"{megabytes:.1g}"


def file_problem(file_name: str, size: int) -> str | None:
    """Why a file cannot be imported at all (its name or size), or ``None``."""
    if not file_name.lower().endswith(".csv"):
        return gettext(
            "Choose a .csv file: in REDCap, export the data as “CSV / Microsoft Excel (raw data)”."
        )
    if size > max_file_bytes():
        return gettext(
            "The file is larger than %(megabytes)s MB, the most Spejl accepts. Split it into "
            "smaller files."
        ) % {"megabytes": max_file_megabytes()}
    if size == 0:
        return gettext("The file is empty.")
    return None


#: The longest line an export can hold: a row with every open answer at its longest is far
#: shorter. A longer line is a binary file, a file without line ends, or an attack on memory.
MAX_LINE_BYTES: Final = 64 * 1024
#: Lines read at most (rows of a whole programme stay far below; the parser's own row limit
#: counts rows, this counts physical lines, before anything is parsed).
MAX_LINES: Final = 50_000
#: File types that are not CSV, by their first bytes: zip (also .xlsx, .ods), old Excel,
#: PDF, gzip, UTF-16 byte-order marks.
_BINARY_STARTS: Final = (
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",
    b"%PDF",
    b"\x1f\x8b",
    b"\xff\xfe",
    b"\xfe\xff",
)
#: A cell a spreadsheet would run as a formula (CSV injection): it would reach the evaluators'
#: exports. Answers are numbers and short texts, so none starts like this.
_FORMULA = re.compile(r"[=+@\t\r-]")
_NUMBER = re.compile(r"[-+]?[0-9]+([.,][0-9]+)?")


def content_problem(content: bytes) -> str | None:
    """Why a file's content cannot be a REDCap CSV export at all, or ``None``: a binary file,
    a line longer than :data:`MAX_LINE_BYTES`, too many lines, columns separated by semicolons
    or tabs instead of commas, or a cell that starts like a spreadsheet formula. Text that is
    not UTF-8 and CSV faults are left to the parser, which names their line.

    Personal data: reads the file (pseudonymous record ids and answers) and keeps nothing;
    a message names a line and a column number, never a cell's value.
    """
    head = content[:4096]
    if head.startswith(_BINARY_STARTS) or b"\x00" in content:
        return gettext(
            "The file is not a CSV text file (it looks like a spreadsheet, an archive or another "
            "binary file). In REDCap, export the data as “CSV / Microsoft Excel (raw data)”."
        )
    lines = content.split(b"\n")
    if len(lines) > MAX_LINES:
        return gettext("The file has more than %(max)s lines; split it into smaller files.") % {
            "max": MAX_LINES
        }
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE_BYTES:
            return gettext(
                "Line %(line)s is longer than %(max)s characters, far longer than any row of a "
                "REDCap export. Export the data again from REDCap."
            ) % {"line": number, "max": MAX_LINE_BYTES}
    try:
        text = content.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None
    header = next((line for line in text.splitlines() if line.strip()), "")
    if "," not in header and (";" in header or "\t" in header):
        return gettext(
            "The columns are separated by semicolons or tabs, not commas (a spreadsheet saved "
            "it that way). Export the file from REDCap again, as “CSV / Microsoft Excel (raw "
            "data)”, and upload it without opening it in a spreadsheet."
        )
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            for column, cell in enumerate(row, start=1):
                if _FORMULA.match(cell) and not _NUMBER.fullmatch(cell):
                    return gettext(
                        "Row %(row)s, column %(column)s starts like a spreadsheet formula "
                        "(=, +, -, @). Such cells are refused, so that no formula can reach "
                        "an export. Correct the cell in REDCap and export again."
                    ) % {"row": number, "column": column}
    except csv.Error:
        return None  # the parser names the line
    return None


def slug_key(value: str) -> str:
    """A short name as it is compared: case and ``-``/``_`` do not matter."""
    return value.strip().lower().replace("-", "_")


def organisation_by_slug(slug: str) -> Organisation | None:
    """The organisation a data access group or ``--organisation`` names (case and ``-``/``_``
    do not matter). No personal data."""
    key = slug_key(slug)
    return next((o for o in Organisation.objects.all() if slug_key(o.slug) == key), None)


def restriction(actor: Actor, default_organisation: Organisation | None) -> Organisation | None:
    """The one organisation a coordinator imports into (``None``: any, for national roles)."""
    check_can_import(actor)
    if actor.is_national_admin or actor.is_system:
        return None
    if default_organisation is None:
        raise ValidationError(
            {"default_organisation": gettext("Choose the organisation you import for.")}
        )
    if default_organisation.pk not in actor.coordinator_of:
        raise NotFound
    return default_organisation
