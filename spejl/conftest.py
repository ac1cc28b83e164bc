"""Fixtures shared by every test: a small world with two organisations and one user per role.

Following the Healthchecks habit, organisation A has two coordinators and organisation B one,
so that every view test can also assert the cross-organisation 404.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from spejl.accounts.models import Membership, Role, User
from spejl.notifications.testing import use_immediate_tasks, use_locmem_sms
from spejl.organisations.models import Organisation, OrganisationKind, Venue
from spejl.testing.browser import chromium, page  # noqa: F401  (browser fixtures)
from spejl.testing.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    VenueFactory,
    postcode,
)

#: Fixed keys of field encryption and lookup hashes in tests (never used outside tests).
TEST_FIELD_KEYS = "test1:dGVzdC1vbmx5LWZpZWxkLWtleS0zMi1ieXRlcy1vayE="
TEST_LOOKUP_KEY = "dGVzdC1vbmx5LWxvb2t1cC1rZXktMzItYnl0ZXMtb2s="

ROLES = (
    "anonymous",
    "national_admin",
    "coordinator_a",
    "coordinator_b",
    "facilitator_a",
    "evaluator",
)


@dataclass
class World:
    national: Organisation
    org_a: Organisation
    org_b: Organisation
    venue_a: Venue
    venue_b: Venue
    national_admin: User
    coordinator_a: User
    coordinator_a2: User
    coordinator_b: User
    facilitator_a: User
    facilitator_a_membership: Membership
    evaluator: User

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    # Real hashers cost ~0.3 s per password; tests don't need the strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Text messages go to an in-memory outbox; background tasks run at once.
    use_locmem_sms(settings)
    use_immediate_tasks(settings)
    # Export files wait in a temporary directory; pseudonyms use a fixed test key.
    settings.SPEJL_EXPORT_DIR = tmp_path_factory.mktemp("exports")
    settings.SPEJL_EXPORT_KEY = "dGVzdC1vbmx5LWV4cG9ydC1rZXktMzItYnl0ZXMtbG9uZyE="
    # Contact data are encrypted with fixed test keys (docs/security.md).
    settings.SPEJL_FIELD_KEYS = TEST_FIELD_KEYS
    settings.SPEJL_LOOKUP_KEY = TEST_LOOKUP_KEY
    settings.SPEJL_LOOKUP_KEY_PREVIOUS = ""


@pytest.fixture(autouse=True)
def _fresh_cache(request: pytest.FixtureRequest) -> None:
    # Rate-limit counters live in the database cache table, which the flush between
    # transactional (browser) tests does not empty: start every test with none.
    if (
        "db" in request.fixturenames
        or "transactional_db" in request.fixturenames
        or ("live_server" in request.fixturenames)
    ):
        from django.core.cache import cache

        request.getfixturevalue(
            "transactional_db" if "live_server" in request.fixturenames else "db"
        )
        cache.clear()


@pytest.fixture
def postcodes(db: None) -> None:
    """The reference data that migrations load — postcodes, the national course plan, consent
    texts, referral destinations, instruments and the measurement plan. The flush after a
    transactional (browser) test empties them, so load them again when they are missing."""
    from django.conf import settings

    from spejl.consents.loader import load_all as load_consent_texts
    from spejl.consents.models import ConsentText
    from spejl.courseplans.loader import NATIONAL_DEFAULT_FILE, load_plan_file
    from spejl.courseplans.models import CoursePlan, CoursePlanMeeting
    from spejl.intake.destinations import load_destinations
    from spejl.intake.models import ReferralDestination
    from spejl.organisations.models import Postcode
    from spejl.organisations.postcodes import sync_postcodes
    from spejl.questionnaires.loader import load_reference_data
    from spejl.questionnaires.models import InstrumentVersion

    if not Postcode.objects.exists():
        sync_postcodes(Postcode, settings.SPEJL_POSTCODES_CSV)
        load_plan_file(CoursePlan, CoursePlanMeeting, NATIONAL_DEFAULT_FILE)
        load_consent_texts(ConsentText)
        load_destinations(ReferralDestination)
    if not InstrumentVersion.objects.exists():
        load_reference_data()


@pytest.fixture
def world(postcodes: None) -> World:
    national = OrganisationFactory(
        slug="frise",
        name="Frivilligcentre & Selvhjælp Danmark",
        kind=OrganisationKind.NATIONAL,
        municipality="Vejle",
        region="1083",
        postcode=postcode("7100"),
    )
    org_a = OrganisationFactory(slug="aarhus", name="Selvhjælp Aarhus")
    org_b = OrganisationFactory(
        slug="odense",
        name="Frivilligcenter Odense",
        municipality="Odense",
        region="1083",
        postcode=postcode("5000"),
    )
    national_admin = UserFactory(email="admin@example.org", full_name="Hanne Østergaard")
    MembershipFactory(user=national_admin, role=Role.NATIONAL_ADMIN, organisation=None)
    evaluator = UserFactory(email="evaluator@example.org", full_name="Jonas Brøndum")
    MembershipFactory(user=evaluator, role=Role.EVALUATOR, organisation=None)
    coordinator_a = UserFactory(email="coord.a@example.org", full_name="Anne Aarhus")
    MembershipFactory(user=coordinator_a, role=Role.COORDINATOR, organisation=org_a)
    coordinator_a2 = UserFactory(email="coord.a2@example.org", full_name="Bente Aarhus")
    MembershipFactory(user=coordinator_a2, role=Role.COORDINATOR, organisation=org_a)
    coordinator_b = UserFactory(email="coord.b@example.org", full_name="Ole Odense")
    MembershipFactory(user=coordinator_b, role=Role.COORDINATOR, organisation=org_b)
    facilitator_a = UserFactory(email="fac.a@example.org", full_name="Søren Ærø")
    facilitator_a_membership = MembershipFactory(
        user=facilitator_a, role=Role.FACILITATOR, organisation=org_a
    )
    return World(
        national=national,
        org_a=org_a,
        org_b=org_b,
        venue_a=VenueFactory(organisation=org_a, name="Mødelokalet Aarhus"),
        venue_b=VenueFactory(organisation=org_b, name="Mødelokalet Odense"),
        national_admin=national_admin,
        coordinator_a=coordinator_a,
        coordinator_a2=coordinator_a2,
        coordinator_b=coordinator_b,
        facilitator_a=facilitator_a,
        facilitator_a_membership=facilitator_a_membership,
        evaluator=evaluator,
    )


@pytest.fixture
def client_as(world: World):  # type: ignore[no-untyped-def]
    """``client_as("coordinator_a")`` → a test client logged in as that role."""

    def make(role: str) -> Client:
        client = Client()
        user = world.user(role)
        if user is not None:
            client.force_login(user)
        return client

    return make


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Browser tests need Debian's Chromium. Outside CI they skip with a reason when it is
    # missing; in CI (CI=true) a missing browser is a failure, never a skip.
    if os.path.exists("/usr/bin/chromium") or os.environ.get("CI") == "true":
        return
    skip = pytest.mark.skip(reason="Chromium not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
