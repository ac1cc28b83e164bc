"""``manage.py rescore``: recompute stored scores whose scoring rule or engine changed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from spejl.questionnaires.scoring import responses_rescore


class Command(BaseCommand):
    help = (
        "Score every finished response by the newest compatible instrument version and the "
        "current scoring engine. Earlier scores are kept (not current) for audit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--instrument", action="append", help="only this instrument code")
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = responses_rescore(codes=options["instrument"], dry_run=options["dry_run"])
        verb = "would rescore" if options["dry_run"] else "rescored"
        self.stdout.write(
            f"Checked {outcome.checked} response(s); {verb} {outcome.rescored}; "
            f"{outcome.changed} score(s) changed."
        )
