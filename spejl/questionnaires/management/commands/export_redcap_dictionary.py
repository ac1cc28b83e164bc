"""``manage.py export_redcap_dictionary``: the REDCap data dictionary (or the event mapping)
of the measurement plan in use, or of one instrument, on standard output."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spejl.core.instruments import LANGUAGES
from spejl.core.redcap import data_dictionary_csv
from spejl.questionnaires.models import InstrumentVersion
from spejl.questionnaires.redcap_plan import plan_event_mapping, plan_redcap_dictionary
from spejl.questionnaires.scheduling import plan_in_use


class Command(BaseCommand):
    help = (
        "Write the REDCap data dictionary CSV of every instrument of the measurement plan in "
        "use (each once, T0 first), or of the newest version of one instrument, to standard "
        "output; with --events, the instrument-event mapping (t0_arm_1, t1_arm_1, t2_arm_1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--instrument", help="one instrument code (its newest version)")
        parser.add_argument(
            "--language", choices=LANGUAGES, default="da", help="wording of labels (default da)"
        )
        parser.add_argument(
            "--events",
            action="store_true",
            help="write REDCap's instrument designation (which forms each event holds) instead",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["instrument"]
        if code and options["events"]:
            raise CommandError("--events describes the plan: leave out --instrument")
        try:
            if code:
                version = InstrumentVersion.objects.filter(code=code).order_by("-version").first()
                if version is None:
                    raise CommandError(f"no instrument {code!r} is loaded")
                text = data_dictionary_csv([version.instrument], options["language"])
            else:
                plan = plan_in_use()
                if plan is None:
                    raise CommandError("there is no measurement plan in use")
                if options["events"]:
                    text = plan_event_mapping(plan=plan)
                else:
                    text = plan_redcap_dictionary(plan=plan, language=options["language"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(text, ending="")
