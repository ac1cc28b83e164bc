"""The measurement plan: versions for every staff role, drafts for national admins, editing a
draft, publishing it (and every refusal), and the REDCap downloads."""

from __future__ import annotations

import csv
import html
import io
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from spejl.access.actor import Actor, NotFound, actor_for_user
from spejl.audit.models import AuditEvent
from spejl.conftest import World
from spejl.questionnaires.models import (
    InstrumentVersion,
    MeasurementPlan,
    PlanInstrument,
    PlanStatus,
)
from spejl.questionnaires.plans import (
    NotPublishable,
    instrument_set_enabled,
    plan_instruments_by_wave,
    plan_new_version,
    plan_publish,
    plan_update_draft,
    reminder_days_problem,
)
from spejl.testing.browser import assert_accessible, log_in
from spejl.testing.factories import TEST_PASSWORD
from spejl.testing.questionnaires import consenting_group, invite

pytestmark = pytest.mark.django_db

STAFF = ("national_admin", "coordinator_a", "coordinator_b", "facilitator_a", "evaluator")


@pytest.fixture
def english(client_as: Any) -> Any:
    """A client of a role that reads the pages in English."""

    def make(role: str) -> Client:
        client: Client = client_as(role)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture
def admin(world: World) -> Actor:
    return actor_for_user(world.national_admin)


@pytest.fixture
def published() -> MeasurementPlan:
    """Version 1, loaded by the migration."""
    return MeasurementPlan.objects.get(status=PlanStatus.PUBLISHED)


@pytest.fixture
def draft(admin: Actor, published: MeasurementPlan) -> MeasurementPlan:
    return plan_new_version(actor=admin).plan


def url(name: str, plan: MeasurementPlan) -> str:
    return reverse(f"questionnaires:{name}", kwargs={"measurement_plan_id": plan.public_id})


def codes(plan: MeasurementPlan) -> dict[str, list[str]]:
    return {
        wave: [i.code for i in instruments]
        for wave, instruments in plan_instruments_by_wave(plan).items()
    }


def instrument(code: str) -> InstrumentVersion:
    return InstrumentVersion.objects.get(code=code, version=1)


