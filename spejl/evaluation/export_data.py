"""Reading an export's data from the database and writing the delivery file.

Reads, for the participants in scope whose evaluation consent is in force now, their
submitted answers (items, free text, scores), birth year, postcode (from the contact record,
coarsened before it leaves) and each course participation's attendance — and hands them to
the pure core (``spejl.core.exports``) to pseudonymise, de-identify and write. No name, phone
or e-mail is ever read here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
from django.conf import settings
from django.utils import timezone

from spejl.access.actor import Actor
from spejl.core.exports.bundle import write_bundle
from spejl.core.exports.deidentify import DeidentifyOptions, Place
from spejl.core.exports.instrument_layout import per_instrument_table
from spejl.core.exports.layout import ParticipantRecord, ResponseRecord, long_table
from spejl.core.exports.model import Table, Variable, long_to_wide
from spejl.core.exports.pseudonym import date_shift_days, group_pseudonym, pseudonym
from spejl.core.exports.readme import ReadmeInfo
from spejl.core.exports.writers import Format
from spejl.core.instruments import Instrument
from spejl.enrolments.models import DropReason, EnrolmentState
from spejl.evaluation.data import attended_counts, meetings_held, scoped_enrolments
from spejl.evaluation.keys import key_for
from spejl.evaluation.scope import ReportScope
from spejl.groups.models import Target
from spejl.organisations.models import Postcode
from spejl.participants.models import Contact
from spejl.questionnaires.models import Answer, InstrumentVersion, Response, ResponseStatus, Score
from spejl.questionnaires.scoring import ENGINE_VERSION

#: Personal-data fields an export reads (for the audit event; never values).
EXPORT_FIELDS = (
    "participant.birth_year",
    "contact.postcode",
    "answer.value",
    "answer.text",
    "score.score",
    "enrolment.state",
    "enrolment.drop_reason",
    "attendance.status",
)

_STATES = (EnrolmentState.ENROLLED, EnrolmentState.COMPLETED, EnrolmentState.DROPPED)


@dataclass(frozen=True)
class Delivery:
    row_count: int
    participant_count: int
    file_name: str
    fields: tuple[str, ...]


def _responses(
    enrolment_ids: list[int], group_of: dict[int, str], org_of: dict[int, str], drop_text: bool
) -> tuple[list[ResponseRecord], set[int]]:
    responses = list(
        Response.objects.filter(
            enrolment_id__in=enrolment_ids, status=ResponseStatus.SUBMITTED
        ).values_list(
            "pk",
            "participant__public_id",
            "enrolment_id",
            "wave",
            "instrument_code",
            "instrument_id",
            "instrument__version",
            "mode",
            "answered_on",
            "submitted_at",
        )
    )
    ids = [r[0] for r in responses]
    answers: dict[int, dict[str, int | None]] = defaultdict(dict)
    texts: dict[int, dict[str, str]] = defaultdict(dict)
    rows = Answer.objects.filter(response_id__in=ids).values_list(
        "response_id", "item_code", "value", "declined", "text"
    )
    for response_id, item, value, declined, text in rows.iterator(chunk_size=10000):
        if text:
            if not drop_text:
                texts[response_id][item] = text
        else:
            answers[response_id][item] = None if declined else value
    scores = dict(
        (r, (s, b))
        for r, s, b in Score.objects.filter(response_id__in=ids, is_current=True).values_list(
            "response_id", "score", "band"
        )
    )
    records = []
    versions: set[int] = set()
    for pk, participant, enrolment_id, wave, code, version_id, version, mode, on, at in responses:
        versions.add(version_id)
        score, band = scores.get(pk, (None, ""))
        records.append(
            ResponseRecord(
                participant_id=str(participant),
                wave=wave,
                instrument=code,
                instrument_version=version,
                mode=mode,
                answered_on=on or (timezone.localdate(at) if at else None),
                answers=answers.get(pk, {}),
                texts=texts.get(pk, {}),
                score=score,
                band=band or None,
                group_id=group_of[enrolment_id],
                organisation=org_of[enrolment_id],
            )
        )
    return records, versions


def _participations_table(
    rows: list[tuple[Any, ...]],
    key: bytes,
    attended: dict[int, int],
    held: dict[int, int],
    options: DeidentifyOptions,
    language: str,
) -> Table:
    """One row per course participation: who (pseudonym), which group, how far they came."""
    da = language == "da"
    states = {
        i + 1: str(label)
        for i, (value, label) in enumerate(EnrolmentState.choices)
        if value in _STATES
    }
    state_code = {value: i + 1 for i, (value, _l) in enumerate(EnrolmentState.choices)}
    reasons = {i + 1: str(label) for i, (_v, label) in enumerate(DropReason.choices)}
    reason_code = {value: i + 1 for i, (value, _l) in enumerate(DropReason.choices)}
    targets = {i + 1: str(label) for i, (_v, label) in enumerate(Target.choices)}
    target_code = {value: i + 1 for i, (value, _l) in enumerate(Target.choices)}
    source = "Spejl: enrolment and attendance records"
    variables = (
        Variable(
            name="pseudonym",
            label="Pseudonym (nøglet pr. modtager)" if da else "Pseudonym (keyed per recipient)",
            kind="string",
            source="derived: HMAC-SHA256 of the participant id under the recipient's key",
            measure="nominal",
        ),
        Variable(
            name="group",
            label="Gruppe (nøglet kode)" if da else "Group (keyed code)",
            kind="string",
            source="derived: HMAC-SHA256 of the group id under the recipient's key",
            measure="nominal",
        ),
        Variable(
            name="organisation",
            label="Organisation",
            kind="string",
            source="Spejl: the group's organisation (short name)",
            measure="nominal",
        ),
        Variable(
            name="target",
            label="Målgruppe" if da else "Target group",
            kind="integer",
            value_labels=targets,
            source="Spejl: the group's target group",
            measure="nominal",
        ),
        Variable(
            name="course_start",
            label="Første møde" + (" (dato forskudt)" if options.shift_dates else "")
            if da
            else "First meeting" + (" (date shifted)" if options.shift_dates else ""),
            kind="date",
            source="Spejl: the group's first meeting date",
            measure="scale",
        ),
        Variable(
            name="status",
            label="Forløb" if da else "Course status",
            kind="integer",
            value_labels=states,
            source=source,
            measure="nominal",
        ),
        Variable(
            name="drop_reason",
            label="Grund til at stoppe" if da else "Reason for dropping out",
            kind="integer",
            value_labels=reasons,
            source=source + " (the free-text note is never exported)",
            measure="nominal",
        ),
        Variable(
            name="meetings_held",
            label="Møder afholdt indtil nu" if da else "Meetings held so far",
            kind="integer",
            source=source,
            measure="scale",
        ),
        Variable(
            name="meetings_attended",
            label="Møder deltaget i" if da else "Meetings attended",
            kind="integer",
            source=source,
            measure="scale",
        ),
    )
    columns: list[list[object]] = [[] for _ in variables]
    for enrolment_id, participant, group, org, target, first_date, state, reason, group_id in rows:
        shift = date_shift_days(key, str(participant)) if options.shift_dates else 0
        values: list[object] = [
            pseudonym(key, str(participant)),
            group_pseudonym(key, str(group)),
            org,
            target_code.get(target),
            None if first_date is None else first_date + timedelta(days=shift),
            state_code.get(state),
            reason_code.get(reason) if reason else None,
            held.get(group_id, 0),
            attended.get(enrolment_id, 0),
        ]
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    order = (
        np.argsort(
            np.array(
                [f"{p}{g}" for p, g in zip(columns[0], columns[1], strict=True)], dtype=object
            ),
            kind="stable",
        )
        if rows
        else np.array([], dtype=np.intp)
    )
    return Table.from_columns(
        variables,
        [[column[i] for i in order] for column in columns],
        title="Forløb" if da else "Course participations",
    )


def build_delivery(
    actor: Actor,
    scope: ReportScope,
    *,
    recipient: str,
    layout: str,
    file_format: str,
    options: dict[str, Any],
    path: Path,
    progress: Callable[[int], None],
    language: str = "da",
) -> Delivery:
    """Write the delivery ZIP for ``scope`` to ``path`` and say what is in it."""
    deidentify = DeidentifyOptions(
        drop_free_text=bool(options.get("drop_free_text", True)),
        shift_dates=bool(options.get("shift_dates", True)),
        age=options.get("age", "band"),
        place=options.get("place", "region"),
    )
    key = key_for(recipient)
    lang: Literal["da", "en"] = "da" if language == "da" else "en"
    enrolments = scoped_enrolments(scope)
    rows = list(
        enrolments.order_by("pk").values_list(
            "pk",
            "participant__public_id",
            "group__public_id",
            "organisation__slug",
            "group__target",
            "group__first_date",
            "state",
            "drop_reason",
            "group_id",
        )
    )
    progress(10)
    enrolment_ids = [r[0] for r in rows]
    group_of = {r[0]: str(r[2]) for r in rows}
    org_of = {r[0]: r[3] for r in rows}
    records, version_ids = _responses(enrolment_ids, group_of, org_of, deidentify.drop_free_text)
    progress(50)
    participant_ids = {r[1] for r in rows}
    birth_years = dict(enrolments.values_list("participant__public_id", "participant__birth_year"))
    postcodes = (
        dict(
            Contact.objects.filter(participant__public_id__in=participant_ids).values_list(
                "participant__public_id", "postcode_id"
            )
        )
        if deidentify.place != "none"
        else {}
    )
    first_dates = {r[1]: r[5] for r in rows}
    people = [
        ParticipantRecord(
            participant_id=str(pid),
            birth_year=birth_years.get(pid),
            postcode=postcodes.get(pid),
            age_on=first_dates.get(pid),
        )
        for pid in participant_ids
    ]
    places = {
        code: Place(municipality=municipality, region=region)
        for code, municipality, region in Postcode.objects.filter(
            code__in={p for p in postcodes.values() if p}
        ).values_list("code", "municipality", "region")
    }
    instruments: list[Instrument] = [
        v.instrument
        for v in InstrumentVersion.objects.filter(pk__in=version_ids).order_by("code", "version")
    ]
    long = long_table(
        records,
        instruments=instruments,
        key=key,
        participants=people,
        options=deidentify,
        places=places,
        language=lang,
        scoring_engine=ENGINE_VERSION,
        title="Spejl — besvarelser" if language == "da" else "Spejl — responses",
    )
    attended = attended_counts(enrolments)
    held = meetings_held({r[8] for r in rows}, timezone.now())
    participations = _participations_table(rows, key, attended, held, deidentify, language)
    progress(70)
    # REDCap's flat CSV is always one row per record and event (the "wave" layout).
    if layout == "wave" or file_format == "redcap":
        data, stem = long, "spejl_wave"
    elif layout == "wide":
        data, stem = long_to_wide(long), "spejl_wide"
    else:
        data = per_instrument_table(long, instruments=instruments, language=lang)
        stem = "spejl_long"
    files = {stem: data}
    if file_format != "redcap":
        files["spejl_participations"] = participations
    info = ReadmeInfo(
        title="Spejl — data til evalueringen" if language == "da" else "Spejl — evaluation data",
        recipient=recipient,
        options=deidentify,
        generated_at=timezone.now(),
        software_version=settings.SPEJL_VERSION,
        instrument_versions=[i.scoring_version for i in instruments],
        population_da=(
            "Deltagere med samtykke til evaluering, der var gældende da filen blev lavet."
        ),
        population_en=(
            "Participants whose consent to evaluation was in force when the file was made."
        ),
    )
    write_bundle(
        path,
        files=files,
        fmt=cast(Format, file_format),
        info=info,
        instruments=instruments,
        language=language,
    )
    progress(99)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return Delivery(
        row_count=data.n_rows,
        participant_count=len(participant_ids),
        file_name=f"spejl-export-{layout}-{file_format}-{stamp}.zip",
        fields=EXPORT_FIELDS
        if not deidentify.drop_free_text
        else tuple(f for f in EXPORT_FIELDS if f != "answer.text"),
    )
