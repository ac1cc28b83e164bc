"""Re-authentication before sensitive actions (exports, erasure).

A login or re-authentication within ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds is recent
enough; otherwise the person confirms it is them — with their second factor when they have
one, else their password — and then sends the form again. Reads only the session's record of
how and when it was authenticated.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, overload

from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.login import get_authentication_records
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from spejl.access.actor import Actor, get_actor

View = Callable[..., HttpResponse]

#: Authentication records that count: a password or a second factor, at login or since.
_COUNTED_METHODS = frozenset({"password", "mfa"})


def recently_authenticated(request: HttpRequest) -> bool:
    """The session logged in or re-authenticated within the re-authentication timeout."""
    user = request.user
    if not user.is_authenticated:
        return False
    times = [
        float(r["at"])
        for r in get_authentication_records(request, user)
        if r.get("method") in _COUNTED_METHODS and isinstance(r.get("at"), int | float)
    ]
    return bool(times) and time.time() - max(times) < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT


def reauthentication_url(request: HttpRequest, next_url: str) -> str:
    """Where this user confirms it is them: their second factor first, if they have one."""
    methods = get_adapter(request).get_reauthentication_methods(request.user)
    return str(methods[0]["url"]) + "?" + urlencode({"next": next_url})


def reauthentication_redirect(request: HttpRequest) -> HttpResponse | None:
    """``None`` if the session authenticated recently; else the redirect to confirm it is
    them, coming back to this page (a POST comes back as a GET and does nothing)."""
    if recently_authenticated(request):
        return None
    back = request.path if request.method == "POST" else request.get_full_path()
    if request.method == "POST":
        messages.info(request, _("Please confirm it is you, then send the form again."))
    return HttpResponseRedirect(reauthentication_url(request, back))


@overload
def reauthentication_required(view: View) -> View: ...
@overload
def reauthentication_required(
    view: None = None,
    *,
    allow_get: bool = False,
    when: Callable[[Actor], bool] | None = None,
) -> Callable[[View], View]: ...
def reauthentication_required(
    view: View | None = None,
    *,
    allow_get: bool = False,
    when: Callable[[Actor], bool] | None = None,
) -> View | Callable[[View], View]:
    """Require a recent login or re-authentication for this function view.

    ``allow_get``: a GET (showing the form) passes; only the POST that acts is guarded.
    ``when``: guard only for actors for whom it is true (e.g. those allowed to act at all),
    so that refused roles still get the view's own 404 or 403.

    A POST that is not recent enough does nothing: the person goes to the re-authentication
    page and then back to the page (GET) to send it again. Anonymous visitors go to login.
    """

    def decorate(view_func: View) -> View:
        @wraps(view_func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            guarded = not (allow_get and request.method in ("GET", "HEAD"))
            if guarded and (when is None or when(get_actor(request))):
                response = reauthentication_redirect(request)
                if response is not None:
                    return response
            return view_func(request, *args, **kwargs)

        return wrapper

    if view is not None:
        return decorate(view)
    return decorate
