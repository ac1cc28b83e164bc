"""Back up Spejl's one database to a file, and restore it from one (docs/backups.md).

SQLite is copied with SQLite's online backup API, so a backup taken while Spejl runs is a
consistent snapshot. PostgreSQL is dumped with ``pg_dump --format=custom`` from an exported
snapshot, so the file and its row counts describe the same moment. Each backup gets a JSON
manifest next to it (``<file>.manifest.json``): engine, Spejl version, latest migration per app,
row count per table, creation time and the file's SHA-256. A restore verifies the manifest
before it changes anything.

Personal data: a backup holds *everything* in the database — contacts, answers, consents and
the audit log — so files are written with mode 0600 and belong in encrypted storage. Keys kept
outside the database (``DJANGO_SECRET_KEY``, ``SPEJL_EXPORT_KEY``) are not in a backup.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404  # pg_dump and pg_restore, argument lists only
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

MANIFEST_FORMAT = 1
MANIFEST_SUFFIX = ".manifest.json"
#: File name extension of a backup, by engine.
EXTENSIONS = {"sqlite": ".sqlite3", "postgresql": ".dump"}
# libpq reads these from the environment; dj-database-url puts them in OPTIONS.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "options": "PGOPTIONS",
}


class BackupError(Exception):
    """A backup or restore could not be done; the message is written for the operator."""


class BackupExistsError(BackupError):
    """The destination file exists already; backups never overwrite one another."""


class RestoreRefused(BackupError):
    """The restore was refused before anything in the database was changed."""


@dataclass(frozen=True)
class Manifest:
    """What a backup file holds, and the checksum that proves it is the same file."""

    engine: str
    spejl_version: str
    created_at: str
    file: str
    size: int
    sha256: str
    migrations: dict[str, str] = field(default_factory=dict)
    tables: dict[str, int] = field(default_factory=dict)
    format: int = MANIFEST_FORMAT

    @property
    def total_rows(self) -> int:
        return sum(self.tables.values())

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Parse a manifest; raises ``RestoreRefused`` when it is not one Spejl wrote."""
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
                raise ValueError("unknown manifest format")
            manifest = cls(
                engine=_typed(data, "engine", str),
                spejl_version=_typed(data, "spejl_version", str),
                created_at=_typed(data, "created_at", str),
                file=_typed(data, "file", str),
                size=_typed(data, "size", int),
                sha256=_typed(data, "sha256", str),
                migrations={str(k): str(v) for k, v in _typed(data, "migrations", dict).items()},
                tables={str(k): int(v) for k, v in _typed(data, "tables", dict).items()},
            )
        except (ValueError, TypeError) as error:
            raise RestoreRefused(f"The manifest is not readable ({error}).") from error
        return manifest


@dataclass(frozen=True)
class BackupResult:
    """A finished backup: the file, its manifest file and the manifest's content."""

    path: Path
    manifest_path: Path
    manifest: Manifest


@dataclass(frozen=True)
class RestoreResult:
    """A finished restore: what was restored, the row counts now in the database, and whether
    the backup came from older code so that ``manage.py migrate`` must run next."""

    source: Path
    manifest: Manifest
    tables: dict[str, int]
    migrate_needed: bool

    @property
    def total_rows(self) -> int:
        return sum(self.tables.values())


def manifest_path(backup_file: Path) -> Path:
    """Where the manifest of ``backup_file`` lives: next to it, same name plus a suffix."""
    return backup_file.with_name(backup_file.name + MANIFEST_SUFFIX)


def default_backup_name(engine: str, now: datetime, attempt: int = 1) -> str:
    """``spejl-YYYYmmdd-HHMMSS.<ext>``; ``attempt`` > 1 adds ``-2``, ``-3`` … for a name
    that was already taken within the same second."""
    suffix = "" if attempt == 1 else f"-{attempt}"
    return f"spejl-{now:%Y%m%d-%H%M%S}{suffix}{EXTENSIONS[engine]}"


def database_engine(using: str = DEFAULT_DB_ALIAS) -> str:
    """``sqlite`` or ``postgresql``: the engine Spejl runs on now."""
    return _engine(connections[using])


