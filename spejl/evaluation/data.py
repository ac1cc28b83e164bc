"""Reading the evaluation dataset from the database — the only way statistics get data.

Only course participations (enrolments on a group's roster) of participants whose evaluation
consent is in force *now* are read, inside the scope the actor may see; the read is audited.
The result holds no names, contact data or database ids: people are row positions.

A fixed number of queries whatever the size (tested), with ``values_list`` rows only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from spejl.access.actor import Actor
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.consents.models import Consent, ConsentPurpose
from spejl.core.evaluation.dataset import WAVES, Categorical, Dataset, Outcome
from spejl.core.evaluation.outcomes import outcome_for
from spejl.core.exports.deidentify import AGE_BANDS, age_band_of
from spejl.enquiries.models import Enquiry
from spejl.enrolments.models import ROSTER_STATES, DropReason, Enrolment, EnrolmentState
from spejl.evaluation.scope import ReportScope, describe_scope
from spejl.groups.models import Attendance, AttendanceStatus, Meeting, MeetingStatus, Target
from spejl.intake.models import Intake, IntakeStatus
from spejl.participants.models import Gender
from spejl.questionnaires.models import (
    Answer,
    InstrumentVersion,
    Response,
    ResponseStatus,
    Score,
)

#: Age-band labels ("16–17" … "75+"), the bands of the background questionnaire's item.
_AGE_LABELS = tuple(band.text for band in AGE_BANDS)
_BAND_OF_CODE = {band.code: band.text for band in AGE_BANDS}
#: Background questionnaire items read for subgroups (codes → meaning in its v1 file).
_BG_ITEMS = ("bg_age_band", "bg_gender", "bg_living")
_BG_GENDER = {1: Gender.WOMAN.value, 2: Gender.MAN.value, 3: Gender.OTHER.value}
_STATUSES = (EnrolmentState.ENROLLED.value, EnrolmentState.COMPLETED.value, "dropped")
#: The personal-data fields the dataset reads (for the audit event; never values).
DATASET_FIELDS = (
    "participant.birth_year",
    "participant.gender",
    "enrolment.state",
    "enrolment.drop_reason",
    "attendance.status",
    "answer.value (background)",
    "score.score",
)


def consenting(participant_field: str = "participant") -> Exists:
    """Evaluation consent in force now for the row's participant."""
    return Exists(
        Consent.objects.filter(
            participant=OuterRef(participant_field),
            purpose=ConsentPurpose.EVALUATION,
            withdrawn_at__isnull=True,
        )
    )


def scoped_enrolments(scope: ReportScope) -> QuerySet[Enrolment]:
    """Roster enrolments in ``scope`` of participants with evaluation consent in force."""
    enrolments = Enrolment.objects.filter(state__in=ROSTER_STATES, group__isnull=False).filter(
        consenting()
    )
    if scope.organisation_ids:
        enrolments = enrolments.filter(organisation_id__in=scope.organisation_ids)
    if scope.group_id is not None:
        enrolments = enrolments.filter(group_id=scope.group_id)
    if scope.target:
        enrolments = enrolments.filter(group__target=scope.target)
    if scope.period_from:
        enrolments = enrolments.filter(group__first_date__gte=scope.period_from)
    if scope.period_to:
        enrolments = enrolments.filter(group__first_date__lte=scope.period_to)
    return enrolments


def attended_counts(enrolments: QuerySet[Enrolment]) -> dict[int, int]:
    """Meetings each enrolment was marked present at (enrolment id → count); one query."""
    return dict(
        Attendance.objects.filter(enrolment__in=enrolments, status=AttendanceStatus.PRESENT)
        .values("enrolment_id")
        .annotate(c=Count("pk"))
        .values_list("enrolment_id", "c")
    )


def meetings_held(groups: Any, now: datetime) -> dict[int, int]:
    """Meetings held so far (not cancelled, started by ``now``) per group id; one query.
    ``groups`` is anything a ``group_id__in`` filter takes (ids or a values queryset)."""
    return dict(
        Meeting.objects.filter(
            group_id__in=groups, status=MeetingStatus.PLANNED, starts_at__lte=now
        )
        .values("group_id")
        .annotate(c=Count("pk"))
        .values_list("group_id", "c")
    )


