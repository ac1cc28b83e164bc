"""``manage.py evaluation_cleanup`` — delete export files past their download time and report
runs older than 14 days. Idempotent and safe to run twice at once (cron, hourly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from spejl.evaluation.exports import expire_exports
from spejl.evaluation.reports import cleanup_runs


class Command(BaseCommand):
    help = "Delete expired export files and old report runs."

    def handle(self, *args: Any, **options: Any) -> None:
        expired = expire_exports()
        removed = cleanup_runs()
        self.stdout.write(f"{expired} export(s) expired, {removed} report run(s) removed.")
