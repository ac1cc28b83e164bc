"""The hash chain over the audit log: sealing, verifying, and the export for the data-protection
officer.

Sealing runs apart from the services (a cron command), so no service transaction ever waits for
a chain lock. Seals hold hashes only; the export holds the audit events themselves, including the
acting staff member's e-mail address, and is therefore audited.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final, Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from spejl.access.actor import SYSTEM, Actor
from spejl.audit.models import AuditAction, AuditEvent, AuditPrune, AuditSeal
from spejl.audit.services import audit_record

GENESIS_HASH: Final = "0" * 64
# pg_advisory_xact_lock key shared by every sealer ("SPEJL" + 1); any constant would do.
SEAL_LOCK_KEY: Final = 0x5350454A4C01
EVENT_COLUMNS: Final = (
    "id",
    "occurred_at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "organisation_id",
    "fields",
    "purpose",
)
CHUNK: Final = 2000

EVENT_CHANGED: Final = "event changed"
EVENT_MISSING: Final = "event missing"
CHAIN_HASH_MISMATCH: Final = "chain hash mismatch"
SEQUENCE_GAP: Final = "sequence gap"
ANCHOR_MISMATCH: Final = "anchor mismatch"
TRUNCATED: Final = "chain ends before the anchor"
ANCHOR_PRUNED: Final = "anchor lies in the pruned part of the chain"
PRUNE_UNWITNESSED: Final = "prune record without its audit event"
PRUNE_IMPLAUSIBLE: Final = "prune record implausible"
PRUNE_RECORDS_BROKEN: Final = "prune records do not follow each other"
#: The object type of the audit event written with every prune (its object id is the new
#: anchor's chain hash).
PRUNE_OBJECT_TYPE: Final = "audit.auditprune"
# A prune record dated later than this after "now" is implausible (clock skew allowance).
PRUNE_CLOCK_SLACK: Final = timedelta(minutes=5)
#: Audit events are kept at least a year: a prune whose cutoff is younger than this before its
#: own time is implausible (and audit_prune refuses to write one).
PRUNE_MIN_AGE: Final = timedelta(days=365)
#: The daily retention run writes audit events every day, so the oldest kept event follows the
#: latest prune's cutoff closely; a longer gap is reported (events may have been removed).
PRUNE_GAP_WARNING: Final = timedelta(days=31)


def event_hash(event: Mapping[str, Any]) -> str:
    """Hex SHA-256 of one event's canonical content (the ``EVENT_COLUMNS`` of a ``values()`` row).

    Canonical form: JSON with sorted keys and no spaces, time in UTC ISO 8601, field names sorted.
    Touches the acting user's id only (field names, never values).
    """
    occurred_at = event["occurred_at"]
    fields = event["fields"]
    if isinstance(fields, list) and all(isinstance(name, str) for name in fields):
        fields = sorted(fields)
    content = {
        "id": event["id"],
        "occurred_at": occurred_at.astimezone(UTC).isoformat(),
        "actor_id": event["actor_id"],
        "action": event["action"],
        "object_type": event["object_type"],
        "object_id": event["object_id"],
        "organisation_id": event["organisation_id"],
        "fields": fields,
        "purpose": event["purpose"],
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chain_hash(*, previous_hash: str, event_hash: str, sequence: int) -> str:
    """Hex SHA-256 of previous hash ‖ event hash ‖ sequence (decimal), all as ASCII."""
    return hashlib.sha256(f"{previous_hash}{event_hash}{sequence}".encode("ascii")).hexdigest()


@dataclass(frozen=True)
class Anchor:
    """A chain head kept outside Spejl: ``sequence:chain_hash``."""

    sequence: int
    chain_hash: str

    def __str__(self) -> str:
        return f"{self.sequence}:{self.chain_hash}"

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """Read ``SEQUENCE:CHAIN_HASH`` as printed by ``export_audit``; ValueError otherwise."""
        sequence, _, digest = text.strip().partition(":")
        digest = digest.lower()
        if not sequence.isdigit() or len(digest) != 64 or set(digest) - set("0123456789abcdef"):
            raise ValueError(f"not an anchor (SEQUENCE:SHA256HEX): {text!r}")
        return cls(int(sequence), digest)


@dataclass(frozen=True)
class BrokenLink:
    """The first seal at which the chain no longer holds, and why."""

    sequence: int
    event_id: int | None
    what: str

    def __str__(self) -> str:
        event = "-" if self.event_id is None else str(self.event_id)
        return f"seal {self.sequence} (event {event}): {self.what}"


@dataclass(frozen=True)
class PruneInfo:
    """Where the chain starts after retention pruned its oldest part (the latest prune)."""

    through_sequence: int
    chain_hash: str
    pruned_at: datetime
    cutoff: datetime
    newest_removed: datetime | None
    #: Events removed by every prune so far.
    events_removed: int

    @property
    def anchor(self) -> Anchor:
        return Anchor(self.through_sequence, self.chain_hash)


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :func:`verify`.

    ``checked`` seals were walked up to ``head`` (or to the broken link), starting after
    ``pruned`` when retention has pruned the oldest part; ``unsealed`` counts events older than
    the settle time without a seal; ``out_of_order`` counts seals whose event is older than the
    previously sealed event (a late commit, or an event inserted back-dated).
    """

    checked: int
    head: Anchor
    broken: BrokenLink | None
    unsealed: int
    out_of_order: int
    pruned: PruneInfo | None = None
    #: Time from the latest prune's cutoff to the oldest kept sealed event (None: no prune, or
    #: nothing kept). Beyond ``PRUNE_GAP_WARNING`` a forged prune may have hidden events.
    prune_gap: timedelta | None = None

    @property
    def prune_gap_suspicious(self) -> bool:
        return self.prune_gap is not None and self.prune_gap > PRUNE_GAP_WARNING

    @property
    def intact(self) -> bool:
        return self.broken is None


