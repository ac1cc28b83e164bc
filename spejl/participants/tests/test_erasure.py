"""Erasure (GDPR art. 17): identifying data always, research data unless evaluation consent is
in force; shown before confirming, audited without values, irreversible, carried through to
offers, invitations, messages and exports; idempotent, also when two erasures race."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from spejl.access.actor import SYSTEM, NotFound, actor_for_user
from spejl.audit.models import AuditEvent
from spejl.conftest import World
from spejl.consents.models import Consent, ConsentMethod, ConsentPurpose
from spejl.consents.services import consent_withdraw
from spejl.enquiries.models import Enquiry, EnquirySource
from spejl.enrolments.models import Enrolment, EnrolmentState
from spejl.enrolments.services import enrolment_offer, seats_taken
from spejl.evaluation.exports import CANCELLED_BY_ERASURE, export_dir
from spejl.evaluation.models import Export, JobStatus
from spejl.groups.models import Attendance, AttendanceStatus, PeerGroup
from spejl.intake.models import Intake, IntakeMode, IntakeStatus
from spejl.links.models import LinkPurpose, SecureLink
from spejl.links.services import link_create
from spejl.notifications.models import Notification, NotificationStatus
from spejl.organisations.models import Postcode
from spejl.participants.erasure import (
    ErasureResult,
    erasure_plan,
    erasure_request,
    participant_contact_erase,
    participant_erase,
)
from spejl.participants.models import Contact, Participant
from spejl.questionnaires.models import Answer, Invitation, InvitationStatus, Response, Score
from spejl.testing.concurrency import twice_at_once
from spejl.testing.evaluation import answer, tils
from spejl.testing.groups import make_group
from spejl.testing.participants import waiting_participant
from spejl.testing.questionnaires import consenting_group, invite

NAMES = ("Ingrid", "Østergaard", "ingrid@example.org", "+45 22 33 44 55", "Åboulevarden 7")


def _coordinator(world: World) -> Any:
    return actor_for_user(world.coordinator_a)


def _enquiry_and_intake(participant: Participant, world: World) -> None:
    """An enquiry that led to the participant and an intake with free text."""
    Enquiry.objects.create(
        organisation=participant.organisation,
        source=EnquirySource.WEB,
        first_name="Ingrid",
        phone="+45 22 33 44 55",
        email="ingrid@example.org",
        postcode=Postcode.objects.get(code="8000"),
        birth_year=1961,
        message="Jeg bor alene efter min mand døde.",
        participant=participant,
        contact_fingerprint="f" * 64,
    )
    Intake.objects.create(
        organisation=participant.organisation,
        participant=participant,
        coordinator=world.coordinator_a,
        scheduled_at=timezone.now(),
        mode=IntakeMode.IN_PERSON,
        place="Åboulevarden 7",
        status=IntakeStatus.HELD,
        tils_1=3,
        tils_2=3,
        tils_3=2,
        tils_score=8,
        decision_note="Ingrid fortalte om sin mand.",
        composition_wishes="Ikke sammen med naboen",
        accessibility_needs="Går med rollator",
        max_travel_km=5,
    )


def _consenting_member(world: World, *, answered: bool = True) -> tuple[PeerGroup, Participant]:
    """A participant enrolled in a running group, consenting to evaluation, with an open
    baseline invitation (link and message), a submitted answer with free text, attendance,
    an enquiry and an intake."""
    group = consenting_group(world, participants=1)
    invite(group)
    enrolment = Enrolment.objects.get(group=group)
    participant = enrolment.participant
    if answered:
        answer(enrolment, "T0", "tils", tils(8), texts={"comment": "Min nabo Jens ved det"})
    meeting = group.meetings.order_by("starts_at").first()
    assert meeting is not None
    Attendance.objects.create(meeting=meeting, enrolment=enrolment, status=AttendanceStatus.PRESENT)
    _enquiry_and_intake(participant, world)
    link_create(purpose=LinkPurpose.PARTICIPANT_PAGE, participant=participant)
    return group, participant


def _no_names_in(event: AuditEvent) -> None:
    text = f"{event.purpose} {event.fields}"
    for name in NAMES:
        assert name not in text


# --- Contact data only (the retention job's service) -----------------------------------------


def test_contact_erase_removes_identifying_data_keeps_research_and_happens_once(
    world: World,
) -> None:
    _group, participant = _consenting_member(world)
    pending = Notification.objects.filter(
        recipient_participant=participant, status=NotificationStatus.PENDING
    ).count()
    responses = Response.objects.filter(participant=participant).count()

    assert participant_contact_erase(actor=SYSTEM, participant=participant, reason="retention")

    assert not Contact.objects.filter(participant=participant).exists()
    enquiry = Enquiry.objects.get(participant=participant)
    assert (enquiry.first_name, enquiry.phone, enquiry.email, enquiry.message) == ("", "", "", "")
    assert enquiry.contact_fingerprint == ""
    intake = Intake.objects.get(participant=participant)
    assert (intake.place, intake.decision_note, intake.accessibility_needs) == ("", "", "")
    assert intake.tils_score == 8, "research-like screening stays with contact-only erasure"
    assert not SecureLink.objects.filter(participant=participant).exists()
    assert not Notification.objects.filter(
        recipient_participant=participant, status=NotificationStatus.PENDING
    ).exists()
    assert (
        pending == 0
        or Notification.objects.filter(
            recipient_participant=participant, status=NotificationStatus.SKIPPED
        ).exists()
    )
    assert Response.objects.filter(participant=participant).count() == responses
    assert Enrolment.objects.get(participant=participant).state == EnrolmentState.ENROLLED

    event = AuditEvent.objects.get(
        object_id=str(participant.public_id), purpose="contact data erased (retention)"
    )
    assert event.actor is None and event.action == "delete"
    assert "contact:1" in event.fields and "enquiries:1" in event.fields
    _no_names_in(event)

    assert not participant_contact_erase(actor=SYSTEM, participant=participant, reason="retention")
    assert AuditEvent.objects.filter(purpose__startswith="contact data erased").count() == 1


def test_contact_erase_is_refused_to_others_and_changes_nothing(world: World) -> None:
    participant = waiting_participant(world)
    for user in (world.coordinator_b, world.facilitator_a, world.evaluator):
        with pytest.raises(NotFound):
            participant_contact_erase(
                actor=actor_for_user(user), participant=participant, reason="request"
            )
    assert Contact.objects.filter(participant=participant).exists()


def test_contact_erase_takes_only_fixed_reasons(world: World) -> None:
    participant = waiting_participant(world)
    with pytest.raises(ValueError):
        participant_contact_erase(actor=SYSTEM, participant=participant, reason="Ingrid asked")
    assert Contact.objects.filter(participant=participant).exists()


# --- Full erasure -----------------------------------------------------------------------------


def test_without_evaluation_consent_everything_goes_and_the_offered_seat_is_freed(
    world: World,
) -> None:
    participant = waiting_participant(world)
    _enquiry_and_intake(participant, world)
    group = make_group(world, title="Tirsdagsgruppen", participants=2, status="recruiting")
    group.reopened = True
    group.save()
    enrolment = participant.enrolments.get()
    enrolment_offer(actor=_coordinator(world), enrolment=enrolment, group=group)
    taken = seats_taken(group)
    offer_message = Notification.objects.get(template="offer_made")
    assert offer_message.status == NotificationStatus.PENDING or offer_message.sent_at

    plan = erasure_plan(actor=_coordinator(world), participant=participant)
    assert not plan.research_kept and plan.kept == ()
    assert {"contact", "enquiries", "participant", "places"} <= {i.key for i in plan.erased}
    assert "places_ended" in {i.key for i in plan.effects}

    result = participant_erase(actor=_coordinator(world), participant=participant, reason="request")

    assert result.erased and result.participant_deleted and not result.research_kept
    assert not Participant.objects.filter(pk=participant.pk).exists()
    assert not Enquiry.objects.exists(), "the enquiry that led to them is deleted"
    assert not Enrolment.objects.filter(pk=enrolment.pk).exists()
    assert not Intake.objects.filter(participant_id=participant.pk).exists()
    assert seats_taken(group) == taken - 1, "the offered seat returns to the group"
    event = AuditEvent.objects.get(
        object_id=str(participant.public_id), purpose__startswith="participant erased"
    )
    assert event.purpose == "participant erased (request); research data erased"
    assert event.actor == world.coordinator_a and event.action == "delete"
    assert "contact:1" in event.fields
    _no_names_in(event)


def test_with_evaluation_consent_pseudonymous_research_data_are_kept(world: World) -> None:
    group, participant = _consenting_member(world)
    enrolment = Enrolment.objects.get(participant=participant)
    invitation = Invitation.objects.get(participant=participant)
    assert invitation.status == InvitationStatus.OPEN
    scores = Score.objects.filter(response__participant=participant).count()
    assert scores

    plan = erasure_plan(actor=_coordinator(world), participant=participant)
    assert plan.research_kept
    assert plan.evaluation_consent_given_at is not None
    assert {"participant", "places", "questionnaires"} <= {i.key for i in plan.kept}
    assert "free_text_answers" in {i.key for i in plan.erased}

    result = participant_erase(actor=_coordinator(world), participant=participant, reason="request")

    assert result.erased and result.research_kept and not result.participant_deleted
    participant.refresh_from_db()
    assert participant.code == plan.code, "the pseudonym stays with the research data"
    assert not Contact.objects.filter(participant=participant).exists()
    assert not SecureLink.objects.filter(participant=participant).exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.CANCELLED
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.DROPPED
    assert Score.objects.filter(response__participant=participant).count() == scores
    assert not Answer.objects.filter(response__participant=participant).exclude(text="").exists()
    assert Answer.objects.filter(response__participant=participant, value__isnull=False).exists()
    assert Attendance.objects.filter(enrolment=enrolment).exists()
    intake = Intake.objects.get(participant=participant)
    assert intake.tils_score is None and intake.max_travel_km is None
    assert intake.status == IntakeStatus.HELD, "the way-in figures still count the intake"
    assert Consent.objects.filter(participant=participant, purpose="evaluation").exists()
    assert not Notification.objects.filter(recipient_participant=participant).exists()
    event = AuditEvent.objects.get(
        object_id=str(participant.public_id), purpose__startswith="participant erased"
    )
    assert "kept" in event.purpose
    _no_names_in(event)
    assert group.enrolments.filter(state=EnrolmentState.ENROLLED).count() == 0


def test_a_consent_withdrawn_earlier_does_not_keep_research_data(world: World) -> None:
    _group, participant = _consenting_member(world)
    consent_withdraw(
        actor=None,
        participant=participant,
        purpose=ConsentPurpose.EVALUATION,
        method=ConsentMethod.DIGITAL,
    )
    plan = erasure_plan(actor=_coordinator(world), participant=participant)
    assert not plan.research_kept
    assert plan.evaluation_consent_withdrawn_at is not None

    result = participant_erase(actor=_coordinator(world), participant=participant, reason="request")

    assert result.participant_deleted
    assert not Response.objects.filter(participant_id=participant.pk).exists()


def test_an_export_not_yet_downloaded_is_cancelled_and_its_file_deleted(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _group, participant = _consenting_member(world)
    ready = Export.objects.create(
        requested_by=world.evaluator,
        scope={"level": "national", "organisations": [], "group": None},
        options={},
        layout="long",
        format="csv",
        status=JobStatus.DONE,
        expires_at=timezone.now() + timezone.timedelta(hours=24),
    )
    other_org = Export.objects.create(
        requested_by=world.evaluator,
        scope={"level": "organisation", "organisations": [world.org_b.slug], "group": None},
        options={},
        layout="long",
        format="csv",
        status=JobStatus.QUEUED,
    )
    path = export_dir() / f"{ready.public_id}.zip"
    path.write_bytes(b"zip")

    with django_capture_on_commit_callbacks(execute=True):
        result = participant_erase(
            actor=_coordinator(world), participant=participant, reason="request"
        )

    assert result.counts["exports_cancelled"] == 1
    ready.refresh_from_db()
    other_org.refresh_from_db()
    assert (ready.status, ready.error) == (JobStatus.FAILED, CANCELLED_BY_ERASURE)
    assert not path.exists()
    assert other_org.status == JobStatus.QUEUED


def test_erasing_twice_erases_once(world: World) -> None:
    for make in (waiting_participant, lambda w: _consenting_member(w)[1]):
        participant = make(world)
        first = participant_erase(
            actor=_coordinator(world), participant=participant, reason="request"
        )
        second = participant_erase(
            actor=_coordinator(world), participant=participant, reason="request"
        )
        assert first.erased and not second.erased
        assert (
            AuditEvent.objects.filter(
                object_id=str(participant.public_id), purpose__startswith="participant erased"
            ).count()
            == 1
        )


def test_others_cannot_erase_or_see_the_plan(world: World) -> None:
    participant = waiting_participant(world)
    for user in (world.coordinator_b, world.facilitator_a, world.evaluator):
        actor = actor_for_user(user)
        with pytest.raises(NotFound):
            erasure_plan(actor=actor, participant=participant)
        with pytest.raises(NotFound):
            participant_erase(actor=actor, participant=participant, reason="request")
    assert Contact.objects.filter(participant=participant).exists()
    national = participant_erase(
        actor=actor_for_user(world.national_admin), participant=participant, reason="request"
    )
    assert national.erased


def _erase_concurrently(world: World, participant: Participant) -> list[bool]:
    actor = _coordinator(world)
    results = twice_at_once(
        lambda: participant_erase(actor=actor, participant=participant, reason="request")
    )
    assert all(isinstance(result, ErasureResult) for result in results), results
    return [result.erased for result in results]


@pytest.mark.django_db(transaction=True)
def test_two_erasures_at_once_erase_once(world: World) -> None:
    participant = waiting_participant(world)
    kept = _consenting_member(world)[1]
    for person in (participant, kept):
        outcomes = _erase_concurrently(world, person)
        assert sorted(outcomes) == [False, True]
        assert (
            AuditEvent.objects.filter(
                object_id=str(person.public_id), purpose__startswith="participant erased"
            ).count()
            == 1
        )


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_erasures_at_once_on_postgresql_lock_the_participant(world: World) -> None:
    """Real concurrent transactions: the second waits on the row lock, then finds nothing."""
    people = [waiting_participant(world, first_name=f"P{i}") for i in range(3)]
    for person in people:
        assert sorted(_erase_concurrently(world, person)) == [False, True]
        assert not Participant.objects.filter(pk=person.pk).exists()


# --- The participant asks ---------------------------------------------------------------------


def test_a_participants_request_tells_the_coordinators_once_a_day(world: World) -> None:
    participant = waiting_participant(world)
    assert erasure_request(participant=participant) == 2  # two coordinators in organisation A
    assert erasure_request(participant=participant) == 0
    recipients = set(
        Notification.objects.filter(template="erasure_requested").values_list(
            "recipient_user", flat=True
        )
    )
    assert recipients == {world.coordinator_a.pk, world.coordinator_a2.pk}
    assert Contact.objects.filter(participant=participant).exists(), "nothing erased yet"


# --- Views ------------------------------------------------------------------------------------


def _recently_logged_in(client: Any, user: Any) -> Any:
    """Mark the test client's session as logged in with a password just now (reauth)."""
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [{"method": "password", "at": time.time()}]
    session.save()
    return client


