"""The outbox: queueing once, sending once, addresses at send time, language, retries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.db.models.query import QuerySet
from django.utils import timezone

from spejl.conftest import World
from spejl.facilitators.models import FacilitatorProfile
from spejl.notifications import services
from spejl.notifications.models import Notification, NotificationStatus
from spejl.notifications.services import (
    MAX_ATTEMPTS,
    NotificationObsolete,
    notification_queue,
    notification_send,
    register_context_builder,
    send_due,
)
from spejl.notifications.sms import BaseSmsBackend, SmsError, SmsMessage
from spejl.organisations.models import Organisation
from spejl.participants.models import Channel, Contact, Participant

pytestmark = pytest.mark.django_db

MakeParticipant = Callable[..., Participant]


def _ping_context(notification: Notification) -> dict[str, Any]:
    context = notification.context
    if context.get("obsolete"):
        raise NotificationObsolete
    if "organisation" in context:
        # Lets a test make "the thing it is about" disappear: DoesNotExist escapes.
        Organisation.objects.get(slug=context["organisation"])
    return {"word": context.get("word", "hello")}


register_context_builder("test_ping", _ping_context)


def _queue(
    participant: Participant | None = None,
    *,
    key: str = "ping-1",
    channel: str = Channel.EMAIL,
    **kwargs: Any,
) -> Notification | None:
    kwargs.setdefault("context", {"word": "hello"})
    if participant is not None:
        kwargs["recipient_participant"] = participant
    return notification_queue(template="test_ping", channel=channel, dedupe_key=key, **kwargs)


def _status(notification: Notification | None) -> str:
    assert notification is not None
    notification.refresh_from_db()
    return notification.status


class FlakySmsBackend(BaseSmsBackend):
    """Fails the first ``failures`` sends (naming the number, as a careless gateway would)."""

    failures = 1
    sent: list[SmsMessage] = []

    def send(self, to: str, body: str) -> str:
        if FlakySmsBackend.failures > 0:
            FlakySmsBackend.failures -= 1
            raise SmsError(f"gateway rejected {to}: try again")
        FlakySmsBackend.sent.append(SmsMessage(to=to, body=body, message_id="flaky-1"))
        return "flaky-1"


@pytest.fixture
def flaky_sms(settings: Any) -> type[FlakySmsBackend]:
    settings.SPEJL_SMS_BACKEND = f"{__name__}.FlakySmsBackend"
    FlakySmsBackend.failures = 1
    FlakySmsBackend.sent = []
    return FlakySmsBackend


# --- Queueing ------------------------------------------------------------------------------


def test_same_dedupe_key_twice_creates_one_row(make_participant: MakeParticipant) -> None:
    participant = make_participant()
    first = _queue(participant)
    second = _queue(participant)
    assert first is not None
    assert first.status == NotificationStatus.PENDING
    assert first.organisation_id == participant.organisation_id
    assert second is None
    assert Notification.objects.filter(dedupe_key="ping-1").count() == 1


def test_concurrent_queue_that_loses_the_insert_race_returns_none(
    make_participant: MakeParticipant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Simulate the race: the other call inserted the row after this call looked for it.
    participant = make_participant()
    assert _queue(participant) is not None
    real_get = QuerySet.get
    missed: list[bool] = []

    def get_missing_once(self: QuerySet[Any], *args: Any, **kwargs: Any) -> Any:
        if self.model is Notification and not missed:
            missed.append(True)
            raise Notification.DoesNotExist
        return real_get(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "get", get_missing_once)
    assert _queue(participant) is None
    assert missed == [True]
    assert Notification.objects.count() == 1


def test_queue_rejects_personal_or_unknown_input(make_participant: MakeParticipant) -> None:
    participant = make_participant()
    with pytest.raises(ValueError, match="not registered"):
        notification_queue(
            template="no_such_template",
            channel=Channel.EMAIL,
            recipient_participant=participant,
            context={},
            dedupe_key="x",
        )
    with pytest.raises(ValueError, match="exactly one"):
        _queue(None)
    with pytest.raises(ValueError, match="channel"):
        _queue(participant, channel="fax")
    with pytest.raises(ValueError, match="JSON"):
        _queue(participant, context={"participant": participant})
    assert not Notification.objects.exists()


def test_queue_sends_after_commit_through_the_task(
    make_participant: MakeParticipant,
    django_capture_on_commit_callbacks: Any,
) -> None:
    participant = make_participant()
    Organisation.objects.filter(pk=participant.organisation_id).update(
        contact_email="kontakt@aarhus.example"
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = _queue(participant, context={"word": "Anne's"})
        assert mail.outbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    assert _status(notification) == NotificationStatus.SENT
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["maja@example.org"]
    # Plain text: no HTML escaping of the apostrophe; subject folded onto one line.
    assert message.subject == "Ping Anne's (da)"
    assert message.reply_to == ["kontakt@aarhus.example"]
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert notification is not None
    assert notification.provider_message_id == message.extra_headers["Message-ID"]
    assert notification.sent_at is not None
    assert notification.attempts == 1


def test_rolled_back_queue_sends_nothing(
    make_participant: MakeParticipant, django_capture_on_commit_callbacks: Any
) -> None:
    participant = make_participant()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _queue(participant)
        raise RuntimeError("the calling service failed")
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


# --- Sending once ----------------------------------------------------------------------------


def test_sent_notification_is_not_sent_again(make_participant: MakeParticipant) -> None:
    notification = _queue(make_participant())
    assert send_due()["sent"] == 1
    assert send_due()["sent"] == 0
    assert notification is not None
    assert notification_send(notification_id=notification.pk) is None
    assert len(mail.outbox) == 1
    assert _status(notification) == NotificationStatus.SENT


def test_row_claimed_by_another_sender_is_left_alone(make_participant: MakeParticipant) -> None:
    notification = _queue(make_participant())
    assert notification is not None
    # Another sender claims it between our listing and our send.
    claimed = Notification.objects.filter(
        pk=notification.pk, status=NotificationStatus.PENDING
    ).update(status=NotificationStatus.SENDING, claimed_at=timezone.now())
    assert claimed == 1
    counts = send_due()
    assert counts["sent"] == 0
    assert notification_send(notification_id=notification.pk) is None
    assert mail.outbox == []
    assert _status(notification) == NotificationStatus.SENDING


def test_send_due_sends_oldest_first_up_to_the_limit(make_participant: MakeParticipant) -> None:
    participant = make_participant()
    first = _queue(participant, key="a")
    second = _queue(participant, key="b", context={"word": "second"})
    assert first is not None and second is not None
    Notification.objects.filter(pk=second.pk).update(
        created_at=first.created_at - timedelta(seconds=1)
    )
    assert send_due(limit=1)["sent"] == 1
    assert [m.subject for m in mail.outbox] == ["Ping second (da)"]
    assert _status(first) == NotificationStatus.PENDING


def test_stuck_sending_row_is_taken_back_and_sent(make_participant: MakeParticipant) -> None:
    notification = _queue(make_participant())
    assert notification is not None
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.SENDING,
        attempts=1,
        claimed_at=timezone.now() - timedelta(minutes=16),
    )
    counts = send_due()
    assert counts["reclaimed"] == 1
    assert counts["sent"] == 1
    assert _status(notification) == NotificationStatus.SENT
    assert notification.attempts == 2


def test_recently_claimed_row_is_not_taken_back(make_participant: MakeParticipant) -> None:
    notification = _queue(make_participant())
    assert notification is not None
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.SENDING, claimed_at=timezone.now() - timedelta(minutes=5)
    )
    assert send_due()["reclaimed"] == 0
    assert _status(notification) == NotificationStatus.SENDING


# --- Address at send time ----------------------------------------------------------------


def test_deleted_contact_is_skipped_and_nothing_sent(
    make_participant: MakeParticipant, sms_outbox: list[SmsMessage]
) -> None:
    participant = make_participant()
    email = _queue(participant, key="e")
    sms = _queue(participant, key="s", channel=Channel.SMS)
    Contact.objects.filter(participant=participant).delete()
    counts = send_due()
    assert counts["skipped"] == 2
    assert mail.outbox == []
    assert sms_outbox == []
    assert _status(email) == NotificationStatus.SKIPPED
    assert _status(sms) == NotificationStatus.SKIPPED
    assert email is not None
    assert email.error == "The participant has no contact data"


def test_address_changed_after_queueing_uses_the_new_one(
    make_participant: MakeParticipant,
) -> None:
    participant = make_participant()
    _queue(participant)
    Contact.objects.filter(participant=participant).update(email="maja.new@example.org")
    send_due()
    assert mail.outbox[0].to == ["maja.new@example.org"]


def test_sms_without_phone_number_is_skipped(
    make_participant: MakeParticipant, sms_outbox: list[SmsMessage]
) -> None:
    notification = _queue(make_participant(phone=""), channel=Channel.SMS)
    assert send_due()["skipped"] == 1
    assert sms_outbox == []
    assert notification is not None
    assert _status(notification) == NotificationStatus.SKIPPED
    assert notification.error == "The participant has no phone number"


def test_sms_to_participant_goes_to_contact_phone(
    make_participant: MakeParticipant, sms_outbox: list[SmsMessage]
) -> None:
    notification = _queue(make_participant(language="en"), channel=Channel.SMS)
    send_due()
    assert [(m.to, m.body) for m in sms_outbox] == [("+45 12 34 56 78", "Ping hello lang=en")]
    assert mail.outbox == []
    assert notification is not None
    _status(notification)
    assert notification.provider_message_id == sms_outbox[0].message_id


def test_sms_to_user_uses_facilitator_profile_phone(
    world: World, sms_outbox: list[SmsMessage]
) -> None:
    with_phone = _queue(key="u1", channel=Channel.SMS, recipient_user=world.facilitator_a)
    FacilitatorProfile.objects.create(user=world.facilitator_a, phone="20 30 40 50")
    without_profile = _queue(key="u2", channel=Channel.SMS, recipient_user=world.coordinator_a)
    send_due()
    assert [m.to for m in sms_outbox] == ["20 30 40 50"]
    assert _status(with_phone) == NotificationStatus.SENT
    assert _status(without_profile) == NotificationStatus.SKIPPED


def test_email_to_user_goes_to_account_address_unless_inactive(world: World) -> None:
    active = _queue(key="u1", recipient_user=world.coordinator_a, organisation=world.org_a)
    inactive = _queue(key="u2", recipient_user=world.coordinator_b)
    world.coordinator_b.is_active = False
    world.coordinator_b.save()
    send_due()
    assert [m.to for m in mail.outbox] == [["coord.a@example.org"]]
    assert _status(active) == NotificationStatus.SENT
    assert _status(inactive) == NotificationStatus.SKIPPED


def test_disabled_sms_backend_records_skipped(
    make_participant: MakeParticipant, settings: Any
) -> None:
    settings.SPEJL_SMS_BACKEND = "spejl.notifications.sms.DisabledSmsBackend"
    notification = _queue(make_participant(), channel=Channel.SMS)
    assert send_due()["skipped"] == 1
    assert _status(notification) == NotificationStatus.SKIPPED
    assert notification is not None
    assert notification.error == "SMS is not configured"


def test_message_about_something_gone_is_skipped(make_participant: MakeParticipant) -> None:
    participant = make_participant()
    gone = _queue(participant, key="gone", context={"organisation": "no-such-organisation"})
    obsolete = _queue(participant, key="obsolete", context={"obsolete": True})
    assert send_due()["skipped"] == 2
    assert mail.outbox == []
    assert _status(gone) == NotificationStatus.SKIPPED
    assert _status(obsolete) == NotificationStatus.SKIPPED


# --- Language --------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "expected"), [("da", "da"), ("en", "en"), ("xx", "da")])
def test_message_is_rendered_in_the_participants_language(
    make_participant: MakeParticipant, language: str, expected: str
) -> None:
    _queue(make_participant(language=language))
    send_due()
    message = mail.outbox[0]
    assert message.subject == f"Ping hello ({expected})"
    assert message.body.startswith(f"lang={expected}\n")
    # An existing translation: the Danish catalogue has "English" → "Engelsk".
    assert ("Engelsk" if expected == "da" else "English") in message.body


def test_message_to_staff_is_rendered_in_danish(world: World) -> None:
    _queue(recipient_user=world.coordinator_a)
    send_due()
    assert mail.outbox[0].subject == "Ping hello (da)"


# --- Failures and retries ------------------------------------------------------------------


def test_failed_send_is_retried_later_and_then_sent(
    make_participant: MakeParticipant, flaky_sms: type[FlakySmsBackend]
) -> None:
    notification = _queue(make_participant(), channel=Channel.SMS)
    assert notification is not None
    assert send_due()["retrying"] == 1
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert notification.attempts == 1
    assert notification.retry_after is not None
    assert notification.retry_after > timezone.now()
    # The stored error names the problem, never the number.
    assert notification.error.startswith("SmsError: gateway rejected")
    assert "12 34" not in notification.error
    assert "[address]" in notification.error

    assert send_due()["sent"] == 0  # not yet due
    Notification.objects.filter(pk=notification.pk).update(
        retry_after=timezone.now() - timedelta(seconds=1)
    )
    assert send_due()["sent"] == 1
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert notification.attempts == 2
    assert notification.error == ""
    assert [m.to for m in flaky_sms.sent] == ["+45 12 34 56 78"]


def test_third_failure_leaves_the_notification_failed(
    make_participant: MakeParticipant, flaky_sms: type[FlakySmsBackend]
) -> None:
    flaky_sms.failures = 10
    notification = _queue(make_participant(), channel=Channel.SMS)
    assert notification is not None
    outcomes = []
    for _ in range(MAX_ATTEMPTS):
        Notification.objects.filter(pk=notification.pk).update(retry_after=None)
        outcomes.append(notification_send(notification_id=notification.pk))
    assert outcomes == [
        NotificationStatus.PENDING,
        NotificationStatus.PENDING,
        NotificationStatus.FAILED,
    ]
    notification.refresh_from_db()
    assert notification.attempts == MAX_ATTEMPTS
    assert send_due()["sent"] == 0
    assert flaky_sms.sent == []


def test_broken_mailer_records_a_short_error_without_the_address(
    make_participant: MakeParticipant, monkeypatch: pytest.MonkeyPatch
) -> None:
    notification = _queue(make_participant())

    def refuse(*args: Any, **kwargs: Any) -> str:
        raise OSError("550 mailbox maja@example.org unavailable")

    monkeypatch.setattr(services, "_deliver", refuse)
    assert send_due()["retrying"] == 1
    assert _status(notification) == NotificationStatus.PENDING
    assert notification is not None
    assert "maja@example.org" not in notification.error
    assert notification.error == "OSError: 550 mailbox [address] unavailable"