def _lock_chain() -> None:
    # Two sealers must not both extend the chain from the same head. PostgreSQL: a transaction
    # advisory lock. SQLite: the database write lock; a no-op write takes it before the first
    # read even where transactions do not begin IMMEDIATE (settings do, so this is a backstop).
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
        elif connection.vendor == "sqlite":
            cursor.execute("DELETE FROM audit_auditseal WHERE 0 = 1")


def _chain_base() -> Anchor:
    """Where the chain starts: the latest prune's anchor, or genesis when nothing was pruned."""
    prune = AuditPrune.objects.order_by("-through_sequence").first()
    return Anchor(prune.through_sequence, prune.chain_hash) if prune else Anchor(0, GENESIS_HASH)


def _seal_batch(*, cutoff: datetime, batch: int) -> int:
    with transaction.atomic():
        _lock_chain()
        head = chain_head()
        sequence, previous = head.sequence, head.chain_hash
        events = (
            AuditEvent.objects.filter(seal__isnull=True, occurred_at__lt=cutoff)
            .order_by("occurred_at", "id")
            .values(*EVENT_COLUMNS)[:batch]
        )
        now = timezone.now()
        seals = []
        for event in events:
            sequence += 1
            digest = event_hash(event)
            link = chain_hash(previous_hash=previous, event_hash=digest, sequence=sequence)
            seals.append(
                AuditSeal(
                    sequence=sequence,
                    event_id=event["id"],
                    event_hash=digest,
                    previous_hash=previous,
                    chain_hash=link,
                    sealed_at=now,
                )
            )
            previous = link
        AuditSeal.objects.bulk_create(seals)
        return len(seals)


def seal_pending(*, settle_seconds: int = 60, batch: int = 5000) -> int:
    """Seal every event older than ``settle_seconds`` that has no seal yet; return how many.

    Events are sealed in (occurred_at, id) order, continuing from the last seal, one transaction
    per ``batch``. The settle time lets transactions that wrote an event commit before the event
    is sealed. Safe to run twice at once: sealers serialise on a lock, and the unique sequence
    is the final guard (retried once). Reads events; writes seals (hashes only).
    """
    cutoff = timezone.now() - timedelta(seconds=settle_seconds)
    total = 0
    while True:
        try:
            sealed = _seal_batch(cutoff=cutoff, batch=batch)
        except IntegrityError:
            sealed = _seal_batch(cutoff=cutoff, batch=batch)
        total += sealed
        if sealed < batch:
            return total


