"""The instrument pages for staff: who sees which definition, what a definition page shows,
the REDCap and FHIR downloads, and switching instruments on and off."""

from __future__ import annotations

import csv
import html
import io
import json
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from spejl.access.actor import NotFound, actor_for_user
from spejl.audit.models import AuditEvent
from spejl.conftest import World
from spejl.questionnaires.models import InstrumentVersion
from spejl.questionnaires.plans import instrument_set_enabled, plan_new_version

pytestmark = pytest.mark.django_db

STAFF = ("national_admin", "coordinator_a", "coordinator_b", "facilitator_a", "evaluator")


def detail_url(code: str, version: int = 1, suffix: str = "") -> str:
    name = {
        "": "instrument_detail",
        "redcap": "instrument_redcap",
        "fhir": "instrument_fhir",
        "enable": "instrument_enable",
    }[suffix]
    return reverse(f"questionnaires:{name}", kwargs={"code": code, "version": version})


@pytest.fixture
def english(client_as: Any) -> Any:
    """``english("coordinator_a")``: a client of that role that reads the pages in English
    (assertions on interface text then hold after the Danish translation)."""

    def make(role: str) -> Client:
        client: Client = client_as(role)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def instrument(code: str) -> InstrumentVersion:
    return InstrumentVersion.objects.get(code=code, version=1)


