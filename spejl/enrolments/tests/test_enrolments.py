from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.urls import reverse
from django.utils import timezone

from spejl.access.actor import NotFound, actor_for_user
from spejl.conftest import World
from spejl.enrolments import services
from spejl.enrolments.models import Enrolment, EnrolmentState
from spejl.groups.models import PeerGroup
from spejl.links.models import LinkPurpose, SecureLink
from spejl.notifications.models import Notification
from spejl.notifications.services import send_due
from spejl.testing.groups import make_group
from spejl.testing.participants import waiting_participant


@pytest.fixture(autouse=True)
def _english_messages() -> Any:
    """These tests read the English wording of messages (the Danish is checked by the UI)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def _coordinator(world: World) -> Any:
    return actor_for_user(world.coordinator_a)


def _recruiting(world: World, *, seats: int = 8, taken: int = 0) -> PeerGroup:
    group = make_group(
        world, title="Ny gruppe", status="recruiting", participants=taken, meetings_before_today=0
    )
    # Its meetings lie in the future: make the first one next week.
    for meeting in group.meetings.all():
        meeting.starts_at += timedelta(days=7)
        meeting.ends_at += timedelta(days=7)
        meeting.save()
    group.max_participants = seats
    group.save()
    return group


def test_offer_holds_a_seat_and_sends_a_link(world: World) -> None:
    group = _recruiting(world)
    participant = waiting_participant(world)
    enrolment = participant.enrolments.get()
    services.enrolment_offer(actor=_coordinator(world), enrolment=enrolment, group=group)
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.OFFERED and enrolment.group == group
    assert services.seats_taken(group) == 1
    assert [t.to_state for t in enrolment.transitions.all()] == ["offered"]
    send_due()
    link = SecureLink.objects.get(purpose=LinkPurpose.OFFER, enrolment=enrolment)
    assert link.expires_at == enrolment.offer_expires_at
    from django.core import mail

    assert "/offer/" in mail.outbox[-1].body


def test_a_full_group_gets_no_more_offers(world: World) -> None:
    group = _recruiting(world, seats=4, taken=4)
    enrolment = waiting_participant(world).enrolments.get()
    with pytest.raises(ValidationError, match="full"):
        services.enrolment_offer(actor=_coordinator(world), enrolment=enrolment, group=group)
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.WAITLISTED


def test_a_closed_group_after_its_first_meeting_gets_no_offers(world: World) -> None:
    group = make_group(world, title="Kørende", participants=2)
    enrolment = waiting_participant(world).enrolments.get()
    with pytest.raises(ValidationError, match="closed"):
        services.enrolment_offer(actor=_coordinator(world), enrolment=enrolment, group=group)
    group.reopened = True
    group.save()
    services.enrolment_offer(actor=_coordinator(world), enrolment=enrolment, group=group)


def test_coordinator_b_cannot_offer_organisation_a_people(world: World) -> None:
    group = _recruiting(world)
    enrolment = waiting_participant(world).enrolments.get()
    with pytest.raises(NotFound):
        services.enrolment_offer(
            actor=actor_for_user(world.coordinator_b), enrolment=enrolment, group=group
        )


def test_accept_decline_and_invalid_transitions(world: World) -> None:
    group = _recruiting(world)
    enrolment = waiting_participant(world).enrolments.get()
    with pytest.raises(ValidationError):
        services.enrolment_accept(enrolment=enrolment)  # nothing offered yet
    services.enrolment_offer(actor=_coordinator(world), enrolment=enrolment, group=group)
    services.enrolment_accept(enrolment=enrolment)
    again = services.enrolment_accept(enrolment=enrolment)  # twice: no change
    assert again.state == EnrolmentState.ENROLLED
    assert enrolment.transitions.filter(to_state="enrolled").count() == 1
    with pytest.raises(ValidationError):
        services.enrolment_decline(enrolment=Enrolment.objects.get(pk=enrolment.pk))


def test_an_expired_offer_cannot_be_accepted_and_the_seat_returns(world: World) -> None:
    group = _recruiting(world, seats=4, taken=3)
    enrolment = waiting_participant(world).enrolments.get()
    services.enrolment_offer(actor=_coordinator(world), enrolment=enrolment, group=group, days=1)
    later = timezone.now() + timedelta(days=2)
    with pytest.raises(ValidationError, match="expired"):
        services.enrolment_accept(enrolment=enrolment, now=later)
    assert services.enrolments_expire_due(now=later) == 1
    assert services.enrolments_expire_due(now=later) == 0  # idempotent
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.EXPIRED
    assert services.seats_taken(group) == 3
    services.enrolment_return_to_waitlist(actor=_coordinator(world), enrolment=enrolment)
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.WAITLISTED


def test_drop_needs_a_listed_reason_and_keeps_the_note_apart(world: World) -> None:
    group = make_group(world, title="Kørende", participants=1)
    enrolment = group.enrolments.get()
    with pytest.raises(ValidationError):
        services.enrolment_drop(actor=_coordinator(world), enrolment=enrolment, reason="bored")
    services.enrolment_drop(
        actor=_coordinator(world), enrolment=enrolment, reason="practical", note="Fik nyt arbejde"
    )
    enrolment.refresh_from_db()
    assert (enrolment.state, enrolment.drop_reason) == ("dropped", "practical")


def test_completing_a_group_completes_its_enrolled_participants(world: World) -> None:
    from spejl.groups.services import group_change_status

    group = make_group(world, title="Kørende", participants=2)
    group_change_status(actor=_coordinator(world), group=group, to_status="completed")
    assert set(group.enrolments.values_list("state", flat=True)) == {"completed"}


def test_waitlisting_twice_keeps_one_place_in_the_queue(world: World) -> None:
    participant = waiting_participant(world)
    first = participant.enrolments.get()
    again = services.enrolment_waitlist(actor=_coordinator(world), participant=participant)
    assert again == first and participant.enrolments.count() == 1


def test_offer_link_page_accepts_once_and_refuses_tampered_links(world: World, client: Any) -> None:
    from spejl.links.services import link_create

    group = _recruiting(world)
    enrolment = waiting_participant(world).enrolments.get()
    services.enrolment_offer(actor=_coordinator(world), enrolment=enrolment, group=group)
    token = link_create(
        purpose=LinkPurpose.OFFER,
        participant=enrolment.participant,
        enrolment=enrolment,
        expires_at=timezone.now() + timedelta(days=3),
    )
    url = reverse("participants:offer", kwargs={"token": token})
    page = client.get(url)
    assert page.status_code == 200 and group.title in page.content.decode()
    assert "Ingrid" not in page.content.decode()  # the offer page names nobody
    assert "Østergaard" not in page.content.decode()
    client.post(url, {"answer": "accept"})
    client.post(url, {"answer": "accept"})  # a second submit changes nothing
    enrolment.refresh_from_db()
    assert enrolment.state == "enrolled"
    assert enrolment.transitions.filter(to_state="enrolled").count() == 1
    bad = client.get(reverse("participants:offer", kwargs={"token": token[:-2] + "xx"}))
    assert bad.status_code == 404
    assert group.title not in bad.content.decode()


def test_guessing_links_is_throttled(world: World, client: Any) -> None:
    from django.core.cache import cache

    cache.clear()
    statuses = [
        client.get(reverse("participants:page", kwargs={"token": f"guess-{i:030d}"})).status_code
        for i in range(25)
    ]
    assert statuses[:20] == [404] * 20
    assert set(statuses[20:]) == {429}
    cache.clear()


def _offer_concurrently(world: World, group: PeerGroup, enrolments: list[Enrolment]) -> list[str]:
    actor = _coordinator(world)
    barrier = threading.Barrier(len(enrolments))
    outcomes: list[str] = []
    lock = threading.Lock()

    def offer(enrolment: Enrolment) -> None:
        try:
            barrier.wait()
            services.enrolment_offer(actor=actor, enrolment=enrolment, group=group)
            result = "offered"
        except ValidationError:
            result = "refused"
        finally:
            close_old_connections()
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=offer, args=(e,)) for e in enrolments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_concurrent_offers_never_overfill_a_group(world: World) -> None:
    """Real concurrent transactions: eight coordinators' offers race for two free seats."""
    group = _recruiting(world, seats=6, taken=4)
    people = [waiting_participant(world, first_name=f"P{i}") for i in range(8)]
    outcomes = _offer_concurrently(world, group, [p.enrolments.get() for p in people])
    assert sorted(outcomes) == ["offered"] * 2 + ["refused"] * 6
    assert services.seats_taken(group) == 6
    offered = Enrolment.objects.filter(group=group, state="offered")
    assert offered.count() == 2
    assert Notification.objects.filter(template="offer_made").count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_keep_every_accepted_place(world: World) -> None:
    group = _recruiting(world, seats=8, taken=2)
    people = [waiting_participant(world, first_name=f"A{i}") for i in range(6)]
    for person in people:
        services.enrolment_offer(
            actor=_coordinator(world), enrolment=person.enrolments.get(), group=group
        )
    barrier = threading.Barrier(12)
    errors: list[str] = []

    def accept(enrolment: Enrolment) -> None:
        try:
            barrier.wait()
            services.enrolment_accept(enrolment=enrolment)
        except ValidationError as exc:
            errors.append(str(exc))
        finally:
            connection.close()

    # Each participant's link is opened twice at the same moment (a double tap).
    threads = [
        threading.Thread(target=accept, args=(Enrolment.objects.get(pk=p.enrolments.get().pk),))
        for p in people
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Enrolment.objects.filter(group=group, state="enrolled").count() == 8
    assert services.seats_taken(group) == 8
    for person in people:
        assert person.enrolments.get().transitions.filter(to_state="enrolled").count() == 1