def _seal_chunks(
    after: int = 0, through: int | None = None
) -> Iterator[Sequence[Mapping[str, Any]]]:
    last = after
    bound = {} if through is None else {"sequence__lte": through}
    while True:
        chunk = list(
            AuditSeal.objects.filter(sequence__gt=last, **bound)
            .order_by("sequence")
            .values("sequence", "event_id", "event_hash", "previous_hash", "chain_hash")[:CHUNK]
        )
        if not chunk:
            return
        yield chunk
        last = chunk[-1]["sequence"]


def _first_break(
    seal: Mapping[str, Any], event: Mapping[str, Any] | None, expected: int, previous: str
) -> str | None:
    if seal["sequence"] != expected:
        return SEQUENCE_GAP
    if event is None:
        return EVENT_MISSING
    if event_hash(event) != seal["event_hash"]:
        return EVENT_CHANGED
    recomputed = chain_hash(
        previous_hash=previous, event_hash=seal["event_hash"], sequence=seal["sequence"]
    )
    if seal["previous_hash"] != previous or seal["chain_hash"] != recomputed:
        return CHAIN_HASH_MISMATCH
    return None


def verify(*, settle_seconds: int = 60, anchor: Anchor | None = None) -> VerifyResult:
    """Walk the seals in sequence order and report the first broken link; seals nothing.

    Recomputes each event's hash from the current event row and each chain hash from the one
    before. With an ``anchor`` (a head kept outside Spejl) it also detects a rewritten or
    truncated chain. After retention pruned the oldest part, the walk starts from the latest
    prune record's anchor, and the prune records themselves are checked first (see
    ``_prune_state``); an anchor inside the pruned part fails unless it is a prune's own
    anchor. Reads in chunks, so memory stays flat for any size of log. Reads events.
    """
    pruned, broken = _prune_state()
    base = pruned.anchor if pruned else Anchor(0, GENESIS_HASH)
    expected, previous = base.sequence + 1, base.chain_hash
    checked = out_of_order = 0
    last_time: datetime | None = None
    if broken is None and anchor is not None and anchor.sequence <= base.sequence:
        # Below the prune the seals are gone: only an anchor taken at a prune can be checked.
        at_prune = AuditPrune.objects.filter(
            through_sequence=anchor.sequence, chain_hash=anchor.chain_hash
        ).exists()
        if not at_prune and anchor.sequence > 0:
            broken = BrokenLink(anchor.sequence, None, ANCHOR_PRUNED)
    for chunk in [] if broken is not None else _seal_chunks(base.sequence):
        events = {
            e["id"]: e
            for e in AuditEvent.objects.filter(id__in=[s["event_id"] for s in chunk])
            .order_by()
            .values(*EVENT_COLUMNS)
        }
        for seal in chunk:
            event = events.get(seal["event_id"])
            what = _first_break(seal, event, expected, previous)
            if what is None and anchor is not None and seal["sequence"] == anchor.sequence:
                what = ANCHOR_MISMATCH if seal["chain_hash"] != anchor.chain_hash else None
            if what is not None:
                broken = BrokenLink(seal["sequence"], seal["event_id"], what)
                break
            assert event is not None
            if last_time is not None and event["occurred_at"] < last_time:
                out_of_order += 1
            last_time = event["occurred_at"]
            checked += 1
            expected += 1
            previous = seal["chain_hash"]
        if broken is not None:
            break
    if broken is None and anchor is not None and anchor.sequence >= expected:
        broken = BrokenLink(anchor.sequence, None, TRUNCATED)
    prune_gap = None
    if pruned is not None:
        first_kept = (
            AuditSeal.objects.filter(sequence=pruned.through_sequence + 1)
            .values_list("event__occurred_at", flat=True)
            .first()
        )
        prune_gap = None if first_kept is None else first_kept - pruned.cutoff
    cutoff = timezone.now() - timedelta(seconds=settle_seconds)
    unsealed = AuditEvent.objects.filter(seal__isnull=True, occurred_at__lt=cutoff).count()
    return VerifyResult(
        checked=checked,
        head=Anchor(expected - 1, previous),
        broken=broken,
        unsealed=unsealed,
        out_of_order=out_of_order,
        pruned=pruned,
        prune_gap=prune_gap,
    )


