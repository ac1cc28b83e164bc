"""``manage.py import_redcap``: check a REDCap flat CSV export and import it, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from spejl.access.actor import SYSTEM
from spejl.questionnaires import imports
from spejl.questionnaires.imports import ImportProblem, ImportRefused, ImportSummary

DEFAULT_EVENTS = ",".join(f"{event}={wave}" for event, wave in imports.SUGGESTED_EVENTS.items())


def problem_line(problem: ImportProblem) -> str:
    """``line N, column C: message`` (the parts that apply)."""
    where = []
    if problem.line is not None:
        where.append(f"line {problem.line}")
    if problem.column:
        where.append(f"column {problem.column}")
    return f"{', '.join(where)}: {problem.message}" if where else problem.message


def summary_lines(summary: ImportSummary) -> list[str]:
    """The summary as plain text, one fact a line."""
    lines = [f"Rows: {summary.rows}"]
    lines += [f"  {o.name} ({o.slug}): {o.rows} rows" for o in summary.organisations]
    lines.append(f"New participants: {summary.new_participants}")
    lines.append(f"Evaluation consents recorded as given on paper: {summary.consents_recorded}")
    lines += [f"  {f.wave} {f.form}: {f.new} new, {f.unchanged} unchanged" for f in summary.forms]
    lines.append(f"Responses: {summary.responses_new} new, {summary.responses_unchanged} unchanged")
    lines.append(f"Invitations completed: {summary.invitations_completed}")
    if summary.previous_import_at is not None:
        lines.append(
            f"The same file was imported before, on {summary.previous_import_at:%Y-%m-%d %H:%M} "
            f"({summary.previous_file_name})."
        )
    return lines


class Command(BaseCommand):
    help = (
        "Import questionnaire answers from a REDCap flat CSV export (raw data), acting as the "
        "system for every organisation. Everything is checked first; with any problem nothing "
        "is imported, every problem is printed and the command fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file exported from REDCap")
        parser.add_argument(
            "--events",
            default=DEFAULT_EVENTS,
            help=f"REDCap event name=wave pairs, comma-separated (default {DEFAULT_EVENTS})",
        )
        parser.add_argument(
            "--organisation",
            help="short name of the organisation for rows without a data access group",
        )
        parser.add_argument(
            "--paper-consent",
            action="store_true",
            help=(
                "evaluation consent was obtained on paper for record ids Spejl does not know "
                "and for known participants without consent: record it and import them"
            ),
        )
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from exc
        try:
            events = imports.events_parse(options["events"])
        except ValidationError as exc:
            raise CommandError(f"--events: {exc.messages[0]}") from exc
        organisation = None
        if options["organisation"]:
            organisation = imports.organisation_by_slug(options["organisation"])
            if organisation is None:
                raise CommandError(f"--organisation: no organisation {options['organisation']!r}")
        problem = imports.file_problem(path.name, len(content))
        if problem is not None:
            raise CommandError(problem)
        arguments: dict[str, Any] = {
            "actor": SYSTEM,
            "content": content,
            "events": events,
            "default_organisation": organisation,
            "paper_consent_confirmed": options["paper_consent"],
        }
        if options["dry_run"]:
            summary = imports.import_check(**arguments)
            self._print(summary)
            if not summary.ok:
                self._fail(list(summary.problems), summary.problem_count)
            self.stdout.write("Dry run: the file passes the check; nothing was written.")
            return
        try:
            run, summary = imports.import_file(file_name=path.name, **arguments)
        except ImportRefused as refused:
            self._fail(refused.problems, len(refused.problems))
        self._print(summary)
        self.stdout.write(f"Imported (run {run.public_id}).")

    def _print(self, summary: ImportSummary) -> None:
        for line in summary_lines(summary):
            self.stdout.write(line)

    def _fail(self, problems: list[ImportProblem], count: int) -> NoReturn:
        for problem in problems:
            self.stderr.write(problem_line(problem))
        if count > len(problems):
            self.stderr.write(f"… and {count - len(problems)} more")
        raise CommandError(f"{count} problem(s): nothing was imported.")
