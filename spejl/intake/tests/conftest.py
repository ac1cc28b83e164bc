from __future__ import annotations

import pytest

from spejl.intake.destinations import load_destinations
from spejl.intake.models import ReferralDestination


@pytest.fixture
def national_destinations(db: None) -> list[ReferralDestination]:
    """The shipped national list (loaded by a migration; loaded again after a transactional
    test's flush)."""
    load_destinations(ReferralDestination)
    return list(ReferralDestination.objects.filter(organisation=None).order_by("position"))
