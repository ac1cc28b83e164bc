"""``manage.py load_instruments``: load new instrument versions from ``spejl/instruments/``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from spejl.core.instruments import InstrumentFileError
from spejl.questionnaires.loader import ensure_default_plan, load_instruments
from spejl.questionnaires.models import InstrumentVersion, MeasurementPlan, PlanInstrument


class Command(BaseCommand):
    help = "Load new instrument versions (files in spejl/instruments/); idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            added = load_instruments(InstrumentVersion)
            made = ensure_default_plan(MeasurementPlan, PlanInstrument, InstrumentVersion)
        except InstrumentFileError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Loaded {len(added)} new instrument version(s): {', '.join(added) or 'none'}."
        )
        if made:
            self.stdout.write("Published measurement plan version 1.")
