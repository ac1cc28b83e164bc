"""Test helpers for code that queues notifications. Use them from a pytest fixture::

    @pytest.fixture(autouse=True)
    def _notifications(settings):
        use_locmem_sms(settings)      # SMS land in spejl.notifications.sms.outbox
        use_immediate_tasks(settings) # enqueued tasks run at once, in the test's process

E-mails land in ``django.core.mail.outbox`` (pytest-django's locmem mailer). Note that pytest's
``db`` tests run inside a transaction that never commits, so ``on_commit`` callbacks (which
enqueue the send) only run inside ``django_capture_on_commit_callbacks(execute=True)``; or call
``send_due()`` directly.
"""

from __future__ import annotations

from typing import Any

from spejl.notifications import sms

LOCMEM_SMS_BACKEND = "spejl.notifications.sms.LocmemSmsBackend"
IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def use_locmem_sms(settings: Any) -> list[sms.SmsMessage]:
    """Route SMS to the in-memory outbox (emptied now) and return it. ``settings`` is
    pytest-django's ``settings`` fixture, which restores the setting after the test."""
    settings.SPEJL_SMS_BACKEND = LOCMEM_SMS_BACKEND
    sms.outbox.clear()
    return sms.outbox


def use_immediate_tasks(settings: Any) -> None:
    """Run Django tasks as soon as they are enqueued (Django's ``ImmediateBackend``)."""
    settings.TASKS = IMMEDIATE_TASKS
