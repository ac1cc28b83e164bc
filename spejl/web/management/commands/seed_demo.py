"""``manage.py seed_demo``: create the demo organisations, venues and logins (idempotent)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from spejl.web.demo import DEMO_PASSWORD, seed_demo
from spejl.web.demo_formation import seed_formation
from spejl.web.demo_groups import seed_groups
from spejl.web.demo_journey import seed_journey
from spejl.web.demo_questionnaires import seed_questionnaires


class Command(BaseCommand):
    help = "Create demo data (idempotent) and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.SPEJL_DEMO:
            raise CommandError("Demo data are refused unless SPEJL_DEMO=1 (never in production).")
        logins = seed_demo()
        new_groups = seed_groups()
        seed_journey()
        seed_questionnaires()
        seed_formation()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data are in place ({new_groups} new groups). Logins:")
        )
        width = max(len(str(login.role)) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.role!s:<{width}}  {login.email:<42} {login.organisation}")
        self.stdout.write(f"  Password for every demo login: {DEMO_PASSWORD}")
        self.stdout.write(
            "  Every member organisation has koordinator.<slug>@spejl.demo and "
            "facilitator.<slug>@spejl.demo."
        )
