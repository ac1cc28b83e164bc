"""``manage.py load_course_plans [FILE...]``: load national course plan versions from data files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from spejl.courseplans.loader import DATA_DIR, CoursePlanFileError, load_plan_file, plan_files
from spejl.courseplans.models import CoursePlan, CoursePlanMeeting


class Command(BaseCommand):
    help = (
        "Load course plan files (JSON) as published national plans. Without arguments, every "
        f"file in {DATA_DIR} is loaded. Loading is idempotent; a published version with other "
        "content is refused."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="*", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(f) for f in options["files"]] or plan_files()
        if not paths:
            raise CommandError(f"No course plan files in {DATA_DIR}.")
        # All files or none: a refused file leaves the database as it was.
        try:
            with transaction.atomic():
                results = [load_plan_file(CoursePlan, CoursePlanMeeting, p) for p in paths]
        except CoursePlanFileError as exc:
            raise CommandError(str(exc)) from exc
        for result in results:
            self.stdout.write(str(result))
