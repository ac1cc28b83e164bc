"""Two-factor login: enrolment on first login, the second step, recovery codes, lockout,
re-authentication before exports, the demo waiver and the production settings."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings as django_settings
from django.test import Client

from spejl.accounts.adapter import lockout_minutes
from spejl.accounts.testing import force_login_recently
from spejl.accounts.tests.two_factor import (
    LOGIN_URL,
    MFA_URL,
    SETUP_URL,
    enrol_totp,
    full_login,
    password_step,
    recovery_codes,
    totp_code,
)
from spejl.conftest import World
from spejl.evaluation.models import Export

pytestmark = pytest.mark.django_db


@pytest.fixture
def require_2fa(settings: Any) -> None:
    settings.SPEJL_REQUIRE_2FA = True


def test_staff_without_a_factor_is_sent_to_enrolment_and_keeps_where_they_were_going(
    world: World, require_2fa: None
) -> None:
    client = Client()
    response = password_step(client, world.coordinator_a, next="/groups/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == SETUP_URL + "?next=%2Fgroups%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "Opsæt totrinslogin" in text
    assert "/accounts/2fa/totp/activate/" in text and "/accounts/2fa/webauthn/add/" in text


def test_enrolling_an_app_shows_recovery_codes_once_then_continues_to_the_page(
    world: World, require_2fa: None, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    password_step(client, world.coordinator_a)
    client.get(SETUP_URL + "?next=/groups/")
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200, "a fresh login needs no second password prompt"
    secret = page.context["form"].secret
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()
    assert client.post("/accounts/2fa/totp/activate/", {"code": "000000"}).status_code == 200
    assert not Authenticator.objects.filter(user=world.coordinator_a).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response["Location"] == "/accounts/2fa/recovery-codes/"
    codes_page = client.get("/accounts/2fa/recovery-codes/").content.decode()
    codes = recovery_codes(world.coordinator_a)
    assert len(codes) == 10 and all(code in codes_page for code in codes)
    again = client.get("/accounts/2fa/recovery-codes/").content.decode()
    assert not any(code in again for code in codes), "codes are shown only once"

    response = client.get("/accounts/two-factor/continue/")
    assert response["Location"] == "/groups/"
    assert client.get("/groups/").status_code == 200


def test_continue_never_leaves_the_site(world: World, require_2fa: None) -> None:
    client = force_login_recently(Client(), world.coordinator_a)
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        client.get(SETUP_URL, {"next": target})
        response = client.get("/accounts/two-factor/continue/")
        assert response["Location"] == "/", target


def test_with_a_factor_the_password_alone_logs_nobody_in(world: World, require_2fa: None) -> None:
    enrol_totp(world.coordinator_a)
    client = Client()
    response = password_step(client, world.coordinator_a)
    assert response["Location"] == MFA_URL
    for url in ("/", "/groups/", "/people/", "/accounts/two-factor/setup/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL), url


def test_wrong_code_is_refused_and_right_code_logs_in(world: World, require_2fa: None) -> None:
    secret = enrol_totp(world.coordinator_a)
    client = Client()
    password_step(client, world.coordinator_a)
    wrong = client.post(MFA_URL, {"code": "123456" if totp_code(secret) != "123456" else "654321"})
    assert wrong.status_code == 200 and "Forkert kode" in wrong.content.decode()
    assert client.get("/").status_code == 302
    response = client.post(MFA_URL, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_session_that_skipped_the_second_step_is_logged_out(
    world: World, require_2fa: None
) -> None:
    enrol_totp(world.coordinator_a)
    client = force_login_recently(Client(), world.coordinator_a)
    response = client.get("/groups/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)
    assert client.get("/groups/")["Location"].startswith(LOGIN_URL), "and stays logged out"


def test_a_recovery_code_logs_in_once_and_not_twice(world: World, require_2fa: None) -> None:
    enrol_totp(world.coordinator_a)
    code = recovery_codes(world.coordinator_a)[0]
    first = Client()
    password_step(first, world.coordinator_a)
    assert first.post(MFA_URL, {"code": code}).status_code == 302
    assert first.get("/").status_code == 200
    assert code not in recovery_codes(world.coordinator_a)

    second = Client()
    password_step(second, world.coordinator_a)
    response = second.post(MFA_URL, {"code": code})
    assert response.status_code == 200
    assert second.get("/").status_code == 302


def test_too_many_failed_logins_say_how_long_to_wait(world: World) -> None:
    client = Client()
    for _ in range(5):
        response = client.post(LOGIN_URL, {"login": world.coordinator_a.email, "password": "x"})
        assert response.status_code == 200
    response = password_step(client, world.coordinator_a)
    assert response.status_code == 200, "even the right password waits"
    text = response.content.decode()
    assert lockout_minutes() == 5
    assert "For mange mislykkede forsøg" in text and "prøv igen om 5 minutter" in text
    assert 'role="alert"' in text


def test_too_many_wrong_codes_lock_the_second_step_too(world: World, require_2fa: None) -> None:
    secret = enrol_totp(world.coordinator_a)
    client = Client()
    password_step(client, world.coordinator_a)
    wrong = "123456" if totp_code(secret) != "123456" else "654321"
    for _ in range(5):
        assert "Forkert kode" in client.post(MFA_URL, {"code": wrong}).content.decode()
    response = client.post(MFA_URL, {"code": totp_code(secret)})
    assert "prøv igen om 5 minutter" in response.content.decode()
    assert client.get("/").status_code == 302


def _export_form() -> dict[str, str]:
    return {"layout": "wide", "format": "csv_excel", "age": "band", "place": "region"}


def test_export_after_the_timeout_asks_to_confirm_and_creates_nothing(world: World) -> None:
    stale = django_settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 60
    client = force_login_recently(Client(), world.evaluator, seconds_ago=stale)
    assert client.get("/evaluation/exports/").status_code == 200, "looking needs no step-up"
    response = client.post("/evaluation/exports/", _export_form())
    assert response.status_code == 302
    assert response["Location"] == "/accounts/reauthenticate/?next=%2Fevaluation%2Fexports%2F"
    assert Export.objects.count() == 0

    page = client.get(response["Location"])
    assert page.status_code == 200 and "Bekræft, at det er dig" in page.content.decode()
    back = client.post(
        "/accounts/reauthenticate/",
        {"password": "correct-horse-battery-9", "next": "/evaluation/exports/"},
    )
    assert back["Location"] == "/evaluation/exports/"
    assert client.post("/evaluation/exports/", _export_form()).status_code == 302
    assert Export.objects.count() == 1


def test_export_right_after_login_needs_no_second_confirmation(world: World) -> None:
    client = force_login_recently(Client(), world.evaluator, seconds_ago=10)
    assert client.post("/evaluation/exports/", _export_form()).status_code == 302
    assert Export.objects.count() == 1


def test_with_a_factor_reauthentication_asks_for_the_code(world: World, require_2fa: None) -> None:
    secret = enrol_totp(world.evaluator)
    stale = django_settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 60
    client = force_login_recently(Client(), world.evaluator, seconds_ago=stale, second_factor=True)
    response = client.post("/evaluation/exports/", _export_form())
    assert response["Location"] == "/accounts/2fa/reauthenticate/?next=%2Fevaluation%2Fexports%2F"
    assert Export.objects.count() == 0
    back = client.post(
        "/accounts/2fa/reauthenticate/", {"code": totp_code(secret), "next": "/evaluation/exports/"}
    )
    assert back["Location"] == "/evaluation/exports/"
    assert client.post("/evaluation/exports/", _export_form()).status_code == 302
    assert Export.objects.count() == 1


def test_roles_that_cannot_export_get_not_found_not_a_confirmation(world: World) -> None:
    client = force_login_recently(Client(), world.coordinator_b, seconds_ago=3600)
    assert client.post("/evaluation/exports/", _export_form()).status_code == 404


def test_demo_mode_waives_the_second_factor_with_a_banner(world: World, settings: Any) -> None:
    settings.SPEJL_DEMO = True
    settings.SPEJL_REQUIRE_2FA = False
    client = force_login_recently(Client(), world.coordinator_a)
    page = client.get("/")
    assert page.status_code == 200
    assert "Demo: totrinslogin er slået fra" in page.content.decode()


def test_no_waiver_banner_when_the_second_factor_is_required(
    world: World, require_2fa: None
) -> None:
    secret = enrol_totp(world.coordinator_a)
    client = Client()
    full_login(client, world.coordinator_a, secret)
    page = client.get("/")
    assert page.status_code == 200
    assert "totrinslogin er slået fra" not in page.content.decode()


def _settings_in_subprocess(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("SPEJL_", "DJANGO_", "DATABASE"))
    }
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'spejl.settings'; "
        "from django.conf import settings; print('REQUIRE_2FA', settings.SPEJL_REQUIRE_2FA)"
    )
    return subprocess.run(  # noqa: S603  # nosec B603 - fixed interpreter and code
        [sys.executable, "-c", code],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


PRODUCTION_ENV = {
    "SPEJL_ENV": "production",
    "DJANGO_SECRET_KEY": "x" * 50,
    "DJANGO_ALLOWED_HOSTS": "spejl.example",
    "SPEJL_EXPORT_KEY": "dGVzdC1vbmx5LWV4cG9ydC1rZXktMzItYnl0ZXMtbG9uZyE=",
}


def test_production_always_requires_the_second_factor_even_in_demo_mode() -> None:
    result = _settings_in_subprocess({**PRODUCTION_ENV, "SPEJL_DEMO": "1"})
    assert "REQUIRE_2FA True" in result.stdout, result.stderr[-2000:]


def test_production_refuses_to_turn_the_second_factor_off() -> None:
    result = _settings_in_subprocess({**PRODUCTION_ENV, "SPEJL_REQUIRE_2FA": "0"})
    assert result.returncode != 0
    assert "SPEJL_REQUIRE_2FA cannot be turned off in production" in result.stderr


def test_development_demo_waives_and_plain_development_requires() -> None:
    assert "REQUIRE_2FA False" in _settings_in_subprocess({"SPEJL_DEMO": "1"}).stdout
    assert "REQUIRE_2FA True" in _settings_in_subprocess({"SPEJL_DEMO": "0"}).stdout


def test_code_helper_matches_allauth(world: World) -> None:
    from allauth.mfa.totp.internal.auth import validate_totp_code

    secret = enrol_totp(world.national_admin)
    assert validate_totp_code(secret, totp_code(secret))
    assert not validate_totp_code(secret, totp_code(secret, at=time.time() - 300))


def _reset_url(user: Any) -> str:
    return f"/people/{user.public_id}/second-factor/reset/"


def test_coordinator_resets_a_facilitators_lost_factor_audited(
    world: World, require_2fa: None
) -> None:
    from spejl.audit.models import AuditEvent

    enrol_totp(world.facilitator_a)
    secret = enrol_totp(world.coordinator_a)
    client = Client()
    full_login(client, world.coordinator_a, secret)
    page = client.get(f"/people/{world.facilitator_a.public_id}/").content.decode()
    assert "Nulstil andet trin" in page
    response = client.post(_reset_url(world.facilitator_a))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=world.facilitator_a).exists()
    event = AuditEvent.objects.get(purpose="reset second factor")
    assert event.actor_id == world.coordinator_a.pk
    assert event.object_id == str(world.facilitator_a.public_id)

    # The facilitator's next login goes to enrolment again.
    again = Client()
    password_step(again, world.facilitator_a)
    assert again.get("/")["Location"].startswith(SETUP_URL)


def test_resets_are_scoped_like_role_changes(world: World) -> None:
    enrol_totp(world.coordinator_a)
    enrol_totp(world.national_admin)
    # Another organisation's coordinator: not found.
    other = force_login_recently(Client(), world.coordinator_b)
    assert other.post(_reset_url(world.coordinator_a)).status_code == 404
    # A coordinator cannot reset the national admin, nor anyone their own.
    coordinator = force_login_recently(Client(), world.coordinator_a)
    assert coordinator.post(_reset_url(world.national_admin)).status_code == 404
    admin = force_login_recently(Client(), world.national_admin)
    assert admin.post(_reset_url(world.national_admin)).status_code == 404
    # A facilitator or an evaluator manages nobody.
    for role in ("facilitator_a", "evaluator"):
        client = force_login_recently(Client(), getattr(world, role))
        assert client.post(_reset_url(world.coordinator_a)).status_code == 404
    assert Authenticator.objects.filter(user=world.coordinator_a).count() == 2
    assert Authenticator.objects.filter(user=world.national_admin).count() == 2


def test_reset_after_the_timeout_asks_to_confirm_first(world: World) -> None:
    enrol_totp(world.facilitator_a)
    stale = django_settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 60
    client = force_login_recently(Client(), world.national_admin, seconds_ago=stale)
    response = client.post(_reset_url(world.facilitator_a))
    assert response["Location"].startswith("/accounts/reauthenticate/?next=")
    assert Authenticator.objects.filter(user=world.facilitator_a).count() == 2


def test_login_and_factor_pages_need_no_inline_script_or_style(
    world: World, require_2fa: None
) -> None:
    import re

    client = Client()
    pages = [client.get(LOGIN_URL)]
    password_step(client, world.coordinator_a)
    for url in (SETUP_URL, "/accounts/2fa/totp/activate/", "/accounts/2fa/webauthn/add/"):
        pages.append(client.get(url))
    for page in pages:
        assert page.status_code == 200
        assert "unsafe-inline" not in page["Content-Security-Policy"]
        html = page.content.decode()
        assert " style=" not in html and "<style" not in html
        assert not re.search(r"\son[a-z]+=", html), "no inline event handlers"
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, tag


def test_a_session_that_skipped_the_second_step_cannot_add_a_factor_of_its_own(
    world: World, require_2fa: None
) -> None:
    enrol_totp(world.coordinator_a)
    for url in ("/accounts/2fa/webauthn/add/", "/accounts/2fa/", SETUP_URL):
        client = force_login_recently(Client(), world.coordinator_a)
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL), url
    assert Authenticator.objects.filter(user=world.coordinator_a).count() == 2
