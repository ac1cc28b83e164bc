"""``manage.py load_consent_texts [FILE...]``: load consent text versions from data files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from spejl.consents.loader import DATA_DIR, ConsentTextFileError, load_text_file, text_files
from spejl.consents.models import ConsentText


class Command(BaseCommand):
    help = (
        "Load consent text files (JSON) as published versions. Without arguments, every file "
        f"in {DATA_DIR} is loaded. Loading is idempotent; a published version with other "
        "content is refused."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="*", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(f) for f in options["files"]] or text_files()
        if not paths:
            raise CommandError(f"No consent text files in {DATA_DIR}.")
        # All files or none: a refused file leaves the database as it was.
        try:
            with transaction.atomic():
                results = [load_text_file(ConsentText, p) for p in paths]
        except ConsentTextFileError as exc:
            raise CommandError(str(exc)) from exc
        for result in results:
            self.stdout.write(str(result))
