"""``manage.py verify_audit``: check the audit hash chain; seals nothing.

Exit code 0 when the chain holds, 1 with the first broken link otherwise. After the retention
job pruned the oldest events, it checks the prune records and verifies from the latest one's
anchor, and says so. Read-only, so safe to run twice at once and alongside ``seal_audit``.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spejl.audit.chain import Anchor, verify


class Command(BaseCommand):
    help = "Verify the audit hash chain and report the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            help="A head kept outside Spejl, SEQUENCE:CHAIN_HASH as printed by export_audit.",
        )
        parser.add_argument(
            "--settle-seconds",
            type=int,
            default=60,
            help="Count events older than this without a seal as unsealed (default 60).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            anchor = Anchor.parse(options["anchor"]) if options["anchor"] else None
        except ValueError as error:
            raise CommandError(str(error)) from error
        result = verify(settle_seconds=options["settle_seconds"], anchor=anchor)
        if result.pruned is not None:
            pruned = result.pruned
            newest = pruned.newest_removed.date().isoformat() if pruned.newest_removed else "-"
            self.stdout.write(
                f"Retention pruned the chain through seal {pruned.through_sequence} on "
                f"{pruned.pruned_at.date().isoformat()} (events up to {newest}; "
                f"{pruned.events_removed} event(s) removed in all); verified from "
                f"{pruned.anchor}."
            )
        if result.prune_gap_suspicious and result.prune_gap is not None:
            self.stdout.write(
                f"WARNING: {result.prune_gap.days} days lie between the latest prune's cutoff "
                "and the oldest kept event. If Spejl was in use then, audit events may have "
                "been removed: compare with the retention job's reports."
            )
        if result.unsealed:
            self.stdout.write(
                f"{result.unsealed} audit event(s) older than the settle time have no seal "
                "(is seal_audit running?)."
            )
        if result.out_of_order:
            self.stdout.write(
                f"{result.out_of_order} event(s) were sealed after a newer event "
                "(late commit, or inserted back-dated)."
            )
        if result.broken is not None:
            self.stderr.write(
                f"Audit chain BROKEN after {result.checked} intact seal(s): {result.broken}"
            )
            sys.exit(1)
        self.stdout.write(f"Audit chain intact: {result.checked} seal(s), head {result.head}.")
