"""Background tasks of the outbox (Django tasks, database backend: ``manage.py db_worker``)."""

from __future__ import annotations

from django.tasks import task

from spejl.notifications.services import notification_send


@task()
def send_notification_task(notification_id: int) -> str | None:
    """Send one queued notification. Enqueued by ``notification_queue`` after commit.

    Running it twice, or alongside ``send_notifications``, sends the message once: the send
    claims the row first. Returns the outcome (``"sent"``, ``"skipped"``, ``"pending"`` for a
    retry later, ``"failed"``) or ``None`` when another sender had it. No personal data in the
    arguments or the result.
    """
    outcome = notification_send(notification_id=notification_id)
    return None if outcome is None else str(outcome.value)