def backup(destination: Path, *, using: str = DEFAULT_DB_ALIAS) -> BackupResult:
    """Write a consistent copy of the whole database (all personal data in it) to
    ``destination`` (mode 0600) and its manifest next to it.

    Safe while Spejl runs and safe to run twice at once: each run writes its own temporary file
    and links it into place only if ``destination`` does not exist yet (``BackupExistsError``
    otherwise), so no reader ever sees a half-written backup and no backup overwrites another.
    """
    connection = connections[using]
    engine = _engine(connection)
    destination = Path(os.path.abspath(destination))
    if destination.exists():
        raise BackupExistsError(f"{destination} exists already; choose another file name.")
    destination.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # mkstemp creates the file with mode 0600 and a name no other run can have.
    handle, temporary_name = tempfile.mkstemp(
        prefix=f".{destination.name}.", suffix=".tmp", dir=destination.parent
    )
    os.close(handle)
    temporary = Path(temporary_name)
    try:
        if engine == "sqlite":
            migrations, tables = _sqlite_backup(connection, temporary)
        else:
            migrations, tables = _postgres_backup(connection, temporary)
        _fsync(temporary)
        manifest = Manifest(
            engine=engine,
            spejl_version=str(settings.SPEJL_VERSION),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            file=destination.name,
            size=temporary.stat().st_size,
            sha256=_sha256(temporary),
            migrations=migrations,
            tables=tables,
        )
        try:
            # A hard link fails when the name is taken, unlike rename, which would replace it.
            os.link(temporary, destination)
        except FileExistsError as error:
            raise BackupExistsError(
                f"{destination} exists already; choose another file name."
            ) from error
    finally:
        temporary.unlink(missing_ok=True)
    try:
        _write_private(manifest_path(destination), manifest.to_json())
    except BaseException:
        destination.unlink(missing_ok=True)
        raise
    return BackupResult(
        path=destination, manifest_path=manifest_path(destination), manifest=manifest
    )