def _prune_info(prunes: Sequence[AuditPrune]) -> PruneInfo | None:
    if not prunes:
        return None
    latest = prunes[-1]
    return PruneInfo(
        through_sequence=latest.through_sequence,
        chain_hash=latest.chain_hash,
        pruned_at=latest.pruned_at,
        cutoff=latest.cutoff,
        newest_removed=latest.newest_removed,
        events_removed=sum(p.events_removed for p in prunes),
    )


def latest_prune() -> PruneInfo | None:
    """Where the chain starts after retention pruned its oldest part; None if never pruned.
    Reads prune records only (counts, times, hashes)."""
    return _prune_info(list(AuditPrune.objects.order_by("through_sequence")))


def _prune_state() -> tuple[PruneInfo | None, BrokenLink | None]:
    """The latest prune, and the first thing wrong with the prune records, if any.

    Prune records must follow each other (each starts where the one before ended), be dated
    no later than now, remove only events older than their cutoff, and the latest must have
    its audit event (written in the same transaction, object id = its chain hash).
    """
    prunes = list(AuditPrune.objects.order_by("through_sequence"))
    info = _prune_info(prunes)
    if info is None:
        return None, None
    previous_through = 0
    now = timezone.now()
    for prune in prunes:
        if prune.previous_through != previous_through:
            return info, BrokenLink(prune.through_sequence, None, PRUNE_RECORDS_BROKEN)
        implausible = (
            prune.pruned_at > now + PRUNE_CLOCK_SLACK
            or prune.cutoff > prune.pruned_at - PRUNE_MIN_AGE
            or (prune.newest_removed is not None and prune.newest_removed >= prune.cutoff)
        )
        if implausible:
            return info, BrokenLink(prune.through_sequence, None, PRUNE_IMPLAUSIBLE)
        previous_through = prune.through_sequence
    witnessed = AuditEvent.objects.filter(
        object_type=PRUNE_OBJECT_TYPE, object_id=info.chain_hash
    ).exists()
    if not witnessed:
        return info, BrokenLink(info.through_sequence, None, PRUNE_UNWITNESSED)
    return info, None


def chain_head() -> Anchor:
    """The newest seal as an anchor; after a prune that removed every seal, the prune's anchor;
    sequence 0 and the genesis hash while nothing is sealed."""
    head = AuditSeal.objects.order_by("-sequence").values("sequence", "chain_hash").first()
    return Anchor(head["sequence"], head["chain_hash"]) if head else _chain_base()


class PruneRefused(Exception):
    """The part of the chain that would be pruned does not verify: nothing was removed, so the
    evidence stays for the data-protection officer."""

    def __init__(self, broken: BrokenLink) -> None:
        super().__init__(f"audit chain broken, nothing pruned: {broken}")
        self.broken = broken


@dataclass(frozen=True)
class PrunePlan:
    """What pruning at a cutoff removes: seals after the chain base up to ``through``."""

    base: Anchor
    through: int
    events: int
    oldest: datetime | None
    #: Events older than the cutoff that have no seal: never pruned (run ``seal_audit``).
    unsealed_old: int


