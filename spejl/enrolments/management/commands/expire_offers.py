"""``manage.py expire_offers``: offers past their time lapse and their seats return.

Idempotent and safe to run twice at once (cron, e.g. every 15 minutes).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from spejl.enrolments.services import enrolments_expire_due


class Command(BaseCommand):
    help = "Let offers that were not answered in time lapse (the seat returns to the group)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = enrolments_expire_due()
        self.stdout.write(f"{count} offer(s) lapsed.")
