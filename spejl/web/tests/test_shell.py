from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from spejl.accounts.models import Membership, User
from spejl.conftest import TEST_FIELD_KEYS, TEST_LOOKUP_KEY, World
from spejl.organisations.models import Organisation, Venue
from spejl.web.logging import RedactQueryStrings

ROOT = Path(__file__).resolve().parents[3]


def test_pages_are_danish_by_default_and_english_on_request(world: World, client_as: Any) -> None:
    client = client_as("coordinator_a")
    page = client.get(reverse("web:dashboard")).content.decode()
    assert '<html lang="da">' in page
    assert "Velkommen" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("web:dashboard")).content.decode()
    assert '<html lang="en">' in page
    assert "Welcome" in page


def test_dashboard_shows_each_role_its_own_sections(world: World, client_as: Any) -> None:
    admin = client_as("national_admin").get("/").content.decode()
    assert reverse("audit:list") in admin
    coordinator = client_as("coordinator_a").get("/").content.decode()
    assert world.org_a.name in coordinator and world.org_b.name not in coordinator
    assert reverse("audit:list") not in coordinator
    facilitator = client_as("facilitator_a").get("/").content.decode()
    assert reverse("accounts:staff_list") not in facilitator
    evaluator = client_as("evaluator").get("/").content.decode()
    assert reverse("accounts:staff_list") not in evaluator


def test_dashboard_runs_a_bounded_number_of_queries(
    world: World, client_as: Any, django_assert_max_num_queries: Any
) -> None:
    # A fixed number of count queries, whatever the amount of data behind them.
    client = client_as("national_admin")
    with django_assert_max_num_queries(24):
        client.get("/")


def test_user_without_any_role_is_refused(world: World, client: Any) -> None:
    lonely = User.objects.create_user(email="norole@example.org", full_name="No Role")
    client.force_login(lonely)
    assert client.get("/").status_code == 403


def test_login_with_email_and_password(world: World, client: Any) -> None:
    from spejl.testing.factories import TEST_PASSWORD

    response = client.post(
        reverse("account_login"),
        {"login": world.coordinator_a.email.upper(), "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_failed_logins_are_rate_limited_with_a_clear_message(world: World, client: Any) -> None:
    from django.core.cache import cache

    cache.clear()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": world.coordinator_a.email, "password": "x"})
    response = client.post(
        reverse("account_login"), {"login": world.coordinator_a.email, "password": "x"}
    )
    assert response.status_code in (200, 429)
    assert "for mange mislykkede" in response.content.decode().lower()
    from spejl.testing.factories import TEST_PASSWORD

    blocked = client.post(
        reverse("account_login"),
        {"login": world.coordinator_a.email, "password": TEST_PASSWORD},
    )
    assert "_auth_user_id" not in client.session, blocked.status_code
    cache.clear()


def test_signup_is_closed(world: World, client: Any) -> None:
    before = User.objects.count()
    client.post(
        reverse("account_signup"),
        {
            "email": "intruder@example.org",
            "password1": "a-long-password-1",
            "password2": "a-long-password-1",
        },
    )
    assert User.objects.count() == before


def test_security_headers_and_csp_without_unsafe_inline(world: World, client: Any) -> None:
    response = client.get(reverse("account_login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_healthz_answers_ok(db: None, client: Any) -> None:
    response = client.get(reverse("web:healthz"))
    assert response.json() == {"status": "ok"}


def test_seed_demo_is_idempotent_and_spans_five_regions(db: None) -> None:
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    counts = (
        Organisation.objects.count(),
        Venue.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert (
        Organisation.objects.count(),
        Venue.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    ) == counts
    assert Organisation.objects.filter(kind="member").count() == 21
    assert Organisation.objects.filter(kind="national").count() == 1
    assert set(Organisation.objects.values_list("region", flat=True)) == {
        "1081",
        "1082",
        "1083",
        "1084",
        "1085",
    }
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {"national_admin", "coordinator", "facilitator", "evaluator"}


def test_log_filter_removes_query_strings_that_may_hold_personal_data() -> None:
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"GET /people/?q=%s HTTP/1.1" 200',
        ("hanne@example.org",),
        None,
    )
    RedactQueryStrings().filter(record)
    assert "hanne" not in record.getMessage()
    assert "/people/?[redacted]" in record.getMessage()


def _run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SPEJL_"))}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _run_manage("check", env={"SPEJL_ENV": "production", "DJANGO_ALLOWED_HOSTS": "x"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr


@pytest.mark.parametrize("database", ["sqlite"])
def test_production_settings_pass_check_deploy_without_warnings(database: str) -> None:
    result = _run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "SPEJL_ENV": "production",
            "DJANGO_SECRET_KEY": "k" * 30 + "Q3x9!vR2#mP8&sL5^tW1*zY7",
            "DJANGO_ALLOWED_HOSTS": "spejl.example",
            "SPEJL_EXPORT_KEY": "c3BlamwtdGVzdC1leHBvcnQta2V5LTMyLWJ5dGVzLWxvbmch",
            "SPEJL_FIELD_KEYS": TEST_FIELD_KEYS,
            "SPEJL_LOOKUP_KEY": TEST_LOOKUP_KEY,
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_check_deploy_requires_the_export_key() -> None:
    result = _run_manage(
        "check",
        "--deploy",
        env={
            "SPEJL_ENV": "production",
            "DJANGO_SECRET_KEY": "k" * 30 + "Q3x9!vR2#mP8&sL5^tW1*zY7",
            "DJANGO_ALLOWED_HOSTS": "spejl.example",
        },
    )
    assert result.returncode != 0
    assert "SPEJL_EXPORT_KEY" in result.stdout + result.stderr
    assert "SPEJL_FIELD_KEYS" in result.stdout + result.stderr
    assert "SPEJL_LOOKUP_KEY" in result.stdout + result.stderr


def test_an_english_browser_still_gets_danish_until_english_is_chosen(
    world: World, client_as: Any
) -> None:
    client = client_as("coordinator_a")
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert '<html lang="da">' in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()


def test_dashboard_counts_venues_and_people_without_multiplying_them(
    world: World, client_as: Any
) -> None:
    from spejl.testing.factories import VenueFactory

    VenueFactory(organisation=world.org_a)
    summary = client_as("coordinator_a").get("/").context["dashboard"].coordinated[0]
    assert (summary.venues, summary.coordinators, summary.facilitators) == (2, 2, 1)
