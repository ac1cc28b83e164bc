"""The copy of everything held about a participant (GDPR art. 15): complete against the register
of personal data, readable and as JSON, audited, hidden across organisations, and reachable by
the participant through a working link only."""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from spejl.access.actor import actor_for_user
from spejl.access.privacy import REGISTER
from spejl.audit.models import AuditEvent
from spejl.conftest import World
from spejl.enrolments.models import Enrolment, EnrolmentState, EnrolmentTransition
from spejl.formation.models import (
    PlacementPair,
    ProposalDecision,
    ProposalPlacement,
    ProposalUnplaced,
)
from spejl.formation.tests.fixtures import proposal_a
from spejl.groups.models import Attendance, AttendanceStatus
from spejl.links.models import LinkPurpose
from spejl.links.services import link_create, links_revoke
from spejl.notifications.services import notification_queue
from spejl.participants.export import COVERED, LEFT_OUT, participant_data
from spejl.participants.models import Participant
from spejl.participants.selectors import participant_get_for_actor
from spejl.participants.tests.test_erasure import _enquiry_and_intake
from spejl.questionnaires.models import ExternalRecord
from spejl.testing.evaluation import answer, tils
from spejl.testing.participants import waiting_participant
from spejl.testing.questionnaires import consenting_group, invite


def _models_hanging_off_a_participant() -> set[str]:
    """Models that point at a participant, or at a record that does (two steps), following
    hidden relations too (``related_name="+"``)."""
    found: set[str] = set()
    frontier = [apps.get_model("participants", "Participant")]
    for _step in range(2):
        following = []
        for model in frontier:
            for field in model._meta.get_fields(include_hidden=True):
                if field.auto_created and not field.concrete and field.related_model:
                    label = field.related_model._meta.label
                    if label.startswith(("participants.", "audit.")) and label != (
                        "participants.Contact"
                    ):
                        continue
                    if label not in found:
                        found.add(label)
                        following.append(field.related_model)
        frontier = following
    return found | {"participants.Participant", "participants.Contact"}


def test_every_registered_field_about_a_participant_is_in_the_copy_or_left_out() -> None:
    models = _models_hanging_off_a_participant()
    assert {"questionnaires.Answer", "groups.Attendance", "formation.PlacementPair"} <= models
    about_participant = {key for key in REGISTER if key.rpartition(".")[0] in models}
    undecided = sorted(about_participant - set(COVERED) - set(LEFT_OUT))
    assert undecided == [], "add these to export.COVERED or export.LEFT_OUT"
    assert set(COVERED).isdisjoint(LEFT_OUT)
    assert all(reason.strip() for reason in LEFT_OUT.values())
    stale = sorted((set(COVERED) | set(LEFT_OUT)) - set(REGISTER))
    assert stale == [], "entries for fields the register no longer holds"


def _everything(world: World) -> Participant:
    """A participant with a record in every section of the copy."""
    group = consenting_group(world, participants=1)
    invite(group)
    enrolment = Enrolment.objects.get(group=group)
    participant = enrolment.participant
    answer(enrolment, "T0", "tils", tils(8), texts={"comment": "Fint"})
    meeting = group.meetings.order_by("starts_at").first()
    assert meeting is not None
    Attendance.objects.create(meeting=meeting, enrolment=enrolment, status=AttendanceStatus.PRESENT)
    EnrolmentTransition.objects.create(
        enrolment=enrolment, group=group, from_state="offered", to_state="enrolled", reason="ja"
    )
    _enquiry_and_intake(participant, world)
    ExternalRecord.objects.create(
        organisation=participant.organisation, record_id="R-17", participant=participant
    )
    link_create(purpose=LinkPurpose.PARTICIPANT_PAGE, participant=participant)
    notification_queue(
        template="participant_page",
        channel="email",
        recipient_participant=participant,
        context={"reason": "test"},
        dedupe_key=f"test:{participant.public_id}",
    )
    other = waiting_participant(world, first_name="Gudrun")
    low, high = sorted((participant, other), key=lambda p: p.pk)
    PlacementPair.objects.create(organisation=world.org_a, first=low, second=high, together=True)
    proposal = proposal_a(world)
    ProposalPlacement.objects.create(
        proposal=proposal, enrolment=enrolment, group=group, travel_km=2.5, days_waited=10
    )
    ProposalUnplaced.objects.create(proposal=proposal, enrolment=enrolment, reason="full")
    ProposalDecision.objects.create(
        proposal=proposal, enrolment=enrolment, group=group, kind="lock"
    )
    participant_get_for_actor(
        actor=actor_for_user(world.coordinator_a), public_id=str(participant.public_id), purpose="x"
    )
    return Participant.objects.get(pk=participant.pk)


