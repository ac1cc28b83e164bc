"""A coordinator erases a participant through the confirmation page, on a 320 px phone with axe
on every page: the plan is shown first, a wrong code is refused, the right one erases, and the
participant's own link then shows the kind "link does not work" page."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from spejl.conftest import World
from spejl.links.models import LinkPurpose
from spejl.links.services import link_create
from spejl.participants.models import Participant
from spejl.testing.browser import assert_accessible
from spejl.testing.participants import waiting_participant

pytestmark = pytest.mark.browser


def _logged_in(page: Any, base: str, user: Any) -> None:
    """A session as after a password login just now (recent enough for re-authentication),
    handed to the browser as its cookie. The login page itself has its own browser tests."""
    client = Client()
    client.force_login(user)
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [{"method": "password", "at": time.time()}]
    session.save()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": base}]
    )


def test_coordinator_erases_a_participant_through_the_confirmation_page(
    live_server: Any, world: World, page: Any
) -> None:
    base = live_server.url
    participant = waiting_participant(world)
    token = link_create(purpose=LinkPurpose.PARTICIPANT_PAGE, participant=participant)

    # The participant first asks through their own page. (The live server's first request
    # imports every view, which takes long on a busy machine: wait for it.)
    page.goto(f"{base}/p/{token}/erase/", timeout=90_000)
    assert_accessible(page)
    page.get_by_role("button", name="Bed om at få mine oplysninger slettet").click()
    page.wait_for_url(f"{base}/p/{token}/")
    assert_accessible(page)

    # The coordinator (logged in with a password just now: recent enough) sees the request.
    _logged_in(page, base, world.coordinator_a)
    page.goto(f"{base}/participants/{participant.public_id}/")
    assert_accessible(page)
    page.get_by_role("link", name="Slet", exact=True).click()
    page.get_by_role("heading", name="Slet en deltager").wait_for()
    page.get_by_role("heading", name="Bliver slettet").wait_for()
    assert_accessible(page)

    # A wrong code is refused and nothing happens.
    page.get_by_label("Personen har bedt om at få sine oplysninger slettet").check()
    page.get_by_label("Skriv deltagerens kode for at bekræfte").fill("SP-AAAA-AAAA")
    page.get_by_role("button", name="Slet endeligt").click()
    page.get_by_text("Det er ikke denne deltagers kode").wait_for()
    assert_accessible(page)
    assert Participant.objects.filter(pk=participant.pk).exists()

    # The right code erases.
    page.get_by_label("Personen har bedt om at få sine oplysninger slettet").check()
    page.get_by_label("Skriv deltagerens kode for at bekræfte").fill(participant.code)
    page.get_by_role("button", name="Slet endeligt").click()
    page.get_by_role("heading", name="Slettet", exact=True).wait_for()
    assert_accessible(page)
    assert not Participant.objects.filter(pk=participant.pk).exists()

    # The participant's link now shows the kind page, and nothing about them.
    page.goto(f"{base}/p/{token}/")
    page.get_by_text("Hvis du har bedt os om at slette dine oplysninger").wait_for()
    assert "Ingrid" not in page.content()
    assert_accessible(page)
