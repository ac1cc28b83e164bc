"""Cross-site request forgery: a logged-in person's browser sends a form forged by another site
(the session cookie goes along, the form's CSRF token does not). Every URL of Spejl — found by
walking the URL patterns — refuses it with 403 and Spejl's own page, and nothing changes.
The delivery-receipt webhook is the one deliberate exception: it takes no cookie, only its
shared secret."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from spejl.conftest import World
from spejl.web.tests.attacks.helpers import (
    all_url_names,
    changed_tables,
    forged_post,
    reset_rate_limits,
    snapshot,
    url_for,
)

#: Exempt on purpose: a machine caller authenticated by a shared secret, never a browser.
CSRF_EXEMPT = {"notifications:delivery_receipt"}


def _victim(world: World, role: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    client.get("/")  # the CSRF cookie is set, as in a real browser
    return client


@pytest.mark.parametrize("role", ["national_admin", "coordinator_a", "anonymous"])
def test_forged_posts_to_every_url_are_refused_and_change_nothing(role: str, world: World) -> None:
    urls = {name: url_for(name, world) for name in all_url_names() if name not in CSRF_EXEMPT}
    client = _victim(world, role)
    before = snapshot()
    accepted = []
    for name, url in urls.items():
        reset_rate_limits()
        response = client.post(url, forged_post())
        if response.status_code != 403:
            accepted.append(f"{name} → {response.status_code}")
            continue
        page = response.content.decode()
        assert "udløbet" in page or "expired" in page, name  # Spejl's own kind page
    assert accepted == []
    assert changed_tables(before) == []


def test_a_forged_post_with_a_stolen_token_from_another_session_is_refused(world: World) -> None:
    attacker = _victim(world, "coordinator_b")
    stolen = attacker.cookies["csrftoken"].value
    victim = _victim(world, "coordinator_a")
    before = snapshot()
    url = url_for("organisations:edit", world)
    response = victim.post(url, {**forged_post(), "csrfmiddlewaretoken": stolen})
    assert response.status_code == 403
    assert changed_tables(before) == []


def test_the_exempt_webhook_refuses_a_caller_without_the_secret(
    world: World, settings: Any
) -> None:
    settings.SPEJL_DELIVERY_WEBHOOK_SECRET = "s" * 40
    before = snapshot()
    response = Client(enforce_csrf_checks=True).post(
        url_for("notifications:delivery_receipt", world),
        {"message_id": "x", "status": "bounced"},
    )
    assert response.status_code == 403
    assert changed_tables(before) == []
