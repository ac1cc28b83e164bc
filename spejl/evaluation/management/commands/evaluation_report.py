"""``manage.py evaluation_report --json`` — the machine-readable evaluation report on stdout.

The same JSON as the report page's download (``docs/report-schema.md``), for the national scope
or one organisation and a period of course starts. Runs as the system (audited as such).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spejl.access.actor import SYSTEM, NotFound
from spejl.evaluation.reports import report_data
from spejl.evaluation.scope import ReportScope
from spejl.groups.models import Target


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date (use YYYY-MM-DD).") from error


class Command(BaseCommand):
    help = "Print the evaluation report as JSON (docs/report-schema.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON (the only format).")
        parser.add_argument("--organisation", action="append", default=[], metavar="SLUG")
        parser.add_argument("--target", choices=Target.values, default="")
        parser.add_argument("--from", dest="period_from", type=_date, default=None)
        parser.add_argument("--to", dest="period_to", type=_date, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["json"]:
            raise CommandError("Only --json output is available on the command line.")
        start, end = options["period_from"], options["period_to"]
        if start and end and start > end:
            raise CommandError("--from must not be after --to.")
        scope = ReportScope(
            organisations=tuple(sorted(options["organisation"])),
            target=options["target"],
            period_from=start,
            period_to=end,
        )
        try:
            report = report_data(SYSTEM, scope, purpose="evaluation report (command)")
        except NotFound as error:
            raise CommandError("No such organisation.") from error
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
