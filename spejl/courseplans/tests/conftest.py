from __future__ import annotations

import pytest

from spejl.courseplans.loader import NATIONAL_DEFAULT_FILE, load_plan_file
from spejl.courseplans.models import CoursePlan, CoursePlanMeeting


@pytest.fixture
def national_plan(db: None) -> CoursePlan:
    """The shipped national default plan (loaded by a migration; loaded again after a
    transactional test's flush)."""
    load_plan_file(CoursePlan, CoursePlanMeeting, NATIONAL_DEFAULT_FILE)
    return CoursePlan.objects.get(code="national-default", version=1)
