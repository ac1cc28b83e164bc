"""The first-login enrolment of a second factor, and the way on afterwards.

Touches only the logged-in user's own account (whether a factor is enrolled); the page where
the user was going is kept in their session until enrolment is done.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from spejl.accounts.second_factor import has_second_factor

#: Session key: where the user was going when they were sent to enrol a second factor.
NEXT_KEY = "spejl_2fa_next"


def safe_next(request: HttpRequest, url: str | None) -> str | None:
    """``url`` if it is a path on this site (never another host), else ``None``."""
    if not url or not url.startswith("/") or url.startswith("//"):
        return None
    if not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return url


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Explain why a second factor is needed and offer an authenticator app or a passkey."""
    target = safe_next(request, request.GET.get("next"))
    if target:
        request.session[NEXT_KEY] = target
    if has_second_factor(request.user):
        return two_factor_continue(request)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"required": settings.SPEJL_REQUIRE_2FA},
    )


@login_required
def two_factor_continue(request: HttpRequest) -> HttpResponse:
    """After enrolment: on to where the user was going (a path on this site), or the
    dashboard."""
    target = safe_next(request, request.session.pop(NEXT_KEY, None))
    return redirect(target or reverse(settings.LOGIN_REDIRECT_URL))