def outcome_versions() -> list[tuple[Outcome, int]]:
    """Every scored instrument version as an outcome with its row id (newest version last)."""
    result: list[tuple[Outcome, int]] = []
    for version in InstrumentVersion.objects.order_by("code", "version"):
        outcome = outcome_for(version.instrument, version.content_hash)
        if outcome is not None:
            result.append((outcome, version.pk))
    return result


@dataclass(frozen=True)
class InstrumentUsed:
    code: str
    version: int
    content_hash: str


@dataclass(frozen=True)
class LoadedDataset:
    dataset: Dataset
    #: Instrument versions behind the scores in the dataset (for the report's provenance).
    instruments: tuple[InstrumentUsed, ...]
    data_cutoff: datetime


def load_dataset(actor: Actor, scope: ReportScope, *, purpose: str) -> LoadedDataset:
    """Read the dataset for a resolved ``scope`` (see ``resolve_scope``) and audit the read."""
    now = timezone.now()
    enrolments = scoped_enrolments(scope)
    rows = list(
        enrolments.order_by("pk").values_list(
            "pk",
            "organisation__slug",
            "group__public_id",
            "group__target",
            "group__first_date",
            "participant__birth_year",
            "participant__gender",
            "state",
            "drop_reason",
            "group_id",
        )
    )
    position = {row[0]: i for i, row in enumerate(rows)}
    n = len(rows)

    versions = outcome_versions()
    outcomes: dict[str, Outcome] = {}
    version_of: dict[int, tuple[str, int, str]] = {}
    for outcome, pk in versions:
        outcomes[outcome.code] = outcome  # newest version describes the outcome
        version_of[pk] = (outcome.code, outcome.version, outcome.content_hash)
    scores = {code: np.full((n, len(WAVES)), np.nan) for code in outcomes}
    used: set[tuple[str, int, str]] = set()
    score_rows = Score.objects.filter(
        is_current=True,
        score__isnull=False,
        response__status=ResponseStatus.SUBMITTED,
        response__enrolment__in=enrolments,
        response__instrument_id__in=list(version_of),
    ).values_list("response__enrolment_id", "response__wave", "response__instrument_id", "score")
    for enrolment_id, wave, instrument_id, value in score_rows.iterator(chunk_size=5000):
        code, version, content_hash = version_of[instrument_id]
        scores[code][position[enrolment_id], WAVES.index(wave)] = value
        used.add((code, version, content_hash))
    # Outcomes nobody answered in this scope still appear (with n = 0) if enabled.
    enabled = set(InstrumentVersion.objects.filter(enabled=True).values_list("code", flat=True))
    kept = {code for code in outcomes if code in enabled or code in {u[0] for u in used}}

    background: dict[int, dict[str, int]] = defaultdict(dict)
    answers = Answer.objects.filter(
        response__enrolment__in=enrolments,
        response__status=ResponseStatus.SUBMITTED,
        response__instrument_code="background",
        item_code__in=_BG_ITEMS,
        value__isnull=False,
    ).values_list("response__enrolment_id", "item_code", "value")
    for enrolment_id, item, value in answers.iterator(chunk_size=5000):
        if value is not None:
            background[enrolment_id][item] = value

    attended_by = attended_counts(enrolments)
    attended = np.fromiter((attended_by.get(row[0], 0) for row in rows), dtype=np.int32, count=n)
    held_by_group = meetings_held(enrolments.values("group_id"), now)
    held = np.fromiter((held_by_group.get(row[9], 0) for row in rows), dtype=np.int32, count=n)

    ages: list[str | None] = []
    genders: list[str | None] = []
    living: list[str | None] = []
    for row in rows:
        answered = background.get(row[0], {})
        of_year = age_band_of(row[5], row[4]) if row[5] else None
        band = of_year.text if of_year else _BAND_OF_CODE.get(answered.get("bg_age_band", 0))
        ages.append(band)
        genders.append(row[6] or _BG_GENDER.get(answered.get("bg_gender", 0)))
        living_code = answered.get("bg_living")
        living.append(None if living_code is None else ("yes" if living_code == 1 else "no"))

    dataset = Dataset(
        outcomes=tuple(outcomes[code] for code in sorted(kept)),
        scores={code: scores[code] for code in sorted(kept)},
        organisation=Categorical.from_values([row[1] for row in rows]),
        group=Categorical.from_values([str(row[2]) for row in rows]),
        target=Categorical.from_values([row[3] for row in rows], order=tuple(Target.values)),
        age_band=Categorical.from_values(ages, order=_AGE_LABELS),
        gender=Categorical.from_values(genders, order=tuple(Gender.values)),
        living_alone=Categorical.from_values(living, order=("yes", "no")),
        status=Categorical.from_values([row[7] for row in rows], order=_STATUSES),
        drop_reason=Categorical.from_values(
            [row[8] or None for row in rows], order=tuple(DropReason.values)
        ),
        attended=attended,
        held=held,
        funnel=funnel_counts(scope, enrolments),
    )
    audit_record(
        actor=actor,
        action=AuditAction.READ,
        object_type="evaluation.dataset",
        organisation=None,
        fields=DATASET_FIELDS,
        purpose=f"{purpose}: {n} participations; {describe_scope(scope.to_json())}"[:120],
    )
    instruments = tuple(InstrumentUsed(*u) for u in sorted(used))
    return LoadedDataset(dataset=dataset, instruments=instruments, data_cutoff=now)


