"""``manage.py restore PATH --yes`` — replace the database with a backup made by ``backup``.

The backup is verified against its manifest first (engine, checksum, migrations this code
knows); any doubt refuses the restore with nothing changed. See ``docs/backups.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spejl.web.backups import BackupError, restore


class Command(BaseCommand):
    help = "Replace the whole database with a backup (verified first; needs --yes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", metavar="PATH", help="Backup file made by manage.py backup.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Confirm that everything in the database may be replaced by the backup.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["path"])
        try:
            result = restore(source, confirm=options["yes"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        self.stdout.write(
            f"Restored the {manifest.engine} database from {result.source} "
            f"(made {manifest.created_at} by Spejl {manifest.spejl_version}): "
            f"{len(result.tables)} tables, {result.total_rows} rows in total."
        )
        if result.migrate_needed:
            self.stdout.write(
                self.style.WARNING(
                    "The backup is from older code: run `python manage.py migrate` before "
                    "starting Spejl."
                )
            )
