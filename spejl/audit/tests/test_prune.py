"""Pruning the oldest audit events (the retention job's sanctioned path): the chain still
verifies, tampering is still detected, and the database refuses every other deletion of seals.
Written for SQLite and PostgreSQL alike."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from spejl.access.actor import SYSTEM
from spejl.audit import chain
from spejl.audit.chain import Anchor, PruneRefused, audit_prune, seal_pending, verify
from spejl.audit.models import AppendOnlyError, AuditAction, AuditEvent, AuditPrune, AuditSeal
from spejl.audit.services import audit_record
from spejl.audit.tests.support import raw
from spejl.testing.concurrency import twice_at_once

YEAR = timedelta(days=365)


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    """Events written inside get ``moment`` as their time (auto_now_add reads timezone.now)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _event(purpose: str) -> AuditEvent:
    return audit_record(
        actor=SYSTEM,
        action=AuditAction.READ,
        object_type="participants.participant",
        object_id=purpose,
        organisation=None,
        fields=["phone"],
        purpose=purpose,
    )


def _log(old: int, recent: int) -> tuple[list[AuditEvent], list[AuditEvent]]:
    """``old`` events six years ago, ``recent`` ones now, all sealed."""
    with clock(timezone.now() - 6 * YEAR):
        old_events = [_event(f"old {n}") for n in range(old)]
    recent_events = [_event(f"recent {n}") for n in range(recent)]
    seal_pending(settle_seconds=0)
    return old_events, recent_events


def _cutoff() -> datetime:
    return timezone.now() - 5 * YEAR


@pytest.mark.django_db
def test_prune_removes_old_sealed_events_and_the_chain_verifies_from_the_prune() -> None:
    old, recent = _log(3, 2)
    seal_3 = AuditSeal.objects.get(sequence=3)

    result = audit_prune(cutoff=_cutoff())

    assert (result.removed, result.prunes) == (3, 1)
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert list(AuditSeal.objects.values_list("sequence", flat=True)) == [4, 5]
    prune = AuditPrune.objects.get()
    assert (prune.through_sequence, prune.chain_hash) == (3, seal_3.chain_hash)
    assert (prune.previous_through, prune.events_removed) == (0, 3)
    assert prune.newest_removed is not None and prune.newest_removed < prune.cutoff
    witness = AuditEvent.objects.get(object_type=chain.PRUNE_OBJECT_TYPE)
    assert witness.object_id == seal_3.chain_hash
    assert witness.purpose.endswith("through seal 3")
    assert witness.action == AuditAction.DELETE and witness.actor is None

    seal_pending(settle_seconds=0)  # seals the witness after the kept events
    result_after = verify(settle_seconds=0)
    assert result_after.intact, result_after.broken
    assert result_after.checked == 3  # two recent events and the witness
    assert result_after.pruned is not None and result_after.pruned.through_sequence == 3
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in recent]).count() == 2


@pytest.mark.django_db
def test_prune_twice_removes_nothing_more() -> None:
    _log(2, 1)
    assert audit_prune(cutoff=_cutoff()).removed == 2
    again = audit_prune(cutoff=_cutoff())
    assert (again.removed, again.prunes) == (0, 0)
    assert AuditPrune.objects.count() == 1


@pytest.mark.django_db
def test_sealing_continues_after_a_prune_that_removed_every_seal() -> None:
    _log(3, 0)
    audit_prune(cutoff=_cutoff())
    assert not AuditSeal.objects.exists()
    assert chain.chain_head() == Anchor(3, AuditPrune.objects.get().chain_hash)
    _event("after")
    assert seal_pending(settle_seconds=0) == 2  # the prune's own event and this one
    assert list(AuditSeal.objects.values_list("sequence", flat=True)) == [4, 5]
    assert verify(settle_seconds=0).intact