def verify_backup(source: Path, *, using: str = DEFAULT_DB_ALIAS) -> Manifest:
    """Check that ``source`` is a whole, unchanged backup this code can restore into the
    database Spejl runs on now; changes nothing. Raises ``RestoreRefused`` with the reason."""
    connection = connections[using]
    engine = _engine(connection)
    if not source.is_file():
        raise RestoreRefused(f"There is no backup file at {source}.")
    manifest_file = manifest_path(source)
    if not manifest_file.is_file():
        raise RestoreRefused(
            f"The backup {source} has no manifest (expected {manifest_file}). "
            "Spejl restores only backups made by `manage.py backup`, with their manifest."
        )
    try:
        manifest = Manifest.from_json(manifest_file.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise RestoreRefused(f"The manifest {manifest_file} is not readable.") from error
    if manifest.engine != engine:
        raise RestoreRefused(
            f"The backup is of a {manifest.engine} database, but Spejl now runs on {engine}. "
            "Restore it into the engine it came from."
        )
    if source.stat().st_size != manifest.size or _sha256(source) != manifest.sha256:
        raise RestoreRefused(
            f"The backup {source} does not match its manifest's checksum: the file is damaged "
            "or was changed after the backup."
        )
    unknown = _unknown_migrations(manifest.migrations)
    if unknown:
        raise RestoreRefused(
            f"The backup was made by newer Spejl code (version {manifest.spejl_version}): "
            f"migrations {', '.join(unknown)} are unknown to this code. Upgrade Spejl to that "
            "version or later first, then restore."
        )
    if engine == "sqlite":
        _sqlite_check(source)
    else:
        _postgres_check(source)
    return manifest


def restore(source: Path, *, confirm: bool, using: str = DEFAULT_DB_ALIAS) -> RestoreResult:
    """Replace the whole database with the backup in ``source`` (all personal data, the audit
    log and its append-only triggers as they were at backup time).

    Verifies the backup first (``verify_backup``) and refuses unless ``confirm`` is true; a
    refusal changes nothing. Everything written after the backup — including audit events —
    is gone afterwards. Stop the web processes and task workers before restoring.
    """
    connection = connections[using]
    source = Path(os.path.abspath(source))
    manifest = verify_backup(source, using=using)
    if not confirm:
        raise RestoreRefused(
            f"The backup {source} ({manifest.total_rows} rows, made {manifest.created_at} by "
            f"Spejl {manifest.spejl_version}) is intact. Restoring replaces everything in the "
            "database with it; nothing was changed. Confirm to go ahead "
            "(manage.py restore PATH --yes)."
        )
    if connection.in_atomic_block:
        raise BackupError("A restore cannot run inside a database transaction.")
    if manifest.engine == "sqlite":
        _sqlite_restore(connection, source)
    else:
        _postgres_restore(connection, source)
    # Content-type ids may differ in the restored database.
    ContentType.objects.clear_cache()
    tables = _live_counts(connection)
    differing = sorted(t for t, rows in manifest.tables.items() if tables.get(t) != rows)
    if differing:
        raise BackupError(
            "The database was restored, but these tables do not hold the rows the manifest "
            f"lists: {', '.join(differing)}. Check the database before starting Spejl."
        )
    executor = MigrationExecutor(connection)
    migrate_needed = bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    return RestoreResult(
        source=source, manifest=manifest, tables=tables, migrate_needed=migrate_needed
    )


# --- SQLite ---------------------------------------------------------------------------------


def _sqlite_backup(
    connection: BaseDatabaseWrapper, target: Path
) -> tuple[dict[str, str], dict[str, int]]:
    name = str(connection.settings_dict["NAME"])
    in_memory = _sqlite_in_memory(connection)
    if in_memory:
        connection.ensure_connection()
        source: sqlite3.Connection = connection.connection
    else:
        if not Path(name).is_file():
            raise BackupError(f"There is no SQLite database at {name}.")
        source = sqlite3.connect(name, timeout=20)
    try:
        destination = sqlite3.connect(target)
        try:
            # One step copies a consistent snapshot even while other connections write.
            source.backup(destination)
            # A self-contained file: no -wal or -shm next to it, whatever the live database uses.
            destination.execute("PRAGMA journal_mode=DELETE")
            return _sqlite_migrations(destination), _sqlite_counts(destination)
        finally:
            destination.close()
    finally:
        if not in_memory:
            source.close()


def _sqlite_check(source: Path) -> None:
    try:
        backup_db = sqlite3.connect(source.as_uri() + "?mode=ro", uri=True)
        try:
            result = backup_db.execute("PRAGMA quick_check").fetchall()
        finally:
            backup_db.close()
    except sqlite3.DatabaseError as error:
        raise RestoreRefused(f"The backup {source} is not a readable SQLite database.") from error
    if result != [("ok",)]:
        raise RestoreRefused(f"The backup {source} is a damaged SQLite database.")


def _sqlite_restore(connection: BaseDatabaseWrapper, source: Path) -> None:
    backup_db = sqlite3.connect(source.as_uri() + "?mode=ro", uri=True)
    try:
        if _sqlite_in_memory(connection):
            connection.ensure_connection()
            backup_db.backup(connection.connection)
            return
        live = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=20)
        try:
            # One step under the write lock: other connections see the old or the new database,
            # never a mixture; the live file keeps its WAL mode.
            backup_db.backup(live)
        finally:
            live.close()
    finally:
        backup_db.close()


def _sqlite_in_memory(connection: BaseDatabaseWrapper) -> bool:
    is_in_memory: Any = getattr(connection, "is_in_memory_db", None)  # SQLite's wrapper only
    return bool(is_in_memory is not None and is_in_memory())


def _sqlite_migrations(db: sqlite3.Connection) -> dict[str, str]:
    exists = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
    ).fetchone()
    if exists is None:
        return {}
    rows = db.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall()
    return _latest_per_app(rows)


