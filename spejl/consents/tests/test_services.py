"""Giving and withdrawing consent, the effects of a withdrawal, consent text versions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from spejl.access.actor import SYSTEM, Actor, NotFound, actor_for_user
from spejl.audit.models import AuditAction, AuditEvent
from spejl.conftest import World
from spejl.consents import services
from spejl.consents.models import (
    Consent,
    ConsentMethod,
    ConsentPurpose,
    ConsentText,
    ConsentTextStatus,
)
from spejl.consents.selectors import (
    consent_active,
    consents_for_participant,
    current_text,
    participants_with_consent,
    recent_withdrawals_for_actor,
)
from spejl.consents.services import (
    consent_give,
    consent_text_new_version,
    consent_text_publish,
    consent_text_update_draft,
    consent_withdraw,
)
from spejl.consents.tests.fixtures import make_text
from spejl.links.models import LinkPurpose, SecureLink
from spejl.links.services import link_create
from spejl.notifications.models import Notification, NotificationStatus
from spejl.participants.models import Participant

P = ConsentPurpose
M = ConsentMethod


def _actor(world: World, role: str) -> Actor:
    return actor_for_user(world.user(role))


def _notification(participant: Participant, template: str, **fields: Any) -> Notification:
    return Notification.objects.create(
        dedupe_key=f"{template}:{participant.public_id}:{Notification.objects.count()}",
        template=template,
        channel="email",
        recipient_participant=participant,
        organisation=participant.organisation,
        **fields,
    )


def _consent_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="consents.consent").order_by("pk"))


# --- Giving ----------------------------------------------------------------------------------


def test_participant_gives_consent_to_the_current_text_digitally_and_it_is_audited(
    world: World, participant: Participant, texts: dict[str, ConsentText]
) -> None:
    consent = consent_give(
        actor=None, participant=participant, purpose=P.EVALUATION, method=M.DIGITAL
    )
    assert consent.text == texts[P.EVALUATION]
    assert consent.recorded_by is None and consent.withdrawn_at is None
    assert timezone.now() - consent.given_at < timedelta(seconds=5)
    assert consent_active(participant=participant, purpose=P.EVALUATION)
    assert not consent_active(participant=participant, purpose=P.FOLLOW_UP)
    [event] = _consent_events()
    assert event.action == AuditAction.CREATE and event.actor is None
    assert event.object_id == str(consent.public_id)
    assert event.organisation == world.org_a
    assert event.fields == ["method", "purpose"]


def test_giving_twice_stores_one_consent_and_one_audit_event(
    world: World, participant: Participant
) -> None:
    coordinator = _actor(world, "coordinator_a")
    first = consent_give(
        actor=coordinator, participant=participant, purpose=P.PARTICIPATION, method=M.PAPER
    )
    again = consent_give(
        actor=None, participant=participant, purpose=P.PARTICIPATION, method=M.DIGITAL
    )
    assert again.pk == first.pk and again.method == M.PAPER
    assert Consent.objects.filter(participant=participant).count() == 1
    assert len(_consent_events()) == 1
    assert _consent_events()[0].actor == world.coordinator_a


def test_a_give_racing_another_returns_the_winners_consent(
    world: World, participant: Participant, monkeypatch: Any
) -> None:
    winner = consent_give(
        actor=None, participant=participant, purpose=P.FOLLOW_UP, method=M.DIGITAL
    )
    real_active = services._active
    calls: list[int] = []

    def not_seen_the_first_time(p: Participant, purpose: str) -> Consent | None:
        calls.append(1)
        return None if len(calls) == 1 else real_active(p, purpose)

    # The second request read "no active consent" just before the first one committed.
    monkeypatch.setattr(services, "_active", not_seen_the_first_time)
    loser = consent_give(actor=None, participant=participant, purpose=P.FOLLOW_UP, method=M.DIGITAL)
    assert loser.pk == winner.pk
    assert Consent.objects.filter(participant=participant).count() == 1
    assert len(_consent_events()) == 1


def test_coordinator_records_paper_consent_given_earlier(
    world: World, participant: Participant
) -> None:
    given_at = timezone.now() - timedelta(days=3)
    consent = consent_give(
        actor=_actor(world, "coordinator_a"),
        participant=participant,
        purpose=P.EVALUATION,
        method=M.PAPER,
        given_at=given_at,
    )
    assert consent.given_at == given_at
    assert consent.recorded_by == world.coordinator_a and consent.method == M.PAPER


def test_consent_cannot_be_given_in_the_future(world: World, participant: Participant) -> None:
    with pytest.raises(ValidationError) as raised:
        consent_give(
            actor=_actor(world, "coordinator_a"),
            participant=participant,
            purpose=P.EVALUATION,
            method=M.VERBAL,
            given_at=timezone.now() + timedelta(hours=2),
        )
    assert raised.value.code == "future"
    assert not Consent.objects.exists()


def test_consent_cannot_be_given_to_a_draft_or_another_purposes_text(
    world: World, participant: Participant, texts: dict[str, ConsentText]
) -> None:
    draft = make_text(purpose=P.EVALUATION)
    for text in (draft, texts[P.FOLLOW_UP]):
        with pytest.raises(ValidationError):
            consent_give(
                actor=None,
                participant=participant,
                purpose=P.EVALUATION,
                method=M.DIGITAL,
                text=text,
            )
    assert not Consent.objects.exists()


def test_without_a_published_text_consent_cannot_be_given(
    world: World, participant: Participant
) -> None:
    ConsentText.objects.filter(purpose=P.FOLLOW_UP).update(status=ConsentTextStatus.RETIRED)
    assert current_text(purpose=P.FOLLOW_UP) is None
    with pytest.raises(ValidationError) as raised:
        consent_give(actor=None, participant=participant, purpose=P.FOLLOW_UP, method=M.DIGITAL)
    assert raised.value.code == "no_text"


def test_staff_record_paper_or_verbal_and_participants_act_digitally(
    world: World, participant: Participant
) -> None:
    with pytest.raises(ValidationError):
        consent_give(
            actor=_actor(world, "coordinator_a"),
            participant=participant,
            purpose=P.EVALUATION,
            method=M.DIGITAL,
        )
    with pytest.raises(ValueError, match="digitally"):
        consent_give(actor=None, participant=participant, purpose=P.EVALUATION, method=M.PAPER)
    with pytest.raises(ValueError, match="purpose"):
        consent_give(actor=None, participant=participant, purpose="marketing", method=M.DIGITAL)
    assert not Consent.objects.exists()


@pytest.mark.parametrize("role", ["coordinator_b", "facilitator_a", "evaluator", "anonymous"])
def test_only_the_participants_coordinators_record_consent(
    world: World, participant: Participant, role: str
) -> None:
    actor = _actor(world, role)
    with pytest.raises(NotFound):
        consent_give(actor=actor, participant=participant, purpose=P.EVALUATION, method=M.PAPER)
    consent_give(actor=None, participant=participant, purpose=P.EVALUATION, method=M.DIGITAL)
    with pytest.raises(NotFound):
        consent_withdraw(
            actor=actor, participant=participant, purpose=P.EVALUATION, method=M.VERBAL
        )
    assert consent_active(participant=participant, purpose=P.EVALUATION)
    assert len(_consent_events()) == 1


def test_national_admin_and_the_system_may_record(world: World, participant: Participant) -> None:
    consent_give(
        actor=_actor(world, "national_admin"),
        participant=participant,
        purpose=P.EVALUATION,
        method=M.VERBAL,
    )
    consent_give(actor=SYSTEM, participant=participant, purpose=P.FOLLOW_UP, method=M.DIGITAL)
    assert Consent.objects.filter(participant=participant).count() == 2


# --- Withdrawing -----------------------------------------------------------------------------


def test_withdrawing_sets_withdrawn_at_and_is_audited(
    world: World, participant: Participant
) -> None:
    given = consent_give(actor=None, participant=participant, purpose=P.FOLLOW_UP, method=M.DIGITAL)
    withdrawn = consent_withdraw(
        actor=_actor(world, "coordinator_a2"),
        participant=participant,
        purpose=P.FOLLOW_UP,
        method=M.VERBAL,
    )
    assert withdrawn is not None and withdrawn.pk == given.pk
    given.refresh_from_db()
    assert given.withdrawn_at is not None and given.withdrawn_method == M.VERBAL
    assert not consent_active(participant=participant, purpose=P.FOLLOW_UP)
    _created, updated = _consent_events()
    assert updated.action == AuditAction.UPDATE and updated.actor == world.coordinator_a2
    assert updated.object_id == str(given.public_id) and updated.organisation == world.org_a
    assert updated.fields == ["method", "purpose"]


def test_withdrawing_twice_is_harmless(world: World, participant: Participant) -> None:
    consent_give(actor=None, participant=participant, purpose=P.EVALUATION, method=M.DIGITAL)
    first = consent_withdraw(
        actor=None, participant=participant, purpose=P.EVALUATION, method=M.DIGITAL
    )
    assert first is not None
    withdrawn_at = first.withdrawn_at
    assert (
        consent_withdraw(
            actor=None, participant=participant, purpose=P.EVALUATION, method=M.DIGITAL
        )
        is None
    )
    first.refresh_from_db()
    assert first.withdrawn_at == withdrawn_at
    assert len(_consent_events()) == 2  # given, withdrawn — nothing for the second withdrawal


def test_withdrawing_what_was_never_given_writes_nothing(participant: Participant) -> None:
    assert (
        consent_withdraw(
            actor=None, participant=participant, purpose=P.PARTICIPATION, method=M.DIGITAL
        )
        is None
    )
    assert not Consent.objects.exists() and not _consent_events()


def test_consent_given_again_after_withdrawal_is_a_new_row(participant: Participant) -> None:
    first = consent_give(
        actor=None, participant=participant, purpose=P.EVALUATION, method=M.DIGITAL
    )
    consent_withdraw(actor=None, participant=participant, purpose=P.EVALUATION, method=M.DIGITAL)
    second = consent_give(
        actor=None, participant=participant, purpose=P.EVALUATION, method=M.DIGITAL
    )
    assert second.pk != first.pk
    row = {r.purpose: r for r in consents_for_participant(participant=participant)}[P.EVALUATION]
    assert row.active == second
    assert [c.pk for c in row.history] == [second.pk, first.pk]


def test_withdrawing_evaluation_revokes_questionnaire_links_and_skips_pending_questionnaires(
    participant: Participant, make_participant: Callable[..., Participant]
) -> None:
    other = make_participant()
    consent_give(actor=None, participant=participant, purpose=P.EVALUATION, method=M.DIGITAL)
    link_create(purpose=LinkPurpose.QUESTIONNAIRE, participant=participant)
    link_create(purpose=LinkPurpose.QUESTIONNAIRE, participant=participant)
    link_create(purpose=LinkPurpose.PARTICIPANT_PAGE, participant=participant)
    link_create(purpose=LinkPurpose.QUESTIONNAIRE, participant=other)
    invite = _notification(participant, "questionnaire_invitation")
    retrying = _notification(participant, "questionnaire_reminder", error="timeout")
    sent = _notification(participant, "questionnaire_reminder", status=NotificationStatus.SENT)
    moved = _notification(participant, "meeting_moved")
    follow_up = _notification(participant, "follow_up_call")
    others = _notification(other, "questionnaire_invitation")

    consent_withdraw(actor=None, participant=participant, purpose=P.EVALUATION, method=M.DIGITAL)

    links = SecureLink.objects.filter(participant=participant)
    assert all(
        link.revoked_at is not None for link in links.filter(purpose=LinkPurpose.QUESTIONNAIRE)
    )
    assert links.get(purpose=LinkPurpose.PARTICIPANT_PAGE).revoked_at is None
    assert SecureLink.objects.get(participant=other).revoked_at is None
    for skipped in (invite, retrying):
        skipped.refresh_from_db()
        assert skipped.status == NotificationStatus.SKIPPED
        assert skipped.error == "consent withdrawn"
    for untouched, status in (
        (sent, NotificationStatus.SENT),
        (moved, NotificationStatus.PENDING),
        (follow_up, NotificationStatus.PENDING),
        (others, NotificationStatus.PENDING),
    ):
        untouched.refresh_from_db()
        assert untouched.status == status, untouched.template


def test_withdrawing_follow_up_skips_pending_follow_up_messages_only(
    participant: Participant,
) -> None:
    consent_give(actor=None, participant=participant, purpose=P.FOLLOW_UP, method=M.DIGITAL)
    link_create(purpose=LinkPurpose.QUESTIONNAIRE, participant=participant)
    follow_up = _notification(participant, "follow_up_three_months")
    questionnaire = _notification(participant, "questionnaire_invitation")
    consent_withdraw(actor=None, participant=participant, purpose=P.FOLLOW_UP, method=M.DIGITAL)
    follow_up.refresh_from_db()
    questionnaire.refresh_from_db()
    assert follow_up.status == NotificationStatus.SKIPPED
    assert follow_up.error == "consent withdrawn"
    assert questionnaire.status == NotificationStatus.PENDING
    assert SecureLink.objects.get(participant=participant).revoked_at is None


def test_withdrawing_participation_only_records_and_tells_the_coordinators(
    world: World, participant: Participant, make_participant: Callable[..., Participant]
) -> None:
    consent_give(actor=None, participant=participant, purpose=P.PARTICIPATION, method=M.DIGITAL)
    link_create(purpose=LinkPurpose.QUESTIONNAIRE, participant=participant)
    pending = _notification(participant, "questionnaire_invitation")
    in_b = make_participant(organisation=world.org_b)
    consent_give(actor=None, participant=in_b, purpose=P.PARTICIPATION, method=M.DIGITAL)
    consent_withdraw(actor=None, participant=in_b, purpose=P.PARTICIPATION, method=M.DIGITAL)

    withdrawn = consent_withdraw(
        actor=None, participant=participant, purpose=P.PARTICIPATION, method=M.DIGITAL
    )

    pending.refresh_from_db()
    assert pending.status == NotificationStatus.PENDING
    assert SecureLink.objects.get(participant=participant).revoked_at is None
    assert recent_withdrawals_for_actor(_actor(world, "coordinator_a")) == [withdrawn]
    assert [
        c.participant for c in recent_withdrawals_for_actor(_actor(world, "coordinator_b"))
    ] == [in_b]
    assert len(recent_withdrawals_for_actor(actor=_actor(world, "national_admin"))) == 2
    assert recent_withdrawals_for_actor(_actor(world, "facilitator_a")) == []
    assert recent_withdrawals_for_actor(_actor(world, "evaluator")) == []


def test_recent_withdrawals_leave_out_older_ones(world: World, participant: Participant) -> None:
    consent_give(actor=None, participant=participant, purpose=P.FOLLOW_UP, method=M.DIGITAL)
    consent_withdraw(actor=None, participant=participant, purpose=P.FOLLOW_UP, method=M.DIGITAL)
    Consent.objects.update(withdrawn_at=timezone.now() - timedelta(days=31))
    coordinator = _actor(world, "coordinator_a")
    assert recent_withdrawals_for_actor(coordinator) == []
    assert len(recent_withdrawals_for_actor(coordinator, days=40)) == 1


# --- Selectors -------------------------------------------------------------------------------


def test_participants_with_consent_excludes_withdrawn_and_filters_by_organisation(
    world: World, participant: Participant, make_participant: Callable[..., Participant]
) -> None:
    withdrawn = make_participant(first_name="Ib")
    never = make_participant(first_name="Liv")
    in_b = make_participant(organisation=world.org_b, first_name="Ole")
    again = make_participant(first_name="Åse")
    for p in (participant, withdrawn, in_b, again):
        consent_give(actor=None, participant=p, purpose=P.EVALUATION, method=M.DIGITAL)
    consent_give(actor=None, participant=never, purpose=P.FOLLOW_UP, method=M.DIGITAL)
    for p in (withdrawn, again):
        consent_withdraw(actor=None, participant=p, purpose=P.EVALUATION, method=M.DIGITAL)
    consent_give(actor=None, participant=again, purpose=P.EVALUATION, method=M.DIGITAL)

    everyone = participants_with_consent(purpose=P.EVALUATION)
    assert set(everyone) == {participant, in_b, again}
    assert everyone.count() == 3
    assert set(participants_with_consent(purpose=P.EVALUATION, organisation=world.org_a)) == {
        participant,
        again,
    }
    assert set(participants_with_consent(purpose=P.FOLLOW_UP)) == {never}


def test_consents_for_participant_has_one_row_per_purpose_in_two_queries(
    participant: Participant,
    texts: dict[str, ConsentText],
    django_assert_num_queries: Any,
) -> None:
    consent_give(actor=None, participant=participant, purpose=P.EVALUATION, method=M.DIGITAL)
    consent_give(actor=None, participant=participant, purpose=P.FOLLOW_UP, method=M.DIGITAL)
    consent_withdraw(actor=None, participant=participant, purpose=P.FOLLOW_UP, method=M.DIGITAL)
    with django_assert_num_queries(2):
        rows = consents_for_participant(participant=participant)
        [row.active.text.version for row in rows if row.active]  # text loaded with the consent
    assert [r.purpose for r in rows] == [P.PARTICIPATION, P.EVALUATION, P.FOLLOW_UP]
    participation, evaluation, follow_up = rows
    assert participation.active is None and participation.history == []
    assert participation.last_withdrawn is None
    assert evaluation.active is not None and evaluation.text == texts[P.EVALUATION]
    assert not evaluation.newer_text
    assert follow_up.active is None and follow_up.last_withdrawn == follow_up.history[0]


def test_a_consent_stands_when_a_new_version_is_published(
    world: World, participant: Participant, texts: dict[str, ConsentText]
) -> None:
    consent = consent_give(
        actor=None, participant=participant, purpose=P.EVALUATION, method=M.DIGITAL
    )
    admin = _actor(world, "national_admin")
    v2 = consent_text_publish(
        actor=admin, text=consent_text_new_version(actor=admin, text=texts[P.EVALUATION])
    )
    row = consents_for_participant(participant=participant)[1]
    assert row.active == consent and row.text == v2 and row.newer_text
    assert consent_active(participant=participant, purpose=P.EVALUATION)


# --- Consent text versions -------------------------------------------------------------------


def test_new_version_is_a_draft_copy_and_only_one_draft_at_a_time(
    world: World, texts: dict[str, ConsentText]
) -> None:
    admin = _actor(world, "national_admin")
    v1 = texts[P.PARTICIPATION]
    draft = consent_text_new_version(actor=admin, text=v1)
    assert (draft.version, draft.status) == (2, ConsentTextStatus.DRAFT)
    assert (draft.title_da, draft.body_en) == (v1.title_da, v1.body_en)
    with pytest.raises(ValidationError) as raised:
        consent_text_new_version(actor=admin, text=v1)
    assert raised.value.code == "draft_exists"
    with pytest.raises(ValidationError) as raised:
        consent_text_new_version(actor=admin, text=draft)
    assert raised.value.code == "is_draft"
    assert ConsentText.objects.filter(purpose=P.PARTICIPATION).count() == 2


def test_published_texts_never_change(world: World, texts: dict[str, ConsentText]) -> None:
    admin = _actor(world, "national_admin")
    v1 = texts[P.EVALUATION]
    with pytest.raises(ValidationError) as raised, translation.override("en"):
        consent_text_update_draft(
            actor=admin, text=v1, title_da="Ny", title_en="New", body_da="Ny", body_en="New"
        )
    assert raised.value.code == "immutable"
    assert "can never be changed" in raised.value.messages[0]
    v1.refresh_from_db()
    assert v1.title_en != "New"
    with pytest.raises(ValidationError) as raised, translation.override("en"):
        consent_text_publish(actor=admin, text=v1)
    assert raised.value.messages == ["This version has already been published."]


def test_publishing_a_draft_supersedes_the_previous_version(
    world: World, texts: dict[str, ConsentText]
) -> None:
    admin = _actor(world, "national_admin")
    draft = consent_text_new_version(actor=admin, text=texts[P.FOLLOW_UP])
    consent_text_update_draft(
        actor=admin,
        text=draft,
        title_da=" Kontakt efter forløbet ",
        title_en="Contact after the course",
        body_da="Første afsnit.\r\n\r\n\r\nAndet afsnit.",
        body_en="First paragraph.\n\nSecond paragraph.",
    )
    published = consent_text_publish(actor=admin, text=draft)
    assert published.status == ConsentTextStatus.PUBLISHED
    assert published.published_by == world.national_admin and published.published_at
    assert published.title_da == "Kontakt efter forløbet"
    assert published.body_da == "Første afsnit.\n\nAndet afsnit."
    assert len(published.content_hash) == 64
    texts[P.FOLLOW_UP].refresh_from_db()
    assert texts[P.FOLLOW_UP].status == ConsentTextStatus.RETIRED
    assert current_text(purpose=P.FOLLOW_UP) == published


def test_a_draft_overtaken_by_a_newer_published_version_cannot_be_published(
    world: World, texts: dict[str, ConsentText]
) -> None:
    admin = _actor(world, "national_admin")
    draft = make_text(purpose=P.EVALUATION, version=2)
    make_text(purpose=P.EVALUATION, version=3, status=ConsentTextStatus.PUBLISHED)
    with pytest.raises(ValidationError) as raised, translation.override("en"):
        consent_text_publish(actor=admin, text=draft)
    assert "A newer version (3)" in raised.value.messages[0]


@pytest.mark.parametrize("role", ["coordinator_a", "facilitator_a", "evaluator"])
def test_only_national_admins_manage_texts(
    world: World, texts: dict[str, ConsentText], role: str
) -> None:
    actor = _actor(world, role)
    with pytest.raises(PermissionDenied):
        consent_text_new_version(actor=actor, text=texts[P.EVALUATION])
    draft = make_text(purpose=P.EVALUATION)
    with pytest.raises(NotFound):
        consent_text_publish(actor=actor, text=draft)
    with pytest.raises(NotFound):
        consent_text_update_draft(
            actor=actor, text=draft, title_da="x", title_en="x", body_da="x", body_en="x"
        )
    draft.refresh_from_db()
    assert draft.status == ConsentTextStatus.DRAFT and draft.title_en != "x"
