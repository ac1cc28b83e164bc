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
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from spejl.access.actor import SYSTEM, Actor
from spejl.audit.models import AuditAction, AuditEvent, AuditSeal
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
class VerifyResult:
    """Outcome of :func:`verify`.

    ``checked`` seals were walked up to ``head`` (or to the broken link); ``unsealed`` counts
    events older than the settle time without a seal; ``out_of_order`` counts seals whose event
    is older than the previously sealed event (a late commit, or an event inserted back-dated).
    """

    checked: int
    head: Anchor
    broken: BrokenLink | None
    unsealed: int
    out_of_order: int

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


def _seal_batch(*, cutoff: datetime, batch: int) -> int:
    with transaction.atomic():
        _lock_chain()
        head = AuditSeal.objects.order_by("-sequence").values("sequence", "chain_hash").first()
        sequence = head["sequence"] if head else 0
        previous = head["chain_hash"] if head else GENESIS_HASH
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


def _seal_chunks() -> Iterator[Sequence[Mapping[str, Any]]]:
    last = 0
    while True:
        chunk = list(
            AuditSeal.objects.filter(sequence__gt=last)
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
    truncated chain. Reads in chunks, so memory stays flat for any size of log. Reads events.
    """
    expected, previous = 1, GENESIS_HASH
    checked = out_of_order = 0
    last_time: datetime | None = None
    broken: BrokenLink | None = None
    for chunk in _seal_chunks():
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
    cutoff = timezone.now() - timedelta(seconds=settle_seconds)
    unsealed = AuditEvent.objects.filter(seal__isnull=True, occurred_at__lt=cutoff).count()
    return VerifyResult(
        checked=checked,
        head=Anchor(expected - 1, previous),
        broken=broken,
        unsealed=unsealed,
        out_of_order=out_of_order,
    )


def chain_head() -> Anchor:
    """The newest seal as an anchor (sequence 0 and the genesis hash while nothing is sealed)."""
    head = AuditSeal.objects.order_by("-sequence").values("sequence", "chain_hash").first()
    return Anchor(head["sequence"], head["chain_hash"]) if head else Anchor(0, GENESIS_HASH)


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
    columns empty). Dates are local (Europe/Copenhagen) and inclusive. The export is itself
    recorded as an audit event before any row is written. Touches every audit event in the
    range, including the acting staff members' e-mail addresses.
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
