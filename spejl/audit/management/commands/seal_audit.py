"""``manage.py seal_audit``: extend the audit hash chain over events that have settled.

Idempotent and safe to run twice at once (cron, e.g. every 5 minutes).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from spejl.audit.chain import seal_pending


class Command(BaseCommand):
    help = "Seal audit events older than the settle time into the hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--settle-seconds",
            type=int,
            default=60,
            help="Leave events younger than this for the next run (default 60).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = seal_pending(settle_seconds=options["settle_seconds"])
        self.stdout.write(f"{count} audit event(s) sealed.")
