"""Scheduling and recording intake conversations: validation, conversion, decisions, messages."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from spejl.access.actor import Actor, NotFound, actor_for_user
from spejl.audit.models import AuditEvent
from spejl.conftest import World
from spejl.enquiries.models import EnquiryStatus
from spejl.enrolments.models import Enrolment, EnrolmentState
from spejl.groups.models import Target
from spejl.intake import services
from spejl.intake.models import Decision, Intake, IntakeMode, IntakeStatus, ReferralDestination
from spejl.intake.notices import Confirmation
from spejl.intake.services import IntakeAnswers, answers_of
from spejl.intake.tests.fixtures import destination_a, make_enquiry, make_intake
from spejl.notifications import sms
from spejl.notifications.models import Notification, NotificationStatus
from spejl.notifications.services import send_due
from spejl.participants.models import Channel, Contact, Participant
from spejl.testing.groups import make_group

THIS_YEAR = timezone.localdate().year


@pytest.fixture(autouse=True)
def _english_messages() -> Any:
    """These tests read the English wording of messages (the Danish is checked by the UI)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def coordinator(world: World) -> Actor:
    return actor_for_user(world.coordinator_a)


def held(intake: Intake, **changes: Any) -> IntakeAnswers:
    """The intake's answers, recorded as held an hour ago, with changes."""
    base = replace(
        answers_of(intake),
        status=IntakeStatus.HELD,
        scheduled_at=timezone.now() - timedelta(hours=1),
    )
    return replace(base, **changes)


def suitable(intake: Intake, **changes: Any) -> IntakeAnswers:
    values: dict[str, Any] = {
        "tils_1": 3,
        "tils_2": 2,
        "tils_3": 3,
        "target": Target.ADULTS,
        "birth_year": 1958,
        "decision": Decision.SUITABLE,
        **changes,
    }
    return held(intake, **values)


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return {k: [str(m) for m in v] for k, v in excinfo.value.message_dict.items()}


# --- Scheduling -----------------------------------------------------------------------------


def test_scheduling_an_enquirys_intake_moves_the_enquiry_on_and_is_audited(world: World) -> None:
    enquiry = make_enquiry(world.org_a)
    when = timezone.now() + timedelta(days=2)
    scheduled = services.intake_schedule_for_enquiry(
        actor=coordinator(world),
        enquiry=enquiry,
        scheduled_at=when,
        mode="in_person",
        place="  Frivilligcentret  ",
    )
    intake = scheduled.intake
    assert (intake.organisation, intake.enquiry, intake.scheduled_at) == (
        world.org_a,
        enquiry,
        when,
    )
    assert intake.place == "Frivilligcentret"
    assert intake.coordinator == world.coordinator_a
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.INTAKE
    event = AuditEvent.objects.get(object_id=str(intake.public_id), action="create")
    assert event.fields == ["mode", "place", "scheduled_at"]
    expected = Confirmation.QUEUED
    assert scheduled.confirmation == expected


def test_scheduling_twice_keeps_one_intake(world: World) -> None:
    enquiry = make_enquiry(world.org_a)
    when = timezone.now() + timedelta(days=2)
    services.intake_schedule_for_enquiry(
        actor=coordinator(world), enquiry=enquiry, scheduled_at=when, mode="phone"
    )
    with pytest.raises(ValidationError, match="already scheduled"):
        services.intake_schedule_for_enquiry(
            actor=coordinator(world), enquiry=enquiry, scheduled_at=when, mode="phone"
        )
    assert Intake.objects.filter(enquiry=enquiry).count() == 1


@pytest.mark.parametrize(
    ("mode", "place", "offset", "field"),
    [
        ("in_person", "", timedelta(days=1), "place"),
        ("carrier_pigeon", "x", timedelta(days=1), "mode"),
        ("phone", "", timedelta(days=400), "scheduled_at"),
        ("phone", "", -timedelta(days=40), "scheduled_at"),
    ],
)
def test_scheduling_refuses_bad_input_with_a_message_and_changes_nothing(
    world: World, mode: str, place: str, offset: timedelta, field: str
) -> None:
    enquiry = make_enquiry(world.org_a)
    with pytest.raises(ValidationError) as excinfo:
        services.intake_schedule_for_enquiry(
            actor=coordinator(world),
            enquiry=enquiry,
            scheduled_at=timezone.now() + offset,
            mode=mode,
            place=place,
        )
    assert field in errors_of(excinfo)
    assert not Intake.objects.exists()
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.NEW


