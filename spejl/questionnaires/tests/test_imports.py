"""Importing a REDCap flat CSV export: checked first, then all or nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from spejl.access.actor import SYSTEM, Actor, NotFound, actor_for_user
from spejl.audit.models import AuditEvent
from spejl.consents.models import Consent, ConsentMethod, ConsentPurpose
from spejl.consents.services import consent_withdraw
from spejl.core.redcap import PROBLEM_CODES
from spejl.enrolments.models import Enrolment
from spejl.links.models import SecureLink
from spejl.participants.models import Contact, Participant
from spejl.questionnaires import imports
from spejl.questionnaires.imports import ImportRefused, ImportSummary
from spejl.questionnaires.models import (
    Answer,
    ExternalRecord,
    ImportRun,
    ImportStatus,
    Invitation,
    Response,
    ResponseMode,
    ResponseStatus,
)
from spejl.testing.questionnaires import consenting_group, invite

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
EVENTS = dict(imports.SUGGESTED_EVENTS)

#: One participant's T0 answers, every form of the wave complete.
T0 = {
    "bg_age_band": "7",
    "bg_gender": "2",
    "bg_living": "1",
    "bg_occupation": "3",
    "bg_lonely_duration": "4",
    "background_complete": "2",
    "tils_1": "2",
    "tils_2": "2",
    "tils_3": "3",
    "tils_complete": "2",
    "who5_1": "3",
    "who5_2": "3",
    "who5_3": "2",
    "who5_4": "",
    "who5_5": "3",
    "who5_complete": "2",
    "direct_lonely": "3",
    "direct_alone_unwanted": "2",
    "direct_loneliness_complete": "2",
}
TILS_ONLY = {k: v for k, v in T0.items() if k.startswith("tils")}


def csv_bytes(rows: Sequence[Mapping[str, str]]) -> bytes:
    """A REDCap flat export of ``rows`` (columns in the order first met, blanks elsewhere)."""
    columns: list[str] = ["record_id", "redcap_event_name", "redcap_data_access_group"]
    for row in rows:
        columns += [c for c in row if c not in columns]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, restval="", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def row(record_id: str, event: str = "t0_arm_1", dag: str = "", **answers: str) -> dict[str, str]:
    return {"record_id": record_id, "redcap_event_name": event, "redcap_data_access_group": dag} | (
        answers or T0
    )


def actor(world: Any, role: str) -> Actor:
    return actor_for_user(world.user(role))


def preview(
    world: Any,
    content: bytes,
    *,
    role: str = "coordinator_a",
    paper: bool = False,
    organisation: Any = "default",
    name: str = "export.csv",
) -> ImportRun:
    default = world.org_a if organisation == "default" else organisation
    return imports.import_preview(
        actor=actor(world, role),
        file_name=name,
        content=content,
        events=EVENTS,
        default_organisation=default,
        paper_consent_confirmed=paper,
    )


def summary_of(run: ImportRun) -> ImportSummary:
    run.refresh_from_db()
    return ImportSummary.from_json(run.summary)


def codes(summary: ImportSummary) -> list[tuple[int | None, str | None, str]]:
    return [(p.line, p.column, p.code) for p in summary.problems]


def counts() -> dict[str, int]:
    return {
        "responses": Response.objects.count(),
        "answers": Answer.objects.count(),
        "participants": Participant.objects.count(),
        "records": ExternalRecord.objects.count(),
        "consents": Consent.objects.count(),
    }


@pytest.fixture
def group(world: Any) -> Any:
    """Organisation A's running group of two consenting participants, T0 invitations open."""
    group = consenting_group(world, participants=2)
    invite(group)
    return group


@pytest.fixture
def people(group: Any) -> list[Participant]:
    return [e.participant for e in Enrolment.objects.filter(group=group).order_by("pk")]


# --- The same file twice -------------------------------------------------------------------------


