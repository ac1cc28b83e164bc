"""The periodic work of the measurement plan: open the waves that are due, send reminders,
close waves whose time has passed and cancel invitations that consent no longer covers.

Run by ``manage.py send_due`` (cron) and, for the baseline, straight after an enrolment.
Safe to run twice at once: an invitation is unique per enrolment and wave, each reminder is
claimed with a conditional ``UPDATE … WHERE reminders_sent = n``, closing and cancelling are
conditional updates, and each message has a dedupe key in the outbox. The system acts here;
no personal data is read (consent flags and states only).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from spejl.access.actor import SYSTEM
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.consents.models import Consent, ConsentPurpose
from spejl.core.waves import wave_windows
from spejl.enrolments.models import Enrolment, EnrolmentState
from spejl.groups.models import GroupStatus, MeetingStatus
from spejl.links.models import SecureLink
from spejl.questionnaires import policies
from spejl.questionnaires.models import (
    Invitation,
    InvitationStatus,
    MeasurementPlan,
    PlanStatus,
    Response,
    ResponseStatus,
)
from spejl.questionnaires.notices import invitation_notify
from spejl.questionnaires.scoring import response_score


def plan_in_use() -> MeasurementPlan | None:
    """The published measurement plan (``None`` only before the first one is loaded)."""
    return MeasurementPlan.objects.filter(status=PlanStatus.PUBLISHED).first()


def _consenting(purpose: str, participant_ids: Iterable[int]) -> set[int]:
    return set(
        Consent.objects.filter(
            participant_id__in=list(participant_ids), purpose=purpose, withdrawn_at__isnull=True
        ).values_list("participant_id", flat=True)
    )


def _candidates(enrolment_ids: Iterable[int] | None) -> list[Enrolment]:
    live_meetings = ~Q(group__meetings__status=MeetingStatus.CANCELLED)
    enrolments = (
        Enrolment.objects.filter(state__in=policies.INVITABLE_STATES, group__isnull=False)
        .exclude(group__status=GroupStatus.CANCELLED)
        .select_related("participant", "organisation")
        .annotate(
            first_start=Min("group__meetings__starts_at", filter=live_meetings),
            last_start=Max("group__meetings__starts_at", filter=live_meetings),
        )
    )
    if enrolment_ids is not None:
        enrolments = enrolments.filter(pk__in=list(enrolment_ids))
    return list(enrolments)


def _enrolled_at(enrolment_ids: list[int]) -> dict[int, datetime]:
    rows = (
        Enrolment.objects.filter(pk__in=enrolment_ids)
        .annotate(
            at=Min("transitions__at", filter=Q(transitions__to_state=EnrolmentState.ENROLLED))
        )
        .values_list("pk", "at")
    )
    return {pk: at for pk, at in rows if at is not None}


def invitations_open_due(
    *, now: datetime | None = None, enrolment_ids: Iterable[int] | None = None
) -> int:
    """Make the invitations whose wave is open now and queue their first message.

    ``enrolment_ids`` limits the run (used right after an enrolment). Returns how many
    invitations were made.
    """
    now = now or timezone.now()
    plan = plan_in_use()
    if plan is None:
        return 0
    candidates = _candidates(enrolment_ids)
    if not candidates:
        return 0
    existing = set(
        Invitation.objects.filter(enrolment__in=candidates).values_list("enrolment_id", "wave")
    )
    participant_ids = {e.participant_id for e in candidates}
    evaluation = _consenting(ConsentPurpose.EVALUATION, participant_ids)
    follow_up = _consenting(ConsentPurpose.FOLLOW_UP, participant_ids)
    enrolled_at = _enrolled_at([e.pk for e in candidates])
    waves_in_plan = set(plan.entries.values_list("wave", flat=True))
    made = 0
    for enrolment in candidates:
        windows = wave_windows(
            enrolled_at=enrolled_at.get(enrolment.pk, enrolment.waitlisted_at),
            first_meeting=enrolment.first_start,  # type: ignore[attr-defined]
            last_meeting=enrolment.last_start,  # type: ignore[attr-defined]
            follow_up_months=plan.follow_up_months,
            answer_window_days=plan.answer_window_days,
        )
        for wave, window in windows.items():
            if wave not in waves_in_plan or (enrolment.pk, wave) in existing:
                continue
            if not window.is_open(now):
                continue
            if policies.not_invitable_reason(
                wave=wave,
                enrolment_state=enrolment.state,
                evaluation_consent=enrolment.participant_id in evaluation,
                follow_up_consent=enrolment.participant_id in follow_up,
            ):
                continue
            if _invitation_make(enrolment, plan, wave, window.opens, window.closes, now):
                made += 1
    return made


def _invitation_make(
    enrolment: Enrolment,
    plan: MeasurementPlan,
    wave: str,
    opens: datetime,
    closes: datetime,
    now: datetime,
) -> bool:
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                participant=enrolment.participant,
                enrolment=enrolment,
                organisation=enrolment.organisation,
                group_id=enrolment.group_id,
                plan=plan,
                wave=wave,
                opens_at=opens,
                closes_at=closes,
                sent_at=now,
            )
            invitation_notify(invitation=invitation)
            audit_record(
                actor=SYSTEM,
                action=AuditAction.CREATE,
                obj=invitation,
                organisation=enrolment.organisation,
                fields=(),
                purpose=f"questionnaire invitation {wave}",
            )
    except IntegrityError:
        return False  # another run made it just now
    return True


def reminders_queue_due(*, now: datetime | None = None) -> int:
    """Queue each reminder whose day has come for open, unanswered invitations (partly
    answered ones are reminded too). Returns how many were queued."""
    now = now or timezone.now()
    queued = 0
    invitations = (
        Invitation.objects.filter(
            status=InvitationStatus.OPEN, sent_at__isnull=False, closes_at__gt=now
        )
        .select_related("plan", "participant", "organisation")
        .order_by("pk")
    )
    for invitation in invitations.iterator(chunk_size=500):
        days = [int(d) for d in invitation.plan.reminder_days]
        step = invitation.reminders_sent
        if step >= len(days):
            continue
        assert invitation.sent_at is not None
        if now < invitation.sent_at + timedelta(days=days[step]):
            continue
        with transaction.atomic():
            claimed = Invitation.objects.filter(
                pk=invitation.pk, status=InvitationStatus.OPEN, reminders_sent=step
            ).update(reminders_sent=step + 1)
            if claimed:
                invitation_notify(invitation=invitation, reminder=step + 1)
                queued += 1
    return queued


def invitation_close(invitation: Invitation, *, status: str, reason: str = "") -> bool:
    """Close (time passed) or cancel an open invitation: its links stop working and answers
    being given are kept as a partly answered response, scored by the missing-item rules."""
    with transaction.atomic():
        updated = Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.OPEN).update(
            status=status, cancelled_reason=reason[:100]
        )
        if not updated:
            return False
        SecureLink.objects.filter(invitation=invitation, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        unfinished = Response.objects.filter(
            invitation=invitation, status=ResponseStatus.IN_PROGRESS
        )
        for response in unfinished.prefetch_related("answers").select_related("instrument"):
            response.status = ResponseStatus.PARTIAL
            response.save(update_fields=["status"])
            response_score(response)
        audit_record(
            actor=SYSTEM,
            action=AuditAction.UPDATE,
            obj=invitation,
            organisation=invitation.organisation,
            fields=("status",),
            purpose=f"questionnaire invitation {status}" + (f" ({reason})" if reason else ""),
        )
    return True


def invitations_close_due(*, now: datetime | None = None) -> int:
    """Close the open invitations whose wave has closed."""
    now = now or timezone.now()
    closed = 0
    for invitation in Invitation.objects.filter(
        status=InvitationStatus.OPEN, closes_at__lte=now
    ).select_related("organisation"):
        closed += invitation_close(invitation, status=InvitationStatus.CLOSED)
    return closed


def invitations_cancel_uncovered(*, participant_ids: Iterable[int] | None = None) -> int:
    """Cancel open invitations that consent or the enrolment no longer cover (evaluation
    consent withdrawn; dropped out without follow-up consent), of everyone or of the given
    participants (called straight after a withdrawal, too)."""
    invitations = Invitation.objects.filter(status=InvitationStatus.OPEN)
    if participant_ids is not None:
        invitations = invitations.filter(participant_id__in=list(participant_ids))
    open_invitations = list(invitations.select_related("enrolment", "organisation"))
    if not open_invitations:
        return 0
    participant_ids = {i.participant_id for i in open_invitations}
    evaluation = _consenting(ConsentPurpose.EVALUATION, participant_ids)
    follow_up = _consenting(ConsentPurpose.FOLLOW_UP, participant_ids)
    cancelled = 0
    for invitation in open_invitations:
        reason = policies.not_invitable_reason(
            wave=invitation.wave,
            enrolment_state=invitation.enrolment.state,
            evaluation_consent=invitation.participant_id in evaluation,
            follow_up_consent=invitation.participant_id in follow_up,
        )
        if reason:
            cancelled += invitation_close(
                invitation, status=InvitationStatus.CANCELLED, reason=reason
            )
    return cancelled


def questionnaires_due(*, now: datetime | None = None) -> dict[str, int]:
    """Everything the measurement plan needs doing now (for ``send_due``)."""
    now = now or timezone.now()
    cancelled = invitations_cancel_uncovered()
    closed = invitations_close_due(now=now)
    opened = invitations_open_due(now=now)
    reminded = reminders_queue_due(now=now)
    return {"cancelled": cancelled, "closed": closed, "invited": opened, "reminded": reminded}


def invitations_cancel_for_participant(*, participant_id: int, reason: str) -> int:
    """Cancel every open invitation of one participant, whatever their consents (used when
    their data are erased): the links stop working and answers being given are kept as a
    partly answered response (see :func:`invitation_close`). Returns how many were
    cancelled; cancelling twice cancels once. No personal data is read."""
    cancelled = 0
    for invitation in Invitation.objects.filter(
        participant_id=participant_id, status=InvitationStatus.OPEN
    ):
        cancelled += invitation_close(invitation, status=InvitationStatus.CANCELLED, reason=reason)
    return cancelled