def audit_prune_plan(*, cutoff: datetime) -> PrunePlan:
    """What :func:`audit_prune` would remove for ``cutoff``; changes nothing.

    The pruned part is a prefix of the chain: seals in order, up to (not including) the first
    seal whose event is at or after the cutoff. An old event sealed late, after a newer one,
    waits until the prefix reaches it. Reads seals and event times only.
    """
    base = _chain_base()
    first_kept = AuditSeal.objects.filter(
        sequence__gt=base.sequence, event__occurred_at__gte=cutoff
    ).aggregate(first=models.Min("sequence"))["first"]
    through = first_kept - 1 if first_kept is not None else chain_head().sequence
    through = max(through, base.sequence)
    span = AuditSeal.objects.filter(sequence__gt=base.sequence, sequence__lte=through)
    summary = span.aggregate(count=models.Count("id"), oldest=models.Min("event__occurred_at"))
    unsealed_old = AuditEvent.objects.filter(seal__isnull=True, occurred_at__lt=cutoff).count()
    return PrunePlan(base, through, summary["count"], summary["oldest"], unsealed_old)


def _check_segment(base: Anchor, through: int) -> None:
    expected, previous = base.sequence + 1, base.chain_hash
    for chunk in _seal_chunks(base.sequence, through):
        events = {
            e["id"]: e
            for e in AuditEvent.objects.filter(id__in=[s["event_id"] for s in chunk])
            .order_by()
            .values(*EVENT_COLUMNS)
        }
        for seal in chunk:
            what = _first_break(seal, events.get(seal["event_id"]), expected, previous)
            if what is not None:
                raise PruneRefused(BrokenLink(seal["sequence"], seal["event_id"], what))
            expected += 1
            previous = seal["chain_hash"]
    if expected - 1 != through:
        raise PruneRefused(BrokenLink(expected, None, SEQUENCE_GAP))


def _prune_batch(*, cutoff: datetime, batch: int, purpose: str) -> tuple[int, datetime | None]:
    with transaction.atomic():
        _lock_chain()
        plan = audit_prune_plan(cutoff=cutoff)
        through = min(plan.through, plan.base.sequence + batch)
        if through <= plan.base.sequence:
            return 0, None
        _check_segment(plan.base, through)
        span = AuditSeal.objects.filter(sequence__gt=plan.base.sequence, sequence__lte=through)
        summary = span.aggregate(
            count=models.Count("id"),
            oldest=models.Min("event__occurred_at"),
            newest=models.Max("event__occurred_at"),
        )
        anchor_hash = AuditSeal.objects.values_list("chain_hash", flat=True).get(sequence=through)
        # The prune record must be the last row this connection inserted before the seals go
        # (the SQLite delete trigger checks last_insert_rowid()): no other insert in between.
        AuditPrune.objects.create(
            through_sequence=through,
            chain_hash=anchor_hash,
            previous_through=plan.base.sequence,
            cutoff=cutoff,
            events_removed=summary["count"],
            oldest_removed=summary["oldest"],
            newest_removed=summary["newest"],
            pruned_at=timezone.now(),
        )
        bounds = [plan.base.sequence, through]
        with connection.cursor() as cursor:
            # Events first, found through their seals; the seals' foreign keys are checked at
            # commit (deferred on both engines), when both are gone.
            cursor.execute(
                "DELETE FROM audit_auditevent WHERE id IN (SELECT event_id FROM audit_auditseal "
                "WHERE sequence > %s AND sequence <= %s)",
                bounds,
            )
            cursor.execute(
                "DELETE FROM audit_auditseal WHERE sequence > %s AND sequence <= %s", bounds
            )
        # The witness: sealed later into the remaining chain; verify_audit requires it.
        audit_record(
            actor=SYSTEM,
            action=AuditAction.DELETE,
            object_type=PRUNE_OBJECT_TYPE,
            # The anchor's hash (object ids hold 64 characters); the sequence is in the purpose.
            object_id=anchor_hash,
            organisation=None,
            fields=(),
            purpose=f"{purpose} through seal {through}"[:120],
        )
        return summary["count"], summary["oldest"]


@dataclass(frozen=True)
class PruneResult:
    removed: int
    oldest: datetime | None
    prunes: int


