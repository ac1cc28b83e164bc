"""Error pages that say what happened in plain words and reveal nothing else.

None of them shows the exception, the address asked for, a query string or anything the person
sent: an error page is no place for personal data (tested in
``spejl/web/tests/test_hardening_privacy.py``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


class _WithoutQuery:
    """The request as an error page sees it: its query string (search terms, e-mail
    addresses) is never echoed back, not even into the language switch's return address."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    def get_full_path(self, force_append_slash: bool = False) -> str:
        return self._request.path

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)


def render_to_string_safely(template: str, request: HttpRequest, **context: Any) -> str:
    return render_to_string(template, context, request=_WithoutQuery(request))  # type: ignore[arg-type]


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponse(render_to_string_safely("errors/400.html", request), status=400)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponse(render_to_string_safely("errors/404.html", request), status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponse(render_to_string_safely("errors/403.html", request), status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token (an old tab, cookies off — or another site's
    forged form): refused with a page saying how to go on. ``reason`` is not shown."""
    return HttpResponse(render_to_string_safely("errors/csrf.html", request), status=403)


def request_too_large(request: HttpRequest, *, limit: int) -> HttpResponse:
    """A request body over the limit (``SPEJL_REQUEST_MAX_BYTES``), refused unread."""
    megabytes = max(1, limit // (1024 * 1024))
    body = render_to_string_safely("errors/413.html", request, megabytes=megabytes)
    return HttpResponse(body, status=413)


def too_many_attempts(request: HttpRequest) -> HttpResponse:
    """Too many unknown link tokens from this client: wait, then try again."""
    response = HttpResponse(render_to_string_safely("errors/429.html", request), status=429)
    response["Retry-After"] = "600"
    return response


def too_many_requests(request: HttpRequest) -> HttpResponse:
    """allauth's rate limits (logins per address, password-reset mails): wait, then try again."""
    response = HttpResponse(
        render_to_string_safely("errors/429_requests.html", request), status=429
    )
    response["Retry-After"] = "300"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may lie in the context processors themselves.
    return HttpResponse(render_to_string("errors/500.html"), status=500)
