"""Spejl's own middleware: Danish-first language choice and the hardening controls (security
headers, request size limit, NUL characters, token guessing); see docs/security.md.

Language: Django's own LocaleMiddleware also follows the browser's Accept-Language header,
which would show English to a Danish volunteer whose phone happens to be set to English. Spejl
is Danish first: only an explicit choice (the language cookie set by the switch in the footer)
changes it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import translation
from django.utils.cache import patch_cache_control


class DanishFirstLocaleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


#: Browser features Spejl never uses: switched off for every page, so an injected script or a
#: framed page cannot ask for them either.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    """Headers Django's own middleware does not set.

    * ``Permissions-Policy`` on every response, and ``X-Frame-Options`` on those that
      did not pass Django's clickjacking middleware.
    * ``Cache-Control: no-store`` on everything a logged-in person or a holder of a
      participant's link receives (pages and downloads with personal data), so a shared or
      public computer does not keep a copy. A view that chose its own caching keeps it (the
      calendar feed for calendar apps; the public group finder).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # Django's clickjacking middleware sits inside; responses of the middleware between
        # (the request-size refusal, a bad host) would go out without it.
        response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        if "Cache-Control" not in response.headers and _personal(request):
            patch_cache_control(response, no_store=True, private=True)
        return response


def _personal(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    return is_token_url(request)


def is_token_url(request: HttpRequest) -> bool:
    """Whether the request went to a URL whose key is a token in the path (a participant's
    link, an offer, a questionnaire, a calendar feed, an allauth key)."""
    match = getattr(request, "resolver_match", None)
    return match is not None and bool({"token", "key"} & set(match.kwargs))


class UploadSizeLimitMiddleware:
    """Refuse a request body larger than ``SPEJL_REQUEST_MAX_BYTES`` before anything reads it.

    Django limits form fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but streams uploaded files of
    any size to disk; this answers 413 with a kind page naming the limit instead, before the
    CSRF check or a view parses the body. Touches no personal data: the body is never read.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = int(settings.SPEJL_REQUEST_MAX_BYTES)
        if length > limit:
            from spejl.web.errors import request_too_large

            return request_too_large(request, limit=limit)
        return self.get_response(request)


def _without_nul(data: QueryDict) -> QueryDict | None:
    """A copy of ``data`` with NUL characters removed from keys and values, or ``None`` when
    there are none."""
    if not any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists()):
        return None
    cleaned = QueryDict(mutable=True)
    for key, values in data.lists():
        cleaned.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
    cleaned._mutable = False
    return cleaned


class StripNulCharactersMiddleware:
    """Remove NUL characters from query strings and form fields before any view sees them.

    A NUL is never something a person meant to type, and PostgreSQL refuses to store or even
    compare text holding one (a 500 instead of an answer). Removing it keeps everything else
    the person typed — a half-written questionnaire answer is saved, not refused. Uploaded
    files are left as they are (the import checks refuse binary content itself). Touches
    form data only in memory; logs nothing.
    """

    _FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        cleaned = _without_nul(request.GET)
        if cleaned is not None:
            request.GET = cleaned  # type: ignore[assignment]  # immutable again, as Django made it
        if request.method == "POST" and request.content_type in self._FORMS:
            cleaned = _without_nul(request.POST)
            if cleaned is not None:
                request.POST = cleaned  # type: ignore[assignment]  # immutable again
        return self.get_response(request)


class TokenGuessLimitMiddleware:
    """Slow down guessing of the tokens in URLs, for every URL whose key is a token.

    The secure links count unknown tokens themselves (:func:`spejl.links.services.link_resolve`,
    per client address); this middleware shares their counter and limit, answers a kind 429 page
    once a client has presented too many unknown tokens, and counts the 404s of token URLs that do
    not go through the secure links (the calendar feeds, and any new token URL). The address is
    kept only hashed, in the cache, for the window.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., HttpResponse],
        args: tuple[object, ...],
        kwargs: dict[str, object],
    ) -> HttpResponse | None:
        if "token" not in kwargs:
            return None
        from spejl.links import services as links

        if cache.get(links.guess_key(request), 0) >= links.GUESS_LIMIT:
            from spejl.web.errors import too_many_attempts

            return too_many_attempts(request)
        return None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (
            response.status_code == 404
            and match is not None
            and "token" in match.kwargs
            and not getattr(request, "spejl_guess_counted", False)
        ):
            from spejl.links import services as links

            links.guess_count(request)
        return response
