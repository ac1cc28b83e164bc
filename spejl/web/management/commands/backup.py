"""``manage.py backup [--output PATH]`` — write a backup of the database and its manifest.

Without ``--output`` the file goes to ``var/backups/spejl-YYYYmmdd-HHMMSS.sqlite3`` (SQLite) or
``….dump`` (PostgreSQL). See ``docs/backups.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from spejl.web.backups import (
    BackupError,
    BackupExistsError,
    BackupResult,
    backup,
    database_engine,
    default_backup_name,
)

#: Default names are per second; a second backup within the same second takes ``-2`` and so on.
NAME_ATTEMPTS = 20


def human_size(size: int) -> str:
    """``1536`` → ``1.5 KiB``."""
    if size < 1024:
        return f"{size} bytes"
    value = size / 1024
    for unit in ("KiB", "MiB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


class Command(BaseCommand):
    help = "Back up the database to a file with a manifest next to it (docs/backups.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            metavar="PATH",
            default=None,
            help="Backup file to write (must not exist). Default: var/backups/spejl-<time>.<ext>",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["output"]:
                result = backup(Path(options["output"]))
            else:
                result = self._backup_to_default_name()
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        self.stdout.write(
            f"Backed up the {manifest.engine} database to {result.path} "
            f"({human_size(manifest.size)}; {len(manifest.tables)} tables, "
            f"{manifest.total_rows} rows in total)."
        )
        self.stdout.write(f"Manifest: {result.manifest_path} (sha256 {manifest.sha256}).")
        self.stdout.write(
            "The file holds personal data: keep it encrypted and apart from the keys "
            "(DJANGO_SECRET_KEY, SPEJL_EXPORT_KEY)."
        )

    def _backup_to_default_name(self) -> BackupResult:
        directory = Path(settings.VAR_DIR) / "backups"
        engine = database_engine()
        now = timezone.localtime()
        for attempt in range(1, NAME_ATTEMPTS + 1):
            try:
                return backup(directory / default_backup_name(engine, now, attempt))
            except BackupExistsError:
                continue
        raise CommandError(f"Too many backups at {now:%Y-%m-%d %H:%M:%S} in {directory}.")