def test_importing_the_same_file_twice_stores_the_answers_once(
    world: Any, people: list[Participant]
) -> None:
    first, second = people
    content = csv_bytes([row(first.code), row(second.code.lower(), dag="aarhus")])
    run = preview(world, content)
    summary = summary_of(run)
    assert summary.ok, codes(summary)
    assert (summary.rows, summary.responses_new, summary.responses_unchanged) == (2, 8, 0)
    assert summary.previous_import_at is None
    assert imports.import_commit(actor=actor(world, "coordinator_a"), run=run) is not None
    after_first = counts()
    assert after_first["responses"] == 8

    again = preview(world, content, name="export-again.csv")
    summary = summary_of(again)
    assert summary.ok
    assert (summary.responses_new, summary.responses_unchanged) == (0, 8)
    assert summary.previous_import_at is not None
    assert summary.previous_file_name == "export.csv"
    imports.import_commit(actor=actor(world, "coordinator_a"), run=again)
    assert counts() == after_first
    assert summary_of(again).responses_unchanged == 8


def test_imported_answers_are_stored_scored_and_complete_the_open_invitation(
    world: Any, people: list[Participant]
) -> None:
    first = people[0]
    run = preview(world, csv_bytes([row(first.code)]))
    imports.import_commit(actor=actor(world, "coordinator_a"), run=run)
    tils = Response.objects.get(participant=first, instrument_code="tils")
    assert (tils.mode, tils.status, tils.import_run_id) == (
        ResponseMode.IMPORT,
        ResponseStatus.SUBMITTED,
        run.pk,
    )
    assert tils.answered_on is None
    assert tils.enrolment is not None and tils.invitation is not None
    assert tils.scores.get().score == 7
    who5 = Response.objects.get(participant=first, instrument_code="who5")
    assert not who5.answers.filter(item_code="who5_4").exists()  # a blank cell: not answered
    assert who5.scores.get().missing == ["who5_4"]
    invitation = Invitation.objects.get(participant=first, wave="T0")
    assert (invitation.status, invitation.completed_mode) == ("completed", ResponseMode.IMPORT)
    assert not SecureLink.objects.filter(invitation=invitation, used_at__isnull=True).exists()
    run.refresh_from_db()
    assert (run.status, run.content) == (ImportStatus.COMMITTED, "")
    events = AuditEvent.objects.filter(
        object_type="questionnaires.importrun", object_id=run.public_id
    )
    assert sorted(events.values_list("action", flat=True)) == ["create", "create"]
    assert all(e.fields == ["answers"] for e in events)


def test_a_form_not_marked_complete_is_partial_and_leaves_the_invitation_open(
    world: Any, people: list[Participant]
) -> None:
    first = people[0]
    run = preview(world, csv_bytes([row(first.code, **{**TILS_ONLY, "tils_complete": "1"})]))
    imports.import_commit(actor=actor(world, "coordinator_a"), run=run)
    response = Response.objects.get(participant=first)
    assert (response.status, response.submitted_at) == (ResponseStatus.PARTIAL, None)
    assert Invitation.objects.get(participant=first, wave="T0").status == "open"


def test_different_answers_for_an_answered_form_are_refused(
    world: Any, people: list[Participant]
) -> None:
    first = people[0]
    imports.import_commit(
        actor=actor(world, "coordinator_a"), run=preview(world, csv_bytes([row(first.code)]))
    )
    changed = preview(world, csv_bytes([row(first.code, **{**TILS_ONLY, "tils_1": "3"})]))
    summary = summary_of(changed)
    assert codes(summary) == [(2, None, "other_answers")]
    assert summary.problems[0].params == {"record_id": first.code, "wave": "T0", "form": "tils"}
    with translation.override("en"):
        assert "already has other answers for wave T0, form tils" in summary.problems[0].message


def test_a_web_response_in_progress_is_not_overwritten(
    world: Any, people: list[Participant]
) -> None:
    first = people[0]
    invitation = Invitation.objects.get(participant=first, wave="T0")
    Response.objects.create(
        participant=first,
        organisation=world.org_a,
        enrolment=invitation.enrolment,
        invitation=invitation,
        wave="T0",
        instrument_id=invitation.plan.entries.get(wave="T0", instrument__code="tils").instrument_id,
        instrument_code="tils",
        mode=ResponseMode.WEB,
    )
    summary = summary_of(preview(world, csv_bytes([row(first.code, **TILS_ONLY)])))
    assert codes(summary) == [(2, None, "answering_now")]


