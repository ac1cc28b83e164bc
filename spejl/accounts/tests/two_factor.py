"""Test helpers for second factors: enrol a user, make the current code, log in fully."""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.core.cache import cache
from django.test import Client

from spejl.accounts.models import User
from spejl.testing.factories import TEST_PASSWORD

LOGIN_URL = "/accounts/login/"
MFA_URL = "/accounts/2fa/authenticate/"
SETUP_URL = "/accounts/two-factor/setup/"


def totp_code(secret: str, at: float | None = None) -> str:
    """The six-digit code an authenticator app shows for ``secret`` now (or at ``at``)."""
    code: str = format_hotp_value(hotp_value(secret, int(at or time.time()) // 30))
    return code


def enrol_totp(user: User) -> str:
    """Give ``user`` an authenticator app (and recovery codes); returns the app's secret."""
    secret: str = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def recovery_codes(user: User) -> list[str]:
    auth = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    codes: list[str] = auth.wrap().get_unused_codes()
    return codes


def password_step(client: Client, user: User, **extra: Any) -> Any:
    """The first step of the login (e-mail and password)."""
    return client.post(LOGIN_URL, {"login": user.email, "password": TEST_PASSWORD, **extra})


def full_login(client: Client, user: User, secret: str) -> None:
    """Log in with password and the current code, as a person would."""
    # A code can be used once per 30 seconds; the test logs in several times within that.
    cache.clear()
    response = password_step(client, user)
    assert response.status_code == 302 and response["Location"] == MFA_URL, response
    response = client.post(MFA_URL, {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] != LOGIN_URL
