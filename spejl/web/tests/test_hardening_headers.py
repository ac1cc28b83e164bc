"""Security headers on every kind of response, production settings, and templates without inline
script or style (so the Content-Security-Policy can forbid them)."""

from __future__ import annotations

import json
import re
import subprocess  # nosec B404  # runs this project's own settings module in a child process
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from spejl.conftest import World
from spejl.links.models import LinkPurpose
from spejl.links.services import link_create
from spejl.questionnaires.models import InstrumentVersion
from spejl.testing.participants import waiting_participant

ROOT = Path(__file__).resolve().parents[3]
SPEJL = ROOT / "spejl"


def check_common_headers(response: HttpResponse, what: str) -> None:
    """The headers every response of Spejl carries, whatever it is."""
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp, what
    assert "script-src 'self'" in csp, what
    assert "frame-ancestors 'none'" in csp, what
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, what
    assert response.headers.get("X-Frame-Options") == "DENY", what
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what
    assert response.headers.get("Referrer-Policy") == "same-origin", what
    assert response.headers.get("Cross-Origin-Opener-Policy") == "same-origin", what
    policy = response.headers.get("Permissions-Policy", "")
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy, (what, feature)


def check_not_stored(response: HttpResponse, what: str) -> None:
    assert "no-store" in response.headers.get("Cache-Control", ""), what


def _staff(world: World, client_as: Any) -> dict[str, Callable[[], HttpResponse]]:
    coordinator = client_as("coordinator_a")
    version = InstrumentVersion.objects.get(code="tils", version=1)
    return {
        "staff page": lambda: coordinator.get(reverse("web:dashboard")),
        "staff list with a search": lambda: coordinator.get(reverse("enquiries:list") + "?q=hanne"),
        "staff file download (CSV)": lambda: coordinator.get(
            reverse(
                "questionnaires:instrument_redcap",
                kwargs={"code": "tils", "version": version.version},
            )
        ),
        "staff JSON download": lambda: coordinator.get(
            reverse(
                "questionnaires:instrument_fhir",
                kwargs={"code": "tils", "version": version.version},
            )
        ),
        "staff 404": lambda: coordinator.get("/no-such-page/"),
        "staff 403": lambda: client_as("facilitator_a").get(
            reverse("organisations:edit", kwargs={"org_slug": world.org_a.slug})
        ),
    }


def test_every_kind_of_response_carries_the_security_headers(
    world: World, client_as: Any, client: Client, settings: Any
) -> None:
    token = link_create(
        purpose=LinkPurpose.PARTICIPANT_PAGE, participant=waiting_participant(world)
    )
    personal = {
        **_staff(world, client_as),
        "participant link page": lambda: client.get(f"/p/{token}/"),
        "participant JSON download": lambda: client.get(f"/p/{token}/my-data/?format=json"),
        "participant calendar file": lambda: client.get(f"/p/{token}/calendar.ics"),
    }
    public = {
        "public page": lambda: client.get(reverse("enquiries:finder")),
        "public JSON": lambda: client.get(reverse("enquiries:feed")),
        "login page": lambda: client.get(reverse("account_login")),
        "404 page": lambda: client.get("/no-such-page/"),
        "400 page (unknown host)": lambda: client.get("/", HTTP_HOST="evil.example"),
        "unknown link": lambda: client.get("/p/" + "x" * 43 + "/"),
    }
    expected_status = {"staff 404": 404, "staff 403": 403, "404 page": 404}
    expected_status |= {"400 page (unknown host)": 400, "unknown link": 404}
    for what, request in {**personal, **public}.items():
        response = request()
        assert response.status_code == expected_status.get(what, 200), what
        check_common_headers(response, what)
        if what in personal:
            check_not_stored(response, what)


@pytest.mark.urls("spejl.web.tests.attacks.urls_boom")
def test_the_500_page_carries_the_security_headers(db: None) -> None:
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    check_common_headers(response, "500 page")


