"""The URL walk, as an attacker: every URL that names an object of organisation A, requested by
roles that must not reach it — GET and a plausible POST — answers as the access matrix says
(404 for another organisation's objects, 403 where the role is refused) and changes nothing.

The URLs come from walking Spejl's URL patterns (the helpers of the access-matrix test), so a
new URL is attacked as soon as it exists.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from spejl.access.matrix import MATRIX
from spejl.conftest import World
from spejl.web.tests.attacks.helpers import (
    KWARG_FILLERS,
    OBJECT_KEYWORDS,
    all_url_names,
    changed_tables,
    forged_post,
    keywords_of,
    reset_rate_limits,
    snapshot,
    url_for,
)

#: The roles that reach none of organisation A's objects: coordinator B (another
#: organisation), and the roles whose matrix entry refuses them.
ATTACKERS = ("coordinator_b", "facilitator_a", "evaluator", "anonymous")


def _object_urls() -> list[str]:
    return [
        name
        for name in all_url_names()
        if keywords_of(name) & OBJECT_KEYWORDS and not name.startswith("account_")
    ]


def _refused(name: str, role: str) -> int | None:
    """The refusal the matrix promises ``role`` at ``name`` (None: the role may use it)."""
    rule = MATRIX[name]
    status = rule.post_only[ROLE_INDEX[role]] if rule.post_only else rule.status(role)
    return status if status in (302, 403, 404) else None


ROLE_INDEX = {
    role: index
    for index, role in enumerate(
        (
            "anonymous",
            "national_admin",
            "coordinator_a",
            "coordinator_b",
            "facilitator_a",
            "evaluator",
        )
    )
}


def test_the_walk_finds_object_urls_of_every_app() -> None:
    apps = {name.split(":")[0] for name in _object_urls()}
    assert {"organisations", "groups", "participants", "intake", "enquiries"} <= apps


@pytest.mark.parametrize("role", ATTACKERS)
def test_objects_of_organisation_a_are_refused_to_get_and_post_and_nothing_changes(
    role: str, world: World, client_as: Any
) -> None:
    client = client_as(role)
    urls = {name: url_for(name, world) for name in _object_urls()}
    before = snapshot()
    wrong: list[str] = []
    checked = 0
    for name, url in urls.items():
        expected = _refused(name, role)
        if expected is None:
            continue
        reset_rate_limits()
        checked += 1
        if not MATRIX[name].post_only:
            got = client.get(url).status_code
            if got != expected:
                wrong.append(f"GET {name} → {got}, expected {expected}")
        got = client.post(url, forged_post()).status_code
        # A GET-only page may also answer a POST with 405: still a refusal.
        allowed = (
            {expected, 405} if not (MATRIX[name].post or MATRIX[name].post_only) else {expected}
        )
        if got not in allowed:
            wrong.append(f"POST {name} → {got}, expected {expected}")
        if role == "anonymous" and got == 302:
            location = client.post(url, forged_post()).headers.get("Location", "")
            if not location.startswith("/accounts/login/"):
                wrong.append(f"POST {name} sent anonymous visitors to {location}")
    assert checked > (20 if role != "anonymous" else 5)
    assert wrong == []
    assert changed_tables(before) == []


def test_coordinator_b_cannot_reach_organisation_a_by_guessing_uuids(
    world: World, client_as: Any
) -> None:
    """A well-formed identifier that names nothing answers exactly like another
    organisation's object: 404, with no hint which of the two it was."""
    client = client_as("coordinator_b")
    for name in _object_urls():
        keywords = keywords_of(name)
        if not any(k.endswith("_id") for k in keywords) or MATRIX[name].post_only:
            continue
        if _refused(name, "coordinator_b") != 404:
            continue
        real = url_for(name, world)
        guessed = real
        for keyword in keywords:
            if keyword.endswith("_id"):
                guessed = guessed.replace(KWARG_FILLERS[keyword](world), str(uuid.uuid4()))
        response_real = client.get(real)
        response_guess = client.get(guessed)
        assert response_real.status_code == response_guess.status_code == 404, name
        # The pages differ only in the address itself (the language switch returns there)
        # and the per-render mask of the CSRF token.
        assert _plain(response_real.content, real) == _plain(response_guess.content, guessed), name


def _plain(content: bytes, url: str) -> bytes:
    text = content.replace(url.encode(), b"")
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", text)