# --- Malformed files -----------------------------------------------------------------------------


def test_a_malformed_file_is_refused_with_every_problem_by_line_and_nothing_is_written(
    world: Any, people: list[Participant]
) -> None:
    before = counts()
    run = preview(world, (DATA / "malformed.csv").read_bytes(), paper=True)
    summary = summary_of(run)
    assert codes(summary) == [
        (1, "survey_timestamp", "unknown_column"),
        (3, "redcap_event_name", "unknown_event"),
        (4, "tils_2", "bad_value"),
        (5, "record_id", "duplicate_record_event"),
    ]
    with translation.override("en"):
        messages = [p.message for p in summary.problems]
    assert "“7” is not an answer to tils_2; the answers are 1, 2, 3." in messages
    assert "Record R001 already has a row for wave T0, on line 2." in messages
    assert run.content == ""  # a file with problems is not kept
    with pytest.raises(ImportRefused) as refused:
        imports.import_commit(actor=actor(world, "coordinator_a"), run=run)
    assert refused.value.problems[0].code == "unknown_column"
    run.refresh_from_db()
    assert run.status == ImportStatus.PREVIEWED
    assert counts() == before


def test_every_parser_problem_code_has_a_message() -> None:
    with translation.override("en"):
        for code in PROBLEM_CODES:
            message = imports.problem_message(code, {}, "tils_1")
            assert message and "Problem" not in message, code


def test_a_file_that_is_not_csv_or_too_large_is_refused_before_reading(world: Any) -> None:
    with pytest.raises(ValidationError) as not_csv:
        preview(world, b"record_id\r\n", name="export.xlsx")
    assert "file" in not_csv.value.message_dict
    big = b"x" * (imports.MAX_FILE_BYTES + 1)
    with pytest.raises(ValidationError):
        preview(world, big)
    assert not ImportRun.objects.exists()


def test_a_file_that_is_not_utf8_is_refused_on_its_line(world: Any) -> None:
    content = "record_id,redcap_event_name\r\nSØ,t0_arm_1\r\n".encode("latin-1")
    summary = summary_of(preview(world, content))
    assert codes(summary) == [(2, None, "not_utf8")]


# --- Record ids, consent and new participants ----------------------------------------------------


def test_unknown_record_ids_are_refused_without_the_paper_consent_tick(world: Any) -> None:
    before = counts()
    run = preview(world, (DATA / "new_participants.csv").read_bytes())
    summary = summary_of(run)
    assert [c for _line, _col, c in codes(summary)] == ["unknown_record"] * 3
    assert summary.problems[0].params["record_id"] == "R101"
    assert counts() == before


def test_with_the_tick_unknown_record_ids_become_new_participants_with_paper_consent(
    world: Any,
) -> None:
    run = preview(world, (DATA / "new_participants.csv").read_bytes(), paper=True)
    summary = summary_of(run)
    assert summary.ok, codes(summary)
    assert (summary.new_participants, summary.consents_recorded) == (2, 2)
    imports.import_commit(actor=actor(world, "coordinator_a"), run=run)
    records = ExternalRecord.objects.filter(organisation=world.org_a).order_by("record_id")
    assert [r.record_id for r in records] == ["R101", "R102"]
    new = [r.participant for r in records]
    assert all(p.organisation == world.org_a for p in new)
    assert not Contact.objects.filter(participant__in=new).exists()
    consents = Consent.objects.filter(participant__in=new, purpose=ConsentPurpose.EVALUATION)
    assert [c.method for c in consents] == [ConsentMethod.PAPER, ConsentMethod.PAPER]
    assert all(c.recorded_by == world.coordinator_a for c in consents)
    r101 = Response.objects.filter(participant=new[0])
    assert sorted(r101.values_list("wave", "instrument_code", "status")) == [
        ("T0", "tils", "submitted"),
        ("T0", "who5", "submitted"),
        ("T1", "tils", "partial"),
    ]
    assert all(r.enrolment_id is None and r.invitation_id is None for r in r101)
    # Imported again, the record ids find the same participants.
    again = preview(world, (DATA / "new_participants.csv").read_bytes(), paper=True)
    summary = summary_of(again)
    assert (summary.new_participants, summary.responses_new) == (0, 0)


