"""With the second factor required (as in production), walk every URL pattern of Spejl as every
staff role and show that no staff page is reachable without a second factor.

Three states of a staff login, each walked over every URL pattern (objects of organisation A,
as in ``test_url_matrix.py``):

1. no factor enrolled: every staff page sends the person to enrolment; public pages answer
   as the access matrix says;
2. a factor enrolled but the login not through its second step (password typed, code not;
   or a session that skipped the step): nothing staff-only is reachable;
3. logged in with password and a valid code: every page answers as the access matrix says.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from spejl.access.matrix import MATRIX, ROLES
from spejl.access.tests.test_url_matrix import all_url_names, url_for
from spejl.accounts.models import User
from spejl.accounts.second_factor import ALWAYS_ALLOWED_URL_NAMES, EXEMPT_URL_NAMES
from spejl.accounts.testing import force_login_recently
from spejl.accounts.tests.two_factor import (
    LOGIN_URL,
    SETUP_URL,
    enrol_totp,
    full_login,
    password_step,
)
from spejl.conftest import World

STAFF_ROLES = ("national_admin", "coordinator_a", "coordinator_b", "facilitator_a", "evaluator")


def _public(name: str) -> bool:
    """The matrix does not send anonymous visitors to the login page."""
    rule = MATRIX[name]
    anonymous = rule.post_only[0] if rule.post_only else rule.status("anonymous")
    return anonymous != 302


def _expected(name: str, role: str) -> int:
    rule = MATRIX[name]
    return rule.post_only[ROLES.index(role)] if rule.post_only else rule.status(role)


def _ask(client: Client, name: str, url: str) -> Any:
    """GET the URL, or POST for POST-only URLs, leaving no change behind."""
    with transaction.atomic():
        response = client.post(url, {}) if MATRIX[name].post_only else client.get(url)
        transaction.set_rollback(True)
    return response


def _sent_to(response: Any, prefix: str) -> bool:
    return bool(response.status_code == 302 and response["Location"].startswith(prefix))


@pytest.fixture
def walk(world: World, settings: Any) -> list[tuple[str, str]]:
    """Every URL pattern with its URL, and the second factor required."""
    settings.SPEJL_REQUIRE_2FA = True
    return [(name, url_for(name, world)) for name in all_url_names()]


def _staff(world: World) -> dict[str, User]:
    users = {role: world.user(role) for role in STAFF_ROLES}
    return {role: user for role, user in users.items() if user is not None}


#: Pages that send a user without a factor to enrolment.
STAFF_ONLY = [n for n in all_url_names() if not _public(n) and n not in EXEMPT_URL_NAMES]
#: Pages a login with an enrolled factor reaches only after proving it (the enrolment and
#: factor pages too).
NEEDS_PROOF = [n for n in all_url_names() if not _public(n) and n not in ALWAYS_ALLOWED_URL_NAMES]


def test_the_walk_covers_the_staff_pages() -> None:
    assert len(STAFF_ONLY) > 100
    assert {"evaluation:exports", "accounts:staff_list", "web:dashboard"} <= set(STAFF_ONLY)
    assert {"enquiries:finder", "participants:page"}.isdisjoint(STAFF_ONLY)
    assert {"mfa_add_webauthn", "mfa_index"} <= set(NEEDS_PROOF) - set(STAFF_ONLY)


def test_without_a_factor_every_staff_page_sends_to_enrolment(
    world: World, walk: list[tuple[str, str]]
) -> None:
    wrong = []
    for role, user in _staff(world).items():
        client = force_login_recently(Client(), user)
        for name, url in walk:
            response = _ask(client, name, url)
            if _public(name):
                ok = response.status_code == _expected(name, role)
            elif name in EXEMPT_URL_NAMES:
                ok = not _sent_to(response, SETUP_URL)
            else:
                ok = _sent_to(response, SETUP_URL)
            if not ok:
                wrong.append((role, name, response.status_code, response.get("Location")))
    assert wrong == []


def test_with_a_factor_but_no_second_step_nothing_staff_only_is_reachable(
    world: World, walk: list[tuple[str, str]]
) -> None:
    staff = _staff(world)
    for user in staff.values():
        enrol_totp(user)
    wrong = []
    for role, user in staff.items():
        halfway = Client()
        assert password_step(halfway, user).status_code == 302
        for name, url in walk:
            if name not in NEEDS_PROOF:
                continue
            # Password typed, code not: allauth has not logged the person in.
            response = _ask(halfway, name, url)
            if not _sent_to(response, LOGIN_URL):
                wrong.append(("halfway", role, name, response.status_code))
            # A session logged in some other way, with no record of the second step.
            response = _ask(force_login_recently(Client(), user), name, url)
            if not _sent_to(response, LOGIN_URL):
                wrong.append(("skipped", role, name, response.status_code))
    assert wrong == []


def test_after_password_and_code_every_page_answers_as_the_matrix_says(
    world: World, walk: list[tuple[str, str]]
) -> None:
    wrong = []
    for role, user in _staff(world).items():
        client = Client()
        full_login(client, user, enrol_totp(user))
        for name, url in walk:
            # allauth's pages for managing factors answer differently once a factor exists
            # (tested in spejl/accounts/tests/test_two_factor.py).
            if name.startswith(("mfa_", "accounts:two_factor")):
                continue
            status = _ask(client, name, url).status_code
            if status != _expected(name, role):
                wrong.append((role, name, status, _expected(name, role)))
    assert wrong == []
