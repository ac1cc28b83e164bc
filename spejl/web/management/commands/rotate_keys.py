"""``manage.py rotate_keys [--dry-run] [--batch-size N]`` — move data encrypted at rest to the
current key.

Run it after putting a new key first in ``SPEJL_FIELD_KEYS`` (and/or a new ``SPEJL_LOOKUP_KEY``
with the old one in ``SPEJL_LOOKUP_KEY_PREVIOUS``); when it reports nothing left to do, the old
keys can be removed. Safe to run twice at once and to run again after an interruption. See
``docs/security.md``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spejl.web.keyrotation import RotationRefused, rotate_keys


class Command(BaseCommand):
    help = "Re-encrypt data encrypted at rest under the current key (docs/security.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would change; change nothing."
        )
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Rows per transaction (default 500)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            report = rotate_keys(dry_run=options["dry_run"], batch_size=options["batch_size"])
        except RotationRefused as error:
            raise CommandError(str(error)) from error
        current = report.current_key
        verb = "would re-encrypt" if report.dry_run else "re-encrypted"
        self.stdout.write(f"Current field key: {current}")
        for state in report.states:
            keys = ", ".join(f"{k}: {n}" for k, n in sorted(state.by_key.items())) or "empty"
            done = state.stale(current) if report.dry_run else report.reencrypted[state.place]
            line = f"{state.place}: {keys}; {verb} {done}"
            if report.skipped_changed[state.place]:
                line += f" (skipped {report.skipped_changed[state.place]} changed meanwhile)"
            self.stdout.write(line)
        from spejl.accounts.mfa_adapter import MFA_SECRET_PLACE

        self.stdout.write(
            f"Second-factor secrets: {verb} {report.reencrypted[MFA_SECRET_PLACE]} authenticator(s)"
        )
        fp_verb = "would recompute" if report.dry_run else "recomputed"
        self.stdout.write(f"Contact fingerprints {fp_verb}: {report.fingerprints}")
        if not report.dry_run:
            self.stdout.write(self.style.SUCCESS("Done. Run again to confirm nothing is left."))
