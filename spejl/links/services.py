"""Making and checking participants' secure links.

Guessing is hopeless (256-bit tokens) and also rate-limited: a client that presents too many
unknown tokens is told to wait, whatever it tries next.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spejl.enrolments.models import Enrolment
from spejl.links.models import LinkPurpose, SecureLink
from spejl.participants.models import Participant
from spejl.questionnaires.models import Invitation
from spejl.web.clients import client_address

#: Unknown tokens one client (IP address) may present per window before being refused.
GUESS_LIMIT = 20
GUESS_WINDOW_SECONDS = 600


class LinkInvalid(Exception):
    """The link cannot be used. ``reason`` is one of: unknown, expired, used, revoked,
    throttled — each has a kind message for the person in ``message``."""

    MESSAGES = {
        "unknown": _("We do not recognise this link. Check that you used the whole link."),
        "expired": _("This link has expired."),
        "used": _("This link has already been used."),
        "revoked": _("This link is no longer active."),
        "throttled": _(
            "Too many attempts with links that do not work. Please wait a few "
            "minutes and try again."
        ),
    }

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = self.MESSAGES[reason]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_create(
    *,
    purpose: LinkPurpose,
    participant: Participant,
    enrolment: Enrolment | None = None,
    expires_at: datetime | None = None,
    invitation: Invitation | None = None,
) -> str:
    """A new link; returns the token (put it in the URL sent to the person, never store it)."""
    token = secrets.token_urlsafe(32)
    SecureLink.objects.create(
        token_hash=token_hash(token),
        purpose=purpose,
        participant=participant,
        enrolment=enrolment,
        invitation=invitation,
        expires_at=expires_at,
    )
    return token


def guess_key(request: HttpRequest | None) -> str:
    """The cache key counting one client's unknown tokens (its address, hashed)."""
    address = client_address(request) or "unknown"
    return f"spejl:link-guesses:{hashlib.sha256(address.encode()).hexdigest()[:32]}"


def guess_count(request: HttpRequest | None) -> None:
    """Count one unknown token presented by this client (shared by every token URL: see
    :class:`spejl.web.middleware.TokenGuessLimitMiddleware`)."""
    key = guess_key(request)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, GUESS_WINDOW_SECONDS)
    if request is not None:
        request.spejl_guess_counted = True  # type: ignore[attr-defined]


def link_resolve(
    *, token: str, purpose: LinkPurpose, request: HttpRequest | None, now: datetime | None = None
) -> SecureLink:
    """The active link for this token and purpose, or :class:`LinkInvalid`."""
    if cache.get(guess_key(request), 0) >= GUESS_LIMIT:
        raise LinkInvalid("throttled")
    link = (
        SecureLink.objects.select_related("participant", "enrolment", "invitation")
        .filter(token_hash=token_hash(token), purpose=purpose)
        .first()
        if 20 <= len(token) <= 100
        else None
    )
    if link is None:
        guess_count(request)
        raise LinkInvalid("unknown")
    now = now or timezone.now()
    if link.revoked_at is not None:
        raise LinkInvalid("revoked")
    if link.used_at is not None:
        raise LinkInvalid("used")
    if link.expires_at is not None and link.expires_at <= now:
        raise LinkInvalid("expired")
    return link


def link_use(*, link: SecureLink) -> bool:
    """Mark a single-use link used; False if another request used it first."""
    return bool(
        SecureLink.objects.filter(pk=link.pk, used_at__isnull=True, revoked_at__isnull=True).update(
            used_at=timezone.now()
        )
    )


@transaction.atomic
def links_revoke(
    *,
    participant: Participant,
    purposes: list[LinkPurpose] | None = None,
    enrolment: Enrolment | None = None,
) -> int:
    """Switch off a participant's active links (all, of some purposes, or of one enrolment)."""
    links = SecureLink.objects.filter(participant=participant, revoked_at__isnull=True)
    if purposes:
        links = links.filter(purpose__in=purposes)
    if enrolment is not None:
        links = links.filter(enrolment=enrolment)
    return links.update(revoked_at=timezone.now())
