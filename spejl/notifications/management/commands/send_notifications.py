"""``manage.py send_notifications [--limit N]``: send every notification that is due.

Run it from cron every five minutes (``*/5 * * * * manage.py send_notifications``). It is
idempotent and safe to run twice at once: each message is claimed before it is sent. It prints
counts only, never an address or a message.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spejl.notifications.services import send_due


class Command(BaseCommand):
    help = "Send queued e-mails and text messages that are due, and retry failed ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=500, help="Send at most this many (default 500)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        counts = send_due(limit=options["limit"])
        self.stdout.write(", ".join(f"{key} {value}" for key, value in counts.items()) + ".")
