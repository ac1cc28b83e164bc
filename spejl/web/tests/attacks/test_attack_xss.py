"""Cross-site scripting: script, an event handler, template syntax and ``javascript:`` put into
every text field that another person sees — organisation and venue names, group titles,
meeting themes and logs, participants', enquirers' and facilitators' names, enquiry messages,
intake notes — then every page of Spejl (walked from the URL patterns) is rendered as the
staff who would see them: the text comes back escaped, never as markup.

The public enquiry form is attacked through the form itself; a browser test shows that even a
page with the payloads runs no injected code and breaks no rule of the Content-Security-Policy.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from spejl.conftest import World
from spejl.enquiries.models import Enquiry
from spejl.enquiries.tests.fixtures import enquiry_a
from spejl.groups.models import MeetingLog
from spejl.intake.tests.fixtures import intake_a
from spejl.testing.groups import group_a, make_group, todays_meeting
from spejl.testing.participants import waiting_participant
from spejl.web.tests.attacks.helpers import all_url_names, url_for


def payload(field: str) -> str:
    """Markup a browser would run if it were not escaped, marked with the field's name."""
    return f'<script>alert("{field}")</script>"><img src=x onerror=alert("{field}")>{{{{7*7}}}}'


def escaped(field: str) -> str:
    return f"&lt;script&gt;alert(&quot;{field}&quot;)&lt;/script&gt;"


RAW_MARKERS = ("<script>alert(", "<img src=x onerror")


def _plant(world: World) -> list[str]:
    """Put a payload in each shown text field; the fields' names."""
    world.org_a.name = payload("organisation")
    world.org_a.save()
    world.venue_a.name = payload("venue")
    world.venue_a.save()
    world.facilitator_a.full_name = payload("facilitator")
    world.facilitator_a.save()
    make_group(world, title=payload("group"), participants=1)
    waiting_participant(world, first_name=payload("participant"))
    meeting = todays_meeting(group_a(world))
    meeting.theme_da = payload("theme")
    meeting.save()
    MeetingLog.objects.create(
        meeting=meeting, theme_covered=payload("log"), atmosphere=3, note=payload("lognote")
    )
    enquiry = enquiry_a(world)
    enquiry.message = payload("message")
    enquiry.save()
    intake = intake_a(world)
    intake.decision_note = payload("intakenote")
    intake.composition_wishes = payload("wishes")
    intake.accessibility_needs = payload("needs")
    intake.save()
    return [
        "organisation",
        "venue",
        "facilitator",
        "group",
        "participant",
        "theme",
        "log",
        "lognote",
        "message",
        "intakenote",
        "wishes",
        "needs",
    ]


def _html_pages(client: Client, world: World) -> dict[str, str]:
    pages = {}
    for name in all_url_names():
        response = client.get(url_for(name, world))
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            pages[name] = response.content.decode()
    return pages


@pytest.mark.parametrize("role", ["national_admin", "coordinator_a", "facilitator_a"])
def test_payloads_in_every_shown_text_field_come_back_escaped(
    role: str, world: World, client_as: Any
) -> None:
    fields = _plant(world)
    pages = _html_pages(client_as(role), world)
    raw = [
        f"{name}: {marker}"
        for name, html in pages.items()
        for marker in RAW_MARKERS
        if marker in html
    ]
    assert raw == []
    shown = {field for field in fields for html in pages.values() if escaped(field) in html}
    # Each field is shown escaped somewhere to the staff who may see it.
    must_see = {"organisation", "venue", "group", "theme"}
    if role != "facilitator_a":
        must_see |= {"participant", "message", "intakenote", "facilitator"}
    assert must_see <= shown, must_see - shown


def test_the_public_enquiry_form_stores_markup_as_text(world: World, client_as: Any) -> None:
    Client().post(
        reverse("enquiries:ask"),
        {
            "first_name": payload("enquirer"),
            "email": "xss@example.org",
            "phone": "",
            "preferred_contact": "email",
            "postcode": "8000",
            "birth_year": "1961",
            "choice": "",
            "heard_about": "doctor",
            "message": payload("asked"),
            "form_token": "token-xss",
            "website": "",
        },
    )
    enquiry = next(e for e in Enquiry.objects.all() if e.email == "xss@example.org")
    assert enquiry.message == payload("asked")  # kept as typed: escaping is the page's job
    coordinator = client_as("national_admin")
    for url in (reverse("enquiries:list"), url_for("enquiries:list", world)):
        html = coordinator.get(url).content.decode()
        assert not any(marker in html for marker in RAW_MARKERS)
    detail = coordinator.get(reverse("enquiries:detail", kwargs={"enquiry_id": enquiry.public_id}))
    html = detail.content.decode()
    assert escaped("asked") in html and escaped("enquirer") in html
    assert not any(marker in html for marker in RAW_MARKERS)


def test_a_javascript_url_is_refused_as_an_organisations_website(
    world: World, client_as: Any
) -> None:
    url = reverse("organisations:edit", kwargs={"org_slug": world.org_a.slug})
    client = client_as("coordinator_a")
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    for field in form.fields:
        data.setdefault(field, "")
    data["website"] = "javascript:alert(1)"
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}
    response = client.post(url, data)
    assert response.status_code in (200, 400)
    world.org_a.refresh_from_db()
    assert not world.org_a.website.startswith("javascript")
    html = client.get(reverse("organisations:detail", kwargs={"org_slug": world.org_a.slug}))
    assert 'href="javascript:' not in html.content.decode()


@pytest.mark.browser
def test_a_page_full_of_payloads_runs_no_injected_code(
    live_server: Any, page: Any, world: World
) -> None:

    _plant(world)
    dialogs: list[str] = []
    violations: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    # Logged in by the session cookie: the login form is not what is attacked here.
    client = Client()
    client.force_login(world.national_admin)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    for name in ("enquiries:list", "participants:waitlist", "groups:list", "intake:detail"):
        page.goto(live_server.url + url_for(name, world))
        page.wait_for_load_state("load")
        assert page.locator("script:not([src]):not([type='application/json'])").count() == 0
    assert dialogs == []
    assert violations == []
