"""Course plan objects for tests, including the one the URL-walking access test uses."""

from __future__ import annotations

from spejl.conftest import World
from spejl.courseplans.models import CoursePlan, CoursePlanMeeting, CoursePlanStatus
from spejl.organisations.models import Organisation


def make_plan(
    *,
    code: str,
    version: int = 1,
    organisation: Organisation | None = None,
    status: str = CoursePlanStatus.DRAFT,
    meetings: int = 3,
    based_on: CoursePlan | None = None,
) -> CoursePlan:
    plan = CoursePlan.objects.create(
        code=code,
        version=version,
        organisation=organisation,
        based_on=based_on,
        title_da=f"Forløb {code} v{version}",
        title_en=f"Course {code} v{version}",
        status=status,
    )
    CoursePlanMeeting.objects.bulk_create(
        CoursePlanMeeting(
            plan=plan,
            number=n,
            theme_da=f"Tema {n}",
            theme_en=f"Theme {n}",
            guide_da=f"Vejledning {n}",
            guide_en=f"Guide {n}",
        )
        for n in range(1, meetings + 1)
    )
    return plan


def org_a_draft_plan(world: World) -> CoursePlan:
    """A draft plan of organisation A (made once per test database)."""
    existing = CoursePlan.objects.filter(code=f"{world.org_a.slug}-test-plan", version=1).first()
    if existing is not None:
        return existing
    return make_plan(code=f"{world.org_a.slug}-test-plan", organisation=world.org_a)
