"""Reads of course plans, scoped to the acting user. Course plans hold no personal data."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet

from spejl.access.actor import Actor, NotFound
from spejl.courseplans.models import CoursePlan, CoursePlanMeeting, CoursePlanStatus
from spejl.courseplans.policies import publish_problems
from spejl.organisations.models import Organisation
from spejl.organisations.permissions import check_can_view_organisation
from spejl.web.text import danish


def _visible_plans(actor: Actor) -> QuerySet[CoursePlan]:
    """The plans the actor may see (mirrors ``permissions.can_view_course_plan``)."""
    if not actor.is_staff:
        return CoursePlan.objects.none()
    national = Q(organisation__isnull=True)
    if not (actor.is_national_admin or actor.is_system):
        national &= ~Q(status=CoursePlanStatus.DRAFT)
    if actor.sees_all_organisations:
        own = Q(organisation__isnull=False)
    else:
        own = Q(organisation__in=actor.member_of)
    return CoursePlan.objects.filter(national | own)


def course_plans_for_actor(*, actor: Actor) -> QuerySet[CoursePlan]:
    """Every version of the course plans the actor may see, with their meeting counts.

    National plans come first, then organisations' plans by organisation name; within a plan
    (code), the newest version first. National drafts are shown to national admins only.
    One query whatever the number of plans.
    """
    return (
        _visible_plans(actor)
        .select_related("organisation")
        .annotate(meeting_count=Count("meetings"))
        .order_by(
            danish("organisation__name").asc(nulls_first=True),
            "code",
            "-version",
        )
    )


def course_plan_get_for_actor(*, actor: Actor, public_id: str) -> CoursePlan:
    """The plan with its meetings (``plan.meetings.all()``, in order), or :class:`NotFound`
    if it does not exist or the actor may not see it."""
    plan = (
        _visible_plans(actor)
        .select_related("organisation", "based_on", "based_on__organisation")
        .prefetch_related(
            Prefetch("meetings", queryset=CoursePlanMeeting.objects.order_by("number"))
        )
        .filter(public_id=public_id)
        .first()
    )
    if plan is None:
        raise NotFound
    return plan


def course_plan_meeting_get(*, plan: CoursePlan, number: int) -> CoursePlanMeeting:
    """Meeting ``number`` of a plan fetched with :func:`course_plan_get_for_actor`."""
    for meeting in plan.meetings.all():
        if meeting.number == number:
            return meeting
    raise NotFound


def course_plan_versions(*, actor: Actor, plan: CoursePlan) -> list[CoursePlan]:
    """Every version of the plan's code that the actor may see, newest first."""
    return list(_visible_plans(actor).filter(code=plan.code).order_by("-version"))


def course_plans_usable_for_group(
    *, actor: Actor, organisation: Organisation
) -> QuerySet[CoursePlan]:
    """The published plans a new group of ``organisation`` may follow: the national ones and
    the organisation's own. :class:`NotFound` if the actor may not see the organisation."""
    return course_plans_usable_for_groups(actor=actor, organisations=[organisation])


def course_plans_usable_for_groups(
    *, actor: Actor, organisations: Iterable[Organisation]
) -> QuerySet[CoursePlan]:
    """The published plans usable by groups of any of ``organisations`` (for a form where the
    organisation is chosen too)."""
    organisations = list(organisations)
    for organisation in organisations:
        check_can_view_organisation(actor, organisation)
    return (
        CoursePlan.objects.filter(status=CoursePlanStatus.PUBLISHED)
        .filter(Q(organisation__isnull=True) | Q(organisation__in=organisations))
        .select_related("organisation")
        .order_by(F("organisation").asc(nulls_first=True), "title_da", "code")
    )


def organisations_to_adapt_into(*, actor: Actor) -> QuerySet[Organisation]:
    """The active organisations the actor may make an own copy of a plan for: those they
    coordinate (national admins: every organisation)."""
    qs = Organisation.objects.filter(is_active=True).order_by("-kind", danish("name"))
    if actor.is_national_admin or actor.is_system:
        return qs
    return qs.filter(pk__in=actor.coordinator_of)


def course_plan_open_draft(*, actor: Actor, plan: CoursePlan) -> CoursePlan | None:
    """Another version of the plan's code that is still a draft (at most one), if visible."""
    return (
        _visible_plans(actor)
        .filter(code=plan.code, status=CoursePlanStatus.DRAFT)
        .exclude(pk=plan.pk)
        .first()
    )


def course_plan_publish_problems(*, plan: CoursePlan) -> list[str]:
    """What stops ``plan`` (fetched with :func:`course_plan_get_for_actor`) from being
    published, for the confirmation page. The publish service checks again under lock."""
    newest = (
        CoursePlan.objects.filter(code=plan.code, status=CoursePlanStatus.PUBLISHED)
        .exclude(pk=plan.pk)
        .aggregate(v=Max("version"))["v"]
    )
    return publish_problems(plan, list(plan.meetings.all()), newest)
