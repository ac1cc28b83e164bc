"""Scheduling and recording intake conversations, converting an enquiry into a participant,
and managing referral destinations.

Who may act is checked first (``permissions``), state rules come from ``policies``, each write
happens in one transaction with its audit event (field names only). Personal data touched:
the enquiry's or participant's contact data (read to confirm the appointment and copied into
the participant's ``Contact`` on conversion), the T-ILS answers, the decision and its note,
wishes and needs, birth year and gender.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spejl.access.actor import Actor, NotFound
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.core.tils import tils_score
from spejl.enquiries.models import Enquiry, EnquiryStatus
from spejl.enquiries.services import enquiry_mark_converted
from spejl.enrolments.services import enrolment_waitlist
from spejl.intake import policies
from spejl.intake.models import Decision, Intake, IntakeMode, IntakeStatus, ReferralDestination
from spejl.intake.notices import Confirmation, notify_intake_scheduled
from spejl.intake.permissions import (
    can_use_destination,
    check_can_hold_intakes_for,
    check_can_record_intake,
)
from spejl.organisations.models import Organisation
from spejl.participants.models import Channel, Contact, Gender, Participant

#: Birth years further back or more recent than this are almost surely typos.
OLDEST_AGE = 110
YOUNGEST_AGE = 12
MAX_TRAVEL_KM = 500


@dataclass(frozen=True)
class Scheduled:
    """A scheduled intake and what happened to its confirmation."""

    intake: Intake
    confirmation: Confirmation


# --- Scheduling -----------------------------------------------------------------------------


def _validate_appointment(*, scheduled_at: datetime, mode: str, place: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    now = timezone.now()
    if timezone.is_naive(scheduled_at):
        raise ValueError("scheduled_at must be an aware datetime")
    if scheduled_at < now - policies.SCHEDULE_PAST_LIMIT:
        errors["scheduled_at"] = _("The time is more than 30 days ago. Check the date.")
    elif scheduled_at > now + policies.SCHEDULE_FUTURE_LIMIT:
        errors["scheduled_at"] = _("The time is more than a year ahead. Check the date.")
    if mode not in IntakeMode.values:
        errors["mode"] = _("Choose how the conversation takes place.")
    elif mode in policies.MODES_NEEDING_PLACE and not place:
        errors["place"] = _("Write where you meet.")
    return errors


def _schedule(
    *,
    actor: Actor,
    organisation: Organisation,
    enquiry: Enquiry | None,
    participant: Participant | None,
    scheduled_at: datetime,
    mode: str,
    place: str,
) -> Scheduled:
    place = place.strip()
    errors = _validate_appointment(scheduled_at=scheduled_at, mode=mode, place=place)
    if errors:
        raise ValidationError(errors)
    intake = Intake.objects.create(
        organisation=organisation,
        enquiry=enquiry,
        participant=participant,
        coordinator=actor.user,
        scheduled_at=scheduled_at,
        mode=mode,
        place=place,
        status=IntakeStatus.SCHEDULED,
        language=(
            enquiry.language
            if enquiry is not None
            else getattr(getattr(participant, "contact", None), "language", "da")
        ),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=intake,
        organisation=organisation,
        fields=("scheduled_at", "mode", "place"),
        purpose="intake conversation scheduled",
    )
    # Reading the person's contact to choose the channel: the address itself is looked up
    # only when the message is sent.
    confirmation = notify_intake_scheduled(intake=intake)
    return Scheduled(intake=intake, confirmation=confirmation)


@transaction.atomic
def intake_schedule_for_enquiry(
    *, actor: Actor, enquiry: Enquiry, scheduled_at: datetime, mode: str, place: str = ""
) -> Scheduled:
    """Schedule the intake conversation of an open enquiry of an organisation the actor
    coordinates; the enquiry moves to *intake* and the person gets a confirmation (e-mail or
    SMS, whichever contact they gave). One scheduled intake per enquiry at a time, so a double
    submit schedules one conversation."""
    check_can_hold_intakes_for(actor, enquiry.organisation_id)
    # Lock the enquiry: two coordinators scheduling at once get one intake.
    enquiry = (
        Enquiry.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=enquiry.pk)
    )
    if enquiry.status == EnquiryStatus.CONVERTED:
        raise ValidationError(
            _("This person is already a participant. Schedule a new conversation from their page.")
        )
    if not policies.can_schedule_for_enquiry_status(enquiry.status):
        raise ValidationError(_("This enquiry is closed. Reopen it to schedule a conversation."))
    existing = Intake.objects.filter(enquiry=enquiry, status=IntakeStatus.SCHEDULED).first()
    if existing is not None:
        raise ValidationError(
            _("A conversation is already scheduled for %(when)s. Change that one instead.")
            % {"when": _local(existing.scheduled_at)}
        )
    scheduled = _schedule(
        actor=actor,
        organisation=enquiry.organisation,
        enquiry=enquiry,
        participant=None,
        scheduled_at=scheduled_at,
        mode=mode,
        place=place,
    )
    Enquiry.objects.filter(pk=enquiry.pk, status__in=policies.SCHEDULABLE_ENQUIRY_STATUSES).update(
        status=EnquiryStatus.INTAKE, updated_at=timezone.now()
    )
    return scheduled


@transaction.atomic
def intake_schedule_for_participant(
    *, actor: Actor, participant: Participant, scheduled_at: datetime, mode: str, place: str = ""
) -> Scheduled:
    """Schedule a new intake conversation with an existing participant (e.g. before a new
    group, or after a break). One scheduled intake per participant at a time."""
    check_can_hold_intakes_for(actor, participant.organisation_id)
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("organisation", "contact")
        .get(pk=participant.pk)
    )
    existing = Intake.objects.filter(participant=participant, status=IntakeStatus.SCHEDULED).first()
    if existing is not None:
        raise ValidationError(
            _("A conversation is already scheduled for %(when)s. Change that one instead.")
            % {"when": _local(existing.scheduled_at)}
        )
    return _schedule(
        actor=actor,
        organisation=participant.organisation,
        enquiry=None,
        participant=participant,
        scheduled_at=scheduled_at,
        mode=mode,
        place=place,
    )


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d-%m-%Y %H:%M")


# --- Recording ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntakeAnswers:
    """Everything the record form holds. The service replaces the intake's values with these.

    ``birth_year`` and ``gender`` belong to the participant (created or updated when the
    conversation is held); the rest to the intake.
    """

    status: str
    scheduled_at: datetime
    mode: str
    place: str = ""
    target: str = ""
    age_ok: bool | None = None
    tils_1: int | None = None
    tils_2: int | None = None
    tils_3: int | None = None
    decision: str = ""
    referral_destination: ReferralDestination | None = None
    decision_note: str = ""
    preferred_times: list[str] = field(default_factory=list)
    max_travel_km: int | None = None
    composition_wishes: str = ""
    group_wishes: list[str] = field(default_factory=list)
    accessibility_needs: str = ""
    needs_step_free: bool = False
    language: str = "da"
    birth_year: int | None = None
    gender: str = ""


#: Answer fields stored on the intake itself.
INTAKE_ANSWER_FIELDS = tuple(
    f.name for f in fields(IntakeAnswers) if f.name not in ("birth_year", "gender")
)


def answers_of(intake: Intake) -> IntakeAnswers:
    """The intake's current answers (the starting point of the record form)."""
    participant = intake.participant
    birth_year = participant.birth_year if participant else None
    if birth_year is None and intake.enquiry is not None:
        birth_year = intake.enquiry.birth_year
    return IntakeAnswers(
        **{name: getattr(intake, name) for name in INTAKE_ANSWER_FIELDS},
        birth_year=birth_year,
        gender=participant.gender if participant else "",
    )


