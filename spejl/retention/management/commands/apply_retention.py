"""``manage.py apply_retention [--dry-run] [--json] [--only RULE …]``: the retention job.

Run it daily from cron (see docs/retention.md). ``--dry-run`` prints what each rule would remove
— counts and the oldest date, never personal data — and changes nothing. A real run removes what
is due in batches and writes one audit event per rule. Idempotent and safe to run twice at
once. Exit code 1 when a rule was refused (the audit chain did not verify before pruning).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spejl.retention.services import RULE_NAMES, RuleReport, retention_run


def _line(report: RuleReport, *, dry_run: bool) -> str:
    verb = "due" if dry_run else "removed"
    text = f"{report.rule}: {report.count} {verb} ({report.period})"
    if report.oldest:
        text += f", oldest {report.oldest.isoformat()}"
    if report.details:
        text += "; " + ", ".join(f"{k} {n}" for k, n in report.details.items())
    if report.note:
        text += f" — {report.note}"
    return text


class Command(BaseCommand):
    help = "Remove personal and technical data whose retention period has passed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what is due; change nothing."
        )
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
        parser.add_argument(
            "--only",
            nargs="+",
            choices=RULE_NAMES,
            metavar="RULE",
            help=f"Run only these rules ({', '.join(RULE_NAMES)}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run: bool = options["dry_run"]
        try:
            reports = retention_run(dry_run=dry_run, only=options["only"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            payload = {"dry_run": dry_run, "rules": [r.as_dict() for r in reports]}
            self.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False))
        else:
            if dry_run:
                self.stdout.write("Dry run: nothing was changed.")
            for report in reports:
                self.stdout.write(_line(report, dry_run=dry_run))
        failed = [r.rule for r in reports if r.failed]
        if failed:
            self.stderr.write(f"Retention refused for: {', '.join(failed)} (see above).")
            sys.exit(1)