@pytest.mark.parametrize("status", [EnquiryStatus.CLOSED, EnquiryStatus.CONVERTED])
def test_closed_or_converted_enquiries_get_no_new_intake(world: World, status: str) -> None:
    enquiry = make_enquiry(world.org_a, status=status)
    with pytest.raises(ValidationError):
        services.intake_schedule_for_enquiry(
            actor=coordinator(world),
            enquiry=enquiry,
            scheduled_at=timezone.now() + timedelta(days=1),
            mode="phone",
        )
    assert not Intake.objects.exists()


def test_another_organisations_coordinator_cannot_schedule(world: World) -> None:
    enquiry = make_enquiry(world.org_a)
    with pytest.raises(NotFound):
        services.intake_schedule_for_enquiry(
            actor=actor_for_user(world.coordinator_b),
            enquiry=enquiry,
            scheduled_at=timezone.now() + timedelta(days=1),
            mode="phone",
        )
    with pytest.raises(NotFound):
        services.intake_schedule_for_enquiry(
            actor=actor_for_user(world.facilitator_a),
            enquiry=enquiry,
            scheduled_at=timezone.now() + timedelta(days=1),
            mode="phone",
        )


def _participant(
    world: World,
    *,
    email: str = "ib@example.org",
    phone: str = "",
    channel: str = Channel.EMAIL,
    language: str = "en",
) -> Participant:
    participant = Participant.objects.create(organisation=world.org_a, birth_year=1950)
    Contact.objects.create(
        participant=participant,
        first_name="Ib",
        email=email,
        phone=phone,
        preferred_channel=channel,
        language=language,
    )
    return participant


