"""``manage.py send_notifications``: counts only, idempotent."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from spejl.notifications.models import NotificationStatus
from spejl.notifications.services import notification_queue
from spejl.notifications.tests import test_outbox  # noqa: F401  (registers test_ping)
from spejl.participants.models import Channel, Participant

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("send_notifications", *args, stdout=out)
    return out.getvalue()


def test_command_sends_due_messages_once_and_prints_only_counts(
    make_participant: Callable[..., Participant],
) -> None:
    participant = make_participant()
    notification = notification_queue(
        template="test_ping",
        channel=Channel.EMAIL,
        recipient_participant=participant,
        context={"word": "hello"},
        dedupe_key="cmd-1",
    )
    first = _run()
    second = _run()
    assert first.startswith("sent 1, skipped 0, retrying 0, failed 0, not_claimed 0")
    assert second.startswith("sent 0,")
    assert "maja" not in first.lower()
    assert "+45" not in first
    assert len(mail.outbox) == 1
    assert notification is not None
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT


def test_command_rejects_a_limit_below_one() -> None:
    with pytest.raises(CommandError):
        _run("--limit", "0")
