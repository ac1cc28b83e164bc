"""The public enquiry form: routing, kind validation, spam protection without punishing
people, no duplicates, and the calm confirmation."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from spejl.audit.models import AuditAction, AuditEvent
from spejl.conftest import TEST_LOOKUP_KEY, World
from spejl.enquiries import policies, services
from spejl.enquiries.models import Enquiry, EnquirySource, EnquiryStatus
from spejl.enquiries.policies import EnquiryDetails
from spejl.enquiries.tests.fixtures import recruiting_group
from spejl.enquiries.views import THANKS_SESSION_KEY
from spejl.notifications.models import Notification
from spejl.notifications.services import send_due
from spejl.organisations.models import Organisation, Venue
from spejl.testing.factories import postcode

ASK = reverse("enquiries:ask")
THANKS = reverse("enquiries:thanks")
FormData = Callable[..., dict[str, Any]]


def _post(client: Client, data: dict[str, Any], **extra: Any) -> Any:
    return client.post(ASK, data, **extra)


def _errors(response: Any) -> dict[str, list[str]]:
    return {
        field: [e.code or str(e.message) for e in errors]
        for field, errors in response.context["form"].errors.as_data().items()
    }


# --- The form page ----------------------------------------------------------------------------


def test_the_form_opens_with_the_group_from_the_finder_chosen(client: Client, world: World) -> None:
    group = recruiting_group(world, title="Torsdagsgruppen")
    response = client.get(ASK, {"group": str(group.public_id)})
    assert response.status_code == 200
    assert response.context["form"]["choice"].value() == f"group:{group.public_id}"
    assert response.context["chosen"].title == "Torsdagsgruppen"
    assert response.context["form"]["form_token"].value()  # a fresh one-time token


def test_an_unknown_or_closed_group_in_the_link_falls_back_to_the_nearest(
    client: Client, world: World
) -> None:
    response = client.get(ASK, {"group": "not-a-uuid"})
    assert response.status_code == 200
    assert response.context["form"]["choice"].value() in (None, "")
    assert response.context["chosen"] is None


def test_each_form_gets_its_own_token(client: Client, world: World) -> None:
    first = client.get(ASK).context["form"]["form_token"].value()
    second = client.get(ASK).context["form"]["form_token"].value()
    assert first and second and first != second


def test_the_trap_field_is_hidden_from_people_and_screen_readers(
    client: Client, world: World
) -> None:
    html = client.get(ASK).content.decode()
    assert '<div class="enquiry-trap" aria-hidden="true">' in html
    assert 'name="website" id="id_website" value="" tabindex="-1" autocomplete="off"' in html
    assert "enquiries/enquiries.css" in html


# --- Routing -------------------------------------------------------------------------------------


def test_a_chosen_group_routes_to_its_organisation(
    client: Client, world: World, form_data: FormData
) -> None:
    group = recruiting_group(world, title="Odense-gruppen", organisation=world.org_b)
    response = _post(client, form_data(postcode="9000", choice=f"group:{group.public_id}"))
    assert response.status_code == 302
    enquiry = Enquiry.objects.get()
    assert (enquiry.organisation, enquiry.group) == (world.org_b, group)
    assert enquiry.source == EnquirySource.WEB


def test_a_chosen_organisation_gets_the_enquiry(
    client: Client, world: World, form_data: FormData
) -> None:
    _post(client, form_data(postcode="8000", choice=f"organisation:{world.org_b.public_id}"))
    enquiry = Enquiry.objects.get()
    assert (enquiry.organisation, enquiry.group) == (world.org_b, None)


@pytest.mark.parametrize(
    ("code", "expected"),
    [("9000", "aalborg"), ("9400", "aalborg"), ("5200", "odense"), ("8200", "aarhus")],
)
def test_otherwise_the_nearest_member_organisation_gets_it(
    client: Client,
    world: World,
    org_aalborg: Organisation,
    form_data: FormData,
    code: str,
    expected: str,
) -> None:
    _post(client, form_data(postcode=code))
    assert Enquiry.objects.get().organisation.slug == expected


def test_the_national_secretariat_and_inactive_organisations_get_no_enquiries(
    client: Client, world: World, org_aalborg: Organisation, form_data: FormData
) -> None:
    # 7100 Vejle is the secretariat's own postcode; Aalborg is closed for now.
    Organisation.objects.filter(pk=org_aalborg.pk).update(is_active=False)
    _post(client, form_data(postcode="9000", email="a@example.org", token="a"))
    _post(client, form_data(postcode="7100", email="b@example.org", token="b"))
    assert {e.organisation.slug for e in Enquiry.objects.all()} <= {"aarhus", "odense"}
    assert Enquiry.objects.count() == 2


def test_a_group_id_that_is_not_public_falls_back_to_the_nearest(
    client: Client, world: World, form_data: FormData
) -> None:
    _post(client, form_data(postcode="5000", choice="group:not-a-uuid"))
    assert Enquiry.objects.get().organisation == world.org_b


# --- What is stored ------------------------------------------------------------------------------


def test_the_enquiry_stores_what_the_person_gave_in_their_language(
    english: Client, world: World, form_data: FormData
) -> None:
    response = _post(
        english,
        form_data(phone="0045 12 34 56 78", preferred_times=["wed-evening", "mon-morning"]),
    )
    assert response.status_code == 302
    assert response["Location"] == THANKS
    enquiry = Enquiry.objects.get()
    assert enquiry.first_name == "Birthe"
    assert enquiry.phone == "+45 12 34 56 78"
    assert enquiry.email == "birthe@example.org"
    assert enquiry.preferred_contact == "email"
    assert enquiry.postcode.code == "8000"
    assert enquiry.birth_year == 1961
    assert enquiry.heard_about == "doctor"
    assert enquiry.preferred_times == ["mon-morning", "wed-evening"]
    assert enquiry.message == "Jeg vil gerne høre mere."
    assert enquiry.language == "en"
    assert enquiry.status == EnquiryStatus.NEW
    assert enquiry.registered_by is None


def test_the_contact_fingerprint_is_a_keyed_hash_of_the_normalised_email(
    client: Client, world: World, form_data: FormData
) -> None:
    _post(client, form_data(email="  Birthe@Example.ORG "))
    enquiry = Enquiry.objects.get()
    lookup_key = base64.b64decode(TEST_LOOKUP_KEY)
    message = b"spejl.enquiries.contact_fingerprint\x00birthe@example.org"
    expected = hmac.new(lookup_key, message, hashlib.sha256).hexdigest()
    assert enquiry.contact_fingerprint == expected
    # The lookup key, kept outside the database, not SECRET_KEY.
    assert (
        enquiry.contact_fingerprint
        != salted_hmac(
            "spejl.enquiries.contact_fingerprint", "birthe@example.org", algorithm="sha256"
        ).hexdigest()
    )
    assert len(enquiry.contact_fingerprint) == 64
    assert "birthe" not in enquiry.contact_fingerprint


def test_without_an_email_the_fingerprint_comes_from_the_phone_number() -> None:
    by_spaces = policies.contact_fingerprint(email="", phone="12 34 56 78")
    by_prefix = policies.contact_fingerprint(email="", phone="+4512345678")
    assert by_spaces == by_prefix != ""
    assert policies.contact_fingerprint(email="", phone="") == ""


def test_creating_an_enquiry_is_audited_with_field_names_only(
    client: Client, world: World, form_data: FormData
) -> None:
    _post(client, form_data())
    event = AuditEvent.objects.get(action=AuditAction.CREATE)
    enquiry = Enquiry.objects.get()
    assert event.actor is None
    assert (event.object_type, event.object_id) == ("enquiries.enquiry", str(enquiry.public_id))
    assert event.organisation == world.org_a
    assert "email" in event.fields and "first_name" in event.fields
    assert "Birthe" not in str(event.fields) and "birthe@example.org" not in str(event.fields)


# --- Kind validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message_key"),
    [
        ({"postcode": "0000"}, "postcode", "unknown"),
        ({"postcode": "80x0"}, "postcode", "invalid"),
        ({"birth_year": "1800"}, "birth_year", "birth_year_implausible"),
        ({"birth_year": str(timezone.localdate().year - 10)}, "birth_year", None),
        ({"birth_year": "nineteen"}, "birth_year", "invalid"),
        ({"email": "", "phone": ""}, "phone", "no_contact"),
        ({"phone": "1234"}, "phone", "phone_invalid"),
        ({"phone": "+46 12 34 56 78"}, "phone", "phone_invalid"),
        ({"email": "", "phone": "12345678", "preferred_contact": "email"}, "email", None),
        ({"phone": "", "preferred_contact": "sms"}, "phone", "phone_missing"),
        ({"preferred_times": ["mon-night"]}, "preferred_times", None),
        ({"message": "x" * 2001}, "message", None),
        ({"first_name": ""}, "first_name", None),
    ],
)
def test_mistakes_get_a_message_next_to_the_field_and_nothing_is_stored(
    client: Client,
    world: World,
    form_data: FormData,
    changes: dict[str, Any],
    field: str,
    message_key: str | None,
) -> None:
    response = _post(client, form_data(**changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    if message_key in policies.MESSAGES:
        assert str(policies.MESSAGES[message_key]) in errors[field]
    elif message_key:
        assert message_key in _errors(response)[field]
    assert not Enquiry.objects.exists()
    # What the person typed stays in the form.
    assert response.context["form"]["first_name"].value() == changes.get("first_name", "Birthe")


def test_a_15_year_old_gets_the_kind_answer_that_groups_start_at_16(
    english: Client, world: World, form_data: FormData
) -> None:
    year = timezone.localdate().year
    response = _post(english, form_data(birth_year=str(year - 15)))
    assert response.context["form"].errors["birth_year"] == [str(policies.MESSAGES["too_young"])]
    assert "Our groups are for people aged 16 and over" in response.content.decode()
    assert not Enquiry.objects.exists()
    # 16 this year, and 110, are fine; 111 is not plausible.
    assert _post(english, form_data(birth_year=str(year - 16), token="2")).status_code == 302
    assert (
        _post(
            english, form_data(birth_year=str(year - 110), token="3", email="c@example.org")
        ).status_code
        == 302
    )
    implausible = _post(english, form_data(birth_year=str(year - 111), token="4"))
    assert implausible.context["form"].errors["birth_year"] == [
        str(policies.MESSAGES["birth_year_implausible"])
    ]


def test_a_phone_number_alone_is_enough(client: Client, world: World, form_data: FormData) -> None:
    response = _post(client, form_data(email="", phone="12 34 56 78", preferred_contact="phone"))
    assert response.status_code == 302
    assert Enquiry.objects.get().phone == "+45 12 34 56 78"


def test_the_service_applies_the_same_rules(world: World) -> None:
    with pytest.raises(services.ValidationError) as error:
        services.enquiry_submit_public(
            details=EnquiryDetails(first_name="Ib", postcode=postcode("8000"), birth_year=1950)
        )
    assert "phone" in error.value.error_dict
    assert not Enquiry.objects.exists()


# --- Spam protection that does not punish people ----------------------------------------------


def test_a_filled_trap_field_looks_like_success_but_stores_nothing(
    client: Client, world: World, form_data: FormData
) -> None:
    response = _post(client, form_data(website="http://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == THANKS
    assert not Enquiry.objects.exists()
    assert not AuditEvent.objects.exists()
    assert not Notification.objects.exists()
    thanks = client.get(THANKS)
    assert thanks.status_code == 200
    assert thanks.context["organisation"] is None


def test_a_trapped_robot_gets_success_even_with_nonsense_in_the_other_fields(
    client: Client, world: World
) -> None:
    response = _post(client, {"website": "buy now", "first_name": "", "postcode": "zzzz"})
    assert response.status_code == 302
    assert not Enquiry.objects.exists()


def test_more_than_five_enquiries_an_hour_from_one_address_are_refused_kindly(
    client: Client, world: World, form_data: FormData
) -> None:
    for n in range(policies.RATE_LIMIT):
        response = _post(
            client,
            form_data(email=f"person{n}@example.org", token=n),
            REMOTE_ADDR="198.51.100.7",
        )
        assert response.status_code == 302
    refused = _post(
        client, form_data(email="sixth@example.org", token="six"), REMOTE_ADDR="198.51.100.7"
    )
    assert refused.status_code == 429
    assert refused.context["form"].non_field_errors()
    assert refused.context["form"]["email"].value() == "sixth@example.org"
    assert Enquiry.objects.count() == policies.RATE_LIMIT
    # Another address is not affected.
    other = _post(
        client, form_data(email="sixth@example.org", token="six"), REMOTE_ADDR="203.0.113.9"
    )
    assert other.status_code == 302
    assert Enquiry.objects.count() == policies.RATE_LIMIT + 1


def test_the_rate_limit_window_ends_after_an_hour(
    client: Client, world: World, form_data: FormData, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time as time_module

    start = time_module.time()
    for n in range(policies.RATE_LIMIT):
        _post(client, form_data(email=f"p{n}@example.org", token=n), REMOTE_ADDR="192.0.2.1")
    monkeypatch.setattr(services.time, "time", lambda: start + policies.RATE_WINDOW_SECONDS + 5)
    response = _post(
        client, form_data(email="later@example.org", token="later"), REMOTE_ADDR="192.0.2.1"
    )
    assert response.status_code == 302


def test_the_cache_holds_no_address_in_clear(
    client: Client, world: World, form_data: FormData
) -> None:
    from django.db import connection

    _post(client, form_data(), REMOTE_ADDR="198.51.100.77")
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM spejl_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert keys
    assert not any("198.51.100.77" in key for key in keys)


# --- No duplicates ------------------------------------------------------------------------------


def test_sending_the_same_form_twice_creates_one_enquiry(
    client: Client, world: World, form_data: FormData
) -> None:
    data = form_data(token="double-click")
    first = _post(client, data)
    second = _post(client, data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == THANKS
    assert Enquiry.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == 1
    assert client.get(THANKS).context["organisation"] == world.org_a


def test_the_same_person_asking_again_within_ten_minutes_is_one_enquiry(
    client: Client, world: World, form_data: FormData
) -> None:
    _post(client, form_data(token="first", email="Birthe@example.org"))
    _post(client, form_data(token="second", email="birthe@example.org", message="Igen"))
    assert Enquiry.objects.count() == 1
    # Asking another organisation is a new enquiry.
    _post(
        client,
        form_data(token="third", choice=f"organisation:{world.org_b.public_id}"),
    )
    assert Enquiry.objects.count() == 2
    # After ten minutes the same person asking again is a new enquiry too.
    Enquiry.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    _post(client, form_data(token="fourth"))
    assert Enquiry.objects.count() == 3


def test_a_repeated_submit_does_not_count_against_the_rate_limit(
    client: Client, world: World, form_data: FormData
) -> None:
    data = form_data(token="same")
    for _ in range(policies.RATE_LIMIT + 2):
        assert _post(client, data, REMOTE_ADDR="198.51.100.8").status_code == 302
    assert Enquiry.objects.count() == 1
    assert (
        _post(
            client, form_data(token="new", email="x@example.org"), REMOTE_ADDR="198.51.100.8"
        ).status_code
        == 302
    )


# --- The confirmation ----------------------------------------------------------------------------


def test_the_thank_you_page_says_who_calls_and_shows_no_personal_data(
    english: Client, world: World, org_aalborg: Organisation, form_data: FormData
) -> None:
    _post(english, form_data(postcode="9000", first_name="Gudrun", email="gudrun@example.org"))
    response = english.get(THANKS)
    html = response.content.decode()
    assert response.context["organisation"] == org_aalborg
    assert "A coordinator from Frivilligcenter Aalborg will contact you" in html
    assert "98 12 34 56" in html  # the organisation's own phone
    assert "Gudrun" not in html and "gudrun@example.org" not in html
    assert "Gudrun" not in str(english.session.get(THANKS_SESSION_KEY))


def test_the_thank_you_page_works_without_a_submission(client: Client, world: World) -> None:
    response = client.get(THANKS)
    assert response.status_code == 200
    assert response.context["organisation"] is None


def test_a_confirmation_email_is_sent_in_the_persons_language(
    english: Client, world: World, form_data: FormData
) -> None:
    data = form_data(first_name="Gudrun", email="gudrun@example.org")
    _post(english, data)
    _post(english, data)  # the double click sends nothing more
    notification = Notification.objects.get()
    assert notification.template == "enquiry_received"
    assert notification.context == {"enquiry": str(Enquiry.objects.get().public_id)}
    assert send_due()["sent"] == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["gudrun@example.org"]
    assert "Dear Gudrun" in message.body
    assert "A coordinator from Selvhjælp Aarhus will contact you within a few days" in message.body
    assert english.get(THANKS).context["channel"] == "email"


def test_a_person_with_only_a_phone_number_gets_a_text_message(
    client: Client, world: World, form_data: FormData
) -> None:
    from spejl.notifications import sms

    _post(client, form_data(email="", phone="12 34 56 78", preferred_contact="sms"))
    assert Notification.objects.get().channel == "sms"
    assert send_due()["sent"] == 1
    assert [m.to for m in sms.outbox] == ["+45 12 34 56 78"]
    assert mail.outbox == []


def test_an_enquiry_erased_before_sending_gets_no_message(
    client: Client, world: World, form_data: FormData
) -> None:
    _post(client, form_data())
    Enquiry.objects.all().delete()
    assert send_due()["sent"] == 0
    assert mail.outbox == []


def test_venue_accessibility_is_shown_for_the_chosen_group(
    client: Client, world: World, venue_aalborg: Venue
) -> None:
    group = recruiting_group(
        world, title="Nord", organisation=venue_aalborg.organisation, venue=venue_aalborg
    )
    response = client.get(reverse("enquiries:finder"), {"region": "1081"})
    row = response.context["page"].object_list[0]
    assert (row.title, row.step_free_access, row.town) == ("Nord", True, "Aalborg")
    assert group.public_id == row.public_id
