"""Staff login guards: log out after inactivity, and no staff page without a second factor.

Both run after authentication and messages. Neither touches personal data: they read the
session's own timestamps and whether the logged-in user has a second factor enrolled.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from spejl.accounts.second_factor import (
    ALWAYS_ALLOWED_URL_NAMES,
    ENROLMENT_URL_NAMES,
    has_second_factor,
    is_public_page,
    proved_second_factor,
    url_name,
)

#: Session key of the time (seconds since the epoch) of the last request of a logged-in user.
LAST_ACTIVITY_KEY = "spejl_last_activity"
#: Write the timestamp at most this often, so that not every request saves the session.
_TOUCH_EVERY_SECONDS = 30


def start_activity_clock(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """At login, start the inactivity clock in the session being logged in to, so the first
    page after login does not have to save the session again."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY_KEY] = time.time()


class IdleTimeoutMiddleware:
    """Log a staff user out after ``SPEJL_IDLE_MINUTES`` without a request.

    The next request then goes to the login page with a message, and comes back to where it
    was going after login. Pages open to everyone (participant links, the group finder) are
    served as to any visitor: the expired login is simply gone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        if not request.user.is_authenticated:
            return None
        now = time.time()
        last = request.session.get(LAST_ACTIVITY_KEY)
        idle_seconds = settings.SPEJL_IDLE_MINUTES * 60
        if isinstance(last, int | float) and now - last > idle_seconds:
            logout(request)
            messages.info(
                request,
                _(
                    "You were logged out after %(minutes)d minutes without activity. "
                    "Log in again to continue."
                )
                % {"minutes": settings.SPEJL_IDLE_MINUTES},
            )
            if is_public_page(request):
                return None
            return redirect_to_login(request.get_full_path())
        if not isinstance(last, int | float) or now - last > _TOUCH_EVERY_SECONDS:
            request.session[LAST_ACTIVITY_KEY] = now
        return None


class SecondFactorMiddleware:
    """When ``SPEJL_REQUIRE_2FA`` is on, a logged-in user reaches staff pages only with a
    second factor that this session has proved.

    Without an enrolled factor every page but the enrolment, logout, reauthentication and
    public pages sends them to the enrolment page, with where they were going as ``next``.
    With a factor, a session that never proved it (a login path that skipped allauth's
    two-factor stage) is logged out on any page but logout and public pages.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        if not settings.SPEJL_REQUIRE_2FA or not request.user.is_authenticated:
            return None
        name = url_name(request)
        if name in ALWAYS_ALLOWED_URL_NAMES or is_public_page(request):
            return None
        if has_second_factor(request.user):
            if proved_second_factor(request):
                return None
            # A factor exists but this session never proved it: not even the factor pages.
            logout(request)
            return redirect_to_login(request.get_full_path())
        if name in ENROLMENT_URL_NAMES:
            return None
        url = reverse("accounts:two_factor_setup")
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