@pytest.mark.django_db
def test_pruning_in_batches_makes_one_prune_record_per_batch_that_follow_each_other() -> None:
    _log(5, 1)
    result = audit_prune(cutoff=_cutoff(), batch=2)
    assert (result.removed, result.prunes) == (5, 3)
    prunes = list(AuditPrune.objects.values_list("previous_through", "through_sequence"))
    assert prunes == [(0, 2), (2, 4), (4, 5)]
    seal_pending(settle_seconds=0)
    assert verify(settle_seconds=0).intact


@pytest.mark.django_db
def test_old_event_sealed_after_a_newer_one_waits_until_the_prefix_reaches_it() -> None:
    _event("recent first")
    seal_pending(settle_seconds=0)
    with clock(timezone.now() - 6 * YEAR):
        _event("old, committed late")
    seal_pending(settle_seconds=0)
    plan = chain.audit_prune_plan(cutoff=_cutoff())
    assert (plan.through, plan.events) == (0, 0)
    assert audit_prune(cutoff=_cutoff()).removed == 0


@pytest.mark.django_db
def test_unsealed_old_events_are_not_pruned_and_are_reported() -> None:
    with clock(timezone.now() - 6 * YEAR):
        event = _event("never sealed")
    assert chain.audit_prune_plan(cutoff=_cutoff()).unsealed_old == 1
    assert audit_prune(cutoff=_cutoff()).removed == 0
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_prune_refuses_and_removes_nothing_when_the_old_part_was_tampered_with() -> None:
    old, _recent = _log(3, 1)
    raw("UPDATE audit_auditevent SET purpose = %s WHERE id = %s", ["rewritten", old[1].pk])
    with pytest.raises(PruneRefused) as refused:
        audit_prune(cutoff=_cutoff())
    assert refused.value.broken == chain.BrokenLink(2, old[1].pk, chain.EVENT_CHANGED)
    assert AuditSeal.objects.count() == 4
    assert not AuditPrune.objects.exists()


@pytest.mark.django_db
def test_tampering_with_a_kept_event_after_a_prune_is_still_detected() -> None:
    _old, recent = _log(2, 2)
    audit_prune(cutoff=_cutoff())
    seal_pending(settle_seconds=0)
    raw("UPDATE audit_auditevent SET purpose = %s WHERE id = %s", ["rewritten", recent[1].pk])
    result = verify(settle_seconds=0)
    assert result.broken == chain.BrokenLink(4, recent[1].pk, chain.EVENT_CHANGED)


@pytest.mark.django_db
def test_rewritten_first_seal_after_a_prune_no_longer_links_to_the_prune_anchor() -> None:
    _log(2, 2)
    audit_prune(cutoff=_cutoff())
    raw("UPDATE audit_auditseal SET previous_hash = %s WHERE sequence = %s", ["e" * 64, 3])
    assert verify(settle_seconds=0).broken == chain.BrokenLink(
        3, AuditSeal.objects.get(sequence=3).event_id, chain.CHAIN_HASH_MISMATCH
    )