def audit_prune(*, cutoff: datetime, batch: int = 5000, purpose: str = "") -> PruneResult:
    """Remove sealed audit events older than ``cutoff`` with their seals (the retention job).

    Works in batches of ``batch`` seals, one transaction each: takes the chain lock, checks
    that the part to remove still verifies (otherwise :class:`PruneRefused`, nothing removed),
    writes an :class:`AuditPrune` record (the new anchor), deletes the seals and events, and
    writes the prune's own audit event. Idempotent; safe to run twice at once and alongside
    ``seal_audit`` (all take the chain lock). Deletes audit events (staff ids, field names).
    """
    if cutoff > timezone.now() - PRUNE_MIN_AGE:
        raise ValueError("audit events are kept at least a year: the cutoff is too recent")
    removed = prunes = 0
    oldest: datetime | None = None
    text = purpose or f"retention: audit events before {cutoff.date().isoformat()} pruned"
    while True:
        count, first = _prune_batch(cutoff=cutoff, batch=batch, purpose=text)
        if count == 0:
            return PruneResult(removed, oldest, prunes)
        removed += count
        prunes += 1
        oldest = first if oldest is None or (first is not None and first < oldest) else oldest


EXPORT_HEADER: Final = (
    "sequence",
    "previous_hash",
    "event_hash",
    "chain_hash",
    "id",
    "occurred_at",
    "actor_id",
    "actor_email",
    "action",
    "object_type",
    "object_id",
    "organisation_id",
    "fields",
    "purpose",
)


class Writable(Protocol):
    """Anything text can be written to: an open file, or a management command's stdout."""

    def write(self, text: str, /) -> object: ...


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _export_row(seal: AuditSeal | None, event: AuditEvent) -> list[Any]:
    return [
        seal.sequence if seal else "",
        seal.previous_hash if seal else "",
        seal.event_hash if seal else "",
        seal.chain_hash if seal else "",
        event.pk,
        event.occurred_at.astimezone(UTC).isoformat(),
        event.actor_id if event.actor_id is not None else "",
        event.actor.email if event.actor else "",
        event.action,
        event.object_type,
        event.object_id,
        event.organisation_id if event.organisation_id is not None else "",
        json.dumps(event.fields, ensure_ascii=False),
        event.purpose,
    ]


def audit_export(
    *,
    out: Writable,
    date_from: date | None = None,
    date_to: date | None = None,
    actor: Actor = SYSTEM,
) -> Anchor:
    """Write the audit log as CSV for the data-protection officer; return the chain head.

    Sealed events come first in sequence order, then events not yet sealed in time order (seal
    columns empty). After retention pruned the oldest part, the first row's ``previous_hash``
    is the latest prune's anchor (see :func:`latest_prune`), not the genesis hash. Dates are
    local (Europe/Copenhagen) and inclusive. The export is itself recorded as an audit event
    before any row is written. Touches every audit event in the range, including the acting
    staff members' e-mail addresses.
    """
    span = f"{date_from or ''}..{date_to or ''}"
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.EXPORT,
            object_type="audit.export",
            object_id=span,
            organisation=None,
            fields=["actor_email"],
            purpose="audit export for the data-protection officer",
        )
    head = chain_head()
    span_filter: dict[str, datetime] = {}
    if date_from:
        span_filter["occurred_at__gte"] = _start_of(date_from)
    if date_to:
        span_filter["occurred_at__lt"] = _start_of(date_to + timedelta(days=1))
    events = AuditEvent.objects.filter(**span_filter).select_related("actor")
    writer = csv.writer(out)
    writer.writerow(EXPORT_HEADER)
    sealed = (
        AuditSeal.objects.filter(
            sequence__lte=head.sequence,
            **{f"event__{name}": value for name, value in span_filter.items()},
        )
        .select_related("event", "event__actor")
        .order_by("sequence")
    )
    for seal in sealed.iterator(chunk_size=CHUNK):
        writer.writerow(_export_row(seal, seal.event))
    # Events sealed after the head was read appear here, unsealed, rather than twice or not at all.
    unsealed = events.exclude(seal__sequence__lte=head.sequence).order_by("occurred_at", "id")
    for event in unsealed.iterator(chunk_size=CHUNK):
        writer.writerow(_export_row(None, event))
    return head
