"""Delivery receipts and bounces: the webhook and the command record them on the message."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from spejl.notifications.models import Notification, NotificationStatus
from spejl.notifications.services import notification_queue, send_due
from spejl.notifications.sms import SmsMessage
from spejl.participants.models import Channel, Participant

pytestmark = pytest.mark.django_db

SECRET = "a-long-shared-secret-for-tests"


@pytest.fixture
def sent_sms(make_participant: Callable[..., Participant]) -> Notification:
    from spejl.notifications.tests.test_outbox import _ping_context  # noqa: F401 (registers)

    notification = notification_queue(
        template="test_ping",
        channel=Channel.SMS,
        recipient_participant=make_participant(),
        context={"word": "hi"},
        dedupe_key="delivery-1",
    )
    assert notification is not None
    send_due()
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    return notification


def post(client: Client, body: object, secret: str | None = SECRET) -> Any:
    headers = {"X-Spejl-Webhook-Secret": secret} if secret is not None else {}
    return client.post(
        reverse("notifications:delivery_receipt"),
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def test_the_webhook_is_off_without_a_secret(sent_sms: Notification, settings: Any) -> None:
    settings.SPEJL_DELIVERY_WEBHOOK_SECRET = ""
    response = post(Client(), {"message_id": sent_sms.provider_message_id, "status": "bounced"})
    assert response.status_code == 404
    sent_sms.refresh_from_db()
    assert sent_sms.delivery == ""


def test_a_wrong_secret_is_refused_and_changes_nothing(
    sent_sms: Notification, settings: Any
) -> None:
    settings.SPEJL_DELIVERY_WEBHOOK_SECRET = SECRET
    body = {"message_id": sent_sms.provider_message_id, "status": "bounced"}
    assert post(Client(), body, secret="guess").status_code == 403
    assert post(Client(), body, secret=None).status_code == 403
    sent_sms.refresh_from_db()
    assert sent_sms.delivery == ""


def test_a_bounce_is_recorded_without_the_number(
    sent_sms: Notification, settings: Any, sms_outbox: list[SmsMessage]
) -> None:
    settings.SPEJL_DELIVERY_WEBHOOK_SECRET = SECRET
    response = post(
        Client(),
        {
            "message_id": sent_sms.provider_message_id,
            "status": "bounced",
            "detail": "Number +45 12 34 56 78 not in service",
        },
    )
    assert response.status_code == 200
    assert response.json() == {"recorded": True}
    sent_sms.refresh_from_db()
    assert sent_sms.delivery == "bounced"
    assert "12 34" not in sent_sms.delivery_detail
    assert "[number]" in sent_sms.delivery_detail


@pytest.mark.parametrize(
    "body",
    [{"status": "bounced"}, {"message_id": "x", "status": "exploded"}, "not an object"],
)
def test_bad_reports_are_refused(sent_sms: Notification, settings: Any, body: object) -> None:
    settings.SPEJL_DELIVERY_WEBHOOK_SECRET = SECRET
    assert post(Client(), body).status_code == 400
    sent_sms.refresh_from_db()
    assert sent_sms.delivery == ""


def test_an_unknown_message_id_is_not_found(sent_sms: Notification, settings: Any) -> None:
    settings.SPEJL_DELIVERY_WEBHOOK_SECRET = SECRET
    assert post(Client(), {"message_id": "nope", "status": "delivered"}).status_code == 404


def test_the_command_records_an_e_mail_bounce(
    make_participant: Callable[..., Participant],
) -> None:
    from spejl.notifications.tests.test_outbox import _ping_context  # noqa: F401 (registers)

    notification = notification_queue(
        template="test_ping",
        channel=Channel.EMAIL,
        recipient_participant=make_participant(),
        context={"word": "hi"},
        dedupe_key="delivery-2",
    )
    assert notification is not None
    send_due()
    notification.refresh_from_db()
    call_command("record_delivery", notification.provider_message_id, "--bounced")
    notification.refresh_from_db()
    assert notification.delivery == "bounced"
    with pytest.raises(CommandError):
        call_command("record_delivery", "<unknown@spejl>", "--delivered")