def test_a_participant_who_withdrew_evaluation_consent_is_refused_even_with_the_tick(
    world: Any, people: list[Participant]
) -> None:
    first = people[0]
    consent_withdraw(
        actor=SYSTEM,
        participant=first,
        purpose=ConsentPurpose.EVALUATION,
        method=ConsentMethod.VERBAL,
    )
    before = counts()
    run = preview(world, csv_bytes([row(first.code)]), paper=True)
    assert codes(summary_of(run)) == [(2, "record_id", "consent_withdrawn")]
    with pytest.raises(ImportRefused):
        imports.import_commit(actor=actor(world, "coordinator_a"), run=run)
    assert counts() == before


def test_a_participant_who_never_consented_needs_the_tick_which_records_paper_consent(
    world: Any,
) -> None:
    stranger = Participant.objects.create(organisation=world.org_a)
    summary = summary_of(preview(world, csv_bytes([row(stranger.code, **TILS_ONLY)])))
    assert codes(summary) == [(2, "record_id", "no_consent")]
    run = preview(world, csv_bytes([row(stranger.code, **TILS_ONLY)]), paper=True)
    imports.import_commit(actor=actor(world, "coordinator_a"), run=run)
    consent = Consent.objects.get(participant=stranger)
    assert (consent.purpose, consent.method) == (ConsentPurpose.EVALUATION, ConsentMethod.PAPER)
    response = Response.objects.get(participant=stranger)
    assert (response.enrolment, response.invitation) == (None, None)


def test_consent_withdrawn_between_preview_and_commit_refuses_the_commit(
    world: Any, people: list[Participant]
) -> None:
    first = people[0]
    run = preview(world, csv_bytes([row(first.code)]))
    assert summary_of(run).ok
    consent_withdraw(
        actor=SYSTEM,
        participant=first,
        purpose=ConsentPurpose.EVALUATION,
        method=ConsentMethod.VERBAL,
    )
    before = counts()
    with pytest.raises(ImportRefused) as refused:
        imports.import_commit(actor=actor(world, "coordinator_a"), run=run)
    assert [p.code for p in refused.value.problems] == ["consent_withdrawn"]
    run.refresh_from_db()
    assert run.status == ImportStatus.PREVIEWED and run.content
    assert counts() == before


def test_a_code_of_another_organisation_is_not_imported_as_a_stranger(
    world: Any, people: list[Participant]
) -> None:
    # Coordinator B's file names organisation A's participant code.
    content = csv_bytes([row(people[0].code, **TILS_ONLY)])
    run = preview(world, content, role="coordinator_b", organisation=world.org_b, paper=True)
    assert codes(summary_of(run)) == [(2, "record_id", "code_not_found")]


def test_two_record_ids_of_one_participant_in_one_wave_are_refused(
    world: Any, people: list[Participant]
) -> None:
    first = people[0]
    ExternalRecord.objects.create(organisation=world.org_a, record_id="77", participant=first)
    summary = summary_of(preview(world, csv_bytes([row("77"), row(first.code)])))
    assert codes(summary) == [(3, "record_id", "same_participant")]


# --- Organisations -------------------------------------------------------------------------------


def test_a_coordinator_cannot_import_into_another_organisation(
    world: Any, people: list[Participant]
) -> None:
    content = csv_bytes([row(people[0].code, dag="odense"), row("R9", dag="no-such-org")])
    summary = summary_of(preview(world, content, paper=True))
    assert codes(summary) == [
        (2, "redcap_data_access_group", "dag_not_yours"),
        (3, "redcap_data_access_group", "dag_not_yours"),
    ]
    with pytest.raises(NotFound):
        preview(world, content, organisation=world.org_b)