def _validate_answers(
    intake: Intake, answers: IntakeAnswers, *, year: int
) -> tuple[dict[str, str], bool | None]:
    """Field errors for the person, and the age fit to store."""
    errors = _validate_appointment(
        scheduled_at=answers.scheduled_at, mode=answers.mode, place=answers.place
    )
    if answers.status not in IntakeStatus.values:
        errors["status"] = _("Choose how the conversation went.")
    if answers.status == IntakeStatus.HELD and answers.scheduled_at > timezone.now():
        errors["scheduled_at"] = _(
            "A conversation that was held cannot be in the future. Check the date and time."
        )
    if answers.target and answers.target not in policies.INTAKE_TARGETS:
        errors["target"] = _("Choose adults or young people.")
    if answers.birth_year is not None and not (
        year - OLDEST_AGE <= answers.birth_year <= year - YOUNGEST_AGE
    ):
        errors["birth_year"] = _("Give a birth year between %(low)s and %(high)s.") % {
            "low": year - OLDEST_AGE,
            "high": year - YOUNGEST_AGE,
        }
    if answers.gender and answers.gender not in Gender.values:
        errors["gender"] = _("Choose one of the options, or leave it empty.")
    for name in policies.TILS_FIELDS:
        value = getattr(answers, name)
        if value is not None and value not in (1, 2, 3):
            errors[name] = _("Choose one of the answers.")
    unknown = set(answers.preferred_times) - set(policies.TIME_SLOTS)
    if unknown:
        errors["preferred_times"] = _("Choose days and times from the list.")
    if set(answers.group_wishes) - {code for code, _label in policies.GROUP_WISHES}:
        errors["group_wishes"] = _("Choose wishes from the list.")
    if answers.max_travel_km is not None and not 0 <= answers.max_travel_km <= MAX_TRAVEL_KM:
        errors["max_travel_km"] = _("Give a distance between 0 and %(max)s km.") % {
            "max": MAX_TRAVEL_KM
        }
    if answers.language not in ("da", "en"):
        errors["language"] = _("Choose Danish or English.")

    # Age: an answer that contradicts the birth year is a mistake; no answer is filled in
    # when the birth year settles it.
    computed = policies.age_fits_target(answers.birth_year, answers.target, year)
    age_ok = answers.age_ok if answers.age_ok is not None else computed
    if answers.age_ok is True and computed is False and answers.birth_year is not None:
        low, high = policies.possible_ages(answers.birth_year, year)
        errors["age_ok"] = _(
            "Born in %(year)s, the person is %(low)s or %(high)s years old this year, "
            "which is outside the target group."
        ) % {"year": answers.birth_year, "low": low, "high": high}

    decision = answers.decision
    if decision and decision not in Decision.values:
        errors["decision"] = _("Choose one of the decisions.")
    elif decision and not policies.decision_allowed(answers.status):
        errors["decision"] = _(
            "Record a decision only for a conversation that was held. "
            "Set “How did it go” to “Held”, or leave the decision empty."
        )
    elif decision == Decision.REFERRED:
        destination = answers.referral_destination
        if destination is None:
            errors["referral_destination"] = _("Choose where the person was referred to.")
        elif not can_use_destination(destination, intake.organisation_id) or (
            not destination.is_active and destination.pk != intake.referral_destination_id
        ):
            errors["referral_destination"] = _("Choose one of the destinations in the list.")
    elif decision == Decision.SUITABLE:
        complete = tils_score([answers.tils_1, answers.tils_2, answers.tils_3]).complete
        if not complete and age_ok is not True:
            errors["decision"] = _(
                "Before deciding that a group is suitable, answer all three screening "
                "questions and confirm that the age fits the target group."
            )
        elif not complete:
            errors["decision"] = _(
                "Before deciding that a group is suitable, answer all three screening questions."
            )
        elif age_ok is not True:
            errors["decision"] = _(
                "Before deciding that a group is suitable, confirm that the age fits the "
                "target group."
            )
    return errors, age_ok