def page(client: Client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


# --- Seeing versions -------------------------------------------------------------------------


def test_every_staff_role_sees_the_published_version_with_its_waves(
    client_as: Any, published: MeasurementPlan
) -> None:
    for role in STAFF:
        assert client_as(role).get(reverse("questionnaires:plans")).status_code == 200, role
        assert client_as(role).get(url("plan_detail", published)).status_code == 200, role
    assert client_as("anonymous").get(url("plan_detail", published)).status_code == 302


def test_only_national_admins_see_a_draft(client_as: Any, draft: MeasurementPlan) -> None:
    assert client_as("national_admin").get(url("plan_detail", draft)).status_code == 200
    for role in ("coordinator_a", "coordinator_b", "facilitator_a", "evaluator"):
        assert client_as(role).get(url("plan_detail", draft)).status_code == 404, role
        listing = client_as(role).get(reverse("questionnaires:plans")).content.decode()
        assert url("plan_detail", draft) not in listing


def test_the_plan_page_lists_each_waves_instruments_in_order_and_explains_the_timing(
    english: Any, published: MeasurementPlan
) -> None:
    text = page(english("facilitator_a"), url("plan_detail", published))
    t0, t1, t2 = (text.index(f'id="wave-{wave}"') for wave in ("T0", "T1", "T2"))
    first_wave = text[t0:t1]
    order = [first_wave.index(key) for key in ("background.v1", "tils.v1", "who5.v1")]
    assert order == sorted(order)
    assert "closes 7 days after the first meeting starts" in first_wave
    assert "Opens at midnight (Danish time) on the day of the last meeting" in text[t1:t2]
    assert "It stays open 28 days." in text[t1:t2]
    assert "Opens at 10:00 (Danish time) 3 months after the date of the last meeting" in text[t2:]
    assert "A reminder goes out 3 and 7 days after the invitation" in text


# --- Drafts ------------------------------------------------------------------------------------


def test_a_new_version_is_a_draft_copy_of_the_published_plan(
    client_as: Any, world: World, published: MeasurementPlan
) -> None:
    response = client_as("national_admin").post(url("plan_new_version", published))
    draft = MeasurementPlan.objects.get(status=PlanStatus.DRAFT)
    assert response.status_code == 302
    assert response["Location"] == url("plan_edit", draft)
    assert draft.version == 2
    assert draft.created_by == world.national_admin
    assert codes(draft) == codes(published)
    assert draft.reminder_days == published.reminder_days
    assert AuditEvent.objects.filter(
        object_type="questionnaires.measurementplan", action="create", actor=world.national_admin
    ).exists()


def test_asking_for_a_new_version_while_a_draft_exists_goes_to_the_draft(
    client_as: Any, published: MeasurementPlan, draft: MeasurementPlan
) -> None:
    response = client_as("national_admin").post(url("plan_new_version", published))
    assert response.status_code == 302
    assert response["Location"] == url("plan_detail", draft)
    assert MeasurementPlan.objects.filter(status=PlanStatus.DRAFT).count() == 1


def test_only_national_admins_make_edit_and_publish_versions(
    client_as: Any, world: World, published: MeasurementPlan, draft: MeasurementPlan
) -> None:
    for role in ("coordinator_a", "facilitator_a", "evaluator"):
        client = client_as(role)
        assert client.post(url("plan_new_version", published)).status_code == 404, role
        assert client.get(url("plan_edit", draft)).status_code == 404, role
        assert client.post(url("plan_publish", draft)).status_code == 404, role
    assert MeasurementPlan.objects.get(pk=draft.pk).status == PlanStatus.DRAFT
    with pytest.raises(NotFound):
        plan_new_version(actor=actor_for_user(world.coordinator_a))
    with pytest.raises(NotFound):
        plan_publish(actor=actor_for_user(world.evaluator), plan=draft)


def edit_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "follow_up_months": "6",
        "answer_window_days": "21",
        "reminder_days": "2, 5, 9",
        "note": "WHO-5 first at T1; follow-up after six months.",
        "t0_tils_v1": "on",
        "t0_tils_v1_order": "1",
        "t0_who5_v1": "on",
        "t0_who5_v1_order": "2",
        "t1_tils_v1": "on",
        "t1_tils_v1_order": "2",
        "t1_who5_v1": "on",
        "t1_who5_v1_order": "1",
        "t1_experience_v1": "on",
        "t2_tils_v1": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_editing_the_draft_sets_each_waves_instruments_order_and_timing(
    client_as: Any, draft: MeasurementPlan
) -> None:
    response = client_as("national_admin").post(url("plan_edit", draft), edit_data())
    assert response.status_code == 302
    draft.refresh_from_db()
    assert codes(draft) == {
        "T0": ["tils", "who5"],
        "T1": ["who5", "tils", "experience"],  # unnumbered ones last
        "T2": ["tils"],
    }
    assert (draft.follow_up_months, draft.answer_window_days) == (6, 21)
    assert draft.reminder_days == [2, 5, 9]
    assert draft.note.startswith("WHO-5 first")
    assert AuditEvent.objects.filter(
        object_type="questionnaires.measurementplan", action="update"
    ).exists()


def test_the_edit_form_offers_only_switched_on_instruments(
    client_as: Any, draft: MeasurementPlan
) -> None:
    form = client_as("national_admin").get(url("plan_edit", draft)).content.decode()
    assert 'name="t0_who5_v1"' in form
    assert "swemwbs" not in form
    # The draft's current content is ticked.
    assert 'name="t0_background_v1" id="id_t0_background_v1" checked' in form


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("7, 3", "increasing order"),
        ("3, 3", "increasing order"),
        ("0, 3", "1 day after the invitation at the earliest"),
        ("3, 21", "fewer than 21 days after the invitation"),
        ("1, 2, 3, 4", "At most 3 reminders."),
        ("three", "Write whole days separated by commas"),
        ("2.5", "Write whole days separated by commas"),
    ],
)
def test_reminder_days_that_break_the_rules_are_refused_next_to_the_field(
    english: Any, draft: MeasurementPlan, typed: str, message: str
) -> None:
    response = english("national_admin").post(
        url("plan_edit", draft), edit_data(reminder_days=typed)
    )
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert message in text
    assert f'value="{typed}"' in text  # what was typed is kept
    draft.refresh_from_db()
    assert draft.reminder_days == [3, 7]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("follow_up_months", "0"),
        ("follow_up_months", "25"),
        ("answer_window_days", "6"),
        ("answer_window_days", "91"),
    ],
)
def test_timing_outside_the_limits_is_refused(
    client_as: Any, draft: MeasurementPlan, field: str, value: str
) -> None:
    response = client_as("national_admin").post(
        url("plan_edit", draft), edit_data(**{field: value})
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    draft.refresh_from_db()
    assert (draft.follow_up_months, draft.answer_window_days) == (3, 28)


def test_the_service_checks_the_rules_as_well(admin: Actor, draft: MeasurementPlan) -> None:
    with pytest.raises(ValidationError) as raised:
        plan_update_draft(
            actor=admin,
            plan=draft,
            waves={"T0": [instrument("tils"), instrument("tils")], "T1": [instrument("swemwbs")]},
            follow_up_months=30,
            answer_window_days=28,
            reminder_days=[5, 3],
            note="",
        )
    errors = raised.value.message_dict
    assert set(errors) == {"follow_up_months", "reminder_days", "__all__"}
    assert len(errors["__all__"]) == 2  # T0 lists one twice; SWEMWBS is switched off
    assert codes(draft)["T0"] == ["background", "tils", "who5", "direct_loneliness"]


def test_reminder_rules() -> None:
    assert reminder_days_problem([], 28) is None
    assert reminder_days_problem([3, 7, 27], 28) is None
    assert reminder_days_problem([3, 28], 28) is not None
    assert reminder_days_problem([1, 2, 3, 4], 28) is not None


# --- Published versions never change --------------------------------------------------------


def test_a_published_version_cannot_be_edited(
    client_as: Any, admin: Actor, published: MeasurementPlan
) -> None:
    before = codes(published)
    response = client_as("national_admin").get(url("plan_edit", published))
    assert response.status_code == 302
    assert response["Location"] == url("plan_detail", published)
    response = client_as("national_admin").post(url("plan_edit", published), edit_data())
    assert response.status_code == 302
    with pytest.raises(ValidationError) as raised:
        plan_update_draft(
            actor=admin,
            plan=published,
            waves={"T0": [instrument("tils")]},
            follow_up_months=3,
            answer_window_days=28,
            reminder_days=[],
            note="",
        )
    assert raised.value.code == "immutable"
    published.refresh_from_db()
    assert codes(published) == before
    assert published.follow_up_months == 3


# --- Publishing --------------------------------------------------------------------------------


def test_publishing_makes_the_draft_the_plan_in_use_and_supersedes_the_previous_one(
    client_as: Any, world: World, published: MeasurementPlan, draft: MeasurementPlan
) -> None:
    response = client_as("national_admin").post(url("plan_publish", draft))
    assert response.status_code == 302
    draft.refresh_from_db()
    published.refresh_from_db()
    assert draft.status == PlanStatus.PUBLISHED
    assert draft.published_by == world.national_admin
    assert draft.published_at is not None
    assert published.status == PlanStatus.RETIRED
    event = AuditEvent.objects.get(object_type="questionnaires.measurementplan", action="update")
    assert event.fields == ["status"]
    assert "version 1 superseded" in event.purpose


def test_publishing_twice_is_refused_the_second_time(admin: Actor, draft: MeasurementPlan) -> None:
    plan_publish(actor=admin, plan=draft)
    with pytest.raises(ValidationError) as raised:
        plan_publish(actor=admin, plan=draft)
    assert raised.value.code == "published"
    assert MeasurementPlan.objects.filter(status=PlanStatus.PUBLISHED).count() == 1


def refusal(admin: Actor, draft: MeasurementPlan) -> list[str]:
    with pytest.raises(NotPublishable) as raised, translation.override("en"):
        plan_publish(actor=admin, plan=draft)
    draft.refresh_from_db()
    assert draft.status == PlanStatus.DRAFT
    assert MeasurementPlan.objects.get(version=1).status == PlanStatus.PUBLISHED
    return raised.value.messages


def test_publishing_a_plan_with_an_empty_wave_is_refused(
    admin: Actor, draft: MeasurementPlan
) -> None:
    PlanInstrument.objects.filter(plan=draft, wave="T2").delete()
    assert any("T2 has no questionnaires" in message for message in refusal(admin, draft))


def test_publishing_a_plan_with_a_switched_off_instrument_is_refused(
    admin: Actor, draft: MeasurementPlan
) -> None:
    # Switched off behind the service's back (the service itself refuses while a plan holds it).
    InstrumentVersion.objects.filter(code="experience").update(enabled=False)
    messages = refusal(admin, draft)
    assert any("experience.v1" in m and "switched off" in m for m in messages)


def test_publishing_a_plan_whose_instruments_share_an_item_code_is_refused(
    admin: Actor, draft: MeasurementPlan
) -> None:
    who5 = instrument("who5")
    copy = dict(who5.definition, code="wellbeing")
    twin = InstrumentVersion.objects.create(
        code="wellbeing",
        version=1,
        title_da="Trivsel igen",
        title_en="Well-being again",
        definition=copy,
        content_hash="x" * 64,
    )
    PlanInstrument.objects.create(plan=draft, wave="T2", instrument=twin, position=9)
    messages = refusal(admin, draft)
    assert any("who5_1" in m and "wellbeing.v1" in m for m in messages)


def test_a_refused_publish_lists_the_reasons_on_the_plan_page(
    english: Any, draft: MeasurementPlan
) -> None:
    PlanInstrument.objects.filter(plan=draft, wave="T1").delete()
    client = english("national_admin")
    response = client.post(url("plan_publish", draft))
    assert response.status_code == 302
    text = page(client, url("plan_detail", draft))
    assert "This version cannot be published yet" in text
    assert "T1 has no questionnaires" in text
    assert 'action="' + url("plan_publish", draft) not in text  # no publish button


def test_the_previous_version_can_be_copied_to_go_back_to_it(
    admin: Actor, published: MeasurementPlan, draft: MeasurementPlan
) -> None:
    PlanInstrument.objects.filter(plan=draft, wave="T2", instrument__code="who5").delete()
    plan_publish(actor=admin, plan=draft)
    published.refresh_from_db()
    again = plan_new_version(actor=admin, source=published)
    assert again.created
    assert again.plan.version == 3
    assert codes(again.plan) == codes(published)


def test_an_instrument_switched_on_can_join_the_next_version(
    admin: Actor, draft: MeasurementPlan
) -> None:
    swemwbs = instrument_set_enabled(
        actor=admin, instrument=instrument("swemwbs"), enabled=True, licence_confirmed=True
    )
    waves = plan_instruments_by_wave(draft)
    waves["T2"].append(swemwbs)
    plan_update_draft(
        actor=admin,
        plan=draft,
        waves=waves,
        follow_up_months=3,
        answer_window_days=28,
        reminder_days=[3, 7],
        note="SWEMWBS at follow-up",
    )
    assert plan_publish(actor=admin, plan=draft).status == PlanStatus.PUBLISHED
    assert codes(draft)["T2"][-1] == "swemwbs"


# --- Downloads -------------------------------------------------------------------------------


def test_the_plans_redcap_dictionary_holds_every_instrument_once(
    client_as: Any, published: MeasurementPlan
) -> None:
    response = client_as("evaluator").get(url("plan_redcap", published))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    forms = list(dict.fromkeys(row[1] for row in rows[1:]))
    assert forms == ["background", "tils", "who5", "direct_loneliness", "experience"]
    fields = [row[0] for row in rows[1:]]
    assert len(fields) == len(set(fields))


def test_the_plans_event_file_maps_each_wave_to_its_redcap_event(
    client_as: Any, published: MeasurementPlan
) -> None:
    response = client_as("coordinator_a").get(url("plan_events", published))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["arm_num", "unique_event_name", "form"]
    assert ["1", "t0_arm_1", "background"] in rows
    assert ["1", "t1_arm_1", "experience"] in rows
    assert [row[2] for row in rows if row[1] == "t2_arm_1"] == codes(published)["T2"]


def test_a_draft_that_redcap_cannot_hold_sends_the_download_back_with_a_message(
    client_as: Any, draft: MeasurementPlan
) -> None:
    PlanInstrument.objects.filter(plan=draft).delete()
    response = client_as("national_admin").get(url("plan_redcap", draft))
    assert response.status_code == 302
    assert response["Location"] == url("plan_detail", draft)


def test_the_version_list_runs_a_bounded_number_of_queries(
    client_as: Any, admin: Actor, draft: MeasurementPlan, django_assert_max_num_queries: Any
) -> None:
    plan_publish(actor=admin, plan=draft)
    for _ in range(3):
        plan_publish(actor=admin, plan=plan_new_version(actor=admin).plan)
    client = client_as("coordinator_a")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("questionnaires:plans"))
    assert response.status_code == 200
    assert len(response.context["plans"]) == 5


