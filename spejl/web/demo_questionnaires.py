"""Demo questionnaire data: consents for the demo groups' participants, and their answers at
T0, T1 and T2 as a real evaluation would see them — most people a little less lonely and a
little more well at the end, some of it kept at follow-up, fewer answers at each wave, the
odd question left out, a few answered on paper or by telephone, and this week's baseline
still coming in. Invented people; idempotent (groups that have invitations are left alone).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from spejl.consents.models import Consent, ConsentMethod, ConsentPurpose, ConsentText
from spejl.core.instruments import Instrument
from spejl.core.scoring import score
from spejl.core.waves import Window, wave_windows
from spejl.enrolments.models import DropReason, Enrolment, EnrolmentState, EnrolmentTransition
from spejl.groups.models import GroupStatus, MeetingStatus, PeerGroup
from spejl.questionnaires.models import (
    Answer,
    Invitation,
    InvitationStatus,
    MeasurementPlan,
    PlanInstrument,
    PlanStatus,
    Response,
    ResponseMode,
    ResponseStatus,
)
from spejl.questionnaires.scoring import score_store

#: Share answering each wave (of those invited), and of the rest the share who began.
ANSWER_RATE = {"T0": 0.9, "T1": 0.78, "T2": 0.62}
PARTIAL_RATE = 0.4
#: Share of a finished group's participants who stopped along the way (answering only T0).
DROP_RATE = 0.15
#: Chance that any one question is left out ("don't want to answer").
DECLINE_RATE = 0.03


@dataclass
class Person:
    """A demo participant's hidden state: how lonely (0 least – 1 most) and how well."""

    loneliness: float
    wellbeing: float
    gain: float


def _consents(enrolment: Enrolment, rng: random.Random, texts: dict[str, ConsentText]) -> None:
    if Consent.objects.filter(participant_id=enrolment.participant_id).exists():
        return
    given = enrolment.waitlisted_at - timedelta(days=rng.randint(1, 14))
    for purpose, share in (
        (ConsentPurpose.PARTICIPATION, 1.0),
        (ConsentPurpose.EVALUATION, 0.9),
        (ConsentPurpose.FOLLOW_UP, 0.75),
    ):
        text = texts.get(purpose)
        if text is None or rng.random() >= share:
            continue
        Consent.objects.create(
            participant_id=enrolment.participant_id,
            purpose=purpose,
            text=text,
            given_at=given,
            method=rng.choice([ConsentMethod.PAPER, ConsentMethod.DIGITAL]),
        )


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def _answers(
    instrument: Instrument, person: Person, wave: str, rng: random.Random
) -> dict[str, tuple[int | None, bool, str]]:
    """Plausible answers: the person's state at this wave, some noise, the odd refusal."""
    progress = {"T0": 0.0, "T1": 1.0, "T2": 0.7}[wave] * person.gain
    lonely = _clamp(person.loneliness - 0.35 * progress + rng.gauss(0, 0.08))
    well = _clamp(person.wellbeing + 0.3 * progress + rng.gauss(0, 0.08))
    answers: dict[str, tuple[int | None, bool, str]] = {}
    for item in instrument.items:
        if not item.is_choice:
            if rng.random() < 0.3:
                answers[item.code] = (
                    None,
                    False,
                    rng.choice(
                        [
                            "Det var godt at høre, at andre har det på samme måde.",
                            "Jeg ville ønske, at forløbet var længere.",
                            "Tak til tovholderne for et trygt rum.",
                        ]
                    ),
                )
            continue
        if rng.random() < DECLINE_RATE:
            answers[item.code] = (None, True, "")
            continue
        scores = sorted(item.scores)
        if instrument.code in ("tils", "direct_loneliness", "swemwbs"):
            level = lonely
        elif instrument.code in ("who5",):
            level = well
        elif instrument.code == "experience":
            level = _clamp(0.55 + 0.4 * person.gain + rng.gauss(0, 0.15))
            if item.code == "exp_recommend":
                level = 1 - level  # 1 = "yes, certainly"
        else:
            level = rng.random()  # background: categories
        index = round(_clamp(level + rng.gauss(0, 0.12)) * (len(scores) - 1))
        answers[item.code] = (scores[index], False, "")
    return answers


def _windows(group: PeerGroup, plan: MeasurementPlan, enrolled_at: datetime) -> dict[str, Window]:
    stats = group.meetings.exclude(status=MeetingStatus.CANCELLED).aggregate(
        first=Min("starts_at"), last=Max("starts_at")
    )
    if stats["first"] is not None:
        # Demo places are created today; in the story they were taken weeks before the start.
        enrolled_at = min(enrolled_at, stats["first"] - timedelta(days=21))
    return wave_windows(
        enrolled_at=enrolled_at,
        first_meeting=stats["first"],
        last_meeting=stats["last"],
        follow_up_months=plan.follow_up_months,
        answer_window_days=plan.answer_window_days,
    )