@transaction.atomic
def intake_record(*, actor: Actor, intake: Intake, answers: IntakeAnswers) -> Intake:
    """Record how the conversation went, the screening, the decision and the person's wishes.

    For the intake's organisation's coordinators. When an enquiry's conversation is recorded
    as held, the pseudonymous participant and their contact data are created from the enquiry
    (once: recording again reuses them) and the enquiry is marked converted. A decision of
    *suitable* puts the participant on the waitlist (once). A changed appointment of a
    still-scheduled intake is confirmed to the person again. Audited: the names of the fields
    that changed.
    """
    check_can_record_intake(actor, intake)
    # Work on the row as it is now (another coordinator may have saved meanwhile).
    intake = (
        Intake.objects.select_for_update(of=("self",))
        .select_related("organisation", "enquiry__group", "participant__contact")
        .get(pk=intake.pk)
    )
    now = timezone.now()
    year = timezone.localdate().year
    answers = _clean(answers)
    errors, age_ok = _validate_answers(intake, answers, year=year)
    if errors:
        raise ValidationError(errors)

    before = answers_of(intake)
    previous_version = (intake.scheduled_at, intake.mode, intake.place)
    previous_decision = intake.decision
    for name in INTAKE_ANSWER_FIELDS:
        setattr(intake, name, getattr(answers, name))
    intake.age_ok = age_ok
    if intake.decision != Decision.REFERRED:
        intake.referral_destination = None
    intake.tils_score = tils_score([intake.tils_1, intake.tils_2, intake.tils_3]).score
    if intake.decision != previous_decision:
        intake.decided_at = now if intake.decision else None
    # age_ok is nullable without blank=True: "not settled" is a valid answer here.
    intake.full_clean(exclude=["enquiry", "participant", "coordinator", "organisation", "age_ok"])
    intake.save()

    changed = [
        name
        for name in INTAKE_ANSWER_FIELDS
        if getattr(before, name) != getattr(intake, name) and name != "scheduled_at"
    ]
    if before.scheduled_at != intake.scheduled_at:
        changed.append("scheduled_at")
    if changed:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=intake,
            organisation=intake.organisation,
            fields=changed,
            purpose="intake conversation recorded",
        )

    if intake.status == IntakeStatus.HELD:
        participant = _convert_or_update_person(actor=actor, intake=intake, answers=answers)
        if intake.decision == Decision.SUITABLE:
            group = intake.enquiry.group if intake.enquiry else None
            if group is not None and group.organisation_id != participant.organisation_id:
                group = None
            enrolment_waitlist(
                actor=actor,
                participant=participant,
                group=group,
                reason=_("Found suitable at the intake conversation"),
            )
    elif intake.participant is not None:
        _update_person(actor=actor, participant=intake.participant, answers=answers)

    if intake.status == IntakeStatus.SCHEDULED and previous_version != (
        intake.scheduled_at,
        intake.mode,
        intake.place,
    ):
        notify_intake_scheduled(intake=intake)
    return intake