def funnel_counts(scope: ReportScope, enrolments: QuerySet[Enrolment]) -> dict[str, int]:
    """The way in, stage by stage, for the scope — nobody who has withdrawn evaluation consent
    is counted anywhere. Enquiries and intakes count those not (yet) participants too: the
    enquiry register holds no research data, and a count is all that leaves it."""
    withdrawn = Consent.objects.filter(
        participant=OuterRef("participant"),
        purpose=ConsentPurpose.EVALUATION,
        withdrawn_at__isnull=False,
    )
    active = consenting()
    enquiries = Enquiry.objects.all()
    intakes = Intake.objects.filter(status=IntakeStatus.HELD)
    if scope.organisation_ids:
        enquiries = enquiries.filter(organisation_id__in=scope.organisation_ids)
        intakes = intakes.filter(organisation_id__in=scope.organisation_ids)
    if scope.group_id is not None:
        enquiries = enquiries.filter(group_id=scope.group_id)
        intakes = intakes.filter(enquiry__group_id=scope.group_id)
    if scope.period_from:
        enquiries = enquiries.filter(created_at__date__gte=scope.period_from)
        intakes = intakes.filter(created_at__date__gte=scope.period_from)
    if scope.period_to:
        enquiries = enquiries.filter(created_at__date__lte=scope.period_to)
        intakes = intakes.filter(created_at__date__lte=scope.period_to)
    enquiries = enquiries.exclude(Q(participant__isnull=False) & Exists(withdrawn) & ~active)
    intakes = intakes.exclude(Q(participant__isnull=False) & Exists(withdrawn) & ~active)
    stages = enrolments.aggregate(
        placed=Count("pk", distinct=True),
        started=Count("pk", filter=Q(attendances__status=AttendanceStatus.PRESENT), distinct=True),
        completed=Count("pk", filter=Q(state=EnrolmentState.COMPLETED), distinct=True),
    )
    # Answered = at least one questionnaire sent in at that wave (web, paper, phone or import).
    answered = dict(
        Response.objects.filter(enrolment__in=enrolments, status=ResponseStatus.SUBMITTED)
        .values("wave")
        .annotate(c=Count("enrolment_id", distinct=True))
        .values_list("wave", "c")
    )
    return {
        "enquiries": enquiries.count(),
        "intakes": intakes.count(),
        "placed": stages["placed"],
        "started": stages["started"],
        "completed": stages["completed"],
        **{f"answered_{wave.lower()}": int(answered.get(wave, 0)) for wave in WAVES},
    }