@pytest.mark.django_db
def test_deleting_seals_without_a_prune_record_is_refused_by_the_database() -> None:
    _log(2, 1)
    for sql in (
        "DELETE FROM audit_auditseal WHERE sequence = %s",
        "DELETE FROM audit_auditseal WHERE sequence <= %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [1])
    assert AuditSeal.objects.count() == 3


@pytest.mark.django_db
def test_a_prune_record_covers_only_its_own_deletion_not_later_ones() -> None:
    _log(2, 2)
    audit_prune(cutoff=_cutoff())  # prune record through 2, and its audit event after it
    _event("a later insert")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditseal WHERE sequence = %s", [3])
    assert AuditSeal.objects.filter(sequence=3).exists()


@pytest.mark.django_db
def test_no_seal_can_be_inserted_in_the_pruned_part() -> None:
    _old, _recent = _log(2, 1)
    audit_prune(cutoff=_cutoff())
    event = _event("to seal by hand")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditSeal.objects.create(
            sequence=2,
            event=event,
            event_hash="a" * 64,
            previous_hash="b" * 64,
            chain_hash="c" * 64,
            sealed_at=timezone.now(),
        )


@pytest.mark.django_db
def test_prune_records_refuse_change_and_delete_in_the_model_and_the_database() -> None:
    _log(1, 1)
    audit_prune(cutoff=_cutoff())
    prune = AuditPrune.objects.get()
    with pytest.raises(AppendOnlyError):
        prune.save()
    with pytest.raises(AppendOnlyError):
        prune.delete()
    with pytest.raises(AppendOnlyError):
        AuditPrune.objects.all().delete()
    for sql in (
        "UPDATE audit_auditprune SET through_sequence = through_sequence + %s",
        "DELETE FROM audit_auditprune WHERE id > %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [0])
    assert AuditPrune.objects.get().through_sequence == 1


@pytest.mark.django_db
def test_forged_prune_without_its_audit_event_is_reported() -> None:
    _old, _recent = _log(1, 3)
    seal_2 = AuditSeal.objects.get(sequence=2)
    # Someone with database rights deletes recent events and writes a prune record for them.
    raw(
        "INSERT INTO audit_auditprune (through_sequence, chain_hash, previous_through, cutoff, "
        "events_removed, oldest_removed, newest_removed, pruned_at) "
        "VALUES (%s, %s, 0, %s, 2, NULL, NULL, %s)",
        [2, seal_2.chain_hash, _cutoff(), timezone.now()],
    )
    raw("DELETE FROM audit_auditseal WHERE sequence <= %s", [2])
    result = verify(settle_seconds=0)
    assert result.broken == chain.BrokenLink(2, None, chain.PRUNE_UNWITNESSED)


@pytest.mark.django_db
def test_prune_record_claiming_to_remove_events_newer_than_its_cutoff_is_implausible() -> None:
    _log(1, 2)
    audit_prune(cutoff=_cutoff())
    raw(
        "UPDATE audit_auditprune SET newest_removed = %s WHERE through_sequence = %s",
        [timezone.now(), 1],
    )
    assert verify(settle_seconds=0).broken == chain.BrokenLink(1, None, chain.PRUNE_IMPLAUSIBLE)


@pytest.mark.django_db
def test_an_external_anchor_inside_the_pruned_part_fails_unless_it_is_the_prune_anchor() -> None:
    _log(3, 1)
    kept_outside = Anchor(2, AuditSeal.objects.get(sequence=2).chain_hash)
    audit_prune(cutoff=_cutoff())
    seal_pending(settle_seconds=0)
    assert verify(settle_seconds=0, anchor=kept_outside).broken == chain.BrokenLink(
        2, None, chain.ANCHOR_PRUNED
    )
    prune_anchor = chain.latest_prune()
    assert prune_anchor is not None
    assert verify(settle_seconds=0, anchor=prune_anchor.anchor).intact
    assert verify(settle_seconds=0, anchor=chain.chain_head()).intact


@pytest.mark.django_db
def test_verify_and_export_commands_say_where_the_chain_starts_after_a_prune() -> None:
    _log(2, 1)
    audit_prune(cutoff=_cutoff())
    seal_pending(settle_seconds=0)
    out = io.StringIO()
    call_command("verify_audit", settle_seconds=0, stdout=out)
    anchor = chain.latest_prune()
    assert anchor is not None
    assert f"Retention pruned the chain through seal 2 on {timezone.now().date()}" in out.getvalue()
    assert f"verified from {anchor.anchor}" in out.getvalue()
    assert "Audit chain intact: 2 seal(s)" in out.getvalue()
    err = io.StringIO()
    call_command("export_audit", stdout=io.StringIO(), stderr=err)
    assert f"the chain starts from {anchor.anchor}" in err.getvalue()


@pytest.mark.django_db(transaction=True)
def test_two_pruners_and_a_sealer_at_once_keep_one_verifiable_chain(chain_cleanup: None) -> None:
    _log(30, 5)
    results = twice_at_once(lambda: audit_prune(cutoff=_cutoff(), batch=7))
    assert all(isinstance(r, chain.PruneResult) for r in results), results
    assert sum(r.removed for r in results) == 30
    prunes = list(AuditPrune.objects.values_list("previous_through", "through_sequence"))
    assert prunes[-1][1] == 30
    assert all(a[1] == b[0] for a, b in itertools.pairwise(prunes))
    sealed = twice_at_once(lambda: seal_pending(settle_seconds=0))
    assert all(isinstance(n, int) for n in sealed), sealed
    assert verify(settle_seconds=0).intact


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_seal_delete_trigger_needs_the_prune_of_the_same_transaction(
    chain_cleanup: None,
) -> None:
    _log(2, 2)
    audit_prune(cutoff=_cutoff())
    seal_3 = AuditSeal.objects.get(sequence=3)
    # A prune record covering seal 3, committed in its own transaction (inserting one is not
    # refused), does not let a later transaction delete the seal.
    AuditPrune.objects.create(
        through_sequence=3,
        chain_hash=seal_3.chain_hash,
        previous_through=2,
        cutoff=_cutoff(),
        events_removed=1,
        pruned_at=timezone.now(),
    )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditseal WHERE sequence = %s", [3])
    assert AuditSeal.objects.filter(sequence=3).exists()
    stamps = set(AuditPrune.objects.values_list("transaction_id", flat=True))
    assert None not in stamps and len(stamps) == 2


@pytest.mark.django_db
def test_a_dense_log_leaves_no_gap_after_a_prune_but_a_forged_prune_of_recent_events_does() -> None:
    _log(2, 0)
    with clock(_cutoff() + timedelta(days=1)):
        _event("just younger than the cutoff")
    recent = _event("recent")
    seal_pending(settle_seconds=0)
    audit_prune(cutoff=_cutoff())
    seal_pending(settle_seconds=0)
    honest = verify(settle_seconds=0)
    assert honest.intact and not honest.prune_gap_suspicious
    assert honest.prune_gap is not None and honest.prune_gap < timedelta(days=2)

    # Someone with database rights forges a plausible prune hiding everything before `recent`,
    # with its own audit event, and reseals nothing: the chain alone cannot tell, the gap can.
    through = AuditSeal.objects.get(event=recent).sequence - 1
    forged_hash = AuditSeal.objects.get(sequence=through).chain_hash
    raw(
        "INSERT INTO audit_auditprune (through_sequence, chain_hash, previous_through, cutoff, "
        "events_removed, oldest_removed, newest_removed, pruned_at) "
        "VALUES (%s, %s, %s, %s, 1, NULL, NULL, %s)",
        [through, forged_hash, 2, _cutoff(), timezone.now()],
    )
    raw("DELETE FROM audit_auditseal WHERE sequence <= %s", [through])
    _event_with_id = audit_record(
        actor=SYSTEM,
        action=AuditAction.DELETE,
        object_type=chain.PRUNE_OBJECT_TYPE,
        object_id=forged_hash,
        organisation=None,
        fields=(),
        purpose="forged",
    )
    forged = verify(settle_seconds=0)
    assert forged.intact  # the documented limit of the chain without an anchor
    assert forged.prune_gap_suspicious
    out = io.StringIO()
    call_command("verify_audit", settle_seconds=0, stdout=out)
    assert "WARNING: " in out.getvalue()


@pytest.mark.django_db
def test_prune_refuses_a_cutoff_younger_than_a_year() -> None:
    _log(1, 1)
    with pytest.raises(ValueError, match="at least a year"):
        audit_prune(cutoff=timezone.now() - timedelta(days=100))
    assert not AuditPrune.objects.exists()