def _erase_url(participant: Participant) -> str:
    return reverse("participants:erase", kwargs={"participant_id": participant.public_id})


def test_confirmation_page_shows_the_plan_before_anything_is_erased(
    world: World, client_as: Any
) -> None:
    _group, participant = _consenting_member(world)
    page = client_as("coordinator_a").get(_erase_url(participant))
    assert page.status_code == 200
    html = page.content.decode()
    assert participant.code in html
    assert page.context["plan"].research_kept
    assert Contact.objects.filter(participant=participant).exists()


def test_a_wrong_code_is_refused_and_nothing_changes(world: World, client_as: Any) -> None:
    participant = waiting_participant(world)
    client = _recently_logged_in(client_as("coordinator_a"), world.coordinator_a)
    response = client.post(_erase_url(participant), {"reason": "request", "code": "SP-AAAA-AAAA"})
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert Contact.objects.filter(participant=participant).exists()
    assert not AuditEvent.objects.filter(action="delete").exists()


def test_erasing_needs_a_recent_login(world: World, client_as: Any) -> None:
    participant = waiting_participant(world)
    response = client_as("coordinator_a").post(
        _erase_url(participant), {"reason": "request", "code": participant.code}
    )
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    assert Contact.objects.filter(participant=participant).exists()


def test_coordinator_erases_through_the_page_and_the_links_die(
    world: World, client_as: Any, client: Any
) -> None:
    participant = waiting_participant(world)
    token = link_create(purpose=LinkPurpose.PARTICIPANT_PAGE, participant=participant)
    staff = _recently_logged_in(client_as("coordinator_a"), world.coordinator_a)
    response = staff.post(
        _erase_url(participant), {"reason": "request", "code": participant.code.lower()}
    )
    assert response.status_code == 200
    assert response.context["result"].erased
    assert not Participant.objects.filter(pk=participant.pk).exists()
    dead = client.get(reverse("participants:page", kwargs={"token": token}))
    assert dead.status_code == 404
    assert "Ingrid" not in dead.content.decode()
    assert staff.get(_erase_url(participant)).status_code == 404


