"""allauth adapter: staff are invited, nobody signs up on their own; clear lockout messages;
a fresh login counts as recent authentication; a second factor is offered first for
re-authentication."""

from __future__ import annotations

from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.core.internal.ratelimit import parse_rate
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import ngettext


def lockout_minutes() -> int:
    """The longest window of the failed-login limit, in whole minutes (at least 1): how long
    a locked-out person waits at most."""
    rates = account_settings.RATE_LIMITS.get("login_failed") or ""
    seconds = max((parse_rate(r).duration for r in rates.split(",") if r), default=60)
    return max(1, -(-int(seconds) // 60))


def lockout_message() -> str:
    """What a person sees when too many failed logins or codes paused logging in."""
    minutes = lockout_minutes()
    return ngettext(
        "Too many failed attempts. For your safety, logging in is paused: "
        "try again in %(minutes)d minute.",
        "Too many failed attempts. For your safety, logging in is paused: "
        "try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def validation_error(self, code: str, *args: Any) -> ValidationError:
        # allauth's own wording ("Try again later") does not say how long: say it.
        if code == "too_many_login_attempts":
            return ValidationError(lockout_message(), code=code)
        error: ValidationError = super().validation_error(code, *args)
        return error

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """allauth asks before managing second factors: a login a few minutes ago is recent
        enough, so that enrolling right after the first login does not ask for the password
        twice."""
        from spejl.accounts.reauth import recently_authenticated

        request = self.request or context.request
        if request is not None and recently_authenticated(request):
            return False
        required: bool = super().is_reauthentication_required(app=app, **kwargs)
        return required

    def get_reauthentication_methods(
        self, user: AbstractBaseUser | AnonymousUser
    ) -> list[dict[str, Any]]:
        """The second factor first (when enrolled), then the password."""
        methods: list[dict[str, Any]] = super().get_reauthentication_methods(user)
        return sorted(methods, key=lambda m: 0 if str(m["id"]).startswith("mfa") else 1)
