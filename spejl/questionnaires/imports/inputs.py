"""Who may import, and the input a person gives: the event mapping, the file's name and size,
the organisation rows without a data access group go to. No personal data."""

from __future__ import annotations

import re
from typing import Final

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


def file_problem(file_name: str, size: int) -> str | None:
    """Why a file cannot be imported at all (its name or size), or ``None``."""
    if not file_name.lower().endswith(".csv"):
        return gettext(
            "Choose a .csv file: in REDCap, export the data as “CSV / Microsoft Excel (raw data)”."
        )
    if size > MAX_FILE_BYTES:
        return gettext("The file is larger than 5 MB. Split it into smaller files.")
    if size == 0:
        return gettext("The file is empty.")
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
