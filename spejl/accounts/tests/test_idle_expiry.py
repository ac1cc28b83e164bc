"""A staff login ends after SPEJL_IDLE_MINUTES without a request; public pages are unaffected."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client

from spejl.accounts.middleware import LAST_ACTIVITY_KEY
from spejl.accounts.testing import force_login_recently
from spejl.conftest import World

pytestmark = pytest.mark.django_db


def _idle_for(client: Client, seconds: float) -> None:
    """Pretend the last request was ``seconds`` ago (the session's own clock)."""
    session = client.session
    session[LAST_ACTIVITY_KEY] = time.time() - seconds
    session.save()


def _logged_in(world: World) -> Client:
    client = force_login_recently(Client(), world.coordinator_a)
    assert client.get("/groups/").status_code == 200
    return client


def test_staff_page_after_the_idle_time_logs_out_and_explains(world: World, settings: Any) -> None:
    settings.SPEJL_IDLE_MINUTES = 30
    client = _logged_in(world)
    _idle_for(client, 31 * 60)
    response = client.get("/groups/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/groups/"
    login_page = client.get(response["Location"])
    assert "Du blev logget ud efter 30 minutter uden aktivitet" in login_page.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/groups/").status_code == 302, "and stays logged out"


def test_activity_within_the_idle_time_keeps_the_login(world: World, settings: Any) -> None:
    settings.SPEJL_IDLE_MINUTES = 30
    client = _logged_in(world)
    for _ in range(3):
        _idle_for(client, 29 * 60)
        assert client.get("/groups/").status_code == 200
        assert time.time() - client.session[LAST_ACTIVITY_KEY] < 5, "each request counts"


def test_the_idle_time_is_a_setting(world: World, settings: Any) -> None:
    settings.SPEJL_IDLE_MINUTES = 5
    client = _logged_in(world)
    _idle_for(client, 6 * 60)
    assert client.get("/groups/").status_code == 302


def test_public_pages_still_answer_after_an_expired_login(world: World, settings: Any) -> None:
    settings.SPEJL_IDLE_MINUTES = 30
    client = _logged_in(world)
    _idle_for(client, 31 * 60)
    assert client.get("/find/").status_code == 200
    assert "_auth_user_id" not in client.session, "the expired login is gone"
    assert client.get("/p/not-a-valid-token/").status_code == 404


def test_participant_link_pages_never_get_an_activity_clock(world: World) -> None:
    client = Client()
    assert client.get("/find/").status_code == 200
    assert client.get("/p/not-a-valid-token/").status_code == 404
    assert LAST_ACTIVITY_KEY not in client.session