def _clean(answers: IntakeAnswers) -> IntakeAnswers:
    """Strip free text and keep time slots in a stable order without repeats."""
    slots = [s for s in policies.TIME_SLOTS if s in set(answers.preferred_times)]
    unknown = [s for s in answers.preferred_times if s not in policies.TIME_SLOTS]
    return IntakeAnswers(
        **{
            **{f.name: getattr(answers, f.name) for f in fields(IntakeAnswers)},
            "place": answers.place.strip(),
            "decision_note": answers.decision_note.strip(),
            "composition_wishes": answers.composition_wishes.strip(),
            "accessibility_needs": answers.accessibility_needs.strip(),
            "preferred_times": slots + unknown,
            "group_wishes": [c for c, _l in policies.GROUP_WISHES if c in answers.group_wishes],
        }
    )


def _convert_or_update_person(
    *, actor: Actor, intake: Intake, answers: IntakeAnswers
) -> Participant:
    """The participant the held conversation is with: created from the enquiry the first
    time (with their contact data), updated with birth year and gender after that."""
    if intake.participant is not None:
        return _update_person(actor=actor, participant=intake.participant, answers=answers)
    enquiry = intake.enquiry
    if enquiry is None:  # an intake is always with an enquiry or a participant
        raise NotFound
    enquiry = (
        Enquiry.objects.select_for_update(of=("self",))
        .select_related("participant")
        .get(pk=enquiry.pk)
    )
    participant = enquiry.participant
    if participant is not None:
        # Converted through another of its intakes: link, don't duplicate.
        participant = _update_person(actor=actor, participant=participant, answers=answers)
    else:
        participant = Participant.objects.create(
            organisation_id=intake.organisation_id,
            birth_year=answers.birth_year if answers.birth_year else enquiry.birth_year,
            gender=answers.gender,
        )
        Contact.objects.create(
            participant=participant,
            first_name=enquiry.first_name,
            phone=enquiry.phone,
            email=enquiry.email,
            postcode=enquiry.postcode,
            preferred_channel=Channel.EMAIL if enquiry.email or not enquiry.phone else Channel.SMS,
            language=enquiry.language,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=participant,
            organisation=intake.organisation,
            fields=(
                "birth_year",
                "gender",
                "first_name",
                "phone",
                "email",
                "postcode",
                "preferred_channel",
                "language",
            ),
            purpose="participant created from an enquiry at the intake conversation",
        )
    Intake.objects.filter(pk=intake.pk).update(participant=participant)
    intake.participant = participant
    enquiry_mark_converted(actor=actor, enquiry=enquiry, participant=participant)
    return participant


def _update_person(
    *, actor: Actor, participant: Participant, answers: IntakeAnswers
) -> Participant:
    changed = []
    if answers.birth_year is not None and participant.birth_year != answers.birth_year:
        participant.birth_year = answers.birth_year
        changed.append("birth_year")
    if participant.gender != answers.gender:
        participant.gender = answers.gender
        changed.append("gender")
    if changed:
        participant.save(update_fields=changed)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=participant,
            organisation=participant.organisation,
            fields=changed,
            purpose="intake conversation recorded",
        )
    return participant
