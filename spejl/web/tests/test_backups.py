"""Backups and restores: a round trip brings back every row, the audit triggers included, and
every doubtful restore is refused with nothing changed. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import re
import stat
import subprocess
import threading
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection

from spejl.audit.models import AuditAction, AuditEvent
from spejl.conftest import World
from spejl.groups.models import Meeting
from spejl.organisations.models import Organisation
from spejl.participants.models import Contact
from spejl.testing.groups import make_group
from spejl.web import backups
from spejl.web.backups import (
    EXTENSIONS,
    BackupExistsError,
    Manifest,
    RestoreRefused,
    backup,
    manifest_path,
    restore,
    verify_backup,
)

pytestmark = pytest.mark.django_db(transaction=True)

ENGINE = connection.vendor
EXTENSION = EXTENSIONS.get(ENGINE, ".backup")
OTHER_ENGINE = "postgresql" if ENGINE == "sqlite" else "sqlite"
# conftest.py does not skip the postgres_only marker by itself, so the skip is explicit here.
needs_postgres = pytest.mark.skipif(ENGINE != "postgresql", reason="needs PostgreSQL")


def _plain(value: Any) -> Any:
    # psycopg returns bytea as memoryview, whose repr names a memory address.
    return bytes(value) if isinstance(value, memoryview) else value


def table_state() -> dict[str, tuple[int, str]]:
    """Row count and a content hash (order-independent) of every table in the database."""
    state: dict[str, tuple[int, str]] = {}
    with connection.cursor() as cursor:
        for name in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(name)}")  # noqa: S608
            rows = sorted(repr(tuple(_plain(v) for v in row)) for row in cursor.fetchall())
            state[name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return state


def audit_event(world: World, purpose: str) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=world.coordinator_a,
        action=AuditAction.READ,
        object_type="participants.contact",
        organisation=world.org_a,
        fields=["phone"],
        purpose=purpose,
    )


@pytest.fixture
def data(world: World) -> World:
    """The shared world, two running groups with participants and a few audit events."""
    make_group(world)
    make_group(world, organisation=world.org_b, title="Torsdagsgruppen", participants=2)
    audit_event(world, "list participants")
    audit_event(world, "show contact")
    return world


def change_everything(world: World) -> None:
    """Delete, update and add rows in several tables, the audit log included."""
    Contact.objects.filter(pk=Contact.objects.order_by("pk").values("pk")[:1]).delete()
    Meeting.objects.filter(number=1).delete()
    Organisation.objects.filter(pk=world.org_a.pk).update(name="Omdøbt organisation")
    make_group(world, title="Fredagsgruppen", participants=1)
    audit_event(world, "after the backup")


def rewrite_manifest(backup_file: Path, **changes: Any) -> None:
    path = manifest_path(backup_file)
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data), encoding="utf-8")


def backed_up_then_changed(world: World, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """A backup of ``world``, then changed data; returns the file and the changed state."""
    path = backup(tmp_path / f"before{EXTENSION}").path
    change_everything(world)
    return path, table_state()


def test_round_trip_restores_every_row_of_every_table(data: World, tmp_path: Path) -> None:
    before = table_state()
    model_tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
    assert model_tables <= before.keys()  # every model's table takes part in the comparison
    assert before["audit_auditevent"][0] == 2

    result = backup(tmp_path / f"spejl{EXTENSION}")
    assert result.manifest.tables == {name: rows for name, (rows, _) in before.items()}
    change_everything(data)
    changed = table_state()
    for table in ("participants_contact", "groups_meeting", "organisations_organisation"):
        assert changed[table] != before[table]
    assert changed["audit_auditevent"][0] == 3

    restored = restore(result.path, confirm=True)

    assert table_state() == before
    assert restored.tables == result.manifest.tables
    assert restored.migrate_needed is False
    assert Organisation.objects.get(pk=data.org_a.pk).name == data.org_a.name
    purposes = set(AuditEvent.objects.values_list("purpose", flat=True))
    assert purposes == {"list participants", "show contact"}


def test_audit_events_still_refuse_update_after_restore(data: World, tmp_path: Path) -> None:
    path, _ = backed_up_then_changed(data, tmp_path)
    restore(path, confirm=True)

    with pytest.raises(DatabaseError, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET purpose = 'rewritten'")
    assert not AuditEvent.objects.filter(purpose="rewritten").exists()


def test_manifest_describes_the_backup(data: World, tmp_path: Path) -> None:
    result = backup(tmp_path / f"spejl{EXTENSION}")
    manifest = Manifest.from_json(result.manifest_path.read_text(encoding="utf-8"))

    assert manifest == result.manifest
    assert manifest.engine == ENGINE
    assert manifest.spejl_version == "0.1.0"
    assert manifest.file == result.path.name
    assert manifest.size == result.path.stat().st_size
    assert manifest.sha256 == hashlib.sha256(result.path.read_bytes()).hexdigest()
    from django.db.migrations.recorder import MigrationRecorder

    latest_audit = MigrationRecorder.Migration.objects.filter(app="audit").order_by("-name").first()
    assert latest_audit is not None
    assert manifest.migrations["audit"] == latest_audit.name
    assert manifest.tables["participants_contact"] == 5


def test_backup_and_manifest_are_private_and_leave_no_temporary_files(
    data: World, tmp_path: Path
) -> None:
    result = backup(tmp_path / f"spejl{EXTENSION}")

    for path in (result.path, result.manifest_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [result.path.name, result.manifest_path.name]
    )


def test_backup_never_overwrites_an_existing_file(data: World, tmp_path: Path) -> None:
    existing = tmp_path / f"spejl{EXTENSION}"
    existing.write_bytes(b"an older backup")

    with pytest.raises(BackupExistsError, match="exists already"):
        backup(existing)
    assert existing.read_bytes() == b"an older backup"


def test_two_backups_at_once_are_both_valid(data: World, tmp_path: Path) -> None:
    start = threading.Barrier(2)
    results: dict[int, backups.BackupResult] = {}
    errors: list[BaseException] = []

    def run(number: int) -> None:
        try:
            start.wait()
            results[number] = backup(tmp_path / f"parallel-{number}{EXTENSION}")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert results[1].manifest.tables == results[2].manifest.tables
    for result in results.values():
        assert verify_backup(result.path) == result.manifest
    change_everything(data)
    restore(results[2].path, confirm=True)
    assert {n: r for n, (r, _) in table_state().items()} == results[1].manifest.tables


def test_restore_without_confirmation_is_refused_and_changes_nothing(
    data: World, tmp_path: Path
) -> None:
    path, changed = backed_up_then_changed(data, tmp_path)

    with pytest.raises(RestoreRefused, match="nothing was changed"):
        restore(path, confirm=False)
    assert table_state() == changed


def test_damaged_backup_is_refused_and_changes_nothing(data: World, tmp_path: Path) -> None:
    path, changed = backed_up_then_changed(data, tmp_path)
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0xFF
    path.write_bytes(bytes(content))

    with pytest.raises(RestoreRefused, match="checksum"):
        restore(path, confirm=True)
    assert table_state() == changed


def test_wrong_checksum_in_manifest_is_refused(data: World, tmp_path: Path) -> None:
    path, changed = backed_up_then_changed(data, tmp_path)
    rewrite_manifest(path, sha256="0" * 64)

    with pytest.raises(RestoreRefused, match="checksum"):
        restore(path, confirm=True)
    assert table_state() == changed


def test_file_that_is_no_backup_is_refused_even_with_a_matching_manifest(
    data: World, tmp_path: Path
) -> None:
    path, changed = backed_up_then_changed(data, tmp_path)
    path.write_bytes(b"not a database " * 500)
    rewrite_manifest(
        path, size=path.stat().st_size, sha256=hashlib.sha256(path.read_bytes()).hexdigest()
    )

    with pytest.raises(RestoreRefused, match="not a readable"):
        restore(path, confirm=True)
    assert table_state() == changed


def test_backup_from_another_engine_is_refused(data: World, tmp_path: Path) -> None:
    path, changed = backed_up_then_changed(data, tmp_path)
    rewrite_manifest(path, engine=OTHER_ENGINE)

    with pytest.raises(RestoreRefused, match=f"of a {OTHER_ENGINE} database"):
        restore(path, confirm=True)
    assert table_state() == changed


def test_backup_with_migrations_newer_than_the_code_is_refused(data: World, tmp_path: Path) -> None:
    path, changed = backed_up_then_changed(data, tmp_path)
    migrations = Manifest.from_json(manifest_path(path).read_text(encoding="utf-8")).migrations
    rewrite_manifest(path, migrations={**migrations, "audit": "0099_from_the_future"})

    with pytest.raises(RestoreRefused, match=r"newer Spejl code.*audit\.0099_from_the_future"):
        restore(path, confirm=True)
    assert table_state() == changed


def test_backup_without_manifest_is_refused(data: World, tmp_path: Path) -> None:
    path, changed = backed_up_then_changed(data, tmp_path)
    manifest_path(path).unlink()

    with pytest.raises(RestoreRefused, match="no manifest"):
        restore(path, confirm=True)
    assert table_state() == changed


# --- Commands -------------------------------------------------------------------------------


def test_backup_command_writes_a_dated_file_in_var_backups(
    data: World, tmp_path: Path, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.VAR_DIR = tmp_path
    call_command("backup")
    call_command("backup")  # within the same second it takes another name

    files = sorted((tmp_path / "backups").glob(f"spejl-*{EXTENSION}"))
    assert len(files) == 2
    for file in files:
        assert re.fullmatch(rf"spejl-\d{{8}}-\d{{6}}(-2)?{re.escape(EXTENSION)}", file.name)
        assert verify_backup(file).file == file.name
    output = capsys.readouterr().out
    total = Manifest.from_json(manifest_path(files[0]).read_text(encoding="utf-8")).total_rows
    assert f"{total} rows in total" in output
    assert str(files[0]) in output


def test_restore_command_round_trip(
    data: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = table_state()
    call_command("backup", "--output", str(tmp_path / f"b{EXTENSION}"))
    change_everything(data)

    call_command("restore", str(tmp_path / f"b{EXTENSION}"), "--yes")

    assert table_state() == before
    assert f"{sum(rows for rows, _ in before.values())} rows in total" in capsys.readouterr().out


def test_restore_command_needs_yes(data: World, tmp_path: Path) -> None:
    path, changed = backed_up_then_changed(data, tmp_path)

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(path))
    assert table_state() == changed


def test_restore_command_refuses_a_missing_file(data: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="There is no backup file"):
        call_command("restore", str(tmp_path / "missing.sqlite3"), "--yes")


def test_restore_command_refuses_a_backup_of_another_engine(data: World, tmp_path: Path) -> None:
    path, changed = backed_up_then_changed(data, tmp_path)
    rewrite_manifest(path, engine=OTHER_ENGINE)

    with pytest.raises(CommandError, match="Spejl now runs on"):
        call_command("restore", str(path), "--yes")
    assert table_state() == changed


def test_backup_command_refuses_an_existing_output(data: World, tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x")

    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", "--output", str(tmp_path / "taken"))


# --- PostgreSQL tools -----------------------------------------------------------------------


def test_postgres_password_goes_through_the_environment_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[list[str], dict[str, str]]] = []

    class Completed:
        returncode = 0
        stderr = ""

    def fake_run(command: list[str], **kwargs: Any) -> Completed:
        calls.append((command, kwargs["env"]))
        return Completed()

    monkeypatch.setattr(backups.shutil, "which", lambda tool: f"/usr/bin/{tool}")
    monkeypatch.setattr(backups.subprocess, "run", fake_run)
    settings_dict = {
        "NAME": "spejl",
        "USER": "spejl",
        "PASSWORD": "s3cret-pw",
        "HOST": "db.internal",
        "PORT": 5432,
        "OPTIONS": {"sslmode": "require"},
    }

    backups._run_postgres_tool("pg_dump", ["--format=custom"], settings_dict, database=True)

    command, env = calls[0]
    assert not any("s3cret-pw" in argument for argument in command)
    assert env["PGPASSWORD"] == "s3cret-pw"
    assert env["PGSSLMODE"] == "require"
    assert command[0] == "/usr/bin/pg_dump"
    assert {"--host=db.internal", "--port=5432", "--username=spejl", "--dbname=spejl"} <= set(
        command
    )


def test_failing_postgres_tool_reports_its_error_without_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Completed:
        returncode = 1
        stderr = (
            "pg_dump: error: connection to server failed: "
            'FATAL:  password authentication failed for user "spejl"\n'
        )

    monkeypatch.setattr(backups.shutil, "which", lambda tool: f"/usr/bin/{tool}")
    monkeypatch.setattr(backups.subprocess, "run", lambda command, **kwargs: Completed())

    with pytest.raises(backups.BackupError, match="password authentication failed") as raised:
        backups._run_postgres_tool(
            "pg_dump", [], {"NAME": "spejl", "PASSWORD": "s3cret-pw"}, database=True
        )
    assert "s3cret-pw" not in str(raised.value)


def test_backup_carries_the_audit_trigger(data: World, tmp_path: Path) -> None:
    """On either engine the backup itself holds the trigger that refuses audit UPDATEs."""
    if ENGINE == "postgresql":
        result = backup(tmp_path / "spejl.dump")
        assert result.path.read_bytes()[:5] == b"PGDMP"
        listing = subprocess.run(  # noqa: S603
            ["pg_restore", "--list", str(result.path)],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "TRIGGER public audit_auditevent audit_auditevent_no_update" in listing
        assert "FUNCTION public audit_auditevent_refuse_update" in listing
    else:
        import sqlite3

        result = backup(tmp_path / "spejl.sqlite3")
        with closing(sqlite3.connect(result.path)) as copy:
            triggers = {
                name
                for (name,) in copy.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                    "AND tbl_name = 'audit_auditevent'"
                )
            }
        assert triggers, "the audit table's triggers must be in the backup"
