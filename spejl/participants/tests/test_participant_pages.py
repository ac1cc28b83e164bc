from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from spejl.access.actor import actor_for_user
from spejl.audit.models import AuditEvent
from spejl.conftest import World
from spejl.enrolments.services import enrolment_offer
from spejl.groups.models import Attendance
from spejl.links.models import LinkPurpose
from spejl.links.services import link_create, links_revoke
from spejl.notifications.models import Notification
from spejl.notifications.services import send_due
from spejl.testing.groups import group_a
from spejl.testing.participants import waiting_participant


def _page_token(participant: Any) -> str:
    return link_create(purpose=LinkPurpose.PARTICIPANT_PAGE, participant=participant)


def test_participant_page_shows_meetings_and_sends_word_of_absence(
    world: World, client: Any
) -> None:
    group = group_a(world)
    enrolment = group.enrolments.select_related("participant").first()
    assert enrolment is not None
    token = _page_token(enrolment.participant)
    page = client.get(reverse("participants:page", kwargs={"token": token}))
    assert page.status_code == 200
    future = [m for m, _mark in page.context["meetings"] if m.starts_at > timezone.now()]
    assert future, "upcoming meetings are listed"
    url = reverse(
        "participants:cannot_come", kwargs={"token": token, "meeting_id": future[0].public_id}
    )
    client.post(url)
    client.post(url)  # twice: one mark, one message per facilitator
    mark = Attendance.objects.get(meeting=future[0], enrolment=enrolment)
    assert (mark.status, mark.absence_reason) == ("absent", "informed")
    assert Notification.objects.filter(template="cannot_come").count() == 1
    send_due()
    assert mail.outbox[-1].to == [world.facilitator_a.email]


def test_participant_calendar_and_data_download(world: World, client: Any) -> None:
    group = group_a(world)
    participant = group.enrolments.first().participant  # type: ignore[union-attr]
    token = _page_token(participant)
    ics = client.get(reverse("participants:calendar", kwargs={"token": token}))
    assert ics["Content-Type"].startswith("text/calendar")
    assert ics.content.decode().count("BEGIN:VEVENT") == group.meetings.count()
    data = client.get(reverse("participants:own_data", kwargs={"token": token}), {"format": "json"})
    payload = json.loads(data.content)
    assert payload["contact"]["first_name"] == participant.contact.first_name
    assert payload["places_in_groups"][0]["group"] == group.title
    html = client.get(reverse("participants:own_data", kwargs={"token": token}))
    assert participant.contact.email in html.content.decode()


def test_a_revoked_or_unknown_link_reveals_nothing(world: World, client: Any) -> None:
    participant = waiting_participant(world)
    token = _page_token(participant)
    links_revoke(participant=participant)
    for bad in (token, "x" * 43):
        response = client.get(reverse("participants:page", kwargs={"token": bad}))
        assert response.status_code == 404
        assert "Ingrid" not in response.content.decode()
        assert "Østergaard" not in response.content.decode()


def test_coordinator_page_is_audited_and_hidden_from_other_organisations(
    world: World, client_as: Any
) -> None:
    participant = waiting_participant(world)
    url = reverse("participants:detail", kwargs={"participant_id": participant.public_id})
    for role in ("coordinator_b", "facilitator_a", "evaluator"):
        assert client_as(role).get(url).status_code == 404
    assert not AuditEvent.objects.filter(object_id=str(participant.public_id)).exists()
    response = client_as("coordinator_a").get(url)
    assert response.status_code == 200 and "Ingrid" in response.content.decode()
    event = AuditEvent.objects.get(object_id=str(participant.public_id))
    assert event.actor == world.coordinator_a and "phone" in event.fields


def test_waitlist_shows_waiting_days_and_the_funnel_counts_people(
    world: World, client_as: Any
) -> None:
    participant = waiting_participant(world)
    participant.enrolments.update(waitlisted_at=timezone.now() - timedelta(days=12))
    rows = client_as("coordinator_a").get(reverse("participants:waitlist")).context["rows"]
    assert [(r.first_name, r.days_waiting) for r in rows] == [("Ingrid", 12)]
    assert client_as("coordinator_b").get(reverse("participants:waitlist")).context["rows"] == []
    group = group_a(world)
    group.reopened = True
    group.save()
    enrolment_offer(
        actor=actor_for_user(world.coordinator_a),
        enrolment=participant.enrolments.get(),
        group=group,
    )
    funnel = client_as("coordinator_a").get(reverse("participants:pipeline")).context["funnel"]
    assert [row.organisation for row in funnel] == [world.org_a]


def test_send_page_link_delivers_a_working_link(world: World, client_as: Any) -> None:
    participant = waiting_participant(world)
    client = client_as("coordinator_a")
    client.post(reverse("participants:send_link", kwargs={"participant_id": participant.public_id}))
    send_due()
    body = mail.outbox[-1].body
    path = body[body.index("/p/") :].split()[0]
    assert client.get(path).status_code == 200


def test_offer_page_says_kindly_when_the_offer_lapsed(world: World, client: Any) -> None:
    participant = waiting_participant(world)
    group = group_a(world)
    group.reopened = True
    group.save()
    enrolment = participant.enrolments.get()
    enrolment_offer(actor=actor_for_user(world.coordinator_a), enrolment=enrolment, group=group)
    token = link_create(
        purpose=LinkPurpose.OFFER,
        participant=participant,
        enrolment=enrolment,
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    response = client.get(reverse("participants:offer", kwargs={"token": token}))
    assert response.status_code == 410
    enrolment.refresh_from_db()
    assert enrolment.state == "offered"


def test_the_participants_own_reads_are_audited_without_a_staff_actor(
    world: World, client: Any
) -> None:
    participant = waiting_participant(world)
    token = _page_token(participant)
    client.get(reverse("participants:page", kwargs={"token": token}))
    client.get(reverse("participants:own_data", kwargs={"token": token}))
    events = AuditEvent.objects.filter(object_id=str(participant.public_id))
    assert sorted(e.purpose for e in events) == ["participant's own data", "participant's own page"]
    assert all(e.actor is None for e in events)