def test_other_organisations_and_other_roles_get_404_and_nothing_changes(
    world: World, client_as: Any
) -> None:
    participant = waiting_participant(world)
    for role, user in (
        ("coordinator_b", world.coordinator_b),
        ("facilitator_a", world.facilitator_a),
        ("evaluator", world.evaluator),
    ):
        client = _recently_logged_in(client_as(role), user)
        assert client.get(_erase_url(participant)).status_code == 404
        response = client.post(
            _erase_url(participant), {"reason": "request", "code": participant.code}
        )
        assert response.status_code == 404
    assert Contact.objects.filter(participant=participant).exists()
    assert not AuditEvent.objects.filter(action="delete").exists()


def test_participant_asks_through_their_page_and_the_coordinator_sees_it(
    world: World, client: Any, client_as: Any
) -> None:
    participant = waiting_participant(world)
    token = link_create(purpose=LinkPurpose.PARTICIPANT_PAGE, participant=participant)
    url = reverse("participants:erase_request", kwargs={"token": token})
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    assert Notification.objects.filter(template="erasure_requested").count() == 2
    detail = client_as("coordinator_a").get(
        reverse("participants:detail", kwargs={"participant_id": participant.public_id})
    )
    assert detail.context["erasure_requested_at"] is not None
    dead = reverse("participants:erase_request", kwargs={"token": "x" * 43})
    assert client.post(dead).status_code == 404


