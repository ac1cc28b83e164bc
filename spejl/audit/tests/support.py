"""Test support for the audit chain: tampering as someone with database rights would, and
clearing committed seals and prune records after transactional tests. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

AUDIT_TABLES = ("audit_auditevent", "audit_auditseal", "audit_auditprune")


def _sqlite_triggers() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
            "('audit_auditevent', 'audit_auditseal', 'audit_auditprune') ORDER BY name"
        )
        return list(cursor.fetchall())


def triggers_off() -> list[tuple[str, str]]:
    """Take the audit tables' triggers out of the way: SQLite drops them (inside the test's
    transaction they come back at its end) and returns their definitions; PostgreSQL disables
    them for this transaction's tables."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE refuses while deferred foreign-key checks of this transaction are
            # pending: run them now, then defer again for the tampering itself.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            return []
        triggers = _sqlite_triggers()
        for name, _sql in triggers:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        return triggers


def raw(sql: str, params: list[Any]) -> None:
    """Run SQL past the append-only triggers."""
    triggers_off()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def chain_cleanup(transactional_db: None) -> Iterator[None]:
    """Transactional tests commit seals and prune records; SQLite's flush is a DELETE, which
    their triggers refuse, so remove them with the triggers briefly dropped and put the very
    same triggers back (PostgreSQL truncates, which fires no row trigger)."""
    yield
    if connection.vendor != "sqlite":
        return
    triggers = triggers_off()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditseal")
        cursor.execute("DELETE FROM audit_auditprune")
        for _name, sql in triggers:
            cursor.execute(sql)
