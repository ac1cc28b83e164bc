"""The notifications outbox: queue a message now, send it after the transaction commits.

How a feature sends a message (see ``docs/notifications.md``):

1. Register the template code once, in your app's ``notices.py`` (Spejl imports every app's
   ``notices`` module at start-up)::

       register_context_builder("meeting_moved", meeting_context)

   ``meeting_context(notification) -> dict`` loads the objects named by the ids in
   ``notification.context`` and returns the template context. It runs at send time, so it
   sees the data as they are then; if what the message is about no longer exists it may simply
   let ``DoesNotExist`` escape (or raise :class:`NotificationObsolete`): the message is skipped.

2. Write plain-text Django templates (no HTML escaping is applied) in any app's templates
   folder: ``notifications/<code>.subject.txt`` and ``notifications/<code>.body.txt`` for
   e-mail, ``notifications/<code>.sms.txt`` for SMS. They render in the recipient's language.

3. In your service, inside its transaction, call :func:`notification_queue` with a
   ``dedupe_key`` that names this message uniquely (e.g. template, object, version, recipient).
   Queueing the same key again does nothing, so retries and double submits send one message.

After commit a background task sends it; ``manage.py send_notifications`` (cron, every five
minutes) sends whatever is still due and retries failures. A notification row never holds an
address or the text: the address is looked up when sending, so erased contact data are never
used and the outbox is no second copy of personal data.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import EmailMessage, mailers, make_msgid
from django.db import transaction
from django.db.models import F, Q
from django.template import Context, Engine
from django.utils import timezone, translation

from spejl.accounts.models import User
from spejl.enquiries.models import Enquiry
from spejl.facilitators.models import FacilitatorProfile
from spejl.notifications.models import DeliveryOutcome, Notification, NotificationStatus
from spejl.notifications.sms import SmsNotConfigured, get_sms_backend
from spejl.organisations.models import Organisation
from spejl.participants.models import Channel, Contact, Participant

logger = logging.getLogger(__name__)

#: Attempts in all (the first try included) before a message is left FAILED.
MAX_ATTEMPTS = 3
#: How long a failed message waits before attempt 2 and attempt 3.
RETRY_DELAYS = (timedelta(minutes=5), timedelta(minutes=30))
#: A message claimed longer ago than this was abandoned by a crashed sender: take it back.
STUCK_AFTER = timedelta(minutes=15)

ContextBuilder = Callable[[Notification], dict[str, Any]]
_context_builders: dict[str, ContextBuilder] = {}

_TEMPLATE_CODE = re.compile(r"^[a-z0-9_]{1,60}$")
_EMAIL_LIKE = re.compile(r"[^\s'\"<>(),;:]+@[^\s'\"<>(),;:]+")
_PHONE_LIKE = re.compile(r"\+?\d[\d \-]{5,}\d")


class NotificationObsolete(Exception):
    """Raised by a context builder when the message no longer makes sense: it is skipped."""


@dataclass(frozen=True)
class RenderedMessage:
    """The text of one message: ``subject`` and ``text_body`` for e-mail, ``sms_body`` for SMS
    (the parts the channel does not use are empty)."""

    subject: str
    text_body: str
    sms_body: str


@dataclass(frozen=True)
class _Recipient:
    address: str
    language: str


class _Skip(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- Templates ---------------------------------------------------------------------------


def register_context_builder(code: str, builder: ContextBuilder) -> None:
    """Declare the template ``code`` and the function that builds its context at send time.

    ``builder(notification)`` returns the template context (a dict). It may read personal data
    the message needs (e.g. the recipient's first name), because it runs only when sending.
    Call it at import time of your app's ``notices.py``. Registering a different function for
    a code that is taken raises ``ValueError``.
    """
    if not _TEMPLATE_CODE.match(code):
        raise ValueError(f"template code {code!r}: use 1-60 lower-case letters, digits or _")
    existing = _context_builders.get(code)
    if existing is not None and _qualname(existing) != _qualname(builder):
        raise ValueError(f"template code {code!r} is already registered by {_qualname(existing)}")
    _context_builders[code] = builder


def registered_templates() -> frozenset[str]:
    """The template codes that can be queued."""
    return frozenset(_context_builders)


def _qualname(fn: Callable[..., Any]) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


def _render_text(name: str, context: dict[str, Any]) -> str:
    # Plain text: HTML escaping would turn "Anne's group" into "Anne&#x27;s group".
    template = Engine.get_default().get_template(name)
    return template.render(Context(context, autoescape=False))


def notification_render(*, notification: Notification) -> RenderedMessage:
    """Render the message for its channel in the active language (the caller chooses it).

    Reads whatever personal data the template's context builder reads. Raises
    :class:`NotificationObsolete` when the objects it is about are gone.
    """
    builder = _context_builders.get(notification.template)
    if builder is None:
        raise LookupError(f"no context builder is registered for {notification.template!r}")
    try:
        context = builder(notification)
    except ObjectDoesNotExist as exc:
        raise NotificationObsolete(str(exc)) from exc
    context.setdefault("base_url", settings.SPEJL_BASE_URL)
    prefix = f"notifications/{notification.template}"
    if notification.channel == Channel.SMS:
        sms_body = _render_text(f"{prefix}.sms.txt", context).strip()
        if not sms_body:
            raise ValueError("the SMS template rendered an empty message")
        return RenderedMessage(subject="", text_body="", sms_body=sms_body)
    # A header cannot hold a line break: the subject is folded onto one line.
    subject = " ".join(_render_text(f"{prefix}.subject.txt", context).split())
    text_body = _render_text(f"{prefix}.body.txt", context).strip() + "\n"
    if not subject or not text_body.strip():
        raise ValueError("the e-mail template rendered an empty subject or body")
    return RenderedMessage(subject=subject, text_body=text_body, sms_body="")


# --- Queueing ------------------------------------------------------------------------------


def notification_queue(
    *,
    template: str,
    channel: str,
    recipient_user: User | None = None,
    recipient_participant: Participant | None = None,
    recipient_enquiry: Enquiry | None = None,
    organisation: Organisation | None = None,
    context: dict[str, Any],
    dedupe_key: str,
) -> Notification | None:
    """Queue one message to one person; send it in the background after commit.

    Call it from a service, inside that service's transaction, after the service has checked
    the actor's permission: it takes no actor because it decides nothing on anyone's behalf.
    If the transaction rolls back, nothing is queued and nothing is sent.

    * ``template`` — a code registered with :func:`register_context_builder`.
    * ``channel`` — ``"email"`` or ``"sms"`` (``participants.models.Channel``).
    * exactly one of ``recipient_user`` (staff), ``recipient_participant`` or
      ``recipient_enquiry`` (someone who asked to join and is not yet a participant).
    * ``organisation`` — whose message it is; defaults to the participant's organisation.
    * ``context`` — JSON values that identify what the message is about: public ids (as
      strings), numbers, codes. **Never personal data** (no names, addresses, phone numbers,
      free text about a person): the row outlives the contact data and is no place for them.
    * ``dedupe_key`` — unique name of this message (≤ 200 characters), e.g.
      ``f"meeting_moved:{meeting.public_id}:{meeting.sequence}:p:{participant.public_id}"``.

    Returns the new notification, or ``None`` if one with this ``dedupe_key`` exists already
    (whatever its status): two concurrent calls with the same key create one row.
    Personal data: none read or written here.
    """
    recipients = [r for r in (recipient_user, recipient_participant, recipient_enquiry) if r]
    if len(recipients) != 1:
        raise ValueError("give exactly one recipient (user, participant or enquiry)")
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if template not in _context_builders:
        raise ValueError(f"template {template!r} is not registered (register_context_builder)")
    if not dedupe_key or len(dedupe_key) > 200:
        raise ValueError("dedupe_key must be 1-200 characters")
    try:
        json.dumps(context)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"context must hold JSON values only (ids as strings): {exc}") from exc
    organisation_id = (
        organisation.pk
        if organisation is not None
        else (recipient_participant.organisation_id if recipient_participant else None)
    )
    if organisation_id is None and recipient_enquiry is not None:
        organisation_id = recipient_enquiry.organisation_id
    # get_or_create inserts inside a savepoint and, on a unique-key clash with a concurrent
    # insert, reads the winner's row: one row per dedupe_key whatever the timing.
    notification, created = Notification.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "template": template,
            "channel": str(channel),
            "recipient_user": recipient_user,
            "recipient_participant": recipient_participant,
            "recipient_enquiry": recipient_enquiry,
            "organisation_id": organisation_id,
            "context": context,
        },
    )
    if not created:
        return None
    # robust: if the task queue is unavailable, the commit still stands and cron sends it.
    transaction.on_commit(partial(_enqueue_send, notification.pk), robust=True)
    return notification


def _enqueue_send(notification_id: int) -> None:
    from spejl.notifications.tasks import send_notification_task

    send_notification_task.enqueue(notification_id)


# --- Sending -------------------------------------------------------------------------------


def _language(code: str | None) -> str:
    available = {lang for lang, _name in settings.LANGUAGES}
    return code if code in available else settings.LANGUAGE_CODE


def _resolve_recipient(notification: Notification) -> _Recipient:
    """The address for the channel as it is now, or ``_Skip`` with a reason (never the address)."""
    sms = notification.channel == Channel.SMS
    if notification.recipient_participant_id is not None:
        contact = Contact.objects.filter(participant_id=notification.recipient_participant_id)
        found = contact.values("email", "phone", "language").first()
        if found is None:
            raise _Skip("The participant has no contact data")
        address = found["phone"] if sms else found["email"]
        if not address:
            raise _Skip(
                "The participant has no phone number"
                if sms
                else "The participant has no e-mail address"
            )
        return _Recipient(address=address, language=_language(found["language"]))
    if notification.recipient_enquiry_id is not None:
        found = (
            Enquiry.objects.filter(pk=notification.recipient_enquiry_id)
            .values("email", "phone", "language")
            .first()
        )
        if found is None:
            raise _Skip("The enquiry no longer exists")
        address = found["phone"] if sms else found["email"]
        if not address:
            raise _Skip("The enquiry has no phone number" if sms else "The enquiry has no e-mail")
        return _Recipient(address=address, language=_language(found["language"]))
    user_id = notification.recipient_user_id
    if user_id is None:
        raise _Skip("The notification has no recipient")
    found_user = User.objects.filter(pk=user_id).values("email", "is_active").first()
    if found_user is None or not found_user["is_active"]:
        raise _Skip("The user account is not active")
    if sms:
        phone = (
            FacilitatorProfile.objects.filter(user_id=user_id)
            .values_list("phone", flat=True)
            .first()
        )
        if not phone:
            raise _Skip("The user has no phone number")
        address = phone
    else:
        address = found_user["email"]
    # Staff have no language preference yet: Danish, the default.
    return _Recipient(address=address, language=settings.LANGUAGE_CODE)


def _deliver(notification: Notification, address: str, message: RenderedMessage) -> str:
    """Hand the message to the mailer or the SMS backend; returns the provider's message id."""
    if notification.channel == Channel.SMS:
        return get_sms_backend().send(address, message.sms_body)
    message_id = make_msgid(domain=urlsplit(settings.SPEJL_BASE_URL).hostname or "spejl")
    reply_to = (
        Organisation.objects.filter(pk=notification.organisation_id)
        .exclude(contact_email="")
        .values_list("contact_email", flat=True)
        .first()
        if notification.organisation_id is not None
        else None
    )
    email = EmailMessage(
        subject=message.subject,
        body=message.text_body,
        to=[address],
        reply_to=[reply_to] if reply_to else None,
        headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated"},
    )
    if mailers.default.send_messages([email]) != 1:
        raise RuntimeError("the mail backend did not accept the message")
    return message_id


def _short_error(exc: BaseException, address: str) -> str:
    """A one-line reason for an operator, with anything that looks like an address removed."""
    text = f"{type(exc).__name__}: {exc}"
    if address:
        text = text.replace(address, "[address]")
    text = _EMAIL_LIKE.sub("[address]", text)
    text = _PHONE_LIKE.sub("[number]", text)
    return " ".join(text.split())[:300]


def _finish(notification_id: int, status: NotificationStatus, **fields: Any) -> None:
    Notification.objects.filter(pk=notification_id).update(status=status, **fields)


def notification_send(*, notification_id: int) -> NotificationStatus | None:
    """Send one PENDING notification now, exactly once; returns the outcome.

    Claims the row with a conditional UPDATE (PENDING → SENDING); if another sender claimed it
    first, or it is not pending, returns ``None`` and does nothing. Then looks up the address
    as it is now (a participant's contact e-mail or phone; a user's e-mail, or the phone on
    their facilitator profile) and renders and sends the message.

    Outcomes: ``SENT``; ``SKIPPED`` (no contact data, no address for the channel, inactive
    user, SMS not configured, or what it is about is gone); ``PENDING`` (failed, will be retried
    after a delay by ``send_due``); ``FAILED`` (failed for the third time). The stored error
    never contains an address. Call it outside a transaction (the task and the command do):
    a message cannot be unsent when a transaction rolls back.

    Personal data: reads the recipient's address and language; writes none.
    """
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=NotificationStatus.PENDING
    ).update(status=NotificationStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    if not claimed:
        return None
    notification = Notification.objects.get(pk=notification_id)
    address = ""
    try:
        recipient = _resolve_recipient(notification)
        address = recipient.address
        with translation.override(recipient.language):
            message = notification_render(notification=notification)
        provider_message_id = _deliver(notification, recipient.address, message)
    except _Skip as skip:
        return _skip(notification, skip.reason)
    except SmsNotConfigured:
        return _skip(notification, "SMS is not configured")
    except NotificationObsolete:
        return _skip(notification, "What the message is about no longer exists")
    except Exception as exc:
        return _failed(notification, _short_error(exc, address), timezone.now())
    _finish(
        notification.pk,
        NotificationStatus.SENT,
        sent_at=timezone.now(),
        error="",
        retry_after=None,
        provider_message_id=provider_message_id[:200],
    )
    return NotificationStatus.SENT


def _skip(notification: Notification, reason: str) -> NotificationStatus:
    _finish(notification.pk, NotificationStatus.SKIPPED, error=reason, retry_after=None)
    return NotificationStatus.SKIPPED


def _failed(notification: Notification, error: str, now: datetime) -> NotificationStatus:
    logger.warning(
        "notification %s (%s, attempt %d) failed: %s",
        notification.public_id,
        notification.template,
        notification.attempts,
        error,
    )
    if notification.attempts < MAX_ATTEMPTS:
        delay = RETRY_DELAYS[min(notification.attempts, len(RETRY_DELAYS)) - 1]
        _finish(notification.pk, NotificationStatus.PENDING, error=error, retry_after=now + delay)
        return NotificationStatus.PENDING
    _finish(notification.pk, NotificationStatus.FAILED, error=error, retry_after=None)
    return NotificationStatus.FAILED


def _reclaim_stuck(now: datetime) -> int:
    """Take back messages whose sender died mid-send (SENDING for longer than STUCK_AFTER)."""
    stuck = Notification.objects.filter(status=NotificationStatus.SENDING).filter(
        Q(claimed_at__lt=now - STUCK_AFTER) | Q(claimed_at__isnull=True)
    )
    error = "Interrupted while sending"
    retried = stuck.filter(attempts__lt=MAX_ATTEMPTS).update(
        status=NotificationStatus.PENDING, error=error, retry_after=None
    )
    given_up = stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=NotificationStatus.FAILED, error=error, retry_after=None
    )
    return retried + given_up