@transaction.atomic
def seed_questionnaires() -> int:
    """Consents, invitations and responses for the demo groups; returns the number of
    responses made."""
    rng = random.Random(5150)  # noqa: S311 - seeded demo data, not security  # nosec B311
    plan = MeasurementPlan.objects.filter(status=PlanStatus.PUBLISHED).first()
    if plan is None:
        return 0
    texts = {
        t.purpose: t
        for t in ConsentText.objects.filter(status="published").order_by("purpose", "version")
    }
    entries = list(plan.entries.select_related("instrument").order_by("wave", "position"))
    now = timezone.now()
    groups = (
        PeerGroup.objects.filter(
            status__in=[GroupStatus.RUNNING, GroupStatus.RECRUITING, GroupStatus.COMPLETED]
        )
        .exclude(invitations__isnull=False)
        .order_by("pk")
    )
    made = 0
    for group in groups:
        enrolments = list(
            Enrolment.objects.filter(
                group=group,
                state__in=[EnrolmentState.ENROLLED, EnrolmentState.COMPLETED],
            ).order_by("pk")
        )
        for enrolment in enrolments:
            _consents(enrolment, rng, texts)
        consenting = set(
            Consent.objects.filter(
                participant__in=[e.participant_id for e in enrolments],
                purpose=ConsentPurpose.EVALUATION,
                withdrawn_at__isnull=True,
            ).values_list("participant_id", flat=True)
        )
        for enrolment in enrolments:
            if enrolment.participant_id not in consenting:
                continue
            person = Person(
                loneliness=_clamp(rng.gauss(0.72, 0.15)),
                wellbeing=_clamp(rng.gauss(0.35, 0.15)),
                gain=_clamp(rng.gauss(0.6, 0.35)),
            )
            windows = _windows(group, plan, enrolment.waitlisted_at)
            dropped = group.status == GroupStatus.COMPLETED and rng.random() < DROP_RATE
            if dropped:
                _drop(enrolment, rng)
            for wave, window in windows.items():
                if window.opens > now or (dropped and wave != "T0"):
                    continue
                made += _wave(enrolment, plan, wave, window, entries, person, rng, now)
    return made


def _drop(enrolment: Enrolment, rng: random.Random) -> None:
    """Record that the participant stopped during the course, with a reason."""
    reason = rng.choice(
        [DropReason.PRACTICAL, DropReason.HEALTH, DropReason.NOT_A_FIT, DropReason.FOUND_OTHER]
    )
    EnrolmentTransition.objects.create(
        enrolment=enrolment,
        group_id=enrolment.group_id,
        from_state=enrolment.state,
        to_state=EnrolmentState.DROPPED,
        reason="demo",
    )
    Enrolment.objects.filter(pk=enrolment.pk).update(
        state=EnrolmentState.DROPPED, drop_reason=reason
    )


def _wave(
    enrolment: Enrolment,
    plan: MeasurementPlan,
    wave: str,
    window: Window,
    entries: list[PlanInstrument],
    person: Person,
    rng: random.Random,
    now: datetime,
) -> int:
    opens, closes = window.opens, window.closes
    is_open = closes > now
    answered = rng.random() < ANSWER_RATE[wave]
    begun = not answered and rng.random() < PARTIAL_RATE
    if is_open and answered and rng.random() < 0.35:
        answered, begun = False, rng.random() < 0.5  # this week's answers are still coming in
    sent = opens + timedelta(minutes=5)
    done_at = min(now, sent + timedelta(days=rng.choice([0, 1, 2, 4, 8]), hours=rng.randint(1, 9)))
    if answered:
        status = InvitationStatus.COMPLETED
    else:
        status = InvitationStatus.OPEN if is_open else InvitationStatus.CLOSED
    mode = rng.choices(
        [ResponseMode.WEB, ResponseMode.PAPER, ResponseMode.PHONE], weights=[85, 10, 5]
    )[0]
    invitation = Invitation.objects.create(
        participant_id=enrolment.participant_id,
        enrolment=enrolment,
        organisation_id=enrolment.organisation_id,
        group_id=enrolment.group_id,
        plan=plan,
        wave=wave,
        status=status,
        opens_at=opens,
        closes_at=closes,
        sent_at=sent,
        reminders_sent=0 if answered else min(2, max(0, (now - sent).days // 3)),
        started_at=done_at if (answered or begun) else None,
        completed_at=done_at if answered else None,
        completed_mode=mode if answered else "",
    )
    if not (answered or begun):
        return 0
    count = 0
    wave_entries = [e for e in entries if e.wave == wave]
    if begun:
        wave_entries = wave_entries[: rng.randint(1, max(1, len(wave_entries) - 1))]
    for entry in wave_entries:
        instrument = entry.instrument.instrument
        answers = _answers(instrument, person, wave, rng)
        if begun:
            status_r = ResponseStatus.IN_PROGRESS if is_open else ResponseStatus.PARTIAL
        else:
            status_r = ResponseStatus.SUBMITTED
        response = Response.objects.create(
            participant_id=enrolment.participant_id,
            organisation_id=enrolment.organisation_id,
            enrolment=enrolment,
            invitation=invitation,
            wave=wave,
            instrument=entry.instrument,
            instrument_code=entry.instrument.code,
            mode=mode if answered else ResponseMode.WEB,
            status=status_r,
            submitted_at=done_at if answered else None,
            answered_on=timezone.localdate(done_at) if mode != ResponseMode.WEB else None,
        )
        Answer.objects.bulk_create(
            Answer(response=response, item_code=code, value=value, declined=declined, text=text)
            for code, (value, declined, text) in answers.items()
        )
        if status_r != ResponseStatus.IN_PROGRESS:
            result = score(
                instrument,
                {c: v for c, (v, _d, _t) in answers.items() if instrument.item(c).is_choice},
            )
            score_store(response, result)
        count += 1
    return count
