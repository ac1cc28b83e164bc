"""No personal data in logs, URLs or error pages.

Representative journeys — an enquiry through the public form, the staff reading and handling
it, a participant's link page, an offer answered, a questionnaire answered — run with every
logger at DEBUG; no distinctive value typed by the person appears in any log record, in any
address Spejl redirects to, or in any link, form action or source on the pages it shows. Error
pages (400, 403, 404, 500) show nothing of the request, and the server-error log line keeps
neither the form data nor the query string.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from spejl.access.actor import actor_for_user
from spejl.conftest import World
from spejl.enquiries.models import Enquiry
from spejl.enrolments.services import enrolment_offer
from spejl.links.models import LinkPurpose
from spejl.links.services import link_create
from spejl.questionnaires.tests.test_answering import answer_everything
from spejl.testing.groups import group_a
from spejl.testing.participants import waiting_participant
from spejl.testing.questionnaires import consenting_group, invite, tokens_sent_to
from spejl.web.logging import RedactQueryStrings
from spejl.web.tests.attacks.helpers import all_url_names, hrefs_and_actions, url_for

NAME = "Zephyrinaå"
EMAIL = "zephyrina.privat@example.org"
PHONE = "61728394"
MESSAGE = "Kvæsthjertesorg"
SECRETS = (NAME, EMAIL, "zephyrina", PHONE, "61 72 83 94", MESSAGE)


class Seen:
    """Every address Spejl sent a visitor to or linked to, across a journey."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def add(self, response: HttpResponse) -> HttpResponse:
        if "Location" in response.headers:
            self.urls.append(response.headers["Location"])
        if "text/html" in response.headers.get("Content-Type", ""):
            # tel: and mailto: links let staff call or write; they reach no server.
            self.urls.extend(
                url
                for url in hrefs_and_actions(response.content.decode())
                if not url.startswith(("tel:", "mailto:"))
            )
        return response


def _leaks(texts: list[str]) -> list[str]:
    return [text for text in texts if any(s.lower() in text.lower() for s in SECRETS)]


def _log_texts(caplog: pytest.LogCaptureFixture) -> list[str]:
    texts = []
    for record in caplog.records:
        texts.append(record.getMessage())
        if record.exc_info:
            texts.append(logging.Formatter().formatException(record.exc_info))
    return texts


def test_the_enquiry_journey_leaves_no_personal_data_in_logs_or_urls(
    world: World, client_as: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seen = Seen()
    visitor = Client()
    seen.add(visitor.get(reverse("enquiries:ask")))
    response = seen.add(
        visitor.post(
            reverse("enquiries:ask"),
            {
                "first_name": NAME,
                "email": EMAIL,
                "phone": "+45 61 72 83 94",
                "preferred_contact": "email",
                "postcode": "8000",
                "birth_year": "1961",
                "heard_about": "doctor",
                "message": MESSAGE,
                "form_token": "token-privacy",
                "website": "",
            },
        )
    )
    assert response.status_code == 302
    seen.add(visitor.get(response["Location"]))
    enquiry = next(e for e in Enquiry.objects.all() if e.email == EMAIL)
    staff = client_as("national_admin")
    detail = reverse("enquiries:detail", kwargs={"enquiry_id": enquiry.public_id})
    assert NAME in seen.add(staff.get(detail)).content.decode()  # the page does show it
    for name in all_url_names():
        seen.add(staff.get(url_for(name, world)))
    schedule = reverse("intake:schedule", kwargs={"enquiry_id": enquiry.public_id})
    seen.add(staff.post(schedule, {"date": "2030-01-01", "time": "10:00", "mode": "phone"}))
    assert _leaks(seen.urls) == []
    assert _leaks(_log_texts(caplog)) == []


def test_participant_links_leave_no_personal_data_in_logs_or_urls(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    participant = waiting_participant(world, first_name=NAME)
    enrolment = participant.enrolments.get()
    group = group_a(world)
    group.reopened = True
    group.save()
    enrolment_offer(actor=actor_for_user(world.coordinator_a), enrolment=enrolment, group=group)
    offer = link_create(purpose=LinkPurpose.OFFER, participant=participant, enrolment=enrolment)
    page = link_create(purpose=LinkPurpose.PARTICIPANT_PAGE, participant=participant)
    seen = Seen()
    client = Client()
    offer_url = reverse("participants:offer", kwargs={"token": offer})
    seen.add(client.get(offer_url))
    seen.add(client.post(offer_url, {"answer": "accept"}))
    page_url = reverse("participants:page", kwargs={"token": page})
    assert NAME in seen.add(client.get(page_url)).content.decode()
    seen.add(client.get(reverse("participants:own_data", kwargs={"token": page})))
    answering = consenting_group(world, participants=1)
    [invitation] = invite(answering)
    [token] = tokens_sent_to(invitation.participant.contact.email)
    answer_everything(client, token)
    seen.add(client.post(reverse("questionnaires:review", kwargs={"token": token})))
    assert _leaks(seen.urls) == []
    assert _leaks(_log_texts(caplog)) == []


@pytest.mark.urls("spejl.web.tests.attacks.urls_boom")
def test_a_server_error_shows_and_logs_nothing_of_the_request(
    db: None, caplog: pytest.LogCaptureFixture, settings: Any
) -> None:
    settings.DEBUG = False
    caplog.set_level(logging.DEBUG)
    client = Client(raise_request_exception=False)
    response = client.post(f"/boom/?email={EMAIL}", {"name": NAME, "phone": PHONE})
    assert response.status_code == 500
    page = response.content.decode()
    assert "Noget gik galt" in page
    assert _leaks([page]) == []
    assert "duplicate key" not in page and "RuntimeError" not in page
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert _leaks([record.getMessage()]) == []
    # What the configured handler writes: the filter withholds the exception's message.
    RedactQueryStrings().filter(record)
    line = logging.Formatter().format(record)
    assert "RuntimeError" in line and "Traceback" in line
    assert _leaks([line]) == []


def test_error_pages_echo_nothing_of_the_request(world: World, client_as: Any) -> None:
    query = f"?email={EMAIL}&q={NAME}"
    pages = {
        "404": Client().get("/no-such-page/" + query),
        "404 staff": client_as("coordinator_a").get("/no-such-page/" + query),
        "403": client_as("facilitator_a").get(
            reverse("organisations:edit", kwargs={"org_slug": world.org_a.slug}) + query
        ),
        "400": Client().get("/" + query, HTTP_HOST="evil.example"),
        "CSRF": Client(enforce_csrf_checks=True).post(
            reverse("enquiries:ask") + query, {"first_name": NAME, "email": EMAIL}
        ),
    }
    for what, response in pages.items():
        assert response.status_code in (400, 403, 404), what
        assert _leaks([response.content.decode()]) == [], what


def test_the_log_filter_withholds_emails_and_exception_messages() -> None:
    try:
        raise ValueError(f"Key (email)=({EMAIL}) already exists")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "spejl", logging.ERROR, __file__, 1, "sending to %s", (EMAIL,), sys.exc_info()
        )
    RedactQueryStrings().filter(record)
    line = logging.Formatter().format(record)
    assert EMAIL not in line
    assert "[e-mail]" in line and "ValueError" in line
