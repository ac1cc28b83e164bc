"""Key rotation of the data encrypted at rest (``manage.py rotate_keys``, docs/security.md).

Re-encrypts every encrypted value that is not under the current field key, and recomputes the
keyed hashes used for lookups (the enquiries' contact fingerprints) under the current lookup
key. Work goes in batches by primary key, each its own transaction, with conditional updates
(``… WHERE pk = %s AND column = <the value read>``): a row changed meanwhile — by a user, or by a
second copy of the command running at the same time — is left alone, so two runs at once
neither lose an edit nor do the work twice, and a run stopped half-way is resumed by running it
again. Values already under the current key are skipped.

Personal data: decrypts and re-encrypts the encrypted fields in memory; writes one system audit
event with counts only. Never prints a value.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, models, transaction

from spejl.access.actor import SYSTEM
from spejl.access.encrypted import EncryptedTextField, encrypted_fields
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.core import fieldcrypto
from spejl.web.keys import field_keyring

#: Characters of a stored value enough to read its version and key id.
_PREFIX_CHARS = 4 + 16 + 1


class RotationRefused(Exception):
    """The database holds values this configuration cannot read: nothing was changed."""


@dataclass
class ColumnState:
    """What one encrypted column holds: non-empty values counted by key id."""

    place: str
    by_key: Counter[str] = field(default_factory=Counter)
    not_encrypted: int = 0

    def stale(self, current: str) -> int:
        """Values not yet under the current key."""
        return sum(n for key_id, n in self.by_key.items() if key_id != current)


@dataclass
class RotationReport:
    """Counts of one run, per column; ``dry_run`` runs count what they would change."""

    current_key: str
    dry_run: bool
    states: list[ColumnState]
    reencrypted: Counter[str] = field(default_factory=Counter)
    skipped_changed: Counter[str] = field(default_factory=Counter)
    fingerprints: int = 0


def _place(model: type[models.Model], fld: EncryptedTextField) -> str:
    return f"{model._meta.db_table}.{fld.column}"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def survey() -> list[ColumnState]:
    """Count every encrypted column's non-empty values by key id (reads prefixes only)."""
    states = []
    for model, fld in encrypted_fields():
        state = ColumnState(_place(model, fld))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT SUBSTR({_q(str(fld.column))}, 1, {_PREFIX_CHARS}) "  # noqa: S608  # nosec B608
                f"FROM {_q(model._meta.db_table)} WHERE {_q(str(fld.column))} <> ''"
            )
            for (prefix,) in cursor.fetchall():
                parts = prefix.split(":")
                if len(parts) >= 3 and parts[0] == fieldcrypto.VERSION:
                    state.by_key[parts[1]] += 1
                else:
                    state.not_encrypted += 1
        states.append(state)
    return states


def refusal(states: list[ColumnState], keyring: fieldcrypto.Keyring) -> str | None:
    """Why a rotation must not start (values under unknown key ids, or unencrypted values),
    or ``None``. Names key ids and counts, never values."""
    unknown: Counter[str] = Counter()
    plain = 0
    for state in states:
        for key_id, n in state.by_key.items():
            if key_id not in keyring.keys:
                unknown[key_id] += n
        plain += state.not_encrypted
    problems = [
        f"{n} stored value(s) use key id {key_id!r}, which is not in SPEJL_FIELD_KEYS"
        for key_id, n in sorted(unknown.items())
    ]
    if plain:
        problems.append(f"{plain} stored value(s) are not encrypted values of Spejl")
    if not problems:
        return None
    return (
        "; ".join(problems)
        + ". Add the missing key(s) to SPEJL_FIELD_KEYS (after the current one) and run again; "
        "nothing was changed."
    )


def _rotate_column(
    model: type[models.Model],
    fld: EncryptedTextField,
    keyring: fieldcrypto.Keyring,
    report: RotationReport,
    batch_size: int,
) -> None:
    table, column = model._meta.db_table, str(fld.column)
    assert model._meta.pk is not None
    pk = str(model._meta.pk.column)
    place = f"{table}.{column}"
    last = None
    while True:
        after = "" if last is None else f"AND {_q(pk)} > %s "
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {_q(pk)}, {_q(column)} FROM {_q(table)} "  # noqa: S608  # nosec B608
                f"WHERE {_q(column)} <> '' {after}ORDER BY {_q(pk)} LIMIT {int(batch_size)}",
                [] if last is None else [last],
            )
            rows = cursor.fetchall()
            for row_id, value in rows:
                new = fieldcrypto.reencrypt(value, keyring=keyring, place=place)
                if new is None:
                    continue
                cursor.execute(
                    f"UPDATE {_q(table)} SET {_q(column)} = %s "  # noqa: S608  # nosec B608
                    f"WHERE {_q(pk)} = %s AND {_q(column)} = %s",
                    [new, row_id, value],
                )
                if cursor.rowcount == 1:
                    report.reencrypted[place] += 1
                else:
                    report.skipped_changed[place] += 1
        if len(rows) < batch_size:
            return
        last = rows[-1][0]


