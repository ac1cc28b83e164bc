"""``manage.py check_translations``: refresh the Danish catalogue and fail on any gap.

Runs ``makemessages`` for Danish (needs GNU gettext), then fails if any message is untranslated
or fuzzy, listing them. CI runs it so that no English string reaches a Danish user.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

IGNORE = [".venv/*", ".bootstrap/*", "staticfiles/*", "var/*", "benchmarks/*", "node_modules/*"]


class Command(BaseCommand):
    help = "Extract messages and fail if a Danish translation is missing or fuzzy."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command(
            "makemessages",
            locale=["da"],
            no_location=True,
            no_obsolete=True,
            ignore_patterns=IGNORE,
            verbosity=0,
        )
        po_path = Path(settings.LOCALE_PATHS[0]) / "da" / "LC_MESSAGES" / "django.po"
        catalogue = polib.pofile(str(po_path))
        missing = [e.msgid for e in catalogue.untranslated_entries()]
        fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
        if missing or fuzzy:
            lines = [f"  missing: {m!r}" for m in missing] + [f"  fuzzy: {f!r}" for f in fuzzy]
            raise CommandError(
                f"{len(missing)} Danish translation(s) missing, {len(fuzzy)} fuzzy in "
                f"{po_path}:\n" + "\n".join(lines)
            )
        self.stdout.write(f"All {len(catalogue)} messages have a Danish translation.")
