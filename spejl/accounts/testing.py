"""Test support: log a test client in as if the person had just typed their password.

Django's ``force_login`` leaves no record of *how* or *when* the session was authenticated,
so re-authentication (exports, erasure) and the second-factor check treat it as stale. Tests
that act right after logging in use :func:`force_login_recently` instead.
"""

from __future__ import annotations

import time

from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from django.test import Client

from spejl.accounts.models import User


def force_login_recently(
    client: Client, user: User, *, seconds_ago: float = 0, second_factor: bool = False
) -> Client:
    """Log ``client`` in as ``user`` with a password login ``seconds_ago`` (and, with
    ``second_factor``, its second step) recorded in the session, as allauth records a real
    login."""
    client.force_login(user)
    at = time.time() - seconds_ago
    records: list[dict[str, object]] = [{"method": "password", "at": at, "email": user.email}]
    if second_factor:
        records.append({"method": "mfa", "at": at, "type": "totp"})
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()
    return client