def test_every_staff_role_sees_the_list_and_anonymous_visitors_are_sent_to_log_in(
    client_as: Any,
) -> None:
    for role in STAFF:
        response = client_as(role).get(reverse("questionnaires:instruments"))
        assert response.status_code == 200, role
        assert "WHO-5" in response.content.decode()
    response = client_as("anonymous").get(reverse("questionnaires:instruments"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_switched_off_instrument_in_no_plan_is_shown_to_national_roles_only(
    client_as: Any,
) -> None:
    for role in ("national_admin", "evaluator"):
        assert client_as(role).get(detail_url("swemwbs")).status_code == 200, role
        assert (
            "SWEMWBS" in client_as(role).get(reverse("questionnaires:instruments")).content.decode()
        )
    for role in ("coordinator_a", "coordinator_b", "facilitator_a"):
        assert client_as(role).get(detail_url("swemwbs")).status_code == 404, role
        assert client_as(role).get(detail_url("swemwbs", suffix="redcap")).status_code == 404
        assert (
            "SWEMWBS"
            not in client_as(role).get(reverse("questionnaires:instruments")).content.decode()
        )


def test_an_unknown_instrument_version_is_not_found(client_as: Any) -> None:
    assert client_as("national_admin").get(detail_url("who5", 9)).status_code == 404
    assert client_as("national_admin").get(detail_url("nope")).status_code == 404


def test_the_definition_page_shows_wording_options_scoring_bands_reliability_and_licence(
    client_as: Any, english: Any
) -> None:
    who5 = instrument("who5")
    page = html.unescape(client_as("coordinator_a").get(detail_url("who5")).content.decode())
    assert "I de sidste 2 uger har jeg været glad og i godt humør" in page
    assert "Hele tiden" in page and "På intet tidspunkt" in page
    assert "Topp, Østergaard, Søndergaard & Bech 2015" in page  # a band's source
    assert "0,81" in page  # the reliability, in Danish number format
    assert "Schougaard" in page  # the reliability's source
    assert "WHO-5 is free to use; cite the source." in page  # the licence
    assert "WHO-5 Well-Being Index (WHO 1998)" in page  # the attribution
    assert who5.content_hash in page
    in_english = html.unescape(english("coordinator_a").get(detail_url("who5")).content.decode())
    assert "multiplied by 4: the score runs from 0 to 100" in in_english
    assert "Every question must be answered for a score" in in_english
    assert "A higher score is better." in in_english
    assert "0.81" in in_english


def test_the_definition_page_follows_the_language(english: Any) -> None:
    page = html.unescape(english("coordinator_a").get(detail_url("who5")).content.decode())
    assert "Over the last two weeks I have felt cheerful and in good spirits" in page
    assert "I de sidste 2 uger har jeg været glad" not in page


def test_items_still_waiting_for_their_danish_wording_are_marked(english: Any) -> None:
    page = html.unescape(english("national_admin").get(detail_url("swemwbs")).content.decode())
    assert "I've been feeling optimistic about the future" in page
    # The instrument and each of its 7 items.
    assert page.count("Danish translation pending") == 1 + 7 + 1  # + the explanation
    who5 = english("national_admin").get(detail_url("who5")).content.decode()
    assert "Danish translation pending" not in who5


def test_a_lookup_instrument_shows_its_conversion_table(english: Any) -> None:
    page = english("national_admin").get(detail_url("swemwbs")).content.decode()
    assert "converted through a table: the score runs from 7 to 35" in page
    assert '<th scope="row">8</th><td data-label="Score">9.51</td>' in page


def test_the_definition_page_names_the_plan_versions_that_use_it(client_as: Any) -> None:
    page = client_as("evaluator").get(detail_url("tils")).content.decode()
    assert "T0, T1, T2" in page


def test_the_redcap_download_is_the_instruments_data_dictionary(client_as: Any) -> None:
    response = client_as("facilitator_a").get(detail_url("tils", suffix="redcap"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Variable / Field Name"
    fields = [row[0] for row in rows[1:]]
    assert fields == ["record_id", "tils_1", "tils_2", "tils_3"]
    assert "Hvor ofte føler du dig udenfor?" in response.content.decode()
    english = client_as("facilitator_a").get(detail_url("tils", suffix="redcap") + "?language=en")
    assert "How often do you feel left out?" in english.content.decode()


def test_the_fhir_download_is_a_questionnaire_resource(client_as: Any) -> None:
    response = client_as("evaluator").get(detail_url("who5", suffix="fhir"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    resource = json.loads(response.content)
    assert resource["resourceType"] == "Questionnaire"
    assert resource["url"] == settings.SPEJL_BASE_URL.rstrip("/") + "/Questionnaire/who5"
    assert resource["version"] == "1"
    questions = resource["item"][0]["item"]
    assert [q["linkId"] for q in questions if q["type"] != "display"] == [
        f"who5_{n}" for n in range(1, 6)
    ]


def test_switching_swemwbs_on_needs_the_licence_confirmed(
    client_as: Any, english: Any, world: World
) -> None:
    client = english("national_admin")
    page = client.get(detail_url("swemwbs")).content.decode()
    assert "We have registered for and hold the licence" in page
    assert "University of Warwick" in page
    response = client.post(detail_url("swemwbs", suffix="enable"), {"enabled": "1"})
    assert response.status_code == 200
    assert "Confirm that you have registered for and hold the licence" in response.content.decode()
    assert not instrument("swemwbs").enabled
    assert not AuditEvent.objects.filter(object_type="questionnaires.instrumentversion").exists()

    response = client.post(
        detail_url("swemwbs", suffix="enable"), {"enabled": "1", "licence_confirmed": "on"}
    )
    assert response.status_code == 302
    swemwbs = instrument("swemwbs")
    assert swemwbs.enabled
    assert swemwbs.enabled_changed_by == world.national_admin
    assert swemwbs.enabled_changed_at is not None
    event = AuditEvent.objects.get(object_type="questionnaires.instrumentversion")
    assert event.actor == world.national_admin
    assert event.fields == ["enabled"]
    assert event.object_id == str(swemwbs.pk)
    # Now every staff role may see it (it could be put in a plan).
    assert client_as("facilitator_a").get(detail_url("swemwbs")).status_code == 200


def test_an_instrument_shipped_switched_on_needs_no_licence_tick(world: World) -> None:
    admin = actor_for_user(world.national_admin)
    InstrumentVersion.objects.filter(code="experience").update(enabled=False)
    experience = instrument_set_enabled(
        actor=admin, instrument=instrument("experience"), enabled=True
    )
    assert experience.enabled


def test_only_national_admins_switch_instruments(client_as: Any, world: World) -> None:
    for role in ("coordinator_a", "facilitator_a", "evaluator"):
        response = client_as(role).post(
            detail_url("swemwbs", suffix="enable"), {"enabled": "1", "licence_confirmed": "on"}
        )
        assert response.status_code == 404, role
    assert not instrument("swemwbs").enabled
    with pytest.raises(NotFound):
        instrument_set_enabled(
            actor=actor_for_user(world.coordinator_a),
            instrument=instrument("swemwbs"),
            enabled=True,
            licence_confirmed=True,
        )


def test_the_enable_address_takes_posts_only(client_as: Any) -> None:
    assert (
        client_as("national_admin").get(detail_url("swemwbs", suffix="enable")).status_code == 405
    )


def test_an_instrument_of_the_plan_in_use_cannot_be_switched_off(english: Any) -> None:
    response = english("national_admin").post(detail_url("who5", suffix="enable"), {"enabled": "0"})
    assert response.status_code == 200
    assert "cannot be switched off" in response.content.decode()
    assert instrument("who5").enabled


def test_an_instrument_of_the_draft_cannot_be_switched_off(world: World) -> None:
    admin = actor_for_user(world.national_admin)
    instrument_set_enabled(
        actor=admin, instrument=instrument("swemwbs"), enabled=True, licence_confirmed=True
    )
    draft = plan_new_version(actor=admin).plan
    draft.entries.create(wave="T1", instrument=instrument("swemwbs"), position=9)
    with pytest.raises(ValidationError, match="version 2"), translation.override("en"):
        instrument_set_enabled(actor=admin, instrument=instrument("swemwbs"), enabled=False)
    assert instrument("swemwbs").enabled


def test_switching_off_an_instrument_in_no_plan_is_recorded_and_audited(world: World) -> None:
    admin = actor_for_user(world.national_admin)
    instrument_set_enabled(
        actor=admin, instrument=instrument("swemwbs"), enabled=True, licence_confirmed=True
    )
    swemwbs = instrument_set_enabled(actor=admin, instrument=instrument("swemwbs"), enabled=False)
    assert not swemwbs.enabled
    assert (
        AuditEvent.objects.filter(
            object_type="questionnaires.instrumentversion", purpose__contains="switched off"
        ).count()
        == 1
    )
    # Switching to the state it is in changes and records nothing.
    instrument_set_enabled(actor=admin, instrument=swemwbs, enabled=False)
    assert AuditEvent.objects.filter(object_type="questionnaires.instrumentversion").count() == 2


def test_the_list_runs_a_bounded_number_of_queries(
    client_as: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_as("coordinator_a")
    client.get(reverse("questionnaires:instruments"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("questionnaires:instruments"))
    assert response.status_code == 200
