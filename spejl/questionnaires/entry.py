"""Paper and telephone responses, entered by a coordinator for a participant of their
organisation: the same instruments, validation and scoring as on the web, with the mode
recorded and the entry audited.

Entering a wave completes its invitation (the participant gets no more reminders and their
links stop working). Answers the participant had begun on the web for the same wave are
replaced by what was entered, because the paper or the call is their final word. A paper or
telephone entry can be corrected by entering it again (the form shows what was entered; the
new answers are scored afresh and the earlier score is kept for audit); web answers are the
participant's own and are never changed by staff.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spejl.access.actor import Actor, NotFound
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.consents.models import ConsentPurpose
from spejl.consents.selectors import consent_active
from spejl.core.waves import wave_windows
from spejl.enrolments.models import Enrolment
from spejl.groups.models import MeetingStatus
from spejl.links.models import SecureLink
from spejl.participants.models import Participant
from spejl.questionnaires import policies
from spejl.questionnaires.answering import DECLINED, answer_parse, wave_versions
from spejl.questionnaires.models import (
    Answer,
    InstrumentVersion,
    Invitation,
    InvitationStatus,
    Response,
    ResponseMode,
    ResponseStatus,
    Wave,
)
from spejl.questionnaires.scheduling import plan_in_use
from spejl.questionnaires.scoring import response_score

STAFF_MODES = (ResponseMode.PAPER, ResponseMode.PHONE)


def entry_enrolment(participant: Participant) -> Enrolment | None:
    """The participant's newest place in a group that can be measured."""
    return (
        participant.enrolments.filter(state__in=policies.INVITABLE_STATES, group__isnull=False)
        .select_related("group")
        .order_by("-waitlisted_at")
        .first()
    )


def _invitation_for(enrolment: Enrolment, wave: str) -> Invitation:
    existing = Invitation.objects.select_for_update().filter(enrolment=enrolment, wave=wave).first()
    if existing is not None:
        return existing
    plan = plan_in_use()
    if plan is None:
        raise ValidationError(_("There is no measurement plan in use yet."))
    assert enrolment.group is not None
    starts = list(
        enrolment.group.meetings.exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
    )
    now = timezone.now()
    windows = wave_windows(
        enrolled_at=enrolment.waitlisted_at,
        first_meeting=starts[0] if starts else None,
        last_meeting=starts[-1] if starts else None,
        follow_up_months=plan.follow_up_months,
        answer_window_days=plan.answer_window_days,
    )
    window = windows.get(wave)
    return Invitation.objects.create(
        participant=enrolment.participant,
        enrolment=enrolment,
        organisation=enrolment.organisation,
        group=enrolment.group,
        plan=plan,
        wave=wave,
        opens_at=window.opens if window else now,
        closes_at=window.closes if window else now,
    )


@dataclass(frozen=True)
class EntryForm:
    """What a coordinator fills in: the instruments of the wave, in order. ``initial`` holds
    the answers entered before when this is a correction of a paper or telephone entry."""

    enrolment: Enrolment
    invitation: Invitation | None
    versions: list[InstrumentVersion]
    initial: dict[str, str]

    @property
    def is_correction(self) -> bool:
        return self.invitation is not None and self.invitation.status == InvitationStatus.COMPLETED


def _already_answered(invitation: Invitation) -> bool:
    """Answered in a way staff cannot correct: on the web (the participant's own) or by
    import (correct it in the source and import again)."""
    return (
        invitation.status == InvitationStatus.COMPLETED
        and invitation.completed_mode not in STAFF_MODES
    )


def _entered_answers(invitation: Invitation) -> dict[str, str]:
    initial: dict[str, str] = {}
    for answer in Answer.objects.filter(response__invitation=invitation):
        if answer.declined:
            initial[answer.item_code] = DECLINED
        elif answer.value is not None:
            initial[answer.item_code] = str(answer.value)
        else:
            initial[answer.item_code] = answer.text
    return initial


