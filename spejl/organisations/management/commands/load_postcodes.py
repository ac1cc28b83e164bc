"""``manage.py load_postcodes [FILE]``: load or refresh the Danish postcode register."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from spejl.organisations.models import Postcode
from spejl.organisations.postcodes import PostcodeFileError, sync_postcodes


class Command(BaseCommand):
    help = "Insert or update postcodes from a CSV file shaped like spejl/data/dk_postcodes.csv."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", nargs="?", default=str(settings.SPEJL_POSTCODES_CSV))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = sync_postcodes(Postcode, Path(options["file"]))
        except (OSError, PostcodeFileError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{count} postcodes loaded.")