def test_a_participant_gets_an_email_confirmation_in_their_language(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    participant = _participant(world)
    when = (timezone.now() + timedelta(days=5)).replace(hour=14, minute=30)
    with django_capture_on_commit_callbacks(execute=True):
        scheduled = services.intake_schedule_for_participant(
            actor=coordinator(world),
            participant=participant,
            scheduled_at=when,
            mode="in_person",
            place="Mejlgade 37",
        )
    assert scheduled.confirmation == Confirmation.QUEUED
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ib@example.org"]
    assert "Dear Ib" in message.body
    assert "Mejlgade 37" in message.body
    assert timezone.localtime(when).strftime("%H:%M") in message.body
    notification = Notification.objects.get()
    # The outbox holds ids only: no address, no name, no place.
    assert set(notification.context) == {"intake", "version"}
    assert "Ib" not in str(notification.context)


def test_a_participant_with_only_a_phone_gets_a_text_message(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    participant = _participant(world, email="", phone="+45 11 22 33 44", channel=Channel.EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        services.intake_schedule_for_participant(
            actor=coordinator(world),
            participant=participant,
            scheduled_at=timezone.now() + timedelta(days=1),
            mode="phone",
        )
    assert [m.to for m in sms.outbox] == ["+45 11 22 33 44"]
    assert not mail.outbox


def test_no_contact_means_no_message_and_the_coordinator_is_told(world: World) -> None:
    participant = _participant(world, email="", phone="")
    scheduled = services.intake_schedule_for_participant(
        actor=coordinator(world),
        participant=participant,
        scheduled_at=timezone.now() + timedelta(days=1),
        mode="phone",
    )
    assert scheduled.confirmation == Confirmation.NO_CONTACT
    assert not Notification.objects.exists()


def test_a_conversation_written_down_afterwards_sends_no_confirmation(world: World) -> None:
    participant = _participant(world)
    scheduled = services.intake_schedule_for_participant(
        actor=coordinator(world),
        participant=participant,
        scheduled_at=timezone.now() - timedelta(hours=2),
        mode="phone",
    )
    assert scheduled.confirmation == Confirmation.NOT_UPCOMING
    assert not Notification.objects.exists()


def test_moving_the_appointment_confirms_again_and_the_old_message_is_skipped(
    world: World,
) -> None:
    participant = _participant(world)
    intake = services.intake_schedule_for_participant(
        actor=coordinator(world),
        participant=participant,
        scheduled_at=timezone.now() + timedelta(days=1),
        mode="phone",
    ).intake
    # Saving the form without changing the appointment sends nothing new.
    services.intake_record(actor=coordinator(world), intake=intake, answers=answers_of(intake))
    assert Notification.objects.count() == 1
    later = intake.scheduled_at + timedelta(days=1)
    services.intake_record(
        actor=coordinator(world),
        intake=intake,
        answers=replace(answers_of(intake), scheduled_at=later),
    )
    assert Notification.objects.count() == 2
    counts = send_due()
    assert (counts["sent"], counts["skipped"]) == (1, 1)
    skipped = Notification.objects.get(status=NotificationStatus.SKIPPED)
    assert skipped.created_at <= Notification.objects.get(status=NotificationStatus.SENT).created_at


# --- Recording and conversion -----------------------------------------------------------------


def test_recording_held_converts_the_enquiry_once(world: World) -> None:
    enquiry = make_enquiry(
        world.org_a,
        first_name="Åse",
        email="aase@example.org",
        phone="+45 20 30 40 50",
        birth_year=1957,
        language="en",
    )
    intake = make_intake(world.org_a, enquiry=enquiry)
    answers = held(intake, birth_year=1956, gender="woman")
    services.intake_record(actor=coordinator(world), intake=intake, answers=answers)
    services.intake_record(actor=coordinator(world), intake=intake, answers=answers)

    participant = Participant.objects.get()
    assert (participant.organisation, participant.birth_year, participant.gender) == (
        world.org_a,
        1956,
        "woman",
    )
    contact = participant.contact
    assert (contact.first_name, contact.email, contact.phone, contact.postcode_id) == (
        "Åse",
        "aase@example.org",
        "+45 20 30 40 50",
        enquiry.postcode_id,
    )
    assert (contact.preferred_channel, contact.language) == (Channel.EMAIL, "en")
    intake.refresh_from_db()
    enquiry.refresh_from_db()
    assert intake.participant == participant
    assert (enquiry.status, enquiry.participant) == (EnquiryStatus.CONVERTED, participant)
    created = AuditEvent.objects.get(object_id=str(participant.public_id), action="create")
    assert "first_name" in created.fields and "birth_year" in created.fields


def test_an_enquiry_with_only_a_phone_becomes_a_participant_reached_by_sms(world: World) -> None:
    enquiry = make_enquiry(world.org_a, phone="+45 20 30 40 50")
    enquiry.email = ""
    enquiry.save()
    intake = make_intake(world.org_a, enquiry=enquiry)
    services.intake_record(actor=coordinator(world), intake=intake, answers=held(intake))
    assert Participant.objects.get().contact.preferred_channel == Channel.SMS


def test_a_second_intake_of_a_converted_enquiry_reuses_its_participant(world: World) -> None:
    enquiry = make_enquiry(world.org_a)
    first = make_intake(world.org_a, enquiry=enquiry)
    services.intake_record(actor=coordinator(world), intake=first, answers=held(first))
    second = make_intake(world.org_a, enquiry=enquiry)
    services.intake_record(actor=coordinator(world), intake=second, answers=held(second))
    assert Participant.objects.count() == 1
    second.refresh_from_db()
    assert second.participant == Participant.objects.get()


def test_cancelled_or_missed_conversations_create_no_participant(world: World) -> None:
    for status in (IntakeStatus.CANCELLED, IntakeStatus.NO_SHOW):
        intake = make_intake(world.org_a)
        services.intake_record(
            actor=coordinator(world),
            intake=intake,
            answers=replace(answers_of(intake), status=status),
        )
    assert not Participant.objects.exists()


def test_a_held_conversation_cannot_be_in_the_future(world: World) -> None:
    intake = make_intake(world.org_a)
    with pytest.raises(ValidationError) as excinfo:
        services.intake_record(
            actor=coordinator(world),
            intake=intake,
            answers=held(intake, scheduled_at=timezone.now() + timedelta(hours=1)),
        )
    assert "cannot be in the future" in errors_of(excinfo)["scheduled_at"][0]
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.SCHEDULED
    assert not Participant.objects.exists()


def test_the_screening_is_scored_and_only_complete_answers_get_a_score(world: World) -> None:
    intake = make_intake(world.org_a)
    services.intake_record(
        actor=coordinator(world), intake=intake, answers=held(intake, tils_1=3, tils_2=2, tils_3=2)
    )
    intake.refresh_from_db()
    assert intake.tils_score == 7
    services.intake_record(
        actor=coordinator(world), intake=intake, answers=held(intake, tils_1=3, tils_2=None)
    )
    intake.refresh_from_db()
    assert intake.tils_score is None


def test_writes_are_audited_with_field_names_only(world: World) -> None:
    intake = make_intake(world.org_a)
    services.intake_record(
        actor=coordinator(world),
        intake=intake,
        answers=held(
            intake,
            tils_1=1,
            tils_2=2,
            tils_3=3,
            decision=Decision.NOT_NOW,
            decision_note="Vil vente til efter sommer",
        ),
    )
    event = AuditEvent.objects.get(object_id=str(intake.public_id), action="update")
    assert {"tils_1", "tils_2", "tils_3", "decision", "decision_note", "status"} <= set(
        event.fields
    )
    assert "Vil vente" not in str(event.fields) + event.purpose


# --- Decisions ------------------------------------------------------------------------------


def test_referred_needs_a_destination(world: World, national_destinations: Any) -> None:
    intake = make_intake(world.org_a)
    with pytest.raises(ValidationError) as excinfo:
        services.intake_record(
            actor=coordinator(world),
            intake=intake,
            answers=held(intake, decision=Decision.REFERRED),
        )
    assert errors_of(excinfo) == {
        "referral_destination": ["Choose where the person was referred to."]
    }
    doctor = national_destinations[0]
    services.intake_record(
        actor=coordinator(world),
        intake=intake,
        answers=held(
            intake,
            decision=Decision.REFERRED,
            referral_destination=doctor,
            decision_note="Talk to the GP about sleep",
        ),
    )
    intake.refresh_from_db()
    assert (intake.decision, intake.referral_destination) == (Decision.REFERRED, doctor)
    assert intake.decided_at is not None
    assert not Enrolment.objects.exists()


def test_another_organisations_destination_cannot_be_chosen(world: World) -> None:
    theirs = ReferralDestination.objects.create(
        organisation=world.org_b, name_da="Odense Kommune", name_en="Odense municipality"
    )
    intake = make_intake(world.org_a)
    with pytest.raises(ValidationError) as excinfo:
        services.intake_record(
            actor=coordinator(world),
            intake=intake,
            answers=held(intake, decision=Decision.REFERRED, referral_destination=theirs),
        )
    assert "referral_destination" in errors_of(excinfo)
    ours = destination_a(world)
    services.intake_record(
        actor=coordinator(world),
        intake=intake,
        answers=held(intake, decision=Decision.REFERRED, referral_destination=ours),
    )


def test_a_destination_is_dropped_when_the_decision_is_not_a_referral(world: World) -> None:
    intake = make_intake(world.org_a)
    services.intake_record(
        actor=coordinator(world),
        intake=intake,
        answers=held(intake, decision=Decision.NOT_NOW, referral_destination=destination_a(world)),
    )
    intake.refresh_from_db()
    assert intake.referral_destination is None


def test_a_decision_needs_a_held_conversation(world: World) -> None:
    intake = make_intake(world.org_a)
    with pytest.raises(ValidationError) as excinfo:
        services.intake_record(
            actor=coordinator(world),
            intake=intake,
            answers=replace(
                answers_of(intake), status=IntakeStatus.NO_SHOW, decision=Decision.NOT_NOW
            ),
        )
    assert "decision" in errors_of(excinfo)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tils_3": None}, "answer all three screening questions."),
        (
            {"target": Target.YOUTH, "birth_year": 1958, "age_ok": None},
            "confirm that the age fits the target group.",
        ),
        (
            {"tils_3": None, "age_ok": False},
            "answer all three screening questions and confirm that the age fits",
        ),
    ],
)
def test_suitable_needs_a_complete_screening_and_a_fitting_age(
    world: World, changes: dict[str, Any], message: str
) -> None:
    intake = make_intake(world.org_a)
    with pytest.raises(ValidationError) as excinfo:
        services.intake_record(
            actor=coordinator(world), intake=intake, answers=suitable(intake, **changes)
        )
    assert message in errors_of(excinfo)["decision"][0]
    assert not Enrolment.objects.exists()


def test_an_age_that_contradicts_the_birth_year_is_refused(world: World) -> None:
    intake = make_intake(world.org_a)
    with pytest.raises(ValidationError) as excinfo:
        services.intake_record(
            actor=coordinator(world),
            intake=intake,
            answers=held(intake, target=Target.YOUTH, birth_year=1960, age_ok=True),
        )
    assert "outside the target group" in errors_of(excinfo)["age_ok"][0]


def test_the_age_fit_is_worked_out_from_the_birth_year_when_it_is_clear(world: World) -> None:
    intake = make_intake(world.org_a)
    services.intake_record(
        actor=coordinator(world),
        intake=intake,
        answers=held(intake, target=Target.ADULTS, birth_year=1960, age_ok=None),
    )
    intake.refresh_from_db()
    assert intake.age_ok is True
    # Born 25 years before this year: 24 or 25, a youth group fits either way; 26 does not.
    services.intake_record(
        actor=coordinator(world),
        intake=intake,
        answers=held(intake, target=Target.YOUTH, birth_year=THIS_YEAR - 27, age_ok=None),
    )
    intake.refresh_from_db()
    assert intake.age_ok is False


def test_suitable_puts_the_person_on_the_waitlist_once_for_the_group_they_asked_about(
    world: World,
) -> None:
    group = make_group(world, title="Torsdagsgruppen", participants=0)
    enquiry = make_enquiry(world.org_a, group=group)
    intake = make_intake(world.org_a, enquiry=enquiry)
    services.intake_record(actor=coordinator(world), intake=intake, answers=suitable(intake))
    services.intake_record(actor=coordinator(world), intake=intake, answers=suitable(intake))
    enrolment = Enrolment.objects.get()
    assert enrolment.state == EnrolmentState.WAITLISTED
    assert enrolment.group == group
    assert enrolment.participant == Participant.objects.get()
    intake.refresh_from_db()
    assert (intake.decision, intake.age_ok, intake.tils_score) == (Decision.SUITABLE, True, 8)


def test_a_participants_own_intake_puts_them_on_the_waitlist_without_a_group(
    world: World,
) -> None:
    participant = _participant(world)
    intake = make_intake(world.org_a, participant=participant)
    services.intake_record(actor=coordinator(world), intake=intake, answers=suitable(intake))
    enrolment = Enrolment.objects.get()
    assert (enrolment.participant, enrolment.group) == (participant, None)
    participant.refresh_from_db()
    assert participant.birth_year == 1958


def test_other_roles_cannot_record(world: World) -> None:
    intake = make_intake(world.org_a)
    for user in (world.coordinator_b, world.facilitator_a, world.evaluator):
        with pytest.raises(NotFound):
            services.intake_record(actor=actor_for_user(user), intake=intake, answers=held(intake))
    assert not Participant.objects.exists()


def test_bad_values_are_refused_field_by_field(world: World) -> None:
    intake = make_intake(world.org_a)
    with pytest.raises(ValidationError) as excinfo:
        services.intake_record(
            actor=coordinator(world),
            intake=intake,
            answers=held(
                intake,
                tils_1=4,
                birth_year=1800,
                max_travel_km=9000,
                preferred_times=["mon-night"],
                language="fr",
                gender="x",
                mode=IntakeMode.PHONE,
            ),
        )
    assert set(errors_of(excinfo)) == {
        "tils_1",
        "birth_year",
        "max_travel_km",
        "preferred_times",
        "language",
        "gender",
    }


def test_preferred_times_are_kept_in_week_order_without_repeats(world: World) -> None:
    intake = make_intake(world.org_a)
    services.intake_record(
        actor=coordinator(world),
        intake=intake,
        answers=held(intake, preferred_times=["wed-evening", "mon-morning", "wed-evening"]),
    )
    intake.refresh_from_db()
    assert intake.preferred_times == ["mon-morning", "wed-evening"]