def test_the_request_message_names_the_code_not_the_person(world: World) -> None:
    from django.core import mail

    from spejl.notifications.services import send_due

    participant = waiting_participant(world)
    erasure_request(participant=participant)
    send_due()
    bodies = [m.body for m in mail.outbox if world.coordinator_a.email in m.to]
    assert bodies and participant.code in bodies[-1]
    assert "Ingrid" not in bodies[-1]
    assert str(participant.public_id) in bodies[-1]


def test_an_export_being_built_when_the_person_is_erased_stays_cancelled(
    world: World, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from spejl.evaluation import exports
    from spejl.evaluation.export_data import Delivery

    _group, participant = _consenting_member(world)
    export = Export.objects.create(
        requested_by=world.evaluator,
        scope={"level": "national", "organisations": [], "group": None},
        options={},
        layout="long",
        format="csv",
    )

    def build_while_erased(*_args: Any, path: Any, **_kwargs: Any) -> Delivery:
        path.write_bytes(b"zip")
        with django_capture_on_commit_callbacks(execute=True):
            participant_erase(actor=_coordinator(world), participant=participant, reason="request")
        return Delivery(row_count=1, participant_count=1, file_name="x.zip", fields=())

    monkeypatch.setattr(exports, "build_delivery", build_while_erased)
    assert exports.export_build(export.pk) is None
    export.refresh_from_db()
    assert (export.status, export.error) == (JobStatus.FAILED, CANCELLED_BY_ERASURE)
    assert not (export_dir() / f"{export.public_id}.zip").exists()
