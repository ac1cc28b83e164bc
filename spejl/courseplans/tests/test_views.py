"""Course plan pages: scoping, forms, bounded queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from spejl.conftest import World
from spejl.courseplans.models import CoursePlan, CoursePlanStatus
from spejl.courseplans.tests.fixtures import make_plan


def _url(name: str, plan: CoursePlan, **kwargs: Any) -> str:
    return reverse(f"courseplans:{name}", kwargs={"plan_id": plan.public_id, **kwargs})


def _meeting_post(**overrides: str) -> dict[str, str]:
    data = {"theme_da": "Fællesskab", "theme_en": "Community", "guide_da": "", "guide_en": ""}
    data.update(overrides)
    return data


def test_list_runs_a_bounded_number_of_queries(
    world: World, client_as: Any, national_plan: CoursePlan, django_assert_max_num_queries: Any
) -> None:
    client = client_as("national_admin")
    client.get(reverse("courseplans:list"))  # warm up session and caches
    for n in range(15):
        make_plan(code=f"aarhus-{n}", organisation=world.org_a, meetings=n % 4)
        make_plan(code=f"odense-{n}", organisation=world.org_b, status=CoursePlanStatus.PUBLISHED)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("courseplans:list"))
    assert response.status_code == 200
    rows = list(response.context["plans"])
    assert len(rows) == 31
    assert rows[0] == national_plan and rows[0].meeting_count == 10
    counts = {p.code: p.meeting_count for p in rows}
    assert counts["aarhus-3"] == 3 and counts["aarhus-4"] == 0


def test_detail_shows_meetings_and_what_the_actor_may_do(
    world: World, client_as: Any, national_plan: CoursePlan, django_assert_max_num_queries: Any
) -> None:
    url = _url("detail", national_plan)
    client = client_as("coordinator_a")
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    context = response.context
    assert [m.number for m in context["meetings"]] == list(range(1, 11))
    assert context["meetings"][5].is_review
    assert not context["can_edit"] and not context["can_new_version"]
    assert context["can_adapt"]
    admin = client_as("national_admin").get(url).context
    assert admin["can_new_version"] and not admin["can_edit"]
    facilitator = client_as("facilitator_a").get(url).context
    assert not facilitator["can_adapt"] and not facilitator["can_new_version"]


def test_coordinator_b_gets_404_for_organisation_a_plan_and_changes_nothing(
    world: World, client_as: Any
) -> None:
    plan = make_plan(code="aarhus-own", organisation=world.org_a)
    client = client_as("coordinator_b")
    assert client.get(_url("detail", plan)).status_code == 404
    assert client.post(_url("meeting_edit", plan, number=1), _meeting_post()).status_code == 404
    assert client.post(_url("publish", plan)).status_code == 404
    assert plan.meetings.get(number=1).theme_en == "Theme 1"
    plan.refresh_from_db()
    assert plan.status == CoursePlanStatus.DRAFT


def test_facilitator_sees_but_cannot_edit_organisation_plan(world: World, client_as: Any) -> None:
    plan = make_plan(code="aarhus-own", organisation=world.org_a)
    client = client_as("facilitator_a")
    assert client.get(_url("detail", plan)).status_code == 200
    assert client.post(_url("meeting_edit", plan, number=1), _meeting_post()).status_code == 403
    assert client.post(_url("meeting_remove", plan, number=1)).status_code == 403
    assert plan.meetings.count() == 3
    assert plan.meetings.get(number=1).theme_en == "Theme 1"


def test_national_drafts_are_hidden_from_all_but_national_admins(
    world: World, client_as: Any
) -> None:
    draft = make_plan(code="national-next", version=1)
    assert client_as("national_admin").get(_url("detail", draft)).status_code == 200
    for role in ("coordinator_a", "facilitator_a", "evaluator"):
        assert client_as(role).get(_url("detail", draft)).status_code == 404, role


def test_coordinator_edits_a_meeting_and_bad_input_keeps_what_was_typed(
    world: World, client_as: Any
) -> None:
    plan = make_plan(code="aarhus-own", organisation=world.org_a)
    client = client_as("coordinator_a")
    url = _url("meeting_edit", plan, number=2)
    response = client.post(url, _meeting_post(theme_en="  ", guide_da="Min vejledning"))
    assert response.status_code == 200
    assert "theme_en" in response.context["form"].errors
    assert response.context["form"]["guide_da"].value() == "Min vejledning"
    assert plan.meetings.get(number=2).theme_en == "Theme 2"

    response = client.post(url, _meeting_post(is_review="on"))
    assert response.status_code == 302
    assert response["Location"].endswith("#meeting-2")
    meeting = plan.meetings.get(number=2)
    assert (meeting.theme_da, meeting.theme_en, meeting.is_review) == (
        "Fællesskab",
        "Community",
        True,
    )


def test_missing_meeting_number_is_not_found(world: World, client_as: Any) -> None:
    plan = make_plan(code="aarhus-own", organisation=world.org_a)
    response = client_as("coordinator_a").get(_url("meeting_edit", plan, number=9))
    assert response.status_code == 404


def test_coordinator_adds_and_removes_meetings(world: World, client_as: Any) -> None:
    plan = make_plan(code="aarhus-own", organisation=world.org_a)
    client = client_as("coordinator_a")
    response = client.post(_url("meeting_add", plan), _meeting_post())
    assert response.status_code == 302
    assert plan.meetings.get(number=4).theme_en == "Community"
    assert client.get(_url("meeting_remove", plan, number=1)).status_code == 200
    assert client.post(_url("meeting_remove", plan, number=1)).status_code == 302
    assert list(plan.meetings.values_list("number", "theme_en")) == [
        (1, "Theme 2"),
        (2, "Theme 3"),
        (3, "Community"),
    ]


def test_editing_a_published_plan_sends_back_to_it_and_changes_nothing(
    world: World, client_as: Any, national_plan: CoursePlan
) -> None:
    client = client_as("national_admin")
    for name, kwargs, data in [
        ("edit", {}, {"title_da": "x", "title_en": "y"}),
        ("meeting_edit", {"number": 1}, _meeting_post()),
        ("meeting_add", {}, _meeting_post()),
        ("meeting_remove", {"number": 1}, {}),
    ]:
        response = client.post(_url(name, national_plan, **kwargs), data)
        assert response.status_code == 302, name
        assert response["Location"] == _url("detail", national_plan)
    national_plan.refresh_from_db()
    assert national_plan.title_en == "Self-help group against loneliness — 10 meetings"
    assert national_plan.meetings.count() == 10
    assert national_plan.meetings.get(number=1).theme_en.startswith("Getting to know")


def test_admin_makes_new_version_edits_and_publishes_it(
    world: World, client_as: Any, national_plan: CoursePlan
) -> None:
    client = client_as("national_admin")
    assert client.get(_url("new_version", national_plan)).context["error"] is None
    response = client.post(_url("new_version", national_plan))
    assert response.status_code == 302
    draft = CoursePlan.objects.get(code="national-default", version=2)
    assert response["Location"] == _url("detail", draft)

    # A second click finds the draft and makes nothing.
    response = client.post(_url("new_version", national_plan))
    assert response.status_code == 200 and response.context["open_draft"] == draft
    assert CoursePlan.objects.filter(code="national-default").count() == 2

    response = client.post(
        _url("edit", draft),
        {"title_da": "Ensomhed – 10 møder", "title_en": "Loneliness – 10 meetings"},
    )
    assert response.status_code == 302
    page = client.get(_url("publish", draft))
    assert page.context["problems"] == [] and page.context["current_published"] == national_plan
    assert client.post(_url("publish", draft)).status_code == 302
    draft.refresh_from_db()
    national_plan.refresh_from_db()
    assert draft.status == CoursePlanStatus.PUBLISHED and draft.title_en.startswith("Loneliness")
    assert national_plan.status == CoursePlanStatus.RETIRED


def test_publish_page_lists_the_problems_and_publishes_nothing(
    world: World, client_as: Any
) -> None:
    plan = make_plan(code="aarhus-big", organisation=world.org_a, meetings=21)
    client = client_as("coordinator_a")
    client.cookies["django_language"] = "en"
    response = client.post(_url("publish", plan))
    assert response.status_code == 200
    assert response.context["problems"] == [
        "A course plan needs between 1 and 20 meetings to be published."
    ]
    plan.refresh_from_db()
    assert plan.status == CoursePlanStatus.DRAFT


def test_coordinator_adapts_the_national_plan_for_their_organisation(
    world: World, client_as: Any, national_plan: CoursePlan
) -> None:
    client = client_as("coordinator_a")
    page = client.get(_url("adapt", national_plan))
    assert list(page.context["form"].fields["organisation"].queryset) == [world.org_a]
    # Another organisation's id is not a choice.
    response = client.post(_url("adapt", national_plan), {"organisation": world.org_b.pk})
    assert response.status_code == 200 and "organisation" in response.context["form"].errors
    response = client.post(_url("adapt", national_plan), {"organisation": world.org_a.pk})
    assert response.status_code == 302
    copy = CoursePlan.objects.get(code="aarhus-national-default")
    assert copy.organisation == world.org_a and copy.status == CoursePlanStatus.DRAFT
    assert response["Location"] == _url("detail", copy)
    # Coordinator B does not see A's copy, but sees the national plan.
    assert client_as("coordinator_b").get(_url("detail", copy)).status_code == 404
    assert client_as("coordinator_b").get(_url("detail", national_plan)).status_code == 200


@pytest.mark.parametrize("role", ["facilitator_a", "evaluator"])
def test_roles_without_a_coordinator_role_cannot_adapt(
    world: World, client_as: Any, national_plan: CoursePlan, role: str
) -> None:
    client = client_as(role)
    response = client.post(_url("adapt", national_plan), {"organisation": world.org_a.pk})
    assert response.status_code == 403
    assert not CoursePlan.objects.exclude(organisation=None).exists()


def test_own_organisation_plan_offers_no_copy_to_its_coordinator(
    world: World, client_as: Any
) -> None:
    plan = make_plan(code="aarhus-own", organisation=world.org_a, status=CoursePlanStatus.PUBLISHED)
    coordinator = client_as("coordinator_a")
    detail = coordinator.get(_url("detail", plan)).context
    assert not detail["can_adapt"] and detail["can_new_version"]
    page = coordinator.get(_url("adapt", plan))
    assert page.status_code == 200 and not page.context["has_choices"]
    assert client_as("national_admin").get(_url("detail", plan)).context["can_adapt"]
