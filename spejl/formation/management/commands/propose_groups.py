"""``manage.py propose_groups --organisation SLUG [--dry-run] [--time-limit S]``: ask the
optimiser for a placement proposal and print its summary (stored for review unless
``--dry-run``). Acts as the system; offers are only ever made by a coordinator approving."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spejl.access.actor import SYSTEM
from spejl.core.formation import greedy, solve
from spejl.formation.inputs import inputs_for
from spejl.formation.services import DEFAULT_TIME_LIMIT, MAX_TIME_LIMIT, proposal_create
from spejl.organisations.models import Organisation


class Command(BaseCommand):
    help = "Propose who on an organisation's waitlist joins which group, and print the summary."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, action="append", help="slug")
        parser.add_argument("--dry-run", action="store_true", help="print only; store nothing")
        parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT)

    def handle(self, *args: Any, **options: Any) -> None:
        slugs = options["organisation"]
        organisations = list(Organisation.objects.filter(slug__in=slugs))
        missing = set(slugs) - {o.slug for o in organisations}
        if missing:
            raise CommandError(f"Unknown organisation(s): {', '.join(sorted(missing))}")
        limit = options["time_limit"]
        if not 0 < limit <= MAX_TIME_LIMIT:
            raise CommandError(f"--time-limit must be between 1 and {MAX_TIME_LIMIT:.0f}")
        if options["dry_run"]:
            inputs = inputs_for(organisations)
            solution = solve(inputs.instance, time_limit=limit)
            baseline = greedy(inputs.instance)
            not_considered = Counter(inputs.not_considered.values())
            people, groups = len(inputs.instance.people), len(inputs.instance.groups)
            placed, travel = solution.placed_count, solution.travel_km
            reasons: Counter[str] = Counter(u.reason for u in solution.unplaced)
            gap, seconds, status = solution.gap, solution.solve_seconds, solution.status
            base_placed, base_travel = baseline.placed_count, baseline.travel_km
        else:
            proposal = proposal_create(actor=SYSTEM, organisations=organisations, time_limit=limit)
            not_considered = Counter(proposal.not_considered.values())
            people, groups = proposal.people_count, proposal.group_count
            rows = list(proposal.placements.values_list("travel_km", flat=True))
            placed, travel = len(rows), sum(rows)
            reasons = Counter(str(r) for r in proposal.unplaced.values_list("reason", flat=True))
            gap, seconds, status = proposal.gap, proposal.solve_seconds, proposal.solver_status
            base_placed = int(proposal.baseline["placed"])
            base_travel = float(proposal.baseline["travel_km"])
        self.stdout.write(f"Waiting: {people} considered ({dict(not_considered) or 'all'} not)")
        self.stdout.write(f"Groups that can take people: {groups}")
        self.stdout.write(
            f"Proposal: {placed} placed, {travel:.1f} km travel in all; "
            f"{status}, gap {'—' if gap is None else f'{100 * gap:.2f} %'}, {seconds:.2f} s"
        )
        self.stdout.write(
            f"First come, first served: {base_placed} placed, {base_travel:.1f} km travel"
        )
        if reasons:
            self.stdout.write("Not placed: " + ", ".join(f"{r} {n}" for r, n in reasons.items()))
        if not options["dry_run"]:
            self.stdout.write(f"Stored for review: /placement/{proposal.public_id}/")
