"""A coordinator asks for a placement proposal, reviews it, rules one placement out, solves
again and approves — and the offers appear in the participants' enrolments. Every page is
scanned with axe at 320 px."""

from __future__ import annotations

from typing import Any

import pytest

from spejl.conftest import World
from spejl.enrolments.models import Enrolment, EnrolmentState
from spejl.formation.models import Proposal, ProposalStatus
from spejl.testing.browser import assert_accessible, log_in
from spejl.testing.factories import TEST_PASSWORD
from spejl.testing.formation import open_group, waiting_person

pytestmark = pytest.mark.browser


def test_coordinator_requests_reviews_adjusts_and_approves(
    live_server: Any, world: World, page: Any
) -> None:
    base = live_server.url
    people = [
        waiting_person(world, first_name=name, days_waited=days)
        for name, days in [("Anna", 40), ("Bent", 30), ("Carl", 20), ("Dora", 10)]
    ]
    group = open_group(world, title="Onsdagsgruppen", max_participants=3)
    log_in(page, base, world.coordinator_a.email, TEST_PASSWORD)

    page.goto(f"{base}/placement/")
    assert_accessible(page)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/placement/*-*/")
    assert_accessible(page)
    first = Proposal.objects.get()
    assert first.placements.count() == 3

    # Rule Anna out of the group, then solve again: Dora gets the seat instead.
    anna = Enrolment.objects.get(participant=people[0])
    row = page.locator(f"#p-{anna.public_id}")
    row.locator("button[name=kind][value=forbid]").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    page.locator("form[action$='/resolve/'] button").click()
    page.wait_for_url(lambda url: str(first.public_id) not in url)
    assert_accessible(page)
    second = Proposal.objects.exclude(pk=first.pk).get()
    assert anna.pk not in set(second.placements.values_list("enrolment_id", flat=True))

    page.locator("form[action$='/approve/'] button").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    second.refresh_from_db()
    assert second.status == ProposalStatus.APPROVED
    offered = set(
        Enrolment.objects.filter(state=EnrolmentState.OFFERED, group=group).values_list(
            "participant__contact__first_name", flat=True
        )
    )
    assert offered == {"Bent", "Carl", "Dora"}
    assert Enrolment.objects.get(pk=anna.pk).state == EnrolmentState.WAITLISTED
