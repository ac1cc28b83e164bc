"""Text messages (SMS) through a pluggable backend, chosen by the setting ``SPEJL_SMS_BACKEND``.

Spejl ships no SMS provider. An operator plugs one in by subclassing :class:`BaseSmsBackend`
in their own module and pointing ``SPEJL_SMS_BACKEND`` (environment variable of the same name)
at it::

    class MyGatewayBackend(BaseSmsBackend):
        def send(self, to: str, body: str) -> str:
            response = post_to_gateway(to, body)      # the provider's HTTP API
            if not response.ok:
                raise SmsError(f"gateway answered {response.status_code}")
            return response.json()["message_id"]

Backends shipped here:

* :class:`FileSmsBackend` — development default: one file per message in ``var/sms/``.
* :class:`ConsoleSmsBackend` — prints to standard output with the number masked.
* :class:`LocmemSmsBackend` — tests: appends to :data:`outbox`.
* :class:`DisabledSmsBackend` — production default until a provider is configured: sends
  nothing, and the notification is recorded as skipped with "SMS is not configured".
"""

from __future__ import annotations

import os
import sys
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsError(Exception):
    """Sending failed. The message is retried later (up to three attempts in all).

    The text is stored on the notification for an operator: never put the phone number or the
    message text in it.
    """


class SmsNotConfigured(SmsError):
    """No SMS provider is configured: the notification is skipped, not retried."""


@dataclass(frozen=True)
class SmsMessage:
    """One text message as handed to a backend (kept by :class:`LocmemSmsBackend`)."""

    to: str
    body: str
    message_id: str
    sent_at: datetime = field(default_factory=timezone.now)


#: Messages "sent" through :class:`LocmemSmsBackend`, oldest first. Tests clear it.
outbox: list[SmsMessage] = []


def mask_phone(phone: str) -> str:
    """``"+45 12 34 56 78"`` → ``"+** ** ** ** 78"``: every digit but the last two hidden."""
    digits_seen = 0
    total_digits = sum(ch.isdigit() for ch in phone)
    masked = []
    for ch in phone:
        if ch.isdigit():
            digits_seen += 1
            masked.append(ch if digits_seen > total_digits - 2 else "*")
        else:
            masked.append(ch)
    return "".join(masked)


def _new_message_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


class BaseSmsBackend:
    """The interface every SMS backend implements.

    ``send`` delivers ``body`` to the phone number ``to`` (exactly as the person or the
    coordinator typed it, e.g. ``"12 34 56 78"`` or ``"+45 1234 5678"``: normalise it to the
    provider's format yourself) and returns the provider's message id. It raises
    :class:`SmsError` when the message was not accepted; any other exception is treated the same
    way. A backend is created for every message, so keep ``__init__`` cheap.
    """

    def send(self, to: str, body: str) -> str:
        raise NotImplementedError("SMS backends must implement send(to, body)")


class FileSmsBackend(BaseSmsBackend):
    """Development: writes each message to its own file under ``settings.VAR_DIR / "sms"``.

    The files hold the number and the text (like Django's file e-mail backend), so a developer
    can read exactly what a person would receive. Never use it in production.
    """

    def __init__(self) -> None:
        self.directory = settings.VAR_DIR / "sms"

    def send(self, to: str, body: str) -> str:
        message_id = _new_message_id("file")
        now = timezone.now()
        name = f"{now:%Y%m%d-%H%M%S}-{message_id}.txt"
        content = f"To: {to}\nDate: {now.isoformat()}\nMessage-ID: {message_id}\n\n{body}\n"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            # Readable by the owner only: the file holds a phone number.
            fd = os.open(self.directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(content)
        except OSError as exc:
            raise SmsError(f"could not write the message file ({exc.strerror})") from exc
        return message_id


class ConsoleSmsBackend(BaseSmsBackend):
    """Development: prints each message to standard output, the number masked but for its last
    two digits, so that a terminal or a log never shows a whole phone number."""

    def send(self, to: str, body: str) -> str:
        message_id = _new_message_id("console")
        # sys.stdout is looked up on each call so that redirected output (and tests) see it.
        sys.stdout.write(f"SMS {message_id} to {mask_phone(to)}\n{body}\n{'-' * 40}\n")
        sys.stdout.flush()
        return message_id


class LocmemSmsBackend(BaseSmsBackend):
    """Tests: keeps each message in the module-level :data:`outbox` list."""

    def send(self, to: str, body: str) -> str:
        message = SmsMessage(to=to, body=body, message_id=_new_message_id("locmem"))
        outbox.append(message)
        return message.message_id


class DisabledSmsBackend(BaseSmsBackend):
    """Production default until an operator configures a provider: sends nothing.

    The notification is recorded as skipped with the error "SMS is not configured", so that
    nothing is silently lost and the coordinator can reach the person another way.
    """

    def send(self, to: str, body: str) -> str:
        raise SmsNotConfigured("SMS is not configured")


def get_sms_backend() -> BaseSmsBackend:
    """A new instance of the backend named by ``settings.SPEJL_SMS_BACKEND`` (a dotted path)."""
    path = getattr(settings, "SPEJL_SMS_BACKEND", "spejl.notifications.sms.DisabledSmsBackend")
    try:
        backend_class = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"SPEJL_SMS_BACKEND {path!r} cannot be imported") from exc
    if not (isinstance(backend_class, type) and issubclass(backend_class, BaseSmsBackend)):
        raise ImproperlyConfigured(f"SPEJL_SMS_BACKEND {path!r} is not a BaseSmsBackend")
    backend: BaseSmsBackend = backend_class()
    return backend
