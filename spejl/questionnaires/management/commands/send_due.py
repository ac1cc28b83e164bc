"""``manage.py send_due``: the periodic run for cron or a systemd timer (every 5 minutes).

Opens the questionnaire waves that are due, queues reminders, closes and cancels what is
over, then sends every message waiting in the outbox. Idempotent and safe when two copies run
at once (see ``spejl.questionnaires.scheduling`` and ``spejl.notifications.services``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from spejl.notifications.services import send_due
from spejl.questionnaires.scheduling import questionnaires_due


class Command(BaseCommand):
    help = "Open due questionnaire waves, queue reminders, and send waiting messages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500, help="messages to send at most")

    def handle(self, *args: Any, **options: Any) -> None:
        plan = questionnaires_due()
        sent = send_due(limit=options["limit"])
        self.stdout.write(
            "Questionnaires: {invited} invited, {reminded} reminded, {closed} closed, "
            "{cancelled} cancelled.".format(**plan)
        )
        self.stdout.write(
            "Messages: {sent} sent, {skipped} skipped, {retrying} to retry, {failed} failed, "
            "{not_claimed} taken by another run.".format(**sent)
        )
