"""The audit hash chain: sealing, verifying (including tampering at the database level) and the
export for the data-protection officer. Written for SQLite and PostgreSQL alike."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from spejl.access.actor import SYSTEM, actor_for_user
from spejl.audit import chain
from spejl.audit.chain import Anchor, seal_pending, verify
from spejl.audit.models import AppendOnlyError, AuditAction, AuditEvent, AuditSeal
from spejl.audit.services import audit_record
from spejl.audit.tests.support import raw
from spejl.conftest import World
from spejl.testing.concurrency import twice_at_once


def _events(count: int, purpose: str = "test") -> list[AuditEvent]:
    return [
        audit_record(
            actor=SYSTEM,
            action=AuditAction.READ,
            object_type="participants.participant",
            object_id=f"p{n}",
            organisation=None,
            fields=["phone", "name"],
            purpose=f"{purpose} {n}",
        )
        for n in range(count)
    ]


@pytest.mark.django_db
def test_sealed_log_verifies_intact_and_links_each_seal_to_the_one_before() -> None:
    events = _events(3)
    assert seal_pending(settle_seconds=0) == 3
    assert seal_pending(settle_seconds=0) == 0
    seals = list(AuditSeal.objects.order_by("sequence"))
    assert [s.sequence for s in seals] == [1, 2, 3]
    assert [s.event_id for s in seals] == [e.pk for e in events]
    assert seals[0].previous_hash == chain.GENESIS_HASH
    for before, seal in itertools.pairwise(seals):
        assert seal.previous_hash == before.chain_hash
    result = verify(settle_seconds=0)
    assert result.intact
    assert result.checked == 3
    assert result.head == Anchor(3, seals[-1].chain_hash)
    assert result.unsealed == 0
    assert result.out_of_order == 0


@pytest.mark.django_db
def test_event_hash_ignores_the_order_of_field_names_but_not_their_content() -> None:
    (event,) = _events(1)
    row = AuditEvent.objects.filter(pk=event.pk).values(*chain.EVENT_COLUMNS).get()
    assert chain.event_hash({**row, "fields": ["phone", "name"]}) == chain.event_hash(
        {**row, "fields": ["name", "phone"]}
    )
    assert chain.event_hash({**row, "purpose": "other"}) != chain.event_hash(row)


@pytest.mark.django_db
def test_seals_refuse_change_and_delete_in_the_model_and_the_database() -> None:
    _events(1)
    seal_pending(settle_seconds=0)
    seal = AuditSeal.objects.get()
    with pytest.raises(AppendOnlyError):
        seal.save()
    with pytest.raises(AppendOnlyError):
        seal.delete()
    with pytest.raises(AppendOnlyError):
        AuditSeal.objects.all().delete()
    for sql in (
        "UPDATE audit_auditseal SET chain_hash = %s WHERE id = %s",
        "DELETE FROM audit_auditseal WHERE chain_hash <> %s AND id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, ["0" * 64, seal.pk])
    assert AuditSeal.objects.get().chain_hash == seal.chain_hash


@pytest.mark.django_db
def test_changed_event_is_reported_at_its_seal() -> None:
    events = _events(3)
    seal_pending(settle_seconds=0)
    raw("UPDATE audit_auditevent SET purpose = %s WHERE id = %s", ["rewritten", events[1].pk])
    result = verify(settle_seconds=0)
    assert not result.intact
    assert result.broken == chain.BrokenLink(2, events[1].pk, chain.EVENT_CHANGED)
    assert result.checked == 1


@pytest.mark.django_db
def test_deleted_event_is_reported_missing() -> None:
    events = _events(3)
    seal_pending(settle_seconds=0)
    row = AuditEvent.objects.filter(pk=events[1].pk).values().get()
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    assert verify(settle_seconds=0).broken == chain.BrokenLink(2, events[1].pk, chain.EVENT_MISSING)
    # Put a row back so the end-of-test foreign-key check passes (the seal still points to it).
    AuditEvent.objects.bulk_create([AuditEvent(**row)])


@pytest.mark.django_db
def test_deleted_seal_and_event_leave_a_sequence_gap() -> None:
    events = _events(3)
    seal_pending(settle_seconds=0)
    raw("DELETE FROM audit_auditseal WHERE sequence = %s", [2])
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    assert verify(settle_seconds=0).broken == chain.BrokenLink(3, events[2].pk, chain.SEQUENCE_GAP)


@pytest.mark.django_db
def test_rewritten_seal_is_a_chain_hash_mismatch() -> None:
    events = _events(3)
    seal_pending(settle_seconds=0)
    raw("UPDATE audit_auditseal SET previous_hash = %s WHERE sequence = %s", ["f" * 64, 3])
    assert verify(settle_seconds=0).broken == chain.BrokenLink(
        3, events[2].pk, chain.CHAIN_HASH_MISMATCH
    )


@pytest.mark.django_db
def test_truncated_newest_events_need_the_anchor_to_be_detected() -> None:
    events = _events(3)
    seal_pending(settle_seconds=0)
    anchor = chain.chain_head()
    raw("DELETE FROM audit_auditseal WHERE sequence = %s", [3])
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    assert verify(settle_seconds=0).intact  # the documented limit without an anchor
    assert verify(settle_seconds=0, anchor=anchor).broken == chain.BrokenLink(
        3, None, chain.TRUNCATED
    )


@pytest.mark.django_db
def test_a_chain_recomputed_after_tampering_does_not_match_the_anchor() -> None:
    events = _events(2)
    seal_pending(settle_seconds=0)
    anchor = chain.chain_head()
    raw("UPDATE audit_auditevent SET purpose = %s WHERE id = %s", ["rewritten", events[0].pk])
    raw("DELETE FROM audit_auditseal WHERE id > %s", [0])
    seal_pending(settle_seconds=0)
    assert verify(settle_seconds=0).intact
    assert verify(settle_seconds=0, anchor=anchor).broken == chain.BrokenLink(
        2, events[1].pk, chain.ANCHOR_MISMATCH
    )


@pytest.mark.django_db
def test_events_younger_than_the_settle_time_are_left_for_the_next_run() -> None:
    _events(2)
    assert seal_pending(settle_seconds=60) == 0
    assert verify(settle_seconds=60).unsealed == 0
    assert verify(settle_seconds=0).unsealed == 2
    assert seal_pending(settle_seconds=0) == 2
    assert verify(settle_seconds=0).unsealed == 0


@pytest.mark.django_db
def test_sealing_in_small_batches_makes_the_same_chain() -> None:
    _events(7)
    assert seal_pending(settle_seconds=0, batch=3) == 7
    assert list(AuditSeal.objects.values_list("sequence", flat=True)) == list(range(1, 8))
    assert verify(settle_seconds=0).intact


@pytest.mark.django_db
def test_anchor_parses_what_it_prints_and_refuses_anything_else() -> None:
    anchor = Anchor(12, "a" * 64)
    assert Anchor.parse(str(anchor)) == anchor
    for text in ("12", "x:" + "a" * 64, "12:" + "g" * 64, "12:abc"):
        with pytest.raises(ValueError):
            Anchor.parse(text)


@pytest.mark.django_db
def test_verify_audit_command_exits_1_with_the_first_broken_link() -> None:
    events = _events(2)
    call_command("seal_audit", settle_seconds=0, stdout=io.StringIO())
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "intact: 2 seal(s)" in out.getvalue()
    raw("UPDATE audit_auditevent SET fields = %s WHERE id = %s", ['["cpr"]', events[0].pk])
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit", stdout=io.StringIO(), stderr=err)
    assert exit_info.value.code == 1
    assert f"seal 1 (event {events[0].pk}): event changed" in err.getvalue()


@pytest.mark.django_db(transaction=True)
def test_two_sealers_at_once_make_one_linear_chain(chain_cleanup: None) -> None:
    events = _events(40)
    totals = twice_at_once(lambda: seal_pending(settle_seconds=0, batch=7))
    assert all(isinstance(total, int) for total in totals), totals
    assert sum(totals) == 40
    seals = list(AuditSeal.objects.order_by("sequence").values_list("sequence", "event_id"))
    assert [sequence for sequence, _ in seals] == list(range(1, 41))
    assert sorted(event_id for _, event_id in seals) == sorted(e.pk for e in events)
    assert verify(settle_seconds=0).intact


@pytest.mark.django_db(transaction=True)
def test_seal_and_verify_commands_twice_at_once(chain_cleanup: None) -> None:
    _events(30)

    def command(name: str) -> str:
        out = io.StringIO()
        call_command(name, settle_seconds=0, stdout=out)
        return out.getvalue()

    sealed = twice_at_once(lambda: command("seal_audit"))
    assert sorted(sealed) == ["0 audit event(s) sealed.\n", "30 audit event(s) sealed.\n"]
    verified = twice_at_once(lambda: command("verify_audit"))
    head = chain.chain_head()
    assert verified == [f"Audit chain intact: 30 seal(s), head {head}.\n"] * 2
    results = twice_at_once(lambda: verify(settle_seconds=0))
    assert results[0] == results[1]
    assert results[0].head == head


@pytest.mark.django_db
def test_export_lists_events_with_their_seals_writes_the_anchor_and_is_audited(
    world: World, tmp_path: Path
) -> None:
    read = audit_record(
        actor=actor_for_user(world.coordinator_a),
        action=AuditAction.READ,
        obj=world.facilitator_a,
        organisation=world.org_a,
        fields=["phone", "email"],
        purpose="staff member page",
    )
    seal_pending(settle_seconds=0)
    later = _events(1, purpose="not yet sealed")[0]
    output = tmp_path / "audit.csv"
    out = io.StringIO()
    call_command("export_audit", output=str(output), stdout=out)

    head = chain.chain_head()
    anchor_text = (tmp_path / "audit.csv.anchor").read_text(encoding="utf-8")
    assert anchor_text.splitlines()[-1] == str(head)
    assert str(head) in out.getvalue()
    rows = list(csv.DictReader(output.open(encoding="utf-8", newline="")))
    assert rows[0]["id"] == str(read.pk)
    assert rows[0]["sequence"] == "1"
    assert rows[0]["actor_email"] == world.coordinator_a.email
    assert rows[0]["fields"] == '["email", "phone"]'
    assert (
        rows[0]["chain_hash"]
        == head.chain_hash
        == chain.chain_hash(
            previous_hash=rows[0]["previous_hash"], event_hash=rows[0]["event_hash"], sequence=1
        )
    )
    unsealed = {row["id"]: row for row in rows[1:]}
    assert unsealed[str(later.pk)]["sequence"] == ""
    export = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="audit.export")
    assert export.actor is None
    assert str(export.pk) in unsealed


@pytest.mark.django_db
def test_export_names_the_person_given_by_by_and_refuses_an_unknown_one(
    world: World, tmp_path: Path
) -> None:
    call_command(
        "export_audit",
        by=world.national_admin.email.upper(),
        output=str(tmp_path / "a.csv"),
        stdout=io.StringIO(),
    )
    export = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="audit.export")
    assert export.actor == world.national_admin

    with pytest.raises(CommandError, match="no active staff account"):
        call_command(
            "export_audit",
            by="nobody@example.org",
            output=str(tmp_path / "b.csv"),
            stdout=io.StringIO(),
        )
    assert not (tmp_path / "b.csv").exists()
    assert AuditEvent.objects.filter(object_type="audit.export").count() == 1


@pytest.mark.django_db
def test_export_keeps_to_the_date_range() -> None:
    _events(2)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    today = timezone.localdate().isoformat()
    future = io.StringIO()
    call_command("export_audit", date_from=tomorrow, stdout=future, stderr=io.StringIO())
    assert len(list(csv.reader(io.StringIO(future.getvalue())))) == 1  # the header only
    current = io.StringIO()
    err = io.StringIO()
    call_command("export_audit", date_from=today, date_to=today, stdout=current, stderr=err)
    # Two events and the first export's own audit event; the second export's was written first.
    assert len(list(csv.reader(io.StringIO(current.getvalue())))) == 1 + 4
    assert "Audit chain head (keep outside Spejl): 0:" in err.getvalue()
    spans = set(
        AuditEvent.objects.filter(object_type="audit.export").values_list("object_id", flat=True)
    )
    assert spans == {f"{tomorrow}..", f"{today}..{today}"}
