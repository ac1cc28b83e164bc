"""Browser journeys of the two-factor login, with the second factor required as in production:
enrol an authenticator app on first login and log in again with a code; register a passkey
(Chromium's virtual authenticator) and log in with it alone. Every page is scanned with axe."""

from __future__ import annotations

from typing import Any

import pytest

from spejl.accounts.tests.two_factor import totp_code
from spejl.conftest import World
from spejl.testing.browser import assert_accessible
from spejl.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def require_2fa(settings: Any) -> None:
    from django.urls import get_resolver

    settings.SPEJL_REQUIRE_2FA = True
    # Import every view now, in this process, rather than on the live server's first request:
    # that first request would otherwise spend the page's time limit importing.
    assert get_resolver().url_patterns


def _password(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    assert_accessible(page)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log ind", exact=True).click()


def _save_codes_and_continue(page: Any, base: str) -> list[str]:
    page.wait_for_url(f"{base}/accounts/2fa/recovery-codes/")
    assert_accessible(page)
    codes = [c.strip() for c in page.locator("ol.recovery-codes code").all_inner_texts()]
    assert len(codes) == 10
    page.get_by_label("Jeg har gemt mine gendannelseskoder").check()
    page.get_by_role("button", name="Fortsæt").click()
    return codes


def _log_out(page: Any, base: str) -> None:
    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url(f"{base}/accounts/login/")


def test_coordinator_sets_up_an_app_on_first_login_and_logs_in_with_a_code(
    live_server: Any, world: World, page: Any, require_2fa: None
) -> None:
    base = live_server.url
    _password(page, base, world.coordinator_a.email)
    page.wait_for_url(f"{base}/accounts/two-factor/setup/**")
    assert page.get_by_role("heading", level=1).inner_text() == "Opsæt totrinslogin"
    assert_accessible(page)
    page.get_by_role("link", name="Opsæt en godkendelsesapp").click()
    page.wait_for_url(f"{base}/accounts/2fa/totp/activate/")
    assert_accessible(page)
    secret = page.get_by_label("Nøgle, du kan skrive i stedet").input_value()
    page.get_by_label("Kode fra appen").fill(totp_code(secret))
    page.get_by_role("button", name="Slå til").click()
    _save_codes_and_continue(page, base)
    page.wait_for_url(f"{base}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Velkommen, Anne Aarhus"
    assert_accessible(page)

    _log_out(page, base)
    _password(page, base, world.coordinator_a.email)
    page.wait_for_url(f"{base}/accounts/2fa/authenticate/")
    assert_accessible(page)
    page.get_by_label("Kode", exact=True).fill(totp_code(secret))
    page.get_by_role("button", name="Log ind", exact=True).click()
    page.wait_for_url(f"{base}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Velkommen, Anne Aarhus"


def test_coordinator_registers_a_passkey_and_logs_in_with_it_alone(
    live_server: Any, world: World, page: Any, require_2fa: None
) -> None:
    base = live_server.url
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    _password(page, base, world.coordinator_a.email)
    page.wait_for_url(f"{base}/accounts/two-factor/setup/**")
    page.get_by_role("link", name="Tilføj en adgangsnøgle").click()
    page.wait_for_url(f"{base}/accounts/2fa/webauthn/add/")
    assert_accessible(page)
    page.get_by_label("Navn på adgangsnøglen").fill("Min telefon")
    page.get_by_role("button", name="Lav adgangsnøglen").click()
    _save_codes_and_continue(page, base)
    page.wait_for_url(f"{base}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Velkommen, Anne Aarhus"

    _log_out(page, base)
    assert_accessible(page)
    page.get_by_role("button", name="Brug en adgangsnøgle").click()
    page.wait_for_url(f"{base}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Velkommen, Anne Aarhus"
    assert_accessible(page)

    # The passkey also serves as the second step after a password.
    _log_out(page, base)
    _password(page, base, world.coordinator_a.email)
    page.wait_for_url(f"{base}/accounts/2fa/authenticate/")
    page.get_by_role("button", name="Brug en adgangsnøgle").click()
    page.wait_for_url(f"{base}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Velkommen, Anne Aarhus"