def entry_form_for(*, actor: Actor, participant: Participant, wave: str) -> EntryForm:
    """The instruments to enter for ``wave`` (``NotFound`` for anyone who does not coordinate
    the participant's organisation). Reads no answers."""
    if not actor.coordinates(participant.organisation_id) or wave not in Wave.values:
        raise NotFound
    enrolment = entry_enrolment(participant)
    if enrolment is None:
        raise ValidationError(
            _("The participant has no place in a group, so there is no questionnaire to enter.")
        )
    invitation = Invitation.objects.filter(enrolment=enrolment, wave=wave).first()
    if invitation is not None and _already_answered(invitation):
        raise ValidationError(_("This questionnaire has already been answered."))
    initial: dict[str, str] = {}
    if invitation is not None and invitation.status == InvitationStatus.COMPLETED:
        initial = _entered_answers(invitation)
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            object_type="questionnaires.response",
            object_id=str(invitation.public_id),
            organisation=participant.organisation,
            fields=("answers",),
            purpose=f"correct a {invitation.completed_mode} response ({wave})",
        )
    if invitation is not None:
        versions = wave_versions(invitation)
    else:
        plan = plan_in_use()
        versions = (
            [e.instrument for e in plan.entries.filter(wave=wave).select_related("instrument")]
            if plan
            else []
        )
    return EntryForm(enrolment=enrolment, invitation=invitation, versions=versions, initial=initial)


@transaction.atomic
def response_enter(
    *,
    actor: Actor,
    participant: Participant,
    wave: str,
    mode: str,
    answered_on: date,
    answers: Mapping[str, str],
) -> Invitation:
    """Record a paper or telephone response to ``wave`` for ``participant``.

    ``answers`` maps item codes to what was ticked: an option's score, ``"declined"``, free
    text, or "" (not answered). Raises ``ValidationError`` (by item code, or general) with a
    message for the coordinator, changing nothing; ``NotFound`` for anyone who does not
    coordinate the participant's organisation. Audited (one event per instrument).
    """
    if not actor.coordinates(participant.organisation_id) or wave not in Wave.values:
        raise NotFound
    if mode not in STAFF_MODES:
        raise ValidationError(_("Choose paper or telephone."))
    if answered_on > timezone.localdate():
        raise ValidationError({"answered_on": _("The date cannot be in the future.")})
    if not consent_active(participant=participant, purpose=ConsentPurpose.EVALUATION):
        raise ValidationError(
            _(
                "The participant has not consented to the evaluation (or has withdrawn it). "
                "Record their consent first — answers without it cannot be stored."
            )
        )
    enrolment = entry_enrolment(participant)
    if enrolment is None:
        raise ValidationError(
            _("The participant has no place in a group, so there is no questionnaire to enter.")
        )
    invitation = _invitation_for(enrolment, wave)
    if _already_answered(invitation):
        raise ValidationError(_("This questionnaire has already been answered."))
    correcting = invitation.status == InvitationStatus.COMPLETED
    versions = wave_versions(invitation)
    parsed: dict[str, dict[str, tuple[int | None, bool, str]]] = {}
    problems: dict[str, str] = {}
    for version in versions:
        instrument = version.instrument
        parsed[version.code] = {}
        for item in instrument.items:
            raw = answers.get(item.code, "")
            if not raw.strip():
                continue
            try:
                # Staff record "declined" whenever the person said so.
                parsed[version.code][item.code] = answer_parse(item, raw, True)
            except ValidationError as error:
                problems[item.code] = error.messages[0]
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    for version in versions:
        response, _created = Response.objects.get_or_create(
            enrolment=enrolment,
            wave=wave,
            instrument_code=version.code,
            defaults={
                "participant": participant,
                "organisation_id": participant.organisation_id,
                "invitation": invitation,
                "instrument": version,
                "mode": mode,
            },
        )
        if response.status == ResponseStatus.SUBMITTED and not correcting:
            raise ValidationError(_("This questionnaire has already been answered."))
        response.answers.all().delete()
        Answer.objects.bulk_create(
            Answer(response=response, item_code=code, value=value, declined=declined, text=text)
            for code, (value, declined, text) in parsed[version.code].items()
        )
        response.mode, response.status = mode, ResponseStatus.SUBMITTED
        response.submitted_at, response.answered_on = now, answered_on
        response.entered_by, response.invitation = actor.user, invitation
        response.save()
        response_score(response)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE if correcting else AuditAction.CREATE,
            obj=response,
            organisation=participant.organisation,
            fields=("answers",),
            purpose=f"{mode} response {'corrected' if correcting else 'entered'} "
            f"({wave}, {version.key})",
        )
    Invitation.objects.filter(pk=invitation.pk).update(
        status=InvitationStatus.COMPLETED,
        completed_at=now,
        completed_mode=mode,
        cancelled_reason="",
    )
    SecureLink.objects.filter(invitation=invitation, used_at__isnull=True).update(used_at=now)
    invitation.refresh_from_db()
    return invitation