# --- In a browser --------------------------------------------------------------------------------


@pytest.mark.browser
def test_national_admin_changes_the_plan_in_a_browser_and_every_page_is_accessible(
    live_server: Any, world: World, page: Any, published: MeasurementPlan
) -> None:
    """The journey at 320 px, each page scanned with axe: questionnaires, SWEMWBS switched on
    with the licence tick, a new plan version edited and published, the overview."""
    base = live_server.url
    # A group with invitations, so the overview and the group page have rows.
    invite(consenting_group(world, participants=2, title="Browsergruppen"))
    log_in(page, base, world.national_admin.email, TEST_PASSWORD)

    page.goto(base + reverse("questionnaires:instruments"))
    assert_accessible(page)
    page.goto(base + reverse("questionnaires:instrument_detail", args=["swemwbs", 1]))
    assert_accessible(page)
    page.locator("input[name=licence_confirmed]").check()
    page.locator("form[action$='/enable/'] button[type=submit]").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    assert instrument("swemwbs").enabled
    page.goto(base + reverse("questionnaires:instrument_detail", args=["who5", 1]))
    assert_accessible(page)

    page.goto(base + url("plan_detail", published))
    assert_accessible(page)
    page.locator(f"form[action='{url('plan_new_version', published)}'] button").click()
    page.wait_for_url("**/edit/")
    assert_accessible(page)
    page.locator("input[name=t2_swemwbs_v1]").check()
    page.locator("input[name=t2_swemwbs_v1_order]").fill("9")
    page.locator("input[name=reminder_days]").fill("2, 6")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    draft = MeasurementPlan.objects.get(status=PlanStatus.DRAFT)
    assert codes(draft)["T2"][-1] == "swemwbs"
    page.locator(f"form[action='{url('plan_publish', draft)}'] button").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    draft.refresh_from_db()
    assert draft.status == PlanStatus.PUBLISHED

    page.goto(base + reverse("questionnaires:plans"))
    assert_accessible(page)
    page.goto(base + reverse("questionnaires:overview"))
    assert_accessible(page)
    assert page.locator("text=Browsergruppen").count() == 1
