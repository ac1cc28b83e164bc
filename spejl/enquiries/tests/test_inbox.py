"""The coordinators' enquiry inbox: isolation per organisation, audited reads, status
changes, registering phone calls and referrals, and conversion by the intake."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from spejl.access.actor import NotFound, actor_for_user
from spejl.audit.models import AuditAction, AuditEvent
from spejl.conftest import World
from spejl.enquiries import services
from spejl.enquiries.models import Enquiry, EnquirySource, EnquiryStatus, Referrer
from spejl.enquiries.policies import EnquiryDetails
from spejl.enquiries.selectors import (
    enquiries_for_actor,
    enquiry_counts_for_actor,
    enquiry_get_for_actor,
)
from spejl.enquiries.tests.fixtures import enquiry_a, make_enquiry
from spejl.participants.models import Participant
from spejl.testing.factories import postcode
from spejl.testing.groups import make_group

LIST = reverse("enquiries:list")


def _actor(world: World, role: str) -> Any:
    return actor_for_user(world.user(role))


def _detail(enquiry: Enquiry) -> str:
    return reverse("enquiries:detail", kwargs={"enquiry_id": enquiry.public_id})


def _status(enquiry: Enquiry) -> str:
    return reverse("enquiries:status", kwargs={"enquiry_id": enquiry.public_id})


# --- The list ------------------------------------------------------------------------------------


def test_coordinators_see_their_own_organisations_enquiries_newest_first(
    world: World, client_as: Any
) -> None:
    older = make_enquiry(world.org_a, first_name="Inge")
    Enquiry.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=3))
    newer = make_enquiry(world.org_a, first_name="Jens")
    make_enquiry(world.org_b, first_name="Ole")
    response = client_as("coordinator_a").get(LIST)
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [newer, older]
    html = response.content.decode()
    assert "Ole" not in html
    b_list = list(client_as("coordinator_b").get(LIST).context["page"].object_list)
    assert [e.first_name for e in b_list] == ["Ole"]
    admin = list(client_as("national_admin").get(LIST).context["page"].object_list)
    assert {e.first_name for e in admin} == {"Inge", "Jens", "Ole"}


def test_the_list_shows_town_age_source_and_days_since(world: World, client_as: Any) -> None:
    year = timezone.localdate().year
    enquiry = make_enquiry(
        world.org_a,
        first_name="Inge",
        postcode="8200",
        birth_year=year - 30,
        source=EnquirySource.REFERRAL,
        referrer=Referrer.GP,
    )
    Enquiry.objects.filter(pk=enquiry.pk).update(created_at=timezone.now() - timedelta(days=4))
    client = client_as("coordinator_a")
    client.cookies["django_language"] = "en"
    html = client.get(LIST).content.decode()
    assert "8200 Aarhus N" in html
    assert ">30<" in html
    assert "Referral (GP (own doctor))" in html
    assert "4 days ago" in html


def test_reading_the_list_is_audited_with_field_names_only(world: World, client_as: Any) -> None:
    make_enquiry(world.org_a, first_name="Inge")
    client_as("coordinator_a").get(LIST)
    event = AuditEvent.objects.get(action=AuditAction.READ)
    assert event.actor == world.coordinator_a
    assert event.object_type == "enquiries.enquiry"
    assert event.purpose == "enquiry inbox"
    assert sorted(event.fields) == ["birth_year", "first_name", "postcode"]


def test_the_list_filters_by_status_and_shows_open_ones_by_default(
    world: World, client_as: Any
) -> None:
    make_enquiry(world.org_a, first_name="Ny")
    make_enquiry(world.org_a, first_name="Lukket", status=EnquiryStatus.CLOSED)
    make_enquiry(world.org_a, first_name="Kontaktet", status=EnquiryStatus.CONTACTED)
    client = client_as("coordinator_a")

    def names(**query: str) -> set[str]:
        return {e.first_name for e in client.get(LIST, query).context["page"].object_list}

    assert names() == {"Ny", "Kontaktet"}
    assert names(status="closed") == {"Lukket"}
    assert names(status="all") == {"Ny", "Lukket", "Kontaktet"}
    assert names(status="new") == {"Ny"}


def test_the_list_runs_a_bounded_number_of_queries(
    world: World, client_as: Any, django_assert_max_num_queries: Any
) -> None:
    group = make_group(world, participants=0)
    client = client_as("coordinator_a")
    for n in range(3):
        make_enquiry(world.org_a, first_name=f"P{n}", group=group)
    client.get(LIST)  # warm the session
    with django_assert_max_num_queries(10):
        client.get(LIST)
    for n in range(3, 40):
        make_enquiry(world.org_a, first_name=f"P{n}", group=group)
    with django_assert_max_num_queries(10):
        response = client.get(LIST)
    assert response.context["page"].paginator.count == 40


def test_facilitators_and_evaluators_have_no_inbox(world: World, client_as: Any) -> None:
    make_enquiry(world.org_a)
    for role in ("facilitator_a", "evaluator"):
        assert client_as(role).get(LIST).status_code == 404
        with pytest.raises(NotFound):
            enquiries_for_actor(actor=_actor(world, role))
    assert not AuditEvent.objects.exists()


def test_counts_per_status_for_the_dashboard(world: World) -> None:
    make_enquiry(world.org_a, first_name="A")
    make_enquiry(world.org_a, first_name="B", status=EnquiryStatus.CLOSED)
    make_enquiry(world.org_b, first_name="C")
    counts = enquiry_counts_for_actor(actor=_actor(world, "coordinator_a"))
    assert counts["new"] == 1 and counts["closed"] == 1 and counts["converted"] == 0
    assert set(counts) == set(EnquiryStatus.values)
    assert enquiry_counts_for_actor(actor=_actor(world, "national_admin"))["new"] == 2
    assert enquiry_counts_for_actor(actor=_actor(world, "facilitator_a")) == {}
    assert enquiry_counts_for_actor(actor=_actor(world, "evaluator")) == {}


# --- One enquiry ---------------------------------------------------------------------------------


def test_the_enquiry_page_shows_everything_and_is_audited(world: World, client_as: Any) -> None:
    enquiry = make_enquiry(
        world.org_a,
        first_name="Åse",
        phone="+45 11 22 33 44",
        email="aase@example.org",
        message="Jeg bor alene.",
        preferred_times=["tue-evening"],
    )
    client = client_as("coordinator_a")
    client.cookies["django_language"] = "en"
    response = client.get(_detail(enquiry))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Åse", "+45 11 22 33 44", "aase@example.org", "Jeg bor alene.", "Tuesday evening"):
        assert text in html
    event = AuditEvent.objects.get(action=AuditAction.READ)
    assert (event.actor, event.object_id, event.organisation) == (
        world.coordinator_a,
        str(enquiry.public_id),
        world.org_a,
    )
    assert {"phone", "email", "message"} <= set(event.fields)
    assert "Åse" not in str(event.fields)


def test_another_organisations_coordinator_gets_404_and_no_audit_event(
    world: World, client_as: Any
) -> None:
    enquiry = make_enquiry(world.org_a, first_name="Åse")
    for role in ("coordinator_b", "facilitator_a", "evaluator"):
        assert client_as(role).get(_detail(enquiry)).status_code == 404
        assert client_as(role).post(_status(enquiry), {"status": "contacted"}).status_code == 404
    assert not AuditEvent.objects.exists()
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.NEW
    with pytest.raises(NotFound):
        enquiry_get_for_actor(actor=_actor(world, "coordinator_b"), public_id=enquiry.public_id)


def test_an_unknown_enquiry_is_not_found(world: World, client_as: Any) -> None:
    url = reverse("enquiries:detail", kwargs={"enquiry_id": "00000000-0000-0000-0000-000000000000"})
    assert client_as("coordinator_a").get(url).status_code == 404


def test_the_page_links_to_scheduling_the_intake_conversation(world: World, client_as: Any) -> None:
    enquiry = enquiry_a(world)
    schedule = reverse("intake:schedule", kwargs={"enquiry_id": enquiry.public_id})
    assert f'href="{schedule}"' in client_as("coordinator_a").get(_detail(enquiry)).content.decode()
    # A converted enquiry links to its participant instead.
    participant = Participant.objects.create(organisation=world.org_a)
    services.enquiry_mark_converted(
        actor=_actor(world, "coordinator_a"), enquiry=enquiry, participant=participant
    )
    html = client_as("coordinator_a").get(_detail(enquiry)).content.decode()
    assert f'href="{schedule}"' not in html
    participant_page = reverse(
        "participants:detail", kwargs={"participant_id": participant.public_id}
    )
    assert f'href="{participant_page}"' in html


# --- Status --------------------------------------------------------------------------------------


def test_marking_contacted_and_closing_with_a_reason(world: World, client_as: Any) -> None:
    enquiry = enquiry_a(world)
    client = client_as("coordinator_a")
    response = client.post(_status(enquiry), {"status": "contacted"})
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.CONTACTED
    update = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert update.fields == ["status"]
    # Closing needs a reason.
    response = client.post(_status(enquiry), {"status": "closed", "reason": " "})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.CONTACTED
    client.post(_status(enquiry), {"status": "closed", "reason": "Kunne ikke træffes"})
    enquiry.refresh_from_db()
    assert (enquiry.status, enquiry.closed_reason) == ("closed", "Kunne ikke træffes")
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).latest("id").fields == [
        "closed_reason",
        "status",
    ]


def test_a_double_submitted_status_change_changes_once(world: World) -> None:
    enquiry = enquiry_a(world)
    actor = _actor(world, "coordinator_a")
    services.enquiry_set_status(actor=actor, enquiry=enquiry, status="contacted")
    stale = Enquiry.objects.get(pk=enquiry.pk)
    services.enquiry_set_status(actor=actor, enquiry=stale, status="contacted")
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).count() == 1


def test_a_status_change_on_stale_data_is_refused_not_lost(world: World) -> None:
    enquiry = enquiry_a(world)
    stale = Enquiry.objects.get(pk=enquiry.pk)
    actor = _actor(world, "coordinator_a")
    services.enquiry_set_status(actor=actor, enquiry=enquiry, status="closed", reason="Fundet")
    with pytest.raises(ValidationError):
        services.enquiry_set_status(actor=actor, enquiry=stale, status="contacted")
    enquiry.refresh_from_db()
    assert enquiry.status == "closed"


def test_impossible_status_changes_are_refused(world: World) -> None:
    enquiry = make_enquiry(world.org_a, status=EnquiryStatus.CONVERTED)
    with pytest.raises(ValidationError):
        services.enquiry_set_status(
            actor=_actor(world, "coordinator_a"), enquiry=enquiry, status="new"
        )


def test_a_closed_enquiry_can_be_opened_again(world: World) -> None:
    enquiry = make_enquiry(world.org_a, status=EnquiryStatus.CLOSED, closed_reason="Fejl")
    services.enquiry_set_status(
        actor=_actor(world, "coordinator_a"), enquiry=enquiry, status="contacted"
    )
    enquiry.refresh_from_db()
    assert (enquiry.status, enquiry.closed_reason) == ("contacted", "")


# --- Registering by hand -------------------------------------------------------------------------


def test_a_coordinator_registers_a_referral_by_phone(world: World, client_as: Any) -> None:
    client = client_as("coordinator_a")
    assert client.get(reverse("enquiries:register")).status_code == 200
    response = client.post(
        reverse("enquiries:register"),
        {
            "organisation": world.org_a.pk,
            "source": "referral",
            "referrer": "municipality",
            "first_name": "Poul",
            "phone": "23 45 67 89",
            "email": "",
            "preferred_contact": "phone",
            "postcode": "8210",
            "birth_year": "1949",
            "preferred_times": ["thu-morning"],
            "language": "da",
            "message": "Henvist af kommunens sundhedscenter.",
        },
    )
    assert response.status_code == 302
    enquiry = Enquiry.objects.get()
    assert response["Location"] == _detail(enquiry)
    assert (enquiry.source, enquiry.referrer) == ("referral", "municipality")
    assert enquiry.registered_by == world.coordinator_a
    assert enquiry.phone == "+45 23 45 67 89"
    event = AuditEvent.objects.get(action=AuditAction.CREATE)
    assert event.actor == world.coordinator_a and "referrer" in event.fields


def test_a_double_click_on_register_registers_the_person_once(world: World, client_as: Any) -> None:
    data = {
        "organisation": world.org_a.pk,
        "source": "phone",
        "first_name": "Poul",
        "phone": "23 45 67 89",
        "postcode": "8210",
        "birth_year": "1949",
        "language": "da",
    }
    client = client_as("coordinator_a")
    first = client.post(reverse("enquiries:register"), data)
    second = client.post(reverse("enquiries:register"), data)
    assert first["Location"] == second["Location"]
    assert Enquiry.objects.count() == 1
    # Someone else on the same (shared) phone number is a new enquiry.
    client.post(reverse("enquiries:register"), {**data, "first_name": "Grethe"})
    assert Enquiry.objects.count() == 2


def test_a_referral_needs_its_referrer_and_a_coordinator_only_registers_for_their_own(
    world: World, client_as: Any
) -> None:
    client = client_as("coordinator_a")
    response = client.post(
        reverse("enquiries:register"),
        {
            "organisation": world.org_b.pk,
            "source": "referral",
            "first_name": "Poul",
            "phone": "23456789",
            "postcode": "8210",
            "birth_year": "1949",
            "language": "da",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "organisation" in errors and "referrer" in errors
    assert not Enquiry.objects.exists()
    details = EnquiryDetails(
        first_name="Poul", phone="23456789", postcode=postcode("8210"), birth_year=1949
    )
    with pytest.raises(NotFound):
        services.enquiry_register(
            actor=_actor(world, "coordinator_a"),
            organisation=world.org_b,
            source="phone",
            details=details,
        )


def test_a_coordinator_may_note_a_15_year_old(world: World) -> None:
    details = EnquiryDetails(
        first_name="Mia",
        phone="23456789",
        postcode=postcode("8000"),
        birth_year=timezone.localdate().year - 15,
    )
    enquiry = services.enquiry_register(
        actor=_actor(world, "coordinator_a"),
        organisation=world.org_a,
        source="in_person",
        details=details,
    )
    assert enquiry.age_this_year == 15


# --- Conversion (used by the intake) -------------------------------------------------------------


def test_marking_converted_links_the_participant_once(world: World) -> None:
    enquiry = enquiry_a(world)
    participant = Participant.objects.create(organisation=world.org_a)
    actor = _actor(world, "coordinator_a")
    services.enquiry_mark_converted(actor=actor, enquiry=enquiry, participant=participant)
    services.enquiry_mark_converted(actor=actor, enquiry=enquiry, participant=participant)
    enquiry.refresh_from_db()
    assert (enquiry.status, enquiry.participant) == (EnquiryStatus.CONVERTED, participant)
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).count() == 1
    other = Participant.objects.create(organisation=world.org_a)
    with pytest.raises(ValidationError):
        services.enquiry_mark_converted(actor=actor, enquiry=enquiry, participant=other)


def test_converting_to_another_organisations_participant_is_refused(world: World) -> None:
    enquiry = enquiry_a(world)
    participant = Participant.objects.create(organisation=world.org_b)
    with pytest.raises(ValidationError):
        services.enquiry_mark_converted(
            actor=_actor(world, "coordinator_a"), enquiry=enquiry, participant=participant
        )
    with pytest.raises(NotFound):
        services.enquiry_mark_converted(
            actor=_actor(world, "coordinator_b"), enquiry=enquiry, participant=participant
        )
