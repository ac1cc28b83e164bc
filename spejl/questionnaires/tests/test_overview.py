"""The response overview (counts per group and wave) and a group's questionnaire progress on
the group page: who sees what, the counts by state, and a bounded number of queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from spejl.access.actor import NotFound, actor_for_user
from spejl.conftest import World
from spejl.consents.models import ConsentMethod, ConsentPurpose
from spejl.consents.services import consent_give
from spejl.enrolments.models import Enrolment
from spejl.groups.models import PeerGroup
from spejl.questionnaires.models import Invitation, InvitationStatus
from spejl.questionnaires.overview import (
    WaveCounts,
    group_questionnaire_progress,
    response_overview_for_actor,
)
from spejl.testing.groups import make_group
from spejl.testing.questionnaires import consenting_group, invite

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("questionnaires:overview")


@pytest.fixture
def english(client_as: Any) -> Any:
    """A client of a role that reads the pages in English."""

    def make(role: str) -> Client:
        client: Client = client_as(role)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def set_states(invitations: list[Invitation]) -> None:
    """Seven T0 invitations: answered, partly answered, not started, overdue (not started and
    sent 10 days ago, past the last reminder day 7), missed, cancelled, and one more answered."""
    now = timezone.now()
    answered, partly, not_started, overdue, missed, cancelled, answered_too = invitations
    for invitation in (answered, answered_too):
        invitation.status = InvitationStatus.COMPLETED
        invitation.started_at = invitation.completed_at = now
    partly.started_at = now
    overdue.sent_at = now - timedelta(days=10)
    missed.status = InvitationStatus.CLOSED
    cancelled.status = InvitationStatus.CANCELLED
    Invitation.objects.bulk_update(invitations, ["status", "started_at", "completed_at", "sent_at"])
    del not_started


@pytest.fixture
def group_a(world: World) -> PeerGroup:
    group = consenting_group(world, participants=7, title="Mandagsgruppen")
    invitations = invite(group)
    assert [i.wave for i in invitations] == ["T0"] * 7
    set_states(invitations)
    return group


@pytest.fixture
def group_b(world: World) -> PeerGroup:
    """A group of organisation B with two open invitations."""
    group = make_group(world, organisation=world.org_b, participants=2, meetings_before_today=0)
    for enrolment in Enrolment.objects.filter(group=group):
        consent_give(
            actor=None,
            participant=enrolment.participant,
            purpose=ConsentPurpose.EVALUATION,
            method=ConsentMethod.DIGITAL,
        )
    assert len(invite(group)) == 2
    return group


def t0(counts: tuple[WaveCounts, ...]) -> WaveCounts:
    return next(c for c in counts if c.wave == "T0")


def test_the_overview_counts_each_state_per_group_and_wave(
    world: World, group_a: PeerGroup
) -> None:
    result = response_overview_for_actor(actor=actor_for_user(world.coordinator_a))
    [row] = result.groups
    assert row.group == group_a
    counts = t0(row.waves)
    assert (counts.invited, counts.answered, counts.partly, counts.not_started) == (6, 2, 1, 2)
    assert (counts.overdue, counts.missed, counts.cancelled) == (1, 1, 1)
    assert counts.rate_percent == 33  # 2 of 6
    assert [c.invited for c in row.waves if c.wave != "T0"] == [0, 0]
    assert t0(result.totals) == counts


def test_an_invitation_is_overdue_only_after_the_plans_last_reminder_day(
    world: World, group_a: PeerGroup
) -> None:
    overdue = Invitation.objects.get(group=group_a, sent_at__lt=timezone.now() - timedelta(days=9))
    overdue.sent_at = timezone.now() - timedelta(days=6)
    overdue.save(update_fields=["sent_at"])
    result = response_overview_for_actor(actor=actor_for_user(world.coordinator_a))
    assert t0(result.groups[0].waves).overdue == 0


def test_coordinators_see_only_their_organisations_groups(
    world: World, group_a: PeerGroup, group_b: PeerGroup
) -> None:
    mine = response_overview_for_actor(actor=actor_for_user(world.coordinator_b))
    assert [row.group for row in mine.groups] == [group_b]
    assert t0(mine.totals).invited == 2
    assert t0(mine.totals).not_started == 2


def test_a_coordinator_filtering_by_another_organisation_gets_404(
    client_as: Any, world: World, group_a: PeerGroup
) -> None:
    response = client_as("coordinator_b").get(OVERVIEW, {"organisation": world.org_a.slug})
    assert response.status_code == 404
    with pytest.raises(NotFound):
        response_overview_for_actor(
            actor=actor_for_user(world.coordinator_b), organisation=world.org_a
        )
    assert client_as("coordinator_a").get(OVERVIEW, {"organisation": "nowhere"}).status_code == 404


def test_the_national_admin_sees_every_group_and_can_filter_by_organisation(
    client_as: Any, world: World, group_a: PeerGroup, group_b: PeerGroup
) -> None:
    client = client_as("national_admin")
    everything = client.get(OVERVIEW)
    assert everything.status_code == 200
    assert {row.group for row in everything.context["overview"].groups} == {group_a, group_b}
    assert t0(everything.context["overview"].totals).invited == 8
    only_b = client.get(OVERVIEW, {"organisation": world.org_b.slug})
    assert [row.group for row in only_b.context["overview"].groups] == [group_b]
    assert 'name="organisation"' in everything.content.decode()


def test_facilitators_and_evaluators_have_no_overview(client_as: Any, group_a: PeerGroup) -> None:
    for role in ("facilitator_a", "evaluator"):
        assert client_as(role).get(OVERVIEW).status_code == 404, role
    assert client_as("anonymous").get(OVERVIEW).status_code == 302


def test_the_overview_page_shows_counts_but_no_names(english: Any, group_a: PeerGroup) -> None:
    response = english("coordinator_a")
    page = response.get(OVERVIEW).content.decode()
    assert "Mandagsgruppen" in page
    assert '<td data-label="Invited">6</td>' in page
    assert '<td data-label="Response rate">33 %</td>' in page
    for enrolment in Enrolment.objects.filter(group=group_a).select_related("participant__contact"):
        assert enrolment.participant.contact.email not in page
        assert enrolment.participant.code not in page
    assert "Testesen" not in page


def test_the_overview_runs_the_same_number_of_queries_for_more_groups(
    world: World, client_as: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_as("coordinator_a")
    invite(consenting_group(world, participants=2, title="Gruppe 0"))
    client.get(OVERVIEW)  # session and cache warm
    with django_assert_max_num_queries(12) as few:
        client.get(OVERVIEW)
    for number in range(1, 6):
        invite(consenting_group(world, participants=2, title=f"Gruppe {number}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(OVERVIEW)
    assert len(response.context["overview"].groups) == 6


# --- The group page --------------------------------------------------------------------------


def test_the_group_page_shows_its_facilitator_how_many_answered_and_nothing_else(
    english: Any, world: World, group_a: PeerGroup
) -> None:
    page = (
        english("facilitator_a")
        .get(reverse("groups:detail", kwargs={"group_id": group_a.public_id}))
        .content.decode()
    )
    assert "T0: 2 of 6 answered" in page
    # Neither who answered nor what: no questionnaire wording, no per-person state.
    assert "How often do you feel left out?" not in page
    assert "Partly answered" not in page
    assert OVERVIEW not in page  # the link to the overview is for coordinators


def test_the_group_page_shows_the_coordinator_the_counts_with_a_link_to_the_overview(
    english: Any, group_a: PeerGroup
) -> None:
    page = (
        english("coordinator_a")
        .get(reverse("groups:detail", kwargs={"group_id": group_a.public_id}))
        .content.decode()
    )
    assert "T0: 2 of 6 answered" in page
    assert OVERVIEW in page


def test_a_groups_progress_is_for_its_facilitators_and_coordinators_only(
    world: World, group_a: PeerGroup
) -> None:
    progress = group_questionnaire_progress(
        actor=actor_for_user(world.facilitator_a), group=group_a
    )
    assert [(p.wave, p.answered, p.invited) for p in progress] == [("T0", 2, 6)]
    for user in (world.coordinator_b, world.evaluator):
        with pytest.raises(NotFound):
            group_questionnaire_progress(actor=actor_for_user(user), group=group_a)


def test_a_group_without_invitations_shows_no_questionnaire_section(
    english: Any, world: World
) -> None:
    group = make_group(world, title="Stille gruppe")
    page = (
        english("coordinator_a")
        .get(reverse("groups:detail", kwargs={"group_id": group.public_id}))
        .content.decode()
    )
    assert "<h2>Questionnaires</h2>" not in page