_OUTCOME_KEYS = {
    NotificationStatus.SENT: "sent",
    NotificationStatus.SKIPPED: "skipped",
    NotificationStatus.PENDING: "retrying",
    NotificationStatus.FAILED: "failed",
}


def send_due(*, limit: int = 500) -> dict[str, int]:
    """Send every PENDING notification that is due, oldest first, at most ``limit``.

    For cron and the ``send_notifications`` command; safe to run twice at once, because each
    row is claimed with a conditional UPDATE before it is sent. First takes back rows stuck in
    SENDING for more than 15 minutes. Returns counts: ``sent``, ``skipped``, ``retrying``,
    ``failed``, ``not_claimed`` (another sender had it) and ``reclaimed`` (stuck rows taken
    back). Personal data: as :func:`notification_send`.
    """
    now = timezone.now()
    counts = {"sent": 0, "skipped": 0, "retrying": 0, "failed": 0, "not_claimed": 0}
    counts["reclaimed"] = _reclaim_stuck(now)
    due = list(
        Notification.objects.filter(status=NotificationStatus.PENDING)
        .filter(Q(retry_after__isnull=True) | Q(retry_after__lte=now))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for notification_id in due:
        outcome = notification_send(notification_id=notification_id)
        counts["not_claimed" if outcome is None else _OUTCOME_KEYS[outcome]] += 1
    return counts


# --- Delivery receipts ---------------------------------------------------------------------


def notification_record_delivery(
    *, provider_message_id: str, outcome: str, detail: str = ""
) -> bool:
    """Record what a provider reported about a sent message: delivered, or bounced.

    Called by the delivery-receipt webhook (SMS providers) and the ``record_delivery``
    command (an e-mail server's bounce handling). ``detail`` is cut to 200 characters and
    scrubbed of anything that looks like an address or a phone number. Returns False when no
    sent message has that provider id. A later report replaces an earlier one (a message
    can be accepted, then bounce). No personal data is read; the system acts.
    """
    if outcome not in DeliveryOutcome.values:
        raise ValueError(f"unknown delivery outcome {outcome!r}")
    provider_message_id = provider_message_id.strip()
    if not provider_message_id:
        return False
    detail = _PHONE_LIKE.sub("[number]", _EMAIL_LIKE.sub("[address]", detail))[:200]
    updated = Notification.objects.filter(
        provider_message_id=provider_message_id[:200], status=NotificationStatus.SENT
    ).update(delivery=outcome, delivery_detail=detail, delivery_reported_at=timezone.now())
    return bool(updated)


# --- Erasure -------------------------------------------------------------------------------


def notifications_cancel_pending(*, participant: Participant, reason: str) -> int:
    """Stop every message still waiting to be sent that concerns the participant: to them, to
    the enquiries that led to them, or about them to staff (``context["participant"]`` is their
    public id, e.g. ``cannot_come``). They are marked skipped with ``reason`` (a short phrase
    for operators, never personal data). A message already being sent cannot be called back;
    its sender finds no contact data and skips it. Used by erasure (GDPR art. 17). Returns how
    many were stopped. Personal data: none read."""
    pending = Notification.objects.filter(status=NotificationStatus.PENDING).filter(
        Q(recipient_participant=participant)
        | Q(recipient_enquiry__participant=participant)
        | Q(context__participant=str(participant.public_id))
    )
    return pending.update(status=NotificationStatus.SKIPPED, error=reason[:300], retry_after=None)