def _present(data: dict[str, Any], section: str, path: str) -> bool:
    content = data[section]
    records = content if isinstance(content, list) else [content]
    for record in records:
        if record is None:
            continue
        head, _, rest = path.partition(".")
        if not rest:
            if head in record:
                return True
            continue
        nested = record.get(head)
        children = nested if isinstance(nested, list) else [nested]
        if any(isinstance(c, dict) and rest in c for c in children):
            return True
    return False


def test_the_copy_holds_every_field_it_says_it_covers(world: World) -> None:
    data = participant_data(_everything(world))
    missing = [
        key
        for key, (section, path) in COVERED.items()
        if not (
            _present(data, section, path)
            or (section == "group_formation" and _present(data[section], *path.split(".", 1)))
        )
    ]
    assert missing == []
    for section in data:
        assert data[section], f"section {section} is empty in a full copy"


def test_the_copy_names_neither_staff_nor_the_other_person_in_a_pair(world: World) -> None:
    participant = _everything(world)
    text = json.dumps(participant_data(participant), ensure_ascii=False)
    for staff in (world.coordinator_a, world.facilitator_a, world.evaluator):
        assert staff.full_name not in text and staff.email not in text
    other = Participant.objects.exclude(pk=participant.pk).get(organisation=world.org_a)
    assert other.code not in text and "Gudrun" not in text
    assert '"by": "staff member"' in text


def test_coordinator_gets_a_readable_page_and_json_audited_and_other_organisations_404(
    world: World, client_as: Any
) -> None:
    participant = _everything(world)
    url = reverse("participants:data", kwargs={"participant_id": participant.public_id})
    for role in ("coordinator_b", "facilitator_a", "evaluator"):
        assert client_as(role).get(url).status_code == 404
        assert client_as(role).get(url, {"format": "json"}).status_code == 404
    before = AuditEvent.objects.filter(purpose="access request (art. 15)").count()
    page = client_as("coordinator_a").get(url)
    assert page.status_code == 200
    html = page.content.decode()
    sections = page.context["sections"]
    assert len(sections) == len(participant_data(participant))
    assert all(records for _heading, records in sections), "every section has a record"
    assert "ingrid@example.org" in html
    download = client_as("coordinator_a").get(url, {"format": "json"})
    assert download["Content-Type"].startswith("application/json")
    assert "attachment" in download["Content-Disposition"]
    payload = json.loads(download.content)
    assert payload["participant"]["code"] == participant.code
    assert payload["questionnaire_answers"][0]["score"]["score"] is not None
    events = AuditEvent.objects.filter(purpose="access request (art. 15)")
    assert events.count() == before + 2
    assert {e.actor for e in events} == {world.coordinator_a}
    national = client_as("national_admin").get(url, {"format": "json"})
    assert national.status_code == 200


def test_participant_downloads_through_their_link_and_a_dead_link_gets_nothing(
    world: World, client: Any
) -> None:
    participant = waiting_participant(world)
    token = link_create(purpose=LinkPurpose.PARTICIPANT_PAGE, participant=participant)
    url = reverse("participants:own_data", kwargs={"token": token})
    response = client.get(url, {"format": "json"})
    assert response.status_code == 200
    payload = json.loads(response.content)
    assert payload["contact"]["email"] == "ingrid@example.org"
    assert payload["places_in_groups"][0]["state"] == EnrolmentState.WAITLISTED
    assert payload["record_of_use"], "their own reads are in the record of use"
    readable = client.get(url)
    assert readable.status_code == 200 and "ingrid@example.org" in readable.content.decode()
    links_revoke(participant=participant)
    for dead in (url, reverse("participants:own_data", kwargs={"token": "y" * 43})):
        refused = client.get(dead, {"format": "json"})
        assert refused.status_code == 404
        assert "ingrid@example.org" not in refused.content.decode()


def test_the_record_of_use_says_when_and_why_not_who(world: World) -> None:
    participant = waiting_participant(world)
    participant_get_for_actor(
        actor=actor_for_user(world.coordinator_a),
        public_id=str(participant.public_id),
        purpose="participant page",
    )
    record = participant_data(participant)["record_of_use"]
    assert [(r["action"], r["purpose"], r["by"]) for r in record] == [
        ("read", "participant page", "staff member")
    ]
    assert record[0]["at"] <= timezone.localtime().isoformat()