def test_refusals_of_csrf_size_and_guessing_carry_the_security_headers(
    world: World, settings: Any
) -> None:
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(world.coordinator_a)
    refused_csrf = csrf_client.post(reverse("enquiries:register"), {})
    assert refused_csrf.status_code == 403
    check_common_headers(refused_csrf, "CSRF refusal")
    settings.SPEJL_REQUEST_MAX_BYTES = 100
    too_large = Client().post(reverse("enquiries:ask"), {"message": "x" * 200})
    assert too_large.status_code == 413
    check_common_headers(too_large, "413 page")
    settings.SPEJL_REQUEST_MAX_BYTES = 10**6
    client = Client()
    for _attempt in range(25):
        response = client.get("/offer/" + "y" * 43 + "/")
    assert response.status_code == 429
    check_common_headers(response, "429 page")


def _production_settings(var_dir: Path, **extra: str) -> dict[str, Any]:
    env = {
        "PATH": "/usr/bin:/bin",
        "SPEJL_ENV": "production",
        "DJANGO_SECRET_KEY": "k" * 30 + "Q3x9!vR2#mP8&sL5^tW1*zY7",
        "DJANGO_ALLOWED_HOSTS": "spejl.example",
        "SPEJL_VAR_DIR": str(var_dir),
        **extra,
    }
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
        "LANGUAGE_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "DEBUG",
        "X_FRAME_OPTIONS",
        "SECURE_CONTENT_TYPE_NOSNIFF",
    ]
    program = (
        "import json, spejl.settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}))"
    )
    result = subprocess.run(  # noqa: S603  # nosec B603  # our own interpreter and settings
        [sys.executable, "-c", program],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    values: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return values


def test_production_settings_have_secure_cookies_hsts_and_ssl_redirect(tmp_path: Path) -> None:
    values = _production_settings(tmp_path)
    assert values["DEBUG"] is False
    for name in (
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
        "LANGUAGE_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_CONTENT_TYPE_NOSNIFF",
    ):
        assert values[name] is True, name
    assert values["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 365
    assert values["X_FRAME_OPTIONS"] == "DENY"


# --- Templates: nothing the Content-Security-Policy would have to allow ---------------------

_TAG = re.compile(r"<(?!!--)[a-zA-Z][^>]*>", re.S)
_HANDLER_OR_STYLE = re.compile(r"\s(on[a-z]+|style)\s*=", re.I)
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)


def _templates() -> list[Path]:
    found = sorted(SPEJL.rglob("templates/**/*.html"))
    assert len(found) > 50, "expected Spejl's templates"
    return found


def template_problems(text: str) -> list[str]:
    """Inline code or style in a template: ``on*=`` handlers, ``style=`` attributes,
    ``<style>`` blocks, ``javascript:`` URLs and ``<script>`` elements with code (a JSON data
    block, as ``json_script`` writes, is fine)."""
    problems = []
    for tag in _TAG.findall(text):
        match = _HANDLER_OR_STYLE.search(tag)
        if match:
            problems.append(f"{match.group(1)}= attribute in {tag[:60]!r}")
    if re.search(r"<style\b", text, re.I):
        problems.append("<style> block")
    if re.search(r"javascript:", text, re.I):
        problems.append("javascript: URL")
    for attributes, body in _SCRIPT.findall(text):
        if "src=" in attributes:
            continue
        if 'type="application/json"' in attributes or not body.strip():
            continue
        problems.append("inline <script> with code")
    return problems


def test_no_template_has_inline_script_style_or_event_handlers() -> None:
    found = {
        str(path.relative_to(ROOT)): problems
        for path in _templates()
        if (problems := template_problems(path.read_text(encoding="utf-8")))
    }
    assert found == {}


@pytest.mark.parametrize(
    "snippet",
    [
        '<button onclick="go()">',
        '<p style="color:red">',
        "<script>alert(1)</script>",
        "<style>p{}</style>",
        '<a href="javascript:go()">',
        '<div\n  class="x" onmouseover="y">',
    ],
)
def test_the_template_scan_catches_inline_code(snippet: str) -> None:
    assert template_problems(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="/static/x.js" defer></script>',
        '<script id="d" type="application/json">{"a": 1}</script>',
        '<p class="station">',
        "{{ value|json_script:'data' }}",
    ],
)
def test_the_template_scan_allows_files_and_data_blocks(snippet: str) -> None:
    assert template_problems(snippet) == []
