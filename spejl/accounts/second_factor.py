"""Whether a staff login has its second factor, and which pages need none.

Reads the logged-in user's enrolled authenticators (allauth.mfa) and the session's own record
of how it was authenticated; touches no personal data beyond the user's own account.
"""

from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

#: The factors that count as a second factor. Recovery codes alone do not: they are the way
#: back in when the real factor is lost.
SECOND_FACTOR_TYPES = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]

#: Session key: the user (primary key as text) who enrolled a factor in this session.
ENROLLED_IN_SESSION_KEY = "spejl_2fa_enrolled"

#: Pages every logged-in user may use whatever the state of their second factor: leaving,
#: the login machinery itself, and what every page's frame needs.
ALWAYS_ALLOWED_URL_NAMES = frozenset(
    {
        "account_logout",
        "account_login",
        "mfa_authenticate",
        "mfa_login_webauthn",
        "set_language",
        "web:healthz",
    }
)

#: Pages a logged-in user *without* a factor may also use: to enrol one, and to confirm it is
#: them while enrolling. Once a factor exists they need it proved like every other page.
ENROLMENT_URL_NAMES = frozenset(
    {
        "accounts:two_factor_setup",
        "accounts:two_factor_continue",
        "account_reauthenticate",
        "mfa_index",
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_add_webauthn",
        "mfa_list_webauthn",
        "mfa_reauthenticate",
        "mfa_reauthenticate_webauthn",
    }
)

#: Every page that never sends a user without a factor to enrolment.
EXEMPT_URL_NAMES = ALWAYS_ALLOWED_URL_NAMES | ENROLMENT_URL_NAMES


def has_second_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    """The user has an authenticator app or a passkey enrolled (one query)."""
    if not user.is_authenticated:
        return False
    return bool(is_mfa_enabled(user, SECOND_FACTOR_TYPES))


def _url_name(request: HttpRequest) -> str | None:
    match = request.resolver_match
    if match is None:
        return None
    return str(match.view_name)


def is_public_page(request: HttpRequest) -> bool:
    """The page needs no login: the access matrix does not send anonymous visitors to the
    login page (participant links, the group finder, the enquiry form, message pages)."""
    from spejl.access.matrix import MATRIX

    name = _url_name(request)
    rule = MATRIX.get(name) if name else None
    if rule is None:
        return False
    anonymous = rule.post_only[0] if rule.post_only is not None else rule.status("anonymous")
    return anonymous != 302


def url_name(request: HttpRequest) -> str | None:
    """The resolved URL name of the request (``None`` before resolving or on a 404)."""
    return _url_name(request)


def proved_second_factor(request: HttpRequest) -> bool:
    """This session has proved the user's second factor: it logged in (or re-authenticated)
    with it, or enrolled it."""
    user = request.user
    if not user.is_authenticated:
        return False
    if request.session.get(ENROLLED_IN_SESSION_KEY) == str(user.pk):
        return True
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, user))


def mark_enrolled(sender: Any, instance: Authenticator, created: bool, **kwargs: Any) -> None:
    """``post_save`` receiver for authenticators: enrolling a factor proves it, since allauth
    stores one only after a valid code or credential. Marks the session of the request that
    enrolled it (allauth's request context), nobody else's."""
    from allauth.core import context

    request = context.request
    if not created or request is None or instance.type not in SECOND_FACTOR_TYPES:
        return
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.pk == instance.user_id:
        request.session[ENROLLED_IN_SESSION_KEY] = str(user.pk)
