"""Course plan services and selectors: versions, own copies, immutability, publishing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import override

from spejl.access.actor import Actor, NotFound, actor_for_user
from spejl.conftest import World
from spejl.courseplans import selectors, services
from spejl.courseplans.loader import plan_content_hash, plan_data_from_models
from spejl.courseplans.models import CoursePlan, CoursePlanStatus
from spejl.courseplans.tests.fixtures import make_plan


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are matched in English (the source language), whatever is translated later.
    with override("en"):
        yield


def _actor(world: World, role: str) -> Actor:
    return actor_for_user(world.user(role))


def _themes(plan: CoursePlan) -> list[tuple[int, str]]:
    return list(plan.meetings.order_by("number").values_list("number", "theme_en"))


def test_national_admin_makes_a_draft_next_version_copying_the_meetings(
    world: World, national_plan: CoursePlan
) -> None:
    draft = services.courseplan_new_version(
        actor=_actor(world, "national_admin"), plan=national_plan
    )
    assert (draft.code, draft.version, draft.status) == ("national-default", 2, "draft")
    assert draft.organisation is None and draft.based_on == national_plan
    assert _themes(draft) == _themes(national_plan)
    assert draft.title_da == national_plan.title_da
    national_plan.refresh_from_db()
    assert national_plan.status == CoursePlanStatus.PUBLISHED  # until the draft is published


def test_only_one_draft_at_a_time_and_drafts_are_not_copied(
    world: World, national_plan: CoursePlan
) -> None:
    admin = _actor(world, "national_admin")
    draft = services.courseplan_new_version(actor=admin, plan=national_plan)
    with pytest.raises(ValidationError, match="already a draft"):
        services.courseplan_new_version(actor=admin, plan=national_plan)
    with pytest.raises(ValidationError, match="still a draft"):
        services.courseplan_new_version(actor=admin, plan=draft)
    assert CoursePlan.objects.filter(code="national-default").count() == 2


@pytest.mark.parametrize("role", ["coordinator_a", "facilitator_a", "evaluator"])
def test_only_national_admins_make_versions_of_national_plans(
    world: World, national_plan: CoursePlan, role: str
) -> None:
    with pytest.raises(PermissionDenied):
        services.courseplan_new_version(actor=_actor(world, role), plan=national_plan)


def test_coordinator_adapts_the_national_plan_as_an_organisation_draft(
    world: World, national_plan: CoursePlan
) -> None:
    coordinator = _actor(world, "coordinator_a")
    copy = services.courseplan_adapt(
        actor=coordinator, plan=national_plan, organisation=world.org_a
    )
    assert (copy.code, copy.version, copy.status) == ("aarhus-national-default", 1, "draft")
    assert copy.organisation == world.org_a and copy.based_on == national_plan
    assert _themes(copy) == _themes(national_plan)

    with pytest.raises(ValidationError, match="already a draft"):
        services.courseplan_adapt(actor=coordinator, plan=national_plan, organisation=world.org_a)
    services.courseplan_publish(actor=coordinator, plan=copy)
    again = services.courseplan_adapt(
        actor=coordinator, plan=national_plan, organisation=world.org_a
    )
    assert (again.code, again.version) == ("aarhus-national-default", 2)


def test_coordinator_cannot_adapt_into_another_organisation(
    world: World, national_plan: CoursePlan
) -> None:
    with pytest.raises(NotFound):
        services.courseplan_adapt(
            actor=_actor(world, "coordinator_a"), plan=national_plan, organisation=world.org_b
        )
    with pytest.raises(PermissionDenied):
        services.courseplan_adapt(
            actor=_actor(world, "facilitator_a"), plan=national_plan, organisation=world.org_a
        )
    assert not CoursePlan.objects.exclude(organisation=None).exists()


def test_national_admin_adapts_for_any_organisation_but_not_drafts(
    world: World, national_plan: CoursePlan
) -> None:
    admin = _actor(world, "national_admin")
    copy = services.courseplan_adapt(actor=admin, plan=national_plan, organisation=world.org_b)
    assert copy.code == "odense-national-default"
    with pytest.raises(ValidationError, match="Only a published"):
        services.courseplan_adapt(actor=admin, plan=copy, organisation=world.org_a)
    services.courseplan_publish(actor=admin, plan=copy)
    with pytest.raises(ValidationError, match="already belongs to"):
        services.courseplan_adapt(actor=admin, plan=copy, organisation=world.org_b)


def _meeting_args(**overrides: object) -> dict[str, object]:
    args: dict[str, object] = {
        "theme_da": "Nyt tema",
        "theme_en": "New theme",
        "guide_da": "",
        "guide_en": "",
        "is_review": False,
    }
    args.update(overrides)
    return args


def test_published_plans_cannot_be_changed_by_any_edit(
    world: World, national_plan: CoursePlan
) -> None:
    admin = _actor(world, "national_admin")
    before = _themes(national_plan)
    edits = [
        lambda: services.courseplan_update_draft(
            actor=admin,
            plan=national_plan,
            title_da="x",
            title_en="x",
            description_da="",
            description_en="",
        ),
        lambda: services.courseplan_meeting_update(
            actor=admin, plan=national_plan, number=1, **_meeting_args()
        ),
        lambda: services.courseplan_meeting_add(
            actor=admin, plan=national_plan, theme_da="a", theme_en="b"
        ),
        lambda: services.courseplan_meeting_remove(actor=admin, plan=national_plan, number=2),
    ]
    for edit in edits:
        with pytest.raises(ValidationError) as excinfo:
            edit()
        assert excinfo.value.code == "immutable"
        assert excinfo.value.messages == [
            "A published course plan cannot be changed. Make a new version instead."
        ]
    national_plan.refresh_from_db()
    assert national_plan.title_da == "Selvhjælpsgruppe mod ensomhed — 10 møder"
    assert _themes(national_plan) == before


def test_a_draft_is_edited_and_publishing_supersedes_the_previous_version(
    world: World, national_plan: CoursePlan
) -> None:
    admin = _actor(world, "national_admin")
    draft = services.courseplan_new_version(actor=admin, plan=national_plan)
    services.courseplan_update_draft(
        actor=admin,
        plan=draft,
        title_da=" Ny titel ",
        title_en="New title",
        description_da="Beskrivelse",
        description_en="Description",
    )
    services.courseplan_meeting_update(
        actor=admin, plan=draft, number=3, **_meeting_args(guide_en="Guide", is_review=True)
    )
    published = services.courseplan_publish(actor=admin, plan=draft)
    assert published.status == CoursePlanStatus.PUBLISHED
    assert published.title_da == "Ny titel"
    assert published.published_by == world.national_admin and published.published_at
    meetings = published.meetings.order_by("number")
    assert published.content_hash == plan_content_hash(plan_data_from_models(published, meetings))
    assert published.content_hash != national_plan.content_hash
    assert meetings[2].theme_en == "New theme" and meetings[2].is_review
    national_plan.refresh_from_db()
    assert national_plan.status == CoursePlanStatus.RETIRED
    with pytest.raises(ValidationError, match="already been published"):
        services.courseplan_publish(actor=admin, plan=published)


def test_removing_a_meeting_renumbers_the_rest(world: World) -> None:
    plan = make_plan(code="aarhus-own", organisation=world.org_a, meetings=4)
    services.courseplan_meeting_remove(actor=_actor(world, "coordinator_a"), plan=plan, number=2)
    assert _themes(plan) == [(1, "Theme 1"), (2, "Theme 3"), (3, "Theme 4")]


def test_meetings_are_added_after_the_last_and_need_themes(world: World) -> None:
    coordinator = _actor(world, "coordinator_a")
    plan = make_plan(code="aarhus-own", organisation=world.org_a, meetings=2)
    meeting = services.courseplan_meeting_add(
        actor=coordinator, plan=plan, theme_da="Tre", theme_en="Three"
    )
    assert meeting.number == 3
    with pytest.raises(ValidationError) as excinfo:
        services.courseplan_meeting_add(actor=coordinator, plan=plan, theme_da="", theme_en="x")
    assert "theme_da" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        services.courseplan_meeting_update(
            actor=coordinator, plan=plan, number=1, **_meeting_args(theme_en="   ")
        )
    assert plan.meetings.count() == 3


def test_a_plan_has_between_one_and_twenty_meetings(world: World) -> None:
    coordinator = _actor(world, "coordinator_a")
    single = make_plan(code="aarhus-one", organisation=world.org_a, meetings=1)
    with pytest.raises(ValidationError, match="at least one meeting"):
        services.courseplan_meeting_remove(actor=coordinator, plan=single, number=1)
    full = make_plan(code="aarhus-full", organisation=world.org_a, meetings=20)
    with pytest.raises(ValidationError, match="at most 20"):
        services.courseplan_meeting_add(actor=coordinator, plan=full, theme_da="x", theme_en="y")
    services.courseplan_publish(actor=coordinator, plan=full)
    empty = make_plan(code="aarhus-empty", organisation=world.org_a, meetings=0)
    too_many = make_plan(code="aarhus-big", organisation=world.org_a, meetings=21)
    for plan in (empty, too_many):
        with pytest.raises(ValidationError, match="between 1 and 20 meetings"):
            services.courseplan_publish(actor=coordinator, plan=plan)
        plan.refresh_from_db()
        assert plan.status == CoursePlanStatus.DRAFT


def test_facilitators_and_other_organisations_cannot_edit_an_organisation_plan(
    world: World,
) -> None:
    plan = make_plan(code="aarhus-own", organisation=world.org_a)
    with pytest.raises(PermissionDenied):
        services.courseplan_meeting_update(
            actor=_actor(world, "facilitator_a"), plan=plan, number=1, **_meeting_args()
        )
    with pytest.raises(NotFound):
        services.courseplan_publish(actor=_actor(world, "coordinator_b"), plan=plan)
    with pytest.raises(NotFound):
        selectors.course_plan_get_for_actor(
            actor=_actor(world, "coordinator_b"), public_id=str(plan.public_id)
        )
    assert _themes(plan)[0] == (1, "Theme 1")
    # A national admin manages every organisation's plans.
    services.courseplan_publish(actor=_actor(world, "national_admin"), plan=plan)


def test_a_draft_is_not_published_over_a_newer_published_version(world: World) -> None:
    admin = _actor(world, "national_admin")
    make_plan(code="national-x", version=3, status=CoursePlanStatus.PUBLISHED)
    old_draft = make_plan(code="national-x", version=2)
    with pytest.raises(ValidationError, match="newer version"):
        services.courseplan_publish(actor=admin, plan=old_draft)


def test_plans_for_actor_are_scoped_and_national_drafts_are_for_admins(
    world: World, national_plan: CoursePlan
) -> None:
    services.courseplan_new_version(actor=_actor(world, "national_admin"), plan=national_plan)
    plan_a = make_plan(code="aarhus-own", organisation=world.org_a)
    plan_b = make_plan(code="odense-own", organisation=world.org_b)

    def seen(role: str) -> list[tuple[str, int]]:
        return [
            (p.code, p.version) for p in selectors.course_plans_for_actor(actor=_actor(world, role))
        ]

    assert seen("national_admin") == [
        ("national-default", 2),
        ("national-default", 1),
        ("odense-own", 1),  # Frivilligcenter Odense before Selvhjælp Aarhus
        ("aarhus-own", 1),
    ]
    assert seen("coordinator_a") == [("national-default", 1), ("aarhus-own", 1)]
    assert seen("facilitator_a") == [("national-default", 1), ("aarhus-own", 1)]
    assert seen("coordinator_b") == [("national-default", 1), ("odense-own", 1)]
    assert seen("evaluator") == [("national-default", 1), ("odense-own", 1), ("aarhus-own", 1)]
    assert seen("anonymous") == []
    assert plan_a.pk != plan_b.pk


def test_plans_usable_for_a_new_group_are_published_national_and_own(
    world: World, national_plan: CoursePlan
) -> None:
    coordinator = _actor(world, "coordinator_a")
    own = make_plan(code="aarhus-own", organisation=world.org_a)
    services.courseplan_publish(actor=coordinator, plan=own)
    make_plan(code="aarhus-draft", organisation=world.org_a)
    make_plan(code="aarhus-old", organisation=world.org_a, status=CoursePlanStatus.RETIRED)
    make_plan(code="odense-own", organisation=world.org_b, status=CoursePlanStatus.PUBLISHED)
    usable = selectors.course_plans_usable_for_group(actor=coordinator, organisation=world.org_a)
    assert [p.code for p in usable] == ["national-default", "aarhus-own"]
    with pytest.raises(NotFound):
        selectors.course_plans_usable_for_group(actor=coordinator, organisation=world.org_b)