def test_a_coordinators_runs_are_not_found_for_another_organisations_coordinator(
    world: Any, people: list[Participant]
) -> None:
    run = preview(world, csv_bytes([row(people[0].code)]))
    other = actor(world, "coordinator_b")
    with pytest.raises(NotFound):
        imports.import_run_get_for_actor(actor=other, public_id=str(run.public_id))
    with pytest.raises(NotFound):
        imports.import_commit(actor=other, run=run)
    with pytest.raises(NotFound):
        imports.import_discard(actor=other, run=run)
    assert imports.import_runs_for_actor(actor=other) == []
    assert imports.import_runs_for_actor(actor=actor(world, "coordinator_a2")) == [run]
    run.refresh_from_db()
    assert run.status == ImportStatus.PREVIEWED


def test_facilitators_and_evaluators_cannot_import(world: Any) -> None:
    for role in ("facilitator_a", "evaluator"):
        with pytest.raises(NotFound):
            preview(world, b"record_id\r\n", role=role)


def test_a_national_import_places_rows_by_data_access_group(
    world: Any, people: list[Participant]
) -> None:
    content = csv_bytes(
        [
            row(people[0].code, dag="Aarhus", **TILS_ONLY),
            row("B-1", dag="ODENSE", **TILS_ONLY),
            row("X-1", **TILS_ONLY),
        ]
    )
    summary = summary_of(
        preview(world, content, role="national_admin", organisation=None, paper=True)
    )
    assert codes(summary) == [(4, "redcap_data_access_group", "no_default_organisation")]
    run = preview(world, content, role="national_admin", organisation=world.org_b, paper=True)
    summary = summary_of(run)
    assert summary.ok, codes(summary)
    assert [(o.slug, o.rows) for o in summary.organisations] == [("odense", 2), ("aarhus", 1)]
    imports.import_commit(actor=actor(world, "national_admin"), run=run)
    assert sorted(ExternalRecord.objects.values_list("organisation__slug", "record_id")) == [
        ("odense", "B-1"),
        ("odense", "X-1"),
    ]
    assert run.organisation is None


# --- Committing ----------------------------------------------------------------------------------


def test_a_double_commit_imports_once(world: Any, people: list[Participant]) -> None:
    run = preview(world, csv_bytes([row(people[0].code)]))
    coordinator = actor(world, "coordinator_a")
    assert imports.import_commit(actor=coordinator, run=run) is not None
    after = counts()
    assert imports.import_commit(actor=coordinator, run=run) is None
    assert imports.import_commit(actor=actor(world, "coordinator_a2"), run=run) is None
    assert counts() == after
    commits = AuditEvent.objects.filter(
        object_id=run.public_id, purpose__startswith="REDCap import:"
    )
    assert commits.count() == 1


def test_discarding_empties_the_stored_file_and_a_discarded_run_cannot_be_committed(
    world: Any, people: list[Participant]
) -> None:
    run = preview(world, csv_bytes([row(people[0].code)]))
    assert run.content
    coordinator = actor(world, "coordinator_a")
    assert imports.import_discard(actor=coordinator, run=run)
    assert (run.status, run.content) == (ImportStatus.DISCARDED, "")
    assert not imports.import_discard(actor=coordinator, run=run)
    assert imports.import_commit(actor=coordinator, run=run) is None
    assert not Response.objects.exists()


def test_the_events_mapping_is_read_and_checked() -> None:
    assert imports.events_parse("t0_arm_1=t0; baseline_arm_1 = T0\nt2_arm_1=T2") == {
        "t0_arm_1": "T0",
        "baseline_arm_1": "T0",
        "t2_arm_1": "T2",
    }
    for bad in ("", "t0_arm_1", "t0_arm_1=T4", "t0_arm_1=T0,t0_arm_1=T1", "T0 arm=T0"):
        with pytest.raises(ValidationError):
            imports.events_parse(bad)
