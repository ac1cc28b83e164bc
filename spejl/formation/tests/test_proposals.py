"""Placement proposals end to end on the database: the input read from waitlists and intakes,
the stored proposal, locks and forbids in a re-solve, approval through the offer flow, pairs,
isolation between organisations, audit, and the command."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from spejl.access.actor import actor_for_user
from spejl.audit.models import AuditEvent
from spejl.enrolments.models import Enrolment, EnrolmentState
from spejl.formation import services
from spejl.formation.inputs import inputs_for
from spejl.formation.models import Proposal, ProposalStatus
from spejl.groups.models import GroupStatus
from spejl.notifications.models import Notification
from spejl.testing.formation import open_group, waiting_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(world: Any) -> dict[str, Any]:
    """Organisation A: four people waiting in Aarhus who can come Wednesday evenings, one who
    can only come Mondays, one far away in Skagen; a Wednesday group with 3 seats."""
    people = {
        name: waiting_person(world, first_name=name, days_waited=days)
        for name, days in [("Anna", 40), ("Bent", 30), ("Carl", 20), ("Dora", 10)]
    }
    people["Erik"] = waiting_person(world, first_name="Erik", times=("mon-morning",))
    people["Frida"] = waiting_person(world, first_name="Frida", at="9990", max_km=10)
    group = open_group(world, title="Onsdagsgruppen", max_participants=3)
    return {"people": people, "group": group}


def enrolment(participant: Any) -> Enrolment:
    return Enrolment.objects.get(participant=participant)


def test_the_input_reads_waitlists_and_intakes_of_the_organisation_only(
    world: Any, scene: dict[str, Any]
) -> None:
    waiting_person(world, first_name="Olga", organisation=world.org_b, at="5000")
    inputs = inputs_for([world.org_a])
    assert len(inputs.instance.people) == 6
    assert [g.id for g in inputs.instance.groups] == [str(scene["group"].public_id)]
    group = inputs.instance.groups[0]
    assert (group.weekday, group.part_of_day, group.free) == (2, "evening", 3)


def test_a_proposal_places_the_longest_waiting_and_explains_the_rest(
    world: Any, scene: dict[str, Any]
) -> None:
    actor = actor_for_user(world.coordinator_a)
    proposal = services.proposal_create(actor=actor, organisations=[world.org_a], time_limit=5)
    placed = {p.enrolment.participant.contact.first_name for p in proposal.placements.all()}
    assert placed == {"Anna", "Bent", "Carl"}
    reasons = {
        u.enrolment.participant.contact.first_name: u.reason for u in proposal.unplaced.all()
    }
    assert reasons == {
        "Dora": "all_suitable_full",
        "Erik": "no_group_at_their_times",
        "Frida": "no_group_in_reach",
    }
    assert len(proposal.input_hash) == 64
    assert proposal.solver_version
    assert proposal.gap is not None and proposal.gap <= 0.001
    assert proposal.baseline["placed"] == 3
    assert AuditEvent.objects.filter(object_type="formation.proposal", action="create").exists()
    # Nothing is offered before a coordinator approves.
    assert not Enrolment.objects.filter(state=EnrolmentState.OFFERED).exists()


def test_forbid_and_lock_carry_into_the_new_solve(world: Any, scene: dict[str, Any]) -> None:
    actor = actor_for_user(world.coordinator_a)
    group = scene["group"]
    proposal = services.proposal_create(actor=actor, organisations=[world.org_a], time_limit=5)
    anna, dora = enrolment(scene["people"]["Anna"]), enrolment(scene["people"]["Dora"])
    services.proposal_decide(
        actor=actor, proposal=proposal, enrolment=anna, group_id=group.pk, kind="forbid"
    )
    services.proposal_decide(
        actor=actor, proposal=proposal, enrolment=dora, group_id=group.pk, kind="lock"
    )
    new = services.proposal_resolve(actor=actor, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUPERSEDED
    placed = {p.enrolment_id for p in new.placements.all()}
    assert dora.pk in placed and anna.pk not in placed
    assert new.unplaced.get(enrolment=anna).reason == "forbidden"
    assert new.placements.get(enrolment=dora).locked


def test_approving_makes_offers_through_the_enrolment_flow(
    world: Any, scene: dict[str, Any]
) -> None:
    actor = actor_for_user(world.coordinator_a)
    proposal = services.proposal_create(actor=actor, organisations=[world.org_a], time_limit=5)
    # Meanwhile a colleague offers Bent a seat by hand: approval must not offer him twice.
    from spejl.enrolments.services import enrolment_offer

    enrolment_offer(actor=actor, enrolment=enrolment(scene["people"]["Bent"]), group=scene["group"])
    result = services.proposal_approve(actor=actor, proposal=proposal, days=5)
    assert result.offered == 2
    assert [code for code, _why in result.failed] == [scene["people"]["Bent"].code]
    offered = Enrolment.objects.filter(state=EnrolmentState.OFFERED, group=scene["group"])
    assert offered.count() == 3
    assert Notification.objects.filter(template="offer_made").count() == 3
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED
    # A second approval changes nothing: the proposal is no longer a draft.
    with pytest.raises(ValidationError):
        services.proposal_approve(actor=actor, proposal=proposal)
    assert offered.count() == 3


def test_a_planned_group_opens_only_with_enough_people(world: Any) -> None:
    for name in ("Anna", "Bent", "Carl", "Dora"):
        waiting_person(world, first_name=name)
    planned = open_group(world, title="Ny gruppe", status=GroupStatus.PLANNING, min_participants=4)
    actor = actor_for_user(world.coordinator_a)
    proposal = services.proposal_create(actor=actor, organisations=[world.org_a], time_limit=5)
    assert list(proposal.opened_groups.all()) == [planned]
    services.proposal_approve(actor=actor, proposal=proposal)
    planned.refresh_from_db()
    assert planned.status == GroupStatus.RECRUITING


def test_pairs_apart_are_respected(world: Any, client_as: Any) -> None:
    anna = waiting_person(world, first_name="Anna", days_waited=50)
    bent = waiting_person(world, first_name="Bent", days_waited=40)
    open_group(world, title="Onsdagsgruppen", max_participants=8)
    client = client_as("coordinator_a")
    response = client.post(
        reverse("formation:pairs"),
        {"first": str(anna.public_id), "second": str(bent.public_id), "together": "0"},
    )
    assert response.status_code == 302
    proposal = services.proposal_create(
        actor=actor_for_user(world.coordinator_a), organisations=[world.org_a], time_limit=5
    )
    assert proposal.placements.count() == 1
    assert proposal.unplaced.get().reason == "kept_apart"


def test_other_organisations_and_roles_get_not_found(
    world: Any, scene: dict[str, Any], client_as: Any
) -> None:
    proposal = services.proposal_create(
        actor=actor_for_user(world.coordinator_a), organisations=[world.org_a], time_limit=5
    )
    url = reverse("formation:detail", kwargs={"proposal_id": proposal.public_id})
    assert client_as("coordinator_a").get(url).status_code == 200
    for role in ("coordinator_b", "facilitator_a", "evaluator"):
        assert client_as(role).get(url).status_code == 404
        approve = reverse("formation:approve", kwargs={"proposal_id": proposal.public_id})
        assert client_as(role).post(approve).status_code == 404
    assert not Enrolment.objects.filter(state=EnrolmentState.OFFERED).exists()
    # A coordinator cannot ask for another organisation's proposal either.
    response = client_as("coordinator_b").post(
        reverse("formation:list"), {"organisations": [world.org_a.pk], "time_limit": 5}
    )
    assert response.status_code == 400
    assert Proposal.objects.count() == 1


def test_the_review_page_shows_why_and_is_audited(
    world: Any, scene: dict[str, Any], client_as: Any
) -> None:
    proposal = services.proposal_create(
        actor=actor_for_user(world.coordinator_a), organisations=[world.org_a], time_limit=5
    )
    client = client_as("coordinator_a")
    client.cookies["django_language"] = "en"
    page = client.get(reverse("formation:detail", kwargs={"proposal_id": proposal.public_id}))
    body = page.content.decode()
    assert "Onsdagsgruppen" in body and "Anna" in body
    assert "No group within the distance they can travel" in body
    assert AuditEvent.objects.filter(
        object_type="formation.proposal", action="read", actor=world.coordinator_a
    ).exists()


def test_the_command_prints_a_summary(world: Any, scene: dict[str, Any], capsys: Any) -> None:
    call_command("propose_groups", "--organisation", "aarhus", "--dry-run", "--time-limit", "5")
    out = capsys.readouterr().out
    assert "Proposal: 3 placed" in out
    assert "First come, first served: 3 placed" in out
    assert not Proposal.objects.exists()
    call_command("propose_groups", "--organisation", "aarhus")
    assert Proposal.objects.count() == 1