def _refingerprint(report: RotationReport, batch_size: int) -> None:
    from spejl.enquiries.models import Enquiry
    from spejl.enquiries.policies import contact_fingerprint

    last = 0
    while True:
        with transaction.atomic():
            batch = list(
                Enquiry.objects.filter(pk__gt=last)
                .order_by("pk")
                .only("pk", "email", "phone", "contact_fingerprint")[:batch_size]
            )
            for enquiry in batch:
                new = contact_fingerprint(email=enquiry.email, phone=enquiry.phone)
                if new == enquiry.contact_fingerprint:
                    continue
                if report.dry_run:
                    report.fingerprints += 1
                    continue
                report.fingerprints += Enquiry.objects.filter(
                    pk=enquiry.pk, contact_fingerprint=enquiry.contact_fingerprint
                ).update(contact_fingerprint=new)
        if len(batch) < batch_size:
            return
        last = batch[-1].pk


def _rotate_second_factor_secrets(keyring: fieldcrypto.Keyring, report: RotationReport) -> None:
    """Second-factor secrets live inside a JSON column (allauth's ``Authenticator.data``):
    re-encrypt them row by row under a row lock, so two runs at once do each row once. A
    secret stored before encryption was switched on is encrypted now."""
    from allauth.mfa.models import Authenticator

    from spejl.accounts.mfa_adapter import ENCRYPTED_DATA_KEYS, MFA_SECRET_PLACE

    candidates = Authenticator.objects.exclude(type=Authenticator.Type.WEBAUTHN)
    for pk in candidates.values_list("pk", flat=True).order_by("pk"):
        with transaction.atomic():
            authenticator = Authenticator.objects.select_for_update().filter(pk=pk).first()
            if authenticator is None:
                continue
            data, changed = dict(authenticator.data), False
            for key in ENCRYPTED_DATA_KEYS:
                value = data.get(key)
                if not isinstance(value, str) or not value:
                    continue
                if fieldcrypto.is_envelope(value):
                    new = fieldcrypto.reencrypt(value, keyring=keyring, place=MFA_SECRET_PLACE)
                else:
                    new = fieldcrypto.encrypt(value, keyring=keyring, place=MFA_SECRET_PLACE)
                if new is not None:
                    data[key], changed = new, True
            if not changed:
                continue
            report.reencrypted[MFA_SECRET_PLACE] += 1
            if not report.dry_run:
                Authenticator.objects.filter(pk=pk).update(data=data)


def rotate_keys(*, dry_run: bool = False, batch_size: int = 500) -> RotationReport:
    """Move every encrypted value to the current field key and every lookup hash to the
    current lookup key. Raises :class:`RotationRefused` (changing nothing) when a stored value
    uses a key id that is not configured. Audited as one system event with counts only."""
    keyring = field_keyring()
    states = survey()
    problem = refusal(states, keyring)
    if problem:
        raise RotationRefused(problem)
    report = RotationReport(current_key=keyring.current, dry_run=dry_run, states=states)
    if not dry_run:
        for model, fld in encrypted_fields():
            _rotate_column(model, fld, keyring, report, batch_size)
    _rotate_second_factor_secrets(keyring, report)
    _refingerprint(report, batch_size)
    if not dry_run:
        audit_record(
            actor=SYSTEM,
            action=AuditAction.UPDATE,
            object_type="web.keyrotation",
            organisation=None,
            fields=[place for place, n in report.reencrypted.items() if n]
            + (["enquiries_enquiry.contact_fingerprint"] if report.fingerprints else []),
            purpose=(
                f"key rotation to {keyring.current}: {sum(report.reencrypted.values())} "
                f"values re-encrypted, {report.fingerprints} fingerprints"
            )[:120],
        )
    return report
