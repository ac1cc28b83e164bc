"""``manage.py export_audit``: the audit log as CSV for the data-protection officer.

Writes every event in the date range with its seal, and the chain head (the anchor) to keep
outside Spejl; check it later with ``verify_audit --anchor``. When the retention job has pruned
the oldest events, says from which prune anchor the chain now starts. The export is itself
audited — as the person named by ``--by`` (their staff account), otherwise as the system.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spejl.access.actor import SYSTEM, Actor, actor_for_user
from spejl.accounts.models import User
from spejl.audit.chain import audit_export, latest_prune


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from error


class Command(BaseCommand):
    help = "Export the audit log with its hash chain as CSV, and print the chain head."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", help="First day (YYYY-MM-DD, local).")
        parser.add_argument("--to", dest="date_to", help="Last day (YYYY-MM-DD, local).")
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            help="The staff account of the person taking the export (recorded in the audit log).",
        )
        parser.add_argument(
            "--output",
            help="CSV file to write (the anchor goes next to it as PATH.anchor); default stdout.",
        )

    def _actor(self, email: str | None) -> Actor:
        if not email:
            return SYSTEM
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError("--by: there is no active staff account with that e-mail address.")
        return actor_for_user(user)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options["by"])
        prune = latest_prune()
        pruned_note = (
            ""
            if prune is None
            else f"Events through seal {prune.through_sequence} were pruned by retention on "
            f"{prune.pruned_at.date().isoformat()}; the chain starts from {prune.anchor}."
        )
        date_from = _date(options["date_from"]) if options["date_from"] else None
        date_to = _date(options["date_to"]) if options["date_to"] else None
        if date_from and date_to and date_to < date_from:
            raise CommandError("--to is before --from.")
        if options["output"] is None:
            head = audit_export(out=self.stdout, date_from=date_from, date_to=date_to, actor=actor)
            # stdout carries the CSV; the anchor goes to stderr so the CSV stays clean.
            self.stderr.write(f"Audit chain head (keep outside Spejl): {head}")
            if pruned_note:
                self.stderr.write(pruned_note)
            return
        path = Path(options["output"])
        with path.open("w", encoding="utf-8", newline="") as out:
            head = audit_export(out=out, date_from=date_from, date_to=date_to, actor=actor)
        anchor_path = path.with_name(path.name + ".anchor")
        note = f"# {pruned_note}\n" if pruned_note else ""
        anchor_path.write_text(
            "# Spejl audit chain head at export time. Keep this outside Spejl and check it with\n"
            f"# manage.py verify_audit --anchor {head}\n{note}{head}\n",
            encoding="utf-8",
        )
        self.stdout.write(f"Wrote {path} and {anchor_path}. Audit chain head: {head}")
        if pruned_note:
            self.stdout.write(pruned_note)
