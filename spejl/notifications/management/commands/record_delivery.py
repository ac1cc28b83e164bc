"""``manage.py record_delivery MESSAGE_ID --bounced [--detail TEXT]``: record a bounce (or a
delivery) reported by the mail server, e.g. from its bounce-handling pipe."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spejl.notifications.models import DeliveryOutcome
from spejl.notifications.services import notification_record_delivery


class Command(BaseCommand):
    help = "Record that a sent message bounced or was delivered (by its provider message id)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("message_id", help="the e-mail Message-ID or the SMS provider's id")
        outcome = parser.add_mutually_exclusive_group(required=True)
        outcome.add_argument("--bounced", action="store_true")
        outcome.add_argument("--delivered", action="store_true")
        parser.add_argument("--detail", default="", help="the provider's short reason")

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = DeliveryOutcome.BOUNCED if options["bounced"] else DeliveryOutcome.DELIVERED
        if not notification_record_delivery(
            provider_message_id=options["message_id"], outcome=outcome, detail=options["detail"]
        ):
            raise CommandError("No sent message has that id.")
        self.stdout.write(f"Recorded: {outcome.label}.")