def _sqlite_counts(db: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    return {
        # Table names come from the schema itself and are quoted.
        name: int(db.execute(f"SELECT COUNT(*) FROM {_quote(name)}").fetchone()[0])  # noqa: S608  # nosec B608
        for name in names
    }


# --- PostgreSQL -----------------------------------------------------------------------------


def _postgres_backup(
    connection: BaseDatabaseWrapper, target: Path
) -> tuple[dict[str, str], dict[str, int]]:
    # A connection of our own, so the snapshot transaction cannot mix with the caller's.
    snapshot_connection = connections.create_connection(connection.alias)
    try:
        with snapshot_connection.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = str(cursor.fetchone()[0])
            # pg_dump reads the exported snapshot, and the counts below read the same one.
            _run_postgres_tool(
                "pg_dump",
                [
                    "--format=custom",
                    "--no-owner",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                ],
                connection.settings_dict,
                database=True,
            )
            migrations: dict[str, str] = {}
            if "django_migrations" in snapshot_connection.introspection.table_names(cursor):
                cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
                migrations = _latest_per_app(cursor.fetchall())
            tables = _counts(snapshot_connection, cursor)
            cursor.execute("COMMIT")
    finally:
        snapshot_connection.close()
    return migrations, tables


def _postgres_check(source: Path) -> None:
    try:
        _run_postgres_tool("pg_restore", ["--list", str(source)], {}, database=False)
    except BackupError as error:
        raise RestoreRefused(
            f"The backup {source} is not a readable pg_dump archive ({error})."
        ) from error


def _postgres_restore(connection: BaseDatabaseWrapper, source: Path) -> None:
    # Django's own connection may hold a transaction that pg_restore's DROPs would wait on.
    connection.close()
    _run_postgres_tool(
        "pg_restore",
        [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            str(source),
        ],
        connection.settings_dict,
        database=True,
    )


def _run_postgres_tool(
    tool: str, arguments: Sequence[str], settings_dict: Mapping[str, Any], *, database: bool
) -> None:
    """Run ``pg_dump``/``pg_restore``; the password goes through ``PGPASSWORD`` only, never on
    the command line (which other local users can read) or into a message."""
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(
            f"{tool} was not found on PATH. Install the PostgreSQL client tools of the server's "
            "major version (Debian: postgresql-client-15)."
        )
    command = [executable, *arguments]
    env = dict(os.environ)
    if database:
        for key, option in (("HOST", "--host"), ("PORT", "--port"), ("USER", "--username")):
            if settings_dict.get(key):
                command.append(f"{option}={settings_dict[key]}")
        command += ["--no-password", f"--dbname={settings_dict['NAME']}"]
        if settings_dict.get("PASSWORD"):
            env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
        for option, variable in _LIBPQ_OPTIONS.items():
            value = (settings_dict.get("OPTIONS") or {}).get(option)
            if value:
                env[variable] = str(value)
    # A fixed executable found on PATH and an argument list, never a shell.
    completed = subprocess.run(  # noqa: S603  # nosec B603
        command, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        detail = " ".join(completed.stderr.strip().splitlines()[-3:]) or "no message"
        raise BackupError(f"{tool} failed (exit code {completed.returncode}): {detail}")


# --- Both engines ---------------------------------------------------------------------------


def _engine(connection: BaseDatabaseWrapper) -> str:
    vendor = str(connection.vendor)
    if vendor not in EXTENSIONS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _counts(connection: BaseDatabaseWrapper, cursor: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in sorted(connection.introspection.table_names(cursor)):
        query = f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}"  # noqa: S608  # nosec B608
        cursor.execute(query)  # a name from the schema itself, quoted
        counts[name] = int(cursor.fetchone()[0])
    return counts


def _live_counts(connection: BaseDatabaseWrapper) -> dict[str, int]:
    with connection.cursor() as cursor:
        return _counts(connection, cursor)


def _latest_per_app(rows: Sequence[Sequence[Any]]) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in rows:  # in the order applied: the last one per app wins
        latest[str(app)] = str(name)
    return dict(sorted(latest.items()))


def _unknown_migrations(migrations: Mapping[str, str]) -> list[str]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces)  # a squashed migration stands for the ones it replaces
    return [f"{app}.{name}" for app, name in sorted(migrations.items()) if (app, name) not in known]


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    with path.open("rb") as stream:
        os.fsync(stream.fileno())


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically with mode 0600."""
    handle, temporary_name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary_name, path)
    except BaseException:
        Path(temporary_name).unlink(missing_ok=True)
        raise


def _typed(data: Mapping[str, Any], key: str, kind: type[Any]) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"{key!r} is missing or not a {kind.__name__}")
    return value
